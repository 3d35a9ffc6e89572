"""Carry out a sync plan on the two stores, and say what landed.

Rules this module keeps:

- Each side gets its deletions and the copies into it as batches bounded in bytes (content is
  held in memory only a batch at a time); the deletions go in the first, so a small change
  lands as one writer batch (one journal) per side, and the writer removes the folders they
  empty. Where a copy and a deletion cross (a file replacing a folder, or a folder a file),
  the deletions go alone first. Then merges and kept-both conflicts.
- Where both sides are folders (neither inside the other) and each side's change is one batch,
  the two batches land at the same time, the first on a thread of its own: a small batch is
  mostly waits for the disk, and the two sides' waits overlap. Each batch is still its own
  journal, whole or not at all; what either landed is taken in on the calling thread, also
  when the other failed. The two together hold no more content than one batch may.
- Every source is read as listed and every target re-checked just before it is overwritten or
  deleted (the stores do both): a file that changed during the run is left alone on both sides
  and reported as a conflict ``changed-during-run``; the next run sees it as a change.
- With backups on, each file is saved under ``<backup dir>/<side>/<path>`` before it is
  overwritten or deleted.
- Only what landed is recorded (``landed``): a failure part-way raises with the records of
  everything before it kept, for the caller to save.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from templsync._core.tree import FileEntry, Mode, parent_dirs
from templsync._io.fsutil import write_new_file
from templsync.progress import Progress
from templsync.storage.localstore import INLINE_BYTES, LocalStore
from templsync.storage.model import (
    LEFT,
    Action,
    ActionKind,
    ConflictKind,
    ConflictNote,
    Record,
    Side,
    Stat,
    SyncDirection,
    SyncPlan,
)
from templsync.storage.records import Landed
from templsync.storage.state import TEXT_LIMIT
from templsync.storage.store import CHANGED, Changed, Store, Write, WriteOutcome

BATCH_BYTES = 16 << 20
"""The most content one copy batch holds in memory: about 500 files of 32 KiB, still enough
for the writer to make them durable with one ``syncfs`` (``_io.fsutil.SYNCFS_FROM``)."""
BATCH_FILES = 2048

_SideWork = tuple[Side, Sequence[Action], Sequence[Action]]
"""A side to write, the deletions on it, and the copies into it."""


@dataclass
class Outcome:
    """What a plan's execution did, filled in as things land."""

    landed: Landed = field(default_factory=Landed)
    texts: dict[str, bytes] = field(default_factory=dict)
    pushed: list[str] = field(default_factory=list)
    pulled: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    deleted_local: list[str] = field(default_factory=list)
    deleted_remote: list[str] = field(default_factory=list)
    changed: list[ConflictNote] = field(default_factory=list)
    backed_up: list[str] = field(default_factory=list)
    bytes_sent: int = 0
    bytes_received: int = 0


@dataclass
class Backups:
    """Where overwritten and deleted files are kept: ``<root>/<side>/<path>``."""

    root: Path

    def save(self, side: Side, path: str, data: bytes) -> str:
        target = self.root / side.value / path
        target.parent.mkdir(parents=True, exist_ok=True)
        n = 1
        while target.exists():  # kept from an earlier run: this one goes beside it
            n += 1
            target = self.root / side.value / f"{path}.~{n}~"
        write_new_file(target, data)
        return str(target)


