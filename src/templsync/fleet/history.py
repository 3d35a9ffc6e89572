"""A template's history, read once for a whole fleet: what each recorded version lacks.

:class:`TemplateHistory` walks every commit reachable from the latest version one time (ids and
parents only). How far an instance is behind is then arithmetic in memory: the commits of that
walk its recorded commit does not reach. On a history without merges that is the commit's
position in the walk; with merges, the commits its parents do not lead to. Each distinct
recorded commit is worked out once, so a thousand instances on twenty versions cost twenty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

import pygit2
from packaging.version import Version
from pygit2.enums import SortMode

from templsync._io.gitrepo import GitRepo, subject_line
from templsync._io.sources import GitSource, ResolvedVersion
from templsync.errors import UserError
from templsync.fleet.categories import Category, categorize_paths

__all__ = ["TemplateChange", "TemplateHistory"]


@dataclass(frozen=True)
class TemplateChange:
    """One template commit some instance lacks."""

    sha: str
    subject: str
    date: datetime
    categories: frozenset[Category]
    paths: tuple[str, ...]
    """The paths it touched (none for a merge commit: its changes come with its parents)."""


class TemplateHistory:
    """The commits of ``latest`` (a version of ``source``), and what a recorded commit lacks."""

    def __init__(
        self, source: GitSource, latest: ResolvedVersion, *, prereleases: bool = False
    ) -> None:
        if latest.commit is None:
            raise ValueError("a git source's version always has a commit")
        self.source = source
        self.latest = latest
        self.order: list[str] = []
        """Newest first (topological order)."""
        self.position: dict[str, int] = {}
        self.parents: dict[str, tuple[str, ...]] = {}
        linear = True
        for commit in self.repo.repo.walk(pygit2.Oid(hex=latest.commit), SortMode.TOPOLOGICAL):
            sha = str(commit.id)
            self.position[sha] = len(self.order)
            self.order.append(sha)
            parents = commit.parent_ids
            self.parents[sha] = tuple(str(p) for p in parents)
            linear = linear and len(parents) <= 1
        self.linear = linear
        self.versions: list[tuple[Version, str]] = source.versions(prereleases=prereleases)
        self._tag_commits: dict[str, str] | None = None
        self._missing: dict[str, tuple[str, ...]] = {}
        self._resolved: dict[str, ResolvedVersion | None] = {}
        self._above: dict[Version, int] = {}

    @property
    def repo(self) -> GitRepo:
        return self.source.repo

    def resolve(self, recorded: str) -> ResolvedVersion | None:
        """``_commit`` as :meth:`Project.recorded_version` reads it; None when it is not there."""
        if recorded not in self._resolved:
            try:
                found = self.source.resolve(recorded, prereleases=True)
            except UserError:
                self._resolved[recorded] = None
            else:
                self._resolved[recorded] = replace(found, recorded=recorded)
        return self._resolved[recorded]

    def missing(self, commit: str) -> tuple[str, ...]:
        """The latest version's commits that ``commit`` does not reach, newest first."""
        if commit not in self._missing:
            self._missing[commit] = self._compute_missing(commit)
        return self._missing[commit]

    def _compute_missing(self, commit: str) -> tuple[str, ...]:
        at = self.position.get(commit)
        if at is None:  # not below the latest version (a newer commit, another branch)
            assert self.latest.commit is not None
            return tuple(self.repo.commits_between(commit, self.latest.commit))
        if self.linear:
            return tuple(self.order[:at])
        reached, todo = {commit}, [commit]
        while todo:
            for parent in self.parents[todo.pop()]:
                if parent not in reached:
                    reached.add(parent)
                    todo.append(parent)
        return tuple(sha for sha in self.order if sha not in reached)

    def versions_behind(self, current: ResolvedVersion, missing: tuple[str, ...]) -> int:
        """Versions above ``current`` up to the latest, counted as ``templsync check`` does.

        By PEP 440 order when both are versions; otherwise the version tags on the commits
        ``current`` lacks.
        """
        latest = self.latest.version
        if current.version is not None and latest is not None:
            if current.version not in self._above:
                above = {v for v, _ in self.versions if current.version < v <= latest}
                self._above[current.version] = len(above)
            return self._above[current.version]
        if self._tag_commits is None:
            self._tag_commits = {tag: self.repo.resolve(tag) for _, tag in self.versions}
        lacking = set(missing)
        return len({v for v, tag in self.versions if self._tag_commits[tag] in lacking})

    def changes(self, commits: Iterable[str]) -> tuple[TemplateChange, ...]:
        """The commits that at least one of ``commits`` lacks, newest first, categorized."""
        lacking: set[str] = set()
        for recorded in set(commits):
            lacking.update(self.missing(recorded))
        found: list[TemplateChange] = []
        for sha in sorted(lacking, key=self.position.__getitem__):
            commit = self.repo.repo[sha].peel(pygit2.Commit)
            paths = touched_paths(commit)
            found.append(
                TemplateChange(
                    sha,
                    subject_line(commit.raw_message),
                    commit_date(commit),
                    categorize_paths(paths),
                    paths,
                )
            )
        return tuple(found)


def touched_paths(commit: pygit2.Commit) -> tuple[str, ...]:
    """The paths ``commit`` added, changed, deleted or moved (both names); none for a merge."""
    parents = commit.parents
    if len(parents) > 1:
        return ()
    if parents:
        diff = parents[0].tree.diff_to_tree(commit.tree)
    else:
        diff = commit.tree.diff_to_tree(swap=True)
    return tuple(sorted({p for d in diff.deltas for p in (d.old_file.path, d.new_file.path)}))


def commit_date(commit: pygit2.Commit) -> datetime:
    """The committer date, in the committer's time zone (``git log --format=%cI``)."""
    offset = timezone(timedelta(minutes=commit.commit_time_offset))
    return datetime.fromtimestamp(commit.commit_time, tz=offset)
