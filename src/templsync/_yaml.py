"""YAML from files templsync does not trust, loaded within the limits of :mod:`templsync._limits`.

:class:`LimitedLoader` is PyYAML's ``SafeLoader`` that measures every node as it composes it:
how deep it nests and how many nodes it stands for once its aliases are expanded. It refuses,
with :class:`~templsync._limits.LimitError` naming the line, a node nested deeper than
``MAX_DEPTH`` (aliases counted at their full depth), aliases that add more than
``MAX_ALIAS_NODES`` nodes to one document (or ``ALIAS_FACTOR`` times its own nodes, when more),
and an alias inside the node it names (data that
contains itself). All of it before anything is constructed: a "billion laughs" file stops after
a few hundred nodes, and nothing deep reaches the recursive parts of the parser. Only a node
an alias names is measured (once), so a file without aliases costs a counter per node.

:func:`safe_load` is ``yaml.safe_load`` with that loader; subclasses (``copier.yml``'s loader
with ``!include``) keep the limits.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent

from templsync._limits import (
    ALIAS_FACTOR,
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    LimitError,
    parse_within,
    too_deep,
)


class LimitedLoader(yaml.SafeLoader):
    """``SafeLoader`` refusing data nested too deeply, alias bombs and self-containing data.

    :meth:`compose_node` is PyYAML's own (``yaml/composer.py``, 6.0) with the limits added, so
    a node costs no extra call; a node is measured only when an alias names it.
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0
        self._open: set[str] = set()  # anchors of the nodes being composed
        self._measured: dict[int, tuple[int, int]] = {}  # id(node) -> (nodes expanded, height)
        self._aliased = 0  # nodes the aliases of this document added
        self._composed = 0  # nodes of this document, not counting what aliases add

    def compose_document(self) -> Any:
        try:
            return super().compose_document()
        finally:
            self._measured = {}
            self._aliased = 0
            self._composed = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            event = self.get_event()  # type: ignore[no-untyped-call]  # untyped in the stubs
            anchor = event.anchor
            if anchor not in self.anchors:
                raise ComposerError(
                    None, None, f"found undefined alias {anchor!r}", event.start_mark
                )
            if anchor in self._open:
                raise LimitError(
                    f"holds an alias inside the node it names, at line {event.start_mark.line + 1} "
                    "(data that contains itself); templsync reads no such data"
                )
            node = self.anchors[anchor]
            self._count(node, event.start_mark.line + 1)
            return node
        event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in the stubs
        anchor = event.anchor
        if anchor is not None and anchor in self.anchors:
            raise ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                self.anchors[anchor].start_mark,
                "second occurrence",
                event.start_mark,
            )
        self._composed += 1
        self.descend_resolver(parent, index)
        if self.check_event(ScalarEvent):  # a leaf: no level of its own
            node = self.compose_scalar_node(anchor)
        else:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise too_deep(f"line {event.start_mark.line + 1}")
            if anchor is not None:
                self._open.add(anchor)
            if self.check_event(SequenceStartEvent):
                node = self.compose_sequence_node(anchor)
            elif self.check_event(MappingStartEvent):
                node = self.compose_mapping_node(anchor)
            self._open.discard(anchor)
            self._depth -= 1
        self.ascend_resolver()
        return node

    def _count(self, node: yaml.Node, line: int) -> None:
        """An alias of ``node`` met at ``line`` (counted from 1): within the limits?"""
        nodes, height = self._measure(node)
        self._aliased += nodes
        cap = max(MAX_ALIAS_NODES, ALIAS_FACTOR * self._composed)
        if self._aliased > cap:
            raise LimitError(
                f"expands its aliases into more than {cap:,} nodes, at line {line}; templsync "
                "reads no YAML whose anchors and aliases multiply its size (they may add "
                f"{MAX_ALIAS_NODES:,} nodes, or {ALIAS_FACTOR} times the file's own)"
            )
        if self._depth + height > MAX_DEPTH:
            raise too_deep(f"line {line}")

    def _measure(self, root: yaml.Node) -> tuple[int, int]:
        """The nodes ``root`` stands for with its aliases expanded, and how many levels of
        lists and mappings it nests (a scalar: none); walked with a stack, each node once (what
        an alias names is measured once)."""
        measured = self._measured
        stack: list[tuple[yaml.Node, bool]] = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if id(node) in measured:
                continue
            if isinstance(node, yaml.SequenceNode):
                children = node.value
            elif isinstance(node, yaml.MappingNode):
                children = [child for pair in node.value for child in pair]
            else:
                measured[id(node)] = (1, 0)
                continue
            if children_done:
                sizes = [measured[id(child)] for child in children]
                total = 1 + sum(n for n, _ in sizes)
                measured[id(node)] = (total, 1 + max((h for _, h in sizes), default=0))
            else:
                stack.append((node, True))
                stack.extend((child, False) for child in children if id(child) not in measured)
        return measured[id(root)]


