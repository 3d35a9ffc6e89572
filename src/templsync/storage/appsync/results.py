"""What ``sync.templates()``, ``sync.settings()`` and ``sync.cache()`` return, as values.

The names are the FastBlocks sync action's (``synced_items``, ``conflicts``, ``has_conflicts``,
``backed_up``, ``cache_invalidated``, ``bytecode_cleared``, ``adapters_affected``,
``config_reloaded``, ``invalidated_keys``, ``warmed_keys``, ``cleared_namespaces``), so its
examples read these results unchanged.

Rules these values keep:

- Paths in a templates or settings result are local file paths (the folder as given, joined
  with the file's path in it, in POSIX spelling), whichever way the file went.
- ``cache_reached`` is False when the cache did not answer: the files landed anyway, and
  ``cache_error`` says what happened; nothing is listed as invalidated then.
- With ``dry_run`` nothing was written and the lists say what would be.
"""

from __future__ import annotations

from dataclasses import dataclass

from templsync.storage.model import ConflictNote, SyncResult


@dataclass(frozen=True)
class FolderSync:
    """One local folder synced with its place under the storage root."""

    local: str
    remote: str
    result: SyncResult


@dataclass(frozen=True)
class InvalidSetting:
    """A settings file that does not parse, so it was not synced: where, and why."""

    side: str  # "local" or "remote"
    path: str
    line: int | None
    column: int | None
    problem: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}:{self.column}"
        return f"{where} ({self.side}): {self.problem}"


@dataclass(frozen=True)
class FilesSync:
    """What a sync of folders did: each way, deletions, conflicts and backups."""

    pushed: tuple[str, ...] = ()
    pulled: tuple[str, ...] = ()
    merged: tuple[str, ...] = ()
    deleted_local: tuple[str, ...] = ()
    deleted_remote: tuple[str, ...] = ()
    conflicts: tuple[ConflictNote, ...] = ()
    backed_up: tuple[str, ...] = ()
    folders: tuple[FolderSync, ...] = ()
    dry_run: bool = False

    @property
    def synced_items(self) -> tuple[str, ...]:
        """Every file copied or merged, either way, sorted."""
        return tuple(sorted({*self.pushed, *self.pulled, *self.merged}))

    @property
    def deleted(self) -> tuple[str, ...]:
        return tuple(sorted({*self.deleted_local, *self.deleted_remote}))

    @property
    def has_conflicts(self) -> bool:
        return bool(self.conflicts)

    @property
    def unresolved(self) -> tuple[ConflictNote, ...]:
        """Conflicts left untouched (``manual``, or changed during the run)."""
        return tuple(c for c in self.conflicts if c.resolution in ("manual", "left"))


@dataclass(frozen=True)
class TemplateSyncResult(FilesSync):
    """``sync.templates()``: the files, and the cache entries of the templates that changed."""

    cache_invalidated: tuple[str, ...] = ()
    bytecode_cleared: tuple[str, ...] = ()
    cache_reached: bool = True
    cache_error: str | None = None


@dataclass(frozen=True)
class SettingsSyncResult(FilesSync):
    """``sync.settings()``: the files, the adapters whose settings changed, the files left out
    because they do not parse, and whether the reload hook ran."""

    adapters_affected: tuple[str, ...] = ()
    invalid: tuple[InvalidSetting, ...] = ()
    config_reloaded: bool = False


@dataclass(frozen=True)
class CacheSyncResult:
    """``sync.cache()``: the keys removed and written, the namespaces cleared."""

    operation: str
    namespaces: tuple[str, ...]
    invalidated_keys: tuple[str, ...] = ()
    warmed_keys: tuple[str, ...] = ()
    cleared_namespaces: tuple[str, ...] = ()
    warm_errors: tuple[str, ...] = ()
    cache_reached: bool = True
    cache_error: str | None = None
    dry_run: bool = False
