"""``copier.yml``: a template's settings and questions, read from a Tree as Copier reads them.

Settings are the keys that start with ``_``; every other key is a question, in file order. The
defaults and the merging of several documents follow Copier 9.19.1 (``copier/_template.py``).
Reading it gives warnings (:func:`templsync._warned.give`): an unknown setting is an
:class:`~templsync.errors.UnknownSettingWarning` naming its line; a template made for an older
major version of Copier is Copier's :class:`~templsync.errors.OldTemplateWarning`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from packaging.version import InvalidVersion, Version

from templsync._core.tree import Tree
from templsync._warned import give
from templsync.errors import OldTemplateWarning, UnknownSettingWarning, UnsupportedVersionError
from templsync.template.questions import Question, parse_question
from templsync.template.yamlload import Location, TemplateConfigError, load_config_yaml

COPIER_VERSION = Version("9.19.1")
"""The Copier version whose behaviour templsync reproduces (for ``_min_copier_version``)."""

DEFAULT_EXCLUDE: tuple[str, ...] = (
    "copier.yaml",
    "copier.yml",
    "~*",
    "*.py[co]",
    "__pycache__",
    ".git",
    ".DS_Store",
    ".svn",
)
DEFAULT_TEMPLATES_SUFFIX = ".jinja"
DEFAULT_ANSWERS_FILE = ".copier-answers.yml"

KNOWN_SETTINGS = frozenset(
    {
        "answers_file",
        "envops",
        "exclude",
        "external_data",
        "jinja_extensions",
        "message_after_copy",
        "message_after_update",
        "message_before_copy",
        "message_before_update",
        "migrations",
        "min_copier_version",
        "preserve_symlinks",
        "secret_questions",
        "skip_if_exists",
        "subdirectory",
        "tasks",
        "templates_suffix",
    }
)

_CONFIG_SUFFIX = re.compile(r"\.ya?ml", re.IGNORECASE)  # Copier: glob("copier.*"), then this

__all__ = [
    "COPIER_VERSION",
    "DEFAULT_EXCLUDE",
    "Migration",
    "Task",
    "TemplateConfig",
    "TemplateConfigError",
    "TemplateSettings",
    "load_config",
]


@dataclass(frozen=True)
class Task:
    """One entry of ``_tasks``: a shell string or an argument list, run when ``when`` holds."""

    command: str | tuple[str, ...]
    when: str | bool = True
    working_directory: str = "."


@dataclass(frozen=True)
class Migration:
    """One entry of ``_migrations``, kept as written for the update work.

    The current format has ``command`` (and optionally ``version``, ``when``,
    ``working_directory``); a bare string or list is a command run after updating; the legacy
    format has ``version`` with ``before``/``after`` command lists.
    """

    command: str | tuple[str, ...] | None
    version: str | None = None
    when: str | bool | None = None
    working_directory: str = "."
    before: tuple[str | tuple[str, ...], ...] = ()
    after: tuple[str | tuple[str, ...], ...] = ()

    @property
    def is_legacy(self) -> bool:
        return self.command is None


@dataclass(frozen=True)
class TemplateSettings:
    """The ``_`` settings of ``copier.yml``, with Copier's defaults filled in."""

    subdirectory: str = ""
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    skip_if_exists: tuple[str, ...] = ()
    templates_suffix: str = DEFAULT_TEMPLATES_SUFFIX
    answers_file: str = DEFAULT_ANSWERS_FILE
    envops: Mapping[str, Any] = field(
        default_factory=lambda: MappingProxyType({"keep_trailing_newline": True})
    )
    jinja_extensions: tuple[str, ...] = ()
    tasks: tuple[Task, ...] = ()
    migrations: tuple[Migration, ...] = ()
    message_before_copy: str = ""
    message_after_copy: str = ""
    message_before_update: str = ""
    message_after_update: str = ""
    preserve_symlinks: bool = False
    min_copier_version: str | None = None
    external_data: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    secret_questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class TemplateConfig:
    """A template's configuration: settings and questions in order."""

    settings: TemplateSettings
    questions: tuple[Question, ...]
    path: str | None = None

    @property
    def secret_questions(self) -> frozenset[str]:
        """Questions never written to the answers file (``secret: true`` or listed)."""
        return frozenset(q.name for q in self.questions if q.secret) | frozenset(
            self.settings.secret_questions
        )

    def question(self, name: str) -> Question:
        for q in self.questions:
            if q.name == name:
                return q
        raise KeyError(name)


