"""The sandbox every template renders in: what a template may reach, and how much it may make.

The rules this module keeps:

- Every template renders in Jinja's :class:`~jinja2.sandbox.SandboxedEnvironment`, trusted or
  not, as in Copier: no attribute starting with ``_``, no internals of functions, generators
  or frames, ``str.format`` sandboxed, ``range`` capped at 100,000 items; and, as Copier adds,
  no ``PurePath.parser`` (a module).
- An untrusted template may not read this machine: the filters that read its files
  (``fileglob``, ``realpath``), its environment (``expandvars``, ``expanduser``) or its working
  folder (``relpath`` with a relative path) raise :class:`HostAccessError` when the template
  calls them, naming the filter and ``--trust``. A template that does not call them is not
  affected. With trust they work as in Copier. (``docs/sandbox.md`` lists every filter, test
  and global and why each is allowed or refused.)
- Every template's render is metered (:mod:`templsync.template.limits`): its output is counted
  as it is made, including the blocks a macro, ``{% set %}`` or ``{% filter %}`` collects;
  ``*``, ``%``, ``+``, ``**``, ``~``, calls and filters check the size of what they make
  (:mod:`templsync.template.sizes`), before they run when it can be known from their inputs;
  every loop iteration, call and filter checks the time.
- Filters whose result changes from run to run (the time, random numbers) run when the
  template renders, never when it compiles: a compiled template is kept between runs.
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from pathlib import PurePath
from types import TracebackType
from typing import Any, NoReturn

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from templsync.template.limits import Meter, RenderLimits, RenderStopped
from templsync.template.sizes import (
    CONTAINERS,
    ITEM,
    MAX_DIGITS,
    binop_size,
    call_size,
    digits,
    filter_estimate,
    text_size,
)

__all__ = [
    "CODE_VERSION",
    "GuardedSandbox",
    "HostAccessError",
    "guard_filters",
    "refuse_host_access",
]

CODE_VERSION = "guarded-2"
"""Changes when the code templates compile to changes (it keys the compiled-template cache)."""

HOST_FILTERS: Mapping[str, str] = {
    "fileglob": "reads this machine's files",
    "realpath": "reads this machine's files (it follows their links)",
    "expanduser": "reads this machine's home folders",
    "expandvars": "reads this machine's environment variables",
    "relpath": "reads this machine's working folder (given a relative path)",
}
"""The filters an untrusted template may not call, and what each reads."""

RENDER_TIME = frozenset({"strftime", "ans_random", "shuffle", "random_mac"})
"""Filters whose result changes from run to run: never evaluated when a template compiles."""


class HostAccessError(RenderStopped):
    """An untrusted template called a filter that reads this machine."""

    def __init__(self, name: str) -> None:
        self.filter = name
        super().__init__(
            f"uses the filter `{name}`, which {HOST_FILTERS[name]}; untrusted templates may not",
            "If you trust this template, run again with `--trust`.",
        )


class GuardedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with the meter's checks where a template can grow or loop.

    Loops iterate through :meth:`GuardedSandbox.guard_iter` (held in a temporary name); block
    buffers are
    :meth:`GuardedSandbox.output_buffer`; each output expression and each ``~`` is measured
    before it turns into text.
    """

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        name = self.temporary_identifier()
        self.writeline(f"{name} = environment.guard_iter(", node)
        self.visit(node.iter, frame)
        self.write(")")
        guarded = copy.copy(node)
        guarded.iter = _internal_name(name, node.iter.lineno)
        super().visit_For(guarded, frame)

    def buffer(self, frame: Frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.output_buffer()")

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if isinstance(node, nodes.Filter | nodes.Call):  # their results are measured already
            super()._output_child_pre(node, frame, finalize)
            return
        if self._plain_output(frame, finalize):
            self.write("environment.output_text(")  # str(), measuring a container first
            return
        super()._output_child_pre(node, frame, finalize)
        self.write("environment.checked_output(")

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if isinstance(node, nodes.Filter | nodes.Call):
            super()._output_child_post(node, frame, finalize)
            return
        self.write(")")
        if not self._plain_output(frame, finalize):
            super()._output_child_post(node, frame, finalize)

    @staticmethod
    def _plain_output(frame: Frame, finalize: Any) -> bool:
        """Whether Jinja would output with a bare ``str(...)`` (no autoescape, no finalize)."""
        eval_ctx = frame.eval_ctx
        return not eval_ctx.volatile and not eval_ctx.autoescape and finalize.src is None

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"{func_name}(environment.checked_parts((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(")))")


