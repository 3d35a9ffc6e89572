"""git itself as the oracle: the engine's diff is git's diff, and its conflicts are git's.

Copier's update leaves conflicts with ``git merge-file -L "before updating" -L "last update"
-L "after updating"``, so the markers an update writes must be that command's, byte for byte.
The texts are made of a few lines (``a``, ``b``, an empty line, ``}``), with or without a final
newline, so that they repeat and every alignment choice comes up.

What is compared, and the two ways the engine differs from git on purpose:

- ``diff_lines`` gives the hunks of ``git diff --no-index --diff-algorithm=myers
  --no-indent-heuristic -U0`` (the diff ``git merge-file`` runs), always.
- ``merge_text``, where it conflicts, writes exactly ``git merge-file``'s output. Where it merges
  cleanly, the merge is merge3's (difflib's alignment), kept as it always was; git may align such
  texts otherwise and then merges them otherwise, with or without a conflict. A text that
  conflicts with difflib's alignment is merged as git aligns it, clean or not.
- ``--diff3`` markers (``show_base``) show the diff3 regions, unrefined, as ``git merge-file
  --diff3`` does; where both sides made the same change but git's diffs cut it into hunks
  differently, git shows a conflict with two equal sides and the engine takes the change once.
- Where git's own result depends on which side it calls ours (it diffs ours against theirs to
  narrow a conflict, and two alignments can be equally good), the engine takes one fixed order so
  that swapping the sides mirrors its merge: its output is then git's with the sides swapped and
  the marker sections swapped back.
"""

from __future__ import annotations

import difflib
import re
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import merge3
import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from templsync._core.gitdiff import Change, diff_lines
from templsync._core.text import split_lines
from templsync._core.textmerge import MarkerLabels, merge_text, render_markers

pytestmark = pytest.mark.slow

COPIER = MarkerLabels(ours="before updating", base="last update", theirs="after updating")
SWAPPED = MarkerLabels(ours="after updating", base="last update", theirs="before updating")
LINES = [b"a", b"b", b"", b"}"]


@st.composite
def small_texts(draw: st.DrawFn, eols: tuple[bytes, ...] = (b"\n",)) -> bytes:
    """Up to eight lines of ``LINES``, with or without a final newline."""
    words = draw(st.lists(st.sampled_from(LINES), max_size=8))
    text = b"".join(w + draw(st.sampled_from(eols)) for w in words)
    if text and draw(st.booleans()):
        text = text.removesuffix(b"\r\n") if text.endswith(b"\r\n") else text[:-1]
    return text


@st.composite
def versions(draw: st.DrawFn, eols: tuple[bytes, ...] = (b"\n",)) -> tuple[bytes, bytes, bytes]:
    """(base, ours, theirs): independent small texts, or a side that keeps the base's lines and
    adds some (as a project and a template grow)."""
    base = draw(small_texts(eols))

    def side() -> bytes:
        if draw(st.booleans()):
            return draw(small_texts(eols))
        lines = list(split_lines(base))
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(lines)))
            lines.insert(at, draw(st.sampled_from(LINES)) + draw(st.sampled_from(eols)))
        return b"".join(lines)

    return base, side(), side()


def run_git(folder: Path, *args: str) -> bytes:
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, check=False)
    assert done.returncode >= 0 and not done.stderr, done.stderr
    return done.stdout


def git_merge_file(
    base: bytes, ours: bytes, theirs: bytes, labels: MarkerLabels, *options: str
) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            (folder / name).write_bytes(data)
        names = ("-L", labels.ours, "-L", labels.base, "-L", labels.theirs)
        return run_git(folder, "merge-file", "-p", *options, *names, "ours", "base", "theirs")


