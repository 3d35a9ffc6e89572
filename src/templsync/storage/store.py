"""The small interface every side of a sync offers, whatever holds its files.

Two implementations: :class:`~templsync.storage.localstore.LocalStore` for a plain folder (one
``os.scandir`` walk, writes through templsync's one writer) and
:class:`~templsync.storage.remotestore.FsspecStore` for any fsspec URL (``s3://``, ``sftp://``,
``memory://`` ...). The sync logic only sees this Protocol, so a test passes a real store of
either kind and nothing is patched.

Rules every store keeps:

- ``listing`` skips what the sync must not see: its own temp files, the writer's journal, what
  the ignore rules exclude, and anything that is not a regular file (symlinks included).
- ``read`` and ``hash`` refuse a file that no longer matches the stat it was listed with
  (:class:`Changed`): a concurrent edit is a conflict, never silently copied.
- ``apply`` re-checks each target just before it is overwritten or deleted, and reports a
  target that changed since it was listed as :data:`CHANGED` instead of touching it. Every write
  is atomic: a reader sees the old file or the new one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal, Protocol

from templsync._core.ignore import IgnoreRules
from templsync.errors import UserError
from templsync.progress import Progress
from templsync.storage.model import Listing, Stat

if TYPE_CHECKING:
    from templsync._core.tree import FileEntry

TEMP_MARK = ".templsync-"
"""Names of the temp files and keys a store writes start with this (never synced)."""

CHANGED: Final = "changed"


class Changed(Exception):
    """The file is not the one that was listed: it changed during the run."""


class StoreError(UserError):
    """A store could not be reached, read or written (after the retries)."""


@dataclass(frozen=True)
class Write:
    """Put ``entry``'s content at ``path`` (None: delete it), which must still be ``expect``
    (None: nothing there). ``mtime_ns`` is the source's, for stores that can keep it.

    The entry holds the content in memory with its digest (:meth:`of` hashes it once), so no
    store hashes it again."""

    path: str
    entry: FileEntry | None = field(repr=False)
    expect: Stat | None
    mtime_ns: int | None = None

    @classmethod
    def of(
        cls,
        path: str,
        data: bytes,
        expect: Stat | None,
        mtime_ns: int | None = None,
        executable: bool = False,
    ) -> Write:
        from templsync._core.tree import FileEntry, Mode  # noqa: PLC0415  # only when writing

        mode = Mode.EXECUTABLE if executable else Mode.REGULAR
        return cls(path, FileEntry.from_bytes(data, mode), expect, mtime_ns)

    @property
    def data(self) -> bytes | None:
        return None if self.entry is None else self.entry.content()

    @property
    def digest(self) -> str | None:
        return None if self.entry is None else self.entry.digest

    @property
    def executable(self) -> bool:
        from templsync._core.tree import Mode  # noqa: PLC0415  # only when writing

        return self.entry is not None and self.entry.mode is Mode.EXECUTABLE


WriteOutcome = Stat | None | Literal["changed"]
"""What became of one write: the file's new stat (with its digest), None for a deletion, or
:data:`CHANGED` when the target changed since it was listed (nothing was done)."""


class Store(Protocol):
    url: str
    """The location as given, for messages."""
    racy_window_ns: int
    """How close to the listing an mtime may be before it cannot be trusted next time."""

    def listing(self, ignore: IgnoreRules, progress: Progress) -> Listing: ...

    def hash(self, path: str, listed: Stat) -> Stat:
        """``listed`` with its digest; raises :class:`Changed`."""
        ...

    def read(self, path: str, listed: Stat) -> bytes:
        """The content of ``path``, still as listed; raises :class:`Changed`."""
        ...

    def apply(self, writes: Sequence[Write], done: Callable[[Write, WriteOutcome], None]) -> None:
        """Carry out ``writes``, calling ``done`` for each one that finished (as it finishes,
        so what landed is known even when a later write fails and this raises)."""
        ...

    def recover(self) -> str | None:
        """Finish or undo what an interrupted run left; a sentence saying what, or None."""
        ...

    def close(self) -> None: ...
