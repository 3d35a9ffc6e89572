"""``migrate init``: a new project from a template, every migration applied in order.

A template without migrations is copied instead (minus the ignored files). The new project and its
``applied-migrations.json`` are written as one new folder by the writer (all of it or nothing); the
folders created above it are removed again when the write fails.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from templsync._core.plan import make_plan
from templsync._core.tree import FileEntry, Tree
from templsync._io.apply import apply_plan
from templsync._io.newfolder import can_write_new_folder, write_new_folder
from templsync.errors import ReadError, UserError, WriteError
from templsync.migrate import store
from templsync.migrate.applied import AppliedMigration, AppliedRecord, template_reference
from templsync.progress import Progress, no_progress


class TemplateNotFoundError(UserError):
    """The template folder does not exist."""


class TargetNotEmptyError(UserError):
    """The folder to create the project in already holds files."""


@dataclass(frozen=True)
class InitResult:
    target: Path
    files: int
    applied: tuple[str, ...]
    copied: bool  # the template had no migrations and was copied


def check_template(template: Path) -> None:
    if not template.is_dir():
        raise TemplateNotFoundError(
            f"the template {str(template)!r} does not exist or is not a folder. "
            "Pass the template's folder with -t/--template."
        )


def check_target(target: Path, template: Path) -> None:
    """The target must not exist, or be an empty folder, and not lie inside the template."""
    if target.absolute().resolve().is_relative_to(template.absolute().resolve()):
        raise TargetNotEmptyError(
            f"{str(target)!r} is inside the template {str(template)!r}: its files would become "
            "the template's. Choose a folder outside the template."
        )
    try:
        with os.scandir(target) as entries:
            if next(entries, None) is not None:
                raise TargetNotEmptyError(
                    f"{str(target)!r} is not empty. Choose a new folder, or empty this one."
                )
    except FileNotFoundError:
        return
    except NotADirectoryError:
        raise TargetNotEmptyError(f"{str(target)!r} is a file. Choose a new folder.") from None
    except PermissionError as err:
        raise ReadError(f"cannot read {str(target)!r}: permission denied") from err


def init_project(
    template: Path,
    target: Path,
    *,
    strict: bool = False,
    warn: store.Warn = lambda _: None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    progress: Progress = no_progress,
    dry_run: bool = False,
) -> InitResult:
    """Create ``target`` from ``template``; refuses a missing template or a non-empty target.

    With ``dry_run`` everything is read and checked, and nothing is written.
    Progress stages: ``"migrations"`` (read), ``"files"`` (written)."""
    check_template(template)
    check_target(target, template)
    names = store.folder_names(template, warn, strict=strict)
    if names:
        history = store.load_history(template, warn, strict=strict, progress=progress)
        files, applied = history.final, history.names
    else:
        files, applied = store.read_project(template, store.ignore_rules(template)), ()
    stamp = now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    record = AppliedRecord(
        template_reference(template, target), tuple(AppliedMigration(n, stamp) for n in applied)
    )
    everything = dict(files.items())
    everything[store.APPLIED_FILE] = FileEntry.from_bytes(record.render())
    if dry_run:
        return InitResult(target, len(files), applied, copied=not names)
    created = _make_folder(target.parent)
    try:
        if can_write_new_folder(target):
            write_new_folder(target, Tree._trusted(everything), progress)
        else:  # an existing empty folder (perhaps the working one): filled in place, by the journal
            apply_plan(target, make_plan(Tree(), Tree._trusted(everything)))
    except BaseException:
        for folder in reversed(created):
            _remove_if_empty(folder)
        raise
    return InitResult(target, len(files), applied, copied=not names)


def _make_folder(target: Path) -> list[Path]:
    """Create ``target`` and its missing parents; returns the folders created, outermost first."""
    missing = []
    folder = target.absolute()
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    missing.reverse()
    made: list[Path] = []
    for path in missing:
        try:
            path.mkdir()
        except OSError as err:
            for done in reversed(made):
                _remove_if_empty(done)
            raise WriteError(f"cannot create the folder {str(path)!r}: {err.strerror}") from err
        made.append(path)
    return made


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty, or already gone: leave it
        folder.rmdir()