def git_diff(old: bytes, new: bytes) -> list[Change]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "old").write_bytes(old)
        (folder / "new").write_bytes(new)
        options = ("--no-index", "--diff-algorithm=myers", "--no-indent-heuristic", "-U0")
        out = run_git(folder, "diff", *options, "old", "new")
    hunks = []
    for m in re.finditer(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", out, re.MULTILINE):
        old_start, new_start = int(m[1]), int(m[3])
        old_count = 1 if m[2] is None else int(m[2])
        new_count = 1 if m[4] is None else int(m[4])
        # A hunk's start counts from 1, and an empty range names the line before it.
        hunks.append(
            Change(
                old_start - 1 if old_count else old_start,
                old_count,
                new_start - 1 if new_count else new_start,
                new_count,
            )
        )
    return hunks


def swap_sections(marked: bytes) -> bytes:
    """Markers made with the sides swapped (and ``SWAPPED`` labels), turned back: each block's
    two sections trade places and the labels are Copier's again."""
    out: list[bytes] = []
    block: list[bytes] = []  # the lines of the block being read, its markers included
    for line in marked.splitlines(keepends=True):
        if line.startswith(b"<<<<<<< after updating") or block:
            block.append(line)
        else:
            out.append(line)
        if block and line.startswith(b">>>>>>> before updating"):
            middle = next(i for i, x in enumerate(block) if x.rstrip(b"\r\n") == b"=======")
            eols = [x[len(x.rstrip(b"\r\n")) :] for x in (block[0], block[-1])]
            out.append(b"<<<<<<< before updating" + eols[0])
            out.extend(block[middle + 1 : -1])
            out.append(block[middle])
            out.extend(block[1:middle])
            out.append(b">>>>>>> after updating" + eols[1])
            block = []
    return b"".join(out)


class DifflibMatcher:
    """difflib's matcher (without its "popular line" heuristic) as merge3 types it."""

    def __init__(
        self,
        isjunk: Callable[[bytes], bool] | None = None,
        a: Sequence[bytes] = (),
        b: Sequence[bytes] = (),
        autojunk: bool = False,
    ) -> None:
        self.blocks = difflib.SequenceMatcher(isjunk, a, b, autojunk=False).get_matching_blocks()

    def get_matching_blocks(self) -> list[tuple[int, int, int]]:
        return [(block.a, block.b, block.size) for block in self.blocks]


def merge3_clean(base: bytes, ours: bytes, theirs: bytes) -> bytes | None:
    """The merge3 library's own merge with difflib's alignment, if it is clean."""
    lib = merge3.Merge3(
        split_lines(base), split_lines(ours), split_lines(theirs), sequence_matcher=DifflibMatcher
    )
    if any(region[0] == "conflict" for region in lib.merge_regions()):
        return None
    return b"".join(lib.merge_lines())


def check_against_git(base: bytes, ours: bytes, theirs: bytes) -> None:
    merge = merge_text(base, ours, theirs)
    marked = render_markers(merge, COPIER)
    clean = merge3_clean(base, ours, theirs)
    if clean is not None:
        event("clean with difflib's alignment: kept")
        assert merge.clean
        assert marked == clean
        return
    git = git_merge_file(base, ours, theirs, COPIER)
    if marked == git:
        event("git's merge, clean" if merge.clean else "git's conflicts")
        return
    event("git's merge with the sides swapped")
    assert marked == swap_sections(git_merge_file(base, theirs, ours, SWAPPED))


@settings(max_examples=400, deadline=None)
@given(versions())
# Both sides add an empty line, only ours adds X after it: the empty line is no conflict.
@example((b"a\n", b"a\n\nX\n", b"a\n\n"))
# The base ends "}" without a newline; ours adds a line after it, theirs adds the newline.
@example((b"a\n}", b"a\n}\nb\n", b"a\n}\n"))
# git narrows this conflict differently when the sides swap: the engine's is git's for one order.
@example((b"", b"b\n\na\na\na\n", b"a\na\nb\n\na\n"))
@example((b"", b"a\na\nb\n\na\n", b"b\n\na\na\na\n"))
def test_conflicts_are_git_merge_files(texts: tuple[bytes, bytes, bytes]) -> None:
    check_against_git(*texts)


@settings(max_examples=150, deadline=None)
@given(versions(eols=(b"\n", b"\r\n")))
def test_conflicts_are_git_merge_files_with_crlf_lines(texts: tuple[bytes, bytes, bytes]) -> None:
    """With CRLF and LF lines mixed, markers end their lines as git decides it."""
    check_against_git(*texts)


DIFF3_BLOCK = re.compile(
    rb"^<<<<<<< before updating\n(.*?)^\|{7} last update\n.*?"
    rb"^=======\n(.*?)^>>>>>>> after updating\n",
    re.MULTILINE | re.DOTALL,
)


def take_equal_sides(marked: bytes) -> bytes:
    """``--diff3`` markers with each block whose two sides are equal replaced by that side.

    A block that ends the file is left alone: git ends both sides with a newline there, so equal
    sections can come from lines that differ in their last newline.
    """

    def take(m: re.Match[bytes]) -> bytes:
        return m[1] if m[1] == m[2] and m.end() < len(marked) else m[0]

    return DIFF3_BLOCK.sub(take, marked)


@settings(max_examples=200, deadline=None)
@given(versions())
@example((b"a\n\na\na\nb\n", b"a\nb\n}\n\n\na\nb\na\n}\na\n", b"\na\nb\n}\n"))
def test_diff3_markers_are_git_merge_files(texts: tuple[bytes, bytes, bytes]) -> None:
    base, ours, theirs = texts
    if merge3_clean(base, ours, theirs) is not None:
        return  # a clean merge is merge3's (see above)
    marked = render_markers(merge_text(base, ours, theirs), COPIER, show_base=True)
    git = git_merge_file(base, ours, theirs, COPIER, "--diff3")
    if take_equal_sides(git) != git:
        event("git shows a conflict with two equal sides")
    assert marked == take_equal_sides(git)


@settings(max_examples=300, deadline=None)
@given(small_texts(), small_texts())
def test_the_diff_is_gits(old: bytes, new: bytes) -> None:
    assert list(diff_lines(split_lines(old), split_lines(new))) == git_diff(old, new)
