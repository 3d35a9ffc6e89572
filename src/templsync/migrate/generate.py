"""``migrate generate``: the template's changes since its last migration, as a new migration.

The last known state is every migration replayed in order; the current state is the template's
files minus the ignored ones. Deleted files that look moved become ``moved`` entries when the
move policy says so: ``auto`` takes the pairs the engine's rename detection finds (by similarity,
at ``threshold``), ``none`` takes none, and a :data:`MoveChooser` asks a person.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from templsync._core.diff import DEFAULT_RENAME_THRESHOLD, ChangeKind, diff_trees
from templsync._core.tree import Tree
from templsync.errors import TemplsyncError
from templsync.migrate import store
from templsync.migrate.build import Changes, build_entries, changed_paths
from templsync.migrate.model import EntryKind, Migration
from templsync.migrate.replay import apply_migration
from templsync.progress import Progress, no_progress

MoveChooser = Callable[[str, str | None, Sequence[str]], str | None]
"""Asked for each deleted path: (path, suggested target or None, added paths) -> target or None."""


@dataclass(frozen=True)
class GenerateOptions:
    name: str = "migration"
    moves: Literal["auto", "none"] | MoveChooser = "auto"
    threshold: float = DEFAULT_RENAME_THRESHOLD
    strict: bool = False
    dry_run: bool = False
    """Make the migration, write nothing: ``folder`` is where it would be written."""


@dataclass(frozen=True)
class GenerateResult:
    """The migration written (None when nothing changed) and where (with ``dry_run``: what
    would be written, and where)."""

    migration: Migration | None
    folder: Path | None
    dry_run: bool = False

    def counts(self) -> dict[str, int]:
        kinds = [e.kind for e in self.migration.entries] if self.migration else []
        return {kind.value: kinds.count(kind) for kind in EntryKind}


def generate(
    template: Path,
    options: GenerateOptions | None = None,
    *,
    warn: store.Warn = lambda _: None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    progress: Progress = no_progress,
) -> GenerateResult:
    """Write a migration from the last known state to the files of ``template`` now (progress
    stage: ``"migrations"``, read)."""
    options = options or GenerateOptions()
    rules = store.ignore_rules(template)
    history = store.load_history(template, warn, strict=options.strict, progress=progress)
    before = history.final
    current = store.read_project(template, rules)
    changes = changed_paths(before, current)
    if not changes:
        return GenerateResult(None, None)
    moves = _moves(before, current, changes, options)
    entries, contents = build_entries(before, current, changes, moves)
    moment = now()
    name = f"{store.next_timestamp(template, moment)}_{store.slug(options.name)}"
    migration = Migration(name, entries, contents)
    _check_replays(before, migration, current)
    if options.dry_run:
        return GenerateResult(migration, template / store.MIGRATIONS_DIR / name, dry_run=True)
    created = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    folder = store.write_migration(template, migration, created)
    return GenerateResult(migration, folder)


def _check_replays(before: Tree, migration: Migration, current: Tree) -> None:
    """The migration replayed on ``before`` must give ``current``, every written file patched."""
    after = apply_migration(before, migration)
    if after != current:
        raise TemplsyncError(f"the migration {migration.name} does not replay to the files")
    for entry in migration.entries:
        if entry.kind is not EntryKind.DELETE:
            after[entry.path].content()  # patched here, and checked against the digest recorded


def _moves(before: Tree, after: Tree, changes: Changes, options: GenerateOptions) -> dict[str, str]:
    if options.moves == "none" or not changes.deleted or not changes.added:
        return {}
    gone = Tree._trusted({p: before[p] for p in changes.deleted})
    new = Tree._trusted({p: after[p] for p in changes.added})
    found = diff_trees(gone, new, rename_threshold=options.threshold)
    suggested = {
        c.old_path: c.new_path
        for c in found.of_kind(ChangeKind.RENAMED)
        if c.old_path is not None and c.new_path is not None
    }
    if options.moves == "auto":
        return suggested
    chooser = options.moves
    chosen: dict[str, str] = {}
    for path in changes.deleted:
        free = [p for p in changes.added if p not in chosen.values()]
        if not free:
            break
        hint = suggested.get(path)
        target = chooser(path, hint if hint in free else None, free)
        if target is not None and target in free:
            chosen[path] = target
    return chosen
