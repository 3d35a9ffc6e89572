"""``fleet status``: where every instance of a fleet stands against the template, in one pass.

Three steps, so a fleet of a thousand instances costs one walk of the template's history plus a
few file reads per instance:

1. each instance's own facts, from its folder and its git repository: the answers file
   (``_src_path``, ``_commit``), uncommitted changes, unmerged paths in the index (conflicts an
   update left), and the date of the last commit that changed the answers file, read in
   worker processes when there are many instances (:mod:`templsync.fleet.facts`);
2. the template's history, read once (:mod:`templsync.fleet.history`): an instance's commits
   behind are the commits of that walk its recorded commit does not reach, worked out in
   memory; versions behind are the version tags above its version up to the latest, as
   ``templsync check`` counts them;
3. with ``conflicts``, a dry run of the update of every instance that is behind (nothing
   written), in parallel, listing the files it would conflict on.

An instance that cannot be read is *broken* with a short reason; it never stops the others.
Below the instances, the template's changes that some instance lacks, one per commit, newest
first, each with the categories of the paths it touched (:mod:`templsync.fleet.categories`).
"""

from __future__ import annotations

import enum
import os
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from packaging.version import Version

from templsync._io.sources import GitSource, ResolvedVersion, resolve_source
from templsync.errors import UserError
from templsync.fleet.categories import Category
from templsync.fleet.facts import Facts, Member, read_facts, template_key
from templsync.fleet.history import TemplateChange, TemplateHistory
from templsync.fleet.registry import (
    CheckoutError,
    Fleet,
    is_remote,
    local_checkout,
    resolve_location,
)
from templsync.progress import Progress, no_progress
from templsync.template.limits import RenderLimits

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

__all__ = [
    "FleetStatus",
    "InstanceStatus",
    "Member",
    "State",
    "TemplateChange",
    "collect_status",
    "fleet_status",
    "markdown_table",
]

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_FROM = 64
"""Fewer instances than this are read in this process: a pool costs more than it saves."""


class NotAGitTemplateError(UserError):
    """The fleet's template is a plain folder: it has no versions to compare with."""


class State(enum.StrEnum):
    """An instance's state, most urgent first (an instance has the first that applies)."""

    BROKEN = "broken"
    CONFLICTS = "unresolved conflicts"
    DIRTY = "uncommitted changes"
    MAJOR_BEHIND = "major version behind"
    BEHIND = "behind"
    UP_TO_DATE = "up to date"


@dataclass(frozen=True)
class InstanceStatus:
    """Where one instance stands."""

    name: str
    location: str
    team: str | None
    folder: Path | None
    state: State
    reason: str | None = None
    """Broken: what is wrong, in a few words (``detail`` has the whole message)."""
    detail: str | None = None
    answers_file: str | None = None
    recorded: str | None = None
    """``_commit`` as the answers file spells it (a tag, or a commit)."""
    commit: str | None = None
    version: Version | None = None
    last_updated: datetime | None = None
    """The date of the last commit that changed the answers file."""
    commits_behind: int | None = None
    versions_behind: int | None = None
    conflicts: tuple[str, ...] | None = None
    """With ``conflicts``: the files an update would conflict on (None: not looked at)."""
    conflicts_error: str | None = None
    """With ``conflicts``: why the dry run of the update failed."""
    unmerged: tuple[str, ...] = ()
    """The paths git's index holds unmerged (conflicts an update left unresolved)."""

    @property
    def status(self) -> str:
        """The state as one cell: ``2 versions behind``, ``broken: no answers file``..."""
        if self.state is State.BROKEN:
            return f"broken: {self.reason}"
        if self.state in (State.BEHIND, State.MAJOR_BEHIND):
            shown = _behind_text(self.commits_behind or 0, self.versions_behind or 0)
            return f"major version behind ({shown})" if self.state is State.MAJOR_BEHIND else shown
        return self.state.value


