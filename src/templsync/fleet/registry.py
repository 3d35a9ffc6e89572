"""The fleet registry, ``templsync-fleet.toml``: a template and the instances made from it.

The file sits beside the template (or is named with ``--fleet``)::

    template = "."                 # the template: a path relative to this file's folder, or a URL
    test_command = "pytest"        # the default test command of every instance

    [[instance]]
    name = "billing"
    location = "../services/billing"   # a path relative to this file's folder, or a git URL
    team = "payments"
    wave = 1                           # an integer or a name ("canary")
    answers_file = ".copier-answers.billing.yml"   # when it is not .copier-answers.yml
    test_command = "make test"
    branch = "main"

It is read into immutable values (:func:`load_fleet`) and written back
(:func:`~templsync.fleet.registry_save.save_fleet`) through templsync's one atomic writer,
keeping the comments, the layout and the order of the entries a person wrote.
:func:`local_checkout` (from ``checkout``) gives the folder of an instance, cloning one given by
a git URL into the cache once.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from templsync._limits import LimitError, parse_within
from templsync.errors import ReadError, UserError
from templsync.fleet.checkout import CheckoutError, is_remote, local_checkout, resolve_location

if TYPE_CHECKING:
    from tomlkit.exceptions import ParseError

__all__ = [
    "DEFAULT_ANSWERS_FILE",
    "REGISTRY_FILE",
    "CheckoutError",
    "Fleet",
    "FleetEntry",
    "FleetEntryExistsError",
    "FleetEntryNotFoundError",
    "FleetFileError",
    "LastUpdate",
    "RegistryNotFoundError",
    "find_registry",
    "is_remote",
    "load_fleet",
    "local_checkout",
    "new_fleet",
    "resolve_location",
]

REGISTRY_FILE = "templsync-fleet.toml"
DEFAULT_ANSWERS_FILE = ".copier-answers.yml"
ENTRY_KEYS = (  # in the order they are written; a new key goes here and in FleetEntry
    "name",
    "location",
    "team",
    "wave",
    "answers_file",
    "test_command",
    "branch",
    "last_update",
)
_LAST_UPDATE_KEYS = ("outcome", "version", "date")
_TOP_KEYS = ("template", "test_command", "instance")


class FleetFileError(UserError):
    """The registry file is not valid TOML, or holds a value of the wrong type."""


class RegistryNotFoundError(UserError):
    """There is no registry where one was looked for."""


class FleetEntryNotFoundError(UserError):
    """No instance of the fleet has the name asked for."""


class FleetEntryExistsError(UserError):
    """An instance of that name is already in the fleet."""


@dataclass(frozen=True)
class LastUpdate:
    """What ``fleet update`` last did to an instance: ``last_update = {outcome, version, date}``."""

    outcome: str
    version: str | None = None
    """The version of the last successful update."""
    date: str | None = None
    """Its date, ``YYYY-MM-DD``."""

    def as_dict(self) -> dict[str, str]:
        return {k: v for k in _LAST_UPDATE_KEYS if (v := getattr(self, k)) is not None}


@dataclass(frozen=True)
class FleetEntry:
    """One instance of the fleet, as the registry spells it."""

    name: str
    location: str
    """As written: a path (relative to the registry's folder) or a git URL."""
    team: str | None = None
    wave: int | str | None = None
    answers_file: str | None = None
    """None: ``.copier-answers.yml``."""
    test_command: str | None = None
    """None: the fleet's default."""
    branch: str | None = None
    last_update: LastUpdate | None = None
    """Written by ``fleet update``."""

    @property
    def answers_path(self) -> str:
        """The answers file, relative to the instance: the default when none is recorded."""
        return self.answers_file or DEFAULT_ANSWERS_FILE


@dataclass(frozen=True)
class Fleet:
    """A registry file as read: its template, its default test command and its instances."""

    path: Path
    """The registry file."""
    template: str
    """The template source as written: a path relative to the registry's folder, or a URL."""
    test_command: str | None
    entries: tuple[FleetEntry, ...]

    def template_location(self) -> str:
        """The template as a source spelling: a URL as written, a path made absolute."""
        if is_remote(self.template):
            return self.template
        return str(resolve_location(self.path.parent, self.template))

    def entry(self, name: str) -> FleetEntry:
        """The instance called ``name``; :class:`FleetEntryNotFoundError` names close ones."""
        for entry in self.entries:
            if entry.name == name:
                return entry
        names = [e.name for e in self.entries]
        close = difflib.get_close_matches(name, names, n=3)
        if close:
            hint = "Did you mean " + " or ".join(repr(c) for c in close) + "?"
        elif names:
            shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
            hint = f"Its instances: {shown}."
        else:
            hint = "It lists no instances yet: run `templsync fleet discover ROOT`."
        raise FleetEntryNotFoundError(f"{self.path}: no instance is named {name!r}. {hint}")

    def with_entries(self, entries: Iterable[FleetEntry]) -> Fleet:
        """This fleet with ``entries`` added at the end; a name already used is an error."""
        taken = {e.name for e in self.entries}
        added: list[FleetEntry] = []
        for entry in entries:
            if entry.name in taken:
                raise FleetEntryExistsError(
                    f"{self.path}: an instance is already named {entry.name!r}. Pick another "
                    "name (--name), or remove that one first (`templsync fleet remove`)."
                )
            taken.add(entry.name)
            added.append(entry)
        return replace(self, entries=(*self.entries, *added))

    def without(self, name: str) -> Fleet:
        """This fleet without the instance ``name`` (which must be in it)."""
        self.entry(name)
        return replace(self, entries=tuple(e for e in self.entries if e.name != name))


def find_registry(start: Path, explicit: Path | None = None) -> Path:
    """The registry file: ``explicit`` (``--fleet``, a file or its folder), else the one in
    ``start``; :class:`RegistryNotFoundError` says how to make one."""
    if explicit is not None:
        candidate = explicit / REGISTRY_FILE if explicit.is_dir() else explicit
        if not candidate.is_file():
            raise RegistryNotFoundError(
                f"the fleet registry {str(candidate)!r} does not exist. Check the --fleet path, "
                "or create it: run `templsync fleet discover ROOT` in the template's folder."
            )
        return candidate
    candidate = start / REGISTRY_FILE
    if candidate.is_file():
        return candidate
    raise RegistryNotFoundError(
        f"no {REGISTRY_FILE} in {str(start)!r}. Run the command in the template's folder, pass "
        f"--fleet FILE, or create the registry there: `templsync fleet discover ROOT`."
    )


def new_fleet(path: Path, template: str, test_command: str | None = None) -> Fleet:
    """A fleet with no instances yet, to be saved at ``path``."""
    return Fleet(path=path, template=template, test_command=test_command, entries=())


def load_fleet(path: Path) -> Fleet:
    """Read the registry at ``path``; :class:`FleetFileError` (with file:line) when invalid."""
    text = _read_text(path)
    try:  # the standard library's parser: about ten times faster than tomlkit's
        data = parse_within(lambda: tomllib.loads(text))
    except tomllib.TOMLDecodeError:
        data = _parse_or_fail(path, text)
    except LimitError as err:
        raise FleetFileError(f"{path} {err}. Fix the file.") from err
    return _Validator(path, text).fleet(data)


def _parse_or_fail(path: Path, text: str) -> dict[str, object]:
    """``text`` read by tomlkit, whose error names the line (or which reads what it accepts)."""
    import tomlkit  # noqa: PLC0415  # only for an invalid file: reading needs no tomlkit
    from tomlkit.exceptions import ParseError  # noqa: PLC0415  # as above

    try:
        return parse_within(lambda: tomlkit.parse(text).unwrap())
    except LimitError as err:
        raise FleetFileError(f"{path} {err}. Fix the file.") from err
    except ParseError as err:
        raise FleetFileError(
            f"{path}:{err.line}: not valid TOML: {parse_reason(err)}. Fix the file."
        ) from err


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError as err:
        raise RegistryNotFoundError(
            f"the fleet registry {str(path)!r} does not exist. Create it: run "
            "`templsync fleet discover ROOT` in the template's folder."
        ) from err
    except OSError as err:
        raise ReadError(f"cannot read the fleet registry {str(path)!r}: {err.strerror}") from err
    except UnicodeDecodeError as err:
        raise FleetFileError(f"{path}: not UTF-8 text ({err.reason}). Fix the file.") from err


def parse_reason(err: ParseError) -> str:
    """tomlkit's message without the position it ends with (the caller names the line)."""
    return re.sub(r" at line \d+ col \d+$", "", str(err))


class _Validator:
    """Turns parsed TOML into a :class:`Fleet`, naming the line of each problem."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = _Lines(text)

    def fail(self, line: int, problem: str) -> FleetFileError:
        return FleetFileError(f"{self.path}:{line}: {problem}")

    def fleet(self, data: Mapping[str, object]) -> Fleet:
        for key in data:
            if key not in _TOP_KEYS:
                raise self.fail(
                    self.lines.key(key, None),
                    f"unknown setting {key!r}. The registry's settings are "
                    f"{', '.join(_TOP_KEYS[:-1])} and [[instance]] tables.",
                )
        template = data.get("template")
        if template is None:
            raise self.fail(
                1,
                'no template. Add `template = "PATH-OR-URL"` at the top (e.g. "." when '
                "the registry is in the template's folder).",
            )
        template = self.string(template, "template", None)
        test_command = self.optional(data.get("test_command"), "test_command", None)
        raw = data.get("instance", [])
        if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
            raise self.fail(
                self.lines.key("instance", None),
                "`instance` must be a list of [[instance]] tables.",
            )
        entries: list[FleetEntry] = []
        seen: dict[str, int] = {}
        for index, table in enumerate(raw):
            entry = self.entry(table, index)
            line = self.lines.key("name", index)
            if entry.name in seen:
                raise self.fail(
                    line,
                    f"the name {entry.name!r} is used twice (also on line {seen[entry.name]}). "
                    "Each instance needs its own name.",
                )
            seen[entry.name] = line
            entries.append(entry)
        return Fleet(self.path, template, test_command, tuple(entries))

    def entry(self, table: Mapping[str, object], index: int) -> FleetEntry:
        for key in table:
            if key not in ENTRY_KEYS:
                raise self.fail(
                    self.lines.key(key, index),
                    f"unknown key {key!r} in an [[instance]] table. Its keys are "
                    f"{', '.join(ENTRY_KEYS)}.",
                )
        for key in ("name", "location"):
            if key not in table:
                raise self.fail(
                    self.lines.table(index), f"this [[instance]] has no {key}. Add `{key} = ...`."
                )
        name = self.string(table["name"], "name", index)
        if not name.strip():
            raise self.fail(self.lines.key("name", index), "an instance's name cannot be empty.")
        wave = table.get("wave")
        if wave is not None and (isinstance(wave, bool) or not isinstance(wave, int | str)):
            raise self.fail(
                self.lines.key("wave", index),
                f"wave must be an integer or a name (a string), not {_kind(wave)}.",
            )
        return FleetEntry(
            name=name,
            location=self.string(table["location"], "location", index),
            team=self.optional(table.get("team"), "team", index),
            wave=wave,
            answers_file=self.optional(table.get("answers_file"), "answers_file", index),
            test_command=self.optional(table.get("test_command"), "test_command", index),
            branch=self.optional(table.get("branch"), "branch", index),
            last_update=self.last_update(table.get("last_update"), index),
        )

    def last_update(self, value: object, index: int) -> LastUpdate | None:
        if value is None:
            return None
        line = self.lines.key("last_update", index)
        if not isinstance(value, dict) or "outcome" not in value:
            raise self.fail(
                line, "last_update must be a table with an outcome, as fleet update writes it."
            )
        for key in value:
            if key not in _LAST_UPDATE_KEYS:
                raise self.fail(
                    line,
                    f"unknown key {key!r} in last_update. Its keys are "
                    f"{', '.join(_LAST_UPDATE_KEYS)}.",
                )
        return LastUpdate(
            outcome=self.string(value["outcome"], "last_update", index),
            version=self.optional(value.get("version"), "last_update", index),
            date=self.optional(value.get("date"), "last_update", index),
        )

    def string(self, value: object, key: str, index: int | None) -> str:
        if not isinstance(value, str):
            raise self.fail(
                self.lines.key(key, index), f"{key} must be a string, not {_kind(value)}."
            )
        return value

    def optional(self, value: object, key: str, index: int | None) -> str | None:
        return None if value is None else self.string(value, key, index)


def _kind(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", list: "an array"}
    return names.get(type(value), "a table" if isinstance(value, dict) else type(value).__name__)


_HEADER_LINE = re.compile(r"^\s*\[\[?\s*([^\]]*?)\s*\]\]?")
_KEY_LINE = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")


class _Lines:
    """Line numbers of keys and ``[[instance]]`` headers, for error messages."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.tables: list[int] = []  # 0-based line of each [[instance]] header
        self.first_header = len(self.lines)
        for number, line in enumerate(self.lines):
            found = _HEADER_LINE.match(line)
            if found:
                self.first_header = min(self.first_header, number)
                if line.lstrip().startswith("[[") and found.group(1) == "instance":
                    self.tables.append(number)

    def table(self, index: int) -> int:
        return self.tables[index] + 1 if index < len(self.tables) else 1

    def key(self, key: str, index: int | None) -> int:
        """The line of ``key`` at the top (``index`` None) or in the ``index``-th table."""
        if index is None:
            start, end = 0, self.first_header
        elif index < len(self.tables):
            start = self.tables[index] + 1
            end = next(
                (n for n in range(start, len(self.lines)) if _HEADER_LINE.match(self.lines[n])),
                len(self.lines),
            )
        else:
            return 1
        for number in range(start, end):
            found = _KEY_LINE.match(self.lines[number])
            if found and key in found.groups():
                return number + 1
        return start if index is not None else 1
