"""``copy``: make a new project from a template, as ``copier copy`` does, through the one writer.

The steps, in Copier 9.19.1's order: resolve the template and its version, read ``copier.yml``,
refuse settings that run code unless trusted, show ``_message_before_copy``, answer the questions,
render the template into a Tree in memory (``_subdirectory``, ``_exclude`` plus ``--exclude``, the
answers file through the template's own answers-file template) with the empty folders it makes,
compare it with what the destination already holds, write it with :func:`~templsync._io.apply_plan`
(missing empty folders made too), run ``_tasks``, and render ``_message_after_copy``. When a task
fails, a destination the copy made is removed again (Copier's ``cleanup_on_error``, on by default);
a folder that was there before is never removed. A refusal or a failed write leaves nothing to
remove: nothing is written before the render succeeded, and the write is whole or nothing.

A destination that already holds a project (its answers file: ``--answers-file``, else
``.copier-answers.yml``, not the template's ``_answers_file``, as in Copier) lends its recorded
answers as the questions' defaults, as Copier's ``subproject.last_answers`` does: ``--defaults``
then keeps them, and a prompt offers them.

File modes are Copier's: a file from a template folder gets that file's permission bits
(``0o777``; Copier also keeps setuid, setgid and sticky bits, we do not); from a git template,
git's regular or executable mode with the umask. A file replaced keeps its other bits in that
case (Copier resets them to the template's). Where git reads no executable bits from the disk
(``core.fileMode`` false), one the copy changed in a tracked file is put in git's index.

Where the destination differs from Copier's flow: a file that would be replaced is never asked
about one by one; without ``overwrite`` the copy is refused before anything is written, and the
refusal lists every such file. The answers file is always replaced, and files matching
``_skip_if_exists`` (plus ``--skip``) that exist are kept, as in Copier. A symlink the
destination has where the template writes a file is replaced by it, as Copier replaces it, even
one pointing outside the destination: the writer never writes through a link.

Nothing here prints or prompts: questions go to the ``ask`` callable, messages and tasks to the
callbacks, and the result says what was done.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from templsync._core.plan import OpKind, Plan, make_plan
from templsync._core.tree import Tree
from templsync._io.apply import Recovery, apply_plan, recover
from templsync._io.fsutil import remove_tree
from templsync._io.gitindex import stage_exec_bits
from templsync._io.newfolder import can_write_new_folder, write_new_folder
from templsync._io.sources import ResolvedVersion, TemplateSource, resolve_source
from templsync._warned import give, recorded, unique
from templsync.errors import CleanupWarning, TemplsyncWarning, UserError
from templsync.instance.existing import read_paths
from templsync.instance.folders import missing_folders
from templsync.instance.project import DEFAULT_ANSWERS_FILE, instance_git
from templsync.instance.session import Rendered, Session, SessionOptions, open_session
from templsync.instance.tasks import Command, CommandRunner, run_command
from templsync.instance.templatetasks import run_template_tasks
from templsync.template.answering import Answers, QuestionPrompt
from templsync.template.answers import read_answers

__all__ = [
    "CopyOptions",
    "CopyResult",
    "DestinationNotEmptyError",
    "copy",
    "copy_from",
]


class DestinationNotEmptyError(UserError):
    """Files in the destination would be replaced, and ``overwrite`` was not given."""

    def __init__(self, dst: Path, paths: tuple[str, ...]) -> None:
        self.paths = paths
        listed = "\n".join(f"  {p}" for p in paths)
        super().__init__(
            f"{dst} is not empty: the copy would overwrite {len(paths)} file(s) that differ "
            f"from the template's:\n{listed}\nNothing was written. Pass --overwrite to replace "
            "them, --skip PATTERN to keep some, or copy into an empty folder."
        )


@dataclass(frozen=True)
class CopyOptions(SessionOptions):
    """Copier's ``copy`` options (the CLI flags), with Copier's defaults."""

    refresh: bool = False
    """Fetch a remote template's mirror before reading it."""


