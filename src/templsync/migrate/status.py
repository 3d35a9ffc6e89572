"""``migrate status``: a project's applied and pending migrations, and files that drifted.

Drift is measured against the template's files after the last migration the project applied:
files the project added, deleted or changed since. Conflicts an applied migration left are
listed while their markers are still in the files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from templsync.migrate import store
from templsync.migrate.applied import AppliedMigration, read_record
from templsync.migrate.apply import check_project, pending_steps, resolve_template
from templsync.migrate.build import Changes, changed_paths
from templsync.migrate.unresolved import unresolved


@dataclass(frozen=True)
class StatusResult:
    template: Path
    applied: tuple[AppliedMigration, ...]
    pending: tuple[str, ...]
    unknown: tuple[str, ...]  # applied, but the template no longer has them
    drift: Changes
    unresolved: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """For each applied migration that left conflicts, the files still holding its markers."""


def migration_status(
    project: Path,
    template: Path | None = None,
    *,
    strict: bool = False,
    warn: store.Warn = lambda _: None,
) -> StatusResult:
    check_project(project)
    record = read_record(project)
    folder = resolve_template(project, template, record)
    history = store.load_history(folder, warn, strict=strict)
    applied = record.applied if record else ()
    names = {m.name for m in applied}
    expected = history.state_after(names)
    current = store.read_project(project, store.ignore_rules(folder))
    return StatusResult(
        folder,
        applied,
        tuple(s.migration.name for s in pending_steps(history, names, None)),
        tuple(sorted(names - set(history.names))),
        changed_paths(expected, current),
        unresolved(project, record),
    )
