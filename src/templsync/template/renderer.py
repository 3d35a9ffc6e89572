"""Rendering with a template's environment: strings and files, their text counted as it is made.

:class:`JinjaRenderer` renders through the environment :func:`~templsync.template.jinja.
make_environment` builds, each source compiled once. The rules it keeps:

- A render streams: its chunks are counted against the render's limits as they come
  (:mod:`templsync.template.limits`), so one that grows past the text limit stops while it
  grows; a ``{% yield %}`` tag's values are counted against the files limit as they are read.
- Every error names where it happened: the template file (or path name, or string) and, where
  Jinja's traceback knows it, the line. Jinja's errors become :class:`TemplateRenderError`; an
  error the template's own code raises (``range(10**9)``, a macro calling itself forever,
  ``1 / 0``) too; a render stopped on purpose (a limit, a refused filter) keeps its type and
  gains the place. Jinja compiling a template into Python that does not compile (a Jinja bug
  Copier meets too) is a :class:`TemplateRenderError` naming the template.
- Template strings (question defaults, validators, path names, task commands) keep their
  compiled code in the environment's bytecode cache, as template files do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from types import TracebackType

import jinja2
from jinja2.ext import Extension

from templsync.errors import TemplsyncError, YieldTagInFileError
from templsync.template.jinja import TemplateRenderError, YieldExtension
from templsync.template.limits import RenderStopped
from templsync.template.sandbox import GuardedSandbox

__all__ = ["JinjaRenderer", "Yielded"]


@dataclasses.dataclass(frozen=True)
class Yielded:
    """What a ``{% yield name from iterable %}`` tag recorded while a string rendered."""

    name: str
    values: tuple[object, ...]


@dataclasses.dataclass(frozen=True)
class JinjaRenderer:
    """Renders strings and template files with one environment, compiling each source once.

    ``render`` is the string renderer questions and settings use; ``render_file`` renders a
    template file the environment's loader serves (by its path in the template).
    """

    env: GuardedSandbox
    _strings: dict[str, jinja2.Template] = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _markers: tuple[str, ...] | None = dataclasses.field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_markers", _plain_text_markers(self.env))

    def render(self, source: str, context: Mapping[str, object]) -> str:
        """Render the template string ``source`` with ``context``."""
        return self.render_yielding(source, context)[0]

    def render_yielding(
        self, source: str, context: Mapping[str, object], *, name: str = "<string>"
    ) -> tuple[str, Yielded | None]:
        """Render ``source``; also return what a ``{% yield %}`` tag in it recorded."""
        markers = self._markers
        if markers is not None and not any(m in source for m in markers):
            return source, None  # no Jinja syntax: it renders as itself (most path names)
        ext = self._yield_extension()
        ext.reset()

        def compiled() -> jinja2.Template:
            template = self._strings.get(source)
            if template is None:
                template = self._strings[source] = _from_string(self.env, source)
            return template

        text = self._run(compiled, context, name, "<template>", source)
        if ext.yield_name is None:
            return text, None
        return text, Yielded(ext.yield_name, self._yielded(ext.yield_iterable or (), name))

    def render_file(self, path: str, context: Mapping[str, object]) -> str:
        """Render the template file at ``path``; a ``{% yield %}`` tag in a file is an error."""
        ext = self._yield_extension()
        ext.reset()
        text = self._run(partial(self.env.get_template, path), context, path, path)
        if ext.yield_name is not None:
            raise YieldTagInFileError(
                f"{path}: a yield tag is allowed in path names only, not in a file's content."
            )
        return text

    def _run(
        self,
        compiled: Callable[[], jinja2.Template],
        context: Mapping[str, object],
        name: str,
        source: str,
        text: str | None = None,
    ) -> str:
        """Compile and render, counting the text as it is made (see the module's doc).

        ``name`` is the template's (a file's path), ``source`` its code's file name and ``text``
        a string template's source, for messages.
        """
        meter = self.env.meter
        meter.start()
        try:
            template = compiled()
            room = meter.room()
            made = 0
            parts = []
            try:  # Template.generate's loop, without its generator around each chunk
                for chunk in template.root_render_func(template.new_context(dict(context))):
                    made += len(chunk)
                    if made > room:
                        meter.add_output(made)  # raises: past the limit
                    parts.append(chunk)
            except Exception:
                self.env.handle_exception()  # Jinja's: template lines in the traceback
            meter.add_output(made)
            return "".join(parts)
        except RenderStopped as err:
            at = _Named(name, source, text)
            located = err.at(at.where(_template_line(err, at)))
            if located is err:
                raise
            raise located from err
        except jinja2.TemplateError as err:
            raise _translate(err, name, source=source) from err
        except TemplsyncError:
            raise
        except SyntaxError as err:
            raise _miscompiled(err, name) from err
        except Exception as err:
            # What a template computes can fail like any Python code (``range(10**9)`` in the
            # sandbox, a macro calling itself forever, ``1 / 0``): raised while the template's
            # code runs, it is the template's error.
            line = _template_line(err, _Named(name, source))
            if line is None:
                raise
            raise TemplateRenderError(name, line, f"{type(err).__name__}: {err}") from err
        finally:
            meter.stop()

    def _yielded(self, values: Iterable[object], name: str) -> tuple[object, ...]:
        """A yield tag's values, no more than the render may make paths."""
        meter = self.env.meter
        kept = []
        for value in values:
            kept.append(value)
            if len(kept) > meter.max_files:
                error = meter.too_many_files(
                    f"yields more than {meter.max_files:,} names, each a file or folder"
                )
                raise error.at(_Named(name, "<template>").where(None))
        return tuple(kept)

    def _yield_extension(self) -> YieldExtension:
        ext = self.env.extensions[YieldExtension.identifier]
        assert isinstance(ext, YieldExtension)  # make_environment always adds it
        return ext