@dataclass(frozen=True)
class FleetStatus:
    """Every instance's status, and the template's changes since the oldest recorded version."""

    template: str
    """The template as the registry spells it."""
    latest: ResolvedVersion
    instances: tuple[InstanceStatus, ...]
    changes: tuple[TemplateChange, ...]
    """Newest first: the commits of the latest version that at least one instance lacks."""
    since: str | None
    """The oldest version an instance records (the one the changes start from)."""

    def by_category(self) -> dict[Category, tuple[TemplateChange, ...]]:
        """The changes grouped by category, in :class:`Category` order (empty groups left out)."""
        groups = {c: tuple(ch for ch in self.changes if c in ch.categories) for c in Category}
        return {c: changes for c, changes in groups.items() if changes}

    def counts(self) -> dict[State, int]:
        """How many instances are in each state (every state, in :class:`State` order)."""
        return {s: sum(1 for i in self.instances if i.state is s) for s in State}


def fleet_status(
    fleet: Fleet,
    *,
    conflicts: bool = False,
    jobs: int | None = None,
    prereleases: bool = False,
    cache_dir: Path | None = None,
    refresh: bool = True,
    trust: bool = False,
    trust_list: tuple[str, ...] = (),
    limits: RenderLimits = RenderLimits(),  # noqa: B008  # an immutable, frozen value
    progress: Progress = no_progress,
    parallel_from: int = PARALLEL_FROM,
) -> FleetStatus:
    """The status of every instance in the registry ``fleet``; see :func:`collect_status`.

    An instance given by a git URL is read from its clone in the cache (made on first use).
    Whether an instance's ``_src_path`` names the fleet's template is decided as ``fleet
    discover`` decides it (:func:`~templsync.fleet.discover.instance_problem`).
    """
    from templsync.fleet.discover import instance_problem  # noqa: PLC0415  # rarely needed

    members = []
    resolve = _Resolver(fleet.path.parent)
    for entry in fleet.entries:
        folder: Path | None = None
        error = None
        if is_remote(entry.location):
            try:
                folder = local_checkout(entry, fleet, cache_dir)
            except CheckoutError as err:
                error = str(err)
        else:  # a missing folder is the instance's problem, said by its status
            folder = resolve(entry.location)
        members.append(
            Member(entry.name, entry.location, folder, entry.team, entry.answers_file, error)
        )
    found = collect_status(
        fleet.template_location(),
        members,
        conflicts=conflicts,
        jobs=jobs,
        prereleases=prereleases,
        cache_dir=cache_dir,
        refresh=refresh,
        trust=trust,
        trust_list=trust_list,
        limits=limits,
        progress=progress,
        parallel_from=parallel_from,
        same_template=lambda m: (
            m.folder is not None and instance_problem(fleet, m.folder, m.answers_file) is None
        ),
    )
    return replace(found, template=fleet.template)


class _Resolver:
    """:func:`resolve_location` for a registry's entries, each distinct parent folder resolved once.

    An entry's folder is its resolved parent joined with its name when that name is a folder,
    not a symlink (as ``os.path.realpath`` finds it, one lstat instead of one per component);
    anything else (a symlink, a missing folder, a name such as ``..``) is resolved in full.
    """

    def __init__(self, base: Path) -> None:
        self.base = base
        self.parents: dict[str, str] = {}

    def __call__(self, spelling: str) -> Path:
        path = Path(spelling).expanduser()
        full = str(path if path.is_absolute() else self.base / path)
        parent, name = os.path.split(full)
        try:
            is_folder = name not in ("", ".", "..") and stat.S_ISDIR(os.lstat(full).st_mode)
        except OSError:
            is_folder = False
        if not is_folder:
            return resolve_location(self.base, spelling)
        if parent not in self.parents:
            self.parents[parent] = os.path.realpath(parent)
        return Path(self.parents[parent], name)


