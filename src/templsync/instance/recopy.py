"""``recopy``: render an instance again from scratch with its recorded answers (Copier's recopy).

The template is read from the answers file's ``_src_path`` (at ``--vcs-ref``, default the
latest version; ``:current:`` for the recorded one), its questions answered from the recorded
answers (asked again only without ``--defaults``/``--skip-answered``, as Copier does), and its
files written over the instance's: every local change to a template file is discarded, which
the result's ``overwritten`` lists (``pretend`` lists them and writes nothing). Files the
instance added, and ``_skip_if_exists`` files it has, are kept. The empty folders the template
makes are made where the instance lacks them, as a copy makes them.

Which of those overwritten files the project had changed itself is known from its local diff
against its recorded version (:mod:`templsync.instance.localdiff`): the result's
``changed_here``. The others change only because the template did. When the recorded version
cannot be rendered (it is gone: a reason to recopy), that is not known and ``changed_here`` is
None.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from templsync._io.apply import recover
from templsync._io.sources import TemplateSource
from templsync.errors import UserError
from templsync.instance.copy import CopyOptions, CopyResult, copy_from
from templsync.instance.localdiff import LocalDiffOptions, project_changes
from templsync.instance.project import Project, load_project
from templsync.instance.tasks import Command, CommandRunner, run_command
from templsync.instance.update import CURRENT_REF, DirtyInstanceError
from templsync.template.answering import QuestionPrompt

__all__ = ["recopy"]

_DEFAULT_OPTIONS = CopyOptions()


def recopy(
    root: Path,
    options: CopyOptions = _DEFAULT_OPTIONS,
    *,
    allow_dirty: bool = False,
    ask: Callable[[QuestionPrompt], object] | None = None,
    on_message: Callable[[str], None] | None = None,
    on_task: Callable[[Command], None] | None = None,
    run_task: CommandRunner = run_command,
) -> CopyResult:
    """Recopy the instance at ``root``; see the module's documentation.

    Uncommitted changes in a git instance are refused unless ``allow_dirty``: a recopy
    discards local changes, and only committed ones can be got back.
    """
    recovered = recover(root) if root.is_dir() else None
    project = load_project(root, options.answers_file)
    if project.git is not None:
        project.git.check_ready("recopy", writing=not options.pretend)
    if project.git is not None and not allow_dirty and project.git.is_dirty():
        raise DirtyInstanceError(
            f"{root} has uncommitted changes, and a recopy would discard changes to template "
            "files. Commit or stash them first, or pass --allow-dirty."
        )
    source = project.open_template(cache_dir=options.cache_dir, refresh=options.refresh)
    vcs_ref = project.recorded.commit if options.vcs_ref == CURRENT_REF else options.vcs_ref
    changed_here = _changed_here(project, source, options)
    result = copy_from(
        source,
        root,
        dataclasses.replace(options, vcs_ref=vcs_ref, overwrite=True),
        previous=project.recorded.answers,
        ask=ask,
        on_message=on_message,
        on_task=on_task,
        run_task=run_task,
        recovered=recovered,
    )
    return dataclasses.replace(result, changed_here=changed_here)


def _changed_here(
    project: Project, source: TemplateSource, options: CopyOptions
) -> frozenset[str] | None:
    """The paths the instance changed or added itself, against its recorded version; None
    when that version cannot be rendered."""
    diff_options = LocalDiffOptions(
        answers_file=options.answers_file,
        trust=options.trust,
        trust_list=options.trust_list,
        settings_defaults=options.settings_defaults,
        exclude=options.exclude,
        cache_dir=options.cache_dir,
        include_added=True,
    )
    try:
        changes = project_changes(project, source, diff_options).diff.changes
    except UserError:  # the recorded version is gone, or no longer renders
        return None
    return frozenset(c.new_path or c.path for c in changes)
