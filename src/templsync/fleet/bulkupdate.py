"""``fleet update``: update every selected instance of a fleet, each on its own branch.

For each instance (in worker processes, or in this process with ``jobs=1``):

1. skip it, with the reason, unless ``fleet status`` finds it behind (uncommitted changes,
   unresolved conflicts, up to date, broken);
2. create the update branch (``templsync/update-<version>``) unless ``in_place``;
3. run the update; conflicts stop the instance there and are reported;
4. run its test command in its folder (with a timeout); a failure reports the last lines;
5. stage its folder (only that folder, in a monorepo) and commit, with a message that lists
   the template commits it brings in, unless ``commit`` is off;
6. record the outcome in the registry (``last_update``), with the version and the date when the
   update succeeded, as the instances finish (a few at a time, at most every
   :data:`RECORD_EVERY` seconds, and at the end).

A run stopped mid-way (Ctrl-C, a kill) leaves each instance either finished or as it was: from
step 2 until its outcome is recorded, an instance is marked in its repository
(:mod:`templsync.fleet.resume`), and the next run first puts back every instance whose mark is
still there (an update that was committed is kept, and recorded then). Running the same update
again so finishes the rest, and the finished ones are up to date.

``dry_run`` runs 1 and 3 as a pretend merge and writes nothing. One instance's problem is an
:class:`Outcome` of that instance; it never stops the others. Instances that share a git
repository (services of a monorepo) are updated one after the other, in registry order, on one
update branch: the first creates it, the others continue on it.
"""

from __future__ import annotations

import enum
import os
import signal
import subprocess
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pygit2

from templsync._io.gitmirror import run_git
from templsync.errors import TemplsyncError, UserError
from templsync.fleet import resume
from templsync.fleet.registry import (
    DEFAULT_ANSWERS_FILE,
    CheckoutError,
    Fleet,
    FleetEntry,
    LastUpdate,
    load_fleet,
    local_checkout,
)
from templsync.fleet.registry_save import save_fleet
from templsync.fleet.status import InstanceStatus, State, _map, fleet_status
from templsync.progress import Progress, no_progress
from templsync.template.limits import RenderLimits

if TYPE_CHECKING:
    from templsync.instance.check import CheckResult, TemplateCommit

__all__ = [
    "FleetUpdateOptions",
    "FleetUpdateResult",
    "Outcome",
    "Result",
    "fleet_update",
    "record",
    "select",
    "update_instance",
]


TAIL_LINES = 20
RECORD_EVERY = 2.0
"""Seconds between two writes of the outcomes to the registry, at most (and at the end)."""


class Result(enum.StrEnum):
    """What happened to one instance."""

    UPDATED = "updated"
    UP_TO_DATE = "up to date"
    CONFLICTS = "conflicts"
    TESTS_FAILED = "tests failed"
    SKIPPED = "skipped"
    ERROR = "error"


@dataclass(frozen=True)
class FleetUpdateOptions:
    """How to update the fleet; the selection fields are ANDed (empty: every instance)."""

    only: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    waves: tuple[str, ...] = ()
    jobs: int | None = None
    branch: str | None = None
    """The branch name; ``{version}`` is replaced (default ``templsync/update-{version}``)."""
    in_place: bool = False
    commit: bool = True
    dry_run: bool = False
    test_timeout: float | None = None
    trust: bool = False
    trust_list: tuple[str, ...] = ()
    settings_defaults: tuple[tuple[str, object], ...] = ()
    """Copier's ``defaults:`` from its settings file, for questions an update asks anew (as
    pairs: the options go to worker processes, and a mapping proxy does not pickle)."""
    prereleases: bool = False
    limits: RenderLimits = field(default_factory=RenderLimits)
    """How much each render may make (unset: by trust)."""


@dataclass(frozen=True)
class Outcome:
    """One instance's result."""

    name: str
    result: Result
    reason: str | None = None
    from_version: str | None = None
    to_version: str | None = None
    branch: str | None = None
    commit: str | None = None
    conflicts: tuple[str, ...] = ()
    test_output: str | None = None
    """The last lines of a failed test command's output."""

    @property
    def clean(self) -> bool:
        """Updated, or nothing to do."""
        return self.result in (Result.UPDATED, Result.UP_TO_DATE)


