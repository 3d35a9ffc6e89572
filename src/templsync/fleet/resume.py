"""Interrupted fleet updates: the mark an instance's update leaves until its outcome is in the
registry, and how a later run puts the instance back as it was, or keeps what landed.

Before ``fleet update`` touches an instance it adds a mark to the git folder of the instance's
repository (``<git dir>/templsync-fleet-update.json``, a list: one mark per instance of the
repository updated in this run, each with the instance's folder, the update branch, whether this
step creates it, where ``HEAD`` was and at which commit). The marks go (:func:`finish`) once the
outcomes are written to the registry. A mark still there means the run was stopped before that
(Ctrl-C, a kill, a crash). :func:`restore` then, newest mark first, removes the lock files git
left, finishes or rolls back a write the update left (the writer's journal), and:

- when the update's commit landed (``HEAD`` moved on the update branch), keeps it: the instance
  is updated, and the registry catches up (:func:`landed`);
- otherwise puts the instance's folder back at the commit it started from (index, files, no new
  untracked files), ``HEAD`` back where it was, and deletes the update branch when this step
  created it and it holds nothing new: no empty ``templsync/update-<version>`` branch is left.
  An outcome that was final but not recorded (conflicts, failed tests) is undone as well: the
  next run does it again and records it.

Only the instance's own folder is put back (``git reset``/``checkout``/``clean`` with the folder as
pathspec), so a sibling's changes in a monorepo stay. Every step works from any point the previous
run reached, and again after a stop in the middle of a restore: the marks go last. A worker that
is interrupted with Ctrl-C restores its repository at once; a kill leaves that to the next run.

The marks are written atomically (a temp file renamed) but not fsynced: they guard against a
stopped process, whose writes the page cache keeps, as git's own files do (git does not fsync
by default either).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from templsync._io.apply import recover
from templsync._io.gitmirror import GitCommandError, run_git

MARK = "templsync-fleet-update.json"
_SUBJECT = re.compile(r"^Update from the template (?P<source>.*) to (?P<version>\S+)$")

__all__ = ["MARK", "Mark", "begin", "finish", "landed", "restore", "update_subject"]


@dataclass(frozen=True)
class Mark:
    """Where an instance's update started: enough to put everything back."""

    folder: str
    """The instance's folder (absolute)."""
    start: str
    """The commit ``HEAD`` was at."""
    head: str | None
    """The branch ``HEAD`` was on (``refs/heads/...``), None when detached."""
    branch: str | None
    """The update branch (None: in place)."""
    created: bool
    """Whether this step creates the update branch (else it exists, or there is none)."""
    git_dir: str
    """The repository's git folder, where the mark is kept."""

    @property
    def path(self) -> Path:
        return Path(self.git_dir) / MARK


def update_subject(source: str | None, version: str) -> str:
    """The first line of an update's commit message."""
    return f"Update from the template {source} to {version}"


def begin(folder: Path, branch: str | None) -> Mark:
    """Mark ``folder``'s repository before its update touches anything; returns the mark."""
    where = _git(folder, "rev-parse", "--absolute-git-dir", "HEAD", "--symbolic-full-name", "HEAD")
    git_dir, start, symbolic = where.splitlines()
    head = symbolic if symbolic.startswith("refs/heads/") else None  # else "HEAD": detached
    created = branch is not None and not _branch_exists(folder, branch)
    mark = Mark(str(folder.absolute()), start, head, branch, created, git_dir)
    marks = _read(mark.path)
    _write(mark.path, [*marks, mark])
    return mark


def finish(folder: Path) -> None:
    """The outcomes of the instances updated in ``folder``'s repository are in the registry:
    remove their marks."""
    path = _find_mark(folder)
    if path is not None:
        path.unlink(missing_ok=True)


