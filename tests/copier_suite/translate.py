"""templsync's errors and warnings as Copier's classes of the same name.

templsync names its refusals as Copier names the same ones (``templsync.errors``), so the table
is name for name: a templsync error is raised as the ``copier.errors`` class that has the name of
the nearest class in its MRO that Copier also has, from the templsync error; the two roots map
to each other (``UserError`` is ``UserMessageError``, ``TemplsyncError`` is ``CopierError``).

Where Copier lets a built-in or a Jinja exception through (a ``ValueError`` for a refused
answer, Jinja's ``UndefinedError``), the Copier class raised is combined with it: the built-in
bases of templsync's class (``QuestionError`` is a ``ValueError``, as Copier's refusals are) and
the Jinja exception templsync's error was raised from. Warnings go the same way: templsync gives
its warnings as Python warnings, and each is given again as the Copier warning class of the
same name, else as the built-in class Copier uses (a ``TemplateDeprecationWarning`` as a
``DeprecationWarning``, a ``TemplateFutureWarning`` as a ``FutureWarning``).
"""

from __future__ import annotations

import builtins
import inspect
import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

import jinja2
from copier import errors as copier

from templsync import errors as templsync

ROOTS = {"UserError": "UserMessageError", "TemplsyncError": "CopierError"}
"""The two names that differ: templsync's roots and Copier's."""


def _classes(module: ModuleType, base: type[BaseException | Warning]) -> dict[str, type]:
    return {
        name: value
        for name, value in vars(module).items()
        if inspect.isclass(value) and issubclass(value, base)
    }


COPIER_ERRORS = _classes(copier, BaseException)


def table() -> dict[str, str]:
    """templsync's error and warning class names -> Copier's: the same name, or the roots."""
    ours = _classes(templsync, BaseException)
    return {name: ROOTS.get(name, name) for name in ours if ROOTS.get(name, name) in COPIER_ERRORS}


def copier_class(cls: type[BaseException]) -> type[BaseException]:
    """The Copier class an error of templsync's class ``cls`` is raised as."""
    names = table()
    for base in cls.__mro__:
        if base.__module__.startswith("templsync") and base.__name__ in names:
            return COPIER_ERRORS[names[base.__name__]]
    return COPIER_ERRORS["CopierError"]


_COMBINED: dict[tuple[type[BaseException], ...], type[BaseException]] = {}


def _combined(
    named: type[BaseException], extras: tuple[type[BaseException], ...]
) -> type[BaseException]:
    """Copier's class ``named``, also of the classes ``extras`` (made once, then reused)."""
    if not extras:
        return named
    key = (named, *extras)
    if key not in _COMBINED:
        try:
            made = type(named.__name__, key, {"__module__": named.__module__})
        except TypeError:  # bases whose layouts cannot be combined: Copier's class alone
            made = named
        _COMBINED[key] = made
    return _COMBINED[key]


def _extras(error: BaseException, named: type[BaseException]) -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = [
        base
        for base in type(error).__mro__
        if base.__module__ == builtins.__name__
        and base not in (BaseException, Exception, object)
        and not issubclass(named, base)
    ]
    cause = error.__cause__
    if isinstance(cause, jinja2.TemplateError) and not issubclass(named, type(cause)):
        found.insert(0, type(cause))
    # The most derived only: KeyError, not also LookupError.
    kept = [b for b in found if not any(o is not b and issubclass(o, b) for o in found)]
    return tuple(dict.fromkeys(kept))


def to_copier(error: templsync.TemplsyncError) -> BaseException:
    """``error`` as Copier would raise it: see the module's documentation."""
    named = copier_class(type(error))
    cls = _combined(named, _extras(error, named))
    message = str(error)
    # Copier's classes take their own arguments (paths, features, a process): made bare, then
    # given templsync's message.
    translated = cls.__new__(cls)
    BaseException.__init__(translated, message)
    if not isinstance(getattr(cls, "message", None), property):  # Jinja's errors derive it
        translated.message = message  # type: ignore[attr-defined]  # UserMessageError's str
    if isinstance(translated, subprocess.CalledProcessError):  # Copier's TaskError
        translated.cmd = getattr(error, "command", "")
        translated.returncode = getattr(error, "returncode", 1)
        translated.output = getattr(error, "stdout", None)
        translated.stderr = getattr(error, "stderr", None)
    return translated


@contextmanager
def copier_errors() -> Iterator[None]:
    """Raise templsync's errors inside the block as Copier's (``raise ... from`` the original)."""
    try:
        yield
    except templsync.TemplsyncError as error:
        raise to_copier(error) from error


def copier_warning_class(cls: type[Warning]) -> type[Warning]:
    """The class a templsync warning of class ``cls`` is given again as: Copier's class of the
    nearest name Copier also has, else its nearest built-in class that says more than
    ``UserWarning`` (a ``TemplateDeprecationWarning`` is Copier's ``DeprecationWarning``), else
    ``UserWarning``."""
    for base in cls.__mro__:
        named = COPIER_ERRORS.get(base.__name__)
        if base.__module__.startswith("templsync") and named and issubclass(named, Warning):
            return named
    for base in cls.__mro__:
        builtin = base.__module__ == builtins.__name__
        if builtin and base not in _PLAIN and issubclass(base, Warning):
            return base
    return UserWarning


_PLAIN = (UserWarning, Warning, Exception, BaseException, object)


@contextmanager
def copier_warnings() -> Iterator[None]:
    """templsync's warnings given in the block, given again as Copier's classes
    (:func:`copier_warning_class`) when it ends, done or failed; other warnings as they were."""
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as recording:
            warnings.simplefilter("always")
            caught = recording
            yield
    finally:
        for given in caught:
            message = given.message
            if isinstance(message, templsync.TemplsyncWarning):
                cls = copier_warning_class(type(message))
                warnings.warn_explicit(str(message), cls, given.filename, given.lineno)
            else:
                warnings.warn_explicit(message, given.category, given.filename, given.lineno)
