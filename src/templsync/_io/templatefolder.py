"""A template version as a folder on disk, for the Jinja extensions that read the template's files.

Templates render from a Tree in memory. A few Jinja extensions need the version as a folder, as
Copier's clone gives it to them: ``copier_template_extensions.TemplateExtensionLoader`` imports
``extensions/context.py`` from its loader's ``searchpath``. The rules:

- a folder read as it is on disk is its own folder, and so is a local repository read at
  ``HEAD`` with its uncommitted changes (its working folder holds exactly the files the Tree
  was read from);
- any other version is a commit, written once from its Tree (its submodules' files included)
  to ``<cache>/versions/<commit>`` (``<commit>-<digest of the folder's path>`` for a folder of
  a repository read at a commit) and reused by every later run. A commit names its files, so
  the folder never goes stale; nothing writes into it once it is in place (its files are
  read-only; its folders are not, so the cache can be deleted as any folder can, and Python may
  keep an extension's compiled module beside it);
- it is written by the one writer's new-folder path: beside its place, then renamed in one step,
  so no run ever sees half a folder. When two runs make it at once, the second one's rename
  fails and it uses the first one's folder.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from templsync._core.tree import Mode, Tree
from templsync._io.newfolder import write_new_folder
from templsync._io.sources import FolderSource, GitSource, ResolvedVersion, TemplateSource
from templsync.errors import UserError, WriteError


class TemplateFolderError(UserError):
    """A template version could not be written to the cache as a folder."""


def versions_dir(cache_dir: Path) -> Path:
    """Where the folders of template versions live under ``cache_dir``."""
    return cache_dir / "versions"


def template_folder(
    source: TemplateSource, version: ResolvedVersion, tree: Tree, cache_dir: Path
) -> Path:
    """The folder holding ``version`` of ``source``, whose files are ``tree``; made if needed."""
    if isinstance(source, GitSource) and version.dirty and source.repo.workdir is not None:
        return source.repo.workdir
    if isinstance(source, FolderSource) and version.commit is None:
        return source.root
    if version.commit is None:
        raise ValueError("a template version read from git always has a commit")
    key = version.commit
    if isinstance(source, FolderSource) and source.subdir:
        key += (
            "-" + hashlib.sha256(source.subdir.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        )
    target = versions_dir(cache_dir) / key
    if target.is_dir():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_new_folder(target, tree, perms=_read_only(tree))
    except (OSError, WriteError) as err:
        if target.is_dir():  # another run made it meanwhile
            return target
        raise TemplateFolderError(
            f"cannot write version {version.recorded or version.commit} of the template to "
            f"{target}, where its Jinja extensions read it: {err}"
        ) from err
    return target


def _read_only(tree: Tree) -> dict[str, int]:
    """Every file's permission bits without write permission (executables stay executable)."""
    return {
        path: 0o555 if entry.mode is Mode.EXECUTABLE else 0o444
        for path, entry in tree.items()
        if entry.mode is not Mode.SYMLINK
    }