def collect_status(
    template: str,
    members: Sequence[Member],
    *,
    conflicts: bool = False,
    jobs: int | None = None,
    prereleases: bool = False,
    cache_dir: Path | None = None,
    refresh: bool = True,
    trust: bool = False,
    trust_list: tuple[str, ...] = (),
    limits: RenderLimits = RenderLimits(),  # noqa: B008  # an immutable, frozen value
    progress: Progress = no_progress,
    same_template: Callable[[Member], bool] | None = None,
    parallel_from: int = PARALLEL_FROM,
) -> FleetStatus:
    """The status of ``members``, instances of the template at ``template``; see the module.

    ``jobs`` worker processes (default: one per CPU; 1 reads everything in this process, as
    does a fleet of fewer than ``parallel_from`` instances).
    An instance whose ``_src_path`` leads elsewhere than ``template`` is broken unless
    ``same_template`` says it is the same template under another spelling (a URL of a local
    clone's remote, say). Raises :class:`NotAGitTemplateError` or the template source's errors
    when the template itself cannot be read; an instance's problems make it broken, no more.
    """
    source = resolve_source(template, cache_dir=cache_dir, refresh=refresh)
    if not isinstance(source, GitSource):
        raise NotAGitTemplateError(
            f"the fleet's template {template!r} is a folder, not a git repository, so it has no "
            "versions to compare instances with. Make it a git repository with version tags."
        )
    latest = source.resolve(prereleases=prereleases)
    history = TemplateHistory(source, latest, prereleases=prereleases)
    workers = jobs or os.cpu_count() or 1
    key = template_key(template)
    facts = _map(
        read_facts,
        members,
        workers=workers,
        stage="instances",
        progress=progress,
        parallel_from=parallel_from,
    )
    statuses = [
        _classify(history, m, f, key, same_template) for m, f in zip(members, facts, strict=True)
    ]
    if conflicts:
        statuses = _dry_runs(
            statuses,
            latest,
            template,
            workers=workers,
            progress=progress,
            trust=trust,
            trust_list=trust_list,
            limits=limits,
        )
    behind = [s.commit for s in statuses if s.commit and s.commits_behind]
    oldest = max(
        (s for s in statuses if s.commits_behind), key=lambda s: s.commits_behind or 0, default=None
    )
    return FleetStatus(
        template=template,
        latest=history.latest,
        instances=tuple(statuses),
        changes=history.changes(behind),
        since=oldest.recorded if oldest else None,
    )


# where each instance stands -------------------------------------------------------------------


def _classify(
    history: TemplateHistory,
    member: Member,
    facts: Facts,
    template: str,
    same_template: Callable[[Member], bool] | None,
) -> InstanceStatus:
    def status(
        state: State = State.BROKEN,
        reason: str | None = facts.reason,
        detail: str | None = facts.detail,
        current: ResolvedVersion | None = None,
        missing: tuple[str, ...] = (),
    ) -> InstanceStatus:
        return InstanceStatus(
            member.name,
            member.location,
            member.team,
            member.folder,
            state,
            reason,
            detail,
            facts.answers_file,
            facts.recorded,
            None if current is None else current.commit,
            None if current is None else current.version,
            facts.last_updated,
            None if current is None else len(missing),
            None if current is None else history.versions_behind(current, missing),
            unmerged=facts.unmerged,
        )

    if facts.reason is not None or facts.recorded is None:
        return status()
    if facts.template != template and not (same_template and same_template(member)):
        detail = f"{facts.answers_file} records another template: _src_path is {facts.src_path!r}"
        return status(reason="made from another template", detail=detail)
    current = history.resolve(facts.recorded)
    if current is None or current.commit is None:
        return status(reason=f"_commit {facts.recorded} is not in the template")
    missing = history.missing(current.commit)
    latest = history.latest.version
    if current.version is not None and latest is not None:
        up_to_date = not latest > current.version
        major = latest.major > current.version.major
    else:
        up_to_date, major = not missing, False
    if facts.unmerged:
        state = State.CONFLICTS
    elif facts.dirty:
        state = State.DIRTY
    elif up_to_date:
        state = State.UP_TO_DATE
    else:
        state = State.MAJOR_BEHIND if major else State.BEHIND
    return status(state, None, facts.detail, current, missing)


def _behind_text(commits: int, versions: int) -> str:
    if versions:
        return f"{versions} version{'s' if versions != 1 else ''} behind"
    return f"{commits} commit{'s' if commits != 1 else ''} behind"


# dry runs of the update ------------------------------------------------------------------------


def _dry_runs(
    statuses: list[InstanceStatus],
    latest: ResolvedVersion,
    template: str,
    *,
    workers: int,
    progress: Progress,
    trust: bool,
    trust_list: tuple[str, ...],
    limits: RenderLimits,
) -> list[InstanceStatus]:
    import templsync.instance.update  # noqa: F401, PLC0415  # loaded once, before workers fork

    todo = [
        n
        for n, s in enumerate(statuses)
        if s.state not in (State.BROKEN, State.UP_TO_DATE) and s.commits_behind
    ]
    jobs = [(statuses[n], latest.ref, template, trust, trust_list, limits) for n in todo]
    found = _map(
        _dry_run, jobs, workers=workers, stage="conflicts", progress=progress, parallel_from=2
    )
    done = dict(zip(todo, found, strict=True))
    return [done.get(n, s) for n, s in enumerate(statuses)]