@dataclass(frozen=True)
class FleetUpdateResult:
    """Every selected instance's outcome, in registry order."""

    outcomes: tuple[Outcome, ...]
    latest: str | None
    dry_run: bool
    restored: tuple[tuple[str, str], ...] = ()
    """Instances an earlier, stopped run left mid-way, and what was done to them first."""

    @property
    def clean(self) -> bool:
        return all(o.clean for o in self.outcomes)

    def counts(self) -> dict[Result, int]:
        return {r: sum(1 for o in self.outcomes if o.result is r) for r in Result}


@dataclass(frozen=True)
class _Job:
    status: InstanceStatus
    test_command: str | None
    to_ref: str | None
    to_shown: str
    options: FleetUpdateOptions
    base_branch: str | None = None
    """The entry's ``branch``: the update branch starts from it (default: the current one)."""
    shared_branch: str | None = None
    """The update branch an instance of the same repository created earlier in this run."""
    template: str | None = None
    """The registry's template location: read from there, whatever ``_src_path`` spells."""


def select(fleet: Fleet, options: FleetUpdateOptions) -> tuple[FleetEntry, ...]:
    """The entries ``--only``, ``--team`` and ``--wave`` select (an unknown name is an error)."""
    for name in options.only:
        fleet.entry(name)
    return tuple(
        e
        for e in fleet.entries
        if (not options.only or e.name in options.only)
        and (not options.teams or e.team in options.teams)
        and (not options.waves or (e.wave is not None and str(e.wave) in options.waves))
    )


def fleet_update(
    fleet: Fleet, options: FleetUpdateOptions, progress: Progress = no_progress
) -> FleetUpdateResult:
    """Update the instances of ``fleet`` that ``options`` selects; see the module."""
    import templsync.instance.update  # noqa: F401, PLC0415  # loaded once, before workers fork

    today = datetime.now(UTC).date().isoformat()
    chosen = select(fleet, options)
    restored = []
    if not options.dry_run:
        for entry in chosen:
            if (done_there := _restore(entry, fleet)) is not None:
                restored.append((entry.name, done_there))
    found = fleet_status(
        replace(fleet, entries=chosen),
        jobs=options.jobs,
        prereleases=options.prereleases,
    )
    latest = found.latest
    shown = latest.recorded or latest.ref or "latest"
    if not options.dry_run:
        _catch_up(fleet, chosen, found.instances, shown)
    jobs = [
        _Job(
            status,
            entry.test_command if entry.test_command is not None else fleet.test_command,
            latest.ref,
            shown,
            options,
            entry.branch,
            template=fleet.template_location(),
        )
        for entry, status in zip(chosen, found.instances, strict=True)
    ]
    groups = _by_repository(jobs)
    done = [0]
    for group in groups:
        done.append(done[-1] + len(group))

    grouped = [tuple(jobs[n] for n in group) for group in groups]
    records = _Records(fleet.path, today)
    try:
        per_group = _map(
            _update_group,
            grouped,
            workers=options.jobs or os.cpu_count() or 1,
            stage="update",
            progress=lambda s, n, _: progress(s, done[n], len(jobs)),
            parallel_from=2,
            done=None if options.dry_run else lambda n, found: records.add(grouped[n], found),
        )
    except BaseException:
        records.flush(final=False)  # Ctrl-C: what finished is recorded all the same
        raise
    records.flush(final=True)
    outcomes: dict[int, Outcome] = {}
    for group, found_outcomes in zip(groups, per_group, strict=True):
        outcomes.update(zip(group, found_outcomes, strict=True))
    return FleetUpdateResult(
        tuple(outcomes[n] for n in range(len(jobs))), shown, options.dry_run, tuple(restored)
    )


class _Records:
    """Outcomes written to the registry as they come, a few at a time: at most every
    :data:`RECORD_EVERY` seconds (a write rereads and rewrites the whole registry), then the
    marks of the instances recorded are removed (:func:`resume.finish`)."""

    def __init__(self, registry: Path, today: str) -> None:
        self.registry = registry
        self.today = today
        self.pending: list[tuple[Sequence[_Job], Sequence[Outcome]]] = []
        self.last = time.monotonic()

    def add(self, jobs: Sequence[_Job], outcomes: Sequence[Outcome]) -> None:
        self.pending.append((jobs, outcomes))
        if time.monotonic() - self.last >= RECORD_EVERY:
            self.flush(final=False)

    def flush(self, *, final: bool) -> None:
        """Write what is pending; a registry that cannot be written now is tried again later,
        and is an error only when ``final``."""
        if not self.pending:
            return
        try:
            record(self.registry, [o for _, found in self.pending for o in found], self.today)
        except UserError:  # busy, or changed by someone meanwhile
            if final:
                raise
            return
        for jobs, _ in self.pending:
            for job in jobs:
                if job.status.folder is not None:
                    resume.finish(job.status.folder)
        self.pending.clear()
        self.last = time.monotonic()


