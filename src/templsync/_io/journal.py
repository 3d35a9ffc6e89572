"""The writer's journal: a folder inside the root recording one plan's operations.

Layout of ``<root>/.templsync-journal/``::

    journal.json   every operation, its temp file and its backup (written first, atomically)
    staging/       temp files whose target folder does not exist yet
    backup/        hard links (or copies) of every path the plan replaces or deletes
    COMMITTED      the commit point: once present, the plan is finished rather than rolled back
    ROLLBACK       finishing failed after the commit point: the backups are being restored

The folder doubles as a lock: creating it fails when another run holds it. A journal loaded from
disk is validated before use, so a damaged one never makes recovery touch paths outside its plan.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from templsync._core.plan import OpKind
from templsync._core.tree import normalize_path
from templsync._io.fsutil import fsync_dir, lstat_or_none, remove_tree, write_atomic
from templsync._io.journaldir import JOURNAL_DIR, has_journal
from templsync._limits import parse_within
from templsync.errors import InvalidPathError, JournalError

if TYPE_CHECKING:
    from templsync._io.statcache import Signature

TEMP_PREFIX = ".templsync-"
COMMITTED = "COMMITTED"
ROLLBACK = "ROLLBACK"
_RECORD = "journal.json"
_MARK_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
_VERSION = 1


@dataclass(frozen=True)
class JournalOp:
    """One operation as the journal records it; every path is relative to the root."""

    kind: OpKind
    path: str
    temp: str | None = None  # the prepared file or symlink (writes)
    backup: str | None = None  # the saved old file (when something was there)
    old_perm: int | None = None  # permission bits of the old regular file, restored on rollback
    new_perm: int | None = None  # permission bits of the new regular file
    old_sig: Signature | None = (
        None  # lstat signature of the old file: untouched if it still has it
    )


@dataclass(frozen=True)
class Record:
    token: str  # unique to one run: it names the temp files
    ops: tuple[JournalOp, ...]
    created_dirs: tuple[str, ...] = ()  # folders the plan creates, shallowest first
    removed_dirs: tuple[
        tuple[str, int], ...
    ] = ()  # folders it empties (and their perms), deepest first

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "version": _VERSION,
                "token": self.token,
                "ops": [
                    [
                        op.kind.value,
                        op.path,
                        op.temp,
                        op.backup,
                        op.old_perm,
                        op.new_perm,
                        op.old_sig,
                    ]
                    for op in self.ops
                ],
                "created_dirs": list(self.created_dirs),
                "removed_dirs": [list(d) for d in self.removed_dirs],
            },
            indent=0,
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Record:
        """Parse and validate a record; raise ValueError (or a subclass) when it is malformed
        (:class:`~templsync._limits.LimitError` when nested too deeply)."""
        raw = parse_within(lambda: json.loads(data))
        if raw["version"] != _VERSION:
            raise ValueError(f"unknown journal version {raw['version']!r}")
        token = _str(raw["token"])
        if not token.isalnum():
            raise ValueError("bad token")
        ops = tuple(_op(row, token) for row in raw["ops"])
        created = tuple(_plan_path(p) for p in raw["created_dirs"])
        removed = tuple((_plan_path(p), _int(m)) for p, m in raw["removed_dirs"])
        return cls(token, ops, created, removed)


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _int(value: object) -> int:
    if type(value) is not int or not 0 <= value <= 0o7777:
        raise TypeError(f"expected permission bits, got {value!r}")
    return value


def _plan_path(value: object) -> str:
    path = _str(value)
    try:
        normalized = normalize_path(path)
    except InvalidPathError as err:
        raise ValueError(str(err)) from err
    if normalized != path or path.split("/")[0] == JOURNAL_DIR:
        raise ValueError(f"bad path {path!r}")
    return path


def _scratch_path(value: object, token: str) -> str:
    """A temp or backup path: inside the journal, or a temp name of this run next to its target."""
    path = _str(value)
    try:
        normalized = normalize_path(path)
    except InvalidPathError as err:
        raise ValueError(str(err)) from err
    name = path.rsplit("/", 1)[-1]
    inside = path.startswith(JOURNAL_DIR + "/")
    if normalized != path or not (inside or name.startswith(f"{TEMP_PREFIX}{token}-")):
        raise ValueError(f"bad scratch path {path!r}")
    return path


def _op(row: object, token: str) -> JournalOp:
    if not isinstance(row, list) or len(row) != 7:
        raise ValueError(f"bad operation {row!r}")
    kind, path, temp, backup, old_perm, new_perm, old_sig = row
    return JournalOp(
        OpKind(kind),
        _plan_path(path),
        None if temp is None else _scratch_path(temp, token),
        None if backup is None else _scratch_path(backup, token),
        None if old_perm is None else _int(old_perm),
        None if new_perm is None else _int(new_perm),
        None if old_sig is None else _sig(old_sig),
    )


def _sig(value: object) -> Signature:
    if not isinstance(value, list) or len(value) != 4 or any(type(v) is not int for v in value):
        raise TypeError(f"expected a stat signature, got {value!r}")
    mtime, size, ino, mode = value
    return (mtime, size, ino, mode)


class Journal:
    """The journal folder of one root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / JOURNAL_DIR

    def exists(self) -> bool:
        return has_journal(self.root)

    def create(self) -> None:
        """Create the folder, failing when another run (or an interrupted one) holds it."""
        try:
            self.path.mkdir()
        except FileExistsError as err:
            raise present_error(self.root) from err
        fsync_dir(self.root)

    def scratch(self, *parts: str) -> str:
        """A root-relative path inside the journal folder."""
        return "/".join((JOURNAL_DIR, *parts))

    def write_record(self, record: Record) -> None:
        write_atomic(self.path / _RECORD, record.to_json())

    def read_record(self) -> Record | None:
        """The record, or None when the run stopped before writing it."""
        file = self.path / _RECORD
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:
            raise JournalError(f"cannot read the journal {str(file)!r}: {err.strerror}.") from err
        try:
            return Record.from_json(data)
        except (ValueError, TypeError, KeyError) as err:
            raise JournalError(
                f"the journal {str(file)!r} is damaged ({err}), so the interrupted run can be "
                "neither finished nor rolled back. Check the files it lists, then delete the "
                f"folder {str(self.path)!r}."
            ) from err

    def has(self, marker: str) -> bool:
        return lstat_or_none(self.path / marker) is not None

    def mark(self, marker: str) -> None:
        """Write ``marker`` durably: an empty file (its name is all it says, so no temp file
        and rename), fsynced, then the journal folder holding its name."""
        fd = os.open(self.path / marker, _MARK_FLAGS, 0o644)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        fsync_dir(self.path)

    def unmark(self, marker: str) -> None:
        (self.path / marker).unlink(missing_ok=True)
        fsync_dir(self.path)

    def remove(self) -> None:
        """Delete the journal; the markers go last so an interruption here is still readable.

        Only the record's removal is made durable (before anything else goes): a journal that
        a crash brings back holds no record, and recovery, which every writing command runs
        first, just removes it. So the rest needs no fsync of the root of its own (the next
        plan's journal makes it durable anyway)."""
        (self.path / _RECORD).unlink(missing_ok=True)
        fsync_dir(self.path)
        with_markers = {COMMITTED, ROLLBACK}
        for child in sorted(self.path.iterdir()):
            if child.name not in with_markers:
                remove_tree(child)
        for marker in (ROLLBACK, COMMITTED):
            (self.path / marker).unlink(missing_ok=True)
        self.path.rmdir()


def present_error(root: Path) -> JournalError:
    return JournalError(
        f"an interrupted or concurrent run left the journal {str(root / JOURNAL_DIR)!r}. "
        "Run recovery first (templsync's recover(root); every templsync command does at start), "
        "and make sure no other templsync run is using this folder."
    )
