"""An instance on disk: its folder, its answers file, the template it came from, its git repo.

Update, check, diff and recopy all start here. The answers file (``.copier-answers.yml``, or
the one ``-a`` names: a project made from several templates has one per template) says which
template (``_src_path``) at which version (``_commit``) made the instance, with which answers.
A relative ``_src_path`` is looked for from the instance's folder, then the folders above it up
to its repository's top, then the current folder (:mod:`templsync.instance.srcpath`: Copier
records the path as it was typed, relative to where the copy ran).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from templsync._core.ignore import IgnoreRules
from templsync._core.tree import AbsoluteSymlinkError, Tree
from templsync._io.gitindex import check_index
from templsync._io.gitrepo import GitRepo, RefNotFoundError, discover_repo
from templsync._io.gitstate import refuse_unfinished
from templsync._io.local import explain_symlink, read_tree
from templsync._io.sources import ResolvedVersion, TemplateSource, resolve_source
from templsync._warned import give
from templsync.errors import TemplateElsewhereWarning, UserError
from templsync.instance.existing import read_paths
from templsync.instance.srcpath import (
    TemplateLocation,
    TemplateNotFoundError,
    checked_src_path,
    locate_template,
)
from templsync.template.answers import AnswersFileError, RecordedAnswers, read_answers

__all__ = [
    "DEFAULT_ANSWERS_FILE",
    "BaseVersionMissingError",
    "InstanceGit",
    "NotAnInstanceError",
    "Project",
    "instance_git",
    "load_project",
]

DEFAULT_ANSWERS_FILE = ".copier-answers.yml"
_DOT_GIT = IgnoreRules.of([".git"])


class NotAnInstanceError(UserError):
    """The folder has no answers file, so nothing says which template made it."""


class BaseVersionMissingError(UserError):
    """The recorded ``_commit`` is missing from the answers file, or the template lost it."""


@dataclass(frozen=True)
class InstanceGit:
    """The git repository an instance lives in, and the instance's folder inside it."""

    repo: GitRepo
    top: Path
    subdir: str
    """The instance's folder relative to ``top`` ("" at the top, "services/api" in a monorepo)."""

    def is_dirty(self) -> bool:
        """Whether the instance's folder has uncommitted changes (untracked files included)."""
        return self.repo.is_dirty(self.subdir or None)

    def check_ready(self, command: str, *, writing: bool) -> None:
        """Refuse ``command`` in a repository in the middle of a merge, rebase, cherry-pick,
        revert or bisect, or whose index cannot be read; when it will be ``writing``, also
        when git's index could not take what the write ends with
        (:func:`~templsync._io.gitindex.check_index`)."""
        refuse_unfinished(self.repo, str(self.top), command)
        check_index(self.repo, str(self.top), self.subdir, writing=writing)


