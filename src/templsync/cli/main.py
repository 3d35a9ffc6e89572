"""The ``templsync`` command: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated

import typer

from templsync import __version__
from templsync.cli import copy, demo, recover
from templsync.cli.handler import handle

app = typer.Typer(
    name="templsync",
    help=(
        "Keep a project template and the projects made from it in sync, both ways.\n\n"
        "Example: templsync demo examples/demo"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"templsync {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Keep a project template and the projects made from it in sync, both ways."""


copy.register(app)
demo.register(app)
recover.register(app)


def main(argv: Sequence[str] | None = None) -> int:
    """Run templsync with ``argv`` (default: the process's arguments) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = typer.main.get_command(app)

    def invoke() -> int | None:
        result = command.main(args=args, prog_name="templsync", standalone_mode=False)
        return result if isinstance(result, int) else None

    return handle(invoke)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
