"""A template's ``_jinja_extensions`` loaded into its Jinja environment, one entry at a time.

The rules this module keeps:

- Entries load in their order, after Copier's defaults, each through
  ``jinja2.environment.import_string`` as Jinja (and so Copier) loads them. That is how
  ``copier_template_extensions.TemplateExtensionLoader`` works: while it is loaded it replaces
  that function, so the entries after it may name a file of the template
  (``extensions/context.py:ContextUpdater``), which it imports from the loader's ``searchpath``:
  the template version's folder on disk (see :class:`~templsync.template.jinja.TreeLoader`).
- That replacement is process-wide. Loading holds one lock and starts from, and puts back,
  Jinja's own function, so two environments built at once (a fleet's threads) never resolve one
  template's file entries against the other's folder, and a later environment never goes
  through a loader left behind by an earlier one.
- A template's module file is executed afresh for each environment (the loader does not look in
  ``sys.modules`` first), so the two versions an update renders each run their own code.
- Every failure names the entry. Only a module that is not installed says to install it; a file
  entry the template does not have, a name its module lacks, and an error raised while the
  extension's module runs or while the extension starts each say so, with the file and line.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TypeVar

import jinja2
import jinja2.environment
import jinja2.utils

from templsync._core.tree import Tree
from templsync.errors import ExtensionNotFoundError, InvalidPathError, UserError

_E = TypeVar("_E", bound=BaseException)
_LOADING = threading.Lock()
# The module-level name Jinja's ``load_extensions`` calls, which the template loader replaces.
# (Reached by name: jinja2.environment imports it without re-exporting it.)
_IMPORT_STRING = "import_string"
_TEMPLATE_LOADER = "copier_template_extensions.TemplateExtensionLoader"
_REPORT = "The error is in the extension's code: report it to the template's maintainers."


class ExtensionLoadError(ExtensionNotFoundError):
    """One ``_jinja_extensions`` entry could not be imported or started (Copier's
    ``ExtensionNotFoundError``)."""

    def __init__(self, entry: str, problem: str) -> None:
        self.entry = entry
        super().__init__(
            f"cannot load the Jinja extension {entry!r} (`_jinja_extensions`): {problem}"
        )


def load_extensions(
    env: jinja2.Environment,
    entries: Sequence[str],
    files: Tree,
    shown: Callable[[str], str] = str,
) -> None:
    """Add ``entries`` to ``env`` in order (see the module's documentation).

    ``files`` are the template's files (to check file entries), ``shown`` turns a file name
    from a traceback into the name a message shows (relative to the template, where it can).
    Raises :class:`ExtensionLoadError`; a :class:`UserError` raised while the template's folder
    is made passes through as it is.
    """
    with _LOADING:
        saved = _import_function()
        setattr(jinja2.environment, _IMPORT_STRING, jinja2.utils.import_string)
        try:
            for entry in entries:
                _check_file_entry(entry, files)
                _start(env, entry, _import(entry, shown), shown)
        finally:
            setattr(jinja2.environment, _IMPORT_STRING, saved)


def _import_function() -> Callable[[str], object]:
    """The function Jinja loads an extension entry with, as it is now."""
    found: Callable[[str], object] = getattr(jinja2.environment, _IMPORT_STRING)
    return found


def _split(entry: str) -> tuple[str, str]:
    """``(module, name)`` as ``import_string`` splits an entry."""
    if ":" in entry:
        module, name = entry.split(":", 1)
        return module, name
    module, _, name = entry.rpartition(".")
    return module, name


def _file_of(entry: str) -> str | None:
    """The template file an entry names (``path/to/module.py:Name``), or None for a module."""
    module, _ = _split(entry)
    if ":" not in entry or not (module.endswith(".py") or "/" in module):
        return None
    return module


def _check_file_entry(entry: str, files: Tree) -> None:
    path = _file_of(entry)
    if path is None:
        return
    if _import_function() is jinja2.utils.import_string:
        raise ExtensionLoadError(
            entry,
            f"it names the template's file {path!r}, and such entries are loaded by "
            f"{_TEMPLATE_LOADER}. List that extension before this entry in `_jinja_extensions`.",
        )
    try:
        found = files.get(path.removeprefix("./"))
    except InvalidPathError:
        found = None
    if found is None:
        raise ExtensionLoadError(
            entry,
            f"the template has no file {path!r}. The path is relative to the template's top "
            "folder; check it in `_jinja_extensions`.",
        )


def _import(entry: str, shown: Callable[[str], str]) -> object:
    try:
        return _import_function()(entry)
    except UserError:
        raise
    except Exception as err:  # whatever the extension's module raises, said with the entry
        raise _import_error(entry, err, shown) from err


def _start(env: jinja2.Environment, entry: str, found: object, shown: Callable[[str], str]) -> None:
    if not isinstance(found, type) or not hasattr(found, "identifier"):
        raise ExtensionLoadError(
            entry,
            f"it names {found!r}, which is not a Jinja extension class (jinja2.ext.Extension).",
        )
    try:
        env.add_extension(found)
    except UserError:
        raise
    except Exception as err:  # whatever the extension raises when it starts, said with the entry
        cause = _innermost(err)
        raise ExtensionLoadError(
            entry, f"it failed when it started: {_described(cause, shown)}. {_REPORT}"
        ) from err


def _import_error(entry: str, err: Exception, shown: Callable[[str], str]) -> ExtensionLoadError:
    module, name = _split(entry)
    missing = _cause_of_type(err, ModuleNotFoundError)
    if missing is not None and missing.name:
        if module == missing.name or module.startswith(missing.name + "."):
            return ExtensionLoadError(
                entry,
                f"the Python module {missing.name!r} is not installed ({missing}). Install it "
                "alongside templsync (in the same Python environment), then run again.",
            )
        return ExtensionLoadError(
            entry,
            f"it imports the Python module {missing.name!r}, which is not installed "
            f"({_where(missing, shown)}). Install it alongside templsync (in the same Python "
            "environment), then run again.",
        )
    absent = _cause_of_type(err, AttributeError)
    if absent is not None and isinstance(absent.obj, ModuleType) and absent.name == name:
        file = getattr(absent.obj, "__file__", None)
        where = f" ({shown(file)})" if file else ""
        return ExtensionLoadError(
            entry, f"the module {absent.obj.__name__!r}{where} has no {name!r}. Check the entry."
        )
    cause = _innermost(err)
    return ExtensionLoadError(
        entry, f"its module failed to load: {_described(cause, shown)}. {_REPORT}"
    )


def _cause_of_type(err: BaseException, kind: type[_E]) -> _E | None:
    """The first exception of ``kind`` along ``err``'s chain of explicit causes."""
    current: BaseException | None = err
    while current is not None:
        if isinstance(current, kind):
            return current
        current = current.__cause__
    return None


def _innermost(err: BaseException) -> BaseException:
    while err.__cause__ is not None:
        err = err.__cause__
    return err


def _described(err: BaseException, shown: Callable[[str], str]) -> str:
    where = _where(err, shown)
    message = err.msg if isinstance(err, SyntaxError) else str(err)
    text = f"{type(err).__name__}: {message}"
    return f"{text} ({where})" if where else text


def _where(err: BaseException, shown: Callable[[str], str]) -> str:
    """The file and line an exception was raised at (the deepest frame of Python code)."""
    if isinstance(err, SyntaxError) and err.filename:
        return f"{shown(err.filename)}, line {err.lineno}"
    found = ""
    frame = err.__traceback__
    while frame is not None:
        filename = frame.tb_frame.f_code.co_filename
        if not filename.startswith("<"):  # importlib's frozen frames are not the extension's
            found = f"{shown(filename)}, line {frame.tb_lineno}"
        frame = frame.tb_next
    return found