@dataclass(frozen=True)
class CopyResult:
    """What a copy did (or, with ``pretend``, would do)."""

    dst: Path
    src_path: str
    version: ResolvedVersion
    plan: Plan
    created: tuple[str, ...]
    overwritten: tuple[str, ...]
    identical: tuple[str, ...]
    skipped: tuple[str, ...]
    """Existing files kept because they match ``_skip_if_exists`` or ``--skip``."""
    answers: Answers
    answers_file: str | None
    """The answers file written (None when the template has no answers-file template)."""
    tasks: tuple[Command, ...]
    """The tasks run (with ``pretend``: the tasks that would run)."""
    message_after: str
    warnings: tuple[TemplsyncWarning, ...]
    """The warnings the copy gave (also given as Python warnings), once each."""
    pretend: bool
    recovered: Recovery | None = None
    folders: tuple[str, ...] = ()
    """Empty folders of the template made in the destination (missing there before)."""
    changed_here: frozenset[str] | None = None
    """Recopy: the paths the project had changed itself (against its recorded version); an
    overwritten path not among them changes because the template did. None: not known."""


def copy(
    src: str,
    dst: Path,
    options: CopyOptions = CopyOptions(),  # frozen, immutable
    *,
    ask: Callable[[QuestionPrompt], object] | None = None,
    on_message: Callable[[str], None] | None = None,
    on_task: Callable[[Command], None] | None = None,
    run_task: CommandRunner = run_command,
) -> CopyResult:
    """Copy the template ``src`` into the folder ``dst``; see the module's documentation.

    ``ask`` answers a question interactively (None: never ask; a question without an answer
    is then a :class:`~templsync.template.answering.MissingAnswerError`); ``on_message``
    receives the rendered ``_message_before_copy`` before any question; ``on_task`` is told
    about each task before it runs through ``run_task``. Every refusal (untrusted template,
    missing answer, render error, destination not empty) comes before anything is written.
    """
    if dst.exists() and not dst.is_dir():
        raise UserError(f"{dst} is a file, not a folder. Give the folder to make the project in.")
    recovered = recover(dst) if dst.is_dir() else None
    source = resolve_source(src, cache_dir=options.cache_dir, refresh=options.refresh)
    return copy_from(
        source,
        dst,
        options,
        src=src,
        previous=recorded_answers(dst, options.answers_file),
        ask=ask,
        on_message=on_message,
        on_task=on_task,
        run_task=run_task,
        recovered=recovered,
    )


def copy_from(
    source: TemplateSource,
    dst: Path,
    options: CopyOptions,
    *,
    src: str | None = None,
    previous: Mapping[str, object] = MappingProxyType({}),
    ask: Callable[[QuestionPrompt], object] | None = None,
    on_message: Callable[[str], None] | None = None,
    on_task: Callable[[Command], None] | None = None,
    run_task: CommandRunner = run_command,
    recovered: Recovery | None = None,
) -> CopyResult:
    """:func:`copy` from a source already resolved; ``previous`` answers serve as defaults.

    ``recopy`` copies an instance's template over it this way, with its recorded answers.
    """
    with recorded() as given:
        result = _copy_from(
            source,
            dst,
            options,
            src=src,
            previous=previous,
            ask=ask,
            on_message=on_message,
            on_task=on_task,
            run_task=run_task,
            recovered=recovered,
        )
    return dataclasses.replace(result, warnings=unique(given))


def _copy_from(
    source: TemplateSource,
    dst: Path,
    options: CopyOptions,
    *,
    src: str | None,
    previous: Mapping[str, object],
    ask: Callable[[QuestionPrompt], object] | None,
    on_message: Callable[[str], None] | None,
    on_task: Callable[[Command], None] | None,
    run_task: CommandRunner,
    recovered: Recovery | None,
) -> CopyResult:
    version = source.resolve(options.vcs_ref, prereleases=options.prereleases)
    run = open_session(source, version, dst, options, operation="copy", src=src)
    before = run.config.settings.message_before_copy
    if before and on_message is not None:
        on_message(run.render(before))
    answers = run.answer(previous=previous, ask=ask)
    rendered = run.render_tree()
    answers_file = rendered.answers_file
    outcome = _compare(run, rendered, answers_file)
    made = not options.pretend and not os.path.lexists(dst)
    if not options.pretend:
        _write(dst, outcome.plan, run.permissions(rendered))
        if outcome.overwritten:
            _stage_exec_bits(dst, outcome.plan)
    try:
        tasks = run_template_tasks(run, on_task, run_task, pretend=options.pretend)
    except Exception:
        if made and options.cleanup_on_error:
            _remove_made(dst)
        raise
    run.phase = "undefined"
    after = run.config.settings.message_after_copy
    return CopyResult(
        dst=dst,
        src_path=run.source.src_path,
        version=run.version,
        plan=outcome.plan,
        created=outcome.created,
        overwritten=outcome.overwritten,
        identical=outcome.identical,
        skipped=outcome.skipped,
        answers=answers,
        answers_file=answers_file if answers_file in rendered.tree else None,
        tasks=tasks,
        message_after=run.render(after) if after else "",
        warnings=(),  # filled by copy_from
        pretend=options.pretend,
        recovered=recovered,
        folders=outcome.plan.folders,
    )


