"""How the CLI shows and runs a template's tasks and migrations.

A run that writes says ``> Running task 1 of 2: <command>`` before each command, as Copier does;
a dry run (``--dry-run``/``--pretend``), which runs none, says ``> Would run task 1 of 2: ...``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from templsync.cli.output import stderr
from templsync.instance.tasks import Command, CommandRunner, run_command


def announce_task(command: Command, *, pretend: bool = False) -> None:
    """Copier's ``> Running task 1 of 2: <command>`` line (``Would run`` when pretending)."""
    from rich.markup import escape

    verb = "Would run" if pretend else "Running"
    stderr().print(
        f"[cyan] > {verb} task {command.index} of {command.total}:[/] {escape(command.shown)}"
    )


def task_announcer(*, quiet: bool, pretend: bool) -> Callable[[Command], None] | None:
    """What tells a person about each task: nothing when ``quiet``."""
    return None if quiet else partial(announce_task, pretend=pretend)


def task_runner(*, as_json: bool) -> CommandRunner:
    """Run tasks with their output shown; on stderr when stdout carries a JSON document."""
    return partial(run_command, output_to_stderr=as_json)
