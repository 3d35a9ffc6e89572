"""One template version opened for one destination: its questions answered, then rendered.

Copy renders one session; update renders two (the recorded version with the recorded answers,
and the new version) from the same :class:`~templsync._io.sources.TemplateSource`. A session
holds what Copier's ``Worker`` holds for one ``run_copy``: the template's files and settings,
the Jinja renderer (sandboxed, and metered against the render's limits), ``_copier_conf`` and
the answers so far; its :meth:`Session.context` is the context every template string renders
with.
"""

from __future__ import annotations

import os
import posixpath
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from types import MappingProxyType

import yaml

from templsync._core.ignore import IgnoreRules
from templsync._core.tree import AbsoluteSymlinkError, Tree
from templsync._io.alarm import MainThreadAlarm
from templsync._io.gitmirror import default_cache_dir
from templsync._io.jinjacache import DiskBytecodeCache
from templsync._io.local import explain_symlink, read_permissions
from templsync._io.sources import FolderSource, GitSource, ResolvedVersion, TemplateSource
from templsync._io.templatefolder import template_folder
from templsync._limits import LimitError
from templsync._yaml import safe_load
from templsync.errors import ForbiddenPathError, SymlinkOutsideError, UserError
from templsync.template.answering import Answers, Defaults, QuestionPrompt, answer_questions
from templsync.template.answers import answers_context
from templsync.template.config import TemplateConfig, load_config
from templsync.template.context import (
    CopierConf,
    ExternalData,
    Operation,
    Phase,
    host_os,
    operation_context,
    template_context,
)
from templsync.template.excludes import CopierExclude
from templsync.template.jinja import make_environment
from templsync.template.limits import RenderLimits
from templsync.template.render import SourceInfo, render_patterns, render_template
from templsync.template.renderer import JinjaRenderer
from templsync.template.trust import check_trust, is_trusted
from templsync.template.yamlload import ForbiddenIncludeError

__all__ = ["Rendered", "Session", "SessionOptions", "open_session"]


@dataclass(frozen=True)
class SessionOptions:
    """Copier's ``Worker`` settings one render needs (the CLI flags), with Copier's defaults."""

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
    settings_defaults: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    """Copier's ``defaults:`` from its settings file (:mod:`templsync.template.usersettings`)."""
    user_defaults: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    """Copier's ``user_defaults``: defaults that replace the template's (answers still win)."""
    skip_tasks: bool = False
    skip_answered: bool = False
    always_ask: tuple[str, ...] = ()
    """Copier's ``ask`` (``--ask``): glob patterns of questions to ask even when answered."""
    answers_file: str | None = None
    prereleases: bool = False
    quiet: bool = False
    cache_dir: Path | None = None
    cleanup_on_error: bool = True
    """Copy: remove the destination it made when a task fails (Copier's ``cleanup_on_error``)."""
    limits: RenderLimits = field(default_factory=RenderLimits)
    """How much the render may make (:mod:`templsync.template.limits`); unset ones by trust."""


@dataclass(frozen=True)
class Rendered:
    """A session's output: the files, the answers-file path, and the skip-if-exists matcher."""

    tree: Tree
    answers_file: str
    skip: CopierExclude
    """``_skip_if_exists`` plus ``--skip``, rendered."""
    sources: Mapping[str, SourceInfo] = field(default_factory=lambda: MappingProxyType({}))
    """Each rendered path's template file (relative to the template's root)."""
    folders: frozenset[str] = frozenset()
    """The folders the render makes that hold no file of ``tree``."""


