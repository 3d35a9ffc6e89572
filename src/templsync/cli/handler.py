"""One wrapper that turns every outcome of a command into an exit code.

- 0: done; 1: a user error (the message says what to do); 2: conflicts were left in files;
  130: interrupted (Ctrl-C); any other exception is a bug (exit 3): one line on stderr, the
  traceback in a log file whose path is printed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import click

from templsync.cli.output import escape, stderr
from templsync.errors import ConflictsLeft, UserError

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_CONFLICTS = 2
EXIT_INTERRUPTED = 130
EXIT_BUG = 3


def log_dir() -> Path:
    base = os.environ.get("TEMPLSYNC_CACHE_DIR")
    if base:
        return Path(base) / "logs"
    import platformdirs

    return Path(platformdirs.user_log_dir("templsync"))


def handle(command: Callable[[], int | None]) -> int:
    """Run ``command`` and map what it raised to an exit code, printing what a person needs."""
    err = stderr()
    try:
        code = command()
    except ConflictsLeft as e:
        err.print(f"[yellow]conflicts:[/] {escape(str(e))}")
        err.print("Resolve them, then commit. Exit code 2 means: conflicts left in files.")
        return EXIT_CONFLICTS
    except UserError as e:
        err.print(f"[red]error:[/] {escape(str(e))}")
        return EXIT_USER_ERROR
    except click.exceptions.Exit as e:
        return e.exit_code
    except (KeyboardInterrupt, click.Abort):
        err.print("interrupted")
        return EXIT_INTERRUPTED
    except click.ClickException as e:  # usage errors: unknown option, bad value, ...
        e.show()
        return EXIT_USER_ERROR
    except Exception as e:  # the last line of defence: every bug gets a log file
        log = write_crash_log(e)
        err.print(
            f"[red]templsync: unexpected error:[/] {escape(type(e).__name__)}: {escape(str(e))}"
        )
        err.print(f"The traceback is in {escape(str(log))}; please attach it to a bug report.")
        return EXIT_BUG
    if code == EXIT_INTERRUPTED:
        err.print("interrupted")
    return code or EXIT_OK


def write_crash_log(error: BaseException) -> Path:
    import datetime as dt
    import traceback

    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"crash-{stamp}.log"
    text = "".join(traceback.format_exception(error))
    path.write_text(text, encoding="utf-8")
    return path
