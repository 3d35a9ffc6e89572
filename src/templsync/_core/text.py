"""Lines and hunks of text files, kept as bytes so every byte survives.

Text is never decoded: a line is the bytes up to and including ``\\n`` (so ``\\r\\n`` endings stay
``\\r\\n``, and a last line without a newline stays without one), and non-UTF-8 text works as is.
A file is binary, as git decides it, when its first 8000 bytes hold a NUL byte.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

_BINARY_SNIFF = 8000

Lines = tuple[bytes, ...]
LineTag = Literal[" ", "-", "+"]


def is_binary(data: bytes) -> bool:
    return b"\0" in data[:_BINARY_SNIFF]


def split_lines(data: bytes) -> Lines:
    """Split on ``\\n`` only, keeping line endings; ``b"".join`` gives ``data`` back."""
    if not data:
        return ()
    parts = data.split(b"\n")
    last = parts.pop()
    lines = [p + b"\n" for p in parts]
    if last:
        lines.append(last)
    return tuple(lines)


class Matcher(difflib.SequenceMatcher[bytes]):
    """difflib's matcher without the "popular line" heuristic, which loses matches in long files."""

    def __init__(
        self,
        isjunk: Callable[[bytes], bool] | None = None,
        a: Sequence[bytes] = (),
        b: Sequence[bytes] = (),
        autojunk: bool = False,
    ) -> None:
        super().__init__(isjunk, a, b, autojunk=autojunk)


@dataclass(frozen=True)
class Hunk:
    """A run of changed lines with context; ``old_start`` and ``new_start`` count from 0."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    lines: tuple[tuple[LineTag, bytes], ...]

    @property
    def old_lines(self) -> Lines:
        return tuple(line for tag, line in self.lines if tag != "+")

    @property
    def new_lines(self) -> Lines:
        return tuple(line for tag, line in self.lines if tag != "-")

    def header(self) -> bytes:
        return b"@@ -%s +%s @@\n" % (
            _range(self.old_start, self.old_count),
            _range(self.new_start, self.new_count),
        )


def _range(start: int, count: int) -> bytes:
    first = start + 1 if count else start
    return b"%d" % first if count == 1 else b"%d,%d" % (first, count)


def line_hunks(old: Sequence[bytes], new: Sequence[bytes], context: int = 3) -> tuple[Hunk, ...]:
    """The hunks that turn ``old`` lines into ``new`` lines."""
    hunks: list[Hunk] = []
    matcher = Matcher(None, old, new)
    for group in matcher.get_grouped_opcodes(context):
        lines: list[tuple[LineTag, bytes]] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend((" ", line) for line in old[i1:i2])
                continue
            lines.extend(("-", line) for line in old[i1:i2])
            lines.extend(("+", line) for line in new[j1:j2])
        first, last = group[0], group[-1]
        hunks.append(Hunk(first[1], last[2] - first[1], first[3], last[4] - first[3], tuple(lines)))
    return tuple(hunks)


class PatchError(ValueError):
    """A hunk did not match the text it was applied to."""


def apply_hunks(old: Sequence[bytes], hunks: Sequence[Hunk]) -> Lines:
    """Apply ``hunks`` (made from exactly ``old``) and return the new lines.

    Every context and removed line is checked against ``old``; a mismatch raises
    :class:`PatchError` rather than guessing.
    """
    result: list[bytes] = []
    pos = 0
    for hunk in hunks:
        if hunk.old_start < pos:
            raise PatchError(f"hunk at line {hunk.old_start + 1} overlaps the previous one")
        result.extend(old[pos : hunk.old_start])
        expected = hunk.old_lines
        actual = tuple(old[hunk.old_start : hunk.old_start + len(expected)])
        if actual != expected:
            raise PatchError(f"hunk at line {hunk.old_start + 1} does not match the text")
        result.extend(hunk.new_lines)
        pos = hunk.old_start + len(expected)
    result.extend(old[pos:])
    return tuple(result)


def unified_diff(old: bytes, new: bytes, old_label: str, new_label: str, context: int = 3) -> bytes:
    """A ``diff -u`` style patch between two texts; empty when they are equal."""
    hunks = line_hunks(split_lines(old), split_lines(new), context)
    if not hunks:
        return b""
    out = [
        b"--- " + old_label.encode("utf-8", "surrogateescape") + b"\n",
        b"+++ " + new_label.encode("utf-8", "surrogateescape") + b"\n",
    ]
    out.extend(render_hunk(h) for h in hunks)
    return b"".join(out)


def render_hunk(hunk: Hunk) -> bytes:
    out = [hunk.header()]
    for tag, line in hunk.lines:
        out.append(tag.encode() + line)
        if not line.endswith(b"\n"):
            out.append(b"\n\\ No newline at end of file\n")
    return b"".join(out)
