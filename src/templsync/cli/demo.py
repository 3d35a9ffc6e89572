"""``templsync demo``: the engine on three example folders (base, ours, theirs)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING

import click

from templsync.cli.options import dry_run_option, quiet_option
from templsync.cli.output import escape, help_text, print_json, stdout, summary

if TYPE_CHECKING:
    from templsync._core.diff import TreeDiff
    from templsync._core.ignore import IgnoreRules
    from templsync._core.merge import MergeResult
    from templsync._core.textmerge import MarkerLabels
    from templsync._core.tree import Tree

DEMO_IGNORE = (".git/", "__pycache__/", "*.pyc", ".venv/", ".DS_Store")


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


def register(group: click.Group) -> None:
    group.add_command(demo)


@click.command(name="demo", help=help_text(HELP), short_help=summary(HELP))
@click.argument(
    "directory",
    type=click.Path(path_type=Path),
    default=Path("examples/demo"),
    metavar="[DIR]",
    help="Folder holding base/, ours/ and theirs/. [default: examples/demo]",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Write the merged tree to this (empty) folder.",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Let --output replace a folder's contents with the merged tree.",
)
@click.option(
    "--conflict",
    type=click.Choice([style.value for style in ConflictStyle]),
    default=ConflictStyle.INLINE.value,
    show_default=True,
    help="inline: git-style markers in the file; rej: keep ours, write <file>.rej.",
)
@click.option(
    "--diff/--no-diff", "patches", default=True, show_default=True, help="Print the unified diffs."
)
@dry_run_option("With --output: show the merge; write nothing.")
@quiet_option("Print errors only (the exit code says whether conflicts are left).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead.")
def demo(
    directory: Path,
    output: Path | None,
    overwrite: bool,
    conflict: str,
    patches: bool,
    pretend: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    from templsync._core.diff import diff_trees
    from templsync._core.ignore import IgnoreRules
    from templsync._core.merge import merge3
    from templsync.cli import render
    from templsync.errors import ConflictsLeft

    ignore = IgnoreRules.of(DEMO_IGNORE)
    trees = {side: _read_side(directory, side, ignore) for side in ("base", "ours", "theirs")}
    ours_diff = diff_trees(trees["base"], trees["ours"])
    theirs_diff = diff_trees(trees["base"], trees["theirs"])
    result = merge3(trees["base"], trees["ours"], trees["theirs"])
    merged = _resolved(result, ConflictStyle(conflict))
    if output is not None and not pretend:
        _write(output, merged, ignore, overwrite=overwrite)
    if as_json:
        print_json(
            {
                "ours": [render.change_dict(c) for c in ours_diff.changes],
                "theirs": [render.change_dict(c) for c in theirs_diff.changes],
                "merge": render.merge_dict(result),
                "output": str(output) if output else None,
            }
        )
    elif not quiet:
        _show({"ours": ours_diff, "theirs": theirs_diff}, result, patches=patches)
        out = stdout()
        for name, diff in (("ours", ours_diff), ("theirs", theirs_diff)):
            counts = ", ".join(f"{n} {k}" for k, n in diff.counts().items() if n)
            out.print(f"{name}: {counts or 'no changes'}")
        clean = sum(1 for o in result.outcomes if o.outcome.value != "conflict")
        out.print(
            f"merged {len(result.outcomes)} path(s): {clean} clean, "
            f"{len(result.conflicts)} conflict(s)"
            + (f"; written to {escape(str(output))}" if output and not pretend else "")
            + ("; nothing was written" if output and pretend else "")
        )
    if output is not None and not pretend and result.conflicts:
        raise ConflictsLeft([c.path for c in result.conflicts])


def _read_side(directory: Path, side: str, ignore: IgnoreRules) -> Tree:
    from templsync._io.local import read_tree
    from templsync.errors import ReadError

    folder = directory / side
    if not folder.is_dir():
        raise ReadError(
            f"{folder} is not a folder. The demo needs {directory}/base, {directory}/ours and "
            f"{directory}/theirs; try `templsync demo examples/demo` from the templsync checkout."
        )
    return read_tree(folder, ignore)


def _labels() -> MarkerLabels:
    from templsync._core.textmerge import MarkerLabels

    return MarkerLabels(ours="ours", theirs="theirs", base="base")


def _resolved(result: MergeResult, style: ConflictStyle) -> Tree:
    if style is ConflictStyle.REJ:
        return result.with_rejects()
    return result.with_markers(_labels())


def _write(output: Path, tree: Tree, ignore: IgnoreRules, *, overwrite: bool) -> None:
    from templsync._core.plan import make_plan
    from templsync._io.apply import apply_plan
    from templsync._io.local import read_tree
    from templsync.cli.recover import recover_and_report
    from templsync.errors import UserError

    output.mkdir(parents=True, exist_ok=True)
    recover_and_report(output)
    current = read_tree(output, ignore)
    if current and not overwrite:
        raise UserError(
            f"{output} is not empty. --output makes the folder hold exactly the merged tree, "
            "so its other files would be deleted: pick an empty folder, or add --overwrite."
        )
    apply_plan(output, make_plan(current, tree))


def _show(diffs: dict[str, TreeDiff], result: MergeResult, *, patches: bool) -> None:
    from templsync._core.textmerge import render_markers
    from templsync.cli import render

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
            text = render_markers(c.text, _labels()).decode("utf-8", "replace")
            out.print(escape(text), end="" if text.endswith("\n") else "\n")
        out.print()
