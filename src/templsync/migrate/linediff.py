"""Line changes between two texts, and applying them back, byte for byte.

:func:`line_changes` gives the exact hunks (no context) that turn one text into another, as the
engine's matcher finds them. :func:`apply_changes` applies changes made from exactly that text;
every line a change expects is checked, so a text that drifted raises instead of being patched at
the wrong place.
"""

from __future__ import annotations

from collections.abc import Sequence

from templsync._core.text import Matcher, split_lines
from templsync.migrate.model import LineChange, LineModel, Operation

_OPERATIONS = {"replace": Operation.REPLACE, "insert": Operation.INSERT, "delete": Operation.DELETE}


class ChangeMismatch(ValueError):
    """A change that does not fit the text: lines differ, or changes overlap or leave the text."""


def line_changes(old: bytes, new: bytes) -> tuple[LineChange, ...]:
    """The changes that turn ``old`` into ``new`` (each keeps its line endings)."""
    a, b = split_lines(old), split_lines(new)
    changes = []
    for tag, i1, i2, j1, j2 in Matcher(None, a, b).get_opcodes():
        if tag == "equal":
            continue
        changes.append(LineChange(_OPERATIONS[tag], i1, i2, b"".join(a[i1:i2]), b"".join(b[j1:j2])))
    return tuple(changes)


def apply_changes(
    old: bytes, changes: Sequence[LineChange], model: LineModel = LineModel.EXACT
) -> bytes:
    """``old`` with ``changes`` applied; raises :class:`ChangeMismatch` when they do not fit."""
    lines = _split(old, model)
    ordered = sorted(changes, key=lambda c: (c.start, c.end))
    end = 0
    for change in ordered:
        if change.start < end:
            raise ChangeMismatch(f"the change at line {change.start + 1} overlaps the one before")
        if change.end > len(lines) or change.start > change.end:
            raise ChangeMismatch(
                f"the change at line {change.start + 1} reaches past the end of the text "
                f"({len(lines)} lines)"
            )
        expected = _content(change.old, model) if change.start < change.end else []
        if change.old is not None and lines[change.start : change.end] != expected:
            raise ChangeMismatch(f"lines {change.start + 1}-{change.end} are not what it expects")
        end = change.end
    for change in reversed(ordered):
        removal = change.operation is Operation.DELETE
        lines[change.start : change.end] = [] if removal else _content(change.new, model)
    return _join(lines, model)


def _split(data: bytes, model: LineModel) -> list[bytes]:
    if model is LineModel.EXACT:
        return list(split_lines(data))
    return data.split(b"\n")


def _join(lines: list[bytes], model: LineModel) -> bytes:
    return b"".join(lines) if model is LineModel.EXACT else b"\n".join(lines)


def _content(text: bytes | None, model: LineModel) -> list[bytes]:
    if text is None:
        return []
    if model is LineModel.EXACT:
        return list(split_lines(text))
    return text.split(b"\n")
