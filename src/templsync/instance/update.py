"""``update``: bring a template's newer version into an instance without losing its edits.

Three trees, all in memory:

- **base**: the template at the answers file's ``_commit`` (or ``--base-ref``), rendered with the
  recorded answers (defaults for anything not recorded, as Copier does);
- **theirs**: the template at the new version (``--vcs-ref``, default the latest), rendered with
  the answers: recorded ones kept, ``--data`` applied, new questions asked or defaulted;
- **ours**: the instance's files as git sees them, plus every path either render has.

:func:`~templsync._core.merge.merge3` decides every path, following renames (a template file or
folder moved between versions, or a templated folder name whose answer changed, moves in the
instance with the instance's edits). Then the decisions the engine leaves to the caller:

- a file the instance deleted stays deleted, and one the template changed meanwhile is reported
  as *kept deleted* (not a conflict); a file matching ``_skip_if_exists`` is recreated instead;
- a file matching ``_skip_if_exists`` that the instance has is kept as it is;
- the answers file is the new render's, never merged.

The empty folders the new version makes and the recorded one did not (Copier's update copies
the new version over the instance, so they appear there) are made when missing; a folder both
versions make that the instance removed stays removed, as a deleted file does.

The result goes through the one writer, conflicts as git-style markers labelled like Copier's
(``before updating`` / ``after updating``) and recorded as unmerged paths in the instance's git
index, or as ``.rej`` files. ``_migrations`` (:mod:`templsync.instance.migrations`) and ``_tasks``
run only for a trusted template, in Copier's order: before-migrations (then the instance is read),
tasks, after-migrations. The tasks run where Copier runs them, on the new version written over the
instance, which here is a scratch copy: what they change there is merged as the template's
(:mod:`templsync.instance.updatetasks`), so the update is still written once, after the tasks,
and a failing task leaves the instance as it was. The answers file is written with the update,
so it changes only when the update finished (with or without conflicts), never after a refusal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal

from templsync._core.merge import merge3
from templsync._core.outcome import Conflict, ConflictKind, MergeResult, Outcome
from templsync._core.plan import OpKind, Plan, PlanOp, make_plan
from templsync._core.textmerge import MarkerLabels
from templsync._core.tree import FileEntry, Mode, Tree
from templsync._io.apply import Recovery, apply_plan, recover
from templsync._io.gitindex import ConflictStages, record_conflicts, stage_exec_bits
from templsync._io.journal import present_error
from templsync._io.journaldir import JOURNAL_DIR
from templsync._io.scratch import NO_CHANGES, ScratchChanges
from templsync._io.sources import ResolvedVersion
from templsync._warned import recorded, unique
from templsync.errors import TemplsyncWarning, UserError
from templsync.instance.folders import new_folders
from templsync.instance.migrations import migrate, migration_tasks
from templsync.instance.project import BaseVersionMissingError, Project, load_project
from templsync.instance.recorded import render_recorded
from templsync.instance.session import Rendered, SessionOptions, open_session
from templsync.instance.tasks import Command, CommandRunner, run_command
from templsync.instance.updatetasks import (
    NOT_WRITTEN,
    fold_task_changes,
    run_update_tasks,
    task_folders,
)
from templsync.template.answering import Answers, QuestionPrompt
from templsync.template.config import TemplateConfig

__all__ = [
    "COPIER_LABELS",
    "CURRENT_REF",
    "BaseVersionMissingError",
    "DirtyInstanceError",
    "DowngradeError",
    "PathChange",
    "RefusedAnswerError",
    "UpdateOptions",
    "UpdateResult",
    "update",
]

CURRENT_REF = ":current:"
"""Copier's ``--vcs-ref :current:``: the version the answers file records."""

_BEFORE_RAN = "The `before` migrations had run already."

COPIER_LABELS = MarkerLabels(ours="before updating", base="last update", theirs="after updating")
"""The conflict-marker labels Copier's update writes (``git merge-file -L``)."""

