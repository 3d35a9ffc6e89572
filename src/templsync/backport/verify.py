"""``verify``: the template maintainer's test instance, made fresh, tested, thrown away.

For each answer set (``--data``, or each row of a ``--matrix`` file over it):

1. the template is copied into a new folder, as ``templsync copy --defaults`` copies it: the given
   answers, the questions' defaults for the rest, nothing asked; the template's tasks run when it
   is trusted (``--skip-tasks`` skips them). The version is the template's working tree,
   uncommitted changes included, unless ``vcs_ref`` names one;
2. the command runs in that folder with this process's stdout and stderr, so its output streams
   as it comes; its exit status is the run's;
3. the folder is removed, unless it is kept (``keep``: that folder, or one numbered folder per
   answer set inside it).

A dry run renders each answer set in memory (:mod:`templsync.backport.instantiate`, the render
``templatize --check`` and ``backport`` use too), runs nothing and writes nothing. With one answer
set, an instance that cannot be made is an error; in a matrix it is that row's failure and the
other rows still run. The result's exit code is the first failing run's (1 for a row that could
not be made), else 0.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from templsync._io.fsutil import remove_tree
from templsync._io.sources import ResolvedVersion, TemplateSource, resolve_source
from templsync.backport.instantiate import answered_options, render_instance
from templsync.errors import UserError
from templsync.instance.copy import CopyOptions, copy_from
from templsync.instance.tasks import Command, CommandRunner, run_command

__all__ = [
    "INSTANCE_NAME",
    "KeepFolderError",
    "VerifyCommandError",
    "VerifyOptions",
    "VerifyResult",
    "VerifyRun",
    "run_verify_command",
    "verify",
]

INSTANCE_NAME = "instance"
"""The name of the instance's folder in its temporary folder (what ``_folder_name`` says)."""


class VerifyCommandError(UserError):
    """The command to run in the instance could not be started."""


class KeepFolderError(UserError):
    """``--keep`` names a folder that is not empty, or a file."""


@dataclass(frozen=True)
class VerifyOptions:
    """``templsync verify``'s options."""

    vcs_ref: str | None = None
    """The template version; None: ``HEAD``, with a local repository's uncommitted changes."""
    data: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    matrix: tuple[Mapping[str, object], ...] = ()
    """Answer sets, each over ``data``; empty: one run with ``data``."""
    keep: Path | None = None
    trust: bool = False
    trust_list: tuple[str, ...] = ()
    skip_tasks: bool = False
    dry_run: bool = False
    cache_dir: Path | None = None


@dataclass(frozen=True)
class VerifyRun:
    """One answer set: the instance made for it and what the command said."""

    number: int
    answers: Mapping[str, object]
    """The answers given (``--data`` and the matrix row), not the defaults taken."""
    folder: Path | None
    """Where the instance was made (None on a dry run); gone unless ``kept``."""
    kept: bool
    files: int
    code: int | None
    """The command's exit status; None when it did not run (a dry run, or no instance)."""
    seconds: float
    error: str | None = None
    """Why the instance could not be made."""

    @property
    def passed(self) -> bool:
        return self.error is None and self.code in (0, None)


@dataclass(frozen=True)
class VerifyResult:
    template: str
    version: ResolvedVersion
    command: tuple[str, ...]
    runs: tuple[VerifyRun, ...]
    dry_run: bool

    @property
    def exit_code(self) -> int:
        for run in self.runs:
            if run.error is not None:
                return 1
            if run.code:
                return run.code
        return 0


def run_verify_command(command: Command, *, output_to_stderr: bool = False) -> int:
    """Run ``command`` with this process's stdout and stderr, so its output streams as it comes.

    ``output_to_stderr`` sends its stdout to stderr too (when stdout carries a JSON document);
    where stderr is no file (an embedding program's stream), that output is passed on after.
    """
    stdout: int | None = None
    if output_to_stderr:
        try:
            stdout = sys.stderr.fileno()
        except (AttributeError, OSError, ValueError):
            stdout = subprocess.PIPE
    try:
        done = subprocess.run(
            command.args,
            shell=command.shell,
            cwd=command.cwd,
            env={**os.environ, **command.env},
            check=False,
            stdout=stdout,
        )
    except (FileNotFoundError, PermissionError, NotADirectoryError) as err:
        raise VerifyCommandError(
            f"the command {command.shown} could not start in {command.cwd}: "
            f"{err.strerror or err}. Give the program and its arguments after `--`, e.g. "
            "`-- uv run pytest`."
        ) from err
    if done.stdout:
        sys.stderr.write(done.stdout.decode("utf-8", "replace"))
    return done.returncode


