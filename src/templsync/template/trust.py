"""Whether a template may run code: ``--trust``, or Copier's own trust list.

Copier reads the user settings file ``settings.yml`` (:mod:`templsync.template.usersettings`),
whose ``trust:`` list names trusted templates. An entry ending in ``/`` trusts every template
under it (a prefix); any other entry trusts that template only. Both sides are normalized first
(``~`` expanded, ``.``/``..`` resolved), except URLs whose path holds characters outside RFC
3986's unreserved set: those must match exactly. This module reproduces Copier 9.19.1's
``_settings.py`` so one trust list serves both tools.

Settings that run code (``_jinja_extensions``, ``_tasks``; ``_migrations`` on update) need
trust; :func:`check_trust` says which.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable
from os.path import expanduser
from pathlib import Path, PureWindowsPath
from urllib.parse import urlsplit, urlunsplit

from templsync.errors import UnsafeTemplateError
from templsync.template.config import TemplateConfig
from templsync.template.usersettings import SettingsFileError, load_settings, settings_path

_ALIASES = ("gh:", "gl:")
_SCP_URL = re.compile(r"^(?:[^/@:\s]+@)?[^/:\s]+:.+$")
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")

__all__ = [
    "SettingsFileError",
    "UntrustedTemplateError",
    "check_trust",
    "is_trusted",
    "load_trust_list",
    "settings_path",
]


UntrustedTemplateError = UnsafeTemplateError
"""One or more settings of an untrusted template run code (Copier's ``UnsafeTemplateError``)."""


def load_trust_list(path: Path) -> tuple[str, ...]:
    """The ``trust:`` entries of the settings file at ``path`` (none when it does not exist)."""
    return load_settings(path).trust


def is_trusted(trust: Iterable[str], repository: str) -> bool:
    """Whether the template spelled ``repository`` is in the trust list ``trust``."""
    repository_is_safe = _is_safe_url(repository)
    normalized = _normalize(repository)
    for entry in trust:
        if repository_is_safe and _is_safe_url(entry):
            if entry.endswith("/"):
                if normalized.startswith(_normalize(entry)):
                    return True
            elif normalized == _normalize(entry):
                return True
        elif repository == entry:
            return True
    return False


def check_trust(
    config: TemplateConfig, *, trusted: bool, skip_tasks: bool = False, also: Iterable[str] = ()
) -> None:
    """Refuse an untrusted template whose settings run code, naming each such setting.

    ``_tasks`` count only when they would run (not with ``skip_tasks``), as in Copier; ``also``
    names more settings that would run code (an update's ``migrations``).
    """
    if trusted:
        return
    needing = set(also)
    if config.settings.jinja_extensions:
        needing.add("jinja_extensions")
    if config.settings.tasks and not skip_tasks:
        needing.add("tasks")
    if needing:
        raise UnsafeTemplateError(needing)


def _is_url_style(url: str) -> bool:
    return "://" in url or url.startswith(_ALIASES)


def _is_scp_style(url: str) -> bool:
    return not PureWindowsPath(url).is_absolute() and _SCP_URL.fullmatch(url) is not None


def _is_safe_url(url: str) -> bool:
    if _is_url_style(url):
        path = urlsplit(url).path
    elif _is_scp_style(url):
        path = url.split(":", 1)[1]
    else:
        return True
    segments = path.split("/")
    if segments and segments[0] == "":
        segments = segments[1:]
    if segments and segments[-1] == "":
        segments = segments[:-1]
    return all(_SAFE_SEGMENT.fullmatch(segment) for segment in segments)


def _normalize(url: str) -> str:
    if _is_url_style(url):
        parts = urlsplit(url)
        path = _normalize_url_path(parts.path)
        return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))
    if _is_scp_style(url):
        host, path = url.split(":", 1)
        return f"{host}:{_normalize_url_path(path)}"
    if url.startswith("~"):
        url = expanduser(url)  # noqa: PTH111  # a string, as Copier expands it
    normalized = os.path.normpath(url)
    if url.endswith(("/", os.sep)) and not normalized.endswith(os.sep):
        normalized += os.sep
    return normalized


def _normalize_url_path(path: str) -> str:
    normalized = posixpath.normpath(path) if path else path
    if path.endswith("/") and not normalized.endswith("/"):
        normalized += "/"
    return normalized