def recorded_answers(dst: Path, answers_file: str | None) -> Mapping[str, object]:
    """The answers a project already in ``dst`` recorded (none when there is no answers file).

    Copier's ``subproject.last_answers``: read from ``answers_file`` or ``.copier-answers.yml``
    (one that cannot be read counts as none, as in Copier); an answers file that is not valid
    YAML is an error naming it.
    """
    path = dst / (answers_file or DEFAULT_ANSWERS_FILE)
    try:
        data = path.read_bytes()
    except OSError:
        return MappingProxyType({})
    return read_answers(data, str(path)).answers


@dataclass(frozen=True)
class _Outcome:
    plan: Plan
    created: tuple[str, ...]
    overwritten: tuple[str, ...]
    identical: tuple[str, ...]
    skipped: tuple[str, ...]


def _compare(run: Session, render: Rendered, answers_file: str) -> _Outcome:
    """Sort every rendered path: created, identical, kept (skip-if-exists), overwritten; and find
    the empty folders to make."""
    rendered, skip = render.tree, render.skip
    existing = read_paths(run.dst, rendered)
    folders = missing_folders(run.dst, render.folders)
    created: list[str] = []
    identical: list[str] = []
    skipped: list[str] = []
    overwritten: list[str] = []
    for path, entry in sorted(rendered.items()):
        old = existing.get(path)
        if old is None:
            created.append(path)
        elif old == entry:
            identical.append(path)
        elif skip.matches(path):
            skipped.append(path)
        else:
            overwritten.append(path)
    refused = tuple(p for p in overwritten if p != answers_file)
    if refused and not run.options.overwrite:
        raise DestinationNotEmptyError(run.dst, refused)
    writes = {*created, *overwritten}
    plan = make_plan(
        {p: e for p, e in existing.items() if p in writes},
        Tree({p: e for p, e in rendered.items() if p in writes}),
        folders,
    )
    return _Outcome(plan, tuple(created), tuple(overwritten), tuple(identical), tuple(skipped))


def _remove_made(dst: Path) -> None:
    """Remove ``dst``, which this copy made; a failure is a :class:`CleanupWarning` (the error
    that made the copy fail is the one to raise)."""
    try:
        remove_tree(dst)
    except OSError as err:
        give(CleanupWarning(f"Failed to clean up {dst}: {err}"), stacklevel=3)


def _stage_exec_bits(dst: Path, plan: Plan) -> None:
    """Tell git about executable bits the copy changed, where it cannot see them on disk
    (``core.fileMode`` false; :func:`~templsync._io.gitindex.stage_exec_bits`)."""
    git = instance_git(dst)
    if git is None:
        return
    prefix = f"{git.subdir}/" if git.subdir else ""
    stage_exec_bits(git.repo, {prefix + op.path: op.new.mode for op in plan.ops if op.new})


def _write(dst: Path, plan: Plan, perms: Mapping[str, int]) -> None:
    """Write ``plan`` into ``dst``, made if missing (even for an empty template, as Copier);
    ``perms`` are exact permission bits for some of its files.

    A missing ``dst`` is written whole beside it and renamed into place (:func:`write_new_folder`);
    files added to an existing folder, even an empty one (it may be the working folder: ``copy
    .``), go through the journal.
    """
    made = not dst.exists()
    if plan and all(op.kind is OpKind.WRITE and op.old is None for op in plan.ops):
        dst.parent.mkdir(parents=True, exist_ok=True)
        if can_write_new_folder(dst):
            files = {op.path: op.new for op in plan.ops if op.new is not None}
            write_new_folder(dst, Tree._trusted(files), perms=perms, folders=plan.folders)
            return
    dst.mkdir(parents=True, exist_ok=True)
    if not plan:
        return
    try:
        apply_plan(dst, plan, perms)
    except BaseException:
        if made:
            with contextlib.suppress(OSError):  # only an empty folder: the writer rolled back
                dst.rmdir()
        raise
