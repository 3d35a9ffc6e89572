"""Copier's ``run_copy``, ``run_update`` and ``run_recopy``, served by templsync's Python API.

Each function takes Copier 9.19.1's arguments and calls templsync's ``copy``, ``update`` or
``recopy`` with the options they mean, as ``templsync``'s own CLI maps Copier's flags:

- ``data``, ``answers_file``, ``vcs_ref`` (``VcsRef.CURRENT`` is ``:current:``), ``exclude``,
  ``skip_if_exists``, ``defaults``, ``overwrite``, ``pretend``, ``quiet``, ``skip_tasks``,
  ``skip_answered``, ``conflict`` map one to one; ``unsafe`` is ``trust`` and
  ``use_prereleases`` is ``prereleases``;
- ``user_defaults``, ``cleanup_on_error`` and ``ask`` (``always_ask``) map one to one too;
- ``settings`` gives the trust list and the settings' ``defaults``; without it, both are read
  by templsync from the user's Copier settings file (``$COPIER_SETTINGS_PATH``, else Copier's
  config folder, which Copier's test fixtures move to a temporary folder);
- questions without an answer are asked with the CLI's prompt, as Copier asks them; what the
  CLI prints (listing, messages, warnings, tasks) is printed, unless ``quiet``;
- templsync's errors and warnings are raised and given as Copier's classes of the same name
  (:mod:`copier_suite.translate`); Copier's API returns its ``Worker``, these return None.

``context_lines`` is accepted and left to templsync's own behaviour (its merge has no context
lines).

Each call is noted in the reach log (``TEMPLSYNC_COPIER_SUITE_LOG``) under the running test
(``TEMPLSYNC_COPIER_SUITE_TEST``, set by :mod:`copier_suite.plugin`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # imported by copier._main itself, while it loads: Copier only when typing
    from copier._settings import Settings, SettingsModel
    from copier._types import VcsRef

LOG_ENV = "TEMPLSYNC_COPIER_SUITE_LOG"
TEST_ENV = "TEMPLSYNC_COPIER_SUITE_TEST"
ROUTED = ("run_copy", "run_update", "run_recopy")


def route(module: ModuleType) -> None:
    """Replace ``run_copy``, ``run_update`` and ``run_recopy`` in ``copier._main``."""
    module.run_copy = run_copy  # type: ignore[attr-defined]  # copier._main, set at import
    module.run_update = run_update  # type: ignore[attr-defined]  # as above
    module.run_recopy = run_recopy  # type: ignore[attr-defined]  # as above


def reached(name: str) -> None:
    """Note in the reach log that the running test called ``name``."""
    log = os.environ.get(LOG_ENV)
    test = os.environ.get(TEST_ENV)
    if log and test:
        with Path(log).open("a", encoding="utf-8") as f:
            f.write(f"{test}\t{name}\n")


def run_copy(
    src_path: str,
    dst_path: Path | str = ".",
    data: dict[str, Any] | None = None,
    *,
    answers_file: Path | str | None = None,
    vcs_ref: str | VcsRef | None = None,
    settings: Settings | SettingsModel | None = None,
    exclude: Sequence[str] = (),
    use_prereleases: bool = False,
    skip_if_exists: Sequence[str] = (),
    cleanup_on_error: bool = True,
    defaults: bool = False,
    user_defaults: dict[str, Any] | None = None,
    overwrite: bool = False,
    pretend: bool = False,
    quiet: bool = False,
    unsafe: bool = False,
    skip_tasks: bool = False,
    ask: Sequence[str] = (),
) -> None:
    """Copier's ``run_copy``: templsync's ``copy``."""
    reached("run_copy")
    from copier_suite.translate import copier_errors, copier_warnings
    from templsync.cli.copy import _report
    from templsync.instance.copy import CopyOptions, copy

    with copier_warnings(), copier_errors():
        options = CopyOptions(
            **_fields(
                data=data,
                answers_file=answers_file,
                vcs_ref=vcs_ref,
                settings=settings,
                exclude=exclude,
                use_prereleases=use_prereleases,
                skip_if_exists=skip_if_exists,
                cleanup_on_error=cleanup_on_error,
                defaults=defaults,
                user_defaults=user_defaults,
                overwrite=overwrite,
                pretend=pretend,
                quiet=quiet,
                unsafe=unsafe,
                skip_tasks=skip_tasks,
                ask=ask,
            )
        )
        result = copy(src_path, Path(dst_path), options, **_callbacks(quiet))
        _report(result, quiet=quiet)


def run_recopy(
    dst_path: Path | str = ".",
    data: dict[str, Any] | None = None,
    *,
    answers_file: Path | str | None = None,
    vcs_ref: str | VcsRef | None = None,
    settings: Settings | SettingsModel | None = None,
    exclude: Sequence[str] = (),
    use_prereleases: bool = False,
    skip_if_exists: Sequence[str] = (),
    cleanup_on_error: bool = True,
    defaults: bool = False,
    user_defaults: dict[str, Any] | None = None,
    overwrite: bool = False,
    pretend: bool = False,
    quiet: bool = False,
    unsafe: bool = False,
    skip_answered: bool = False,
    skip_tasks: bool = False,
    ask: Sequence[str] = (),
) -> None:
    """Copier's ``run_recopy``: templsync's ``recopy``."""
    reached("run_recopy")
    from copier_suite.translate import copier_errors, copier_warnings
    from templsync.cli.copy import _report
    from templsync.instance.copy import CopyOptions
    from templsync.instance.recopy import recopy

    with copier_warnings(), copier_errors():
        options = CopyOptions(
            **_fields(
                data=data,
                answers_file=answers_file,
                vcs_ref=vcs_ref,
                settings=settings,
                exclude=exclude,
                use_prereleases=use_prereleases,
                skip_if_exists=skip_if_exists,
                cleanup_on_error=cleanup_on_error,
                defaults=defaults,
                user_defaults=user_defaults,
                overwrite=overwrite,
                pretend=pretend,
                quiet=quiet,
                unsafe=unsafe,
                skip_tasks=skip_tasks,
                ask=ask,
                skip_answered=skip_answered,
            )
        )
        result = recopy(Path(dst_path), options, **_callbacks(quiet))
        _report(result, quiet=quiet)


def run_update(
    dst_path: Path | str = ".",
    data: dict[str, Any] | None = None,
    *,
    answers_file: Path | str | None = None,
    vcs_ref: str | VcsRef | None = None,
    settings: Settings | SettingsModel | None = None,
    exclude: Sequence[str] = (),
    use_prereleases: bool = False,
    skip_if_exists: Sequence[str] = (),
    cleanup_on_error: bool = True,
    defaults: bool = False,
    user_defaults: dict[str, Any] | None = None,
    overwrite: bool = False,
    pretend: bool = False,
    quiet: bool = False,
    conflict: Literal["inline", "rej"] = "inline",
    context_lines: int = 3,
    unsafe: bool = False,
    skip_answered: bool = False,
    skip_tasks: bool = False,
    ask: Sequence[str] = (),
) -> None:
    """Copier's ``run_update``: templsync's ``update``."""
    reached("run_update")
    from copier_suite.translate import copier_errors, copier_warnings
    from templsync.cli.update import _report
    from templsync.instance.update import UpdateOptions, update

    with copier_warnings(), copier_errors():
        options = UpdateOptions(
            **_fields(
                data=data,
                answers_file=answers_file,
                vcs_ref=vcs_ref,
                settings=settings,
                exclude=exclude,
                use_prereleases=use_prereleases,
                skip_if_exists=skip_if_exists,
                cleanup_on_error=cleanup_on_error,
                defaults=defaults,
                user_defaults=user_defaults,
                overwrite=overwrite,
                pretend=pretend,
                quiet=quiet,
                unsafe=unsafe,
                skip_tasks=skip_tasks,
                ask=ask,
                skip_answered=skip_answered,
            ),
            conflict=conflict,
        )
        result = update(Path(dst_path), options, **_callbacks(quiet))
        _report(result, quiet=quiet, show_diff=False)


def _fields(
    *,
    data: Mapping[str, Any] | None,
    answers_file: Path | str | None,
    vcs_ref: str | VcsRef | None,
    settings: Settings | SettingsModel | None,
    exclude: Sequence[str],
    use_prereleases: bool,
    skip_if_exists: Sequence[str],
    cleanup_on_error: bool,
    defaults: bool,
    user_defaults: Mapping[str, Any] | None,
    overwrite: bool,
    pretend: bool,
    quiet: bool,
    unsafe: bool,
    skip_tasks: bool,
    ask: Sequence[str],
    skip_answered: bool = False,
) -> dict[str, Any]:
    """The ``SessionOptions`` fields Copier's arguments mean; see the module's documentation."""
    return {
        "vcs_ref": vcs_ref.value if isinstance(vcs_ref, Enum) else vcs_ref,
        "data": dict(data or {}),
        "defaults": defaults,
        "overwrite": overwrite,
        "pretend": pretend,
        "exclude": tuple(exclude),
        "skip_if_exists": tuple(skip_if_exists),
        "trust": unsafe,
        **_settings_fields(settings),
        "user_defaults": dict(user_defaults or {}),
        "skip_tasks": skip_tasks,
        "skip_answered": skip_answered,
        "always_ask": tuple(ask),
        "answers_file": None if answers_file is None else str(answers_file),
        "prereleases": use_prereleases,
        "quiet": quiet,
        "cleanup_on_error": cleanup_on_error,
    }


def _settings_fields(settings: Settings | SettingsModel | None) -> dict[str, Any]:
    """``trust_list`` and ``settings_defaults``: the given settings', else those of the user's
    settings file, read by templsync where Copier would read it."""
    if settings is not None:
        return {"trust_list": tuple(settings.trust), "settings_defaults": dict(settings.defaults)}
    from copier import _settings

    from templsync.template.usersettings import SETTINGS_ENV, load_settings, user_settings

    if os.environ.get(SETTINGS_ENV):
        read = user_settings(os.environ)  # with Copier's MissingSettingsWarning
    else:
        # Copier's fixtures move the user's config folder by patching this name; read it where
        # Copier would, so templsync sees the settings file the test wrote.
        config_dir = vars(_settings)["user_config_path"]("copier", appauthor=False)
        read = load_settings(Path(config_dir) / "settings.yml")
    return {"trust_list": read.trust, "settings_defaults": dict(read.defaults)}


def _callbacks(quiet: bool) -> dict[str, Any]:
    """The prompt and the printing templsync's CLI gives a copy, update or recopy."""
    from templsync.cli.copy import ask_question
    from templsync.cli.output import escape, stderr
    from templsync.cli.tasks import announce_task

    def message(text: str) -> None:
        if not quiet:
            stderr().print(escape(text))

    return {
        "ask": ask_question,
        "on_message": message,
        "on_task": None if quiet else announce_task,
    }