def _internal_name(name: str, lineno: int) -> nodes.InternalName:
    """A node naming a variable of the compiled code, made as Jinja's parser makes them
    (``Parser.free_identifier``: the class refuses to be made otherwise)."""
    node = object.__new__(nodes.InternalName)
    nodes.Node.__init__(node, name, lineno=lineno)
    return node


class _OutputBuffer(list[str]):
    """The text a block collects (a macro, ``{% set %}``, ``{% filter %}``), measured as it
    grows."""

    __slots__ = ("_meter", "_size")

    def __init__(self, meter: Meter) -> None:
        super().__init__()
        self._meter = meter
        self._size = 0

    def append(self, text: str) -> None:
        self._grow(len(text))
        super().append(text)

    def extend(self, texts: Iterable[str]) -> None:
        texts = tuple(texts)
        self._grow(sum(map(len, texts)))
        super().extend(texts)

    def _grow(self, size: int) -> None:
        self._size += size
        if self._size > self._meter.max_bytes:
            self._meter.check_value(self._size, "in a block")


class GuardedSandbox(SandboxedEnvironment):
    """Jinja's sandbox with Copier's extra rule and the meter's checks (see the module's doc).

    ``meter`` is the render's :class:`~templsync.template.limits.Meter`; overlays share it.
    """

    code_generator_class = GuardedCodeGenerator
    intercepted_binops = frozenset({"*", "%", "+", "**"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meter = Meter(RenderLimits(), trusted=False)

    def overlaid(self, **options: Any) -> GuardedSandbox:
        """:meth:`overlay`, typed: an overlay shares this environment's meter and filters."""
        env = self.overlay(**options)
        assert isinstance(env, GuardedSandbox)  # overlay() makes an object of this class
        return env

    def handle_exception(self, source: str | None = None) -> NoReturn:
        """Jinja's, for an error raised between two lines of a template's code too (a timer
        going off): Jinja maps every frame of the traceback to a template line, and fails on a
        frame without one, so such a frame is given its function's first line."""
        error = sys.exc_info()[1]
        if error is not None and error.__traceback__ is not None:
            error.with_traceback(_numbered(error.__traceback__))
        super().handle_exception(source)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:  # Jinja's signature
        if isinstance(obj, PurePath) and attr == "parser":
            return False
        return super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        numbers = type(left) in _NUMBERS and type(right) in _NUMBERS
        if numbers and (
            operator in _CHEAP or (operator == "*" and max(abs(left), abs(right)) < _SMALL)
        ):
            return self.binop_table[operator](left, right)  # a number's size: not worth a look
        meter = self.meter
        number = digits(operator, left, right)
        if number is not None and number > MAX_DIGITS:
            raise RenderStopped(
                f"computes a number of about {number:,} digits with `{operator}`; the sandbox "
                f"allows numbers of up to {MAX_DIGITS:,} digits",
                "Compute a smaller number.",
            )
        size = binop_size(operator, left, right, meter.max_bytes)
        if size is not None:
            meter.check_value(size, f"with `{operator}`")
        return self.binop_table[operator](left, right)

    def call(
        __self,  # Jinja's signature: a keyword argument may be named "self"
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        meter = __self.meter
        meter.tick()
        owner = getattr(__obj, "__self__", None)
        joined = isinstance(owner, str) and __obj.__name__ == "join"
        if joined and args and not isinstance(args[0], Sized):
            args = (list(args[0]), *args[1:])  # measured before the join, not after
        size = call_size(__obj, args, kwargs, meter.max_bytes)
        if size is not None:
            meter.check_value(size, f"with `{getattr(__obj, '__name__', 'a call')}`")
        result = super().call(__context, __obj, *args, **kwargs)
        meter.check_value(text_size(result, meter.max_bytes), "with a call")
        if isinstance(owner, list | dict | set):  # append, extend, update, ... grow it in place
            meter.check_value(ITEM * len(owner), f"with `{__obj.__name__}`")
        return result

    def guard_iter(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """``iterable``, the render's time checked every few items."""
        tick = self.meter.tick
        for count, item in enumerate(iterable):
            if not count & 7:
                tick()
            yield item

    def output_buffer(self) -> list[str]:
        return _OutputBuffer(self.meter)

    def output_text(self, value: Any) -> str:
        """``str(value)``, a container measured first (the text of an output expression)."""
        if isinstance(value, CONTAINERS):
            self.meter.check_value(text_size(value, self.meter.max_bytes), "to output")
        return str(value)

    def checked_output(self, value: Any) -> Any:
        """``value`` about to be output: a container is measured before it turns into text."""
        if isinstance(value, CONTAINERS):
            self.meter.check_value(text_size(value, self.meter.max_bytes), "to output")
        return value

    def checked_parts(self, parts: tuple[Any, ...]) -> tuple[Any, ...]:
        """The parts of a ``~`` joined into text, measured before they are."""
        meter = self.meter
        cap = meter.max_bytes
        size = sum(len(part) if type(part) is str else text_size(part, cap) for part in parts)
        meter.check_value(size, "with `~`")
        return parts


_NUMBERS = frozenset({int, float, bool})
_CHEAP = frozenset({"+", "%"})
"""Operators whose result, on two numbers, is about as large as the larger of them."""
_SMALL = 2**64
"""Two numbers smaller than this multiply into one of at most 39 digits."""


def _numbered(tb: TracebackType) -> TracebackType:
    """``tb``, each entry without a line number given its function's first line."""
    entries = []
    entry: TracebackType | None = tb
    while entry is not None:
        entries.append(entry)
        entry = entry.tb_next
    if all(e.tb_lineno is not None for e in entries):
        return tb
    rebuilt = None
    for e in reversed(entries):
        line = e.tb_lineno if e.tb_lineno is not None else e.tb_frame.f_code.co_firstlineno
        rebuilt = TracebackType(rebuilt, e.tb_frame, e.tb_lasti, line)
    assert rebuilt is not None  # tb has at least one entry
    return rebuilt


def refuse_host_access(env: jinja2.Environment) -> None:
    """Make the filters that read this machine raise :class:`HostAccessError` when called."""
    for name in HOST_FILTERS:
        func = env.filters.get(name)
        if func is not None:
            env.filters[name] = _relpath(func) if name == "relpath" else _refused(name)


def _refused(name: str) -> Callable[..., Any]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise HostAccessError(name)

    return refuse


def _relpath(func: Callable[..., Any]) -> Callable[..., Any]:
    """``relpath`` between absolute paths only (it reads the working folder otherwise)."""

    def relpath(path: Any, start: Any = os.curdir) -> Any:
        if not (PurePath(str(path)).is_absolute() and PurePath(str(start)).is_absolute()):
            raise HostAccessError("relpath")
        return func(path, start)

    return relpath


def guard_filters(env: GuardedSandbox) -> None:
    """Every filter of ``env`` measured and timed by its meter; the ones in
    :data:`RENDER_TIME` kept from running at compile time."""
    meter = env.meter
    for name, func in list(env.filters.items()):
        guarded = _guarded(name, func, meter)
        env.filters[name] = _at_render_time(guarded) if name in RENDER_TIME else guarded


def _guarded(name: str, func: Callable[..., Any], meter: Meter) -> Callable[..., Any]:
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0
    how = f"with the filter `{name}`"
    estimate = filter_estimate(name)
    materialize = name == "join"  # measured before the join, not after

    def run(*args: Any, **kwargs: Any) -> Any:
        if estimate is not None:
            value = args[skip]
            if materialize and not isinstance(value, Sized):
                value = list(value)
                args = (*args[:skip], value, *args[skip + 1 :])
            meter.check_value(estimate(value, args[skip + 1 :], kwargs, meter.max_bytes), how)
        result = func(*args, **kwargs)
        if not isinstance(result, str):  # a string's size is its length: checked in one step
            meter.check_value(text_size(result, meter.max_bytes), how)
        elif len(result) > meter.max_bytes:
            meter.check_value(len(result), how)
        return result

    run.__name__ = run.__qualname__ = name
    run.__wrapped__ = func  # type: ignore[attr-defined]  # as functools.update_wrapper sets it
    pass_arg = getattr(func, "jinja_pass_arg", None)
    if pass_arg is not None:
        run.jinja_pass_arg = pass_arg  # type: ignore[attr-defined]  # how Jinja marks filters
    return run


def _at_render_time(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` as a filter that takes the context, which Jinja never calls at compile time."""
    passed = getattr(func, "jinja_pass_arg", None)
    name = getattr(passed, "name", None)

    @jinja2.pass_context
    def run(context: Context, *args: Any, **kwargs: Any) -> Any:
        if name == "context":
            args = (context, *args)
        elif name == "eval_context":
            args = (context.eval_ctx, *args)
        elif name == "environment":
            args = (context.environment, *args)
        return func(*args, **kwargs)

    return run
