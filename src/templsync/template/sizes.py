"""How big a value a template makes is, or would be, before it is made.

The rules this module keeps:

- :func:`text_size` estimates the length of a value's text (``str(value)``): exact for strings,
  close for numbers, and for lists, tuples, sets and dicts the sum of their items' sizes, each
  container measured once however often it is referred to, so a list of ten lists of ten lists
  (Jinja's "billion laughs") is seen to be huge without being walked a billion times. Counting
  stops once past ``cap``: measuring never costs more than the value's own text.
- A list, set or dict that grows (``+``, ``append``, ``extend``, ``update``, ``| list``) counts
  :data:`ITEM` bytes an item, what it takes in memory, so a loop cannot fill memory with small
  items either. Numbers have at most :data:`MAX_DIGITS` digits (:func:`digits`).
- A container measured past ``cap`` measures :data:`~templsync.template.limits.PAST_CAP`.
- The operations that can make a value far larger than their inputs (``'x' * n``, ``'%999999s'
  % x``, ``s | center(n)``, ``s.replace('', t)``, ``lipsum(n)``, ...) have an estimate of their
  result from their inputs, so they are refused before they run. Everything else makes values
  at most a few times the size of its inputs, and is checked after it runs.
- Nothing here touches the values beyond reading them: no iterator is consumed, no lazy mapping
  is loaded (an unknown object counts as a short one).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence, Sized
from typing import Any

from jinja2.utils import Namespace

from templsync.template.limits import PAST_CAP

__all__ = [
    "CONTAINERS",
    "ITEM",
    "MAX_DIGITS",
    "binop_size",
    "call_size",
    "digits",
    "filter_estimate",
    "text_size",
]

_OTHER = 64
"""What an object of a type we do not look into counts (its ``repr`` is short)."""
ITEM = 64
"""What one item of a list, set or dict counts when a container grows: at least what it takes
in memory (a pointer, an entry, a small object)."""
MAX_DIGITS = 100_000
"""The most digits a number a template computes may have: a larger one takes seconds to
compute, in one step nothing can interrupt, and Python will not turn it into text anyway."""
_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")
_BACKREF = re.compile(r"\\(?:\d|g<)")
_NUMBER = re.compile(r"\d+")


CONTAINERS = (list, tuple, set, frozenset, dict, Namespace)
"""The values whose text :func:`text_size` measures item by item (the others are short)."""


def text_size(value: object, cap: int) -> int:
    """About ``len(str(value))``; :data:`PAST_CAP` for a container found larger than ``cap``."""
    if isinstance(value, str):
        return len(value)
    if not isinstance(value, CONTAINERS):
        return _Measure.scalar(value)
    return _Measure(cap).size(value)


def depth_and_size(value: object, cap: int) -> tuple[int, int]:
    """How deeply ``value``'s containers nest, and :func:`text_size`."""
    measure = _Measure(cap)
    size = measure.size(value)
    return measure.deepest, size


class _Measure:
    """One :func:`text_size` measurement: containers already measured, and how deep it went."""

    __slots__ = ("cap", "deepest", "known")

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.known: dict[int, int] = {}
        self.deepest = 0

    def size(self, value: object, depth: int = 0) -> int:
        if isinstance(value, str):
            return len(value)
        if isinstance(value, list | tuple | set | frozenset | dict):
            return self._container(value, depth)
        if isinstance(value, Namespace):
            attrs = value._Namespace__attrs  # its one field (Namespace hides the others)
            return 13 + self._container(attrs, depth)
        return self.scalar(value)

    @staticmethod
    def scalar(value: object) -> int:
        if isinstance(value, bytes | bytearray):
            return 4 * len(value) + 3  # b'...' with escapes
        if value is None or isinstance(value, bool | float):
            return 24
        if isinstance(value, int):
            return _digits(value) + 1
        return _OTHER

    def _container(self, value: Collection[object], depth: int) -> int:
        key = id(value)
        known = self.known.get(key)
        if known is not None:
            return known
        self.known[key] = 5  # a container inside itself shows as [...]
        self.deepest = max(self.deepest, depth + 1)
        total = 2
        parts: Iterable[object] = value
        if isinstance(value, dict):
            parts = (part for pair in value.items() for part in pair)
        for part in parts:
            if type(part) is str:  # the common items measured here, without a call
                total += len(part) + 4
            elif type(part) is int:
                total += part.bit_length() * 77 // 256 + 3
            elif part is None or type(part) is bool or type(part) is float:
                total += 26
            else:
                total += self.size(part, depth + 1) + 2
            if total > self.cap:
                total = PAST_CAP
                break
        self.known[key] = total
        return total


def digits(op: str, left: object, right: object) -> int | None:
    """About how many digits ``left op right`` has, when both are integers and ``op`` is one
    that makes a number with many more digits than its operands (``*``, ``**``)."""
    if not (isinstance(left, int) and isinstance(right, int)):
        return None
    if op == "*":
        return _digits(left) + _digits(right)
    if op == "**" and right > 0:
        return right * max(_digits(left) - 1, 1)
    return None


