"""``templatize``: turn a working project into a Copier template, and prove the round trip.

1. the project's files are read as git would commit them (tracked and untracked files that
   ``.gitignore`` does not exclude, uncommitted edits included), or every file outside a
   repository;
2. the template is made in memory (:mod:`templsync.backport.draft`);
3. with ``check`` (the default), it is copied in memory with the variables' values
   (:mod:`templsync.backport.instantiate`, the render ``copy`` writes) and must give back every
   file of the project, byte for byte and mode for mode, the files left out and the answers file
   aside; otherwise nothing is written and :class:`RoundTripError` names the files that differ;
4. it is written to ``out`` (a new or empty folder, through the one writer) and/or committed as
   the whole content of ``branch`` in the project's repository (the branch's tip as parent, no
   checkout: :func:`~templsync._io.gitcommit.commit_tree`), e.g. a ``copier`` branch made again
   on each release. A dry run stops before this step.

Variables are refused before anything is read when a name is not a question name
(an identifier not starting with ``_``), a name repeats, or a value is not one that can be found
by text (:func:`~templsync.backport.words.is_meant`: a boolean, a number, two characters).
"""

from __future__ import annotations

import keyword
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from templsync._core.ignore import IgnoreRules
from templsync._core.plan import make_plan
from templsync._core.tree import Tree
from templsync._io.apply import apply_plan
from templsync._io.gitcommit import commit_tree
from templsync._io.local import read_tree
from templsync._io.newfolder import can_write_new_folder, write_new_folder
from templsync.backport.draft import Draft, draft_template
from templsync.backport.instantiate import MemorySource, answered_options, render_instance
from templsync.backport.words import MIN_LENGTH, is_meant
from templsync.errors import UserError
from templsync.instance.project import instance_git

__all__ = [
    "OutFolderError",
    "RoundTripError",
    "TemplatizeOptions",
    "TemplatizeResult",
    "VariableError",
    "check_variables",
    "templatize",
]


class VariableError(UserError):
    """A ``--var`` that cannot become a question found by text."""


class OutFolderError(UserError):
    """``--out`` names a file or a folder that is not empty; or nothing says where to write."""


class RoundTripError(UserError):
    """Copying the template with the original values does not give the project back."""

    def __init__(self, project: Path, paths: Sequence[tuple[str, str]]) -> None:
        self.paths = tuple(paths)
        listed = "\n".join(f"  {path} ({why})" for path, why in paths)
        super().__init__(
            f"the template made from {project} does not give the project back when copied with "
            f"the values given; {len(paths)} file(s) differ:\n{listed}\nNothing was written. "
            "A value that also occurs where it is not meant (choose a longer one), or a file "
            "Copier renders differently, is the usual cause; --no-check writes it anyway."
        )


@dataclass(frozen=True)
class TemplatizeOptions:
    variables: tuple[tuple[str, str], ...]
    out: Path | None = None
    branch: str | None = None
    check: bool = True
    dry_run: bool = False


@dataclass(frozen=True)
class TemplatizeResult:
    project: Path
    draft: Draft
    checked: bool
    out: Path | None
    branch: str | None
    commit: str | None
    """The commit made on ``branch`` (None: none made, see ``unchanged``)."""
    unchanged: bool
    """``branch`` holds this template already."""
    dry_run: bool


_PROJECT_IGNORE = IgnoreRules.of([".git"])


