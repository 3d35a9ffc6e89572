"""The last-sync state of one (LOCAL, REMOTE) pair: where it lives, loading it, saving it.

Rules this module keeps:

- The state lives in ``--state-dir`` (default: ``sync/`` in templsync's cache folder), in a file
  named by a hash of the pair, so two pairs never share one (``<hash>.state``; a version-1
  ``<hash>.json`` is read when there is no other, and removed once the state is saved again).
- Saving is atomic (temp file, fsync, rename): a crash leaves the old state or the new one.
- The state changes only for paths that landed (:meth:`Records.after`): a run killed at any
  point leaves the records of what it did not finish as they were, so the next run sees the
  same changes again (and finds identical files where a copy landed unrecorded), never
  deletions.
- A record whose mtime is too close to the moment it was listed is saved as ``RACY``: a file
  edited again within the clock's granularity keeps its size and mtime, so it is hashed next time.
- Text contents kept for ``--merge-text`` live beside the file, one per digest; those no record
  points to any more are removed when the state is saved.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from templsync._io.fsutil import write_atomic
from templsync.errors import UserError
from templsync.storage import codec
from templsync.storage.model import Record
from templsync.storage.records import Records

TEXT_LIMIT = 64 * 1024
"""Text files up to this size keep their content in the state with ``--merge-text``."""


class StateError(UserError):
    """The state file exists but cannot be read."""


def _no_records() -> Records:
    return Records.of({})


@dataclass(frozen=True)
class State:
    """Every path the last syncs landed, and the content of the small text files among them
    (by digest; kept only for ``--merge-text``)."""

    records: Records = field(default_factory=_no_records)
    texts: Mapping[str, bytes] = field(default_factory=dict)


def default_state_dir() -> Path:
    base = os.environ.get("TEMPLSYNC_CACHE_DIR")
    if not base:
        import platformdirs  # noqa: PLC0415  # 5 ms, and only without --state-dir

        base = platformdirs.user_cache_dir("templsync")
    return Path(base) / "sync"


def pair_key(local: str, remote: str) -> str:
    """A name for the pair: the same two locations always give the same name."""
    joined = f"{local}\0{remote}".encode("utf-8", "surrogateescape")
    return hashlib.sha256(joined).hexdigest()[:24]


class StateFile:
    """The state file of one pair (and its folder of kept texts)."""

    def __init__(self, folder: Path, local: str, remote: str) -> None:
        self.local = local
        self.remote = remote
        key = pair_key(local, remote)
        self.path = folder / f"{key}.state"
        self.legacy_path = folder / f"{key}.json"
        self.texts_dir = folder / f"{key}.texts"

    def load(self) -> State:
        """The saved state; an empty one when there is none (a first run)."""
        path = self.path
        try:
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                path = self.legacy_path
                data = path.read_bytes()
        except FileNotFoundError:
            return State()
        except OSError as err:
            raise StateError(f"cannot read the sync state {str(path)!r}: {err.strerror}.") from err
        try:
            records, digests = codec.decode(data)
        except (ValueError, TypeError, KeyError) as err:
            raise StateError(
                f"the sync state {str(path)!r} is damaged ({err}). Delete it and run "
                "again with --resync: files that differ then become conflicts, nothing is "
                "deleted."
            ) from err
        texts = {}
        for digest in digests:
            try:
                texts[digest] = (self.texts_dir / digest).read_bytes()
            except OSError:
                continue  # a lost text only means that file is not merged line-wise
        return State(records, texts)

    def save(self, records: Mapping[str, Record], texts: Mapping[str, bytes]) -> None:
        """Write the state atomically; keep the texts of the records' digests, drop the rest."""
        records = Records.of(records)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        used = records.digest_set() if texts else set()
        kept = [d for d in texts if d in used]
        if kept:
            self.texts_dir.mkdir(exist_ok=True)
            for digest in kept:
                target = self.texts_dir / digest
                if not target.exists():
                    write_atomic(target, texts[digest])
        data = codec.encode(records, kept, local=self.local, remote=self.remote)
        write_atomic(self.path, data)
        self.legacy_path.unlink(missing_ok=True)
        self._prune(set(kept))

    def _prune(self, kept: Iterable[str]) -> None:
        keep = set(kept)
        try:
            files = list(self.texts_dir.iterdir())
        except FileNotFoundError:
            return
        for file in files:
            if file.name not in keep:
                file.unlink(missing_ok=True)
