"""``templsync recover``: finish or roll back a run that was interrupted while writing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from templsync.cli.options import dry_run_option, quiet_option
from templsync.cli.output import escape, help_text, stderr, stdout, summary

if TYPE_CHECKING:
    from templsync._io.apply import Recovery

HELP = """Finish or roll back a write that was interrupted (killed, power loss) in FOLDER.

templsync writes through a journal: if a run stopped before its commit point, the folder is
rolled back to exactly what it was; after it, the write is finished. Every command that writes
does this by itself first; this command does only that.

Example:

  templsync recover path/to/project --dry-run
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
@dry_run_option("Say what would be finished or rolled back; do nothing.")
@quiet_option()
def recover_command(folder: Path, pretend: bool, quiet: bool) -> None:
    if pretend:
        from templsync._io.apply import pending_recovery

        pending = pending_recovery(folder)
        if quiet:
            return
        if pending is None:
            stdout().print(f"nothing to recover in {escape(str(folder))}")
        else:
            would = "finished" if pending.action == "finished" else "rolled back"
            stdout().print(
                f"{escape(str(folder))}: an interrupted write of {pending.paths} path(s) would be "
                f"{would}; nothing was done"
            )
        return
    if recover_and_report(folder, quiet=quiet) is None and not quiet:
        stdout().print(f"nothing to recover in {escape(str(folder))}")


def recover_and_report(folder: Path, *, quiet: bool = False) -> Recovery | None:
    """Recover ``folder`` if a run was interrupted there, and say what was done."""
    from templsync._io.apply import recover

    done = recover(folder)
    if done is not None and not quiet:
        stderr().print(f"[yellow]recovered[/] {escape(str(folder))}: {escape(describe(done))}")
    return done


def describe(done: Recovery) -> str:
    if done.action == "finished":
        return "an interrupted write was past its commit point and has been finished"
    return "an interrupted write was rolled back; the folder is as it was before it"