def _digits(number: int) -> int:
    return number.bit_length() * 77 // 256 + 1  # log10(2) = 77/256


def binop_size(op: str, left: object, right: object, cap: int) -> int | None:
    """The size of ``left op right`` when the operator can make it much larger than both."""
    if op == "*":
        if isinstance(left, int) and not isinstance(right, int):
            left, right = right, left
        if isinstance(right, bool) or not isinstance(right, int):
            return None
        if isinstance(left, str | bytes):
            return text_size(left, cap) * max(right, 0)
        if isinstance(left, list | tuple):
            return max(text_size(left, cap), ITEM * len(left)) * max(right, 0)
        return None
    if op == "%" and isinstance(left, str):
        return printf_size(left, right, cap)
    if op == "+":
        if isinstance(left, str) and isinstance(right, str):
            return len(left) + len(right)
        if isinstance(left, list | tuple) and isinstance(right, list | tuple):
            return ITEM * (len(left) + len(right))  # shallow: a loop that adds to a list is O(n)
    return None


def printf_size(fmt: str, args: object, cap: int) -> int:
    """The size of ``fmt % args``: the format, its fields' widths and precisions, the values."""
    size = len(fmt) + text_size(args, cap)
    for match in _PRINTF.finditer(fmt):
        for number in match.groups():
            if number is None:
                continue
            if number == "*":
                values = args if isinstance(args, tuple) else (args,)
                size += sum(abs(v) for v in values if isinstance(v, int))
            else:
                size += int(number)
    return size


def str_format_size(
    fmt: str, args: Sequence[object], kwargs: Mapping[str, object], cap: int
) -> int:
    """The size of ``fmt.format(*args, **kwargs)``: with the widths in its fields' specs."""
    size = len(fmt) + text_size(list(args), cap) + text_size(dict(kwargs), cap)
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return size  # the call fails the same way
    for _, _, spec, _ in fields:
        if not spec:
            continue
        size += sum(int(n) for n in _NUMBER.findall(spec))
        if "{" in spec:  # a nested field: its width is one of the arguments
            values = [*args, *kwargs.values()]
            size += sum(abs(v) for v in values if isinstance(v, int))
    return size


