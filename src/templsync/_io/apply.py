"""The one writer: apply a Plan to a folder atomically, and recover from an interrupted apply.

:func:`apply_plan` goes through these steps; a crash at any point leaves a journal from which
:func:`recover` restores either the old state or the new one, never a mix:

1. check the plan against the folder (every path holds what the plan expects, no symlinked folders);
2. create the journal and write its record;
3. back up every path to be replaced or deleted (hard links into the journal);
4. write every new file to a temp file next to its target (or in the journal's staging folder),
   then make them, their folders and the backups durable;
5. write the commit marker: **the commit point**;
6. delete, remove emptied folders, create folders (those the new files need, and the plan's empty
   folders), rename temp files into place, chmod;
7. remove the journal.

A failure before the commit point discards the temp files; after it, the backups are restored.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from templsync._core.plan import Plan
from templsync._io.check import check_plan
from templsync._io.journal import COMMITTED, ROLLBACK, Journal, Record, present_error
from templsync._io.prepare import build_record, make_backups, prepare_temps
from templsync._io.replay import discard_temps, roll_back, roll_forward
from templsync.errors import JournalError, WriteError


@dataclass(frozen=True)
class ApplyReport:
    """How many paths an applied plan created, updated, deleted and chmodded, and how many empty
    folders it asked for (made when missing)."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    chmod: int = 0
    folders: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.deleted + self.chmod + self.folders

    @classmethod
    def of(cls, plan: Plan) -> ApplyReport:
        counts = plan.counts()
        return cls(
            counts["create"],
            counts["update"],
            counts["delete"],
            counts["chmod"],
            len(plan.folders),
        )


@dataclass(frozen=True)
class Recovery:
    """What :func:`recover` did with an interrupted run, and how many paths that run planned."""

    action: Literal["rolled-back", "finished"]
    paths: int


def apply_plan(root: Path, plan: Plan, perms: Mapping[str, int] | None = None) -> ApplyReport:
    """Apply ``plan`` to the folder ``root``: all of it, or (on error) none of it.

    A file written keeps the permission bits of the file it replaces (its executable bit set or
    cleared as the plan says); a new one gets the umask's. ``perms`` gives exact bits for some
    paths instead (a copy from a template folder keeps its files' bits, as Copier does).

    Raises :class:`JournalError` when a journal is present (run :func:`recover` first),
    :class:`ChangedDuringRunError` when the folder no longer matches the plan,
    :class:`SymlinkError` when a folder on the way to a path is a symlink, and
    :class:`WriteError` when the OS refuses a write.
    In each of these cases the folder is left as it was.
    """
    _check_root(root)
    journal = Journal(root)
    if journal.exists():
        raise present_error(root)
    report = ApplyReport.of(plan)
    if not plan:
        return report
    layout = check_plan(root, plan)
    record = build_record(plan, layout, journal, _token(), perms or {})
    journal.create()
    try:
        journal.write_record(record)
        # The backups first, so that one pass makes them, the temp files and the journal's
        # folders durable together.
        backups = make_backups(root, record, layout, sync=False)
        prepare_temps(root, plan, record, also=[*backups, journal.path])
        journal.mark(COMMITTED)
    except BaseException as err:
        _abandon(journal, record)
        if isinstance(err, OSError):
            raise _write_error(root, err) from err
        raise
    try:
        roll_forward(root, record)
    except OSError as err:
        _roll_back_committed(journal, record)
        raise _write_error(root, err) from err
    _remove(journal)
    return report


def pending_recovery(root: Path) -> Recovery | None:
    """What :func:`recover` would do in ``root``, nothing done; None when there is nothing.

    A run past its commit point would be finished (unless finishing already failed), any
    other rolled back; finishing can still fail and roll back when it is done for real.
    """
    journal = Journal(root)
    if not journal.exists():
        return None
    finishing = journal.has(COMMITTED) and not journal.has(ROLLBACK)
    record = journal.read_record()
    count = 0 if record is None else len(record.ops)
    return Recovery("finished" if finishing else "rolled-back", count)


def recover(root: Path) -> Recovery | None:
    """Finish or roll back a run that was interrupted; None when there was nothing to recover.

    Before the commit point, the run is rolled back (its temp files removed, nothing else was
    touched). After it, the run is finished; if finishing fails, it is rolled back from the backups.
    Raises :class:`JournalError` when neither is possible; the journal is then kept.
    """
    journal = Journal(root)
    if not journal.exists():
        return None
    committed = journal.has(COMMITTED)
    rolling_back = journal.has(ROLLBACK)
    record = journal.read_record()
    if record is None:  # stopped before the record was written, or while removing the journal
        _remove(journal)
        return Recovery("finished" if committed and not rolling_back else "rolled-back", 0)
    count = len(record.ops)
    if not committed:
        _abandon(journal, record)
        return Recovery("rolled-back", count)
    if not rolling_back:
        try:
            roll_forward(root, record)
        except OSError:
            pass  # rolled back below
        else:
            _remove(journal)
            return Recovery("finished", count)
    _roll_back_committed(journal, record)
    return Recovery("rolled-back", count)


def _token() -> str:
    """A name for one run's temp files: 16 random hex digits (``secrets.token_hex(8)``, without
    loading ``secrets``, ~1.5 ms: random, base64, hmac)."""
    return os.urandom(8).hex()


def _check_root(root: Path) -> None:
    try:
        st = root.stat()
    except OSError as err:
        raise WriteError(
            f"cannot write into {str(root)!r}: {err.strerror}. Create the folder first."
        ) from err
    if not stat.S_ISDIR(st.st_mode):
        raise WriteError(f"cannot write into {str(root)!r}: it is not a folder.")


def _abandon(journal: Journal, record: Record) -> None:
    try:
        discard_temps(journal.root, record)
        journal.remove()
    except OSError as err:
        raise _stuck(journal, "removing the temp files", err) from err


def _roll_back_committed(journal: Journal, record: Record) -> None:
    try:
        journal.mark(ROLLBACK)
        roll_back(journal.root, record)
        journal.unmark(COMMITTED)
        journal.remove()
    except OSError as err:
        raise _stuck(journal, "restoring the backups", err) from err


def _remove(journal: Journal) -> None:
    try:
        journal.remove()
    except OSError as err:
        raise _stuck(journal, "removing the journal", err) from err


def _stuck(journal: Journal, step: str, err: OSError) -> JournalError:
    return JournalError(
        f"{step} failed ({_reason(journal.root, err)}). The journal {str(journal.path)!r} is kept: "
        "fix the cause, then run recovery again (every templsync command does at start)."
    )


def _reason(root: Path, err: OSError) -> str:
    reason = err.strerror or str(err)
    if err.filename is None:
        return reason
    return f"{_relative(root, err.filename)!r}: {reason}"


def _relative(root: Path, filename: object) -> str:
    name = os.fsdecode(filename) if isinstance(filename, str | bytes) else str(filename)
    return os.path.relpath(name, root)


def _write_error(root: Path, err: OSError) -> WriteError:
    return WriteError(
        f"could not write {_reason(root, err)}. Nothing was changed: the folder is as it was."
    )