def restore(folder: Path) -> str | None:
    """Put back the instances whose update in ``folder``'s repository was stopped before its
    outcome was recorded; what was done, in a few words, or None when nothing was stopped."""
    path = _find_mark(folder)
    if path is None:
        return None
    marks = _read(path)
    done = []
    for n in reversed(range(len(marks))):  # newest first: each starts where the one before ended
        done.append(_restore_one(marks[n], path.parent))
        _write(path, marks[:n])
    path.unlink(missing_ok=True)
    if not done:
        return None
    return "; ".join(dict.fromkeys(done))


def _restore_one(mark: Mark, git_dir: Path) -> str:
    instance = Path(mark.folder)
    _remove_locks(git_dir, mark.branch)
    if instance.is_dir():
        recover(instance)  # the writer's half-done write, finished or rolled back
    head = _git(instance, "rev-parse", "HEAD")
    on = _symbolic_head(instance)
    if head != mark.start and (mark.branch is None or on == f"refs/heads/{mark.branch}"):
        return "its update was committed: kept"
    _put_back(instance, mark, on)
    return "its unfinished update was undone"


def landed(folder: Path, answers_file: str, version: str) -> date | None:
    """The day the update to ``version`` was committed, when the last commit that changed the
    answers file is that update's commit; else None."""
    try:
        log = _git(folder, "log", "-1", "--format=%s%n%cI", "--", answers_file)
    except GitCommandError:
        return None
    subject, _, when = log.partition("\n")
    match = _SUBJECT.match(subject)
    if match is None or match.group("version") != version or not when:
        return None
    return datetime.fromisoformat(when).astimezone(UTC).date()


def _put_back(instance: Path, mark: Mark, on: str | None) -> None:
    """The instance's folder at ``mark.start``, ``HEAD`` where it was, no new empty branch."""
    _git(instance, "reset", "-q", mark.start, "--", ".")
    _git(instance, "checkout", "-q", mark.start, "--", ".")
    _git(instance, "clean", "-fdq", "--", ".")
    branch = mark.branch
    if branch is None or not mark.created:
        return
    if on == f"refs/heads/{branch}":
        if mark.head is None:
            _git(instance, "checkout", "-q", "--detach", mark.start)
        else:
            _git(instance, "checkout", "-q", mark.head.removeprefix("refs/heads/"))
    if _branch_exists(instance, branch) and _git(instance, "rev-parse", branch) == mark.start:
        _git(instance, "branch", "-q", "-D", branch)


def _read(path: Path) -> list[Mark]:
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return []
    return [Mark(**m) for m in data]


def _write(path: Path, marks: list[Mark]) -> None:
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(json.dumps([asdict(m) for m in marks]))
    temp.replace(path)


def _remove_locks(git_dir: Path, branch: str | None) -> None:
    """Lock files a killed git command leaves behind block every later one."""
    locks = [git_dir / "index.lock", git_dir / "HEAD.lock"]
    if branch is not None:
        locks.append(git_dir / "refs" / "heads" / f"{branch}.lock")
    for lock in locks:
        lock.unlink(missing_ok=True)


def _find_mark(folder: Path) -> Path | None:
    """The mark in the repository of ``folder``, if there is one: ``.git`` looked up from the
    folder (no git process for the usual layout), git asked where its folder is otherwise."""
    for parent in (folder, *folder.parents):
        dot_git = parent / ".git"
        if dot_git.is_dir():
            mark = dot_git / MARK
            return mark if mark.exists() else None
        if dot_git.exists():  # a worktree or submodule: a file naming the git folder
            try:
                mark = Path(_git(folder, "rev-parse", "--absolute-git-dir")) / MARK
            except GitCommandError:
                return None
            return mark if mark.exists() else None
    return None


def _symbolic_head(folder: Path) -> str | None:
    try:
        return _git(folder, "symbolic-ref", "-q", "HEAD") or None
    except GitCommandError:
        return None  # detached


def _branch_exists(folder: Path, branch: str) -> bool:
    return bool(_git(folder, "for-each-ref", "--format=%(refname)", f"refs/heads/{branch}"))


def _git(folder: Path, *args: str) -> str:
    return run_git(*args, cwd=folder).strip()
