"""A git repository read through pygit2: tags, versions, refs and commit trees, no checkout.

A commit's files become a :class:`Tree` straight from git objects: a Tree's digests are git blob
ids, so listing a commit reads tree objects only, and a file's bytes are read from the object
database the first time someone asks for them.

Versions follow Copier: tags are ordered as PEP 440 versions, tags that are not PEP 440 are
ignored, pre-releases count only when asked for, and with no version tag the default is ``HEAD``.
What Copier records as ``_commit`` is ``git describe --tags --always`` of the commit, which is the
tag's name when the commit is tagged.

Copier includes a local repository's uncommitted changes (tracked edits and untracked files that
``.gitignore`` does not exclude) when, and only when, the ref it checks out is ``HEAD``;
:meth:`GitRepo.working_tree` reads exactly those files from disk for that case.

A submodule is a commit entry (a gitlink) in a tree. Given a :class:`SubmoduleReader`, both
readers put the submodule's files at its path, as a checkout with ``git submodule update --init
--recursive`` has them; without one, a gitlink is left out, as a checkout without submodules
shows an empty folder.
"""

from __future__ import annotations

import os
import pwd
import re
import stat
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

import pygit2
from packaging.version import InvalidVersion, Version
from pygit2.enums import DescribeStrategy, FileMode, FileStatus, RepositoryOpenFlag, SortMode

from templsync._core.tree import FileEntry, Mode, Tree, normalize_path
from templsync._io.hashing import hash_file, load_checked, translate
from templsync.errors import InvalidPathError, UserError

_TAG_PREFIX = "refs/tags/"
_MODES = {
    FileMode.BLOB: Mode.REGULAR,
    FileMode.BLOB_EXECUTABLE: Mode.EXECUTABLE,
    FileMode.LINK: Mode.SYMLINK,
}
_SHOWN_TAGS = 5
_IDX_V2_MAGIC = b"\377tOc"
_MIN_ABBREV = 7


class GitRepoError(UserError):
    """A git repository could not be opened or read."""


class RefNotFoundError(GitRepoError):
    """A ref (tag, branch, commit) that the repository does not have."""

    def __init__(self, ref: str, where: str, tags: list[str]) -> None:
        self.ref = ref
        shown = ", ".join(tags[:_SHOWN_TAGS]) + (", ..." if len(tags) > _SHOWN_TAGS else "")
        hint = f"Its newest tags: {shown}." if tags else "It has no tags."
        super().__init__(
            f"the template {where} has no tag, branch or commit {ref!r}. {hint} "
            "Pass an existing ref to --vcs-ref."
        )


class NotOwnedError(GitRepoError):
    """A repository owned by another user, which git refuses to read (``safe.directory``)."""


_NOT_OWNED = re.compile(r"repository path '(.+?)' is not owned by current user")


def _open_error(err: pygit2.GitError, message: str) -> GitRepoError:
    """``message`` as the error, unless git refused the repository for its owner: then say so,
    and how to allow it, as git's own "dubious ownership" message does."""
    found = _NOT_OWNED.search(str(err))
    if found is None:
        return GitRepoError(message)
    path = found.group(1)
    try:
        uid = Path(path).stat().st_uid
        owner = f"{pwd.getpwuid(uid).pw_name}, uid {uid}"
    except (OSError, KeyError):
        owner = "another user"
    return NotOwnedError(
        f"{path} is a git repository owned by another user ({owner}), so git refuses to read "
        'it (its "dubious ownership" check). If you trust it, allow it and run the command '
        f"again:\n  git config --global --add safe.directory {path}"
    )


class SubmoduleReader(Protocol):
    """The files of a submodule: ``repo``'s gitlink at ``path`` (from the top of ``repo``),
    recording ``commit``; ``gitmodules`` is the ``.gitmodules`` file beside it, if any."""

    def __call__(self, repo: GitRepo, path: str, commit: str, gitmodules: bytes | None) -> Tree: ...


def parse_version(tag: str) -> Version | None:
    """``tag`` as a PEP 440 version (``v1.0`` is ``1.0``), or None when it is not one."""
    try:
        return Version(tag)
    except InvalidVersion:
        return None


def version_tags(tags: list[str], *, prereleases: bool = False) -> list[tuple[Version, str]]:
    """The tags that are PEP 440 versions, highest first, as Copier orders them.

    Tags are taken in git's order (by name), and equal versions keep that order, which is how
    Copier's stable sort of ``git ls-remote`` output breaks ties (``1.0`` before ``v1.0``).
    """
    found = []
    for tag in sorted(tags, key=lambda t: t.encode("utf-8", "surrogateescape")):
        version = parse_version(tag)
        if version is not None and (prereleases or not version.is_prerelease):
            found.append((version, tag))
    found.sort(key=lambda pair: pair[0], reverse=True)
    return found


