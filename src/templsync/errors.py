"""The one exception tree of templsync.

Every error templsync raises on purpose derives from :class:`TemplsyncError`.

- :class:`UserError` and its subclasses are problems the person running templsync can fix: the
  message says what went wrong, where (file, line, path) and what to do. The CLI prints the message
  and exits with code 1.
- :class:`ConflictsLeft` is not a failure of templsync: the work finished but left conflicts in
  files for a person to resolve. The CLI exits with code 2.
- Anything else that escapes is a bug: the CLI prints one line, writes the traceback to a log file
  and prints that file's path.

Third-party exceptions are translated at the adapter boundary with ``raise ... from err``.
"""

from __future__ import annotations

from collections.abc import Sequence


class TemplsyncError(Exception):
    """Root of every error templsync raises on purpose."""


class UserError(TemplsyncError):
    """A problem the user can fix; the message is written for a person."""


class InvalidPathError(UserError):
    """A path that is absolute, contains ``..``, or would leave the root."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"invalid path {path!r}: {reason}. Paths must be relative to the project root "
            "and stay inside it."
        )


class SymlinkError(UserError):
    """A symlink that leaves the root or forms a loop.

    ``link`` and ``target`` name a link that leaves the root and where it points (None for a
    loop), so a caller can say what the root is.
    """

    def __init__(self, message: str, *, link: str | None = None, target: str | None = None):
        self.link = link
        self.target = target
        super().__init__(message)


class ReadError(UserError):
    """A file or folder could not be read."""


class ChangedDuringRunError(UserError):
    """The files on disk changed between reading them and writing the result."""


class WriteError(UserError):
    """A file could not be written; the folder was left as it was."""


class JournalError(UserError):
    """An interrupted run left a journal that could not be finished or rolled back."""


class ConflictsLeft(TemplsyncError):
    """The work finished but left conflicts in files for a person to resolve."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = tuple(paths)
        listed = "\n".join(f"  {p}" for p in self.paths)
        super().__init__(f"{len(self.paths)} file(s) left with conflicts:\n{listed}")


__all__ = [
    "ChangedDuringRunError",
    "ConflictsLeft",
    "InvalidPathError",
    "JournalError",
    "ReadError",
    "SymlinkError",
    "TemplsyncError",
    "UserError",
    "WriteError",
]
