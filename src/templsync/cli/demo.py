"""``templsync demo``: the engine on three example folders (base, ours, theirs)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from templsync._core.diff import TreeDiff, diff_trees
from templsync._core.ignore import IgnoreRules
from templsync._core.merge import MergeResult, merge3
from templsync._core.plan import make_plan
from templsync._core.textmerge import MarkerLabels, render_markers
from templsync._core.tree import Tree
from templsync._io import apply_plan, read_tree
from templsync.cli import render
from templsync.cli.output import escape, help_text, print_json, stdout
from templsync.cli.recover import recover_and_report
from templsync.errors import ConflictsLeft, ReadError, UserError

DEMO_IGNORE = IgnoreRules.of([".git/", "__pycache__/", "*.pyc", ".venv/", ".DS_Store"])
LABELS = MarkerLabels(ours="ours", theirs="theirs", base="base")


class ConflictStyle(enum.StrEnum):
    INLINE = "inline"
    REJ = "rej"


HELP = """Show a three-way merge of three folders: what each side changed, and the merged result.

DIR holds three folders: base/ (the common ancestor), ours/ and theirs/ (two descendants).
templsync diffs base against each side (renames included), merges them file by file and
line by line, and shows every decision and every conflict. With --output the merged tree is
written to a folder through templsync's atomic writer.

Example:

  templsync demo examples/demo

  templsync demo examples/demo --output /tmp/merged --conflict rej

--output wants an empty or new folder; --overwrite lets it replace a folder's contents.
"""


def register(app: typer.Typer) -> None:
    app.command(name="demo", help=help_text(HELP))(demo)


def demo(
    directory: Annotated[
        Path, typer.Argument(help="Folder holding base/, ours/ and theirs/.")
    ] = Path("examples/demo"),
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the merged tree to this (empty) folder."),
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite", help="Let --output replace a folder's contents with the merged tree."
        ),
    ] = False,
    conflict: Annotated[
        ConflictStyle,
        typer.Option(
            "--conflict",
            help="inline: git-style markers in the file; rej: keep ours, write <file>.rej.",
        ),
    ] = ConflictStyle.INLINE,
    patches: Annotated[
        bool, typer.Option("--diff/--no-diff", help="Print the unified diffs.")
    ] = True,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document instead.")
    ] = False,
) -> None:
    trees = {side: _read_side(directory, side) for side in ("base", "ours", "theirs")}
    ours_diff = diff_trees(trees["base"], trees["ours"])
    theirs_diff = diff_trees(trees["base"], trees["theirs"])
    result = merge3(trees["base"], trees["ours"], trees["theirs"])
    merged = _resolved(result, conflict)
    if output is not None:
        _write(output, merged, overwrite=overwrite)
    if as_json:
        print_json(
            {
                "ours": [render.change_dict(c) for c in ours_diff.changes],
                "theirs": [render.change_dict(c) for c in theirs_diff.changes],
                "merge": render.merge_dict(result),
                "output": str(output) if output else None,
            }
        )
    else:
        _show({"ours": ours_diff, "theirs": theirs_diff}, result, patches=patches)
        out = stdout()
        for name, diff in (("ours", ours_diff), ("theirs", theirs_diff)):
            counts = ", ".join(f"{n} {k}" for k, n in diff.counts().items() if n)
            out.print(f"{name}: {counts or 'no changes'}")
        clean = sum(1 for o in result.outcomes if o.outcome.value != "conflict")
        out.print(
            f"merged {len(result.outcomes)} path(s): {clean} clean, "
            f"{len(result.conflicts)} conflict(s)"
            + (f"; written to {escape(str(output))}" if output else "")
        )
    if output is not None and result.conflicts:
        raise ConflictsLeft([c.path for c in result.conflicts])


def _read_side(directory: Path, side: str) -> Tree:
    folder = directory / side
    if not folder.is_dir():
        raise ReadError(
            f"{folder} is not a folder. The demo needs {directory}/base, {directory}/ours and "
            f"{directory}/theirs; try `templsync demo examples/demo` from the templsync checkout."
        )
    return read_tree(folder, DEMO_IGNORE)


def _resolved(result: MergeResult, style: ConflictStyle) -> Tree:
    if style is ConflictStyle.REJ:
        return result.with_rejects()
    return result.with_markers(LABELS)


def _write(output: Path, tree: Tree, *, overwrite: bool) -> None:
    output.mkdir(parents=True, exist_ok=True)
    recover_and_report(output)
    current = read_tree(output, DEMO_IGNORE)
    if current and not overwrite:
        raise UserError(
            f"{output} is not empty. --output makes the folder hold exactly the merged tree, "
            "so its other files would be deleted: pick an empty folder, or add --overwrite."
        )
    apply_plan(output, make_plan(current, tree))


def _show(diffs: dict[str, TreeDiff], result: MergeResult, *, patches: bool) -> None:
    out = stdout()
    for side, diff in diffs.items():
        out.print(render.changes_table(f"What {side} changed", diff))
        if patches:
            for change in diff.changes:
                render.print_patch(out, change)
        out.print()
    out.print(render.outcomes_table(result))
    out.print()
    for c in result.conflicts:
        out.print(f"[bold red]conflict[/] ({c.kind.value}) in [bold]{escape(c.path)}[/]")
        if c.text is not None and not c.text.clean:
            text = render_markers(c.text, LABELS).decode("utf-8", "replace")
            out.print(escape(text), end="" if text.endswith("\n") else "\n")
        out.print()
