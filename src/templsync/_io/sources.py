"""Template sources: every spelling Copier accepts, turned into versions and Trees.

:func:`resolve_source` decides what a ``SRC`` names, as Copier does:

- a URL (``https://…``, ``git@host:owner/repo``, ``gh:owner/repo``, ``gl:owner/repo``,
  ``git+https://…``, ``git+file://…``, ``file://…``) that is not an existing path: a remote,
  mirrored once into the cache (:mod:`templsync._io.gitmirror`) and fetched only when a ref is
  missing from the mirror or ``refresh`` is asked for;
- the top folder of a git repository (or a bare one): read from git objects, at any ref;
- a git bundle file: mirrored like a remote;
- any other folder: its files as they are (no versions, ``_commit`` is None), but for any
  ``.git`` in it (a broken repository, a nested one): a template's ``.git`` is never its file;
  ``HEAD`` names that too.

Copier includes a local repository's uncommitted changes when the ref it reads is ``HEAD`` (given,
or the default for a repository without version tags), so we do too: :class:`ResolvedVersion`
says ``dirty`` and :meth:`GitSource.tree` reads those files from disk, with Copier's
:class:`DirtyLocalWarning`. A repository with no commit yet is read that way too. Copier then
records ``git describe`` of a throw-away commit made of those changes, which no repository has; we
record ``git describe`` of ``HEAD``, which names a commit that exists, so a later update starts
from it (the changes included show as the project's own), and nothing for a repository with no
commit, as for a folder.

``src_path`` is what Copier records as ``_src_path``: the spelling exactly as it was given.

A Tree holds files only, so a version's empty folders are listed apart
(:meth:`TemplateSource.empty_folders`): a plain folder can have some, which Copier copies; git
keeps none.

A version's Tree holds its submodules' files, as Copier's checkout has them
(:mod:`templsync._io.submodules`).

Where we differ from Copier, on purpose:

- a remote's default version is the highest tag in the mirror; Copier asks the remote each time
  (``git ls-remote``). A tag pushed since the last fetch needs ``refresh`` (``--refresh``);
- a ref other than ``HEAD`` given for a folder is not ignored, as Copier ignores it: in a git
  repository the folder is read from that commit (``_commit`` still not recorded, as Copier
  writes for a folder); outside one it is an error (:class:`NoVersionsError`);
- ``https://``, ``http://``, ``ssh://`` and ``file://`` URLs on any host are remotes; Copier
  takes them only on GitHub and GitLab, or ending in ``.git``, or spelled ``git+…``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from packaging.version import Version

from templsync._core.ignore import IgnoreRules
from templsync._core.tree import Tree, normalize_path
from templsync._io.gitmirror import default_cache_dir, ensure_mirror, fetch
from templsync._io.gitrepo import (
    GitRepo,
    RefNotFoundError,
    discover_repo,
    is_repo_root,
    open_repo,
    parse_version,
)
from templsync._io.local import read_empty_folders, read_tree
from templsync._io.submodules import Submodules
from templsync._io.vcsurl import expand_url, strip_credentials
from templsync._warned import give
from templsync.errors import DirtyLocalWarning, UserError

_NO_GIT = IgnoreRules.of([".git"])
_DESCRIBED = re.compile(r"(.+)-(\d+)-g([0-9a-f]+)")


class SourceNotFoundError(UserError, ValueError):
    """A template source that is neither an existing path nor a URL (a ``ValueError`` in
    Copier too)."""


class NoVersionsError(UserError):
    """A ref was asked of a source that has no versions (a plain folder)."""


@dataclass(frozen=True)
class ResolvedVersion:
    """One version of a template: what to read, and what the answers file records."""

    ref: str | None  # the ref read: given, or the highest version tag, or "HEAD"
    commit: str | None  # the commit's full sha; None for a plain folder
    recorded: str | None  # ``_commit`` as Copier records it
    version: Version | None  # ``recorded`` as a PEP 440 version, when it reads as one
    dirty: bool = False  # a local repository at HEAD with uncommitted changes, included


class TemplateSource(Protocol):
    """Where a template comes from: its versions, and a version's files."""

    @property
    def src_path(self) -> str: ...

    def versions(self, *, prereleases: bool = False) -> list[tuple[Version, str]]: ...

    def resolve(self, ref: str | None = None, *, prereleases: bool = False) -> ResolvedVersion: ...

    def tree(self, version: ResolvedVersion, subdirectory: str | None = None) -> Tree: ...

    def empty_folders(self, version: ResolvedVersion) -> frozenset[str]:
        """The folders of ``version`` that hold no file (a Tree has files only)."""
        ...


