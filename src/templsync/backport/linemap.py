"""Which rendered lines are one template line, printed once, and what each part of it printed.

A rendered line maps back *exactly* to template line ``L`` when every piece of it was printed by
``L`` (:mod:`templsync.backport.origins`), ``L`` printed no other rendered line (so it is in no
loop and no expression of it printed a line break), and ``L`` is nothing but literal text and
``{{ … }}`` expressions that print, in order, the rendered line's pieces: its literal text is the
rendered line's literal text, character for character. Such a line is a sequence of
:class:`Part`: literal text (the same in template and render) and expressions (the template's
own source text, and what it printed). Changing an exact line is changing its template line.

Every other rendered line is *opaque*: it comes from a line holding ``{% … %}`` tags, comments
or whitespace control, from a loop, an include, or a file without origins. It says which
template lines it was printed from and why it is not exact, for the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import jinja2

from templsync.backport.origins import Piece, PieceKind

__all__ = ["LineOrigin", "Part", "line_origins", "opaque_origins"]


@dataclass(frozen=True)
class Part:
    source: str
    output: str
    expression: bool


@dataclass(frozen=True)
class LineOrigin:
    """Where one rendered line came from: exactly one template line (``line``, 0-based, with its
    ``parts``), or not exactly (``line`` None, ``why``). ``touched`` lists the template lines
    (0-based) it printed from."""

    line: int | None
    parts: tuple[Part, ...] = ()
    touched: tuple[int, ...] = ()
    why: str | None = None
    ends: int | None = None
    """The template line (0-based) whose own newline ends this rendered line, when that newline
    is printed once (the line after a ``{% if %}`` tag, say): what is inserted after this
    rendered line goes after that template line."""
    begins: int | None = None
    """The template line (0-based) whose start begins this rendered line, printed once: what
    is inserted before this rendered line goes before that template line."""

    @property
    def exact(self) -> bool:
        return self.line is not None


_Segment = tuple[bool, str]
"""(is an expression, text): literal text, or an expression's source text."""


def _segments(env: jinja2.Environment, line: str) -> list[_Segment] | None:
    """The template line as literal text and ``{{ }}`` expressions, or None when it holds
    anything else or does not lex back to itself."""
    out: list[_Segment] = []
    inside = False
    try:
        for _, kind, value in env.lex(line):
            if kind == "data" and not inside:
                out.append((False, value))
            elif kind == "variable_begin":
                if value.endswith(("-", "+")):
                    return None  # whitespace control: what it strips is another line's
                inside = True
                out.append((True, value))
            elif inside:
                if kind == "variable_end" and value.startswith(("-", "+")):
                    return None
                out[-1] = (True, out[-1][1] + value)
                if kind == "variable_end":
                    inside = False
            else:
                return None
    except jinja2.TemplateSyntaxError:
        return None
    if inside or "".join(text for _, text in out) != line:
        return None
    return out


def _grouped(items: Sequence[_Segment]) -> list[list[_Segment]]:
    """Runs of literal text, and runs of expressions, each joined into one group."""
    groups: list[list[_Segment]] = []
    for item in items:
        if groups and groups[-1][0][0] == item[0]:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _exact(
    env: jinja2.Environment, template_line: str, pieces: Sequence[Piece]
) -> tuple[Part, ...] | None:
    segments = _segments(env, template_line)
    if segments is None:
        return None
    printed: list[_Segment] = [(p.kind is PieceKind.EXPRESSION, p.text) for p in pieces]
    source_groups = _grouped([s for s in segments if s[0] or s[1]])
    printed_groups = _grouped([s for s in printed if s[0] or s[1]])
    if [g[0][0] for g in source_groups] != [g[0][0] for g in printed_groups]:
        return None
    parts: list[Part] = []
    for source, output in zip(source_groups, printed_groups, strict=True):
        is_expression = source[0][0]
        source_text = "".join(text for _, text in source)
        output_text = "".join(text for _, text in output)
        if not is_expression and source_text != output_text:
            return None
        parts.append(Part(source_text, output_text, is_expression))
    return tuple(parts)


def line_origins(
    env: jinja2.Environment,
    template_lines: Sequence[str],
    rendered: Sequence[Sequence[Piece]],
) -> tuple[LineOrigin, ...]:
    """The origin of each rendered line (its pieces), against the template's lines."""
    uses: Counter[int] = Counter()
    for pieces in rendered:
        uses.update({p.line for p in pieces if p.kind is not PieceKind.OPAQUE and p.line})
    origins: list[LineOrigin] = []
    for pieces in rendered:
        origins.append(_origin(env, template_lines, pieces, uses))
    return tuple(origins)


def _ends(template_lines: Sequence[str], pieces: Sequence[Piece], uses: Counter[int]) -> int | None:
    last = pieces[-1] if pieces else None
    if last is None or last.kind is not PieceKind.LITERAL or not last.text.endswith("\n"):
        return None
    line = last.line
    if uses[line] != 1 or not 0 < line <= len(template_lines):
        return None
    return line - 1 if template_lines[line - 1].endswith("\n") else None


def _begins(
    template_lines: Sequence[str], pieces: Sequence[Piece], uses: Counter[int]
) -> int | None:
    first = pieces[0] if pieces else None
    if first is None or first.kind is not PieceKind.LITERAL or not first.starts_line:
        return None
    line = first.line
    return line - 1 if uses[line] == 1 and 0 < line <= len(template_lines) else None


def _origin(
    env: jinja2.Environment,
    template_lines: Sequence[str],
    pieces: Sequence[Piece],
    uses: Counter[int],
) -> LineOrigin:
    """One rendered line's origin."""
    touched = tuple(sorted({p.line - 1 for p in pieces if p.line}))
    edges = {
        "ends": _ends(template_lines, pieces, uses),
        "begins": _begins(template_lines, pieces, uses),
    }
    lines = {p.line for p in pieces}
    if any(p.kind is PieceKind.OPAQUE for p in pieces) or 0 in lines:
        return LineOrigin(None, (), touched, "printed by an include or a block tag", **edges)
    if len(lines) != 1:
        return LineOrigin(None, (), touched, "printed by several template lines", **edges)
    (line,) = lines
    if uses[line] > 1 or line > len(template_lines):
        why = "its template line prints several lines"
        return LineOrigin(None, (), touched, why, **edges)
    parts = _exact(env, template_lines[line - 1], pieces)
    if parts is None:
        why = "its template line holds `{% … %}` tags, comments or whitespace control"
        return LineOrigin(None, (), touched, why, **edges)
    return LineOrigin(line - 1, parts, touched, None, **edges)


def opaque_origins(count: int, why: str) -> tuple[LineOrigin, ...]:
    """Origins for a file whose origins are unknown: every line opaque, for ``why``."""
    return tuple(LineOrigin(None, (), (), why) for _ in range(count))