def _restore(entry: FleetEntry, fleet: Fleet) -> str | None:
    """Put back the instance of ``entry`` if an earlier run was stopped in the middle of it."""
    try:
        folder = local_checkout(entry, fleet, None)
    except CheckoutError:
        return None  # its status says why
    return resume.restore(folder)


def _catch_up(
    fleet: Fleet, chosen: Sequence[FleetEntry], found: Sequence[InstanceStatus], shown: str
) -> None:
    """Record the updates to ``shown`` an earlier run committed but was stopped before recording."""
    caught: dict[str, LastUpdate] = {}
    for entry, status in zip(chosen, found, strict=True):
        done = entry.last_update
        if status.state is not State.UP_TO_DATE or status.folder is None:
            continue
        if done is not None and (done.outcome, done.version) == (Result.UPDATED.value, shown):
            continue
        answers = status.answers_file or DEFAULT_ANSWERS_FILE
        day = resume.landed(status.folder, answers, shown)
        if day is not None:
            caught[entry.name] = LastUpdate(Result.UPDATED.value, shown, day.isoformat())
    if caught:
        _save_records(fleet.path, caught)


def _by_repository(jobs: Sequence[_Job]) -> list[tuple[int, ...]]:
    """The jobs' indexes, those of instances in one git repository together (registry order).

    Two updates in one repository at once would race for its index and its branches.
    """
    groups: dict[str | int, list[int]] = defaultdict(list)
    for n, job in enumerate(jobs):
        folder = job.status.folder
        found = None
        if folder is not None and job.status.state in (State.BEHIND, State.MAJOR_BEHIND):
            try:
                found = pygit2.discover_repository(str(folder))
            except pygit2.GitError:
                found = None
        groups[n if found is None else os.path.realpath(found)].append(n)
    return [tuple(group) for group in groups.values()]


def _update_group(jobs: tuple[_Job, ...]) -> list[Outcome]:
    """The instances of one repository, one after the other, on one update branch."""
    outcomes: list[Outcome] = []
    shared = None
    for job in jobs:
        outcome = update_instance(replace(job, shared_branch=shared))
        shared = shared or outcome.branch
        outcomes.append(outcome)
    return outcomes


_RECORDED = (Result.UPDATED, Result.CONFLICTS, Result.TESTS_FAILED, Result.ERROR)


def record(registry: Path, outcomes: Sequence[Outcome], today: str) -> None:
    """Write each attempted update's outcome (and, on success, version and date) to the registry.

    The registry is read again first (an update can take long), so edits made meanwhile stay;
    skipped and up-to-date instances are left as they are.
    """
    done = {o.name: o for o in outcomes if o.result in _RECORDED}
    if not done:
        return
    fresh = load_fleet(registry)
    updates = {
        e.name: _last_update(done[e.name], e.last_update, today)
        for e in fresh.entries
        if e.name in done
    }
    _save_records(registry, updates, fresh)


def _save_records(
    registry: Path, updates: dict[str, LastUpdate], fresh: Fleet | None = None
) -> None:
    fresh = fresh or load_fleet(registry)
    entries = tuple(
        replace(e, last_update=updates[e.name]) if e.name in updates else e for e in fresh.entries
    )
    save_fleet(replace(fresh, entries=entries))


def _last_update(outcome: Outcome, previous: LastUpdate | None, today: str) -> LastUpdate:
    if outcome.result is Result.UPDATED:
        return LastUpdate(outcome.result.value, outcome.to_version, today)
    if previous is None:
        return LastUpdate(outcome.result.value)
    return LastUpdate(outcome.result.value, previous.version, previous.date)


def update_instance(job: _Job) -> Outcome:
    """One instance's steps; every problem of the instance is its outcome, never an exception."""
    status = job.status
    try:
        return _steps(job)
    except TemplsyncError as err:
        return Outcome(status.name, Result.ERROR, str(err), status.recorded)
    except OSError as err:
        return Outcome(status.name, Result.ERROR, f"{type(err).__name__}: {err}", status.recorded)


