"""Backups of the generated file, written before every change to it, and the verbs on them.

A backup is a folder ``<backup_dir>/schema_backup_<YYYYmmdd_HHMMSS>[_<n>]/`` holding the file as
it was (``output.py``), the base it was merged from (``base.py``, the state's last generated
text then) and ``backup.json`` (when, which file, why). Restoring puts both back, so the next
sync merges from the restored base and keeps the restored file's hand edits; the state's
record of the sources is cleared, so that sync generates again. Only the newest
``max_backups`` are kept: the oldest go in the same write that adds a new one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from templsync.schema.files import write
from templsync.schema.model import SchemaError
from templsync.schema.project import Project
from templsync.schema.state import BASE_FILE, STATE_FILE, read_base, read_bytes, read_state

PREFIX = "schema_backup_"
OUTPUT = "output.py"
BASE = "base.py"
META = "backup.json"


@dataclass(frozen=True)
class Backup:
    name: str
    folder: str  # project-relative
    created: str
    output: str
    reason: str
    size: int


class BackupNotFoundError(SchemaError):
    pass


def list_backups(project: Project, backup_dir: str) -> list[Backup]:
    """The backups, oldest first."""
    folder = project.path(backup_dir)
    if not folder.is_dir():
        return []
    found: list[Backup] = []
    for child in sorted(folder.iterdir()):
        if not child.name.startswith(PREFIX) or not (child / OUTPUT).is_file():
            continue
        meta = _meta(child / META)
        found.append(
            Backup(
                name=child.name,
                folder=f"{backup_dir.rstrip('/')}/{child.name}",
                created=str(meta.get("created", "")),
                output=str(meta.get("output", "")),
                reason=str(meta.get("reason", "")),
                size=(child / OUTPUT).stat().st_size,
            )
        )
    return found


def _meta(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def new_backup(
    project: Project,
    backup_dir: str,
    max_backups: int,
    *,
    output: str,
    ours: bytes,
    base: bytes | None,
    reason: str,
    now: datetime,
) -> tuple[str, dict[str, bytes | None]]:
    """A new backup's name and the writes that add it and drop the oldest past ``max_backups``."""
    existing = list_backups(project, backup_dir)
    names = {b.name for b in existing}
    name = f"{PREFIX}{now.strftime('%Y%m%d_%H%M%S')}"
    n = 1
    while name in names or project.path(f"{backup_dir}/{name}").exists():
        n += 1
        name = f"{PREFIX}{now.strftime('%Y%m%d_%H%M%S')}_{n}"
    folder = f"{backup_dir.rstrip('/')}/{name}"
    meta = {"created": now.isoformat(timespec="seconds"), "output": output, "reason": reason}
    changes: dict[str, bytes | None] = {
        f"{folder}/{OUTPUT}": ours,
        f"{folder}/{META}": (json.dumps(meta, indent=2) + "\n").encode(),
    }
    if base is not None:
        changes[f"{folder}/{BASE}"] = base
    keep = max(max_backups, 1)
    for old in existing[: max(0, len(existing) + 1 - keep)]:
        changes.update(_removal(project, old))
    return name, changes


def _removal(project: Project, backup: Backup) -> dict[str, bytes | None]:
    folder = project.path(backup.folder)
    return {f"{backup.folder}/{f.name}": None for f in folder.iterdir() if f.is_file()}


def find(project: Project, backup_dir: str, name: str) -> Backup:
    for backup in list_backups(project, backup_dir):
        if backup.name == name:
            return backup
    raise BackupNotFoundError(
        f"no backup is named {name!r} in {backup_dir}. `templsync schema backup list` lists them."
    )


@dataclass(frozen=True)
class RestoreResult:
    restored: Backup
    saved_as: str | None  # the backup made of the file it replaced


def restore(
    project: Project,
    name: str,
    *,
    backup_dir: str,
    max_backups: int,
    output: str,
    now: datetime,
    dry_run: bool = False,
) -> RestoreResult:
    """Put a backup's file (and base) back, the current file backed up first."""
    backup = find(project, backup_dir, name)
    folder = project.path(backup.folder)
    restored = (folder / OUTPUT).read_bytes()
    target = backup.output or output
    changes: dict[str, bytes | None] = {target: restored}
    saved: str | None = None
    current = read_bytes(project.path(target))
    if current is not None and current != restored:
        saved, more = new_backup(
            project,
            backup_dir,
            max_backups,
            output=target,
            ours=current,
            base=read_base(project),
            reason=f"before restoring {name}",
            now=now,
        )
        more = {k: v for k, v in more.items() if not k.startswith(f"{backup.folder}/")}
        changes.update(more)
    base = read_bytes(folder / BASE)
    if base is not None:
        changes[BASE_FILE] = base
    state = read_state(project)
    if state is not None:  # forget the sources: the next sync generates and merges again
        changes[STATE_FILE] = _forget_sources(read_bytes(project.path(STATE_FILE)) or b"{}")
    if not dry_run:
        write(project.root, changes)
    return RestoreResult(backup, saved)


def _forget_sources(raw: bytes) -> bytes:
    data: Mapping[str, object] = json.loads(raw)
    return (json.dumps({**data, "sources": {}, "settings_key": ""}, indent=2) + "\n").encode()


def delete(project: Project, backup_dir: str, name: str, *, dry_run: bool = False) -> Backup:
    backup = find(project, backup_dir, name)
    if not dry_run:
        write(project.root, _removal(project, backup))
    return backup