@dataclass(frozen=True)
class Project:
    """An instance: see the module's documentation."""

    root: Path
    answers_path: str
    recorded: RecordedAnswers
    git: InstanceGit | None

    @property
    def src_path(self) -> str:
        """``_src_path`` as recorded; an :class:`AnswersFileError` when it is missing, empty or
        not text."""
        value = self.recorded.src_path_value
        if value is None:
            value = self.recorded.src_path
        return checked_src_path(value, self.root / self.answers_path)

    def locate_template(self, cwd: Path | None = None) -> TemplateLocation:
        """Where ``_src_path`` leads (:func:`~templsync.instance.srcpath.locate_template`)."""
        top = self.git.top if self.git is not None else None
        answers = self.root / self.answers_path
        return locate_template(self.src_path, answers, self.root, top, cwd or Path.cwd())

    def template_location(self) -> str:
        """Where to read the template from; where the project's folder would have it when
        ``_src_path`` leads nowhere (a fleet compares the spelling; reading it fails later)."""
        try:
            return self.locate_template().spec
        except TemplateNotFoundError:
            src = self.src_path
            return src if Path(src).is_absolute() else str((self.root / src).absolute())

    def open_template(
        self, *, cache_dir: Path | None, refresh: bool, location: str | None = None
    ) -> TemplateSource:
        """The template source; it keeps ``_src_path``'s spelling for the answers file.

        ``location`` reads the template from there instead of where ``_src_path`` leads (a
        fleet's registry knows where its template is). Otherwise a relative ``_src_path``
        found elsewhere than from the project's folder gives a
        :class:`~templsync.errors.TemplateElsewhereWarning`.
        """
        if location is None:
            found = self.locate_template()
            if found.note is not None:
                give(TemplateElsewhereWarning(found.note), stacklevel=2)
            location = found.spec
        source = resolve_source(location, cache_dir=cache_dir, refresh=refresh)
        assert dataclasses.is_dataclass(source) and not isinstance(source, type)
        return dataclasses.replace(source, src_path=self.src_path)

    def recorded_version(
        self, source: TemplateSource, base_ref: str | None = None
    ) -> ResolvedVersion:
        """The version ``_commit`` names (or ``base_ref``), with a clear error when it is gone.

        ``recorded`` keeps ``_commit`` as the answers file spells it.
        """
        ref = base_ref or self.recorded.commit
        answers = self.root / self.answers_path
        if ref is None:
            raise BaseVersionMissingError(
                f"{answers} records no `_commit`, so the version this project was made from is "
                "unknown. Run `templsync update --base-ref REF` with the template version it "
                "was made from, or `templsync recopy` to render it again from scratch."
            )
        try:
            resolved = source.resolve(ref, prereleases=True)
        except RefNotFoundError as err:
            if base_ref is not None:
                raise
            raise BaseVersionMissingError(
                f"{answers} records `_commit: {ref}`, which the template {source.src_path!r} "
                "no longer has (its history was rewritten, or the tag was deleted). Run "
                "`templsync update --base-ref REF` with a version it has, or `templsync recopy` "
                "to render the project again from scratch."
            ) from err
        return resolved if base_ref is not None else dataclasses.replace(resolved, recorded=ref)

    def files(self, also: frozenset[str] | set[str] = frozenset()) -> Tree:
        """The instance's files as git sees them, plus the paths in ``also`` that exist.

        In a git repository that is ``git add -A`` of the instance's folder (tracked files as
        they are on disk, untracked files ``.gitignore`` does not exclude); elsewhere every
        file. Paths in ``also`` (what the template renders) are looked at even when ignored.
        """
        if self.git is None:
            base = read_tree(self.root, _DOT_GIT)
        else:
            try:
                base = self.git.repo.working_tree(self.git.subdir or None)
            except AbsoluteSymlinkError as err:
                raise explain_symlink(err, self.root) from err
        extra = read_paths(self.root, sorted(set(also) - base.keys()))
        return base.replace(dict(extra.items())) if extra else base


def load_project(root: Path, answers_file: str | None = None) -> Project:
    """Read the instance at ``root``: its answers file (default ``.copier-answers.yml``).

    Raises :class:`NotAnInstanceError` when the folder or its answers file is missing (naming
    the other answers files found, for ``-a``), :class:`AnswersFileError` when it is invalid.
    """
    if not root.is_dir():
        raise NotAnInstanceError(
            f"{root} is not a folder. Give the folder of a project made from a template."
        )
    rel = answers_file or DEFAULT_ANSWERS_FILE
    path = root / rel
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotAnInstanceError(_missing_answers(root, rel)) from None
    except IsADirectoryError:
        raise AnswersFileError(f"{path} is a folder, not an answers file.") from None
    except OSError as err:
        raise AnswersFileError(f"{path}: cannot read the answers file: {err.strerror}") from err
    recorded = read_answers(data, str(path))
    return Project(root, rel, recorded, instance_git(root))


def _missing_answers(root: Path, rel: str) -> str:
    others = sorted(p.name for p in root.glob(".copier-answers*.y*ml") if p.name != rel)
    hint = (
        "Pick one with --answers-file: " + ", ".join(others) + "."
        if others
        else "It is made by `templsync copy` (or `copier copy`); without it nothing says "
        "which template made this folder."
    )
    return f"{root / rel} does not exist, so {root} is not a project made from a template. {hint}"


def instance_git(root: Path) -> InstanceGit | None:
    """The git repository holding the folder ``root``, and where in it; None outside one."""
    repo = discover_repo(root)
    if repo is None or repo.workdir is None:
        return None
    top = repo.workdir.resolve()
    subdir = root.resolve().relative_to(top).as_posix()
    return InstanceGit(repo, top, "" if subdir == "." else subdir)
