"""How the CLI shows and runs a template's tasks and migrations."""

from __future__ import annotations

from functools import partial

from templsync.cli.output import stderr
from templsync.instance.tasks import Command, CommandRunner, run_command


def announce_task(command: Command) -> None:
    """Copier's ``> Running task 1 of 2: <command>`` line, on stderr."""
    from rich.markup import escape

    stderr().print(
        f"[cyan] > Running task {command.index} of {command.total}:[/] {escape(command.shown)}"
    )


def task_runner(*, as_json: bool) -> CommandRunner:
    """Run tasks with their output shown; on stderr when stdout carries a JSON document."""
    return partial(run_command, output_to_stderr=as_json)
