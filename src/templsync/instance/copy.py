"""``copy``: make a new project from a template, as ``copier copy`` does, through the one writer.

The steps, in Copier 9.19.1's order: resolve the template and its version, read ``copier.yml``,
refuse settings that run code unless trusted, show ``_message_before_copy``, answer the
questions, render the template into a Tree in memory (``_subdirectory``, ``_exclude`` plus
``--exclude``, the answers file through the template's own answers-file template), compare it
with what the destination already holds, write it with :func:`~templsync._io.apply_plan`,
run ``_tasks``, and render ``_message_after_copy``.

Where the destination differs from Copier's flow: a file that would be replaced is never asked
about one by one; without ``overwrite`` the copy is refused before anything is written, and the
refusal lists every such file. The answers file is always replaced, and files matching
``_skip_if_exists`` (plus ``--skip``) that exist are kept, as in Copier.

Nothing here prints or prompts: questions go to the ``ask`` callable, messages and tasks to the
callbacks, and the result says what was done.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import MappingProxyType

import yaml

from templsync._core.ignore import IgnoreRules
from templsync._core.plan import Plan, make_plan
from templsync._core.tree import Tree
from templsync._io import (
    FolderSource,
    GitSource,
    Recovery,
    ResolvedVersion,
    TemplateSource,
    apply_plan,
    default_cache_dir,
    recover,
    resolve_source,
)
from templsync._io.jinjacache import DiskBytecodeCache
from templsync.errors import UserError
from templsync.instance.existing import read_paths
from templsync.instance.tasks import Command, CommandRunner, TaskError, run_command
from templsync.template.answering import Answers, QuestionPrompt, answer_questions
from templsync.template.answers import answers_context
from templsync.template.config import TemplateConfig, load_config
from templsync.template.context import (
    CopierConf,
    ExternalData,
    Phase,
    host_os,
    operation_context,
    template_context,
)
from templsync.template.excludes import CopierExclude
from templsync.template.jinja import JinjaRenderer, make_environment
from templsync.template.questions import cast_to_bool
from templsync.template.render import ForbiddenPathError, render_patterns, render_template
from templsync.template.trust import check_trust, is_trusted

__all__ = [
    "CopyOptions",
    "CopyResult",
    "DestinationNotEmptyError",
    "copy",
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
class CopyOptions:
    """Copier's ``copy`` options (the CLI flags), with Copier's defaults."""

    vcs_ref: str | None = None
    data: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    defaults: bool = False
    overwrite: bool = False
    pretend: bool = False
    exclude: tuple[str, ...] = ()
    skip_if_exists: tuple[str, ...] = ()
    trust: bool = False
    trust_list: tuple[str, ...] = ()
    """Copier's ``trust:`` entries from its settings file (:mod:`templsync.template.trust`)."""
    skip_tasks: bool = False
    answers_file: str | None = None
    prereleases: bool = False
    quiet: bool = False
    refresh: bool = False
    cache_dir: Path | None = None


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
    warnings: tuple[str, ...]
    pretend: bool
    recovered: Recovery | None = None


