"""The writer's journal folder in a root: its name, which every walk skips, and whether it is there.

They live apart from the journal itself (:mod:`templsync._io.journal`) and the writer that keeps
it, so a run that writes nothing (a sync that finds every file as it was) checks for an
interrupted write without loading either.
"""

from __future__ import annotations

from pathlib import Path

from templsync._io.fsutil import lstat_or_none

JOURNAL_DIR = ".templsync-journal"


def has_journal(root: Path) -> bool:
    """Whether ``root`` holds a journal: a write there is running, or was interrupted."""
    return lstat_or_none(root / JOURNAL_DIR) is not None