def _steps(job: _Job) -> Outcome:
    from templsync.instance.check import CheckOptions, check  # noqa: PLC0415  # slow imports

    status, options = job.status, job.options
    name = status.name
    if status.state is State.UP_TO_DATE:
        return Outcome(name, Result.UP_TO_DATE, None, status.recorded, status.recorded)
    if status.state not in (State.BEHIND, State.MAJOR_BEHIND):
        return Outcome(name, Result.SKIPPED, status.status, status.recorded)
    folder = status.folder
    assert folder is not None
    checked = check(
        folder,
        CheckOptions(
            answers_file=status.answers_file,
            refresh=False,
            prereleases=options.prereleases,
            template=job.template,
        ),
    )
    branch = None
    if not options.in_place and not options.dry_run:
        pattern = options.branch or "templsync/update-{version}"
        branch = pattern.replace("{version}", job.to_shown)
    if options.dry_run:
        return _update_and_commit(job, folder, checked, branch)
    resume.begin(folder, branch)  # removed once the outcome is recorded
    try:
        return _update_and_commit(job, folder, checked, branch)
    except BaseException as err:
        if not isinstance(err, Exception):  # Ctrl-C: the instance goes back as it was
            resume.restore(folder)
        raise  # an error is the instance's outcome: left for a person, as it is


def _update_and_commit(
    job: _Job, folder: Path, checked: CheckResult, branch: str | None
) -> Outcome:
    """Steps 2-5 of the module for the instance in ``folder``."""
    from templsync.instance.update import UpdateOptions, update  # noqa: PLC0415  # slow imports

    status, options, name = job.status, job.options, job.status.name
    # The update branch: made here, or continued when HEAD is on it already (an earlier
    # instance of this repository made it, in this run or in one that was stopped)
    if branch is not None and run_git("branch", "--show-current", cwd=folder).strip() != branch:
        start = () if job.base_branch is None else (job.base_branch,)
        run_git("checkout", "-q", "-b", branch, *start, cwd=folder)
    result = update(
        folder,
        UpdateOptions(
            vcs_ref=job.to_ref,
            answers_file=status.answers_file,
            defaults=True,
            pretend=options.dry_run,
            quiet=True,
            conflict="inline",
            trust=options.trust,
            trust_list=options.trust_list,
            limits=options.limits,
            settings_defaults=dict(options.settings_defaults),
            template=job.template,
        ),
    )
    base = Outcome(name, Result.UPDATED, None, status.recorded, job.to_shown, branch)
    if result.conflicts:
        paths = tuple(sorted(c.path for c in result.conflicts))
        reason = f"{len(paths)} file{'s' if len(paths) != 1 else ''} in conflict"
        return _with(base, result=Result.CONFLICTS, reason=reason, conflicts=paths)
    if options.dry_run:
        return _with(base, reason="dry run: nothing written")
    if job.test_command:
        failed = _run_tests(job.test_command, folder, options.test_timeout)
        if failed is not None:
            reason, tail = failed
            return _with(base, result=Result.TESTS_FAILED, reason=reason, test_output=tail)
    run_git("add", "-A", "--", ".", cwd=folder)
    if not options.commit:
        return _with(base, reason="staged, not committed")
    message = _message(checked.current.recorded, job.to_shown, checked.commits)
    run_git("commit", "-q", "-m", message, "--", ".", cwd=folder)
    sha = run_git("rev-parse", "HEAD", cwd=folder).strip()
    return _with(base, commit=sha)


def _with(outcome: Outcome, **changes: object) -> Outcome:
    return replace(outcome, **changes)  # type: ignore[arg-type]


def _run_tests(command: str, folder: Path, timeout: float | None) -> tuple[str, str] | None:
    """None when ``command`` passes in ``folder``; else the reason and its output's last lines."""
    process = subprocess.Popen(  # noqa: S602  # the registry's test command is a shell command
        command,
        shell=True,
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the shell and everything it started
        out, _ = process.communicate()
        return f"`{command}` timed out after {timeout:g} s", _tail(out.decode(errors="replace"))
    except BaseException:  # Ctrl-C: its own session does not get it, so stop it here
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    if process.returncode == 0:
        return None
    text = out.decode(errors="replace")
    return f"`{command}` exited with {process.returncode}", _tail(text)


def _tail(text: str) -> str:
    return "\n".join(text.rstrip("\n").splitlines()[-TAIL_LINES:])


def _message(from_version: str | None, to_version: str, commits: Sequence[TemplateCommit]) -> str:
    lines = [resume.update_subject(from_version, to_version), ""]
    if commits:
        lines.append("Template commits brought in:")
        lines += [f"- {c.sha[:10]} {c.subject}" for c in commits]
    return "\n".join(lines) + "\n"