def find_config_path(template: Tree) -> str | None:
    """``copier.yml`` or ``copier.yaml`` at the template's root; both is an error, as in Copier."""
    found = sorted(
        p
        for p in template
        if p.startswith("copier.")
        and "/" not in p
        and _CONFIG_SUFFIX.match(posixpath.splitext(p)[1])
    )
    if len(found) > 1:
        raise TemplateConfigError(
            f"the template has more than one configuration file: {', '.join(found)}. "
            "Keep only one of them."
        )
    return found[0] if found else None


class CookiecutterTemplateError(TemplateConfigError):
    """A cookiecutter template: ``cookiecutter.json``, no ``copier.yml``."""


_COOKIECUTTER_NAME = re.compile(r"\{\{\s*cookiecutter\.")


def load_config(template: Tree) -> TemplateConfig:
    """Read the template's ``copier.yml`` (or ``copier.yaml``); no file means no questions.

    A cookiecutter template (``cookiecutter.json``, no ``copier.yml``, paths spelled
    ``{{ cookiecutter.name }}``) is a :class:`CookiecutterTemplateError`, not a Jinja error.
    """
    path = find_config_path(template)
    if path is None:
        _refuse_cookiecutter(template)
        return TemplateConfig(TemplateSettings(), ())
    loaded = load_config_yaml(template, path)
    raw_settings: dict[str, Any] = {}
    raw_questions: dict[str, Any] = {}
    for key, value in loaded.data.items():
        name = str(key)
        if name.startswith("_"):
            raw_settings[name[1:]] = value
        else:
            raw_questions[name] = value if isinstance(value, dict) else {"default": value}
    for name in raw_settings:
        if name not in KNOWN_SETTINGS:
            where = _where(loaded.locations, "_" + name, path)
            give(UnknownSettingWarning(f"{where}: unknown setting '_{name}' is ignored."))
    settings = _parse_settings(raw_settings, loaded.locations, path)
    secret = set(settings.secret_questions)
    questions = tuple(
        parse_question(
            name,
            {**body, "secret": True} if name in secret else body,
            _where(loaded.locations, name, path),
            (
                str(settings.envops.get("variable_start_string", "{{")),
                str(settings.envops.get("block_start_string", "{%")),
            ),
        )
        for name, body in raw_questions.items()
    )
    return TemplateConfig(settings, questions, path)


def _refuse_cookiecutter(template: Tree) -> None:
    if "cookiecutter.json" not in template:
        return
    named = sorted(p for p in template if _COOKIECUTTER_NAME.search(p))
    if not named:
        return
    raise CookiecutterTemplateError(
        "cookiecutter templates are not supported by templsync (it reads Copier templates: "
        f"copier.yml). This one has cookiecutter.json, no copier.yml, and paths such as "
        f"{named[0]!r}. Use cookiecutter for it, or make it a Copier template: its questions "
        "in copier.yml, `{{ name }}` where it says `{{ cookiecutter.name }}`."
    )


def _where(locations: Mapping[str, Location], key: str, path: str) -> str:
    location = locations.get(key)
    return str(location) if location is not None else path


