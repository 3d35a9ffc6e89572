"""The class-by-class merge of a generated module: blocks join back to the text, the engine's
laws hold, hand-written classes keep their place, a hand-edited class whose model is gone is
kept between markers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from templsync.schema.blocks import PREAMBLE, merge_blocks, split_blocks
from templsync.schema.sync import LABELS

LINES = st.sampled_from(
    [
        "class A(BaseModel):\n",
        "class B(BaseModel):\n",
        "class A:\n",
        "    x: int\n",
        "    y: str = 'a'\n",
        "\n",
        "# note\n",
        "import os\n",
        "class",
        "  class C:\n",
    ]
)
TEXTS = st.lists(LINES, max_size=12).map("".join).map(str.encode)


@given(TEXTS)
def test_blocks_join_back_to_the_text(text: bytes) -> None:
    assert b"".join(split_blocks(text).values()) == text


@given(TEXTS, TEXTS)
def test_one_side_unchanged_gives_the_other(base: bytes, other: bytes) -> None:
    assert merge_blocks(base, base, other, LABELS) == (other, 0)
    assert merge_blocks(base, other, base, LABELS) == (other, 0)
    assert merge_blocks(base, other, other, LABELS) == (other, 0)


def module(*classes: str, head: str = "import x\n") -> bytes:
    return (head + "".join(f"\n\nclass {c}(BaseModel):\n    a: int\n" for c in classes)).encode()


def test_blocks_are_keyed_by_class() -> None:
    blocks = split_blocks(module("A", "B", "A"))
    assert list(blocks) == [PREAMBLE, "blocks/A", "blocks/B", "blocks/A~2"]
    assert blocks[PREAMBLE] == b"import x\n\n\n"


def test_a_hand_written_class_keeps_its_place_and_changes_merge_per_class() -> None:
    base = module("A", "B", "C")
    ours = base.replace(
        b"class B(BaseModel):\n    a: int\n",
        b"class B(BaseModel):\n    a: int\n\n\nclass Mine:\n    pass\n",
    )
    ours = ours.replace(b"import x\n", b"import x\nimport mine\n")
    theirs = module("A", "B", "C", "D").replace(
        b"class C(BaseModel):\n    a: int", b"class C(BaseModel):\n    a: str"
    )
    merged, conflicts = merge_blocks(base, ours, theirs, LABELS)
    assert conflicts == 0
    text = merged.decode()
    assert text.index("class B(") < text.index("class Mine:") < text.index("class C(")
    assert "import mine" in text and "class D(" in text and "    a: str\n" in text


def test_a_hand_edited_class_whose_model_is_gone_is_kept_between_markers() -> None:
    base = module("A", "B")
    ours = base.replace(
        b"class B(BaseModel):\n    a: int\n", b"class B(BaseModel):\n    a: int\n    mine: str\n"
    )
    merged, conflicts = merge_blocks(base, ours, module("A"), LABELS)
    assert conflicts == 1
    text = merged.decode()
    assert "<<<<<<< file on disk\nclass B(BaseModel):\n    a: int\n    mine: str\n=======" in text
    assert "(the class is no longer generated)" in text
    unchanged, none = merge_blocks(
        base, base.replace(b"import x", b"import y"), module("A"), LABELS
    )
    assert none == 0 and b"class B" not in unchanged  # not edited by hand: simply gone
