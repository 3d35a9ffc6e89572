"""``backport``: one instance's customizations brought back into its template, on a new branch.

1. **What to port**: the instance's files against the template rendered at its recorded version
   with its answers (its customizations, new files included), or with ``commits`` (``A..B``) its
   change between two of its commits; ``paths`` (gitignore-style patterns) narrows either;
2. **mapping back** (:mod:`templsync.backport.treemap`): each path through the render's source map,
   each hunk of a templated file through its line origins; what cannot be mapped is reported with
   its text and why, never guessed;
3. **round trip** (:mod:`templsync.backport.roundtrip`), always: the template with the mapped
   changes, rendered with the instance's answers, must give each change; what does not is taken
   out again and reported as not verified;
4. **merge**: :func:`~templsync._core.merge.merge3` with base = the template's source at the
   instance's version, ours = the template's working tree now, theirs = that source with the
   verified changes. So template changes made since the instance's version stay, and a change the
   template made meanwhile to the same lines is a conflict (markers, as an update writes them);
5. **write**: a dry run stops here (the result holds the template's diff). Otherwise the template's
   repository must have nothing uncommitted in the template's folder and no unfinished merge or
   rebase; a new branch (default ``templsync/backport-<instance>``) starts at ``HEAD`` and is
   checked out, the merge is written through the one writer, and, without conflicts, committed
   with a message naming the instance (with conflicts it is left for a person to resolve and
   commit).

Afterwards, updating the instance to the new template version changes nothing of what was ported:
its lines are the instance's own lines, so the update's three-way merge sees the same change on
both sides, and a new file is the same file added on both.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace
from pathlib import Path

from templsync._core.merge import merge3
from templsync._core.outcome import Conflict
from templsync._core.plan import Plan, make_plan
from templsync._core.textmerge import MarkerLabels
from templsync._core.tree import Tree
from templsync._io.apply import apply_plan
from templsync._io.gitcommit import commit_paths, start_branch
from templsync._io.gitrepo import GitRepo
from templsync._io.gitstate import refuse_unfinished
from templsync._io.sources import FolderSource, GitSource, ResolvedVersion, TemplateSource
from templsync.backport.customizations import at_commits, customizations
from templsync.backport.roundtrip import Check
from templsync.backport.treemap import PortedFile
from templsync.errors import UserError
from templsync.instance.project import Project, load_project

__all__ = ["BackportOptions", "BackportResult", "TemplateRepoError", "backport", "branch_name"]


class TemplateRepoError(UserError):
    """The template is not a local git repository with a working tree, or it is not clean."""


@dataclass(frozen=True)
class BackportOptions:
    template: Path | None = None
    """Where the template is (a clone), instead of where ``_src_path`` leads."""
    commits: str | None = None
    """``A..B``: port the instance's change between these commits (``A..`` ends at ``HEAD``)."""
    paths: tuple[str, ...] = ()
    """Port only the paths these gitignore-style patterns match (a path or a folder above it)."""
    branch: str | None = None
    dry_run: bool = False
    trust: bool = False
    answers_file: str | None = None
    cache_dir: Path | None = None


@dataclass(frozen=True)
class BackportResult:
    instance: Path
    template: Path
    version: ResolvedVersion
    files: tuple[PortedFile, ...]
    checks: tuple[Check, ...]
    plan: Plan
    """What is (or, on a dry run, would be) written in the template's folder."""
    before: Tree
    """The template's files now."""
    after: Tree
    """The template's files with the back-port merged (conflict markers included)."""
    conflicts: tuple[Conflict, ...]
    branch: str | None
    commit: str | None
    dry_run: bool

    @property
    def verified(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.verified)

    @property
    def not_verified(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.verified)


def branch_name(instance: Path) -> str:
    """``templsync/backport-<instance>``, the instance's folder name made a valid branch name."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", instance.resolve().name).strip(".-") or "instance"
    return f"templsync/backport-{name}"


@dataclass(frozen=True)
class _Template:
    """The template's repository, where its folder is in it, and the folder on disk."""

    source: TemplateSource
    repo: GitRepo
    root: Path
    subdir: str

    def now(self) -> Tree:
        return self.repo.working_tree(self.subdir or None)

    def paths(self, paths: tuple[str, ...]) -> list[str]:
        return [posixpath.join(self.subdir, p) if self.subdir else p for p in paths]


def _template(project: Project, options: BackportOptions) -> _Template:
    location = str(options.template) if options.template is not None else None
    source = project.open_template(cache_dir=options.cache_dir, refresh=False, location=location)
    if isinstance(source, GitSource) and source.mirror is None and source.repo.workdir:
        return _Template(source, source.repo, source.repo.workdir, "")
    if isinstance(source, FolderSource) and source.repo is not None:
        return _Template(source, source.repo, source.root, source.subdir)
    raise TemplateRepoError(
        f"the template {source.src_path!r} is not a local git repository with a working tree, "
        "and a back-port is a branch and a commit there. Clone it and pass --template PATH."
    )


def backport(
    instance: Path,
    options: BackportOptions = BackportOptions(),  # frozen, immutable
) -> BackportResult:
    """Back-port the customizations of the instance at ``instance``; see the module."""
    project = load_project(instance, options.answers_file)
    files = None
    if options.commits is not None:
        project, before, after = at_commits(project, options.commits)
        files = (before, after)
    template = _template(project, options)
    found = customizations(
        project,
        template.source,
        files=files,
        paths=options.paths,
        trust=options.trust,
        cache_dir=options.cache_dir,
    )
    version = found.version
    now = template.now()
    merged = merge3(found.base.template, now, found.checked.tree)
    labels = MarkerLabels(
        ours="template", base=f"template {version.recorded or version.ref}", theirs=str(instance)
    )
    result_tree = merged.with_markers(labels) if merged.conflicts else merged.tree
    plan = make_plan(now, result_tree)
    branch = options.branch or branch_name(instance)
    result = BackportResult(
        instance=instance,
        template=template.root,
        version=version,
        files=found.mapping.files,
        checks=found.checked.checks,
        plan=plan,
        before=now,
        after=result_tree,
        conflicts=merged.conflicts,
        branch=None,
        commit=None,
        dry_run=options.dry_run,
    )
    if options.dry_run or not plan:
        return result
    _check_clean(template)
    start_branch(template.repo, branch)
    apply_plan(template.root, plan)
    commit = None
    if not merged.conflicts:
        commit = commit_paths(template.repo, template.paths(plan.paths), _message(result))
    return replace(result, branch=branch, commit=commit)


def _check_clean(template: _Template) -> None:
    where = str(template.root)
    refuse_unfinished(template.repo, where, "backport")
    if template.repo.is_dirty(template.subdir or None):
        raise TemplateRepoError(
            f"the template {where} has uncommitted changes. Commit or stash them first: the "
            "back-port is a branch of its own, made from HEAD."
        )


def _message(result: BackportResult) -> str:
    version = result.version.recorded or result.version.ref or "its working tree"
    listed = "\n".join(f"  {p}" for p in sorted(result.plan.paths))
    verified = len(result.verified)
    return (
        f"backport: customizations of {result.instance.resolve().name}\n\n"
        f"From the instance {result.instance} (made from template {version}).\n"
        f"{verified} change(s) verified by rendering the template with its answers.\n\n"
        f"{listed}\n"
    )
