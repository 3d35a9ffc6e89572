"""Copier's user settings file, ``settings.yml``: default answers and trusted templates.

Copier 9.19.1 (``copier/_settings.py``) reads ``$COPIER_SETTINGS_PATH``, else
``<user config dir>/copier/settings.yml``; a missing file means no settings, and a missing file
that the variable names is Copier's :class:`~templsync.errors.MissingSettingsWarning`. The file
holds two keys:

- ``defaults:`` a mapping of question names to default answers. They replace the template's own
  default (and are rendered like it), below ``--data``, recorded answers and the caller's
  ``user_defaults`` (:mod:`templsync.template.answering`);
- ``trust:`` templates, or prefixes ending in ``/``, allowed to run code
  (:mod:`templsync.template.trust`).

Reading the file is the only I/O here; the CLI reads it once and passes the values on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import platformdirs
import yaml

from templsync._limits import LimitError
from templsync._warned import give
from templsync._yaml import safe_load
from templsync.errors import MissingSettingsWarning, SettingsError

SETTINGS_ENV = "COPIER_SETTINGS_PATH"

__all__ = [
    "SETTINGS_ENV",
    "SettingsFileError",
    "UserSettings",
    "load_settings",
    "settings_path",
    "user_settings",
]


SettingsFileError = SettingsError
"""Copier's user settings file cannot be read (Copier's ``SettingsError``)."""


@dataclass(frozen=True)
class UserSettings:
    """What Copier's settings file says: default answers, and the trusted templates."""

    defaults: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    trust: tuple[str, ...] = ()


def settings_path(environ: Mapping[str, str]) -> Path:
    """Where Copier's user settings file is: ``$COPIER_SETTINGS_PATH``, else the config dir."""
    given = environ.get(SETTINGS_ENV)
    if given:
        return Path(given)
    return platformdirs.user_config_path("copier", appauthor=False) / "settings.yml"


def user_settings(environ: Mapping[str, str]) -> UserSettings:
    """The settings file Copier would read in this environment (see the module's rules)."""
    path = settings_path(environ)
    settings = load_settings(path)
    if environ.get(SETTINGS_ENV) and not path.is_file():
        give(MissingSettingsWarning(f"Settings file not found at {path}"), stacklevel=2)
    return settings


def load_settings(path: Path) -> UserSettings:
    """The settings file at ``path`` (no settings when it does not exist).

    Raises :class:`SettingsFileError` when it is not YAML, or its keys do not hold what Copier
    accepts (``defaults`` a mapping, ``trust`` a list of strings).
    """
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return UserSettings()
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
        return UserSettings()
    if not isinstance(loaded, dict):
        raise SettingsFileError(
            f"{path}: Copier's settings file must be a mapping with `defaults:` and `trust:`."
        )
    defaults = loaded.get("defaults", {})
    if not isinstance(defaults, dict) or not all(isinstance(k, str) for k in defaults):
        raise SettingsFileError(
            f"{path}: `defaults` in Copier's settings file must be a mapping of question "
            "names to default answers."
        )
    trust = loaded.get("trust", [])
    if not isinstance(trust, list | tuple | set) or not all(isinstance(t, str) for t in trust):
        raise SettingsFileError(
            f"{path}: `trust` in Copier's settings file must be a list of templates or "
            "prefixes ending in '/'."
        )
    return UserSettings(MappingProxyType(dict(defaults)), tuple(trust))