@dataclass
class Session:
    """One template version opened for one destination; see the module's documentation."""

    source: TemplateSource
    version: ResolvedVersion
    template: Tree
    config: TemplateConfig
    renderer: JinjaRenderer
    dst: Path
    options: SessionOptions
    conf: CopierConf
    trusted: bool
    operation: Operation
    answers: Mapping[str, object] = field(default_factory=dict)
    copier_answers: Mapping[str, object] = field(default_factory=dict)
    phase: Phase = "undefined"
    empty_folders: frozenset[str] = frozenset()
    """The template's folders that hold no file (a folder source can have some)."""

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

    def operation_context(self, **extra: object) -> dict[str, object]:
        """The context with ``_copier_operation`` (and ``extra``), as excludes and tasks see it."""
        return operation_context(self.context(), self.operation, **extra)

    def render(self, text: str, extra: Mapping[str, object] | None = None) -> str:
        return self.renderer.render(text, {**self.context(), **(extra or {})})

    def answer(
        self,
        *,
        previous: Mapping[str, object] = MappingProxyType({}),
        ask: Callable[[QuestionPrompt], object] | None = None,
    ) -> Answers:
        """Answer the questions (``data``, then ``previous`` answers, the user's and the
        settings file's defaults, the template's, ``ask``)."""
        self.phase = "prompt"
        answers = answer_questions(
            self.config,
            self.renderer,
            data=self.options.data,
            previous=previous,
            use_defaults=self.options.defaults,
            ask=ask,
            skip_answered=self.options.skip_answered,
            context=self.context(),
            defaults=Defaults(self.options.user_defaults, self.options.settings_defaults),
            always_ask=self.options.always_ask,
        )
        self.answers = answers.context
        self.copier_answers = answers_context(answers, self.version.recorded, self.source.src_path)
        return answers

    def render_tree(self, extra_exclude: tuple[str, ...] = ()) -> Rendered:
        """Render the template with the answers given so far into a Tree.

        ``extra_exclude`` patterns are added to ``_exclude`` and ``--exclude`` (an update adds
        the new version's excludes to the old version's render, as Copier does).
        """
        self.phase = "render"
        answers_file = self._answers_relpath()
        self.conf = self.conf.with_answers_file(answers_file)
        settings = self.config.settings
        context = self.context()
        subdirectory = _subdirectory(self.render(settings.subdirectory))
        exclude = render_patterns(
            self.renderer,
            (*settings.exclude, *self.options.exclude, *extra_exclude),
            operation_context(context, self.operation),
        )
        skip = tuple(
            self.renderer.render(p, context)
            for p in (*self.options.skip_if_exists, *settings.skip_if_exists)
        )
        rendered = render_template(
            self.template,
            context,
            env=self.renderer.env,
            templates_suffix=settings.templates_suffix,
            exclude=IgnoreRules(exclude),
            skip_if_exists=skip,
            preserve_symlinks=settings.preserve_symlinks,
            answers_file=answers_file,
            subdirectory=subdirectory,
            empty_folders=self.empty_folders,
        )
        return Rendered(
            rendered.tree, answers_file, CopierExclude.of(skip), rendered.sources, rendered.folders
        )

    def permissions(self, rendered: Rendered) -> Mapping[str, int]:
        """The permission bits Copier gives the rendered files: from a template folder, each
        one's template file's own (``0o777``).

        Copier reads a git template from a clone, whose files have only git's modes, which the
        Tree carries; so only a folder read as it is on disk has bits to keep.
        """
        if not isinstance(self.source, FolderSource) or self.version.commit is not None:
            return MappingProxyType({})
        files = {p: s.path for p, s in rendered.sources.items() if not rendered.tree[p].is_symlink}
        return read_permissions(self.source.root, files)

    def _answers_relpath(self) -> str:
        """Copier's ``answers_relpath``: ``--answers-file`` or ``_answers_file``, rendered."""
        chosen = self.options.answers_file or self.config.settings.answers_file
        context = self.context()
        conf = context["_copier_conf"]
        assert isinstance(conf, dict)  # template_context always builds a dict
        conf["answers_file"] = ""
        rendered = self.renderer.render(chosen, context)
        return str(PurePosixPath(rendered.replace(os.sep, "/")))

    def _load_external(self, path: str) -> object:
        """Copier's ``load_answersfile_data``: a YAML file in the destination, {} when missing."""
        rendered = self.renderer.render(path, self.context("undefined"))
        full = (self.dst / rendered).resolve()
        if not full.is_relative_to(self.dst.absolute().resolve()) and not self.trusted:
            raise ForbiddenPathError(
                rendered,
                f"the `_external_data` file {path!r} renders to a path outside the destination "
                "folder, and only a trusted template may read files outside it.",
            )
        try:
            data = full.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return {}
        try:
            return safe_load(data)
        except LimitError as err:
            raise UserError(f"{full}: the external data file (`_external_data`) {err}") from err
        except yaml.YAMLError as err:
            raise UserError(
                f"{full}: the external data file (`_external_data`) is not valid YAML: {err}"
            ) from err