@dataclass
class _Run:
    """One copy in progress: the template, its renderer and the context built so far."""

    source: TemplateSource
    version: ResolvedVersion
    template: Tree
    config: TemplateConfig
    renderer: JinjaRenderer
    dst: Path
    options: CopyOptions
    conf: CopierConf
    trusted: bool
    answers: Mapping[str, object] = field(default_factory=dict)
    copier_answers: Mapping[str, object] = field(default_factory=dict)
    phase: Phase = "undefined"

    @property
    def metadata(self) -> dict[str, object]:
        return {"_src_path": self.source.src_path, "_commit": self.version.recorded}

    def context(self, phase: Phase | None = None) -> dict[str, object]:
        return template_context(
            self.answers,
            conf=self.conf,
            metadata=self.metadata,
            copier_answers=self.copier_answers,
            external_data=ExternalData(self.config.settings.external_data, self._load_external),
            folder_name=self.dst.absolute().name,
            phase=phase or self.phase,
            python=sys.executable,
        )

    def render(self, text: str, extra: Mapping[str, object] | None = None) -> str:
        return self.renderer.render(text, {**self.context(), **(extra or {})})

    def _load_external(self, path: str) -> object:
        """Copier's ``load_answersfile_data``: a YAML file in the destination, {} when missing."""
        rendered = self.renderer.render(path, self.context("undefined"))
        full = (self.dst / rendered).resolve()
        if not full.is_relative_to(self.dst.absolute().resolve()) and not self.trusted:
            raise ForbiddenPathError(f"_external_data: {path}", rendered)
        try:
            data = full.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return {}
        try:
            return yaml.safe_load(data)
        except yaml.YAMLError as err:
            raise UserError(
                f"{full}: the external data file (`_external_data`) is not valid YAML: {err}"
            ) from err


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
    run = _start(src, dst, options)
    before = run.config.settings.message_before_copy
    if before and on_message is not None:
        on_message(run.render(before))
    run.phase = "prompt"
    answers = answer_questions(
        run.config,
        run.renderer,
        data=options.data,
        use_defaults=options.defaults,
        ask=ask,
        context=run.context(),
    )
    run.answers = answers.context
    run.copier_answers = answers_context(answers, run.version.recorded, run.source.src_path)
    run.phase = "render"
    answers_file = _answers_relpath(run)
    run.conf = run.conf.with_answers_file(answers_file)
    rendered, skip = _render(run, answers_file)
    outcome = _compare(run, rendered, skip, answers_file)
    if not options.pretend:
        _write(dst, outcome.plan)
    tasks = _run_tasks(run, on_task, run_task)
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
        answers_file=answers_file if answers_file in rendered else None,
        tasks=tasks,
        message_after=run.render(after) if after else "",
        warnings=run.config.warnings,
        pretend=options.pretend,
        recovered=recovered,
    )


def _start(src: str, dst: Path, options: CopyOptions) -> _Run:
    source = resolve_source(src, cache_dir=options.cache_dir, refresh=options.refresh)
    version = source.resolve(options.vcs_ref, prereleases=options.prereleases)
    template = source.tree(version)
    config = load_config(template)
    trusted = options.trust or is_trusted(options.trust_list, source.src_path)
    check_trust(config, trusted=trusted, skip_tasks=options.skip_tasks)
    settings = config.settings
    env = make_environment(
        envops=settings.envops,
        extensions=settings.jinja_extensions,
        trusted=trusted,
        source=template,
        bytecode_cache=DiskBytecodeCache((options.cache_dir or default_cache_dir()) / "jinja"),
    )
    conf = CopierConf(
        src_path=str(_local_path(source, src)),
        dst_path=str(dst),
        answers_file=options.answers_file or settings.answers_file,
        vcs_ref=options.vcs_ref,
        vcs_ref_hash=version.commit,
        data=dict(options.data),
        settings={"defaults": {}, "trust": set(options.trust_list)},
        exclude=options.exclude,
        use_prereleases=options.prereleases,
        skip_if_exists=options.skip_if_exists,
        defaults=options.defaults,
        overwrite=options.overwrite,
        pretend=options.pretend,
        quiet=options.quiet,
        unsafe=options.trust,
        skip_tasks=options.skip_tasks,
        os=host_os(),
    )
    return _Run(source, version, template, config, JinjaRenderer(env), dst, options, conf, trusted)


def _local_path(source: TemplateSource, src: str) -> Path:
    """Copier's ``_copier_conf.src_path``: the template's folder on this machine."""
    if isinstance(source, FolderSource):
        return source.root.absolute()
    if isinstance(source, GitSource):
        if source.mirror is not None:
            return source.mirror
        if source.repo.workdir is not None:
            return source.repo.workdir.absolute()
    return Path(src).expanduser().absolute()


def _answers_relpath(run: _Run) -> str:
    """Copier's ``answers_relpath``: ``--answers-file`` or ``_answers_file``, rendered."""
    chosen = run.options.answers_file or run.config.settings.answers_file
    context = run.context()
    conf = context["_copier_conf"]
    assert isinstance(conf, dict)  # template_context always builds a dict
    conf["answers_file"] = ""
    rendered = run.renderer.render(chosen, context)
    return str(PurePosixPath(rendered.replace(os.sep, "/")))


