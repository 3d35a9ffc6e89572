"""Everything the writer does before the commit point: the record, the temp files, the backups.

None of it changes what the folder holds: temp files have names of their own (or live in the
journal), and backups are hard links inside the journal. Every piece of new content is loaded and
checked against its digest here, before any old file is replaced or deleted.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

from templsync._core.plan import OpKind, Plan, PlanOp
from templsync._core.tree import Mode
from templsync._io.check import Layout
from templsync._io.fsutil import (
    FSYNC_PARALLEL_FROM,
    SYNCFS_FROM,
    can_sync_filesystem,
    fsync_dir_if_present,
    fsync_dirs,
    fsync_file,
    sync_filesystem,
    write_new_file,
)
from templsync._io.hashing import changed_error
from templsync._io.journal import TEMP_PREFIX, Journal, JournalOp, Record
from templsync._io.journaldir import JOURNAL_DIR
from templsync._io.statcache import signature
from templsync._io.threads import for_each


def with_exec_bit(perm: int, executable: bool) -> int:
    """``perm`` made executable (x wherever r is, and for the owner) or not executable."""
    if executable:
        return perm | stat.S_IXUSR | ((perm & 0o444) >> 2)
    return perm & ~0o111


def build_record(
    plan: Plan,
    layout: Layout,
    journal: Journal,
    token: str,
    perms: Mapping[str, int] = MappingProxyType({}),
) -> Record:
    """The journal's record of ``plan``: each path's temp file, backup and permission bits.

    A regular file gets its bits from ``perms``, else from the file it replaces, its executable
    bit set or cleared as the plan says.
    """
    ops = []
    for i, op in enumerate(plan.ops):
        found = layout.found.get(op.path)
        old_perm = None if found is None else found.perm
        new_perm = None
        if op.new is not None and not op.new.is_symlink:
            executable = op.new.mode is Mode.EXECUTABLE
            given = perms.get(op.path)
            if given is not None and bool(given & stat.S_IXUSR) == executable:
                new_perm = given
            elif (perm := old_perm if given is None else given) is not None:
                new_perm = with_exec_bit(perm, executable)
        temp = None
        if op.kind is OpKind.WRITE:
            if op.path in layout.staged:
                temp = journal.scratch("staging", str(i))
            else:
                temp = posixpath.join(posixpath.dirname(op.path), f"{TEMP_PREFIX}{token}-{i}")
        backup = None if found is None else journal.scratch("backup", str(i))
        old_sig = None if found is None else found.sig
        ops.append(JournalOp(op.kind, op.path, temp, backup, old_perm, new_perm, old_sig))
    return Record(token, tuple(ops), layout.created_dirs, layout.removed_dirs)


def prepare_temps(root: Path, plan: Plan, record: Record, *, also: Iterable[Path] = ()) -> None:
    """Write every new file and symlink at its temp path, durably.

    The files are written one after the other, then made durable: many (:data:`SYNCFS_FROM` or
    more) together by one ``syncfs`` of the file system; fewer by an fsync of each and of each
    folder holding one, from threads at once (the file system commits concurrent fsyncs
    together). Either way every temp file and its name are on disk before this returns, so
    before the commit point: a crash after it finishes the plan with complete files. Measured
    in docs/writer.md. The folders ``also`` names (the backups', the journal's) are made
    durable with them.
    """
    jobs = [
        (root / jop.temp, op, jop)
        for op, jop in zip(plan.ops, record.ops, strict=True)
        if jop.temp is not None
    ]
    for temp, _, jop in jobs:
        if jop.temp is not None and jop.temp.startswith(JOURNAL_DIR + "/"):
            temp.parent.mkdir(exist_ok=True)  # the staging folder
            break
    for job in jobs:
        _write_job(root, job)
    if len(jobs) >= SYNCFS_FROM and can_sync_filesystem():
        sync_filesystem(root)
        return
    files = [(temp, root / op.path) for temp, op, _ in jobs if op.new and not op.new.is_symlink]
    folders = sorted({root, *also} | {temp.parent for temp, _, _ in jobs})
    durable: list[tuple[Path, Path | None]] = [*files, *((folder, None) for folder in folders)]
    for_each(_make_durable, durable, parallel_from=FSYNC_PARALLEL_FROM)


def _write_job(root: Path, job: tuple[Path, PlanOp, JournalOp]) -> None:
    temp, op, jop = job
    try:
        _write_temp(temp, op, jop)
    except OSError as err:  # name the file the person knows, not its temp file
        raise type(err)(err.errno, err.strerror, os.fspath(root / op.path)) from err


def _make_durable(job: tuple[Path, Path | None]) -> None:
    """fsync a temp file (``job``: it and its target, for messages) or a folder holding some
    (``job``: it and None)."""
    path, target = job
    if target is None:
        fsync_dir_if_present(path)
        return
    try:
        fsync_file(path)
    except OSError as err:  # name the file the person knows, not its temp file
        raise type(err)(err.errno, err.strerror, os.fspath(target)) from err


def _write_temp(temp: Path, op: PlanOp, jop: JournalOp) -> None:
    new = op.new
    assert new is not None
    data = new.verified_content()
    if data is None:
        raise changed_error(op.path, "has new content that no longer matches what was planned")
    if new.is_symlink:
        temp.symlink_to(os.fsdecode(data))
    elif jop.new_perm is not None:
        write_new_file(temp, data, jop.new_perm, exact=True, sync=False)
    else:
        write_new_file(temp, data, 0o777 if new.mode is Mode.EXECUTABLE else 0o666, sync=False)


def make_backups(root: Path, record: Record, layout: Layout, *, sync: bool = True) -> set[Path]:
    """Save every path the plan replaces or deletes into the journal, then check it is unchanged.

    Returns the folders holding the backups: made durable here, unless ``sync`` is false (the
    caller then hands them to :func:`prepare_temps`, which makes them durable with the temp
    files)."""
    folders = set()
    for jop in record.ops:
        if jop.backup is None:
            continue
        source = root / jop.path
        backup = root / jop.backup
        backup.parent.mkdir(exist_ok=True)
        folders.add(backup.parent)
        save_copy(source, backup)
        if signature(source.lstat()) != layout.found[jop.path].sig:
            raise changed_error(jop.path, "changed")
    if sync:
        fsync_dirs(folders, at_once=len(record.ops) < SYNCFS_FROM)  # see fsutil.sync_folders
    return folders


def save_copy(source: Path, dest: Path) -> None:
    """A hard link of ``source`` at ``dest`` (a symlink is linked, not followed), else a copy."""
    try:
        os.link(source, dest, follow_symlinks=False)
        return
    except OSError:
        pass
    import shutil  # noqa: PLC0415  # 2 ms, only where a hard link cannot be made

    shutil.copy2(source, dest, follow_symlinks=False)
    if not dest.is_symlink():
        fd = os.open(dest, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
