"""``migrate apply``: a project's pending migrations, each merged into its files and recorded.

Each pending migration is a three-way merge: base = the template's files before it, theirs = after
it, ours = the project's files now. A project that never drifted gets exactly the migration; a
project whose files changed keeps its changes, and where both changed the same lines the file gets
conflict markers. Each migration lands through the one writer together with its line in
``applied-migrations.json``; after a migration that left conflicts, the rest wait until its
markers are gone from the files (:mod:`templsync.migrate.unresolved`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from templsync._core.merge import merge3
from templsync._core.outcome import Outcome
from templsync._core.plan import OpKind, Plan, PlanOp, make_plan
from templsync._core.textmerge import MarkerLabels
from templsync._core.tree import FileEntry, Tree
from templsync._io.apply import apply_plan
from templsync.errors import UserError
from templsync.migrate import store
from templsync.migrate.applied import (
    AppliedMigration,
    AppliedRecord,
    read_record,
    template_reference,
)
from templsync.migrate.initialize import check_template
from templsync.migrate.replay import Step
from templsync.migrate.unresolved import OURS_LABEL, refuse_unresolved, unresolved
from templsync.progress import Progress, no_progress


class UnknownMigrationError(UserError):
    """``--to`` names no migration of the template."""


@dataclass(frozen=True)
class ApplyOptions:
    template: Path | None = None
    to: str | None = None
    dry_run: bool = False
    strict: bool = False


@dataclass(frozen=True)
class MigrationOutcome:
    """What one migration did to the project: paths written, merged, left conflicted.

    ``actions`` holds, for each path written, what the writer does there: ``create``,
    ``update``, ``delete`` or ``chmod``."""

    name: str
    actions: tuple[tuple[str, str], ...]  # (path, action), in the order of the plan
    merged: tuple[str, ...]
    conflicts: tuple[str, ...]

    @property
    def changed(self) -> tuple[str, ...]:
        """The paths written."""
        return tuple(path for path, _ in self.actions)


@dataclass(frozen=True)
class ApplyResult:
    template: Path
    outcomes: tuple[MigrationOutcome, ...]
    waiting: tuple[str, ...]  # pending migrations not applied (after conflicts, or past --to)
    dry_run: bool

    @property
    def conflicts(self) -> tuple[str, ...]:
        return tuple(p for o in self.outcomes for p in o.conflicts)


class ProjectNotFoundError(UserError):
    """The project folder given to ``apply`` or ``status`` is not there."""


def check_project(project: Path) -> None:
    if not project.is_dir():
        raise ProjectNotFoundError(
            f"the project {str(project)!r} does not exist or is not a folder. Pass the project's "
            "folder (default: the current one); `templsync migrate init` makes a new project."
        )


def resolve_template(project: Path, given: Path | None, record: AppliedRecord | None) -> Path:
    """The template: given, else the one the project's record names."""
    if given is not None:
        template = given
    elif record is not None and record.template:
        template = record.template_path(project)
    else:
        raise UserError(
            f"{project} has no {store.APPLIED_FILE} naming its template. "
            "Pass the template's folder with -t/--template."
        )
    check_template(template)
    return template


def pending_steps(history: store.History, applied: set[str], to: str | None) -> list[Step]:
    """The steps not applied yet, in order, up to and including ``to``."""
    pending = [s for s in history.steps if s.migration.name not in applied]
    if to is None:
        return pending
    matches = [
        i for i, s in enumerate(history.steps) if to in (s.migration.name, s.migration.label)
    ]
    if not matches:
        raise UnknownMigrationError(
            f"no migration is named {to!r}. `templsync migrate status` lists them."
        )
    if len(matches) > 1:
        raise UnknownMigrationError(
            f"{len(matches)} migrations are named {to!r}; give the full folder name."
        )
    last = history.steps[matches[0]].migration.name
    names = [s.migration.name for s in history.steps]
    return [s for s in pending if names.index(s.migration.name) <= names.index(last)]


def apply_migrations(
    project: Path,
    options: ApplyOptions | None = None,
    *,
    warn: store.Warn = lambda _: None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    progress: Progress = no_progress,
) -> ApplyResult:
    """Apply the project's pending migrations (all, or up to ``options.to``).

    Progress stages: ``"migrations"`` (read), ``"apply"`` (pending migrations applied)."""
    options = options or ApplyOptions()
    check_project(project)
    record = read_record(project)
    template = resolve_template(project, options.template, record)
    if record is None:
        record = AppliedRecord(template_reference(template, project))
    history = store.load_history(template, warn, strict=options.strict, progress=progress)
    unknown = sorted(record.names - set(history.names))
    if unknown:
        warn(f"{store.APPLIED_FILE} lists migrations the template does not have: {unknown}")
    steps = pending_steps(history, record.names, options.to)
    if steps:
        refuse_unresolved(unresolved(project, record))
    ours = store.read_project(project, store.ignore_rules(template))
    record_entry = record.entry
    outcomes: list[MigrationOutcome] = []
    for step, before, after in history.transitions({s.migration.name for s in steps}):
        tree, outcome = _merge(step.migration.name, before, ours, after)
        stamp = now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        record = record.with_applied(AppliedMigration(outcome.name, stamp, outcome.conflicts))
        new_entry = FileEntry.from_bytes(record.render())
        plan = make_plan(ours, tree)
        op = PlanOp(OpKind.WRITE, store.APPLIED_FILE, record_entry, new_entry)
        if not options.dry_run:
            apply_plan(project, Plan((*plan.ops, op)))
        ours, record_entry = tree, new_entry
        outcomes.append(outcome)
        progress("apply", len(outcomes), len(steps))
        if outcome.conflicts:
            break
    done = {o.name for o in outcomes}
    waiting = tuple(s.migration.name for s in steps if s.migration.name not in done)
    return ApplyResult(template, tuple(outcomes), waiting, options.dry_run)


def _settled(ours: Tree, merged: Tree) -> Tree:
    """``merged`` with every file that is not the project's own file at that path held in memory.

    The project's entries read their path on disk when asked; a merged entry can be one of them
    carried to another path (a move) or kept while the file it reads is deleted. Once the plan
    lands, only an entry that stays at its own unchanged path may still read the disk: the next
    migration's merge starts from this tree.
    """
    files: dict[str, FileEntry] = {}
    for path, entry in merged.items():
        own = ours.get(path)
        if own is not None and own == entry:
            files[path] = own
        else:
            files[path] = FileEntry.from_bytes(entry.content(), entry.mode)
    return Tree._trusted(files)


def _merge(name: str, before: Tree, ours: Tree, after: Tree) -> tuple[Tree, MigrationOutcome]:
    result = merge3(before, ours, after)
    labels = MarkerLabels(ours=OURS_LABEL, theirs=name, base=f"before {name}")
    tree = _settled(ours, result.with_markers(labels))
    plan = make_plan(ours, tree)
    merged = tuple(o.path for o in result.decided if o.outcome is Outcome.MERGED)
    conflicts = tuple(c.path for c in result.conflicts)
    actions = tuple((op.path, op.label) for op in plan.ops)
    return tree, MigrationOutcome(name, actions, merged, conflicts)