def _parse_settings(
    raw: Mapping[str, Any], locations: Mapping[str, Location], path: str
) -> TemplateSettings:
    def fail(name: str, expected: str) -> TemplateConfigError:
        return TemplateConfigError(
            f"{_where(locations, '_' + name, path)}: setting '_{name}' must be {expected}, "
            f"not {raw[name]!r}."
        )

    def text(name: str, default: str) -> str:
        value = raw.get(name, default)
        if value is None and name == "templates_suffix":
            return DEFAULT_TEMPLATES_SUFFIX
        if not isinstance(value, str):
            raise fail(name, "a string")
        return value

    def strings(name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = raw.get(name, default)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise fail(name, "a list of strings")
        return tuple(value)

    subdirectory = text("subdirectory", "")
    envops = raw.get("envops", {})
    if not isinstance(envops, dict):
        raise fail("envops", "a mapping")
    external = raw.get("external_data", {})
    if not isinstance(external, dict) or not all(isinstance(v, str) for v in external.values()):
        raise fail("external_data", "a mapping of names to file paths")
    return TemplateSettings(
        subdirectory=subdirectory,
        exclude=strings("exclude", DEFAULT_EXCLUDE if _is_root(subdirectory) else ()),
        skip_if_exists=strings("skip_if_exists"),
        templates_suffix=text("templates_suffix", DEFAULT_TEMPLATES_SUFFIX),
        answers_file=text("answers_file", DEFAULT_ANSWERS_FILE),
        envops=MappingProxyType({"keep_trailing_newline": True, **envops}),
        jinja_extensions=strings("jinja_extensions"),
        tasks=tuple(_parse_task(t, fail) for t in _list(raw, "tasks", fail)),
        migrations=tuple(_parse_migration(m, fail) for m in _list(raw, "migrations", fail)),
        message_before_copy=text("message_before_copy", ""),
        message_after_copy=text("message_after_copy", ""),
        message_before_update=text("message_before_update", ""),
        message_after_update=text("message_after_update", ""),
        preserve_symlinks=bool(raw.get("preserve_symlinks", False)),
        min_copier_version=_check_min_version(raw, fail, locations, path),
        external_data=MappingProxyType({str(k): v for k, v in external.items()}),
        secret_questions=strings("secret_questions"),
    )


def _is_root(subdirectory: str) -> bool:
    return all(part in ("", ".") for part in subdirectory.split("/"))


def _list(raw: Mapping[str, Any], name: str, fail: Any) -> list[Any]:
    value = raw.get(name, [])
    if not isinstance(value, list):
        raise fail(name, "a list")
    return value


def _command(value: Any) -> str | tuple[str, ...]:
    return value if isinstance(value, str) else tuple(str(part) for part in value)


def _parse_task(task: Any, fail: Any) -> Task:
    if isinstance(task, dict):
        if "command" not in task:
            raise fail("tasks", "a list of commands or of mappings with a 'command'")
        return Task(
            _command(task["command"]),
            task.get("when", "true"),
            str(task.get("working_directory", ".")),
        )
    if isinstance(task, str | list):
        return Task(_command(task))
    raise fail("tasks", "a list of commands or of mappings with a 'command'")


def _parse_migration(migration: Any, fail: Any) -> Migration:
    if isinstance(migration, str | list):
        return Migration(_command(migration))
    if not isinstance(migration, dict):
        raise fail("migrations", "a list of commands or mappings")
    version = str(migration["version"]) if "version" in migration else None
    if "before" in migration or "after" in migration:
        return Migration(
            None,
            version,
            before=tuple(_command(c) for c in migration.get("before", [])),
            after=tuple(_command(c) for c in migration.get("after", [])),
        )
    if "command" not in migration:
        raise fail("migrations", "a list of mappings with a 'command'")
    return Migration(
        _command(migration["command"]),
        version,
        migration.get("when"),
        str(migration.get("working_directory", ".")),
    )


def _check_min_version(
    raw: Mapping[str, Any],
    fail: Any,
    locations: Mapping[str, Location],
    path: str,
) -> str | None:
    """``_min_copier_version``: newer than the Copier we follow is an error; an older major
    version is Copier's :class:`OldTemplateWarning`."""
    if "min_copier_version" not in raw:
        return None
    value = str(raw["min_copier_version"])
    try:
        wanted = Version(value)
    except InvalidVersion as err:
        raise fail("min_copier_version", "a version number") from err
    if wanted > COPIER_VERSION:
        where = _where(locations, "_min_copier_version", path)
        raise UnsupportedVersionError(
            f"{where}: This template requires Copier version >= {value} (setting "
            f"'_min_copier_version'), while templsync follows Copier {COPIER_VERSION}. Use a "
            "version of the template made for an older Copier (--vcs-ref)."
        )
    if COPIER_VERSION.major > wanted.major:
        give(
            OldTemplateWarning(
                f"This template was designed for Copier {value}, but templsync follows Copier "
                f"{COPIER_VERSION}. You could find some incompatibilities."
            ),
            stacklevel=2,
        )
    return value