def version_of(recorded: str) -> Version | None:
    """``_commit`` as the PEP 440 version Copier gives it (``Template.version``).

    A tag reads as its version; ``<tag>-<n>-g<sha>`` past a version tag reads as
    ``<tag>.post<n>.dev0+<sha>``, which is what Copier's dunamai gives when the nearest tag is a
    version. (When the nearest tag is not a version, dunamai looks further back for one; we
    say None.)
    """
    version = parse_version(recorded)
    if version is not None:
        return version
    described = _DESCRIBED.fullmatch(recorded)
    if described is None:
        return None
    base = parse_version(described[1])
    if base is None:
        return None
    return Version(f"{base}.post{described[2]}.dev0+{described[3]}")


@dataclass(frozen=True)
class FolderSource:
    """A folder that is not the top of a git repository: its files as they are, no versions.

    ``repo`` is the repository the folder is in (if any) and ``subdir`` where: a ref other than
    ``HEAD`` reads the folder from that commit (submodules' files included, their mirrors in
    ``cache_dir``).
    """

    src_path: str
    root: Path
    repo: GitRepo | None = None
    subdir: str = ""
    cache_dir: Path | None = None

    def versions(self, *, prereleases: bool = False) -> list[tuple[Version, str]]:
        return []

    def resolve(self, ref: str | None = None, *, prereleases: bool = False) -> ResolvedVersion:
        if ref is None or ref == "HEAD":
            return ResolvedVersion(ref=None, commit=None, recorded=None, version=None)
        if self.repo is None:
            raise NoVersionsError(
                f"the template {self.src_path!r} is a folder, not a git repository, so it has "
                f"no ref {ref!r}. Leave out --vcs-ref, or give a git repository."
            )
        return ResolvedVersion(ref=ref, commit=self.repo.resolve(ref), recorded=None, version=None)

    def tree(self, version: ResolvedVersion, subdirectory: str | None = None) -> Tree:
        if version.commit is not None and self.repo is not None:
            parts = [self.subdir] if self.subdir else []
            if subdirectory is not None:
                parts.append(normalize_path(subdirectory))
            submodules = Submodules(
                str(self.repo.workdir or self.root), self.cache_dir or default_cache_dir()
            )
            return self.repo.read_tree(
                version.commit, "/".join(parts) or None, submodules=submodules
            )
        if subdirectory is None:
            return read_tree(self.root, _NO_GIT)
        return read_tree(self.root / normalize_path(subdirectory), _NO_GIT)

    def empty_folders(self, version: ResolvedVersion) -> frozenset[str]:
        if version.commit is not None and self.repo is not None:
            return frozenset()  # read from a commit: git stores files only
        return read_empty_folders(self.root)


@dataclass(frozen=True)
class GitSource:
    """A git repository: a local one, or the cached mirror of a remote (``mirror`` set).

    ``cache_dir`` holds the mirrors of submodules (default: :func:`default_cache_dir`).
    """

    src_path: str
    repo: GitRepo
    mirror: Path | None = None
    cache_dir: Path | None = None

    def versions(self, *, prereleases: bool = False) -> list[tuple[Version, str]]:
        return self.repo.versions(prereleases=prereleases)

    def resolve(self, ref: str | None = None, *, prereleases: bool = False) -> ResolvedVersion:
        """``ref``, or the highest version tag (pre-releases when asked), else ``HEAD``.

        A ref missing from a mirror makes one fetch before it is an error.
        """
        chosen = ref if ref is not None else self.repo.default_ref(prereleases=prereleases)
        local = self.mirror is None and self.repo.workdir is not None
        if chosen == "HEAD" and local and self.repo.is_unborn():
            return ResolvedVersion("HEAD", None, None, None, dirty=True)
        try:
            commit = self.repo.resolve(chosen)
        except RefNotFoundError:
            if self.mirror is None:
                raise
            fetch(self.mirror)
            commit = self.repo.resolve(chosen)
        dirty = self.mirror is None and chosen == "HEAD" and self.repo.is_dirty()
        recorded = self.repo.describe(commit)
        # With no tag behind the commit, describe gives its short sha: no version, even when
        # it reads as one (1234567, 12345e6).
        version = None if commit.startswith(recorded) else version_of(recorded)
        return ResolvedVersion(chosen, commit, recorded, version, dirty)

    def tree(self, version: ResolvedVersion, subdirectory: str | None = None) -> Tree:
        submodules = Submodules(self._superproject_url(), self.cache_dir or default_cache_dir())
        if version.dirty:
            give(
                DirtyLocalWarning(
                    f"Dirty template changes included automatically: the uncommitted files of "
                    f"{self.src_path!r} are copied as they are."
                ),
                stacklevel=2,
            )
            return self.repo.working_tree(subdirectory, submodules=submodules)
        if version.commit is None:
            raise ValueError("a git source's version always has a commit")
        return self.repo.read_tree(version.commit, subdirectory, submodules=submodules)

    def _superproject_url(self) -> str:
        """What relative submodule URLs resolve against, as in Copier's clone of the template:
        a remote's URL, a local repository's path."""
        if self.mirror is not None:
            return self.repo.origin_url() or str(self.mirror)
        return str(self.repo.workdir or Path(self.repo.repo.path))

    def empty_folders(self, version: ResolvedVersion) -> frozenset[str]:
        return frozenset()  # git stores files only (a submodule is read as nothing)