def verify(
    template: str,
    command: Sequence[str],
    options: VerifyOptions = VerifyOptions(),  # frozen, immutable
    *,
    on_run: Callable[[int, Path | None, Mapping[str, object]], None] | None = None,
    on_task: Callable[[Command], None] | None = None,
    run_task: CommandRunner = run_command,
    run: CommandRunner = run_verify_command,
) -> VerifyResult:
    """Make a test instance of ``template`` per answer set and run ``command`` in each.

    ``on_run`` is told (number, folder, answers) before each instance is made; ``run_task``
    runs the template's tasks, ``run`` the command.
    """
    if not command:
        raise UserError("no command to run. Give it after `--`, e.g. `-- uv run pytest`.")
    sets = [{**options.data, **row} for row in options.matrix] or [dict(options.data)]
    folders = _folders(options.keep, len(sets))
    source = resolve_source(template, cache_dir=options.cache_dir)
    version = source.resolve(options.vcs_ref or "HEAD")
    job = _Job(source, version, template, tuple(command), options, run, on_task, run_task)
    runs: list[VerifyRun] = []
    for number, (answers, folder) in enumerate(zip(sets, folders, strict=True), 1):
        if on_run is not None:
            on_run(number, None if options.dry_run else folder, answers)
        try:
            runs.append(job.one(number, answers, folder))
        except UserError as err:
            if len(sets) == 1:
                raise
            runs.append(VerifyRun(number, answers, None, False, 0, None, 0.0, str(err)))
    return VerifyResult(template, version, tuple(command), tuple(runs), options.dry_run)


def _folders(keep: Path | None, count: int) -> list[Path | None]:
    """Where each instance goes: inside ``keep`` (checked now), else a new temporary folder."""
    if keep is None:
        return [None] * count
    if keep.exists() and (not keep.is_dir() or any(keep.iterdir())):
        raise KeepFolderError(
            f"--keep {keep}: it is {'not a folder' if not keep.is_dir() else 'not empty'}. "
            "Give a new or empty folder to keep the instance in."
        )
    return [keep] if count == 1 else [keep / str(n) for n in range(1, count + 1)]


@dataclass(frozen=True)
class _Job:
    source: TemplateSource
    version: ResolvedVersion
    template: str
    command: tuple[str, ...]
    options: VerifyOptions
    run: CommandRunner
    on_task: Callable[[Command], None] | None
    run_task: CommandRunner

    def one(self, number: int, answers: Mapping[str, object], keep: Path | None) -> VerifyRun:
        """Make the instance of one answer set (in ``keep``, else a temporary folder), run the
        command in it, remove it unless kept."""
        options = self.options
        if options.dry_run:
            dst = keep or Path(tempfile.gettempdir()) / INSTANCE_NAME
            answered = answered_options(answers, trust=options.trust, cache_dir=options.cache_dir)
            made = render_instance(self.source, self.version, dst, answered)
            return VerifyRun(number, answers, None, False, len(made.rendered.tree), None, 0.0)
        scratch = None if keep is not None else Path(tempfile.mkdtemp(prefix="templsync-verify-"))
        dst = keep if keep is not None else Path(scratch or ".") / INSTANCE_NAME
        try:
            copied = copy_from(
                self.source,
                dst,
                CopyOptions(
                    vcs_ref=options.vcs_ref or "HEAD",
                    data=MappingProxyType(dict(answers)),
                    defaults=True,
                    quiet=True,
                    trust=options.trust,
                    trust_list=options.trust_list,
                    skip_tasks=options.skip_tasks,
                    cleanup_on_error=keep is None,
                    cache_dir=options.cache_dir,
                ),
                src=self.template,
                on_task=self.on_task,
                run_task=self.run_task,
            )
            started = time.monotonic()
            code = self.run(Command(_args(self.command), dst, {}, 1, 1))
            seconds = time.monotonic() - started
        finally:
            if scratch is not None:
                remove_tree(scratch)
        files = len(copied.created) + len(copied.overwritten) + len(copied.identical)
        return VerifyRun(number, answers, dst, keep is not None, files, code, seconds)


def _args(command: tuple[str, ...]) -> str | tuple[str, ...]:
    """The command as words, or, when it is one word holding spaces, as a shell command."""
    if len(command) == 1 and any(c.isspace() for c in command[0]):
        return command[0]
    return command
