"""``templsync update [PATH]``: pull a newer template version into an instance, three-way."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from templsync._warned import unique
from templsync.cli.options import dry_run_option, instance_options, json_option, session_fields
from templsync.cli.output import (
    collected_warnings,
    escape,
    help_text,
    print_json,
    print_warnings,
    stderr,
    stdout,
)

if TYPE_CHECKING:
    from templsync.instance.update import UpdateResult

HELP = """Bring the newest template version into the project at PATH (default: here),
keeping the project's own edits.

The template at the version recorded in the answers file and the template at the new version
(the highest version tag, or --vcs-ref) are both rendered in memory with the project's answers,
and every file is merged three ways with the project's files: template changes land, the
project's edits stay, files and folders the template renamed move with the project's edits.
A file the project deleted stays deleted. Where both changed the same lines, the file gets
conflict markers (or a .rej file with --conflict rej) and the command exits with 2; in a git
repository the conflicts also show in `git status` as unmerged paths.

The project must have no uncommitted changes (--allow-dirty to skip that check). Nothing is
written when the update is refused, and --dry-run (Copier's --pretend) shows the plan
without writing anything.

Exit codes: 0 updated cleanly, 1 refused (the message says why), 2 conflicts left.

Example:

  templsync update services/billing --dry-run --diff

  templsync update --vcs-ref v2.1.0 --data use_redis=true --conflict rej
"""

_STYLES = {
    "add": "green",
    "update": "cyan",
    "merge": "cyan",
    "rename": "magenta",
    "delete": "red",
    "conflict": "bold red",
    "kept-deleted": "yellow",
}


def register(group: click.Group) -> None:
    group.add_command(update_command)


@click.command(
    name="update",
    help=help_text(HELP),
    short_help="Merge a newer template version into a project, keeping its edits.",
)
@instance_options
@click.option(
    "--conflict",
    type=click.Choice(["inline", "rej"]),
    default="inline",
    show_default=True,
    help="How to leave conflicts: markers in the file, or the rejected hunks in FILE.rej.",
)
@click.option("--allow-dirty", is_flag=True, help="Update even with uncommitted changes.")
@click.option("--allow-downgrade", is_flag=True, help="Allow --vcs-ref to name an older version.")
@click.option(
    "--base-ref",
    metavar="REF",
    help="Merge from this template version instead of the recorded one (when it is gone).",
)
@dry_run_option("Show the plan; write nothing.", pretend="Copier's name")
@click.option("--diff", "show_diff", is_flag=True, help="Show the unified diff of each change.")
@json_option("Print one JSON document describing the update.")
def update_command(
    path: Path,
    conflict: str,
    allow_dirty: bool,
    allow_downgrade: bool,
    base_ref: str | None,
    pretend: bool,
    show_diff: bool,
    as_json: bool,
    **common: Any,
) -> None:
    from templsync.cli.copy import ask_question
    from templsync.cli.tasks import task_announcer, task_runner
    from templsync.errors import ConflictsLeft
    from templsync.instance.update import UpdateOptions, update

    interactive = sys.stdin.isatty() and not as_json and (not common["defaults"] or common["ask"])
    quiet: bool = common["quiet"]
    chatty = not quiet and not as_json

    def message(text: str) -> None:
        if chatty:
            stderr().print(escape(text))

    with collected_warnings(quiet=quiet) as noted:
        options = UpdateOptions(
            **session_fields(common),
            pretend=pretend,
            conflict="rej" if conflict == "rej" else "inline",
            allow_dirty=allow_dirty,
            allow_downgrade=allow_downgrade,
            base_ref=base_ref,
        )
        result = update(
            path,
            options,
            ask=ask_question if interactive else None,
            on_message=message,
            on_task=task_announcer(quiet=quiet, pretend=pretend),
            run_task=task_runner(as_json=as_json),
        )
    result = dataclasses.replace(result, warnings=unique([*noted, *result.warnings]))
    if as_json:
        print_json(result_dict(result))
    else:
        _report(result, quiet=quiet, show_diff=show_diff)
    if result.conflicts:
        raise ConflictsLeft([c.path for c in result.conflicts])


def _report(result: UpdateResult, *, quiet: bool, show_diff: bool) -> None:

    out, err = stdout(), stderr()
    print_warnings(result.warnings, quiet=quiet)
    listing = out if result.pretend else err
    if result.pretend or not quiet:
        for change in result.changes:
            style = _STYLES[change.action]
            line = f"[{style}]{change.action:>12}[/] {escape(change.path)}"
            if change.action == "rename" and change.from_path:
                line += f" [dim](from {escape(change.from_path)})[/]"
            elif change.action == "kept-deleted":
                moved = f", moved to {change.from_path}" if change.from_path else ""
                line += (
                    f" [dim](deleted here; the template changed it{escape(moved)}: left deleted)[/]"
                )
            listing.print(line)
    if show_diff:
        _print_diffs(result)
    if result.message_after and not quiet:
        err.print(escape(result.message_after))
    if quiet:
        return
    old = result.from_version.recorded or "?"
    new = result.to_version.recorded or "the folder as it is"
    counts: dict[str, int] = {}
    for change in result.changes:
        counts[change.action] = counts.get(change.action, 0) + 1
    summary = ", ".join(f"{n} {action}" for action, n in counts.items()) or "no changes"
    if not result.changes and old == new:
        out.print(f"{escape(str(result.root))} is up to date with {escape(new)}")
        return
    verb = "would update" if result.pretend else "updated"
    out.print(
        f"{verb} {escape(str(result.root))} from {escape(old)} to {escape(new)}: {summary}"
        + ("; nothing was written" if result.pretend else "")
    )
    if result.conflicts and not result.pretend:
        how = (
            "resolve the <<<<<<< markers"
            if all(c.path in result.after for c in result.conflicts)
            else "resolve them"
        )
        out.print(
            f"[bold red]{len(result.conflicts)} conflict(s) left[/]: {how}, then `git add` "
            "the files."
        )


def _print_diffs(result: UpdateResult) -> None:
    from templsync._core.text import unified_diff

    out = sys.stdout.buffer
    for op in sorted(result.plan.ops, key=lambda o: o.path):
        old = op.old.content() if op.old is not None and not op.old.is_symlink else b""
        new = op.new.content() if op.new is not None and not op.new.is_symlink else b""
        old_label = f"a/{op.path}" if op.old is not None else "/dev/null"
        new_label = f"b/{op.path}" if op.new is not None else "/dev/null"
        patch = unified_diff(old, new, old_label, new_label)
        if patch:
            sys.stdout.flush()
            out.write(patch)
            out.flush()


def result_dict(result: UpdateResult) -> dict[str, Any]:
    """The update as JSON-ready data."""
    import json

    return {
        "path": str(result.root),
        "from": result.from_version.recorded,
        "to": result.to_version.recorded,
        "to_sha": result.to_version.commit,
        "pretend": result.pretend,
        "clean": result.clean,
        "changes": [
            {"path": c.path, "action": c.action, "from_path": c.from_path} for c in result.changes
        ],
        "conflicts": [{"path": c.path, "kind": c.kind.value} for c in result.conflicts],
        "folders": list(result.plan.folders),
        "answers_file": result.answers_file,
        "answers": json.loads(json.dumps(dict(result.answers.remembered), default=str)),
        "tasks": [c.shown for c in result.tasks],
        "migrations": [c.shown for c in result.migrations],
        "message_after": result.message_after,
        "warnings": [str(w) for w in result.warnings],
    }