def _str(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _replace_size(text: str, old: object, new: object, count: object = None) -> int:
    old, new = _str(old), _str(new)
    found = len(text) + 1 if not old else text.count(old)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * max(len(new) - len(old), 0)


def _join_size(items: object, sep: object, cap: int) -> int | None:
    if not isinstance(items, Sized):
        return None  # an iterator: the caller lists it first
    return text_size(items, cap) + len(items) * len(_str(sep))


def _width(width: object) -> int:
    return width if isinstance(width, int) else len(_str(width))


def _center(value: object, width: object = 80, *_: object) -> int:
    return max(len(_str(value)), _width(width))


def _indent(value: object, width: object = 4, *_: object, **__: object) -> int:
    text = _str(value)
    return len(text) + (text.count("\n") + 1) * _width(width)


def _wordwrap(value: object, width: object = 79, *args: object, **kwargs: object) -> int:
    text = _str(value)
    wrap = kwargs.get("wrapstring", args[1] if len(args) > 1 else None) or "\n"
    lines = len(text) // max(width if isinstance(width, int) else 1, 1) + text.count("\n") + 1
    return len(text) + lines * len(_str(wrap))


def _regex_replace(value: object, pattern: object = "", replacement: object = "", *_: Any) -> int:
    text, repl = _str(value), _str(replacement)
    refs = len(_BACKREF.findall(repl))
    return len(text) + (len(text) + 1) * len(repl) + refs * len(text)


def _comment(value: object, style: object = "plain", **kw: object) -> int:
    """Ansible's ``comment``: every part is at most 4 characters unless given."""
    text = _str(value)
    newline = _str(kw.get("newline", "\n"))
    part = {k: len(_str(kw[k])) if k in kw else 4 for k in _COMMENT_PARTS}
    counts = [kw.get(k, 1) for k in ("prefix_count", "postfix_count")]
    prefix, postfix = (c if isinstance(c, int) else 1 for c in counts)
    lines = text.count(newline) + 1 if newline else 1
    return (
        len(text)
        + lines * (part["decoration"] + len(newline))
        + prefix * (part["prefix"] + len(newline))
        + postfix * (part["postfix"] + len(newline))
        + part["beginning"]
        + part["end"]
    )


_COMMENT_PARTS = ("beginning", "prefix", "decoration", "postfix", "end")


def _urlize(value: object, *args: object, **kwargs: object) -> int:
    text = _str(value)
    extra = sum(len(_str(kwargs.get(k) or "")) for k in ("target", "rel"))
    return 2 * len(text) + (len(text) // 2 + 1) * (extra + 48)


def _batch(value: object, linecount: object = 1, fill_with: object = None, cap: int = 0) -> int:
    if fill_with is None or not isinstance(linecount, int):
        return 0
    return linecount * (text_size(fill_with, cap) + 2)


def _slice(value: object, slices: object = 1, fill_with: object = None, cap: int = 0) -> int:
    if not isinstance(slices, int):
        return 0
    return slices * (4 + text_size(fill_with, cap)) + text_size(value, cap)


Estimate = Callable[[object, Sequence[object], Mapping[str, object], int], int]
"""How big a filter's result is: from its input, its arguments and the limit."""


def _json(default_indent: object) -> Estimate:
    """JSON of a value, indented (``indent``, first argument or keyword) or not."""

    def estimate(value: object, args: Sequence[object], kw: Mapping[str, object], cap: int) -> int:
        indent = kw.get("indent", args[0] if args else default_indent)
        if indent is None:
            return text_size(value, cap)
        depth, size = depth_and_size(value, cap)
        return size * (1 + _width(indent) * depth)

    return estimate


def _lipsum(*args: object, **kwargs: object) -> int:
    """Jinja's ``lipsum(n=5, html=True, min=20, max=100)``: ``n`` paragraphs of at most ``max``
    words (of at most 12 letters, with a comma or a full stop)."""
    named = dict(zip(("n", "html", "min", "max"), args, strict=False)) | kwargs
    n, words = named.get("n", 5), named.get("max", 100)
    if not isinstance(n, int) or not isinstance(words, int):
        return 0
    return n * (words * 16 + 16)


def _list(value: object, cap: int = 0) -> int:
    if isinstance(value, str):
        return (ITEM + 5) * len(value)
    if isinstance(value, Sized):
        return max(text_size(value, cap), ITEM * len(value))
    return 0


def _plain(estimate: Callable[..., int]) -> Estimate:
    return lambda value, args, kwargs, cap: estimate(value, *args, **kwargs)


def _measuring(estimate: Callable[..., int]) -> Estimate:
    return lambda value, args, kwargs, cap: estimate(value, *args, cap=cap, **kwargs)


def _input_text(value: object, args: Sequence[object], kw: Mapping[str, object], cap: int) -> int:
    return text_size(value, cap)


_ESTIMATES: Mapping[str, Estimate] = {
    "format": lambda v, a, k, cap: printf_size(_str(v), dict(k) if k else tuple(a), cap),
    "replace": lambda v, a, k, cap: _replace_size(_str(v), *a, **k),
    "join": lambda v, a, k, cap: _join_size(v, k.get("d", a[0] if a else ""), cap) or 0,
    "center": _plain(_center),
    "indent": _plain(_indent),
    "wordwrap": _plain(_wordwrap),
    "regex_replace": _plain(_regex_replace),
    "comment": _plain(_comment),
    "urlize": _plain(_urlize),
    "list": _measuring(_list),
    "batch": _measuring(_batch),
    "slice": _measuring(_slice),
    "to_json": _json(None),
    "to_nice_json": _json(4),
    "tojson": _json(None),
}
"""Filters whose result can be far larger than their inputs, and its size from the arguments."""
STRUCTURAL = frozenset(
    {
        "abs", "attr", "bool", "combine", "count", "d", "default", "dictsort", "extract",
        "first", "flatten", "float", "groupby", "ans_groupby", "int", "items", "last", "length",
        "map", "mandatory", "max", "min", "random", "ans_random", "reject", "rejectattr",
        "reverse", "round", "select", "selectattr", "shuffle", "sort", "subelements", "sum",
        "ternary", "type_debug", "unique",
    }
)  # fmt: skip
"""Filters that do not turn their input into text: their input is not measured first."""


def filter_estimate(name: str) -> Estimate | None:
    """How to size ``value | name(...)`` before it runs: for the filters that can make it much
    larger than their inputs, its result; for the other filters that make text of their input,
    that text; None for the filters that make no text of it."""
    estimate = _ESTIMATES.get(name)
    if estimate is not None:
        return estimate
    return None if name in STRUCTURAL else _input_text


def call_size(
    func: object, args: Sequence[object], kwargs: Mapping[str, object], cap: int
) -> int | None:
    """The size of ``func(*args, **kwargs)`` for the callables a template can reach that can
    make it much larger than their inputs (``str`` methods, ``lipsum``); else None."""
    if getattr(func, "__name__", None) == "generate_lorem_ipsum":
        return _lipsum(*args, **kwargs)
    func = getattr(func, "__wrapped__", func)  # the sandbox's wrapper of str.format
    owner = getattr(func, "__self__", None)
    name = getattr(func, "__name__", "")
    if isinstance(owner, str):
        if name in ("center", "ljust", "rjust", "zfill"):
            return _center(owner, *args[:1], **kwargs)
        if name == "expandtabs":
            tab = kwargs.get("tabsize", args[0] if args else 8)
            return len(owner) + owner.count("\t") * _width(tab)
        if name == "replace":
            return _replace_size(owner, *args, **kwargs)
        if name == "join" and args:
            return _join_size(args[0], owner, cap)
        if name == "format":
            return str_format_size(owner, args, kwargs, cap)
        if name == "format_map" and args and isinstance(args[0], Mapping):
            return str_format_size(owner, (), args[0], cap)
        if name == "translate" and args and isinstance(args[0], Mapping):
            longest = max((text_size(v, cap) for v in args[0].values()), default=1)
            return len(owner) * max(longest, 1)
    return None
