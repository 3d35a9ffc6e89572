"""The case variants of a ``templatize`` variable: each a spelling and the expression behind it.

A value whose words are joined by one separator (``_``, ``-`` or a space) has these spellings,
each rendered from the variable by a filter chain (so the text a spelling replaces is exactly what
its expression gives back): as given (``{{ name }}``), snake (``orders_api``), kebab
(``orders-api``), UPPER (``ORDERS_API``), Title (``Orders Api``) and Camel (``OrdersApi``). A
single word has as given, UPPER, Title (which is its Camel) and lower. A value mixing separators
has only its own spelling. Spellings that are not meant as names (:func:`~templsync.backport.words.
is_meant`) and spellings that repeat an earlier one are dropped.

Across variables, one text has one spelling: a variable's value as given wins over another's
derived spelling; between two derived ones, the variable given first wins.
"""

from __future__ import annotations

from collections.abc import Sequence

import jinja2.sandbox

from templsync.backport.words import Spelling, is_meant

__all__ = ["case_variants", "spellings_of"]

_SEPARATORS = ("_", "-", " ")


def _chains(value: str) -> list[str]:
    """The filter chains of the variants of ``value``, in order of preference."""
    used = [sep for sep in _SEPARATORS if sep in value]
    lower = "" if value == value.lower() else " | lower"
    if len(used) > 1:
        return [""]
    if not used:
        return ["", " | upper", " | title", lower] if lower else ["", " | upper", " | title"]
    sep = used[0]

    def joined(new: str) -> str:
        return "" if new == sep else f" | replace({sep!r}, {new!r})"

    return [
        "",
        f"{joined('_')}{lower}",
        f"{joined('-')}{lower}",
        f"{joined('_')} | upper",
        f"{joined(' ')} | title",
        f"{joined(' ')} | title | replace(' ', '')",
    ]


def case_variants(name: str, value: str) -> tuple[Spelling, ...]:
    """The spellings of the variable ``name`` answered ``value`` (see the module)."""
    env = jinja2.sandbox.SandboxedEnvironment()
    found: dict[str, Spelling] = {}
    for chain in _chains(value):
        expression = f"{{{{ {name}{chain} }}}}"
        text = env.from_string(expression).render({name: value})
        if text not in found and is_meant(text):
            found[text] = Spelling(text, expression, name)
    return tuple(found.values())


def spellings_of(variables: Sequence[tuple[str, str]]) -> tuple[Spelling, ...]:
    """Every variable's spellings, one per text (see the module for which one wins)."""
    chosen: dict[str, Spelling] = {}
    for name, value in variables:
        for spelling in case_variants(name, value):
            current = chosen.get(spelling.text)
            plain = spelling.text == value
            if current is None or (plain and current.expression != f"{{{{ {current.variable} }}}}"):
                chosen[spelling.text] = spelling
    return tuple(chosen.values())
