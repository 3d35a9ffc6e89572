"""Where each side moved the base's files: renames followed, or dropped when they collide."""

from __future__ import annotations

from templsync._core.diff import ChangeKind, diff_trees
from templsync._core.tree import Tree


def side_moves(base: Tree, side: Tree, threshold: float) -> tuple[dict[str, str | None], set[str]]:
    """What one side did to the base paths it changed, and the paths it added.

    ``moves[path]`` is the path the file now has on that side (the same path when it was only
    modified, None when it was deleted); a base path absent from ``moves`` is unchanged there.
    Empty files are never taken for renames: one empty file is no evidence that another moved.
    """
    moves: dict[str, str | None] = {}
    added: set[str] = set()
    diff = diff_trees(base, side, rename_threshold=threshold, rename_empty=False)
    for change in diff.changes:
        if change.kind is ChangeKind.MODIFIED:
            assert change.old_path is not None
            moves[change.old_path] = change.old_path
        elif change.kind is ChangeKind.DELETED:
            assert change.old_path is not None
            # Replaced by a symlink (or back) at the same path: a change, not a deletion.
            moves[change.old_path] = change.old_path if change.old_path in side else None
        elif change.kind is ChangeKind.ADDED:
            assert change.new_path is not None
            if change.new_path not in base:
                added.add(change.new_path)
        elif change.kind is ChangeKind.RENAMED:
            assert change.old_path is not None and change.new_path is not None
            moves[change.old_path] = change.new_path
    return moves, added


def drop_colliding_renames(
    base: Tree,
    ours: tuple[dict[str, str | None], set[str]],
    theirs: tuple[dict[str, str | None], set[str]],
) -> None:
    """Stop following a rename whose new path the other side uses for another file.

    When one side moves ``x`` to ``c`` and the other side adds its own ``c`` (or moves another
    file there, or keeps the base file ``c`` where it was), the move counts as deleting ``x`` and
    adding ``c``: the two ``c`` meet as an add/add conflict between the files each side has
    there, and what the other side did to ``x`` stays at ``x`` (a delete/modify conflict if it
    changed it). Both sides are judged on the moves as they were, so the rule is the same with
    ours and theirs swapped.
    """
    drops = [
        _colliding_renames(base, moves, other_moves, other_added)
        for (moves, _), (other_moves, other_added) in ((ours, theirs), (theirs, ours))
    ]
    for (moves, added), dropped in zip((ours, theirs), drops, strict=True):
        for source in dropped:
            target = moves[source]
            assert target is not None
            added.add(target)
            moves[source] = None


def _colliding_renames(
    base: Tree,
    moves: dict[str, str | None],
    other_moves: dict[str, str | None],
    other_added: set[str],
) -> list[str]:
    """The sources of this side's renames whose new path the other side holds another file at."""
    other_source = {t: s for s, t in other_moves.items() if t is not None}
    base_keys = base.keys()

    def source_on_other_side(target: str) -> str | None:
        if target in other_source:
            return other_source[target]
        if target in base_keys and target not in other_moves:
            return target  # the other side kept the base file there
        return None

    return [
        source
        for source, target in moves.items()
        if target is not None
        and target != source
        and (target in other_added or source_on_other_side(target) not in (None, source))
    ]
