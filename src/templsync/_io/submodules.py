"""A template's git submodules: the files of each gitlink, at the commit it records.

Copier checks a template out, then runs ``git submodule update --init --recursive --force``:
every submodule (whatever its ``update`` setting) at the commit the superproject records,
fetched from the URL that version's ``.gitmodules`` gives. We read the same files from git
objects, as :class:`Submodules` (a :class:`~templsync._io.gitrepo.SubmoduleReader`):

- a gitlink is found by its path in the ``.gitmodules`` beside it; one that file does not list
  has no URL, and is an error, as it is for git;
- a local repository's submodule is read from where git keeps it, when that has the commit:
  its git folder (``.git/modules/<name>``), else its checked-out folder;
- otherwise from its URL. A relative URL (``../lib.git``) is resolved against the
  superproject's URL as git does (:func:`~templsync._io.vcsurl.submodule_url`): a local
  template's path, a remote template's URL, as in Copier's clone. A repository on this machine
  is read in place; anything else through its mirror in the cache
  (:mod:`templsync._io.gitmirror`), fetched when the mirror lacks the commit;
- submodules of submodules are read the same way, each against its own superproject, down to
  :data:`MAX_DEPTH` levels;
- a submodule that cannot be had (its URL unreachable, the commit missing) is an error that
  names its path in the template and its URL.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from types import MappingProxyType

import pygit2

from templsync._core.tree import Tree
from templsync._io.gitmirror import GitCommandError, ensure_mirror, fetch, run_git
from templsync._io.gitrepo import GitRepo, GitRepoError, is_repo_root, open_repo
from templsync._io.vcsurl import strip_credentials, submodule_url
from templsync.errors import UserError

MAX_DEPTH = 8
_PREFIX = "submodule."


class SubmoduleError(UserError):
    """A submodule of the template that cannot be read; names its path and URL."""

    def __init__(self, path: str, url: str | None, problem: str) -> None:
        self.path = path
        self.url = url
        shown = f" ({strip_credentials(url)})" if url else ""
        super().__init__(f"the template's submodule {path!r}{shown}: {problem}")


@dataclass(frozen=True)
class Submodules:
    """Reads the submodules of one superproject (see the module's documentation).

    ``base_url`` is what the superproject's relative submodule URLs resolve against,
    ``prefix`` where the superproject sits in the template (for nested submodules).
    """

    base_url: str
    cache_dir: Path
    prefix: str = ""
    depth: int = 0

    def __call__(self, repo: GitRepo, path: str, commit: str, gitmodules: bytes | None) -> Tree:
        shown = self.prefix + path
        try:
            listed = _listed(gitmodules).get(path)
        except pygit2.GitError as err:
            raise SubmoduleError(shown, None, f"its .gitmodules cannot be read: {err}.") from err
        name, raw = listed if listed is not None else (path, None)
        if raw is None:
            raise SubmoduleError(
                shown,
                None,
                f"it records commit {commit}, but .gitmodules gives no URL for the path "
                f"{path!r}. Add the submodule with `git submodule add`, or remove it with "
                f"`git rm --cached {path}`.",
            )
        try:
            url = submodule_url(raw, self.base_url)
        except ValueError as err:
            raise SubmoduleError(shown, raw, f"{err}. Check its URL in .gitmodules.") from err
        if self.depth >= MAX_DEPTH:
            raise SubmoduleError(
                shown,
                url,
                f"it is nested {self.depth + 1} submodules deep; templsync reads submodules "
                f"down to {MAX_DEPTH} levels.",
            )
        found = _local(repo, name, path, commit) or _from_url(shown, url, commit, self.cache_dir)
        nested = Submodules(url, self.cache_dir, shown + "/", self.depth + 1)
        return found.read_tree(commit, submodules=nested)


@lru_cache(maxsize=32)
def _listed(gitmodules: bytes | None) -> Mapping[str, tuple[str, str | None]]:
    """``{path: (name, url)}`` of a ``.gitmodules`` file, read by libgit2's config parser."""
    if gitmodules is None:
        return MappingProxyType({})
    with tempfile.TemporaryDirectory(prefix="templsync-gitmodules-") as folder:
        file = Path(folder) / "gitmodules"
        file.write_bytes(gitmodules)
        values = [(e.name, e.value) for e in pygit2.Config(str(file))]
    paths: dict[str, str] = {}
    urls: dict[str, str] = {}
    for key, value in values:
        if not key.startswith(_PREFIX) or value is None:
            continue
        name, _, setting = key[len(_PREFIX) :].rpartition(".")
        if setting == "path":
            paths[name] = value
        elif setting == "url":
            urls[name] = value
    return MappingProxyType({path: (name, urls.get(name)) for name, path in paths.items()})


def _local(repo: GitRepo, name: str, path: str, commit: str) -> GitRepo | None:
    """The submodule from where a local superproject keeps it, if that has ``commit``."""
    candidates: list[tuple[Path, bool]] = []
    if ".." not in PurePosixPath(name).parts:  # git refuses such names; never leave .git
        candidates.append((Path(repo.repo.path) / "modules" / name, True))
    if repo.workdir is not None:
        candidates.append((repo.workdir / path, False))
    for candidate, bare in candidates:
        try:
            found = open_repo(candidate, bare=bare)
        except GitRepoError:
            continue
        if found.has_commit(commit):
            return found
    return None


def _from_url(shown: str, url: str, commit: str, cache_dir: Path) -> GitRepo:
    """The submodule from its URL: in place on this machine, else its mirror in the cache."""
    where = f"the submodule {shown!r}"
    if "://" not in url and is_repo_root(Path(url)):
        found = open_repo(Path(url), where=where)
        if found.has_commit(commit):
            return found
        raise _missing(shown, url, commit)
    try:
        mirror, cloned = ensure_mirror(url, cache_dir)
    except GitCommandError as err:
        raise SubmoduleError(
            shown,
            url,
            f"cannot get it: {_reason(err)}. Check its URL in .gitmodules and that you can "
            "reach it.",
        ) from err
    found = open_repo(mirror, where=where)
    if found.has_commit(commit):
        return found
    if not cloned:
        try:
            fetch(mirror)
        except GitCommandError as err:
            raise SubmoduleError(shown, url, f"cannot fetch it: {_reason(err)}.") from err
        found = open_repo(mirror, where=where)
        if found.has_commit(commit):
            return found
    try:  # a commit no branch or tag holds: servers that allow it send it when asked by id
        run_git("--git-dir", str(mirror), "fetch", "--quiet", "origin", commit)
    except GitCommandError:
        raise _missing(shown, url, commit) from None
    found = open_repo(mirror, where=where)
    if found.has_commit(commit):
        return found
    raise _missing(shown, url, commit)


def _missing(shown: str, url: str, commit: str) -> SubmoduleError:
    return SubmoduleError(
        shown,
        url,
        f"the template records its commit {commit}, which that repository does not have. "
        "Push the commit there, or record a commit it has.",
    )


def _reason(err: GitCommandError) -> str:
    detail = err.detail.strip()
    return detail.removeprefix("fatal: ").splitlines()[0] if detail else str(err)