Action = Literal["add", "update", "merge", "conflict", "delete", "rename", "kept-deleted"]


class DirtyInstanceError(UserError):
    """The instance has uncommitted changes and ``allow_dirty`` was not given."""


class DowngradeError(UserError):
    """The new version is older than the recorded one and ``allow_downgrade`` was not given."""


class RefusedAnswerError(UserError):
    """A recorded answer the new version no longer accepts, and no new answer was given."""


@dataclass(frozen=True)
class UpdateOptions(SessionOptions):
    """``templsync update``'s options (Copier's, plus our own), with their defaults."""

    conflict: Literal["inline", "rej"] = "inline"
    allow_dirty: bool = False
    allow_downgrade: bool = False
    base_ref: str | None = None
    """Use this template ref as the base instead of the recorded ``_commit``."""
    refresh: bool = False
    template: str | None = None
    """Read the template from here, not where ``_src_path`` leads (a fleet's registry)."""


@dataclass(frozen=True)
class PathChange:
    """What the update does (or, with ``pretend``, would do) to one path of the instance."""

    path: str
    action: Action
    from_path: str | None = None
    """Rename: where the file was. Kept-deleted: where the template moved it, if it did."""


@dataclass(frozen=True)
class UpdateResult:
    """What an update did (or, with ``pretend``, would do)."""

    root: Path
    answers_file: str
    from_version: ResolvedVersion
    to_version: ResolvedVersion
    changes: tuple[PathChange, ...]
    conflicts: tuple[Conflict, ...]
    plan: Plan
    before: Tree
    """The instance's files the plan starts from (for diffs)."""
    after: Tree
    """What the instance's files become (conflict markers or ``.rej`` files included)."""
    answers: Answers
    tasks: tuple[Command, ...]
    migrations: tuple[Command, ...]
    message_after: str
    warnings: tuple[TemplsyncWarning, ...]
    """The warnings the update gave (also given as Python warnings), once each."""
    pretend: bool
    recovered: Recovery | None = None

    @property
    def clean(self) -> bool:
        return not self.conflicts

    @property
    def kept_deleted(self) -> tuple[PathChange, ...]:
        return tuple(c for c in self.changes if c.action == "kept-deleted")


def update(
    root: Path,
    options: UpdateOptions = UpdateOptions(),  # frozen, immutable
    *,
    ask: Callable[[QuestionPrompt], object] | None = None,
    on_message: Callable[[str], None] | None = None,
    on_task: Callable[[Command], None] | None = None,
    run_task: CommandRunner = run_command,
) -> UpdateResult:
    """Update the instance at ``root``; see the module's documentation.

    Every refusal (a merge or rebase in progress, an index git could not update, dirty
    instance, missing or invalid answers file, unknown base version, downgrade, untrusted
    template, missing answer, render error) comes before anything is written. ``on_message``
    receives ``_message_before_update``; ``on_task`` is told about each migration and task
    before ``run_task`` runs it.
    """
    with recorded() as given:
        result = _update(
            root, options, ask=ask, on_message=on_message, on_task=on_task, run_task=run_task
        )
    return dataclasses.replace(result, warnings=unique(given))


