"""Adapters that touch the disk: reading a local folder into a Tree, and the one writer.

- :func:`read_tree` walks a folder, applying ignore rules as it goes, with an optional
  :class:`StatCache`.
- :func:`apply_plan` writes a Plan atomically through a journal; :func:`recover` finishes or rolls
  back a run that was interrupted. Every command that changes files goes through these two.
- :func:`resolve_source` turns a template spelling (folder, local repo, remote URL mirrored in
  the cache) into a :class:`TemplateSource` whose versions are read into Trees from git objects.
"""

from templsync._io.apply import ApplyReport, Recovery, apply_plan, recover
from templsync._io.gitmirror import GitCommandError, default_cache_dir
from templsync._io.gitrepo import GitRepo, GitRepoError, RefNotFoundError, open_repo
from templsync._io.journal import JOURNAL_DIR
from templsync._io.local import read_tree
from templsync._io.sources import (
    FolderSource,
    GitSource,
    NoVersionsError,
    ResolvedVersion,
    SourceNotFoundError,
    TemplateSource,
    resolve_source,
)
from templsync._io.statcache import StatCache, default_cache_path

__all__ = [
    "JOURNAL_DIR",
    "ApplyReport",
    "FolderSource",
    "GitCommandError",
    "GitRepo",
    "GitRepoError",
    "GitSource",
    "NoVersionsError",
    "Recovery",
    "RefNotFoundError",
    "ResolvedVersion",
    "SourceNotFoundError",
    "StatCache",
    "TemplateSource",
    "apply_plan",
    "default_cache_dir",
    "default_cache_path",
    "open_repo",
    "read_tree",
    "recover",
    "resolve_source",
]
