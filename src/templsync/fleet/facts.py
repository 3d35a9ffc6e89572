"""What each instance's own folder says, before the template is asked anything.

The answers file (``_src_path``, ``_commit``), uncommitted changes, the paths git's index holds
unmerged (conflicts an update left), and the date of the last commit that changed the answers
file. :func:`read_facts` never raises for an instance: what stops it is the :class:`Facts`'
``reason`` (a few words) and ``detail`` (the whole message).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import pygit2
import yaml
from pygit2.enums import FileStatus, SortMode

from templsync._io.gitrepo import discover_repo
from templsync._io.vcsurl import expand_url, strip_credentials
from templsync.errors import UserError
from templsync.fleet.history import commit_date
from templsync.instance.project import (
    DEFAULT_ANSWERS_FILE,
    InstanceGit,
    NotAnInstanceError,
    Project,
    load_project,
)
from templsync.template.answers import RecordedAnswers

_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
_FAST_MAX_BYTES = 1 << 20
_FAST_MAX_BRACKETS = 1000
"""libyaml composes by C recursion, with no limit: ~20,000 nested levels crash the process. A
file it reads is small and holds few ``[``/``{``, so it nests at most ~1,400 levels (indentation
grows by one space a level at least) or ~1,000 (brackets): well within what it survives."""
_SCALARS = (str, int, float, bool, type(None))

__all__ = ["Facts", "Member", "last_change", "read_facts", "template_key"]


@functools.lru_cache(maxsize=1024)
def template_key(spec: str) -> str:
    """``spec`` spelled one way, to tell whether two spellings name the same template."""
    url = expand_url(spec)
    if url is not None and not Path(url).exists():
        if url.startswith("file://"):
            return str(Path(url.removeprefix("file://")).resolve())
        return strip_credentials(url).rstrip("/").removesuffix(".git").lower()
    return str(Path(url or spec).expanduser().resolve())


@dataclass(frozen=True)
class Member:
    """One instance to look at: a registry entry with its local folder."""

    name: str
    location: str
    folder: Path | None
    """None when there is no local folder (``error`` says why)."""
    team: str | None = None
    answers_file: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Facts:
    """What an instance's folder says, before the template is asked anything."""

    answers_file: str | None = None
    template: str | None = None
    recorded: str | None = None
    src_path: str | None = None
    """``_src_path`` as written (``template`` is where it leads, spelled one way)."""
    dirty: bool = False
    unmerged: tuple[str, ...] = ()
    last_updated: datetime | None = None
    reason: str | None = None
    detail: str | None = None


def read_facts(member: Member) -> Facts:
    """What ``member``'s folder says; a Facts with a ``reason`` when it cannot be read."""
    if member.folder is None:
        return Facts(reason="not checked out", detail=member.error)
    if not member.folder.is_dir():
        return Facts(reason="folder not found", detail=f"{member.folder} is not a folder.")
    try:
        project = _quick_project(member.folder, member.answers_file)
        if project is None:  # anything unusual: read it the one way every command does
            project = load_project(member.folder, member.answers_file)
        answers = project.answers_path
        if project.recorded.commit is None:
            return Facts(answers, reason="no _commit in the answers file")
        template = template_key(project.template_location())
        facts = Facts(answers, template, project.recorded.commit, project.src_path)
        return facts if project.git is None else _git_facts(facts, project.git, answers)
    except NotAnInstanceError as err:
        return Facts(reason="no answers file", detail=str(err))
    except UserError as err:  # AnswersFileError, GitRepoError
        return Facts(reason="unreadable answers file", detail=str(err))
    except (OSError, pygit2.GitError) as err:
        return Facts(reason="unreadable", detail=str(err))


def _quick_project(folder: Path, answers_file: str | None) -> Project | None:
    """:func:`load_project` for the two keys status reads, parsed by libyaml (5x faster).

    None when libyaml is missing or the file is anything but a small readable YAML mapping whose
    two keys are plain values (a large or bracket-heavy file could nest deep enough to crash
    libyaml; an alias could stand for a structure of any size): then :func:`load_project` reads
    it again within the limits and words the error as every command does.
    """
    if _FAST_LOADER is None:
        return None
    rel = answers_file or DEFAULT_ANSWERS_FILE
    path = folder / rel
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) > _FAST_MAX_BYTES or data.count(b"[") + data.count(b"{") > _FAST_MAX_BRACKETS:
        return None
    try:
        loaded = yaml.load(data, Loader=_FAST_LOADER)  # noqa: S506  # a safe loader
    except yaml.YAMLError:
        return None
    if not isinstance(loaded, dict):
        return None
    src, commit = loaded.get("_src_path"), loaded.get("_commit")
    if not isinstance(src, str) or not isinstance(commit, _SCALARS):
        return None
    recorded = RecordedAnswers(
        str(path),
        src,
        None if commit is None else str(commit),
        answers={},  # not needed here
        private={},
        src_path_value=src,
    )
    return Project(folder, rel, recorded, _instance_git(folder))


def _instance_git(folder: Path) -> InstanceGit | None:
    """As :func:`load_project` finds it: the repository holding ``folder``, and where."""
    real = os.path.realpath(folder)  # once: resolving paths is a good part of the time here
    repo = discover_repo(Path(real))
    workdir = None if repo is None else repo.repo.workdir  # a string ending in "/"
    if repo is None or not workdir:
        return None
    if f"{real}/".startswith(workdir):  # the usual case: what os.path.relpath would find
        return InstanceGit(repo, Path(workdir), f"{real}/"[len(workdir) :].rstrip("/"))
    top = Path(workdir)
    subdir = os.path.relpath(real, top)
    if subdir.startswith(".."):  # a work tree reached through a symlink, or core.worktree
        top = top.resolve()
        subdir = os.path.relpath(real, top)
    return InstanceGit(repo, top, "" if subdir == "." else Path(subdir).as_posix())


def _git_facts(facts: Facts, git: InstanceGit, answers: str) -> Facts:
    """Uncommitted changes, unmerged paths and the answers file's last commit, in the folder."""
    repo = git.repo.repo
    prefix = f"{git.subdir}/" if git.subdir else ""
    # An untracked folder is one entry ("new/"); it may hold the instance's whole folder.
    dirty = any(
        flags != FileStatus.CURRENT
        and not flags & FileStatus.IGNORED
        and (path.startswith(prefix) or (path.endswith("/") and prefix.startswith(path)))
        for path, flags in repo.status(untracked_files="normal").items()
    )
    unmerged = {
        entry.path[len(prefix) :]
        for stages in (repo.index.conflicts or ())
        for entry in stages
        if entry is not None and entry.path.startswith(prefix)
    }
    return replace(
        facts,
        dirty=dirty,
        unmerged=tuple(sorted(unmerged)),
        last_updated=last_change(repo, prefix + answers),
    )


def last_change(repo: pygit2.Repository, path: str) -> datetime | None:
    """The committer date of the newest commit whose ``path`` differs from all its parents'.

    That is the last commit that changed the file, as ``git log -1 -- path`` finds it; None
    when no commit has it.
    """
    if repo.head_is_unborn:
        return None
    seen: dict[pygit2.Oid, pygit2.Oid | None] = {}

    def blob(commit: pygit2.Commit) -> pygit2.Oid | None:
        if commit.id not in seen:
            try:
                seen[commit.id] = commit.tree[path].id
            except KeyError:
                seen[commit.id] = None
        return seen[commit.id]

    for commit in repo.walk(repo.head.target, SortMode.TOPOLOGICAL | SortMode.TIME):
        here = blob(commit)
        parents = commit.parents
        if (parents and all(blob(p) != here for p in parents)) or (not parents and here):
            return commit_date(commit)
    return None