def open_session(
    source: TemplateSource,
    version: ResolvedVersion,
    dst: Path,
    options: SessionOptions,
    *,
    operation: Operation = "copy",
    src: str | None = None,
    unsafe: Callable[[TemplateConfig], Iterable[str]] = lambda _config: (),
) -> Session:
    """Read ``version`` of ``source``, load its ``copier.yml``, check trust, make its renderer.

    ``src`` is the template as the user spelled it (for ``_copier_conf.src_path`` when the
    source is neither a folder nor a repository on this machine). ``unsafe`` names the
    settings that run code in this operation besides ``_jinja_extensions`` and ``_tasks`` (an
    update's ``_migrations``), so an untrusted template is refused for all of them at once.
    """
    template = _read_template(source, version)
    config = _load_config(source, template)
    trusted = options.trust or is_trusted(options.trust_list, source.src_path)
    check_trust(config, trusted=trusted, skip_tasks=options.skip_tasks, also=unsafe(config))
    settings = config.settings
    cache_dir = options.cache_dir or default_cache_dir()
    env = make_environment(
        envops=settings.envops,
        extensions=settings.jinja_extensions,
        trusted=trusted,
        source=template,
        bytecode_cache=DiskBytecodeCache(cache_dir / "jinja"),
        folder=partial(template_folder, source, version, template, cache_dir),
        limits=options.limits,
        alarm=MainThreadAlarm(),
    )
    conf = CopierConf(
        src_path=str(_local_path(source, src or source.src_path)),
        dst_path=str(dst),
        answers_file=options.answers_file or settings.answers_file,
        vcs_ref=options.vcs_ref,
        vcs_ref_hash=version.commit,
        data=dict(options.data),
        settings={"defaults": dict(options.settings_defaults), "trust": set(options.trust_list)},
        exclude=options.exclude,
        use_prereleases=options.prereleases,
        skip_if_exists=options.skip_if_exists,
        cleanup_on_error=options.cleanup_on_error,
        defaults=options.defaults,
        user_defaults=dict(options.user_defaults),
        overwrite=options.overwrite,
        pretend=options.pretend,
        quiet=options.quiet,
        unsafe=options.trust,
        skip_answered=options.skip_answered,
        skip_tasks=options.skip_tasks,
        os=host_os(),
    )
    return Session(
        source,
        version,
        template,
        config,
        JinjaRenderer(env),
        dst,
        options,
        conf,
        trusted,
        operation,
        empty_folders=source.empty_folders(version),
    )


def _read_template(source: TemplateSource, version: ResolvedVersion) -> Tree:
    """``version`` of ``source``; a link leaving it is refused, said in a template's terms: for
    a template folder on this machine, naming the path it leads to, as Copier does.

    A link by an absolute path is refused as well: pointing outside a template on this machine
    (or anywhere, for a remote one, which Copier clones to a new folder), it is Copier's
    ``ForbiddenPathError`` naming the link; pointing inside, it says the relative link to make.
    """
    try:
        return source.tree(version)
    except AbsoluteSymlinkError as err:
        root = _local_root(source)
        explained = explain_symlink(err, root, what="template") if root is not None else None
        if explained is not None and not isinstance(explained, SymlinkOutsideError):
            raise explained from err
        link = err.link or err.absolute_link
        raise SymlinkOutsideError(
            link,
            f"the template {source.src_path!r} has the symlink {err.absolute_link!r} pointing "
            f"to the absolute path {err.absolute_target!r}, outside the template. A "
            "template's links may point anywhere inside it, by a relative path: point this "
            "one at a file or folder of the template, or remove it.",
            target=err.target,
        ) from err
    except SymlinkOutsideError as err:
        link = err.link or err.path
        raise SymlinkOutsideError(
            link,
            f"the template {source.src_path!r} has the symlink {link!r} pointing to "
            f"{err.target!r}, outside the template. A template's links may point anywhere "
            "inside it: point this one at a file or folder of the template, or remove it.",
            target=err.target,
            path=_led_to(source, link, err.target),
        ) from err


def _local_root(source: TemplateSource) -> Path | None:
    """The template's folder on this machine (None for a remote template's mirror)."""
    if isinstance(source, FolderSource):
        return source.root
    if isinstance(source, GitSource) and source.mirror is None:
        return source.repo.workdir
    return None


def _led_to(source: TemplateSource, link: str, target: str | None) -> str | None:
    """The absolute path the template folder's ``link`` leads to, when it leads out directly."""
    if not isinstance(source, FolderSource) or target is None:
        return None
    root = source.root.absolute()
    led = os.path.normpath(root / posixpath.dirname(link) / target)
    return None if Path(led).is_relative_to(root) else led  # out through other links


def _load_config(source: TemplateSource, template: Tree) -> TemplateConfig:
    """The template's ``copier.yml``; an ``!include`` leaving a template folder on this machine
    is refused naming the absolute path it leads to, as Copier names it."""
    try:
        return load_config(template)
    except ForbiddenIncludeError as err:
        if not isinstance(source, FolderSource):
            raise
        outside = os.path.normpath(source.root.absolute() / err.path)
        raise ForbiddenIncludeError(outside, err.why) from err


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


def _subdirectory(rendered: str) -> str:
    normalized = posixpath.normpath(rendered.replace("\\", "/")) if rendered else ""
    if normalized in ("", "."):
        return ""
    if normalized.startswith(("/", "../")) or normalized == "..":
        raise ForbiddenPathError(
            rendered,
            "`_subdirectory` must name a folder inside the template. Check the setting and the "
            "answers it is made from.",
        )
    return normalized