class Executor:
    def __init__(
        self,
        local: Store,
        remote: Store,
        *,
        direction: SyncDirection,
        jobs: int,
        backups: Backups | None,
        keep_texts: bool,
        progress: Progress,
    ) -> None:
        self.stores = {Side.LOCAL: local, Side.REMOTE: remote}
        self.may_write = {
            Side.LOCAL: direction is not SyncDirection.PUSH,
            Side.REMOTE: direction is not SyncDirection.PULL,
        }
        self.jobs = jobs
        self.backups = backups
        self.keep_texts = keep_texts
        self.progress = progress
        self.out = Outcome()
        self.total = 0
        self.done = 0

    def run(self, plan: SyncPlan) -> Outcome:
        out = self.out
        self.total = sum(1 for a in plan.actions if a.kind.writes)
        for action in plan.of(ActionKind.RECORD):
            assert action.local is not None and action.remote is not None
            out.landed.add(action.path, _record(action.local, action.remote))
        for action in plan.of(ActionKind.FORGET):
            out.landed.add(action.path, None)
        sides = [
            (Side.REMOTE, plan.of(ActionKind.DELETE_REMOTE), plan.of(ActionKind.PUSH)),
            (Side.LOCAL, plan.of(ActionKind.DELETE_LOCAL), plan.of(ActionKind.PULL)),
        ]
        if self._side_by_side(sides):
            self._both(sides)
        else:
            for target, deletes, copies in sides:
                self._into(target, deletes, copies)
        for action in plan.of(ActionKind.MERGE):
            self._merge(action)
        for action in plan.of(ActionKind.KEEP_BOTH):
            self._keep_both(action)
        return out

    # -- the steps -------------------------------------------------------------------------

    def _into(self, target: Side, deletes: Sequence[Action], copies: Sequence[Action]) -> None:
        """Delete ``deletes`` on ``target`` and copy ``copies`` into it, batch by batch."""
        for i, batch in enumerate(_side_batches(deletes, copies, target.other)):
            self._land(target, self._deletions(target, deletes) if i == 0 else [], batch)

    def _side_by_side(self, sides: Sequence[_SideWork]) -> bool:
        """Whether the two sides' batches can land at the same time: both are folders (apart,
        neither inside the other), each side's change is one batch, and both have one, which
        together hold no more than one batch may (:data:`BATCH_BYTES`)."""
        local, remote = self.stores[Side.LOCAL], self.stores[Side.REMOTE]
        if not (isinstance(local, LocalStore) and isinstance(remote, LocalStore)):
            return False
        if local.root.is_relative_to(remote.root) or remote.root.is_relative_to(local.root):
            return False
        size = 0
        for target, deletes, copies in sides:
            if not (deletes or copies) or len(_side_batches(deletes, copies, target.other)) > 1:
                return False
            size += sum(_size(a, target.other) for a in copies)
        return size <= BATCH_BYTES

    def _both(self, sides: Sequence[_SideWork]) -> None:
        """Each side's one batch, the two landing at the same time: most of a small batch is
        waiting for the disk (fsyncs), and the two sides' waits overlap. The first side's batch
        lands on a thread of its own as soon as its sources are read, while this thread reads
        the second's (other paths: a path has one action) and lands it. What landed is taken in
        afterwards, on this thread, in the same order as one side after the other."""
        from templsync._io import apply as _writer  # noqa: F401, PLC0415  # before the thread

        batches: list[tuple[Side, list[Write]]] = []
        landed: list[list[tuple[Write, WriteOutcome]]] = [[], []]
        failed: list[BaseException | None] = [None, None]

        def land(i: int) -> None:
            target, writes = batches[i]
            try:
                if writes:
                    self.stores[target].apply(writes, lambda w, o: landed[i].append((w, o)))
            except BaseException as err:  # raised below, once what landed is taken in
                failed[i] = err

        thread = threading.Thread(target=land, args=(0,), name="templsync-sync-side")
        try:
            for target, deletes, copies in sides:
                deletions = self._deletions(target, deletes)
                batches.append((target, [*deletions, *self._copy_writes(target.other, copies)]))
                if thread.ident is None:
                    thread.start()
            land(1)
        finally:
            try:
                if thread.ident is not None:
                    thread.join()
            except BaseException:  # interrupted while waiting: nothing may still be writing
                thread.join()
                raise
            finally:
                # ``batches`` is short when reading a side's sources failed
                for (target, _), outcomes, (_, _, copies) in zip(
                    batches, landed, sides, strict=False
                ):
                    done = self._landing(target, copies)
                    for write, outcome in outcomes:
                        done(write, outcome)
        for err in failed:
            if err is not None:
                raise err

    def _deletions(self, side: Side, actions: Sequence[Action]) -> list[Write]:
        writes = []
        for action in actions:
            listed = _on(action, side)
            assert listed is not None
            if self._backup(side, action.path, listed):
                writes.append(Write(action.path, None, listed))
            else:
                self._step()
        return writes

    def _land(self, target: Side, deletions: list[Write], copies: Sequence[Action]) -> None:
        """One batch into ``target``: its deletions, and its copies from the other side."""
        writes = [*deletions, *self._copy_writes(target.other, copies)]
        if writes:
            self.stores[target].apply(writes, self._landing(target, copies))

    def _landing(
        self, target: Side, copies: Sequence[Action]
    ) -> Callable[[Write, WriteOutcome], None]:
        """What takes in each write of a batch into ``target`` as it lands (or changed)."""
        source = target.other
        by_path = {a.path: a for a in copies}
        gone = self.out.deleted_local if target is Side.LOCAL else self.out.deleted_remote

        def done(write: Write, outcome: WriteOutcome) -> None:
            self._step()
            if outcome == CHANGED:
                self._changed(write.path, target)
            elif write.entry is None:
                gone.append(write.path)
                self.out.landed.add(write.path, None)
            else:
                self._copied(source, by_path[write.path], write, outcome)

        return done

    def _copy_writes(self, source: Side, actions: Sequence[Action]) -> list[Write]:
        target = source.other
        entries = self._load_all(source, actions)
        writes = []
        for action, entry in zip(actions, entries, strict=True):
            listed = _on(action, source)
            assert listed is not None
            if entry is None:
                self._changed(action.path, source)
                self._step()
                continue
            old = _on(action, target)
            if old is not None and not self._backup(target, action.path, old):
                self._step()
                continue
            writes.append(Write(action.path, entry, old, listed.mtime_ns))
            self._keep_text(entry, entry.content())
        return writes

    def _copied(self, source: Side, action: Action, write: Write, outcome: WriteOutcome) -> None:
        assert isinstance(outcome, Stat) and write.data is not None
        listed = _on(action, source)
        assert listed is not None and write.digest is not None
        src = listed.with_digest(write.digest)
        size = len(write.data)
        if source is Side.LOCAL:
            self.out.pushed.append(write.path)
            self.out.bytes_sent += size
            self.out.landed.add(write.path, _record(src, outcome))
        else:
            self.out.pulled.append(write.path)
            self.out.bytes_received += size
            self.out.landed.add(write.path, _record(outcome, src))

    def _merge(self, action: Action) -> None:
        data = action.data
        assert data is not None
        landed: dict[Side, Stat] = {}
        for side in (Side.LOCAL, Side.REMOTE):
            old = _on(action, side)
            if old is None or not self._backup(side, action.path, old):
                break
            outcome = self._write_one(side, write := Write.of(action.path, data, old))
            if outcome is None:
                break
            landed[side] = outcome
        self._step()
        if len(landed) < 2:
            self._changed(action.path, Side.LOCAL if Side.LOCAL not in landed else Side.REMOTE)
            return
        self.out.merged.append(action.path)
        self.out.bytes_sent += len(data)
        self.out.bytes_received += len(data)
        self._keep_text(write.entry, data)
        self.out.landed.add(action.path, _record(landed[Side.LOCAL], landed[Side.REMOTE]))

    def _keep_both(self, action: Action) -> None:
        """The winner at the path on both sides; the loser's version under ``rename``."""
        winner, rename = action.winner, action.rename
        assert winner is not None and rename is not None
        loser = winner.other
        won_stat, lost_stat = _on(action, winner), _on(action, loser)
        assert won_stat is not None and lost_stat is not None
        self._step()
        won = self._read(winner, action.path, won_stat)
        lost = self._read(loser, action.path, lost_stat)
        if won is None or lost is None:
            self._changed(action.path, winner if won is None else loser)
            return
        lost_write = Write.of(rename, lost, None, lost_stat.mtime_ns)
        kept = self._write_one(loser, lost_write)
        if kept is None:
            self._changed(rename, loser)
            return
        renamed: dict[Side, Stat] = {loser: kept}
        if self.may_write[winner]:
            there = self._write_one(winner, lost_write)
            if there is not None:
                renamed[winner] = there
        if len(renamed) == 2:
            self.out.landed.add(rename, _record(renamed[Side.LOCAL], renamed[Side.REMOTE]))
        won_write = Write.of(action.path, won, lost_stat, won_stat.mtime_ns)
        now = self._write_one(loser, won_write)
        if now is None:
            self._changed(action.path, loser)
            return
        assert won_write.entry is not None
        ours = won_stat.with_digest(won_write.entry.digest)
        pair = {winner: ours, loser: now}
        self.out.landed.add(action.path, _record(pair[Side.LOCAL], pair[Side.REMOTE]))
        (self.out.pulled if loser is Side.LOCAL else self.out.pushed).append(action.path)

    # -- helpers ---------------------------------------------------------------------------

    def _write_one(self, side: Side, write: Write) -> Stat | None:
        """One write; its new stat, or None when its target changed."""
        result: list[WriteOutcome] = []
        self.stores[side].apply([write], lambda _w, outcome: result.append(outcome))
        [outcome] = result
        if outcome is None or outcome == CHANGED:
            return None
        assert not isinstance(outcome, str)
        if write.data is not None:
            if side is Side.REMOTE:
                self.out.bytes_sent += len(write.data)
            else:
                self.out.bytes_received += len(write.data)
        return outcome

    def _read(self, side: Side, path: str, listed: Stat) -> bytes | None:
        try:
            return self.stores[side].read(path, listed)
        except Changed:
            return None

    def _load_all(self, side: Side, actions: Sequence[Action]) -> list[FileEntry | None]:
        """Each action's file on ``side``, read and hashed (None: it changed since listed).

        With ``jobs`` > 1 the files are split into that many runs, each read by a thread of
        its own: hashing releases the GIL, and one task per run instead of per file keeps the
        pool's own cost out of a run of small files. A folder is read by no more threads than
        there are cores: more would not hash faster, and each thread's allocator keeps the
        memory of the files it read (a batch's worth each, at worst) until the process ends;
        up to :data:`INLINE_BYTES` of it, by this thread alone (a pool costs more)."""

        def load(action: Action) -> FileEntry | None:
            listed = _on(action, side)
            assert listed is not None
            data = self._read(side, action.path, listed)
            if data is None:
                return None
            mode = Mode.EXECUTABLE if listed.executable else Mode.REGULAR
            return FileEntry.from_bytes(data, mode)

        jobs = min(self.jobs, len(actions) // 4)
        if isinstance(self.stores[side], LocalStore):
            jobs = min(jobs, os.cpu_count() or 1)
            if sum(_size(a, side) for a in actions) <= INLINE_BYTES:
                jobs = 1
        if jobs <= 1:
            return [load(a) for a in actions]
        from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415  # 6 ms, copies only

        step = -(-len(actions) // jobs)
        runs = [actions[i : i + step] for i in range(0, len(actions), step)]
        with ThreadPoolExecutor(len(runs), thread_name_prefix="templsync-sync") as pool:
            loaded = pool.map(lambda run: [load(a) for a in run], runs)
            return [entry for run in loaded for entry in run]

    def _backup(self, side: Side, path: str, listed: Stat) -> bool:
        """Keep the file about to be overwritten or deleted; False when it changed."""
        if self.backups is None:
            return True
        data = self._read(side, path, listed)
        if data is None:
            self._changed(path, side)
            return False
        self.out.backed_up.append(self.backups.save(side, path, data))
        return True

    def _keep_text(self, entry: FileEntry | None, data: bytes) -> None:
        if not (entry and self.keep_texts and len(data) <= TEXT_LIMIT):
            return
        from templsync._core.text import is_binary  # noqa: PLC0415  # difflib: --merge-text only

        if not is_binary(data):
            self.out.texts[entry.digest] = data

    def _changed(self, path: str, side: Side) -> None:
        """``path`` changed on ``side`` during the run: it is left as it is, for the next run."""
        del side  # both sides are left alone, whichever one moved
        self.out.changed.append(
            ConflictNote(path, ConflictKind.CHANGED_DURING_RUN, None, None, LEFT)
        )

    def _step(self) -> None:
        self.done += 1
        self.progress("transfer", self.done, self.total)


def _on(action: Action, side: Side) -> Stat | None:
    return action.local if side is Side.LOCAL else action.remote


def _record(local: Stat, remote: Stat) -> Record:
    digest = local.digest or remote.digest
    assert digest is not None
    return Record(local.size, digest, local.mtime_ns, remote.mtime_ns, remote.etag)


def _crossing(deletes: Sequence[Action], copies: Sequence[Action]) -> bool:
    """Whether a copy's path is a folder on the way to a deletion, or a deletion's path a
    folder on the way to a copy: a file replacing a folder, or a folder a file."""
    if not deletes or not copies:
        return False
    deleted = {a.path for a in deletes}
    holding = {d for path in deleted for d in parent_dirs(path)}
    return any(a.path in holding or any(d in deleted for d in parent_dirs(a.path)) for a in copies)


def _size(action: Action, side: Side) -> int:
    listed = _on(action, side)
    return 0 if listed is None else listed.size


def _side_batches(
    deletes: Sequence[Action], copies: Sequence[Action], source: Side
) -> list[Sequence[Action]]:
    """The copy batches of one side (copies from ``source``); the side's deletions ride with
    the first, so a small change lands as one batch per side; they go alone first (an empty
    first batch) when a copy would put a file where a deletion empties a folder, or the other
    way round."""
    batches: list[Sequence[Action]] = list(_batches(copies, source))
    if deletes and (not batches or _crossing(deletes, copies)):
        batches.insert(0, ())
    return batches


def _batches(actions: Sequence[Action], source: Side) -> Iterator[Sequence[Action]]:
    start, size = 0, 0
    for i, action in enumerate(actions):
        size += _size(action, source)
        if size >= BATCH_BYTES or i - start + 1 >= BATCH_FILES:
            yield actions[start : i + 1]
            start, size = i + 1, 0
    if start < len(actions):
        yield actions[start:]
