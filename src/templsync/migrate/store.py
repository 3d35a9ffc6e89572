"""A template's migrations on disk: finding, reading and writing ``migrations/<timestamp>_<name>``.

Folders are read in timestamp order. A folder that cannot be read as a migration is reported to
``on_warning`` and left out, or raised with ``strict``; two folders with one timestamp are always
an error, since their order would be a guess.

A migration folder is data: everything in it is read without following a link
(:mod:`templsync._io.nofollow`), and a symlink, fifo, socket or device met there (the folder
itself, ``migration.json``, a ``__files`` subfolder or content) is always an error,
:class:`UnsafeMigrationError`, whatever ``strict`` says: following it could copy any file of the
machine into a project. ``migrations/`` itself may be a link only to a folder inside the template.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from templsync._core.ignore import IgnoreRules
from templsync._core.plan import OpKind, Plan, PlanOp
from templsync._core.tree import FileEntry, Mode, Tree, blob_digest
from templsync._io.apply import apply_plan
from templsync._io.local import read_tree
from templsync._io.newfolder import can_write_new_folder, write_new_folder
from templsync._io.nofollow import NotPlainError, is_plain_file, read_plain
from templsync.errors import ReadError, UserError
from templsync.migrate import codec
from templsync.migrate.model import (
    MalformedMigrationError,
    Migration,
    MigrationError,
    MismatchError,
    UnsafeMigrationError,
)
from templsync.migrate.replay import Step, apply_delta, replay
from templsync.migrate.tsliteral import LiteralSyntaxError, parse_migration_module
from templsync.progress import Progress, no_progress

MIGRATIONS_DIR = "migrations"
IGNORE_FILE = ".migrateignore"
APPLIED_FILE = "applied-migrations.json"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H-%M-%S"

DEFAULT_IGNORE = (
    "migrations/**",
    ".git/**",
    "node_modules/**",
    ".DS_Store",
    "*.log",
    ".env*",
    ".migrateignore",
    "bun.lock",
    ".claude/**",
    "__pycache__/",
    ".venv/",
    "*.pyc",
)
"""What is never part of a project's state unless ``.migrateignore`` says otherwise."""

_ALWAYS_IGNORED = ("/migrations/", "/" + APPLIED_FILE)
"""The migrations themselves and the record of applied ones, whatever ``.migrateignore`` says."""

_FOLDER = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2})_(.+)$")

Warn = Callable[[str], None]


class DuplicateTimestampError(UserError):
    """Two migration folders share a timestamp, so their order is unknown."""


@dataclass(frozen=True)
class History:
    """A template's migrations, replayed: one step per migration that applies, and the files
    they add up to."""

    steps: tuple[Step, ...]
    final: Tree

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(step.migration.name for step in self.steps)

    def state_after(self, names: Collection[str]) -> Tree:
        """The files after the last of ``names`` in history order (none: no files)."""
        last = max((i for i, s in enumerate(self.steps) if s.migration.name in names), default=-1)
        files: dict[str, FileEntry] = {}
        for step in self.steps[: last + 1]:
            apply_delta(files, step.delta)
        return Tree._trusted(files)

    def transitions(self, names: Collection[str]) -> Iterator[tuple[Step, Tree, Tree]]:
        """Each step of ``names``, in history order, with the files before and after it."""
        files: dict[str, FileEntry] = {}
        for step in self.steps:
            before = Tree._trusted(dict(files)) if step.migration.name in names else None
            apply_delta(files, step.delta)
            if before is not None:
                yield step, before, Tree._trusted(dict(files))


def ignore_rules(template: Path) -> IgnoreRules:
    """The defaults, then the template's ``.migrateignore``, then what is always left out."""
    try:
        lines = (template / IGNORE_FILE).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    except (OSError, UnicodeDecodeError) as err:
        raise ReadError(f"cannot read {template / IGNORE_FILE}: {err}") from err
    return IgnoreRules.of(DEFAULT_IGNORE, lines, _ALWAYS_IGNORED)


def read_project(root: Path, rules: IgnoreRules) -> Tree:
    """The project's files that are part of its state."""
    return read_tree(root, rules)


def has_migrations(template: Path) -> bool:
    return (template / MIGRATIONS_DIR).is_dir()


