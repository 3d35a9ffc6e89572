"""How templsync gives a warning: as a Python warning, and to the result of the operation.

A warning is an instance of a class of :mod:`templsync.errors` (``DirtyLocalWarning``,
``OldTemplateWarning`` ... as Copier names them; all :class:`~templsync.errors.TemplsyncWarning`).
:func:`give` is the one way to give one, at the place where it arises:

- it is a Python warning (``warnings.warn``), so a caller of the API handles it as it handles
  Copier's: filters, ``pytest.warns``, ``-W error``;
- it is also appended to every :func:`recorded` block around the call, whatever the warning
  filters say, so an operation (copy, update, recopy) returns the warnings it gave in its
  result (``result.warnings``), once each, in order.

The recording blocks are kept in a :class:`~contextvars.ContextVar`: the warning filters of the
process are never changed, and an operation running on another thread records its own.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from templsync.errors import TemplsyncWarning

__all__ = ["give", "recorded", "unique"]

_RECORDING: ContextVar[tuple[list[TemplsyncWarning], ...]] = ContextVar(
    "templsync_recording", default=()
)


def give(warning: TemplsyncWarning, *, stacklevel: int = 1) -> None:
    """Give ``warning`` to the recording blocks around this call, and as a Python warning.

    ``stacklevel`` is ``warnings.warn``'s, counted from the caller of :func:`give`.
    """
    for found in _RECORDING.get():
        found.append(warning)
    warnings.warn(warning, stacklevel=stacklevel + 1)


@contextmanager
def recorded() -> Iterator[list[TemplsyncWarning]]:
    """The warnings given inside the block, in the order given (duplicates included: see
    :func:`unique`)."""
    found: list[TemplsyncWarning] = []
    token = _RECORDING.set((*_RECORDING.get(), found))
    try:
        yield found
    finally:
        _RECORDING.reset(token)


def unique(found: Iterable[TemplsyncWarning]) -> tuple[TemplsyncWarning, ...]:
    """``found`` once each: the first of each class and message, in order."""
    seen: dict[tuple[type[TemplsyncWarning], str], TemplsyncWarning] = {}
    for warning in found:
        seen.setdefault((type(warning), str(warning)), warning)
    return tuple(seen.values())
