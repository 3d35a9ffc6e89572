"""``diff``: what an instance changed in the files its template gave it.

The instance's files are compared with the template at the recorded version rendered with the
recorded answers (:mod:`templsync.instance.recorded`): template files the instance modified,
deleted, renamed or made executable. Files the instance added on its own (its code) are left
out unless asked for; the answers file is always left out (the template writes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from templsync._core.diff import ChangeKind, TreeDiff, diff_trees
from templsync._core.tree import Tree
from templsync._io.sources import ResolvedVersion, TemplateSource
from templsync.instance.project import Project, load_project
from templsync.instance.recorded import render_recorded
from templsync.instance.session import SessionOptions

__all__ = ["LocalDiff", "LocalDiffOptions", "local_diff", "project_changes"]


@dataclass(frozen=True)
class LocalDiffOptions(SessionOptions):
    """``templsync diff``'s options."""

    base_ref: str | None = None
    """Compare with this template ref instead of the recorded ``_commit``."""
    include_added: bool = False
    """Also list the files the instance added that the template does not have."""
    refresh: bool = False


_DEFAULT_OPTIONS = LocalDiffOptions()


@dataclass(frozen=True)
class LocalDiff:
    """The instance's own changes, and the trees they were computed from."""

    root: Path
    version: ResolvedVersion
    diff: TreeDiff
    template: Tree
    instance: Tree


def local_diff(root: Path, options: LocalDiffOptions = _DEFAULT_OPTIONS) -> LocalDiff:
    """The changes the instance at ``root`` made to its template's files; see the module."""
    project = load_project(root, options.answers_file)
    source = project.open_template(cache_dir=options.cache_dir, refresh=options.refresh)
    return project_changes(project, source, options)


def project_changes(
    project: Project, source: TemplateSource, options: LocalDiffOptions = _DEFAULT_OPTIONS
) -> LocalDiff:
    """:func:`local_diff` of a project already loaded, its template already opened."""
    root = project.root
    version = project.recorded_version(source, options.base_ref)
    rendered = render_recorded(project, source, version, options)
    skip = {project.answers_path, rendered.answers_file}
    template = Tree({p: e for p, e in rendered.tree.items() if p not in skip})
    full = project.files(set(template.keys()))
    instance = Tree({p: e for p, e in full.items() if p not in skip})
    changes = diff_trees(template, instance)
    if not options.include_added:
        changes = TreeDiff(tuple(c for c in changes.changes if c.kind is not ChangeKind.ADDED))
    return LocalDiff(root, version, changes, template, instance)
