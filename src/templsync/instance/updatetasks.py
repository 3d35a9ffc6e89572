"""An update's ``_tasks``: run on what Copier runs them on, before the update is written.

Copier's update writes the new version over the project, runs the tasks there, then puts the
project's own changes back as a patch. So a task finds every file the new version ships (a setup
script that deleted itself after the first copy is there again), and reads the new version's
text, never conflict markers. Here the update is written once, after the merge; so the tasks run
first, on a scratch copy of the instance (:mod:`templsync._io.scratch`) with the new version
written over it (a ``_skip_if_exists`` file the instance has is not overwritten, as in Copier;
the new version's empty folders are made), and what they changed there joins the merge on the
template's side (:func:`fold_task_changes`):

- at a path either version renders, the tasks' version is the template's ("theirs"), deletions
  included: a setup script that deletes itself is deleted on both sides, which is no conflict;
- at any other path (a lock file a task writes) and at a ``_skip_if_exists`` file the instance
  keeps, the base is the instance's file too, so the tasks' change lands as it is, as in Copier,
  whose base is an old copy on which the old version's tasks wrote that file;
- at a path the old version rendered and the new one does not, the template's deletion stands
  (Copier removes such files after its tasks ran);
- an empty folder the tasks made is made in the instance too (:func:`task_folders`).

The tasks see the scratch copy as their destination: ``_copier_conf.dst_path``, their working
folder and ``_folder_name`` (the copy keeps the folder's name). For an instance in git the copy
has a repository of its own that shares the instance's history, index and config, and keeps to
itself whatever the tasks do to it (:mod:`templsync._io.scratchgit`). What the tasks write to
files git ignores there (a virtualenv, ``node_modules``) stays in the copy. No copy is made
when no task will run (``--skip-tasks``, no ``_tasks``, every ``when`` false); with ``pretend``
the tasks are listed, not run. A failing task stops the update before anything is written.
``docs/update.md`` ("Tasks during an update") lists where the outcome still differs from Copier.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from templsync._core.tree import FileEntry, Tree, parent_dirs
from templsync._io.gitmirror import default_cache_dir
from templsync._io.scratch import NO_CHANGES, ScratchChanges, open_scratch
from templsync._io.scratchgit import ignore_rules, share_history
from templsync.instance.folders import missing_folders
from templsync.instance.project import Project
from templsync.instance.session import Rendered, Session
from templsync.instance.tasks import Command, CommandRunner
from templsync.instance.templatetasks import any_task_runs, run_template_tasks

__all__ = ["NOT_WRITTEN", "TaskRun", "fold_task_changes", "run_update_tasks", "task_folders"]

NOT_WRITTEN = (
    "The update wrote nothing: its tasks run on a scratch copy of the project before the "
    "update is written. The tasks after it did not run."
)


@dataclass(frozen=True)
class TaskRun:
    """The tasks an update ran (or, pretending, would run) and what they changed."""

    commands: tuple[Command, ...]
    changes: ScratchChanges


def run_update_tasks(
    session: Session,
    project: Project,
    ours: Tree,
    render: Rendered,
    *,
    pretend: bool,
    on_task: Callable[[Command], None] | None,
    run_task: CommandRunner,
    failed: str = NOT_WRITTEN,
) -> TaskRun:
    """Run ``session``'s tasks on a scratch copy of ``project`` with ``render`` written over it.

    ``ours`` is the instance's files as the update reads them; ``failed`` ends the message of a
    failing task's :class:`~templsync.instance.tasks.TaskError`.
    """
    if pretend or not any_task_runs(session):
        listed = run_template_tasks(session, on_task, run_task, pretend=pretend)
        return TaskRun(listed, NO_CHANGES)
    overlay = {
        path: entry
        for path, entry in render.tree.items()
        if not (path in ours and render.skip.matches(path))
    }
    cache = session.options.cache_dir or default_cache_dir()
    git, subdir = project.git, project.git.subdir if project.git is not None else ""
    with open_scratch(project.root, cache) as scratch:
        scratch.write(Tree._trusted(overlay))
        scratch.make_folders(render.folders)
        if git is not None:
            share_history(scratch.root, git.repo, subdir)
        scratch.ready()
        there = dataclasses.replace(
            session,
            dst=scratch.root,
            conf=dataclasses.replace(session.conf, dst_path=str(scratch.root)),
        )
        commands = run_template_tasks(there, on_task, run_task, pretend=False, failed=failed)
        before = Tree._trusted({**dict(ours.items()), **overlay})
        ignored = ignore_rules(scratch.root, None if git is None else git.repo, subdir)
        changes = scratch.changes(before, ignored)
    return TaskRun(commands, changes)


def fold_task_changes(
    changes: ScratchChanges,
    *,
    base: Mapping[str, FileEntry],
    ours: Mapping[str, FileEntry],
    theirs: Mapping[str, FileEntry],
    old_paths: frozenset[str],
    new_paths: frozenset[str],
    kept: frozenset[str],
) -> tuple[dict[str, FileEntry], dict[str, FileEntry]]:
    """``base`` and ``theirs`` with the tasks' ``changes`` (see the module's documentation).

    ``old_paths`` and ``new_paths`` are what the old and the new version render; ``kept`` the
    ``_skip_if_exists`` files the instance keeps as they are.
    """
    base, theirs = dict(base), dict(theirs)
    changed = {**dict(changes.written.items()), **dict.fromkeys(changes.deleted)}
    for path, entry in changed.items():
        if path in old_paths and path not in new_paths:
            continue  # deleted by the template
        if entry is None:
            theirs.pop(path, None)
        else:
            theirs[path] = entry
        if path in kept or (path not in old_paths and path not in new_paths):
            if path in ours:
                base[path] = ours[path]
            else:
                base.pop(path, None)
    return base, theirs


def task_folders(root: Path, changes: ScratchChanges, after: Tree) -> tuple[str, ...]:
    """The empty folders the tasks made that the instance at ``root`` lacks, with no file of
    ``after`` (the instance's files once updated) at or above them."""
    wanted = [
        folder
        for folder in changes.folders
        if folder not in after and not any(d in after for d in parent_dirs(folder))
    ]
    return missing_folders(root, wanted, clash=False) if wanted else ()
