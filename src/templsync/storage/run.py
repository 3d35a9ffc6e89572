"""One sync of a (LOCAL, REMOTE) pair, start to end: lock, recover, list, hash, plan, apply, save.

Rules this module keeps:

- Nothing is written before the whole plan is known and checked: with ``dry_run`` nothing is
  written at all, and a plan deleting more than ``max_delete`` percent of either side is refused
  (changing nothing) unless ``force``.
- The state is saved at the end of every run that applied something, also when the run fails
  part-way: it then records exactly what landed (see :mod:`state`).
- Files that change while being hashed or read are left out of this run (a conflict
  ``changed-during-run``), never taken as deleted.
- Paths in sync on both sides (each as recorded) are set aside while listing
  (:func:`~templsync.storage.changes.to_plan`): hashing, planning and the delete limit's counts
  see them only as numbers, so a run that finds little changed makes few objects.
- A remote store is listed on a thread of its own while the local folder is walked. Two
  folders are walked at the same time in two processes where forking is safe (the remote one
  in a forked child, :mod:`apart`), else one after the other (in threads they take half as
  long again); a child that gives no whole answer is made up for by walking its side here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from templsync._core.ignore import IgnoreRules
from templsync.errors import UserError
from templsync.progress import Progress, no_progress
from templsync.storage.apart import WalkApart, in_child
from templsync.storage.changes import Scan, scan_listing, to_hash, to_plan
from templsync.storage.localstore import INLINE_BYTES, LocalStore
from templsync.storage.locations import location_key, open_local, open_remote
from templsync.storage.lock import pair_lock
from templsync.storage.model import (
    LEFT,
    ActionKind,
    ConflictKind,
    ConflictNote,
    Listing,
    Record,
    Side,
    Stat,
    SyncPlan,
    SyncResult,
    SyncStrategy,
)
from templsync.storage.planner import merge_candidates, merge_texts, plan_sync
from templsync.storage.records import NOTHING_KNOWN, Known, Records
from templsync.storage.state import StateFile, default_state_dir
from templsync.storage.store import Changed, Store

if TYPE_CHECKING:
    from templsync.storage.apply import Backups, Outcome

IGNORE_FILE = ".templsyncignore"
HASH_RUN = 64
"""The most files one hashing task takes (see :meth:`_Run._hash`)."""


class TooManyDeletesError(UserError):
    """A run would delete more than ``--max-delete`` percent of a side."""


def sync_paths(
    local: str | Path,
    remote: str | Path,
    strategy: SyncStrategy | None = None,
    *,
    progress: Progress = no_progress,
    stores: tuple[Store, Store] | None = None,
    walk_apart: WalkApart = in_child,
) -> SyncResult:
    """Sync the folder ``local`` with ``remote`` (a folder or an fsspec URL), as ``strategy`` says.

    ``stores`` replaces the two stores the spellings would open (the spellings still name the
    state); ``walk_apart`` walks a folder remote while the local folder is walked (see
    :mod:`~templsync.storage.apart`). Raises :class:`UserError` subclasses for what a person
    can fix.
    """
    strategy = strategy or SyncStrategy()
    if stores is None:
        stores = (
            open_local(local),
            open_remote(
                remote,
                timeout=strategy.timeout,
                retries=strategy.retry_attempts,
                retry_delay=strategy.retry_delay,
                jobs=strategy.jobs,
            ),
        )
    ours, theirs = stores
    state_dir = strategy.state_dir or default_state_dir()
    state_file = StateFile(state_dir, location_key(local), location_key(remote))
    try:
        with pair_lock(state_file.path.with_suffix(".lock"), timeout=strategy.lock_timeout):
            return _Run(ours, theirs, strategy, state_file, progress, walk_apart=walk_apart).run()
    finally:
        ours.close()
        theirs.close()


@dataclass(frozen=True)
class _Listed:
    """The paths a plan must look at: their records and each side's stat (see :func:`to_plan`),
    and how many files each side holds in all."""

    records: Mapping[str, Record]
    local: Listing
    remote: Listing
    left: tuple[str, ...]  # changed while being hashed: out of this run
    local_count: int
    remote_count: int


class _Run:
    def __init__(
        self,
        local: Store,
        remote: Store,
        strategy: SyncStrategy,
        state_file: StateFile,
        progress: Progress,
        *,
        walk_apart: WalkApart,
    ) -> None:
        self.local = local
        self.remote = remote
        self.strategy = strategy
        self.state_file = state_file
        self.progress = progress
        self.walk_apart = walk_apart
        self.stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())

    def run(self) -> SyncResult:
        strategy = self.strategy
        if not strategy.dry_run:
            self.local.recover()
            self.remote.recover()
        state = self.state_file.load()
        records = Records.of({}) if strategy.resync else state.records
        listed_at = time.time_ns()
        listed = self._list(records)
        merged = self._merge(listed, state.texts) if strategy.merge_text else {}
        plan = plan_sync(
            listed.records,
            listed.local,
            listed.remote,
            direction=strategy.direction,
            strategy=strategy.conflict_strategy,
            stamp=self.stamp,
            merged=merged,
        )
        self._check_deletes(plan, listed)
        left = tuple(
            ConflictNote(p, ConflictKind.CHANGED_DURING_RUN, None, None, LEFT) for p in listed.left
        )
        if strategy.dry_run:
            return _dry_result(plan, left)
        if not plan.actions and not strategy.resync:  # nothing to carry out, nothing to save
            return SyncResult(conflicts=(*plan.conflicts, *left))
        from templsync.storage.apply import Executor  # noqa: PLC0415  # only when there is work

        executor = Executor(
            self.local,
            self.remote,
            direction=strategy.direction,
            jobs=strategy.jobs,
            backups=self._backups(),
            keep_texts=strategy.merge_text,
            progress=self.progress,
        )
        conflicts = plan.conflicts
        del listed  # the listings go with the plan, before the state is built
        try:
            out = executor.run(plan)
        finally:
            del plan
            self._save(records, executor.out, dict(state.texts), listed_at)
        return _result(conflicts, out, left)

    def _list(self, records: Records) -> _Listed:
        rules = _ignore_rules(self.strategy, self.local)
        expected = max(len(records), 1)
        progress = _estimated(self.progress, expected)
        checksum = self.strategy.checksum

        def known(side: Side) -> Known:
            return NOTHING_KNOWN if checksum else records.known(side)

        ours, theirs = self._scan_both(rules, progress, known)
        base, local, remote = to_plan(records, ours, theirs)
        counts = ours.count, theirs.count
        want_local, want_remote = to_hash(base, local, remote, checksum=checksum)
        left: set[str] = set()
        self._hash(self.local, local, want_local, left)
        self._hash(self.remote, remote, want_remote, left)
        if not left:
            return _Listed(base, local, remote, (), *counts)
        return _Listed(
            {p: r for p, r in base.items() if p not in left},
            {p: s for p, s in local.items() if p not in left},
            {p: s for p, s in remote.items() if p not in left},
            tuple(sorted(left)),
            *counts,
        )

    def _scan_both(
        self, rules: IgnoreRules, progress: Progress, known: Callable[[Side], Known]
    ) -> tuple[Scan, Scan]:
        """Both sides' scans, the remote one listed or walked while the local folder is."""

        def ours() -> Scan:
            return _scan(self.local, rules, progress, known(Side.LOCAL))

        def theirs(progress: Progress = progress) -> Scan:
            return _scan(self.remote, rules, progress, known(Side.REMOTE))

        if isinstance(self.remote, LocalStore):
            # In two threads, two folder walks take turns at the interpreter's lock (slower than
            # one after the other); in two processes they run side by side.
            apart = self.walk_apart(lambda: theirs(no_progress))
            if apart is None:
                return ours(), theirs()
            with apart:
                local = ours()
                remote = apart.result()
            return local, (remote if remote is not None else theirs())
        # A store's listing waits on the network: the folder is walked meanwhile.
        box: list[Scan | BaseException] = []

        def remote_scan() -> None:
            try:
                box.append(theirs())
            except BaseException as err:  # handed to the main thread below
                box.append(err)

        thread = threading.Thread(target=remote_scan, name="templsync-list-remote")
        thread.start()
        try:
            local = ours()
        finally:
            thread.join()
        if isinstance(box[0], BaseException):
            raise box[0]
        return local, box[0]

    def _hash(self, store: Store, listing: Listing, paths: list[str], left: set[str]) -> None:
        """Hash ``paths`` on ``store`` into ``listing``; a file that changed goes to ``left``.

        The paths go to the threads in runs of up to :data:`HASH_RUN` (enough runs that every
        thread has several): one task per file costs more in the pool's locking than hashing a
        small local file does. A few small files of a folder (one run, no more than
        :data:`INLINE_BYTES` in all) are hashed here, with no pool; a remote store's calls
        wait on the network, so they always go to the threads."""
        if not paths:
            return
        total = len(paths)
        done = 0

        def some(run: list[str]) -> list[tuple[str, Stat | None]]:
            hashed: list[tuple[str, Stat | None]] = []
            for path in run:
                try:
                    hashed.append((path, store.hash(path, listing[path])))
                except Changed:
                    hashed.append((path, None))
            return hashed

        def take(results: list[tuple[str, Stat | None]]) -> None:
            nonlocal done
            for path, stat in results:
                if stat is None:
                    left.add(path)
                else:
                    listing[path] = stat
            done += len(results)
            self.progress("hash", done, total)

        if (
            isinstance(store, LocalStore)
            and total <= HASH_RUN
            and sum(listing[p].size for p in paths) <= INLINE_BYTES
        ):
            take(some(paths))
            return
        jobs = self.strategy.jobs
        step = max(1, min(HASH_RUN, total // (4 * jobs)))
        runs = [paths[i : i + step] for i in range(0, total, step)]
        from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415  # 6 ms, when hashing

        with ThreadPoolExecutor(min(jobs, len(runs))) as pool:
            for results in pool.map(some, runs):
                take(results)

    def _merge(self, listed: _Listed, texts: Mapping[str, bytes]) -> dict[str, bytes]:
        paths = merge_candidates(listed.records, listed.local, listed.remote, texts)
        base, ours, theirs = {}, {}, {}
        for path in paths:
            try:
                ours[path] = self.local.read(path, listed.local[path])
                theirs[path] = self.remote.read(path, listed.remote[path])
            except Changed:
                continue  # the plan still sees a conflict; the apply step finds it changed
            base[path] = texts[listed.records[path].digest]
        return merge_texts(base, ours, theirs) if base else {}

    def _check_deletes(self, plan: SyncPlan, listed: _Listed) -> None:
        limit = self.strategy.max_delete
        if self.strategy.force or self.strategy.dry_run:
            return
        sides = (
            ("local", plan.of(ActionKind.DELETE_LOCAL), listed.local_count, self.local.url),
            ("remote", plan.of(ActionKind.DELETE_REMOTE), listed.remote_count, self.remote.url),
        )
        for name, deletes, count, url in sides:
            total = max(count, 1)
            if deletes and 100 * len(deletes) > limit * total:
                share = 100 * len(deletes) / total
                raise TooManyDeletesError(
                    f"this run would delete {len(deletes)} of {total} files ({share:.0f}%) on the "
                    f"{name} side ({url!r}), more than --max-delete {limit:g}%. Nothing was "
                    "changed. Check that the other side is the right location; if the deletions "
                    "are wanted, run again with --force (or a higher --max-delete)."
                )

    def _backups(self) -> Backups | None:
        from templsync.storage.apply import Backups  # noqa: PLC0415  # with the Executor

        if self.strategy.backup_dir is not None:
            return Backups(self.strategy.backup_dir)
        if self.strategy.backup_on_conflict:
            return Backups(self.state_file.path.with_suffix(".backups") / self.stamp)
        return None

    def _save(
        self,
        records: Records,
        out: Outcome,
        texts: dict[str, bytes],
        listed_at: int,
    ) -> None:
        if not out.landed and not self.strategy.resync:
            return
        windows = (self.local.racy_window_ns, self.remote.racy_window_ns)
        texts.update(out.texts)
        self.state_file.save(records.after(out.landed, listed_at, windows), texts)


def _scan(store: Store, rules: IgnoreRules, progress: Progress, known: Known) -> Scan:
    """``store``'s files against ``known``: a folder compares as it walks, any other store
    compares its whole listing."""
    if isinstance(store, LocalStore):
        return store.scan(rules, progress, known)
    return scan_listing(store.listing(rules, progress), known)


def _ignore_rules(strategy: SyncStrategy, local: Store) -> IgnoreRules:
    groups: list[Iterable[str]] = []
    if strategy.include:
        groups.append(["*", "!*/", *(f"!{p}" for p in strategy.include)])
    groups.append(strategy.exclude)
    root = getattr(local, "root", None)
    if isinstance(root, Path):
        try:
            groups.append((root / IGNORE_FILE).read_text(encoding="utf-8").splitlines())
        except (FileNotFoundError, NotADirectoryError):
            pass
        except (OSError, UnicodeDecodeError) as err:
            raise UserError(f"cannot read {str(root / IGNORE_FILE)!r}: {err}.") from err
    return IgnoreRules.of(*groups)


def _estimated(progress: Progress, expected: int) -> Progress:
    """Listing stages report no total: the last state's size stands in for it."""

    def report(stage: str, done: int, total: int) -> None:
        progress(stage, done, total or max(expected, done + 1))

    return report


def _dry_result(plan: SyncPlan, left: tuple[ConflictNote, ...]) -> SyncResult:
    def paths(*kinds: ActionKind) -> tuple[str, ...]:
        return tuple(a.path for a in plan.of(*kinds))

    keep_both = plan.of(ActionKind.KEEP_BOTH)
    return SyncResult(
        pushed=(*paths(ActionKind.PUSH), *(a.path for a in keep_both if a.winner == "local")),
        pulled=(*paths(ActionKind.PULL), *(a.path for a in keep_both if a.winner == "remote")),
        merged=paths(ActionKind.MERGE),
        deleted_local=paths(ActionKind.DELETE_LOCAL),
        deleted_remote=paths(ActionKind.DELETE_REMOTE),
        conflicts=(*plan.conflicts, *left),
        bytes_sent=sum(a.local.size for a in plan.of(ActionKind.PUSH) if a.local),
        bytes_received=sum(a.remote.size for a in plan.of(ActionKind.PULL) if a.remote),
        dry_run=True,
    )


def _result(
    planned: tuple[ConflictNote, ...], out: Outcome, left: tuple[ConflictNote, ...]
) -> SyncResult:
    changed = {c.path for c in out.changed}
    return SyncResult(
        pushed=tuple(out.pushed),
        pulled=tuple(out.pulled),
        merged=tuple(out.merged),
        deleted_local=tuple(out.deleted_local),
        deleted_remote=tuple(out.deleted_remote),
        conflicts=(
            *(c for c in planned if c.path not in changed),
            *left,
            *out.changed,
        ),
        backed_up=tuple(out.backed_up),
        bytes_sent=out.bytes_sent,
        bytes_received=out.bytes_received,
    )
