"""``schema status``: where the project's schemas stand, read from the disk and the state.

The last sync, the model modules and whether their files still hash as they did when the file
was last generated, the generated file (there, hand edited or not: its body against the content
hash its header states, conflict markers left in it) and the manual file, the backups and the
settings in force. Nothing is imported but the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from templsync.schema.backups import Backup, list_backups
from templsync.schema.project import find_project, settings_key
from templsync.schema.render import body_of, content_hash, header_hash
from templsync.schema.state import changed_sources, read_bytes, read_state


@dataclass(frozen=True)
class FileStatus:
    path: str
    exists: bool
    hand_edited: bool = False
    conflict_markers: bool = False


@dataclass(frozen=True)
class StatusResult:
    root: Path
    pyproject: Path | None
    last_sync: str | None
    modules: tuple[str, ...]
    in_sync: bool  # sources and settings as at the last generation
    changed_sources: tuple[str, ...]
    settings_changed: bool
    generated: FileStatus
    manual: FileStatus | None
    backups: tuple[Backup, ...]
    settings: dict[str, object]


def schema_status(start: Path) -> StatusResult:
    from templsync.schema.settings import load_settings  # noqa: PLC0415  # pydantic-settings

    project = find_project(start)
    settings = load_settings(project)
    output = project.relative(settings.output, "output")
    state = read_state(project)
    changed = tuple(changed_sources(project, state)) if state is not None else ()
    settings_changed = state is not None and state.settings_key != settings_key(project)
    manual = None
    if settings.manual:
        path = project.relative(settings.manual, "manual")
        manual = FileStatus(path, project.path(path).is_file())
    return StatusResult(
        root=project.root,
        pyproject=project.pyproject,
        last_sync=state.synced_at if state is not None else None,
        modules=tuple(settings.models),
        in_sync=state is not None and not changed and not settings_changed,
        changed_sources=changed,
        settings_changed=settings_changed,
        generated=_generated(project.path(output), output),
        manual=manual,
        backups=tuple(list_backups(project, settings.backup_dir)),
        settings=settings.shown(),
    )


def _generated(path: Path, relative: str) -> FileStatus:
    data = read_bytes(path)
    if data is None:
        return FileStatus(relative, False)
    text = data.decode("utf-8", "replace")
    stated = header_hash(text)
    edited = stated is None or stated != content_hash(body_of(text))
    markers = any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in text.splitlines())
    return FileStatus(relative, True, edited, markers)
