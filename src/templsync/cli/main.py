"""The ``templsync`` command: one click group; each command lives in its own module.

A command's module is imported when the command is named (:class:`LazyGroup`), so ``templsync
sync`` loads ``cli/sync.py`` and no other command module. The command modules import only click
at start-up; each command imports the engine when it runs, so ``templsync --help`` loads none of
it and ``templsync copy`` loads only what a copy needs.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

import click

from templsync import __version__
from templsync.cli.handler import handle
from templsync.cli.lazygroup import LazyGroup

COMMANDS = {
    name: f"templsync.cli.{name}"
    for name in (
        "backport",
        "check",
        "copy",
        "demo",
        "diff",
        "fleet",
        "migrate",
        "recopy",
        "recover",
        "schema",
        "storage",
        "sync",
        "templatize",
        "update",
        "verify",
    )
}
"""Each command of ``templsync``, and the module that defines it with ``register(group)``."""

HELP = "Keep a project template and the projects made from it in sync, both ways."


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        click.echo(f"templsync {__version__}")
        ctx.exit()


@click.group(
    name="templsync",
    cls=LazyGroup,
    lazy=COMMANDS,
    help=f"{HELP}\n\nExample: templsync update services/billing --pretend",
    no_args_is_help=True,
)
@click.option(
    "--version",
    "-V",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_version,
    help="Print the version and exit.",
)
def app() -> None:
    pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run templsync with ``argv`` (default: the process's arguments) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)

    def invoke() -> int | None:
        result = app.main(args=args, prog_name="templsync", standalone_mode=False)
        return result if isinstance(result, int) else None

    return handle(invoke)


def run() -> None:
    """Console-script entry point (by way of ``templsync.__main__``, which loads this module
    with the cyclic garbage collector paused)."""
    # The modules loaded so far live as long as the process: frozen, no collection walks them
    # again, and the collector is on for the command (and the modules only it loads).
    gc.freeze()
    gc.enable()
    code = main()
    # The process ends here. Freezing the objects it holds (modules, classes, functions) spares
    # the interpreter's final garbage collection a walk over all of them: ~20 ms of a copy's exit.
    # atexit handlers, flushing and every object's release by reference count still happen.
    gc.freeze()
    sys.exit(code)
