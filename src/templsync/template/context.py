"""The variables every template string renders with, built exactly as Copier 9.19.1 builds them.

Copier's ``Worker._render_context`` gives the answers, then ``_copier_answers`` (what the
answers file records), ``_copier_conf`` (the run's options: ``src_path``, ``dst_path``,
``answers_file``, ``vcs_ref``, ``vcs_ref_hash``, ``sep``, ``os`` and the flags),
``_folder_name``, ``_copier_python`` and ``_copier_phase``. Under the answers sit the template's
metadata (``_src_path``, ``_commit``), ``_external_data`` and Copier's deprecated ``now`` and
``make_secret``. ``_copier_operation`` is not part of it: Copier adds it only where it renders
``_exclude`` and ``_tasks`` (:func:`operation_context`).

Everything here is a value: the host (``os``, ``sep``, the Python executable) and the way
external data files are read are passed in.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import platform
import secrets
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from types import MappingProxyType
from typing import Literal

from templsync._warned import give
from templsync.errors import TemplateFutureWarning

Phase = Literal["prompt", "render", "tasks", "migrate", "undefined"]
Operation = Literal["copy", "update"]

_OS_NAMES: Mapping[str, str] = {"Linux": "linux", "Darwin": "macos", "Windows": "windows"}

__all__ = [
    "CopierConf",
    "ExternalData",
    "Operation",
    "Phase",
    "host_os",
    "operation_context",
    "template_context",
]


def host_os() -> str | None:
    """Copier's ``_copier_conf.os``: ``linux``, ``macos``, ``windows`` or None."""
    return _OS_NAMES.get(platform.system())


@dataclass(frozen=True)
class CopierConf:
    """What ``_copier_conf`` holds: the run's options, as Copier's ``Worker`` fields.

    ``src_path`` is the template's local folder (for a git template Copier gives its temporary
    clone; we give the repository or mirror folder), ``dst_path`` the destination as given.
    """

    src_path: str
    dst_path: str
    answers_file: str = ".copier-answers.yml"
    vcs_ref: str | None = None
    vcs_ref_hash: str | None = None
    data: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    settings: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    exclude: tuple[str, ...] = ()
    use_prereleases: bool = False
    skip_if_exists: tuple[str, ...] = ()
    cleanup_on_error: bool = True
    defaults: bool = False
    user_defaults: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    overwrite: bool = False
    pretend: bool = False
    quiet: bool = False
    unsafe: bool = False
    skip_answered: bool = False
    skip_tasks: bool = False
    sep: str = os.sep
    os: str | None = None

    def with_answers_file(self, answers_file: str) -> CopierConf:
        return replace(self, answers_file=answers_file)

    def as_dict(self) -> dict[str, object]:
        """The mapping templates see, in Copier's key order, paths as ``PurePath``."""
        return {
            "src_path": PurePath(self.src_path),
            "dst_path": PurePath(self.dst_path),
            "answers_file": PurePath(self.answers_file),
            "vcs_ref": self.vcs_ref,
            "vcs_ref_hash": self.vcs_ref_hash,
            "data": dict(self.data),
            "settings": dict(self.settings),
            "exclude": list(self.exclude),
            "use_prereleases": self.use_prereleases,
            "skip_if_exists": list(self.skip_if_exists),
            "cleanup_on_error": self.cleanup_on_error,
            "defaults": self.defaults,
            "user_defaults": dict(self.user_defaults),
            "overwrite": self.overwrite,
            "pretend": self.pretend,
            "quiet": self.quiet,
            "conflict": "inline",
            "context_lines": 3,
            "unsafe": self.unsafe,
            "skip_answered": self.skip_answered,
            "skip_tasks": self.skip_tasks,
            "sep": self.sep,
            "os": self.os,
        }


class ExternalData(Mapping[str, object]):
    """``_external_data``: each file is read on first access, then kept (Copier's ``LazyDict``).

    ``paths`` maps names to (templated) paths; ``load`` reads one, given its name and path.
    Lazy, because a path may use answers that do not exist yet when the context is built.
    """

    def __init__(self, paths: Mapping[str, str], load: Callable[[str], object]) -> None:
        self._paths = dict(paths)
        self._load = load
        self._loaded: dict[str, object] = {}

    def __getitem__(self, name: str) -> object:
        if name not in self._loaded:
            self._loaded[name] = self._load(self._paths[name])
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def _now() -> datetime.datetime:
    give(
        TemplateFutureWarning(
            "'now' will be removed in a future release of Copier.\n"
            "Please use this instead: {{ '%Y-%m-%d %H:%M:%S' | strftime }}\n"
            "strftime format reference https://strftime.org/"
        ),
        stacklevel=2,
    )
    return datetime.datetime.now(tz=datetime.UTC)


def _make_secret() -> str:
    give(
        TemplateFutureWarning(
            "'make_secret' will be removed in a future release of Copier.\n"
            "Please use this instead: {{ 999999999999999999999999999999999|ans_random|hash("
            "'sha512') }}\nrandom and hash filters documentation: "
            "https://docs.ansible.com/ansible/2.3/playbooks_filters.html"
        ),
        stacklevel=2,
    )
    return hashlib.sha512(secrets.token_bytes(128)).hexdigest()


DEFAULT_DATA: Mapping[str, object] = MappingProxyType({"now": _now, "make_secret": _make_secret})
"""Copier's deprecated ``now()`` and ``make_secret()``, still in every context (each call is
Copier's ``FutureWarning``: a :class:`~templsync.errors.TemplateFutureWarning`)."""


def template_context(
    answers: Mapping[str, object],
    *,
    conf: CopierConf,
    metadata: Mapping[str, object],
    copier_answers: Mapping[str, object],
    external_data: Mapping[str, object],
    folder_name: str,
    phase: Phase,
    python: str = sys.executable,
) -> dict[str, object]:
    """Copier's render context.

    ``answers`` are the answers so far (given data included), ``metadata`` the template's
    ``_src_path`` and ``_commit`` (when known), ``copier_answers`` what the answers file records
    (:func:`templsync.template.answers.answers_context`), ``folder_name`` the name of the
    destination's absolute path.
    """
    context: dict[str, object] = {
        **DEFAULT_DATA,
        "_external_data": external_data,
        **{k: v for k, v in metadata.items() if v is not None},
        **answers,
    }
    context.update(
        _copier_answers=dict(copier_answers),
        _copier_conf=conf.as_dict(),
        _folder_name=folder_name,
        _copier_python=python,
        _copier_phase=phase,
    )
    return context


def operation_context(
    context: Mapping[str, object], operation: Operation, **extra: object
) -> dict[str, object]:
    """``context`` with ``_copier_operation`` (and ``extra``), as ``_exclude`` and tasks see it."""
    return {**context, **extra, "_copier_operation": operation}
