"""How long work reports how far it got: a callable the CLI passes in (a progress bar) and the
library calls as ``progress(stage, done, total)``. The library never prints."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]
"""Called as ``(stage, done, total)``: ``stage`` names the part of the work (each command lists
its stages), ``done`` of ``total`` items of it are finished."""


def no_progress(_stage: str, _done: int, _total: int) -> None:
    """The default: nobody is watching."""
