"""Line origins: which line of a template file each line of its render came from.

The renderer (:mod:`templsync.template.render`) stays as it is and a normal render pays nothing:
origins come from a second render of one file, on demand, with the compiled template
instrumented. The file is parsed into Jinja's syntax tree and, before it is compiled, every
child of every ``Output`` node is preceded by a marker: a constant made of two private-use
characters around the kind (literal text or expression) and the template line the node starts
on. Rendering that tree with the same context gives the same text with markers in it; the text
after each marker is what that node printed. Literal text spans lines as the template does, so
each character of it has its own template line; an expression's output is all on its line.

What is not a plain ``Output`` (an ``{% include %}``, a ``{% filter %}`` or ``{% call %}`` block,
an extension's tag) gets an *opaque* marker before it, and the bodies of macros, ``{% set %}``
blocks, filter and call blocks are left as they are (their text is captured or transformed, and
a marker there would change what it becomes): what they print is opaque. A template that
``{% extends %}`` another has no origins (its parent prints around its blocks, unmarked).

The markers are then cut out and what is left must be, character for character, the file as the
normal render gave it; otherwise (a filter that reorders text, a template holding the private-use
characters) the file has no origins, and every change to it is reported as not mappable. So an
origin is either exact or absent, never a guess.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass

import jinja2
from jinja2 import nodes

__all__ = ["Piece", "PieceKind", "render_origins"]

_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKER = re.compile(f"{_OPEN}([leo])(\\d+){_CLOSE}")
_SEALED = (nodes.Macro, nodes.CallBlock, nodes.FilterBlock, nodes.AssignBlock)
"""Statements whose bodies are captured or transformed: never instrumented inside."""
_UNMARKED_OUTPUT = (nodes.Include, nodes.CallBlock, nodes.FilterBlock, nodes.Extends)
"""Statements that print without an ``Output`` node of this file."""


class PieceKind(enum.StrEnum):
    LITERAL = "l"
    EXPRESSION = "e"
    OPAQUE = "o"


@dataclass(frozen=True)
class Piece:
    """Text one node printed on one rendered line, and the template line it comes from.

    ``line`` counts from 1; 0 for text printed before any marker (not from this file).
    """

    kind: PieceKind
    line: int
    text: str
    starts_line: bool = False
    """The text starts its template line (it follows a newline of the same literal text)."""


def _marker(kind: PieceKind, line: int) -> nodes.TemplateData:
    return nodes.TemplateData(f"{_OPEN}{kind.value}{line}{_CLOSE}", lineno=line)


def _instrument(node: nodes.Node) -> None:
    for name in node.fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            items: list[object] = []
            for item in value:
                if isinstance(item, nodes.Output):
                    item.nodes = [
                        marked
                        for child in item.nodes
                        for marked in (_marker(_kind(child), child.lineno), child)
                    ]
                elif isinstance(item, _UNMARKED_OUTPUT) or (
                    isinstance(item, nodes.Stmt) and type(item).__module__ != nodes.__name__
                ):
                    marker = _marker(PieceKind.OPAQUE, item.lineno)
                    items.append(nodes.Output([marker], lineno=item.lineno))
                items.append(item)
                if isinstance(item, nodes.Node) and not isinstance(item, _SEALED):
                    _instrument(item)
            setattr(node, name, items)
        elif isinstance(value, nodes.Node) and not isinstance(value, _SEALED):
            _instrument(value)


def _kind(node: nodes.Node) -> PieceKind:
    return PieceKind.LITERAL if isinstance(node, nodes.TemplateData) else PieceKind.EXPRESSION


def _pieces(marked: str) -> list[Piece]:
    found: list[Piece] = []
    kind, line, at = PieceKind.OPAQUE, 0, 0
    for match in _MARKER.finditer(marked):
        found.append(Piece(kind, line, marked[at : match.start()]))
        kind, line, at = PieceKind(match[1]), int(match[2]), match.end()
    found.append(Piece(kind, line, marked[at:]))
    return found


def _cut(text: str) -> list[str]:
    """``text`` cut after each ``\\n`` (only there); an empty text is one empty part."""
    parts = [line + "\n" for line in text.split("\n")]
    parts[-1] = parts[-1][:-1]
    return [p for p in parts if p] or [""]


def _lines(pieces: list[Piece]) -> tuple[tuple[Piece, ...], ...]:
    """The pieces of each rendered line (a line keeps its ``\\n``); literal text that spans
    lines moves to the template's next line with each newline."""
    lines: list[tuple[Piece, ...]] = []
    current: list[Piece] = []
    for piece in pieces:
        line = piece.line
        literal = piece.kind is PieceKind.LITERAL
        for index, part in enumerate(_cut(piece.text)):
            if part or piece.kind is PieceKind.EXPRESSION:
                current.append(Piece(piece.kind, line, part, literal and index > 0))
            if part.endswith("\n"):
                lines.append(tuple(current))
                current = []
                if literal:
                    line += 1
    if any(p.text for p in current):
        lines.append(tuple(current))
    return tuple(lines)


def render_origins(
    env: jinja2.Environment,
    source: str,
    context: Mapping[str, object],
    *,
    expected: str,
    name: str | None = None,
) -> tuple[tuple[Piece, ...], ...] | None:
    """The pieces of each line of ``source`` rendered with ``context``, or None when they
    cannot be known exactly (see the module). ``expected`` is the normal render's text."""
    if _OPEN in source or _CLOSE in source:
        return None
    try:
        tree = env.parse(source, name=name)
    except jinja2.TemplateError:
        return None
    if any(True for _ in tree.find_all(nodes.Extends)):
        return None
    _instrument(tree)
    try:
        marked = env.from_string(tree).render(dict(context))
    except Exception:  # the normal render worked; whatever this one raises, origins are unknown
        return None
    pieces = _pieces(marked)
    if "".join(p.text for p in pieces) != expected:
        return None
    return _lines(pieces)
