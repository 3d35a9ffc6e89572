"""The limits on what templsync reads from files it does not trust, and the guard that keeps them.

Every file a person or a template hands templsync (``copier.yml``, answers files, data files,
settings, migrations, the fleet registry, the writer's journal) is parsed within two limits:

- :data:`MAX_DEPTH`: lists and mappings nested at most this deep. A parser meeting deeper data
  would run out of Python's recursion (a ``RecursionError``, or a crash in a C parser), and so
  would every walk over the value afterwards (rendering, dumping, comparing).
- :data:`MAX_ALIAS_NODES` (YAML only, in :mod:`templsync._yaml`): the nodes that aliases add
  when expanded (or :data:`ALIAS_FACTOR` times the document's own nodes, when more). A few
  lines of anchors and aliases ("billion laughs") load cheaply as shared objects, then blow up
  whatever walks them: the message of a question that quotes the answer, a template that
  renders it, ``--json`` output.

Past a limit the parse raises :class:`LimitError`, whose message is the reason only; the reader
of each file re-raises it as its own error, naming the file. :func:`parse_within` is the one
guard around a parse: a ``RecursionError`` becomes a :class:`LimitError`, and the value parsed is
checked against :data:`MAX_DEPTH` without recursion.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from templsync.errors import UserError

MAX_DEPTH = 100
"""Lists and mappings nested deeper than this are refused."""

MAX_ALIAS_NODES = 100_000
ALIAS_FACTOR = 10
"""The nodes YAML aliases may add when expanded, in one document: ``MAX_ALIAS_NODES``, or
``ALIAS_FACTOR`` times the nodes the document itself holds when that is more (a large file that
merges a few defaults into many entries grows in proportion, never by a power)."""

MAX_INCLUDE_DEPTH = 10
"""``!include`` in ``copier.yml`` nested deeper than this is refused."""

T = TypeVar("T")


class LimitError(UserError, ValueError):
    """Data past one of the limits. The message is the reason only ("is nested too deeply ..."):
    the reader of a file re-raises it naming the file. A ``ValueError`` too, so a reader that
    takes any malformed content as damaged (a cache) does so here as well."""


def too_deep(where: str = "") -> LimitError:
    """The error for data nested deeper than :data:`MAX_DEPTH` (``where``: e.g. ``line 3``)."""
    at = f", at {where}" if where else ""
    return LimitError(
        f"is nested too deeply (more than {MAX_DEPTH} levels of lists and mappings{at}); "
        "templsync reads no data nested deeper"
    )


def parse_within(parse: Callable[[], T], *, check: bool = True) -> T:
    """``parse()``, refused with :class:`LimitError` when what it reads is nested deeper than
    :data:`MAX_DEPTH` (``check``: the value is walked to see; without it only data too deep to
    parse at all is refused, for a reader that checks every value's shape itself)."""
    try:
        value = parse()
    except RecursionError:
        raise too_deep() from None
    if check:
        check_depth(value)
    return value


def check_depth(value: object) -> None:
    """Raise :class:`LimitError` when ``value`` nests lists, tuples or mappings deeper than
    :data:`MAX_DEPTH` (walked with a stack, never by recursion)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        item, depth = pop()
        children: Iterable[object]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            raise too_deep()
        for child in children:
            if isinstance(child, dict | list | tuple):
                push((child, depth + 1))
