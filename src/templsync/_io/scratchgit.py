"""The git side of a scratch copy: a repository of its own that sees the instance's history.

Tasks call git (``git ls-files``, ``git describe`` for a version, ``pre-commit``), so a scratch
copy of an instance in git gets a ``.git`` of its own (:func:`share_history`), made so that
nothing a command does there reaches the instance's repository:

- its objects are the instance's, borrowed read-only through ``objects/info/alternates``; what
  a command writes (``git add``, ``git commit``) goes to the copy's own object folder;
- its refs (branches, tags, ``packed-refs``), ``HEAD``, ``config`` and ``info/exclude`` are
  copies, so ``git describe`` and ``git remote`` answer as in the instance, and a commit, a tag
  or a config change stays in the copy (hooks are not copied);
- its index lists the instance's tracked files, staged changes included; for an instance in a
  folder of a bigger repository, that folder's files, at the top of the copy.

:func:`ignore_rules` answers "does git ignore this path" for the copy after the commands ran,
with the ``.gitignore`` files the copy then holds (so the new version's), plus, for an instance
in a folder of a bigger repository, the rules of that repository as they are (its upper
``.gitignore`` files are not in the copy; the instance's own, before the update, count there too).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pygit2

from templsync._io.gitrepo import GitRepo
from templsync._io.scratch import Ignored
from templsync.errors import WriteError

__all__ = ["ignore_rules", "share_history"]


def share_history(root: Path, repo: GitRepo, subdir: str) -> None:
    """Make ``root`` (a scratch copy of ``repo``'s folder ``subdir``) a repository of its own.

    ``repo`` is only read. Raises :class:`WriteError` when the repository cannot be made.
    """
    try:
        _share(root, repo, subdir)
    except (OSError, pygit2.GitError) as err:
        raise WriteError(
            f"could not give the scratch copy for the template's tasks a git repository "
            f"sharing {repo.where}'s history: {err}. Nothing was changed in the project; "
            "update with --skip-tasks to run no task."
        ) from err


def _share(root: Path, repo: GitRepo, subdir: str) -> None:
    git_dir = Path(repo.repo.path)
    common = _common_dir(git_dir)
    pygit2.init_repository(str(root))
    own = root / ".git"
    (own / "objects" / "info" / "alternates").write_text(f"{(common / 'objects').resolve()}\n")
    for name in ("packed-refs", "config", "info/exclude"):
        if (common / name).is_file():
            (own / name).parent.mkdir(exist_ok=True)
            shutil.copyfile(common / name, own / name)
    if (common / "refs").is_dir():
        shutil.copytree(common / "refs", own / "refs", dirs_exist_ok=True)
    shutil.copyfile(git_dir / "HEAD", own / "HEAD")
    scratch = pygit2.Repository(str(root))
    config = pygit2.Config(str(own / "config"))
    for key in ("core.worktree", "core.bare", "core.fsmonitor", "core.splitIndex"):
        if key in config:
            del config[key]
    _fill_index(scratch, repo.repo, subdir)


def ignore_rules(root: Path, repo: GitRepo | None, subdir: str) -> Ignored:
    """Whether git ignores a path of the copy at ``root`` (see the module's documentation).

    A copy with no ``.git`` (an instance outside git) gets an empty repository, so that its
    ``.gitignore`` files are read as git reads them.
    """
    try:
        scratch = pygit2.Repository(str(root), pygit2.enums.RepositoryOpenFlag.NO_SEARCH)
    except pygit2.GitError:
        scratch = pygit2.init_repository(str(root))
    outer = repo.repo if repo is not None and subdir else None
    prefix = f"{subdir}/" if subdir else ""

    def ignored(path: str, is_dir: bool) -> bool:
        asked = path + "/" if is_dir else path
        if scratch.path_is_ignored(asked):
            return True
        return outer is not None and outer.path_is_ignored(prefix + asked)

    return ignored


def _common_dir(git_dir: Path) -> Path:
    """The folder holding objects and refs: ``git_dir`` itself, unless it is a linked
    worktree's (``.git/worktrees/<name>``), which names it in its ``commondir`` file."""
    try:
        named = (git_dir / "commondir").read_text().strip()
    except FileNotFoundError:
        return git_dir
    return (git_dir / named).resolve()


def _fill_index(scratch: pygit2.Repository, repo: pygit2.Repository, subdir: str) -> None:
    """The scratch's index: ``repo``'s entries under ``subdir`` (HEAD's tree read first, fast;
    then the entries that differ from it, which are the staged changes)."""
    prefix = f"{subdir}/" if subdir else ""
    index = scratch.index
    try:
        tree = repo.head.peel(pygit2.Tree)
        top = tree[subdir] if subdir else tree
    except (pygit2.GitError, KeyError):  # no commit yet, or the folder is not committed
        top = None
    if isinstance(top, pygit2.Tree):
        index.read_tree(top)
    have = {e.path: (e.id, e.mode) for e in index}
    want = {e.path[len(prefix) :]: (e.id, e.mode) for e in repo.index if e.path.startswith(prefix)}
    for path in have.keys() - want.keys():
        index.remove(path)
    for path, (oid, mode) in want.items():
        if have.get(path) != (oid, mode):
            try:
                index.add(pygit2.IndexEntry(path, oid, mode))
            except pygit2.GitError:
                continue  # e.g. a submodule's commit, which is not an object here
    index.write()