@dataclass(frozen=True)
class _BlobLoader:
    """Reads one blob's bytes from the object database when called."""

    repo: pygit2.Repository
    oid: pygit2.Oid
    path: str

    def __call__(self) -> bytes:
        try:
            blob = self.repo[self.oid]
        except KeyError as err:
            raise GitRepoError(
                f"{self.path!r}: blob {self.oid} is missing from the git repository "
                f"{self.repo.path!r}. Fetch it again (--refresh for a remote template)."
            ) from err
        assert isinstance(blob, pygit2.Blob)
        return blob.data


@dataclass(frozen=True)
class GitRepo:
    """A repository opened with pygit2; ``where`` names it in messages."""

    repo: pygit2.Repository
    where: str

    @property
    def workdir(self) -> Path | None:
        """The working folder, or None for a bare repository."""
        workdir = self.repo.workdir
        return Path(workdir) if workdir else None

    def is_unborn(self) -> bool:
        """Whether the repository has no commit yet (``HEAD`` names a branch to come)."""
        return bool(self.repo.head_is_unborn)

    def tags(self) -> list[str]:
        """Every tag name, in git's order."""
        return sorted(
            ref[len(_TAG_PREFIX) :]
            for ref in self.repo.listall_references()
            if ref.startswith(_TAG_PREFIX)
        )

    def versions(self, *, prereleases: bool = False) -> list[tuple[Version, str]]:
        """The PEP 440 tags, highest first (see :func:`version_tags`)."""
        return version_tags(self.tags(), prereleases=prereleases)

    def default_ref(self, *, prereleases: bool = False) -> str:
        """The highest PEP 440 tag, else ``HEAD`` (Copier's ``get_latest_tag``)."""
        found = self.versions(prereleases=prereleases)
        return found[0][1] if found else "HEAD"

    def resolve(self, ref: str) -> str:
        """The full sha of the commit ``ref`` names (tag, branch, sha, ``HEAD``...).

        As Copier does, a name that is not found as given is tried as ``origin``'s branch.
        """
        if ref and not ref.startswith("-") and "\n" not in ref and "\r" not in ref:
            for candidate in (ref, f"refs/remotes/origin/{ref}"):
                try:
                    obj = self.repo.revparse_single(candidate)
                    return str(obj.peel(pygit2.Commit).id)
                except (KeyError, ValueError, pygit2.GitError):
                    continue
        if self.repo.head_is_unborn and not self.tags():
            raise GitRepoError(
                f"the template {self.where} is a git repository with no commits yet, so it has "
                f"no ref {ref!r}. Leave out --vcs-ref to copy its files as they are, or commit "
                "them first."
            )
        tags = [tag for _, tag in self.versions(prereleases=True)] or self.tags()
        raise RefNotFoundError(ref, self.where, tags)

    def describe(self, commit: str) -> str:
        """``git describe --tags --always`` of ``commit``: what Copier records as ``_commit``.

        Abbreviated shas are as long as git makes them (:func:`git_abbrev`).
        """
        try:
            return self.repo.describe(
                commit,
                describe_strategy=DescribeStrategy.TAGS,
                show_commit_oid_as_fallback=True,
                abbreviated_size=git_abbrev(Path(self.repo.path)),
            )
        except pygit2.GitError as err:
            raise GitRepoError(f"cannot describe commit {commit} of {self.where}: {err}") from err

    def commits_between(self, old: str, new: str) -> list[str]:
        """The commits reachable from ``new`` but not from ``old``, newest first."""
        walker = self.repo.walk(self.repo[self.resolve(new)].id, SortMode.TOPOLOGICAL)
        walker.hide(self.repo[self.resolve(old)].id)
        return [str(commit.id) for commit in walker]

    def log_between(self, old: str, new: str) -> list[tuple[str, str]]:
        """:meth:`commits_between` with each commit's subject line: ``(sha, subject)`` pairs."""
        walker = self.repo.walk(self.repo[self.resolve(new)].id, SortMode.TOPOLOGICAL)
        walker.hide(self.repo[self.resolve(old)].id)
        return [(str(commit.id), subject_line(commit.raw_message)) for commit in walker]

    def is_dirty(self, subdirectory: str | None = None) -> bool:
        """Whether ``git status --porcelain [subdirectory]`` would print anything.

        Ignored files aside; ``subdirectory`` limits the question to one folder.
        """
        if self.repo.is_bare:
            return False
        prefix = normalize_path(subdirectory) + "/" if subdirectory else ""
        return any(
            flags != FileStatus.CURRENT
            and not flags & FileStatus.IGNORED
            and path.startswith(prefix)
            for path, flags in self.repo.status(untracked_files="all").items()
        )

    def has_commit(self, sha: str) -> bool:
        """Whether the object database holds the commit ``sha`` (a full sha)."""
        try:
            found = self.repo.get(sha)
        except ValueError:
            return False
        return isinstance(found, pygit2.Commit)

    def origin_url(self) -> str | None:
        """The URL of the remote ``origin``, if there is one."""
        try:
            return self.repo.remotes["origin"].url
        except (KeyError, ValueError, pygit2.GitError):
            return None

    def read_tree(
        self,
        commit: str,
        subdirectory: str | None = None,
        *,
        submodules: SubmoduleReader | None = None,
    ) -> Tree:
        """The files of ``commit`` (or of one of its folders) from git objects.

        Submodules (gitlinks) are read by ``submodules``, or left out without it (see the
        module's documentation). Raises :class:`GitRepoError` when ``subdirectory`` is not a
        folder.
        """
        top = self.repo[self.resolve(commit)].peel(pygit2.Tree)
        root = top
        prefix = ""
        if subdirectory is not None:
            try:
                prefix = normalize_path(subdirectory)
            except InvalidPathError as err:
                raise GitRepoError(
                    f"invalid subdirectory {subdirectory!r} of {self.where}: {err.reason}"
                ) from err
            try:
                sub = root[prefix]
            except KeyError:
                sub = None
            if not isinstance(sub, pygit2.Tree):
                raise GitRepoError(
                    f"commit {commit} of {self.where} has no folder {prefix!r}. "
                    "Check the template's subdirectory."
                )
            root = sub
        entries: dict[str, FileEntry] = {}
        gitlinks: list[tuple[str, str]] = []
        self._walk(root, "", entries, gitlinks)
        if gitlinks and submodules is not None:
            gitmodules = _blob_at(top, ".gitmodules")
            top_prefix = prefix + "/" if prefix else ""
            for path, sha in gitlinks:
                found = submodules(self, top_prefix + path, sha, gitmodules)
                entries.update((f"{path}/{p}", e) for p, e in found.items())
        return Tree(entries)

    def _walk(
        self,
        tree: pygit2.Tree,
        prefix: str,
        entries: dict[str, FileEntry],
        gitlinks: list[tuple[str, str]],
    ) -> None:
        repo = self.repo
        for item in tree:
            # As os.scandir names a file: bytes that are not UTF-8 kept by surrogateescape.
            path = prefix + os.fsdecode(item.raw_name or b"")
            mode = _MODES.get(FileMode(item.filemode))
            if mode is not None:
                entries[path] = FileEntry(str(item.id), mode, _BlobLoader(repo, item.id, path))
            elif item.filemode == FileMode.TREE:
                sub = repo[item.id]
                assert isinstance(sub, pygit2.Tree)
                self._walk(sub, path + "/", entries, gitlinks)
            elif item.filemode == FileMode.COMMIT:
                gitlinks.append((path, str(item.id)))

    def working_tree(
        self, subdirectory: str | None = None, *, submodules: SubmoduleReader | None = None
    ) -> Tree:
        """The files Copier would take from a dirty checkout at ``HEAD``.

        That is ``git add -A``: tracked files as they are on disk (deleted ones gone) plus
        untracked files ``.gitignore`` does not exclude. A submodule is taken at the commit
        its checkout is at (else the one the index records), read by ``submodules`` (left out
        without it).
        """
        workdir = self.workdir
        if workdir is None:
            raise GitRepoError(f"{self.where} is a bare repository: it has no working tree.")
        status = self.repo.status(untracked_files="all")
        index = self.repo.index
        gitlinks = {e.path: str(e.id) for e in index if e.mode == FileMode.COMMIT}
        wanted = {entry.path for entry in index if entry.path not in gitlinks}
        for path, flags in status.items():
            if flags & FileStatus.WT_DELETED:
                wanted.discard(path)
                gitlinks.pop(path, None)
            elif flags & (FileStatus.WT_NEW | FileStatus.INDEX_NEW) and path not in gitlinks:
                wanted.add(path)
        files = {path: _read_file(workdir, path) for path in wanted}
        if gitlinks and submodules is not None:
            gitmodules = _read_or_none(workdir / ".gitmodules")
            for path, sha in gitlinks.items():
                found = submodules(self, path, _checked_out(workdir / path) or sha, gitmodules)
                files.update((f"{path}/{p}", e) for p, e in found.items())
        if subdirectory is not None:
            prefix = normalize_path(subdirectory) + "/"
            files = {p[len(prefix) :]: e for p, e in files.items() if p.startswith(prefix)}
        return Tree(files)