def _from_string(env: jinja2.Environment, source: str) -> jinja2.Template:
    """``env.from_string(source)``, with the compiled code kept in the environment's bytecode cache.

    Question defaults, validators, path names and task commands are strings, compiled on every
    run without it; through the cache (on disk between runs) they compile once, as files do. The
    entry is found by the source's checksum (:meth:`jinja2.BytecodeCache.get_bucket`).
    """
    cache = env.bytecode_cache
    if cache is None:
        return env.from_string(source)
    bucket = cache.get_bucket(env, "<string>", None, source)
    if bucket.code is None:
        bucket.code = env.compile(source)
        cache.set_bucket(bucket)
    return env.template_class.from_code(env, bucket.code, env.make_globals(None), None)


def _plain_text_markers(env: jinja2.Environment) -> tuple[str, ...] | None:
    """Strings without any of these render as themselves; None when that cannot be known.

    It cannot be known when an extension rewrites sources or token streams.
    """
    base = Extension
    for ext in env.extensions.values():
        kind = type(ext)
        if kind.preprocess is not base.preprocess or kind.filter_stream is not base.filter_stream:
            return None
    markers = [env.block_start_string, env.variable_start_string, env.comment_start_string]
    markers += [m for m in (env.line_statement_prefix, env.line_comment_prefix) if m]
    return (*markers, "\n", "\r")


@dataclasses.dataclass(frozen=True)
class _Named:
    """What is rendering, for messages: its name, its code's file name, a string's text."""

    name: str
    source: str
    text: str | None = None

    def where(self, line: int | None) -> str:
        if self.name.startswith("path "):
            shown = f"the path name {self.name.removeprefix('path ')!r}"
        elif self.text is not None:
            text = self.text if len(self.text) <= 60 else self.text[:57] + "..."
            shown = f"the template string {text!r}"
        else:
            shown = f"the template file {self.name!r}"
        return shown if line is None else f"{shown} (line {line})"


def _template_line(err: BaseException, at: _Named) -> int | None:
    """The line of the template ``at`` where ``err`` was raised, when Jinja's traceback says."""
    line = None
    tb: TracebackType | None = err.__traceback__
    while tb is not None:
        # Jinja rewrites tracebacks so that template frames carry the template's name and line.
        if tb.tb_frame.f_code.co_filename in (at.source, at.name):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _miscompiled(err: SyntaxError, name: str) -> TemplateRenderError:
    """Jinja turned a template into Python that does not compile (a Jinja bug, e.g. an inline
    ``if`` without ``else`` in a template whose name holds a quote); Copier fails the same way."""
    return TemplateRenderError(
        name,
        None,
        f"Jinja could not compile it ({err.msg}; a Jinja bug, which Copier meets too). "
        "Rewrite the expression, e.g. give an inline `if` an `else ''`",
    )


def _translate(err: jinja2.TemplateError, name: str, *, source: str) -> TemplateRenderError:
    """A Jinja error as a message naming the template and, where Jinja knows it, the line."""
    if isinstance(err, jinja2.TemplateSyntaxError):
        shown = err.name if err.name and err.name != source else name
        return TemplateRenderError(shown, err.lineno, err.message or "syntax error")
    line = _template_line(err, _Named(name, source))
    if isinstance(err, jinja2.TemplateNotFound):
        return TemplateRenderError(name, line, f"no template file {err.name!r} to include")
    return TemplateRenderError(name, line, str(err.message or err))