def resolve_source(
    spec: str, *, cache_dir: Path | None = None, refresh: bool = False
) -> TemplateSource:
    """The template source ``spec`` names (see the module's documentation for the spellings).

    Remote sources are mirrored under ``cache_dir`` (default: :func:`default_cache_dir`);
    ``refresh`` fetches an existing mirror now. Raises :class:`SourceNotFoundError` when
    ``spec`` is neither an existing path nor a URL.
    """
    if not spec.strip():
        raise SourceNotFoundError("no template given. Pass a folder, a git repository or a URL.")
    url = expand_url(spec)
    if url is not None and not _exists(url):
        return _remote(spec, url, cache_dir, refresh)
    path = Path(url if url is not None else spec)
    if spec.startswith("~"):
        path = path.expanduser()
    if is_repo_root(path):
        return GitSource(spec, open_repo(path, where=repr(spec)), cache_dir=cache_dir)
    if path.is_dir():
        return _folder(spec, path, cache_dir)
    if path.is_file():  # Copier also takes a git bundle (and nothing else that is a file)
        if not is_bundle(path):
            raise SourceNotFoundError(
                f"the template {spec!r} is a file, not a git bundle: a template is a folder, a "
                "git repository, a git bundle or a git URL. Check the path."
            )
        return _remote(spec, str(path.absolute()), cache_dir, refresh)
    raise SourceNotFoundError(
        f"the template {strip_credentials(spec)!r} does not exist: it is neither a folder nor a "
        "git URL. Check the path, or spell a remote as https://…, git@host:owner/repo, "
        "gh:owner/repo or gl:owner/repo."
    )


def _folder(spec: str, path: Path, cache_dir: Path | None) -> FolderSource:
    """A folder, and the git repository it is in, if any (its working tree holds it)."""
    repo = discover_repo(path)
    top = None if repo is None else repo.workdir
    if repo is None or top is None:
        return FolderSource(spec, path)
    inside = path.resolve().relative_to(top.resolve()).as_posix()
    return FolderSource(spec, path, repo, "" if inside == "." else inside, cache_dir)


def _remote(spec: str, url: str, cache_dir: Path | None, refresh: bool) -> GitSource:
    mirror, cloned = ensure_mirror(url, cache_dir or default_cache_dir())
    if refresh and not cloned:
        fetch(mirror)
    repo = open_repo(mirror, where=repr(strip_credentials(spec)))
    return GitSource(spec, repo, mirror, cache_dir)


_BUNDLE_HEADERS = (b"# v2 git bundle\n", b"# v3 git bundle\n")


def is_bundle(path: Path) -> bool:
    """Whether the file ``path`` starts as a git bundle does (``git bundle verify`` then checks
    it all, when it is mirrored)."""
    try:
        with path.open("rb") as f:
            head = f.read(len(_BUNDLE_HEADERS[0]))
    except OSError:
        return False
    return head in _BUNDLE_HEADERS


def _exists(path: str) -> bool:
    try:
        return Path(path).exists()
    except OSError:
        return False