def _update(
    root: Path,
    options: UpdateOptions,
    *,
    ask: Callable[[QuestionPrompt], object] | None,
    on_message: Callable[[str], None] | None,
    on_task: Callable[[Command], None] | None,
    run_task: CommandRunner,
) -> UpdateResult:
    if options.pretend and (root / JOURNAL_DIR).exists():
        raise present_error(root)  # a pretend run writes nothing, recovery included
    recovered = recover(root) if root.is_dir() and not options.pretend else None
    project = load_project(root, options.answers_file)
    if project.git is not None:
        project.git.check_ready("update", writing=not options.pretend)
    if project.git is not None and not options.allow_dirty and project.git.is_dirty():
        raise DirtyInstanceError(
            f"Destination repository is dirty: {root} has uncommitted changes. Commit or stash "
            "them first, so the update can be reviewed and undone with git, or pass --allow-dirty."
        )
    source = project.open_template(
        cache_dir=options.cache_dir, refresh=options.refresh, location=options.template
    )
    old = project.recorded_version(source, options.base_ref)
    ref = project.recorded.commit if options.vcs_ref == CURRENT_REF else options.vcs_ref
    new = source.resolve(ref, prereleases=options.prereleases)
    _check_direction(old, new, options)
    theirs = open_session(
        source, new, root, options, operation="update", unsafe=partial(_due_migrations, old, new)
    )
    before = theirs.config.settings.message_before_update
    if before and on_message is not None:
        on_message(theirs.render(before))
    # Before-migrations run first, as in Copier: what they change in the instance (files, the
    # answers file) is what the update then starts from.
    # The base is rendered with the answers as they were before (Copier renders it first).
    base_render = render_recorded(
        project, source, old, options, extra_exclude=theirs.config.settings.exclude
    )
    ran = migrate(theirs, "before", old, new, options.pretend, on_task=on_task, run_task=run_task)
    if ran and not options.pretend:
        project = load_project(root, options.answers_file)
    answers = theirs.answer(previous=project.recorded.answers, ask=ask)
    _check_refused(project, answers, new)
    theirs_render = theirs.render_tree()
    ours = _read_ours(project, base_render, theirs_render)
    task_run = run_update_tasks(
        theirs,
        project,
        ours,
        theirs_render,
        pretend=options.pretend,
        on_task=on_task,
        run_task=run_task,
        failed=NOT_WRITTEN if not ran else f"{NOT_WRITTEN} {_BEFORE_RAN}",
    )
    merged = _merge(ours, base_render, theirs_render, task_run.changes)
    after = _resolve(merged, options)
    folders = new_folders(root, base_render, theirs_render, after)
    plan = make_plan(merged.ours, after, folders + task_folders(root, task_run.changes, after))
    before_files = merged.ours
    if not options.pretend:
        # The files the plan replaces or moves are read into memory first: the result's trees
        # (and a diff of them) must not read the disk after the writer changed it.
        plan, before_files, after = _kept_in_memory(plan, before_files, after)
        stages = _index_stages(project, merged) if options.conflict == "inline" else []
        if plan:
            apply_plan(root, plan)
        if project.git is not None:
            stage_exec_bits(project.git.repo, _written_modes(project, plan))
            record_conflicts(project.git.repo, stages)
    ran += migrate(theirs, "after", old, new, options.pretend, on_task=on_task, run_task=run_task)
    theirs.phase = "undefined"
    message = theirs.config.settings.message_after_update
    return UpdateResult(
        root=root,
        answers_file=theirs_render.answers_file,
        from_version=old,
        to_version=new,
        changes=_changes(merged, plan),
        conflicts=merged.result.conflicts,
        plan=plan,
        before=before_files,
        after=after,
        answers=answers,
        tasks=task_run.commands,
        migrations=ran,
        message_after=theirs.render(message) if message else "",
        warnings=(),  # filled by update
        pretend=options.pretend,
        recovered=recovered,
    )


def _due_migrations(
    old: ResolvedVersion, new: ResolvedVersion, config: TemplateConfig
) -> tuple[str, ...]:
    """``("migrations",)`` when the template has ``_migrations`` to run for this update: they
    run code, so they need trust too."""
    due = any(migration_tasks(config.settings, stage, old, new) for stage in ("before", "after"))
    return ("migrations",) if due else ()


def _check_direction(old: ResolvedVersion, new: ResolvedVersion, options: UpdateOptions) -> None:
    if options.allow_downgrade or old.version is None or new.version is None:
        return
    if new.version < old.version:
        raise DowngradeError(
            f"the project is at template version {old.recorded} and {new.recorded} is older. "
            "Pass --allow-downgrade to go back, or --vcs-ref to pick a newer version."
        )


