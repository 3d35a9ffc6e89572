"""Answer values found in text as whole words, and text made safe to be template text.

The rules every reverse mapping keeps (templatize, backport, fleet patterns):

- **Only values meant as names are mapped by text.** A value is mapped when it is a string of at
  least :data:`MIN_LENGTH` characters, holds a letter, has no line break, and does not read as a
  boolean (``y``, ``no``, ``true``, ``off``...) or a number. Booleans and numbers are never
  mapped: ``y`` occurs everywhere (``health.py``), and ``1`` is every first item.
- **Whole words only.** A value matches where it is not glued to other letters or digits: the
  character before it and the one after it are not letters or digits, except at a camel-case hump
  (``myOrders``, ``OrdersRouter``). ``_``, ``-``, ``.``, ``/`` and spaces separate words, so
  ``list_orders`` holds ``orders`` and ``reorders`` does not.
- **Longest first.** Where several spellings match at one place, the longest wins, and text a
  match took is not searched again: ``orders_api`` is one ``{{ project_slug }}``, never
  ``{{ resource }}_api``. Matches are taken from left to right.
- **Literal text is escaped.** In template text, the environment's start delimiters (``{{``,
  ``{%``, ``{#``, and line prefixes when set) become expressions that print them
  (``{{ '{{' }}``), and a ``{`` just before an inserted expression does too, so the lexer never
  reads ``{{{``. Nothing is guessed: rendering the result gives the text back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import jinja2

__all__ = [
    "MIN_LENGTH",
    "Delimiters",
    "Match",
    "Spelling",
    "compose",
    "find_spellings",
    "is_meant",
    "to_template",
]

MIN_LENGTH = 3
_BOOLEANS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "none", "null"})
_NUMBER = re.compile(r"[+-]?(\d[\d_]*)?(\.\d+)?([eE][+-]?\d+)?")


def is_meant(value: object) -> bool:
    """Whether ``value`` is mapped back by text (see the module's documentation)."""
    if not isinstance(value, str) or isinstance(value, bool):
        return False
    text = value.strip()
    if len(text) < MIN_LENGTH or text != value or "\n" in text or "\r" in text:
        return False
    if text.lower() in _BOOLEANS or _NUMBER.fullmatch(text):
        return False
    return any(c.isalpha() for c in text)


@dataclass(frozen=True)
class Spelling:
    """Text that an answer renders to, and the template expression that renders it.

    ``expression`` is template source (``{{ project_slug | replace('_', '-') }}``); ``variable``
    is the question it reads.
    """

    text: str
    expression: str
    variable: str


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    spelling: Spelling


def _starts_word(text: str, i: int) -> bool:
    if i == 0:
        return True
    before, first = text[i - 1], text[i]
    if not before.isalnum():
        return True
    return (before.islower() or before.isdigit()) and first.isupper()


def _ends_word(text: str, j: int) -> bool:
    if j >= len(text):
        return True
    last, after = text[j - 1], text[j]
    if not after.isalnum():
        return True
    return last.islower() and after.isupper()


def find_spellings(text: str, spellings: Iterable[Spelling]) -> tuple[Match, ...]:
    """Every whole-word match of ``spellings`` in ``text``, leftmost-longest, none overlapping."""
    found: list[Match] = []
    for spelling in spellings:
        needle = spelling.text
        if not needle:
            continue
        at = text.find(needle)
        while at >= 0:
            end = at + len(needle)
            if _starts_word(text, at) and _ends_word(text, end):
                found.append(Match(at, end, spelling))
            at = text.find(needle, at + 1)
    found.sort(key=lambda m: (m.start, m.start - m.end))
    taken: list[Match] = []
    reached = 0
    for match in found:
        if match.start >= reached:
            taken.append(match)
            reached = match.end
    return tuple(taken)


@dataclass(frozen=True)
class Delimiters:
    """What starts Jinja syntax in an environment, and how an expression is written in it."""

    starts: tuple[str, ...] = ("{{", "{%", "{#")
    variable_start: str = "{{"
    variable_end: str = "}}"

    @classmethod
    def of(cls, env: jinja2.Environment) -> Delimiters:
        starts = [env.block_start_string, env.variable_start_string, env.comment_start_string]
        starts += [p for p in (env.line_statement_prefix, env.line_comment_prefix) if p]
        ordered = tuple(sorted(set(starts), key=len, reverse=True))
        return cls(ordered, env.variable_start_string, env.variable_end_string)

    def printing(self, text: str) -> str:
        """An expression that prints ``text`` as it is."""
        quoted = text.replace("\\", "\\\\").replace("'", "\\'")
        return f"{self.variable_start} '{quoted}' {self.variable_end}"

    def escape(self, text: str) -> str:
        """``text`` as template text that renders to itself."""
        out: list[str] = []
        i = 0
        while i < len(text):
            for start in self.starts:
                if text.startswith(start, i):
                    out.append(self.printing(start))
                    i += len(start)
                    break
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    def escape_before_expression(self, text: str) -> str:
        """:meth:`escape`, and a last character that could start a delimiter with the next
        expression's first characters printed by an expression too."""
        escaped = self.escape(text)
        if (
            text
            and any(s.startswith(text[-1]) for s in self.starts)
            and not escaped.endswith(self.variable_end)
        ):
            return escaped[:-1] + self.printing(text[-1])
        return escaped


def compose(
    text: str, matches: Sequence[Match], delimiters: Delimiters, *, before_expression: bool = False
) -> str:
    """``text`` as template text: ``matches`` replaced by their expressions, the rest escaped;
    ``before_expression``: an expression follows the text."""
    out: list[str] = []
    at = 0
    for match in matches:
        out.append(delimiters.escape_before_expression(text[at : match.start]))
        out.append(match.spelling.expression)
        at = match.end
    rest = text[at:]
    out.append(
        delimiters.escape_before_expression(rest) if before_expression else delimiters.escape(rest)
    )
    return "".join(out)


def to_template(
    text: str, spellings: Sequence[Spelling], delimiters: Delimiters
) -> tuple[str, tuple[Match, ...]]:
    """``text`` as template text: every whole-word match of ``spellings`` replaced by its
    expression, the rest escaped; and the matches."""
    matches = find_spellings(text, spellings)
    return compose(text, matches, delimiters), matches
