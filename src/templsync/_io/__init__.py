"""Adapters that touch the disk: reading a local folder into a Tree, and the one writer.

- :func:`read_tree` walks a folder, applying ignore rules as it goes, with an optional
  :class:`StatCache`.
- :func:`apply_plan` writes a Plan atomically through a journal; :func:`recover` finishes or rolls
  back a run that was interrupted. Every command that changes files goes through these two.
- :func:`resolve_source` turns a template spelling (folder, local repo, remote URL mirrored in
  the cache) into a :class:`TemplateSource` whose versions are read into Trees from git objects.

The names below are loaded from their modules on first use (PEP 562 ``__getattr__``), so code
that only reads folders or writes plans never loads pygit2; code inside templsync imports them
from the defining modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from templsync._io.apply import ApplyReport, Recovery, apply_plan, recover
    from templsync._io.gitmirror import GitCommandError, default_cache_dir
    from templsync._io.gitrepo import GitRepo, GitRepoError, RefNotFoundError, open_repo
    from templsync._io.journaldir import JOURNAL_DIR
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
else:
    from templsync._lazy import lazy_exports

    _SOURCES = {
        "templsync._io.apply": ("ApplyReport", "Recovery", "apply_plan", "recover"),
        "templsync._io.gitmirror": ("GitCommandError", "default_cache_dir"),
        "templsync._io.gitrepo": ("GitRepo", "GitRepoError", "RefNotFoundError", "open_repo"),
        "templsync._io.journaldir": ("JOURNAL_DIR",),
        "templsync._io.local": ("read_tree",),
        "templsync._io.sources": (
            "FolderSource",
            "GitSource",
            "NoVersionsError",
            "ResolvedVersion",
            "SourceNotFoundError",
            "TemplateSource",
            "resolve_source",
        ),
        "templsync._io.statcache": ("StatCache", "default_cache_path"),
    }
    __getattr__, __dir__ = lazy_exports("templsync._io", _SOURCES, globals())


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