def _check_refused(project: Project, answers: Answers, new: ResolvedVersion) -> None:
    """A recorded answer the new version refuses is not silently replaced by its default.

    Copier drops it and takes the default, which can rename files without a word; here the
    update stops, unless ``--data`` or the prompt gave a new answer.
    """
    replaced = [n for n in answers.refused if n in answers.defaulted and n not in answers.hidden]
    if not replaced:
        return
    details = "\n".join(f"  {answers.refused[name]}" for name in replaced)
    flags = " ".join(f"--data {name}=VALUE" for name in replaced)
    raise RefusedAnswerError(
        f"{project.root / project.answers_path}: the template's version "
        f"{new.recorded or new.ref or 'chosen'} no longer accepts recorded answers:\n{details}\n"
        f"Pass {flags} with an answer it accepts, or update without --defaults to be asked."
    )


@dataclass(frozen=True)
class _Merged:
    ours: Tree
    result: MergeResult
    answers_file: str
    answers_entry: FileEntry | None
    kept_deleted: tuple[PathChange, ...]
    kept: frozenset[str]
    """Paths kept as the instance has them because they match ``_skip_if_exists``."""
    base: Tree
    theirs: Tree


def _read_ours(project: Project, base_render: Rendered, theirs_render: Rendered) -> Tree:
    """The instance's files, and every path either render has (see :meth:`Project.files`)."""
    template_paths = base_render.tree.keys() | theirs_render.tree.keys()
    answers = {theirs_render.answers_file, base_render.answers_file}
    return project.files(set(template_paths) | answers)


def _merge(
    ours: Tree,
    base_render: Rendered,
    theirs_render: Rendered,
    tasks: ScratchChanges = NO_CHANGES,
) -> _Merged:
    answers_file = theirs_render.answers_file
    skip = theirs_render.skip
    base = dict(base_render.tree.items())
    theirs = dict(theirs_render.tree.items())
    ours_files = dict(ours.items())
    for name in {answers_file, base_render.answers_file}:
        base.pop(name, None)
        theirs.pop(name, None)
        ours_files.pop(name, None)
    kept: set[str] = set()
    for path in list(theirs):
        if not skip.matches(path):
            continue
        if path in ours_files:
            theirs[path] = ours_files[path]  # an existing skip-if-exists file is left alone
            kept.add(path)
        else:
            base.pop(path, None)  # deleted by the instance: recreated, as Copier does
    if tasks:
        base, theirs = fold_task_changes(
            tasks,
            base=base,
            ours=ours_files,
            theirs=theirs,
            old_paths=frozenset(base_render.tree.keys()),
            new_paths=frozenset(theirs_render.tree.keys()),
            kept=frozenset(kept),
        )
    result = merge3(Tree._trusted(base), Tree._trusted(ours_files), Tree._trusted(theirs))
    kept_deleted: list[PathChange] = []
    tree = dict(result.tree.items())
    conflicts: list[Conflict] = []
    for c in result.conflicts:
        if c.kind is ConflictKind.DELETE_MODIFY:
            # Deleted by the instance on purpose: it stays deleted; the report says the template
            # changed (or moved) it meanwhile.
            tree.pop(c.path, None)
            moved = c.theirs_path if c.theirs_path not in (None, c.base_path) else None
            kept_deleted.append(PathChange(c.base_path or c.path, "kept-deleted", moved))
        else:
            conflicts.append(c)
    theirs_answers = theirs_render.tree.get(answers_file)
    if theirs_answers is not None:
        tree[answers_file] = theirs_answers
    elif answers_file in ours:  # the new version writes no answers file: the old one stays
        tree[answers_file] = ours[answers_file]
    decided = tuple(o for o in result.decided if o.path not in {k.path for k in kept_deleted})
    final = MergeResult(Tree._trusted(tree), decided, tuple(conflicts), result.unchanged)
    return _Merged(
        ours=ours,
        result=final,
        answers_file=answers_file,
        answers_entry=theirs_answers,
        kept_deleted=tuple(kept_deleted),
        kept=frozenset(kept),
        base=Tree._trusted(base),
        theirs=Tree._trusted(theirs),
    )


