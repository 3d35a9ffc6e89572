"""An instance's customizations, mapped back into its template and checked (no writing).

The part of a back-port that reads: the template at the instance's recorded version rendered
with its answers (:mod:`templsync.backport.instantiate`), the instance's change against it (or
between two of its commits), mapped back (:mod:`templsync.backport.treemap`) and checked by the
round trip (:mod:`templsync.backport.roundtrip`). ``backport`` merges and writes the result;
``fleet patterns`` compares it across instances.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from templsync._core.ignore import IgnoreRules
from templsync._core.tree import Tree
from templsync._io.sources import ResolvedVersion, TemplateSource
from templsync.backport.baserender import base_of
from templsync.backport.instantiate import MemorySource, answered_options, render_instance
from templsync.backport.roundtrip import CheckedMapping, check_round_trip
from templsync.backport.treemap import Base, TreeMapping, map_changes
from templsync.errors import UserError
from templsync.instance.project import Project
from templsync.template.answers import read_answers

__all__ = ["Customizations", "at_commits", "customizations"]


@dataclass(frozen=True)
class Customizations:
    """What an instance changed, mapped back and checked."""

    project: Project
    version: ResolvedVersion
    base: Base
    before: Tree
    after: Tree
    mapping: TreeMapping
    checked: CheckedMapping


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


def at_commits(project: Project, spec: str) -> tuple[Project, Tree, Tree]:
    """``A..B``: the project as it was at ``B`` (its answers), and its files at ``A`` and ``B``.

    Refused when the answers file differs between them (the range holds an update).
    """
    first, last = _commit_range(project, spec)
    assert project.git is not None
    repo, subdir = project.git.repo, project.git.subdir or None
    before, after = repo.read_tree(first, subdir), repo.read_tree(last, subdir)
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


def _filter(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    if not patterns:
        return lambda _: True
    return IgnoreRules.of(patterns).ignores


def _without(tree: Tree, paths: set[str]) -> Tree:
    return Tree({p: e for p, e in tree.items() if p not in paths})


def customizations(
    project: Project,
    source: TemplateSource,
    *,
    files: tuple[Tree, Tree] | None = None,
    paths: tuple[str, ...] = (),
    trust: bool = False,
    cache_dir: Path | None = None,
) -> Customizations:
    """The customizations of ``project`` (its template opened as ``source``), mapped back and
    checked. ``files`` gives the instance's files before and after (``--commits``; default: the
    render and its files now); ``paths`` narrows to what these gitignore-style patterns match."""
    version = project.recorded_version(source)
    options = answered_options(
        project.recorded.answers,
        trust=trust,
        answers_file=project.answers_path,
        cache_dir=cache_dir,
    )
    made = render_instance(source, version, project.root, options)
    base = base_of(made.session, made.rendered)
    skip = {project.answers_path, made.rendered.answers_file}
    if files is None:
        before = base.rendered
        after = _without(project.files(set(before.keys())), skip)
    else:
        before, after = _without(files[0], skip), _without(files[1], skip)
    mapping = map_changes(base, before, after, keep=_filter(paths))

    def render(tree: Tree) -> Tree:
        again = MemorySource(source.src_path, tree)
        return render_instance(again, version, project.root, options).rendered.tree

    checked = check_round_trip(mapping, base.template, before, after, render)
    return Customizations(project, version, base, before, after, mapping, checked)
