"""One templated file's change turned back into a change of its template text.

The instance's change is the line diff from the file as rendered (``before``) to the instance's
file (``after``). Each hunk of it becomes an edit of the template's own lines, found through the
rendered lines' origins (:mod:`templsync.backport.linemap`), never by matching rendered text
against template text:

- **replaced or deleted lines** must each be an exact line (one template line, printed once);
  their template lines are replaced. Where the hunk's template lines are not consecutive (a
  ``{% … %}`` line between them printed nothing), the hunk is mapped line for line when it
  replaces as many lines as it removes, and is not mapped otherwise;
- an **edited line** keeps the template's own text wherever the instance kept the rendered
  text: every expression whose output is still there, in order, keeps its source exactly as the
  template writes it (``{{x}}`` stays ``{{x}}``, ``{{ slug | replace('_', '-') }}`` stays), and
  literal text the instance did not touch is kept as it is. Only the text the instance typed is
  new template text: answer values in it become their spellings (whole words, inside the typed
  text only) and Jinja-like text is escaped. An edit that changes what an expression printed is
  not mapped: the value is the answer's, not the template's;
- **inserted lines** go after the template line of the rendered line before them, or before the
  template line of the one after them; when the template lines between those two printed nothing
  for this instance (a false ``{% if %}``, a ``{% endif %}``), they go right after the line
  before, and the hunk says so;
- a hunk that touches an opaque line is not mapped; its text is reported with why.

Nothing is guessed: each mapped hunk is checked afterwards by rendering the new template
(:mod:`templsync.backport.roundtrip`).
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from templsync.backport.linemap import LineOrigin, Part
from templsync.backport.words import Delimiters, Spelling, compose, find_spellings, to_template

__all__ = [
    "FileMapping",
    "HunkMapping",
    "map_file",
    "matcher",
    "new_text",
    "split_lines",
]

_PAIRING = 0.6
"""How similar an instance line must be to a removed line to be taken as its edit."""


@dataclass(frozen=True)
class HunkMapping:
    """One hunk of the instance's change and the template edit it became (or why not).

    Line numbers count from 0; ``rendered_*`` index the rendered file, ``template_*`` the
    template file (for an unmapped hunk, the template lines it touches, when known).
    """

    rendered_start: int
    rendered_end: int
    removed: tuple[str, ...]
    added: tuple[str, ...]
    template_start: int | None
    template_end: int | None
    template_lines: tuple[str, ...] | None
    reason: str | None = None
    note: str | None = None

    @property
    def mapped(self) -> bool:
        return self.template_lines is not None


@dataclass(frozen=True)
class FileMapping:
    """The template text with every mapped hunk applied, and every hunk."""

    text: str
    hunks: tuple[HunkMapping, ...]

    @property
    def mapped(self) -> tuple[HunkMapping, ...]:
        return tuple(h for h in self.hunks if h.mapped)

    @property
    def unmapped(self) -> tuple[HunkMapping, ...]:
        return tuple(h for h in self.hunks if not h.mapped)


def matcher(a: Sequence[str], b: Sequence[str]) -> difflib.SequenceMatcher[str]:
    """difflib's matcher without its junk heuristic (which loses matches in long texts)."""
    return difflib.SequenceMatcher(None, a, b, autojunk=False)


class _Unmapped(Exception):
    """A hunk that cannot be mapped; the message says why."""


def new_text(text: str, spellings: Sequence[Spelling], delimiters: Delimiters) -> str:
    """Text the instance typed, as template text (its answer values mapped, the rest escaped)."""
    return to_template(text, spellings, delimiters)[0]