def _blob_at(tree: pygit2.Tree, path: str) -> bytes | None:
    """The bytes of the file at ``path`` in ``tree``, or None when there is no such file."""
    try:
        found = tree[path]
    except KeyError:
        return None
    return found.data if isinstance(found, pygit2.Blob) else None


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _checked_out(path: Path) -> str | None:
    """The commit a submodule's checkout at ``path`` is at (what ``git add`` records), if any."""
    try:
        repo = pygit2.Repository(str(path), RepositoryOpenFlag.NO_SEARCH)
        if repo.head_is_unborn:
            return None
        return str(repo.head.target)
    except pygit2.GitError:
        return None


def git_abbrev(git_dir: Path) -> int:
    """How many hex digits git shows of a sha in this repository (``core.abbrev`` = auto).

    Git takes half the bit length of the number of packed objects, rounded up, and at least 7
    (``find_unique_abbrev_r``), then lengthens a name that would be ambiguous, as libgit2 does.
    """
    count = 0
    for index in (git_dir / "objects" / "pack").glob("*.idx"):
        try:
            with index.open("rb") as f:
                header = f.read(8 + 256 * 4)
        except OSError:
            continue
        fanout = 8 if header[:4] == _IDX_V2_MAGIC else 0
        last = header[fanout + 255 * 4 : fanout + 256 * 4]
        if len(last) == 4:
            count += int.from_bytes(last, "big")
    return max(_MIN_ABBREV, -(-count.bit_length() // 2))


def subject_line(message: bytes) -> str:
    """A commit message's subject, as ``git log --format=%s`` prints it.

    That is the first paragraph (blank lines before it skipped), each line's trailing spaces
    dropped, joined by one space; bytes that are not UTF-8 are replaced.
    """
    paragraph: list[str] = []
    for raw in message.decode("utf-8", "replace").split("\n"):
        line = raw.rstrip()
        if line:
            paragraph.append(line)
        elif paragraph:
            break
    return " ".join(paragraph)


def _read_file(root: Path, rel: str) -> FileEntry:
    """One file of a working tree, hashed now and re-read (checked) when its content is asked."""
    path = root / rel
    full = os.fspath(path)
    try:
        if stat.S_ISLNK(path.lstat().st_mode):
            return FileEntry.from_bytes(os.fsencode(path.readlink()), Mode.SYMLINK)
    except OSError as err:
        raise translate(rel, err) from err
    digest, st = hash_file(full, rel)
    mode = Mode.EXECUTABLE if st.st_mode & 0o100 else Mode.REGULAR
    return FileEntry(digest, mode, partial(load_checked, full, rel, digest))


def open_repo(path: Path, *, where: str | None = None, bare: bool = False) -> GitRepo:
    """Open the repository at ``path`` (its working folder or a bare repository).

    ``where`` names it in messages (default: the path, quoted). ``bare`` opens a git folder
    as a bare repository whatever its configuration says (a submodule's git folder whose
    working folder is gone still opens).
    """
    where = where or repr(str(path))
    flags = RepositoryOpenFlag.NO_SEARCH | (RepositoryOpenFlag.BARE if bare else 0)
    try:
        repo = pygit2.Repository(str(path), flags)
    except pygit2.GitError as err:
        raise _open_error(err, f"{where} is not a git repository: {err}") from err
    return GitRepo(repo, where)


def discover_repo(path: Path) -> GitRepo | None:
    """The repository whose working tree holds ``path`` (searching upwards), or None.

    It is opened from ``path``, not from the git folder found, so that a ``.git`` file (``git
    init --separate-git-dir``, ``git worktree add``) gives the working tree it names rather
    than the git folder's parent.
    """
    try:
        found = pygit2.discover_repository(str(path))
    except pygit2.GitError:
        return None
    if found is None:
        return None
    try:
        return GitRepo(pygit2.Repository(str(path)), repr(str(path)))
    except pygit2.GitError as err:
        raise _open_error(
            err, f"{str(path)!r} is in a git repository that cannot be opened: {err}"
        ) from err


def is_repo_root(path: Path) -> bool:
    """Whether ``path`` is the top folder of a git working tree or a bare repository."""
    try:
        pygit2.Repository(str(path), RepositoryOpenFlag.NO_SEARCH)
    except pygit2.GitError as err:
        refused = _open_error(err, "")
        if isinstance(refused, NotOwnedError):
            raise refused from err
        return False
    return True
