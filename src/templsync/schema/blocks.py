"""The three-way merge of a generated module, decided class by class.

A generated module of 200 models is 15,000 lines, most of them alike; merged as one text, the
line alignment alone takes over a second. Here each version is cut into blocks, one per
top-level class (``blocks/<Name>``) and one for everything before the first class
(``blocks/_preamble``: header, imports, ``__all__``), and the three block trees are merged by
the engine's ``merge3``: a block that is the same on all sides is not looked at, and a changed
one is merged as text on its own (so a conflict stays inside the class it is in).

Rules:

- a block is a class statement from its ``class`` line to the line before the next top-level
  class; comments and decorators just above a class go with the block before it, so a version's
  blocks joined in order give back the version byte for byte;
- the merged module lists the blocks in the new generation's order (in the file's order when the
  generation kept the last one's); a block only one side has (a class written by hand, a new
  model's class) follows the block it followed on that side;
- a class changed by hand whose model is gone (modified on our side, deleted on theirs) is kept,
  between conflict markers, and counted as a conflict; renames are followed only for identical
  blocks (the classes of 200 models look too much alike for similarity to mean a rename).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from templsync._core.merge import merge3
from templsync._core.outcome import ConflictKind
from templsync._core.textmerge import MarkerLabels
from templsync._core.tree import Tree

PREAMBLE = "blocks/_preamble"
_CLASS = re.compile(rb"^class ([A-Za-z_][A-Za-z0-9_]*)\b")


def split_blocks(text: bytes) -> dict[str, bytes]:
    """``text`` as ordered blocks (see the module); joining the values gives ``text`` back."""
    blocks: dict[str, bytes] = {}
    key, start = PREAMBLE, 0
    offset = 0
    for line in text.splitlines(keepends=True):
        match = _CLASS.match(line)
        if match:
            if offset > start or key != PREAMBLE:
                blocks[key] = text[start:offset]
            key = _free(f"blocks/{match.group(1).decode()}", blocks)
            start = offset
        offset += len(line)
    blocks[key] = text[start:]
    return blocks


def _free(key: str, taken: Mapping[str, bytes]) -> str:
    if key not in taken and key != PREAMBLE:
        return key
    n = 2
    while f"{key}~{n}" in taken:
        n += 1
    return f"{key}~{n}"


def merge_blocks(
    base: bytes, ours: bytes, theirs: bytes, labels: MarkerLabels
) -> tuple[bytes, int]:
    """The merged module and the number of conflicts left in it as markers."""
    base_blocks, ours_blocks, theirs_blocks = (split_blocks(t) for t in (base, ours, theirs))
    result = merge3(
        Tree.from_texts(base_blocks),
        Tree.from_texts(ours_blocks),
        Tree.from_texts(theirs_blocks),
        rename_threshold=1.0,
    )
    merged = result.with_markers(labels)
    conflicts = 0
    texts: dict[str, bytes] = {}
    for path in merged:
        texts[path] = merged[path].content()
    for conflict in result.conflicts:
        if conflict.kind is ConflictKind.MODIFY_DELETE and conflict.path in texts:
            texts[conflict.path] = _kept(texts[conflict.path], labels)
            conflicts += 1
        else:
            conflicts += max(len(conflict.hunks), 1)
    if list(theirs_blocks) == list(base_blocks):  # theirs kept the order: ours' order stands
        order = _order(list(ours_blocks), list(theirs_blocks), texts)
    else:
        order = _order(list(theirs_blocks), list(ours_blocks), texts)
    return b"".join(_ended(texts[key], key == order[-1]) for key in order), conflicts


def _kept(block: bytes, labels: MarkerLabels) -> bytes:
    """A class changed by hand whose model is gone, between markers."""
    body = block if block.endswith(b"\n") else block + b"\n"
    return (
        f"<<<<<<< {labels.ours}\n".encode()
        + body
        + f"=======\n>>>>>>> {labels.theirs} (the class is no longer generated)\n".encode()
    )


def _ended(block: bytes, last: bool) -> bytes:
    """A block that does not end its line gets a newline, unless it ends the module."""
    return block if last or block.endswith(b"\n") else block + b"\n"


def _order(first: list[str], second: list[str], present: Mapping[str, bytes]) -> list[str]:
    """``first``'s order; a block only ``second`` has follows the block it follows there."""
    order = [key for key in first if key in present]
    placed = set(order)
    for i, key in enumerate(second):
        if key in placed or key not in present:
            continue
        after = next((k for k in reversed(second[:i]) if k in placed), None)
        at = order.index(after) + 1 if after is not None else 0
        order.insert(at, key)
        placed.add(key)
    order += sorted(k for k in present if k not in placed)  # merged in from elsewhere (none)
    return order