@dataclass(frozen=True)
class _Line:
    """An exact line: literal runs and expressions, alternating, starting and ending with a run
    (possibly empty)."""

    runs: tuple[str, ...]
    expressions: tuple[Part, ...]

    @classmethod
    def of(cls, parts: Sequence[Part]) -> _Line:
        runs: list[str] = [""]
        expressions: list[Part] = []
        for part in parts:
            if part.expression:
                expressions.append(part)
                runs.append("")
            else:
                runs[-1] += part.output
        return cls(tuple(runs), tuple(expressions))

    @property
    def text(self) -> str:
        out = [self.runs[0]]
        for expression, run in zip(self.expressions, self.runs[1:], strict=True):
            out += [expression.output, run]
        return "".join(out)

    def rebuild(self, new: str, spellings: Sequence[Spelling], delimiters: Delimiters) -> str:
        """The template line that prints ``new`` (see the module for what is kept)."""
        anchors = self._anchors(new)
        cuts = [0]
        for expression, at in zip(self.expressions, anchors, strict=True):
            cuts += [at, at + len(expression.output)]
        cuts.append(len(new))
        out: list[str] = []
        for k, old in enumerate(self.runs):
            run = new[cuts[2 * k] : cuts[2 * k + 1]]
            last = k == len(self.runs) - 1
            out.append(_run(run, old, spellings, delimiters, before_expression=not last))
            if not last:
                out.append(self.expressions[k].source)
        return "".join(out)

    def _anchors(self, new: str) -> list[int]:
        """Where each expression's output is in ``new``, in order: where the edit kept it."""
        blocks = matcher(self.text, new).get_matching_blocks()
        anchors: list[int] = []
        start = floor = 0
        for expression, run in zip(self.expressions, self.runs, strict=False):
            start += len(run)
            end = start + len(expression.output)
            found = next(
                (b + start - a for a, b, size in blocks if a <= start and end <= a + size),
                None,
            )
            if found is None or found < floor:
                found = _unique(new, expression.output, floor)
            if found is None or _glued(self.text, start, end, new, found):
                raise _Unmapped(
                    f"the edit changes what `{expression.source}` prints "
                    f"({expression.output!r}): that is an answer's value, not template text"
                )
            anchors.append(found)
            floor = found + len(expression.output)
            start = end
        return anchors


def _glued(old: str, start: int, end: int, new: str, at: int) -> bool:
    """Whether the edit glued a letter or digit to the expression's output (``APIs``)."""
    if start == end:
        return False
    after = at + end - start
    for old_i, new_i, edge in ((start - 1, at - 1, start), (end, after, end - 1)):
        if not 0 <= edge < len(old) or not old[edge].isalnum():
            continue
        typed = new[new_i] if 0 <= new_i < len(new) else ""
        kept = old[old_i] if 0 <= old_i < len(old) else ""
        if typed != kept and typed.isalnum():
            return True
    return False


def _run(
    new: str,
    old: str,
    spellings: Sequence[Spelling],
    delimiters: Delimiters,
    *,
    before_expression: bool,
) -> str:
    """A literal run: the template's text where the instance kept it; what it typed mapped."""
    if new == old:
        return old
    kept = [(j1, j2) for tag, _, _, j1, j2 in matcher(old, new).get_opcodes() if tag == "equal"]
    typed = [
        m
        for m in find_spellings(new, spellings)
        if not any(a < m.end and m.start < b for a, b in kept)
    ]
    return compose(new, typed, delimiters, before_expression=before_expression)


def _unique(text: str, needle: str, floor: int) -> int | None:
    """The place of ``needle`` in ``text`` from ``floor`` on: None when it is not there or
    there twice; an empty needle is at ``floor``."""
    if not needle:
        return floor
    first = text.find(needle, floor)
    if first < 0 or text.find(needle, first + 1) >= 0:
        return None
    return first


def split_lines(text: str) -> list[str]:
    """``text`` cut after each ``\\n`` (only there), as the line diff and the origins cut it."""
    lines = text.split("\n")
    last = lines.pop()
    out = [line + "\n" for line in lines]
    if last:
        out.append(last)
    return out