def _render(run: _Run, answers_file: str) -> tuple[Tree, CopierExclude]:
    settings = run.config.settings
    context = run.context()
    subdirectory = _subdirectory(run.render(settings.subdirectory))
    exclude_context = operation_context(context, "copy")
    exclude = render_patterns(
        run.renderer, (*settings.exclude, *run.options.exclude), exclude_context
    )
    skip = tuple(
        run.renderer.render(p, context)
        for p in (*run.options.skip_if_exists, *settings.skip_if_exists)
    )
    template = run.template
    source = template
    if subdirectory:
        prefix = subdirectory + "/"
        source = Tree({p[len(prefix) :]: e for p, e in template.items() if p.startswith(prefix)})
    rendered = render_template(
        source,
        context,
        env=run.renderer.env,
        templates_suffix=settings.templates_suffix,
        exclude=IgnoreRules(exclude),
        skip_if_exists=skip,
        preserve_symlinks=settings.preserve_symlinks,
        answers_file=answers_file,
        templates=template,
        subdirectory=subdirectory,
    )
    return rendered.tree, CopierExclude.of(skip)


def _subdirectory(rendered: str) -> str:
    normalized = posixpath.normpath(rendered.replace("\\", "/")) if rendered else ""
    if normalized in ("", "."):
        return ""
    if normalized.startswith(("/", "../")) or normalized == "..":
        raise ForbiddenPathError("_subdirectory", rendered)
    return normalized


@dataclass(frozen=True)
class _Outcome:
    plan: Plan
    created: tuple[str, ...]
    overwritten: tuple[str, ...]
    identical: tuple[str, ...]
    skipped: tuple[str, ...]


def _compare(run: _Run, rendered: Tree, skip: CopierExclude, answers_file: str) -> _Outcome:
    """Sort every rendered path: created, identical, kept (skip-if-exists), overwritten."""
    existing = read_paths(run.dst, rendered)
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
        Tree({p: e for p, e in existing.items() if p in writes}),
        Tree({p: e for p, e in rendered.items() if p in writes}),
    )
    return _Outcome(plan, tuple(created), tuple(overwritten), tuple(identical), tuple(skipped))


def _write(dst: Path, plan: Plan) -> None:
    """Write ``plan`` into ``dst``, made if missing (even for an empty template, as Copier)."""
    made = not dst.exists()
    dst.mkdir(parents=True, exist_ok=True)
    if not plan:
        return
    try:
        apply_plan(dst, plan)
    except BaseException:
        if made:
            with contextlib.suppress(OSError):  # only an empty folder: the writer rolled back
                dst.rmdir()
        raise


def _run_tasks(
    run: _Run, on_task: Callable[[Command], None] | None, run_task: CommandRunner
) -> tuple[Command, ...]:
    """Copier's ``_execute_tasks`` for a copy: in order, after writing, stopping at a failure."""
    tasks = run.config.settings.tasks
    if run.options.skip_tasks or not tasks:
        return ()
    run.phase = "tasks"
    extra: dict[str, object] = {"_stage": "task", "_copier_operation": "copy"}
    env = {k[1:].upper(): str(v) for k, v in extra.items()}
    done: list[Command] = []
    for index, task in enumerate(tasks, start=1):
        context = operation_context(run.context(), "copy", _stage="task")
        when = task.when
        condition = run.renderer.render(when, context) if isinstance(when, str) else when
        if not cast_to_bool(condition):
            continue
        if isinstance(task.command, str):
            args: str | tuple[str, ...] = run.renderer.render(task.command, context)
        else:
            args = tuple(run.renderer.render(str(part), context) for part in task.command)
        cwd = (run.dst / run.renderer.render(task.working_directory, context)).absolute()
        command = Command(args, cwd, env, index, len(tasks))
        if on_task is not None:
            on_task(command)
        done.append(command)
        if run.options.pretend:
            continue
        status = run_task(command)
        if status:
            raise TaskError(
                f"task {index} of {len(tasks)} ({command.shown}) failed with exit code "
                f"{status}. The files were written; the tasks after it did not run."
            )
    return tuple(done)