def _resolve(merged: _Merged, options: UpdateOptions) -> Tree:
    """The instance's files after the update: conflicts written as markers or ``.rej`` files."""
    if options.conflict == "rej":
        return merged.result.with_rejects()
    return merged.result.with_markers(COPIER_LABELS)


def _index_stages(project: Project, merged: _Merged) -> list[ConflictStages]:
    """The conflicts' three versions for the git index, read into memory now: the instance's
    side is its file on disk, which the plan then replaces with the marked-up merge."""
    git = project.git
    if git is None:
        return []
    prefix = f"{git.subdir}/" if git.subdir else ""
    return [
        ConflictStages(
            prefix + c.path,
            _loaded(c.base),
            _loaded(c.ours),
            _loaded(c.theirs),
            written=merged.result.tree[c.path].mode,
        )
        for c in merged.result.conflicts
        if c.path in merged.result.tree
    ]


def _written_modes(project: Project, plan: Plan) -> dict[str, Mode]:
    """The mode of every file ``plan`` writes, keyed by its path in the instance's repository."""
    subdir = project.git.subdir if project.git is not None else ""
    prefix = f"{subdir}/" if subdir else ""
    return {prefix + op.path: op.new.mode for op in plan.ops if op.new is not None}


def _kept_in_memory(plan: Plan, before: Tree, after: Tree) -> tuple[Plan, Tree, Tree]:
    """``plan``, ``before`` and ``after`` with every entry the plan touches loaded in memory."""
    ops = tuple(PlanOp(op.kind, op.path, _loaded(op.old), _loaded(op.new)) for op in plan.ops)
    old = {op.path: op.old for op in ops if op.old is not None}
    new = {op.path: op.new for op in ops if op.new is not None}
    return (
        Plan(ops, plan.folders),
        Tree._trusted({**dict(before.items()), **old}),
        Tree._trusted({**dict(after.items()), **new}),
    )


def _loaded(entry: FileEntry | None) -> FileEntry | None:
    return None if entry is None else FileEntry.from_bytes(entry.content(), entry.mode)


def _changes(merged: _Merged, plan: Plan) -> tuple[PathChange, ...]:
    """One line per path the plan touches, named for what happened to it, plus kept-deleted."""
    outcomes = {o.path: o for o in merged.result.decided}
    conflicted = {c.path for c in merged.result.conflicts}
    moved_from: dict[str, str] = {}
    for o in merged.result.decided:
        origin = o.ours_path if o.ours_path not in (None, o.path) else None
        if origin is None and o.base_path not in (None, o.path) and o.base_path in merged.ours:
            origin = o.base_path
        if origin is not None and o.path not in merged.ours:
            moved_from[o.path] = origin
    moved_away = set(moved_from.values())
    changes: list[PathChange] = []
    for op in plan.ops:
        path = op.path
        if path in conflicted:
            changes.append(PathChange(path, "conflict"))
        elif op.kind is OpKind.DELETE:
            if path not in moved_away:
                changes.append(PathChange(path, "delete"))
        elif path in moved_from:
            changes.append(PathChange(path, "rename", moved_from[path]))
        elif path not in merged.ours:
            changes.append(PathChange(path, "add"))
        else:
            outcome = outcomes.get(path)
            merged_both = outcome is not None and outcome.outcome is Outcome.MERGED
            changes.append(PathChange(path, "merge" if merged_both else "update"))
    planned = set(plan.paths)
    for c in merged.result.conflicts:
        if c.path not in planned:  # e.g. modify/delete: the instance's file is kept as it is
            changes.append(PathChange(c.path, "conflict"))
    changes.extend(merged.kept_deleted)
    return tuple(sorted(changes, key=lambda c: c.path))
