"""Branches and commits made through pygit2, for the commands that write to a repository's history.

Two ways, each on a :class:`~templsync._io.gitrepo.GitRepo`:

- :func:`commit_tree` records a whole Tree as the next commit of a branch (its tip, if any, as
  the parent) straight into the object database: no working tree, index or ``HEAD`` is touched,
  so a generated branch (``templatize --branch copier``) is made beside the work in progress;
- :func:`start_branch` makes a branch at ``HEAD`` and checks it out (the files stay as they are:
  the branch holds the same commit), and :func:`commit_paths` stages the paths a command wrote
  and commits them on it, as ``git add -A -- PATHS && git commit`` would.

The author and committer are git's: ``GIT_AUTHOR_NAME``/``GIT_AUTHOR_EMAIL`` (and the
committer's) from the environment, else ``user.name``/``user.email`` from git's configuration;
without either the commit is refused with the commands that set them. Hooks do not run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pygit2
from pygit2.enums import FileMode

from templsync._core.tree import Mode, Tree
from templsync._io.gitrepo import GitRepo, GitRepoError

__all__ = ["BranchExistsError", "commit_paths", "commit_tree", "start_branch"]

_FILE_MODES = {
    Mode.REGULAR: FileMode.BLOB,
    Mode.EXECUTABLE: FileMode.BLOB_EXECUTABLE,
    Mode.SYMLINK: FileMode.LINK,
}


class BranchExistsError(GitRepoError):
    """The branch to start exists already."""


def _signature(repo: pygit2.Repository, role: str, where: str) -> pygit2.Signature:
    name = os.environ.get(f"GIT_{role}_NAME")
    email = os.environ.get(f"GIT_{role}_EMAIL")
    if name is None or email is None:
        config = repo.config
        try:
            name = name if name is not None else str(config["user.name"])
            email = email if email is not None else str(config["user.email"])
        except KeyError:
            raise GitRepoError(
                f"git does not know who commits in {where}. Set it, then run the command "
                'again:\n  git config --global user.name "Your Name"\n'
                "  git config --global user.email you@example.com"
            ) from None
    return pygit2.Signature(name, email)


def _branch_ref(repo: GitRepo, branch: str) -> str:
    ref = f"refs/heads/{branch}"
    if not branch or not pygit2.reference_is_valid_name(ref):
        raise GitRepoError(f"{branch!r} is not a valid branch name in {repo.where}.")
    return ref


def _write_tree(repo: pygit2.Repository, tree: Tree) -> pygit2.Oid:
    """``tree`` as git tree objects (blobs written when the database lacks them)."""
    folders: dict[str, dict[str, tuple[pygit2.Oid, int]]] = {"": {}}
    for path, entry in tree.items():
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folders.setdefault("/".join(parts[:depth]), {})
        oid = pygit2.Oid(hex=entry.digest)
        if oid not in repo.odb:
            oid = repo.create_blob(entry.content())
        folder = "/".join(parts[:-1])
        folders[folder][parts[-1]] = (oid, _FILE_MODES[entry.mode])
    for folder in sorted(folders, key=lambda f: f.count("/") if f else -1, reverse=True):
        builder = repo.TreeBuilder()
        for name, (oid, mode) in folders[folder].items():
            builder.insert(name, oid, mode)
        written = builder.write()
        if folder:
            parent, _, name = folder.rpartition("/")
            folders[parent][name] = (written, FileMode.TREE)
        else:
            return written
    raise AssertionError("the root folder is always written last")  # pragma: no cover


def commit_tree(repo: GitRepo, branch: str, tree: Tree, message: str) -> str | None:
    """Commit ``tree`` as the whole content of ``branch``; None when its tip has that content.

    Refused when ``branch`` is checked out (its working tree would no longer match it).
    """
    raw = repo.repo
    ref = _branch_ref(repo, branch)
    if not raw.head_is_unborn and not raw.head_is_detached and raw.head.name == ref:
        raise GitRepoError(
            f"the branch {branch!r} is checked out in {repo.where}; it is written without a "
            "checkout. Switch to another branch first, or name another one."
        )
    oid = _write_tree(raw, tree)
    parents: list[pygit2.Oid] = []
    found = raw.references.get(ref)
    if found is not None:
        tip = raw[found.target].peel(pygit2.Commit)
        if tip.tree_id == oid:
            return None
        parents.append(tip.id)
    author = _signature(raw, "AUTHOR", repo.where)
    committer = _signature(raw, "COMMITTER", repo.where)
    return str(raw.create_commit(ref, author, committer, message, oid, parents))


def start_branch(repo: GitRepo, branch: str) -> None:
    """Make ``branch`` at ``HEAD`` and check it out; the files and the index stay as they are.

    :class:`BranchExistsError` when it exists.
    """
    raw = repo.repo
    ref = _branch_ref(repo, branch)
    if raw.references.get(ref) is not None:
        raise BranchExistsError(
            f"the branch {branch!r} exists already in {repo.where}. Name another one with "
            f"--branch, or delete it (git branch -D {branch})."
        )
    if raw.head_is_unborn:
        raise GitRepoError(f"{repo.where} has no commit yet to start the branch {branch!r} from.")
    raw.branches.local.create(branch, raw.head.peel(pygit2.Commit))
    raw.set_head(ref)


def commit_paths(repo: GitRepo, paths: Iterable[str], message: str) -> str:
    """Stage ``paths`` (relative to the top of the working tree) as they are on disk, a missing
    one as deleted, and commit them on the branch checked out."""
    raw = repo.repo
    workdir = repo.workdir
    if workdir is None:
        raise GitRepoError(f"{repo.where} is a bare repository: it has no working tree.")
    index = raw.index
    index.read()
    for path in sorted(set(paths)):
        if os.path.lexists(Path(workdir) / path):
            index.add(path)
        elif path in index:
            index.remove(path)
    index.write()
    tree = index.write_tree()
    parents = [] if raw.head_is_unborn else [raw.head.peel(pygit2.Commit).id]
    author = _signature(raw, "AUTHOR", repo.where)
    committer = _signature(raw, "COMMITTER", repo.where)
    return str(raw.create_commit("HEAD", author, committer, message, tree, parents))