def check_variables(variables: Sequence[tuple[str, str]]) -> None:
    """Refuse variables that cannot be questions found by text (see the module)."""
    if not variables:
        raise VariableError("no variable given. Name one: --var project_slug=orders_api")
    seen: dict[str, str] = {}
    for name, value in variables:
        if not name.isidentifier() or name.startswith("_") or keyword.iskeyword(name):
            raise VariableError(
                f"--var {name}={value}: {name!r} is not a question name. Use letters, digits and "
                "underscores, not starting with a digit or an underscore."
            )
        if name in seen:
            raise VariableError(f"--var {name} is given twice. Give each variable once.")
        if not is_meant(value):
            raise VariableError(
                f"--var {name}={value}: {value!r} cannot be found by text. Only names are: at "
                f"least {MIN_LENGTH} characters with a letter, not a boolean or a number, no "
                "spaces around it (those would be replaced everywhere they occur)."
            )
        for other, other_value in seen.items():
            if other_value == value:
                raise VariableError(
                    f"--var {name} and --var {other} have the same value {value!r}: which one "
                    "an occurrence stands for cannot be known. Give one of them."
                )
        seen[name] = value


def read_project(root: Path) -> Tree:
    """The project's files as git would commit them, or every file outside a repository."""
    if not root.is_dir():
        raise UserError(f"{root} is not a folder. Give the folder of the project to templatize.")
    git = instance_git(root)
    if git is None:
        return read_tree(root, _PROJECT_IGNORE)
    return git.repo.working_tree(git.subdir or None)


def round_trip(
    project: Path, files: Tree, draft: Draft, variables: Sequence[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    """The files that differ between the project and the template copied with ``variables``."""
    source = MemorySource(str(project), draft.tree)
    options = answered_options(dict(variables))
    made = render_instance(source, source.resolve(), project, options)
    left = {path for path, _ in draft.left_out}
    rendered = {p: e for p, e in made.rendered.tree.items() if p != made.rendered.answers_file}
    expected = {p: e for p, e in files.items() if p not in left}
    differ: list[tuple[str, str]] = []
    for path in sorted(rendered.keys() | expected.keys()):
        got, want = rendered.get(path), expected.get(path)
        if got == want:
            continue
        if got is None:
            differ.append((path, "not made"))
        elif want is None:
            differ.append((path, "made, but not in the project"))
        elif got.digest == want.digest:
            differ.append((path, "another mode"))
        else:
            differ.append((path, "other content"))
    return tuple(differ)


def templatize(project: Path, options: TemplatizeOptions) -> TemplatizeResult:
    """Make a template of ``project``; see the module's documentation."""
    check_variables(options.variables)
    if options.out is None and options.branch is None:
        raise OutFolderError(
            "nowhere to write the template. Give --out FOLDER, --branch NAME, or both."
        )
    if options.out is not None and not options.dry_run:
        _check_out(options.out)
    files = read_project(project)
    draft = draft_template(files, options.variables)
    if options.check:
        differ = round_trip(project, files, draft, options.variables)
        if differ:
            raise RoundTripError(project, differ)
    commit = None
    unchanged = False
    if not options.dry_run:
        if options.out is not None:
            _write(options.out, draft.tree)
        if options.branch is not None:
            commit = _commit(project, options.branch, draft.tree)
            unchanged = commit is None
    return TemplatizeResult(
        project,
        draft,
        options.check,
        options.out,
        options.branch,
        commit,
        unchanged,
        options.dry_run,
    )


def _check_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise OutFolderError(
            f"--out {out}: it is {'not a folder' if not out.is_dir() else 'not empty'}. Give a "
            "new or empty folder for the template."
        )


def _write(out: Path, tree: Tree) -> None:
    """The template as the new folder ``out``, or into the empty folder ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if can_write_new_folder(out):
        write_new_folder(out, tree)
    else:
        apply_plan(out, make_plan(Tree(), tree))


def _commit(project: Path, branch: str, tree: Tree) -> str | None:
    git = instance_git(project)
    if git is None:
        raise UserError(
            f"{project} is not in a git repository, so there is no branch to write. Leave out "
            "--branch, or run `git init` there first."
        )
    head = "a repository with no commit yet"
    if not git.repo.is_unborn():
        head = git.repo.describe(git.repo.resolve("HEAD"))
    where = f" ({git.subdir})" if git.subdir else ""
    message = f"templatize: the Copier template of {project.name}{where} at {head}\n"
    return commit_tree(git.repo, branch, tree, message)
