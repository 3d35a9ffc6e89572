"""``templsync diff [PATH]``: what the project changed in the files its template gave it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from templsync.cli.options import (
    json_option,
    limit_options,
    quiet_option,
    render_limits,
    user_settings_fields,
)
from templsync.cli.output import (
    collected_warnings,
    escape,
    help_text,
    print_json,
    print_warnings,
    stdout,
)

if TYPE_CHECKING:
    from templsync.instance.localdiff import LocalDiff

HELP = """Show the project's own changes to its template's files: the project at PATH (default:
here) against the template at the version its answers file records, rendered with its answers.

Template files the project modified, deleted, renamed or made executable are shown as a unified
diff; files the project added on its own are left out unless --added. The answers file is never
shown.

With --exit-code the command exits with 1 when there are changes (0 when there are none), for CI.

Example:

  templsync diff services/billing --stat

  templsync diff --exit-code --base-ref v1.2.0
"""


def register(group: click.Group) -> None:
    group.add_command(diff_command)


@click.command(
    name="diff",
    help=help_text(HELP),
    short_help="Show a project's own changes to its template's files.",
)
@click.argument("path", type=click.Path(path_type=Path), default=".", required=False)
@click.option("--stat", is_flag=True, help="Show one line per file with added/removed counts.")
@click.option("--added", is_flag=True, help="Also list files the project added on its own.")
@click.option("--exit-code", is_flag=True, help="Exit with 1 when there are changes.")
@click.option("--base-ref", metavar="REF", help="Compare with this template version instead.")
@click.option("--answers-file", "-a", metavar="FILE", help="The answers file to read.")
@click.option("--trust", "--UNSAFE", is_flag=True, help="Trust the template (Jinja extensions).")
@click.option("--refresh", is_flag=True, help="Fetch a remote template's cached mirror first.")
@quiet_option("Print errors only (with --exit-code, the exit code answers).")
@json_option("Print one JSON document listing the changes.")
@limit_options
def diff_command(
    path: Path,
    stat: bool,
    added: bool,
    exit_code: bool,
    base_ref: str | None,
    answers_file: str | None,
    trust: bool,
    refresh: bool,
    quiet: bool,
    as_json: bool,
) -> int:
    from templsync.instance.localdiff import LocalDiffOptions, local_diff

    options = LocalDiffOptions(
        answers_file=answers_file,
        trust=trust,
        **user_settings_fields(),
        base_ref=base_ref,
        include_added=added,
        refresh=refresh,
        limits=render_limits(),
    )
    with collected_warnings(quiet=False) as noted:
        result = local_diff(path, options)
    print_warnings(noted, quiet=quiet)
    if as_json:
        print_json(result_dict(result))
    elif quiet:
        pass
    elif stat:
        _print_stat(result)
    else:
        _print_patches(result)
    return 1 if exit_code and result.diff else 0


def _counts(result: LocalDiff) -> list[tuple[str, str, int, int]]:
    rows = []
    for change in result.diff.changes:
        plus = minus = 0
        for hunk in change.hunks(0):
            minus += len(hunk.old_lines)
            plus += len(hunk.new_lines)
        name = change.path
        if change.old_path and change.new_path and change.old_path != change.new_path:
            name = f"{change.old_path} => {change.new_path}"
        rows.append((name, change.kind.value, plus, minus))
    return rows


def _print_stat(result: LocalDiff) -> None:

    out = stdout()
    rows = _counts(result)
    width = max((len(r[0]) for r in rows), default=0)
    for name, kind, plus, minus in rows:
        out.print(f" {escape(name.ljust(width))} | {kind:<8} [green]+{plus}[/] [red]-{minus}[/]")
    total_plus = sum(r[2] for r in rows)
    total_minus = sum(r[3] for r in rows)
    version = result.version.recorded or "the template folder"
    out.print(
        f" {len(rows)} file(s) changed against {escape(version)}, "
        f"{total_plus} insertion(s), {total_minus} deletion(s)"
    )


def _print_patches(result: LocalDiff) -> None:
    from templsync._core.text import unified_diff

    out = sys.stdout.buffer
    for change in result.diff.changes:
        old = change.old.content() if change.old and not change.old.is_symlink else b""
        new = change.new.content() if change.new and not change.new.is_symlink else b""
        a = f"a/{change.old_path}" if change.old_path else "/dev/null"
        b = f"b/{change.new_path}" if change.new_path else "/dev/null"
        header = f"diff --templsync {a} {b}\n"
        if change.mode_changed and change.old and change.new:
            header += f"old mode {int(change.old.mode):o}\nnew mode {int(change.new.mode):o}\n"
        if change.kind.value == "renamed":
            header += f"rename from {change.old_path}\nrename to {change.new_path}\n"
        if change.is_binary and change.content_changed:
            header += "Binary files differ\n"
        out.write(header.encode("utf-8", "surrogateescape"))
        out.write(unified_diff(old, new, a, b))
    out.flush()


def result_dict(result: LocalDiff) -> dict[str, Any]:
    """The instance's changes as JSON-ready data."""
    return {
        "path": str(result.root),
        "version": result.version.recorded,
        "changes": [
            {
                "kind": kind,
                "path": c.path,
                "old_path": c.old_path,
                "added_lines": plus,
                "removed_lines": minus,
            }
            for c, (_, kind, plus, minus) in zip(result.diff.changes, _counts(result), strict=True)
        ],
    }
