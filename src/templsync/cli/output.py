"""Where the CLI prints: results to stdout, messages and errors to stderr.

rich costs about 50 ms to import, so it is imported only when something is printed: a
:class:`LazyConsole` builds its rich ``Console`` on first use, and :func:`escape` imports
``rich.markup`` when it is called. A run with ``--quiet`` or ``--json`` never imports rich.

The warnings templsync gives (Copier's ``DirtyLocalWarning``, ``OldTemplateWarning`` ...: Python
warnings of :class:`~templsync.errors.TemplsyncWarning`'s classes) are collected by
:func:`collected_warnings` and printed by :func:`print_warnings` as ``warning: ...`` lines with
the command's report (``check``, which never imports rich, prints its own the same way).
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from templsync._warned import unique
from templsync.errors import TemplsyncWarning

if TYPE_CHECKING:
    from rich.console import Console


PIPED_WIDTH = 100_000
"""The width of a console that does not write to a terminal: wide enough that a table keeps
every column whole on one line, whatever the data (rich's default for a pipe is 80 columns,
which wraps and cuts a fleet's table; ``$COLUMNS`` still wins when it is set)."""


class LazyConsole:
    """A rich ``Console`` (no highlighting, soft wrap) that is built when it first prints.

    Written to a pipe or a file, its lines are as long as their content (:data:`PIPED_WIDTH`).
    """

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            console = Console(stderr=self._stderr, highlight=False, soft_wrap=True)
            if not console.is_terminal and not os.environ.get("COLUMNS"):
                console.width = PIPED_WIDTH
            self._console = console
        return self._console

    def print(self, *objects: Any, **options: Any) -> None:
        """``Console.print``: the same arguments."""
        self.console.print(*objects, **options)

    @contextmanager
    def status(self, text: str) -> Iterator[None]:
        """A spinner with ``text`` while the block runs."""
        with self.console.status(text):
            yield


def stdout() -> LazyConsole:
    return LazyConsole(stderr=False)


def stderr() -> LazyConsole:
    return LazyConsole(stderr=True)


def escape(text: str) -> str:
    """``text`` with rich markup escaped, so it prints as it is."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def print_json(data: Any) -> None:
    """Machine-readable output: one JSON document on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False) + "\n")


def print_json_line(data: Any) -> None:
    """Machine-readable output of a command that goes on: one JSON object a line, flushed."""
    sys.stdout.write(json.dumps(data, sort_keys=False) + "\n")
    sys.stdout.flush()


def help_text(text: str) -> str:
    """Command help as click shows it: paragraphs rewrapped to the terminal, examples as written.

    Lines of a paragraph are joined; a paragraph indented by two spaces (examples) gets click's
    ``\\b`` marker, so it is printed line for line and never rewrapped.
    """
    out: list[str] = []
    for line in text.strip("\n").splitlines():
        example = line.startswith("  ")
        previous = out[-1] if out else ""
        if line and previous and not example and not previous.startswith("  "):
            out[-1] += " " + line
        elif example and not previous.startswith("  "):
            out.extend(["\b", line])
        else:
            out.append(line)
    return "\n".join(out)


def summary(text: str) -> str:
    """The first line of a command's help: its line in ``templsync --help``."""
    return text.strip().splitlines()[0]


@contextmanager
def collected_warnings(*, quiet: bool) -> Iterator[list[TemplsyncWarning]]:
    """The warnings templsync gives in the block (:class:`~templsync.errors.TemplsyncWarning`),
    once each, in order.

    The list is filled when the block ends, for the command's report. When the block fails,
    they are printed here as ``warning: ...`` lines (unless ``quiet``), before the error.
    Warnings of other classes are given back to Python's own handling.
    """
    found: list[TemplsyncWarning] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield found
        except BaseException:
            found.extend(_ours(caught))
            print_warnings(found, quiet=quiet)
            raise
    found.extend(_ours(caught))
    for other in caught:
        if not isinstance(other.message, TemplsyncWarning):
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)


def print_warnings(found: Iterable[TemplsyncWarning], *, quiet: bool) -> None:
    """Print each warning as a ``warning: ...`` line on stderr (nothing when ``quiet``)."""
    if quiet:
        return
    err = stderr()
    for warning in found:
        err.print(f"[yellow]warning:[/] {escape(str(warning))}")


def _ours(caught: list[warnings.WarningMessage]) -> tuple[TemplsyncWarning, ...]:
    return unique(w.message for w in caught if isinstance(w.message, TemplsyncWarning))