def _dry_run(
    job: tuple[InstanceStatus, str | None, str, bool, tuple[str, ...], RenderLimits],
) -> InstanceStatus:
    """The files an update of ``status`` would conflict on, the template read from the
    registry's location (the instance's ``_src_path`` may be relative to another folder)."""
    from templsync.instance.update import UpdateOptions, update  # noqa: PLC0415  # Jinja

    status, ref, template, trust, trust_list, limits = job
    assert status.folder is not None
    options = UpdateOptions(
        vcs_ref=ref,
        answers_file=status.answers_file,
        defaults=True,
        pretend=True,
        quiet=True,
        skip_tasks=True,
        allow_dirty=True,
        trust=trust,
        trust_list=trust_list,
        limits=limits,
        template=template,
    )
    try:
        result = update(status.folder, options)
    except UserError as err:
        return replace(status, conflicts_error=str(err))
    return replace(status, conflicts=tuple(sorted(c.path for c in result.conflicts)))


def _map(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    workers: int,
    stage: str,
    progress: Progress,
    parallel_from: int,
    done: Callable[[int, R], None] | None = None,
) -> list[R]:
    """``map(func, items)``, in ``workers`` processes from ``parallel_from`` items on.

    Items worth a process from two on (an update, a dry run: each takes a good part of a
    second) are handed out one at a time, so the workers finish together; cheap ones (an
    instance's facts) go in chunks, which costs less to send. ``done(index, result)`` is
    called for each item as soon as it finishes (in the order they finish).
    """
    total = len(items)
    if workers <= 1 or total < parallel_from:
        results = []
        for n, item in enumerate(items, 1):
            results.append(func(item))
            if done is not None:
                done(n - 1, results[-1])
            progress(stage, n, total)
        return results
    import multiprocessing  # noqa: PLC0415  # a pool only: jobs=1 and small fleets need none
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415  # as above

    method = "fork" if sys.platform == "linux" else "spawn"
    context = multiprocessing.get_context(method)
    if done is not None:
        return _each_as_done(
            func, items, workers, context, done=done, progress=lambda n: progress(stage, n, total)
        )
    chunk = 1 if parallel_from <= 2 else max(1, min(256, -(-total // (workers * 4))))
    results = []
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        for n, result in enumerate(pool.map(func, items, chunksize=chunk), 1):
            results.append(result)
            if n % chunk == 0 or n == total:
                progress(stage, n, total)
    return results


def _each_as_done(
    func: Callable[[T], R],
    items: Sequence[T],
    workers: int,
    context: BaseContext,
    *,
    done: Callable[[int, R], None],
    progress: Callable[[int], None],
) -> list[R]:
    """:func:`_map` in a pool, one item at a time, ``done`` called as each finishes."""
    from concurrent.futures import ProcessPoolExecutor, as_completed  # noqa: PLC0415  # see _map

    results: dict[int, R] = {}
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = {pool.submit(func, item): n for n, item in enumerate(items)}
        try:
            for count, future in enumerate(as_completed(futures), 1):
                n = futures[future]
                results[n] = future.result()
                done(n, results[n])
                progress(count)
        except BaseException:  # Ctrl-C: the items not started yet are not started at all
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return [results[n] for n in range(len(items))]


# reports --------------------------------------------------------------------------------------

MARKDOWN_COLUMNS = ("Project", "Location", "Team", "Last Updated", "Template Version", "Status")


def markdown_table(status: FleetStatus) -> str:
    """``INSTANCES.md``: a heading, the latest version, and one table row per instance.

    Nothing in it depends on the day it is written, so it changes only when an instance does.
    """
    latest = status.latest.version or status.latest.recorded
    lines = [
        "# Instances",
        "",
        f"Template: `{status.template}`, latest version {latest}.",
        "",
        "| " + " | ".join(MARKDOWN_COLUMNS) + " |",
        "|" + " --- |" * len(MARKDOWN_COLUMNS),
    ]
    for i in status.instances:
        cells = (
            i.name,
            i.location,
            i.team or "",
            i.last_updated.date().isoformat() if i.last_updated else "",
            i.recorded or "",
            i.status,
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
