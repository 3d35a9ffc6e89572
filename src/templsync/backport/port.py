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
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from templsync._core.ignore import IgnoreRules
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
from templsync.backport.baserender import base_of
from templsync.backport.instantiate import MemorySource, answered_options, render_instance
from templsync.backport.roundtrip import Check, check_round_trip
from templsync.backport.treemap import PortedFile, map_changes
from templsync.errors import UserError
from templsync.instance.project import Project, load_project
from templsync.template.answers import read_answers

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


def _commit_range(project: Project, spec: str) -> tuple[str, str]:
    first, sep, last = spec.partition("..")
    if not sep or not first:
        raise UserError(f"--commits {spec!r} is not A..B. Example: --commits main..HEAD")
    if project.git is None:
        raise UserError(
            f"{project.root} is not in a git repository, so it has no commits to port. Leave "
            "out --commits to port its customizations."
        )
    repo = project.git.repo
    return repo.resolve(first), repo.resolve(last or "HEAD")


def _at(project: Project, commit: str) -> Tree:
    assert project.git is not None
    return project.git.repo.read_tree(commit, project.git.subdir or None)


def _range(project: Project, spec: str) -> tuple[Project, Tree, Tree]:
    """The project as it was at ``B`` (its answers), and its files at ``A`` and ``B``."""
    first, last = _commit_range(project, spec)
    before, after = _at(project, first), _at(project, last)
    answers = project.answers_path
    if before.get(answers) != after.get(answers):
        raise UserError(
            f"--commits {spec}: the answers file {answers} changes between them (an update, or "
            "new answers), so they hold template changes too. Pick commits after the update."
        )
    entry = after.get(answers)
    if entry is None:
        raise UserError(f"--commits {spec}: {answers} does not exist at the last commit.")
    recorded = read_answers(entry.content(), f"{answers} at {last[:12]}")
    return replace(project, recorded=recorded), before, after


def _without(tree: Tree, paths: set[str]) -> Tree:
    return Tree({p: e for p, e in tree.items() if p not in paths})


def _filter(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    if not patterns:
        return lambda _: True
    return IgnoreRules.of(patterns).ignores


def backport(
    instance: Path,
    options: BackportOptions = BackportOptions(),  # frozen, immutable
) -> BackportResult:
    """Back-port the customizations of the instance at ``instance``; see the module."""
    project = load_project(instance, options.answers_file)
    if options.commits is not None:
        project, before_files, after_files = _range(project, options.commits)
    template = _template(project, options)
    version = project.recorded_version(template.source)
    session_options = answered_options(
        project.recorded.answers,
        trust=options.trust,
        answers_file=project.answers_path,
        cache_dir=options.cache_dir,
    )
    made = render_instance(template.source, version, project.root, session_options)
    base = base_of(made.session, made.rendered)
    skip = {project.answers_path, made.rendered.answers_file}
    if options.commits is None:
        before = base.rendered
        after = _without(project.files(set(before.keys())), skip)
    else:
        before, after = _without(before_files, skip), _without(after_files, skip)
    mapping = map_changes(base, before, after, keep=_filter(options.paths))

    def render(tree: Tree) -> Tree:
        again = MemorySource(template.source.src_path, tree)
        return render_instance(again, version, project.root, session_options).rendered.tree

    checked = check_round_trip(mapping, base.template, before, after, render)
    now = template.now()
    merged = merge3(base.template, now, checked.tree)
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
        files=mapping.files,
        checks=checked.checks,
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
