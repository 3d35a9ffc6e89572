from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from templsync._core.text import (
    Hunk,
    PatchError,
    apply_hunks,
    is_binary,
    line_hunks,
    render_hunk,
    split_lines,
    unified_diff,
)


def test_binary_is_a_nul_in_the_first_8000_bytes() -> None:
    assert is_binary(b"a\0b")
    assert is_binary(b"x" * 7999 + b"\0")
    assert not is_binary(b"x" * 8000 + b"\0")
    assert not is_binary("é ü\r\n".encode("latin-1"))
    assert not is_binary(b"")


@pytest.mark.parametrize(
    ("data", "lines"),
    [
        (b"", ()),
        (b"a", (b"a",)),
        (b"a\n", (b"a\n",)),
        (b"a\nb", (b"a\n", b"b")),
        (b"a\r\nb\r\n", (b"a\r\n", b"b\r\n")),
        (b"a\rb\n", (b"a\rb\n",)),  # a lone CR is not a line break, as in git
        (b"\n\n", (b"\n", b"\n")),
        (b"\xe9t\xe9\n", (b"\xe9t\xe9\n",)),
    ],
)
def test_split_lines_keeps_every_byte(data: bytes, lines: tuple[bytes, ...]) -> None:
    assert split_lines(data) == lines
    assert b"".join(split_lines(data)) == data


def test_hunk_headers_use_unified_diff_numbering() -> None:
    assert Hunk(0, 3, 0, 4, ()).header() == b"@@ -1,3 +1,4 @@\n"
    assert Hunk(4, 1, 5, 1, ()).header() == b"@@ -5 +6 @@\n"
    # An empty range names the line before it, so an insertion at the top is "-0,0".
    assert Hunk(0, 0, 0, 2, ()).header() == b"@@ -0,0 +1,2 @@\n"
    assert Hunk(3, 0, 3, 1, ()).header() == b"@@ -3,0 +4 @@\n"


def test_line_hunks_with_context() -> None:
    old = split_lines(b"1\n2\n3\n4\n5\n6\n7\n8\n9\n")
    new = split_lines(b"1\n2\n3\nfour\n5\n6\n7\n8\n9\nten\n")
    hunks = line_hunks(old, new, context=1)
    assert [h.header() for h in hunks] == [b"@@ -3,3 +3,3 @@\n", b"@@ -9 +9,2 @@\n"]
    assert hunks[0].lines == ((" ", b"3\n"), ("-", b"4\n"), ("+", b"four\n"), (" ", b"5\n"))
    assert hunks[0].old_lines == (b"3\n", b"4\n", b"5\n")
    assert hunks[0].new_lines == (b"3\n", b"four\n", b"5\n")
    assert apply_hunks(old, hunks) == new
    assert line_hunks(old, old) == ()


def test_context_zero_hunks_hold_only_changes() -> None:
    old = split_lines(b"a\nb\nc\n")
    new = split_lines(b"a\nB\nc\nd\n")
    hunks = line_hunks(old, new, context=0)
    assert [h.lines for h in hunks] == [(("-", b"b\n"), ("+", b"B\n")), (("+", b"d\n"),)]
    assert apply_hunks(old, hunks) == new


def test_apply_hunks_refuses_text_that_does_not_match() -> None:
    old = split_lines(b"a\nb\nc\n")
    hunks = line_hunks(old, split_lines(b"a\nB\nc\n"))
    with pytest.raises(PatchError, match="line 1 does not match"):
        apply_hunks(split_lines(b"a\nx\nc\n"), hunks)
    overlapping = line_hunks(old, split_lines(b"A\nb\nC\n"), context=0)
    with pytest.raises(PatchError, match="overlaps"):
        apply_hunks(old, (overlapping[1], overlapping[0]))


def test_render_hunk_marks_a_missing_final_newline() -> None:
    (hunk,) = line_hunks(split_lines(b"a\nb"), split_lines(b"a\nc"))
    assert render_hunk(hunk) == (
        b"@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
    )


def test_unified_diff_of_equal_texts_is_empty() -> None:
    assert unified_diff(b"same\n", b"same\n", "a", "b") == b""


PATCH_CASES = [
    (b"a\nb\nc\n", b"a\nB\nc\n"),
    (b"", b"new\nfile\n"),
    (b"gone\n", b""),
    (b"a\nb", b"a\nb\n"),  # gains a final newline
    (b"a\nb\n", b"a\nb"),  # loses it
    (b"1\r\n2\r\n3\r\n", b"1\r\nzwei\r\n3\r\n4\r\n"),
    (b"caf\xe9\nna\xefve\n", b"caf\xe9\nna\xefve\nd\xe9j\xe0\n"),
    (
        b"".join(b"line %d\n" % i for i in range(40)),
        b"".join(b"line %d\n" % i for i in range(40) if i % 9) + b"end\n",
    ),
]


@pytest.mark.parametrize(("old", "new"), PATCH_CASES)
def test_unified_diff_applies_with_gnu_patch(tmp_path: Path, old: bytes, new: bytes) -> None:
    """GNU patch applies our diffs exactly: no fuzz, no offset, every byte of ``new``."""
    target = tmp_path / "file.txt"
    target.write_bytes(old)
    diff = unified_diff(old, new, "a/file.txt", "b/file.txt")
    done = subprocess.run(
        ["patch", "--posix", "-p1", "-F0", "--binary", "-i", "-"],
        input=diff,
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert b"offset" not in done.stdout
    assert b"fuzz" not in done.stdout
    assert target.read_bytes() == new
