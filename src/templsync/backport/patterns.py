"""``fleet patterns``: the customizations several instances of a fleet share.

Every instance's customizations are mapped back into its template
(:mod:`templsync.backport.customizations`), so that they are compared in the template's terms:
``orders_api/health.py`` and ``billing_api/health.py`` are both ``{{ project_slug }}/health.py``,
and a line that names each service's slug is the same line with ``{{ project_slug }}`` in it.
Each change is cut into *units*, each normalized by the same reverse mapping (every line's answer
values replaced by the spellings its template writes):

- a hunk of a changed file: its template path, its removed and added lines;
- a new file: its template path and all of its lines (a binary one: its digest);
- a deleted file, a renamed one (its old and new template paths), a changed mode.

Units equal across instances are one pattern. A pattern found in at least ``minimum`` instances
is listed, the most widespread first, with the instances that have it (and the path each has it
at) and the ``templsync backport`` command that brings it into the template from the first one.
An instance that cannot be read is listed apart with why; it never stops the others.
"""

from __future__ import annotations

import enum
import os
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from templsync._core.text import is_binary
from templsync._core.tree import Mode
from templsync.backport.customizations import Customizations, customizations
from templsync.backport.reverse import new_text, split_lines
from templsync.backport.treemap import Action, PortedFile
from templsync.errors import UserError
from templsync.fleet.registry import Fleet, local_checkout
from templsync.instance.project import load_project
from templsync.progress import Progress, no_progress

__all__ = ["Occurrence", "Pattern", "PatternKind", "PatternsResult", "Unit", "fleet_patterns"]


class PatternKind(enum.StrEnum):
    HUNK = "hunk"
    FILE = "file"
    DELETE = "delete"
    RENAME = "rename"
    MODE = "mode"


@dataclass(frozen=True)
class Unit:
    """One normalized customization: what must be equal for two instances to share it."""

    kind: PatternKind
    template_path: str
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class Occurrence:
    instance: str
    folder: Path
    path: str
    """Where the instance has it."""


@dataclass(frozen=True)
class Pattern:
    unit: Unit
    occurrences: tuple[Occurrence, ...]
    command: str

    @property
    def count(self) -> int:
        return len({o.instance for o in self.occurrences})


@dataclass(frozen=True)
class PatternsResult:
    patterns: tuple[Pattern, ...]
    instances: int
    """How many instances were compared."""
    broken: tuple[tuple[str, str], ...]
    """Instances that could not be read: (name, why)."""
    minimum: int


def _units(found: Customizations) -> Iterator[tuple[Unit, str]]:
    """Each unit of an instance's customizations, with the instance path it is at."""
    spellings, delimiters = found.base.spellings, found.base.delimiters

    def normal(lines: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(new_text(line, spellings, delimiters) for line in lines)

    for ported in found.mapping.files:
        target = ported.template_path or ported.path
        if ported.action is Action.DELETE:
            yield Unit(PatternKind.DELETE, target), ported.path
            continue
        if ported.action is Action.RENAME:
            detail = f"{ported.old_template_path} -> {target}"
            yield Unit(PatternKind.RENAME, target, detail=detail), ported.path
        yield from ((unit, ported.path) for unit in _content_units(found, ported, target, normal))


def _content_units(
    found: Customizations,
    ported: PortedFile,
    target: str,
    normal: Callable[[tuple[str, ...]], tuple[str, ...]],
) -> Iterator[Unit]:
    new = found.after[ported.path]
    if ported.action is Action.ADD:
        data = new.content()
        if new.is_symlink or is_binary(data):
            yield Unit(PatternKind.FILE, target, detail=f"{new.mode.label} {new.digest}")
            return
        try:
            lines = tuple(split_lines(data.decode("utf-8")))
        except UnicodeDecodeError:
            yield Unit(PatternKind.FILE, target, detail=f"{new.mode.label} {new.digest}")
            return
        detail = new.mode.label if new.mode is not Mode.REGULAR else ""
        yield Unit(PatternKind.FILE, target, (), normal(lines), detail=detail)
        return
    old = found.before[ported.old_path or ported.path]
    if old.mode != new.mode:
        yield Unit(PatternKind.MODE, target, detail=new.mode.label)
    if ported.hunks:
        for hunk in ported.hunks:
            yield Unit(PatternKind.HUNK, target, normal(hunk.removed), normal(hunk.added))
    elif old.digest != new.digest:
        yield Unit(PatternKind.FILE, target, detail=f"{new.mode.label} {new.digest}")


def _command(occurrence: Occurrence, base: Path) -> str:
    try:
        folder = os.path.relpath(occurrence.folder, base)
    except ValueError:
        folder = str(occurrence.folder)
    return f"templsync backport {shlex.quote(folder)} --paths {shlex.quote('/' + occurrence.path)}"


def fleet_patterns(
    fleet: Fleet,
    *,
    minimum: int = 2,
    base: Path,
    cache_dir: Path | None = None,
    progress: Progress = no_progress,
) -> PatternsResult:
    """The customizations at least ``minimum`` instances of ``fleet`` share; commands are
    written relative to the folder ``base`` (progress stage: ``"instances"``)."""
    location = fleet.template_location()
    groups: dict[Unit, list[Occurrence]] = {}
    broken: list[tuple[str, str]] = []
    entries = fleet.entries
    for done, entry in enumerate(entries):
        progress("instances", done, len(entries))
        try:
            folder = local_checkout(entry, fleet, cache_dir)
            project = load_project(folder, entry.answers_file)
            source = project.open_template(cache_dir=cache_dir, refresh=False, location=location)
            found = customizations(project, source, cache_dir=cache_dir)
        except UserError as err:
            broken.append((entry.name, str(err)))
            continue
        seen: set[Unit] = set()
        for unit, path in _units(found):
            if unit not in seen:
                seen.add(unit)
                groups.setdefault(unit, []).append(Occurrence(entry.name, folder, path))
    progress("instances", len(entries), len(entries))
    patterns = [
        Pattern(unit, tuple(found), _command(found[0], base))
        for unit, found in groups.items()
        if len({o.instance for o in found}) >= minimum
    ]
    patterns.sort(key=lambda p: (-p.count, p.unit.template_path, p.unit.kind, p.unit.added))
    return PatternsResult(tuple(patterns), len(entries) - len(broken), tuple(broken), minimum)