@dataclass(frozen=True)
class _File:
    template: list[str]
    origins: Sequence[LineOrigin]
    before: list[str]
    spellings: tuple[Spelling, ...]
    delimiters: Delimiters

    def hunk(self, i1: int, i2: int, added: list[str]) -> tuple[int, int, list[str], str | None]:
        """The template edit (start, end, new lines, note) of rendered lines ``i1:i2`` replaced
        by ``added``; :class:`_Unmapped` when there is none."""
        if i1 == i2:
            start, note = self._insertion(i1)
            return start, start, [self._new(line) for line in added], note
        for k in range(i1, i2):
            origin = self.origins[k]
            if not origin.exact:
                where = _lines_text(origin.touched)
                raise _Unmapped(f"rendered line {k + 1}{where} is {origin.why}")
        lines = [self.origins[k].line for k in range(i1, i2)]
        rows = [line for line in lines if line is not None]
        if any(b != a + 1 for a, b in itertools.pairwise(rows)) and len(added) != len(rows):
            raise _Unmapped(
                f"its lines come from template lines {rows[0] + 1}-{rows[-1] + 1}, and the "
                "template lines between them print nothing here: where its new lines go "
                "is not known"
            )
        start, end = rows[0], rows[-1] + 1
        if end - start == len(rows):
            return start, end, self._edited(i1, i2, added), None
        new = list(self.template[start:end])
        for k, line in enumerate(rows):
            new[line - start] = self._edited(i1 + k, i1 + k + 1, [added[k]])[0]
        return start, end, new, None

    def _insertion(self, at: int) -> tuple[int, str | None]:
        before = self.origins[at - 1] if at > 0 else None
        after = self.origins[at] if at < len(self.origins) else None
        after_before = None
        if before is not None and before.line is not None:
            after_before = before.line + 1
        elif before is not None and before.ends is not None:
            after_before = before.ends + 1
        before_after = None
        if after is not None:
            before_after = after.line if after.line is not None else after.begins
        if not self.origins:
            return len(self.template), None
        if at == 0 and before_after is None and not _strips_before(self.template[:1]):
            return 0, None
        if after_before is not None and before_after is not None:
            if before_after < after_before:
                raise _Unmapped("the lines around it come from the template in another order")
            if before_after == after_before:
                return after_before, None
            return after_before, (
                f"placed after template line {after_before}; template lines "
                f"{after_before + 1}-{before_after} print nothing for this instance"
            )
        if after_before is not None:
            return after_before, None
        if before_after is not None:
            return before_after, None
        raise _Unmapped(
            "the lines around it are printed by `{% … %}` lines, includes or loops: where "
            "it goes in the template is not known"
        )

    def _edited(self, i1: int, i2: int, added: list[str]) -> list[str]:
        """Removed exact lines ``i1:i2`` and the lines that replace them: each added line like
        a removed one (in order) is its edit; the others are new text."""
        out: list[str] = []
        k = i1
        for line in added:
            paired = next(
                (j for j in range(k, i2) if matcher(self.before[j], line).ratio() >= _PAIRING),
                None,
            )
            if paired is None:
                out.append(self._new(line))
                continue
            out.append(
                _Line.of(self.origins[paired].parts).rebuild(line, self.spellings, self.delimiters)
            )
            k = paired + 1
        return out

    def _new(self, line: str) -> str:
        return new_text(line, self.spellings, self.delimiters)


def _strips_before(lines: Sequence[str]) -> bool:
    """Whether the first template line starts with whitespace control (it would strip what is
    inserted before it)."""
    return bool(lines) and lines[0].lstrip().startswith(("{%-", "{{-", "{#-", "{%+", "{{+"))


def _lines_text(touched: Sequence[int]) -> str:
    if not touched:
        return ""
    if len(touched) == 1:
        return f" (template line {touched[0] + 1})"
    return f" (template lines {touched[0] + 1}-{touched[-1] + 1})"


def map_file(
    template: str,
    origins: Sequence[LineOrigin],
    before: str,
    after: str,
    *,
    spellings: Sequence[Spelling],
    delimiters: Delimiters,
) -> FileMapping:
    """The template text ``template`` with the change ``before`` -> ``after`` mapped back;
    ``origins`` are ``before``'s lines' (see the module)."""
    rendered, instance = split_lines(before), split_lines(after)
    if len(origins) != len(rendered):
        raise ValueError("one origin per rendered line")
    job = _File(split_lines(template), origins, rendered, tuple(spellings), delimiters)
    hunks: list[HunkMapping] = []
    edits: list[tuple[int, int, list[str]]] = []
    reached = 0
    for tag, i1, i2, j1, j2 in matcher(rendered, instance).get_opcodes():
        if tag == "equal":
            continue
        removed, added = tuple(rendered[i1:i2]), tuple(instance[j1:j2])
        try:
            start, end, lines, note = job.hunk(i1, i2, list(added))
            if start < reached:
                raise _Unmapped("it changes template lines an earlier hunk changed")
        except _Unmapped as err:
            touched = sorted({t for k in range(i1, i2) for t in origins[k].touched})
            first = touched[0] if touched else None
            last = touched[-1] + 1 if touched else None
            hunks.append(HunkMapping(i1, i2, removed, added, first, last, None, str(err)))
            continue
        reached = end
        edits.append((start, end, lines))
        hunks.append(HunkMapping(i1, i2, removed, added, start, end, tuple(lines), None, note))
    out: list[str] = []
    at = 0
    for start, end, lines in edits:
        out.extend(job.template[at:start])
        out.extend(lines)
        at = end
    out.extend(job.template[at:])
    return FileMapping("".join(out), tuple(hunks))