def folder_names(template: Path, warn: Warn, *, strict: bool) -> list[str]:
    """The migration folders of ``template``, oldest first; a link named like one is refused."""
    folder = template / MIGRATIONS_DIR
    try:
        _check_inside(template, folder)
        with os.scandir(folder) as found:
            entries = list(found)
    except FileNotFoundError:
        return []
    except OSError as err:
        raise ReadError(f"cannot list {folder}: {err.strerror}") from err
    for entry in entries:
        if entry.is_symlink() and _FOLDER.match(entry.name):
            raise _unsafe(entry.name, NotPlainError(entry.path, "", "a symlink"))
    names = sorted(e.name for e in entries if e.is_dir(follow_symlinks=False))
    kept: list[str] = []
    seen: dict[str, str] = {}
    for name in names:
        match = _FOLDER.match(name)
        if match is None:
            _report(
                MalformedMigrationError(
                    name,
                    "the folder name is not <YYYY-MM-DDTHH-mm-ss>_<name>",
                    file=f"{MIGRATIONS_DIR}/{name}/",
                ),
                warn,
                strict=strict,
            )
            continue
        stamp = match.group(1)
        if stamp in seen:
            raise DuplicateTimestampError(
                f"{folder}: {seen[stamp]!r} and {name!r} have the same timestamp, so their "
                "order is unknown. Rename one of them to a later second."
            )
        seen[stamp] = name
        kept.append(name)
    return kept


def load_migration(template: Path, name: str) -> Migration:
    """The migration in folder ``name``; raises :class:`MalformedMigrationError`, and
    :class:`UnsafeMigrationError` for a link or special file in the folder."""
    root = os.fspath(template / MIGRATIONS_DIR / name)  # once: Path.__fspath__ builds a new string

    def load(path: str, digest: str | None) -> FileEntry | None:
        rel = codec.content_path(path)
        try:
            if digest is None:
                data = read_plain(root, rel)
                return None if data is None else FileEntry.from_bytes(data)
            if not is_plain_file(root, rel):  # there, read later when asked for
                return None
        except NotPlainError as err:
            raise _unsafe(name, err) from err
        return FileEntry(digest, Mode.REGULAR, _Stored(name, root, rel, digest))

    where = f"{MIGRATIONS_DIR}/{name}/"
    text = _read_text(root, codec.MIGRATION_FILE, name)
    if text is not None:
        return codec.decode(name, text, load, where + codec.MIGRATION_FILE)
    legacy = _read_text(root, codec.LEGACY_FILE, name)
    if legacy is None:
        raise MalformedMigrationError(
            name, f"the folder has no {codec.MIGRATION_FILE} (nor {codec.LEGACY_FILE})", file=where
        )
    try:
        data = parse_migration_module(legacy, source=where + codec.LEGACY_FILE)
    except LiteralSyntaxError as err:
        raise MalformedMigrationError(name, str(err)) from err
    return codec.decode_legacy(name, data, load, where + codec.LEGACY_FILE)


@dataclass(frozen=True)
class _Stored:
    """The content kept at ``rel`` in a migration's folder ``root``, read when asked (without
    following links, as when it was found) and checked on the way."""

    migration: str
    root: str
    rel: str
    digest: str

    def __call__(self) -> bytes:
        try:
            data = read_plain(self.root, self.rel)
        except NotPlainError as err:
            raise _unsafe(self.migration, err) from err
        if data is None:
            raise ReadError(f"cannot read {self.root}/{self.rel}: it is gone")
        if blob_digest(data) != self.digest:
            raise MismatchError(
                self.migration,
                "not the content its entry records (its digest differs): it was edited after "
                "the migration was written. Restore it, e.g. from version control",
                file=f"{MIGRATIONS_DIR}/{self.migration}/{self.rel}",
            )
        return data


def load_history(
    template: Path, warn: Warn, *, strict: bool = False, progress: Progress = no_progress
) -> History:
    """Every migration of ``template`` read and replayed in order, from no files (progress:
    stage ``"migrations"``, one step per migration read)."""
    migrations = []
    names = folder_names(template, warn, strict=strict)
    for done, name in enumerate(names, 1):
        try:
            migrations.append(load_migration(template, name))
        except MigrationError as err:
            _report(err, warn, strict=strict)
        progress("migrations", done, len(names))

    def skip(err: MigrationError) -> None:
        _report(err, warn, strict=strict)

    files: dict[str, FileEntry] = {}
    steps = tuple(replay(migrations, files, on_skip=skip))
    return History(steps, Tree._trusted(files))


