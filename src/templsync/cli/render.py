"""Show engine values to people (rich) and to machines (JSON-ready dicts).

rich is imported by the functions that build tables and patches, so ``--json`` never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from templsync._core.diff import Change, ChangeKind, TreeDiff
from templsync._core.merge import Conflict, MergeResult, Outcome
from templsync._core.text import unified_diff
from templsync.cli.output import LazyConsole, escape

if TYPE_CHECKING:
    from rich.table import Table

_KIND_STYLE = {
    ChangeKind.ADDED: "green",
    ChangeKind.DELETED: "red",
    ChangeKind.MODIFIED: "yellow",
    ChangeKind.RENAMED: "cyan",
}
_OUTCOME_STYLE = {
    Outcome.UNCHANGED: "dim",
    Outcome.OURS: "blue",
    Outcome.THEIRS: "magenta",
    Outcome.BOTH_SAME: "cyan",
    Outcome.MERGED: "green",
    Outcome.DELETED: "red",
    Outcome.CONFLICT: "bold red",
}


def change_dict(change: Change) -> dict[str, Any]:
    return {
        "kind": change.kind.value,
        "path": change.path,
        "old_path": change.old_path,
        "similarity": change.similarity if change.kind is ChangeKind.RENAMED else None,
        "old_mode": oct(change.old.mode) if change.old else None,
        "new_mode": oct(change.new.mode) if change.new else None,
        "binary": change.is_binary,
        "hunks": len(change.hunks()),
    }


def conflict_dict(conflict: Conflict) -> dict[str, Any]:
    return {
        "path": conflict.path,
        "kind": conflict.kind.value,
        "base_path": conflict.base_path,
        "ours_path": conflict.ours_path,
        "theirs_path": conflict.theirs_path,
        "hunks": [
            {
                "base_line": h.base_start + 1,
                "base": _lines(h.base),
                "ours": _lines(h.ours),
                "theirs": _lines(h.theirs),
            }
            for h in conflict.hunks
        ],
        "mode_conflict": conflict.mode_conflict,
    }


def merge_dict(result: MergeResult) -> dict[str, Any]:
    return {
        "clean": result.clean,
        "outcomes": [
            {
                "path": o.path,
                "outcome": o.outcome.value,
                "base_path": o.base_path,
                "ours_path": o.ours_path,
                "theirs_path": o.theirs_path,
            }
            for o in result.outcomes
        ],
        "conflicts": [conflict_dict(c) for c in result.conflicts],
    }


def _lines(lines: tuple[bytes, ...]) -> list[str]:
    return [line.decode("utf-8", "replace") for line in lines]


def changes_table(title: str, diff: TreeDiff) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_edge=False)
    table.add_column("change")
    table.add_column("path")
    table.add_column("detail", style="dim")
    for change in diff.changes:
        style = _KIND_STYLE[change.kind]
        detail = []
        if change.kind is ChangeKind.RENAMED:
            detail.append(f"from {change.old_path} ({change.similarity:.0%} similar)")
        if change.mode_changed and change.old and change.new:
            detail.append(f"{change.old.mode.label} -> {change.new.mode.label}")
        if change.is_binary and change.content_changed:
            detail.append("binary")
        elif change.content_changed and change.kind is not ChangeKind.RENAMED:
            detail.append(f"{len(change.hunks())} hunk(s)")
        table.add_row(
            f"[{style}]{change.kind.value}[/]", escape(change.path), escape(", ".join(detail))
        )
    return table


def print_patch(console: LazyConsole, change: Change) -> None:
    """A unified diff of one text change, coloured."""
    if change.is_binary or not change.content_changed:
        return
    old = change.old.content() if change.old else b""
    new = change.new.content() if change.new else b""
    old_label = f"a/{change.old_path}" if change.old_path else "/dev/null"
    new_label = f"b/{change.new_path}" if change.new_path else "/dev/null"
    patch = unified_diff(old, new, old_label, new_label).decode("utf-8", "replace")
    if patch:
        from rich.syntax import Syntax

        console.print(Syntax(patch, "diff", theme="ansi_dark", background_color="default"))


def outcomes_table(result: MergeResult) -> Table:
    from rich.table import Table

    table = Table(title="Merge", title_justify="left", show_edge=False)
    table.add_column("outcome")
    table.add_column("path")
    table.add_column("detail", style="dim")
    for o in result.outcomes:
        if o.outcome is Outcome.UNCHANGED:
            continue
        detail = ""
        conflict = result.conflict_at(o.path)
        if conflict is not None:
            detail = conflict.kind.value
        elif o.base_path and o.path != o.base_path:
            detail = f"renamed from {o.base_path}"
        style = _OUTCOME_STYLE[o.outcome]
        table.add_row(f"[{style}]{o.outcome.value}[/]", escape(o.path), escape(detail))
    return table