def safe_load(data: bytes | str) -> Any:
    """``yaml.safe_load`` within the limits: :class:`~templsync._limits.LimitError` past one
    (the caller names the file), ``yaml.YAMLError`` for invalid YAML."""
    return parse_within(lambda: yaml.load(data, Loader=LimitedLoader), check=False)  # noqa: S506  # a SafeLoader


FAST_MAX_BYTES = 1 << 20
FAST_MAX_BRACKETS = 1000
"""libyaml composes by C recursion, with no limit of its own: ~20,000 nested levels crash the
process. A file of at most ``FAST_MAX_BYTES`` with at most ``FAST_MAX_BRACKETS`` flow brackets
nests at most ~1,400 levels (block indentation grows by a space a level at least) or ~1,000
(brackets): well within what it survives. Larger files go to :class:`LimitedLoader`."""


def fast_documents_ok(data: bytes) -> bool:
    """Whether libyaml may parse ``data`` at all (see :data:`FAST_MAX_BYTES`)."""
    return len(data) <= FAST_MAX_BYTES and data.count(b"[") + data.count(b"{") <= FAST_MAX_BRACKETS


def within_limits(documents: list[Any]) -> bool:
    """Whether values a parser without limits built (libyaml's) keep :class:`LimitedLoader`'s:
    nested at most ``MAX_DEPTH`` deep, holding no value inside itself, and with shared values
    (what aliases make) adding at most the nodes aliases may add. False means: parse again with
    :class:`LimitedLoader`, whose verdict (and message) is the one that counts."""
    for document in documents:
        measured: dict[int, tuple[int, int]] = {}  # id -> (nodes expanded, height)
        unique = 0
        stack: list[tuple[Any, bool]] = [(document, False)]
        open_ids: set[int] = set()
        while stack:
            value, children_done = stack.pop()
            key = id(value)
            if isinstance(value, dict):
                children: list[Any] = [*value.keys(), *value.values()]
            elif isinstance(value, list):
                children = value
            else:
                continue
            if children_done:
                open_ids.discard(key)
                total, height = 1, 0
                for child in children:
                    n, h = (
                        measured.get(id(child), (1, 0))
                        if isinstance(child, dict | list)
                        else (1, 0)
                    )
                    total += n
                    height = max(height, h)
                measured[key] = (total, height + 1)
                if height + 1 > MAX_DEPTH:
                    return False
                continue
            if key in measured:
                continue
            if key in open_ids:
                return False  # a value inside itself
            open_ids.add(key)
            unique += 1 + sum(1 for c in children if not isinstance(c, dict | list))
            stack.append((value, True))
            stack.extend((c, False) for c in children if isinstance(c, dict | list))
        if isinstance(document, dict | list):
            expanded = measured[id(document)][0]
            if expanded - unique > max(MAX_ALIAS_NODES, ALIAS_FACTOR * unique):
                return False
    return True


__all__ = [
    "MAX_DEPTH",
    "LimitError",
    "LimitedLoader",
    "fast_documents_ok",
    "safe_load",
    "within_limits",
]