def next_timestamp(template: Path, now: datetime) -> str:
    """``now`` as a folder timestamp, moved past the newest existing migration if needed."""
    stamps = [m.group(1) for m in map(_FOLDER.match, _all_names(template)) if m is not None]
    moment = now.astimezone(UTC).replace(microsecond=0)
    if stamps:
        newest = datetime.strptime(max(stamps), TIMESTAMP_FORMAT).replace(tzinfo=UTC)
        moment = max(moment, newest + timedelta(seconds=1))
    return moment.strftime(TIMESTAMP_FORMAT)


def write_migration(template: Path, migration: Migration, created_at: str) -> Path:
    """Write the migration's folder through the one writer; returns the folder.

    The folder is new: it is written whole beside its place and renamed into it (one sync of the
    file system), unless ``migrations/`` is not a plain folder (a symlink: then file by file
    through the journal, which checks every path).
    """
    base = f"{MIGRATIONS_DIR}/{migration.name}"
    files = codec.encode(migration, created_at)
    parent = template / MIGRATIONS_DIR
    made = not os.path.lexists(parent)
    if made:
        parent.mkdir()
    folder = template / base
    if stat.S_ISDIR(os.lstat(parent).st_mode) and can_write_new_folder(folder):
        entries = {path: FileEntry.from_bytes(data) for path, data in files.items()}
        try:
            write_new_folder(folder, Tree._trusted(entries))
        except BaseException:
            if made:
                parent.rmdir()
            raise
        return folder
    ops = tuple(
        PlanOp(OpKind.WRITE, f"{base}/{path}", None, FileEntry.from_bytes(data))
        for path, data in sorted(files.items())
    )
    apply_plan(template, Plan(ops))
    return folder


def slug(name: str) -> str:
    """A folder-safe form of a migration's name (letters, digits, ``-``, ``_``, ``.``)."""
    cleaned = re.sub(r"[^\w.-]+", "-", name.strip(), flags=re.UNICODE).strip("-.")
    return cleaned or "migration"


def _all_names(template: Path) -> list[str]:
    try:
        return [e.name for e in os.scandir(template / MIGRATIONS_DIR)]
    except FileNotFoundError:
        return []


def _read_text(root: str, file: str, name: str) -> str | None:
    try:
        data = read_plain(root, file)
    except NotPlainError as err:
        raise _unsafe(name, err) from err
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        where = f"{MIGRATIONS_DIR}/{name}/{file}"
        reason = f"not UTF-8 ({err.reason} at byte {err.start})"
        raise MalformedMigrationError(name, reason, file=where) from err


def _check_inside(template: Path, folder: Path) -> None:
    """``migrations/`` may be a link, but only to a folder inside the template."""
    if not folder.is_symlink():
        return
    if not folder.resolve().is_relative_to(template.resolve()):
        raise UnsafeMigrationError(
            MIGRATIONS_DIR,
            f"is a symlink to {str(folder.readlink())!r}, which leaves the template; a template's "
            "migrations are read from inside it only. Move them into the template",
            file=f"{MIGRATIONS_DIR}/",
        )


def _unsafe(name: str, err: NotPlainError) -> UnsafeMigrationError:
    """The error for ``err``, met in the folder of migration ``name``."""
    where = f"{MIGRATIONS_DIR}/{name}/{err.rel}" if err.rel else f"{MIGRATIONS_DIR}/{name}/"
    return UnsafeMigrationError(
        name,
        f"is {err.what}; a migration holds only plain files and folders, and templsync reads "
        "no link (one could copy any file of this machine into the project), fifo, socket or "
        "device from one. Replace it with a plain file, or remove the migration",
        file=where,
    )


def _report(err: MigrationError, warn: Warn, *, strict: bool) -> None:
    if strict or isinstance(err, UnsafeMigrationError):
        raise err
    warn(f"{err}; migration {err.source} skipped (--strict makes this an error)")
