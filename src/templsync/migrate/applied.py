"""``applied-migrations.json``: which migrations a project has, and from which template.

``{"version": "1", "template": "../template", "appliedMigrations": [{"name", "appliedAt"}]}``,
as the TypeScript tool writes it; a migration applied with conflicts also lists them
(``"conflicts": [paths]``). A relative ``template`` is relative to the project folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from templsync._core.tree import FileEntry
from templsync._limits import LimitError, parse_within
from templsync.errors import ReadError, UserError
from templsync.migrate.store import APPLIED_FILE

VERSION = "1"


class AppliedFileError(UserError):
    """An ``applied-migrations.json`` that cannot be read as one."""


@dataclass(frozen=True)
class AppliedMigration:
    name: str
    applied_at: str
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class AppliedRecord:
    """The record of one project; ``entry`` is the file as read (None: there was none)."""

    template: str
    applied: tuple[AppliedMigration, ...] = ()
    entry: FileEntry | None = field(default=None, compare=False)

    @property
    def names(self) -> set[str]:
        return {m.name for m in self.applied}

    def with_applied(self, migration: AppliedMigration) -> AppliedRecord:
        kept = tuple(m for m in self.applied if m.name != migration.name)
        return replace(self, applied=(*kept, migration))

    def template_path(self, project: Path) -> Path:
        return Path(os.path.normpath(project / self.template))

    def render(self) -> bytes:
        rows = []
        for m in self.applied:
            row: dict[str, object] = {"name": m.name, "appliedAt": m.applied_at}
            if m.conflicts:
                row["conflicts"] = list(m.conflicts)
            rows.append(row)
        document = {"version": VERSION, "template": self.template, "appliedMigrations": rows}
        return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def template_reference(template: Path, project: Path) -> str:
    """How a project's record names its template: relative to the project when possible."""
    try:
        return Path(os.path.relpath(template.absolute(), project.absolute())).as_posix()
    except ValueError:  # another drive
        return template.absolute().as_posix()


def read_record(project: Path) -> AppliedRecord | None:
    """The project's record, or None when it has no ``applied-migrations.json``."""
    path = project / APPLIED_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise ReadError(f"cannot read {path}: {err.strerror}") from err
    try:
        document = parse_within(lambda: json.loads(data))
    except LimitError as err:
        raise AppliedFileError(f"{path} {err}. Fix or remove it.") from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise AppliedFileError(f"{path} is not valid JSON: {err}. Fix or remove it.") from err
    if not isinstance(document, dict):
        raise AppliedFileError(f"{path} must hold a JSON object. Fix or remove it.")
    template = document.get("template", "")
    rows = document.get("appliedMigrations", [])
    if not isinstance(template, str) or not isinstance(rows, list):
        raise AppliedFileError(
            f"{path}: 'template' must be a string and 'appliedMigrations' a list. Fix it."
        )
    applied = []
    for index, row in enumerate(rows):
        name = row.get("name") if isinstance(row, dict) else None
        if not isinstance(name, str):
            raise AppliedFileError(f"{path}: appliedMigrations[{index}] has no name. Fix it.")
        conflicts = row.get("conflicts", [])
        applied.append(
            AppliedMigration(
                name,
                str(row.get("appliedAt", "")),
                tuple(str(c) for c in conflicts) if isinstance(conflicts, list) else (),
            )
        )
    return AppliedRecord(template, tuple(applied), FileEntry.from_bytes(data))
