"""Adapters that touch the disk: reading a local folder into a Tree, and the one writer.

- :func:`read_tree` walks a folder, applying ignore rules as it goes, with an optional
  :class:`StatCache`.
- :func:`apply_plan` writes a Plan atomically through a journal; :func:`recover` finishes or rolls
  back a run that was interrupted. Every command that changes files goes through these two.
"""

from templsync._io.apply import ApplyReport, Recovery, apply_plan, recover
from templsync._io.journal import JOURNAL_DIR
from templsync._io.local import read_tree
from templsync._io.statcache import StatCache, default_cache_path

__all__ = [
    "JOURNAL_DIR",
    "ApplyReport",
    "Recovery",
    "StatCache",
    "apply_plan",
    "default_cache_path",
    "read_tree",
    "recover",
]
