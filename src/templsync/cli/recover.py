"""``templsync recover``: finish or roll back a run that was interrupted while writing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from templsync.cli.output import escape, help_text, stderr, stdout, summary

if TYPE_CHECKING:
    from templsync._io.apply import Recovery

HELP = """Finish or roll back a write that was interrupted (killed, power loss) in FOLDER.

templsync writes through a journal: if a run stopped before its commit point, the folder is
rolled back to exactly what it was; after it, the write is finished. Every command that writes
does this by itself first; this command does only that.

Example:

  templsync recover path/to/project
"""


def register(group: click.Group) -> None:
    group.add_command(recover_command)


@click.command(name="recover", help=help_text(HELP), short_help=summary(HELP))
@click.argument(
    "folder",
    type=click.Path(path_type=Path),
    default=Path(),
    metavar="[FOLDER]",
    help="The folder to check (default: here).",
)
def recover_command(folder: Path) -> None:
    if recover_and_report(folder) is None:
        stdout().print(f"nothing to recover in {escape(str(folder))}")


def recover_and_report(folder: Path) -> Recovery | None:
    """Recover ``folder`` if a run was interrupted there, and say what was done."""
    from templsync._io.apply import recover

    done = recover(folder)
    if done is not None:
        stderr().print(f"[yellow]recovered[/] {escape(str(folder))}: {escape(describe(done))}")
    return done


def describe(done: Recovery) -> str:
    if done.action == "finished":
        return "an interrupted write was past its commit point and has been finished"
    return "an interrupted write was rolled back; the folder is as it was before it"
