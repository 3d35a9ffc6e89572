"""Whether a template may run code: ``--trust``, or Copier's own trust list.

Copier reads the user settings file ``settings.yml`` (``$COPIER_SETTINGS_PATH``, else
``<user config dir>/copier/settings.yml``), whose ``trust:`` list names trusted templates. An
entry ending in ``/`` trusts every template under it (a prefix); any other entry trusts that
template only. Both sides are normalized first (``~`` expanded, ``.``/``..`` resolved), except
URLs whose path holds characters outside RFC 3986's unreserved set: those must match exactly.
This module reproduces Copier 9.19.1's ``_settings.py`` so one trust list serves both tools.

Settings that run code (``_jinja_extensions``, ``_tasks``; ``_migrations`` on update) need
trust; :func:`check_trust` says which.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Mapping
from os.path import expanduser
from pathlib import Path, PureWindowsPath
from urllib.parse import urlsplit, urlunsplit

import platformdirs
import yaml

from templsync._limits import LimitError
from templsync._yaml import safe_load
from templsync.errors import UserError
from templsync.template.config import TemplateConfig
from templsync.template.jinja import TrustRequiredError

SETTINGS_ENV = "COPIER_SETTINGS_PATH"
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


class SettingsFileError(UserError):
    """Copier's user settings file cannot be read."""


class UntrustedTemplateError(TrustRequiredError):
    """One or more settings of an untrusted template run code."""

    def __init__(self, settings: Iterable[str]) -> None:
        self.settings = tuple(sorted(settings))
        names = " and ".join(f"`_{s}`" for s in self.settings)
        plural = "s run" if len(self.settings) > 1 else " runs"
        UserError.__init__(
            self,
            f"the template's {names} setting{plural} code from the template, so it needs "
            "trust. If you trust this template, run again with `--trust` (or add it to the "
            "`trust:` list of Copier's settings.yml).",
        )
        self.setting = "_" + self.settings[0]


def settings_path(environ: Mapping[str, str]) -> Path:
    """Where Copier's user settings file is: ``$COPIER_SETTINGS_PATH``, else the config dir."""
    given = environ.get(SETTINGS_ENV)
    if given:
        return Path(given)
    return platformdirs.user_config_path("copier", appauthor=False) / "settings.yml"


def load_trust_list(path: Path) -> tuple[str, ...]:
    """The ``trust:`` entries of the settings file at ``path`` (none when it does not exist)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ()
    except OSError as err:
        raise SettingsFileError(f"cannot read Copier's settings file {path}: {err}") from err
    try:
        loaded = safe_load(data)
    except LimitError as err:
        raise SettingsFileError(
            f"{path}: Copier's settings file {err}. Fix it or remove it."
        ) from err
    except yaml.YAMLError as err:
        raise SettingsFileError(
            f"{path}: Copier's settings file is not valid YAML: {err}. Fix it or remove it."
        ) from err
    if loaded is None:
        return ()
    trust = loaded.get("trust", []) if isinstance(loaded, dict) else None
    if not isinstance(trust, list | tuple | set) or not all(isinstance(t, str) for t in trust):
        raise SettingsFileError(
            f"{path}: `trust` in Copier's settings file must be a list of templates or "
            "prefixes ending in '/'."
        )
    return tuple(trust)


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


def check_trust(config: TemplateConfig, *, trusted: bool, skip_tasks: bool = False) -> None:
    """Refuse an untrusted template whose settings run code, naming each such setting.

    ``_tasks`` count only when they would run (not with ``skip_tasks``), as in Copier.
    """
    if trusted:
        return
    needing = set()
    if config.settings.jinja_extensions:
        needing.add("jinja_extensions")
    if config.settings.tasks and not skip_tasks:
        needing.add("tasks")
    if needing:
        raise UntrustedTemplateError(needing)


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
