"""Conflicts a migration left that the project has not resolved yet.

``apply`` records, with each migration, the files it left with conflict markers. A file counts as
resolved once it no longer holds the markers that migration wrote (a line starting
``<<<<<<< project`` and one starting ``>>>>>>> <migration name>``), or is gone. Until then the
next migrations wait: merging them into a file full of markers would bury the conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from templsync.errors import UserError
from templsync.migrate.applied import AppliedRecord

OURS_LABEL = "project"
"""The label of the project's side in conflict markers (the migration's side is its name)."""


class UnresolvedConflictsError(UserError):
    """Migrations cannot be applied while an earlier one's conflicts are unresolved."""


def unresolved(project: Path, record: AppliedRecord | None) -> dict[str, tuple[str, ...]]:
    """For each applied migration that left conflicts, the files still holding its markers."""
    found: dict[str, tuple[str, ...]] = {}
    for migration in record.applied if record else ():
        left = tuple(p for p in migration.conflicts if _has_markers(project, p, migration.name))
        if left:
            found[migration.name] = left
    return found


def refuse_unresolved(found: Mapping[str, tuple[str, ...]]) -> None:
    """Raise :class:`UnresolvedConflictsError` naming every file when ``found`` has any."""
    if not found:
        return
    lines = [f"  {path}  (from {name})" for name, paths in found.items() for path in paths]
    count = sum(len(paths) for paths in found.values())
    raise UnresolvedConflictsError(
        f"{count} file(s) still hold conflict markers, so no further migration was applied:\n"
        + "\n".join(lines)
        + "\nResolve them (edit each file and remove the markers), then run the command again."
    )


def _has_markers(project: Path, path: str, name: str) -> bool:
    try:
        data = (project / path).read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False
    except OSError:
        return True  # unreadable: not known to be resolved
    starts = (b"\n" + data).find
    return (
        starts(f"\n<<<<<<< {OURS_LABEL}".encode()) >= 0
        and starts(f"\n>>>>>>> {name}".encode()) >= 0
    )
