"""Running a template's commands: every subprocess of a task goes through :func:`run_command`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from templsync.errors import TaskError

__all__ = ["Command", "CommandRunner", "TaskError", "run_command"]


@dataclass(frozen=True)
class Command:
    """One rendered task: a shell string or an argument list, where and with what to run it."""

    args: str | tuple[str, ...]
    cwd: Path
    env: Mapping[str, str]
    index: int  # 1-based
    total: int

    @property
    def shell(self) -> bool:
        return isinstance(self.args, str)

    @property
    def shown(self) -> str:
        """The command as Copier prints it (``Running task 1 of 2: <this>``)."""
        return self.args if isinstance(self.args, str) else str(list(self.args))


class CommandRunner(Protocol):
    """Runs one command and returns its exit status (its output goes where the runner sends it)."""

    def __call__(self, command: Command) -> int: ...


def run_command(command: Command, *, output_to_stderr: bool = False) -> int:
    """Run ``command`` with the process's stdout and stderr, so a person sees its output.

    ``output_to_stderr`` sends its stdout to stderr too (when stdout carries a JSON document).

    The environment is this process's, plus ``command.env``. Raises :class:`TaskError` when it
    cannot be started (missing program, missing working folder).
    """
    args: str | Sequence[str] = command.args
    try:
        done = subprocess.run(
            args,
            shell=command.shell,
            cwd=command.cwd,
            env={**os.environ, **command.env},
            check=False,
            stdout=sys.stderr if output_to_stderr else None,
        )
    except OSError as err:
        raise TaskError(
            f"task {command.index} of {command.total} ({command.shown}) could not start: "
            f"{err.strerror or err}. Check the template's `_tasks`.",
            command=command.args,
        ) from err
    return done.returncode
