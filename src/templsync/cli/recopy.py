"""``templsync recopy [PATH]``: render the project again from scratch with its answers."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

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

HELP = """Render the project at PATH (default: here) again from its template, with the answers
its answers file records, and write it over the project's files, as `copier recopy` does.

Every local change to a file the template makes is discarded (files the project added on its
own, and existing files matching _skip_if_exists, are kept). Use it when an update cannot
merge, or the recorded version is gone. --dry-run (Copier's --pretend) writes nothing and lists
what would change: "update" for a file that changes because the template did, "discard" for a
file whose local changes would be lost (the project's own changes, against the version its
answers file records), "create" for a new one. The default version is the latest;
--vcs-ref :current: keeps the recorded one. The project must have no uncommitted changes
unless --allow-dirty.

Example:

  templsync recopy services/billing --dry-run

  templsync recopy --vcs-ref :current: --defaults
"""


def register(group: click.Group) -> None:
    group.add_command(recopy_command)


@click.command(
    name="recopy",
    help=help_text(HELP),
    short_help="Render a project again from its template, discarding local changes.",
)
@instance_options
@click.option("--allow-dirty", is_flag=True, help="Recopy even with uncommitted changes.")
@dry_run_option("List what would change and be lost; write nothing.", pretend="Copier's name")
@json_option("Print one JSON document describing the recopy.")
def recopy_command(
    path: Path,
    allow_dirty: bool,
    pretend: bool,
    as_json: bool,
    **common: Any,
) -> None:

    from templsync.cli.copy import ask_question, result_dict
    from templsync.cli.tasks import task_announcer, task_runner
    from templsync.instance.copy import CopyOptions
    from templsync.instance.recopy import recopy

    quiet: bool = common["quiet"]
    interactive = sys.stdin.isatty() and not as_json and (not common["defaults"] or common["ask"])
    with collected_warnings(quiet=quiet) as noted:
        options = CopyOptions(**session_fields(common), pretend=pretend)
        result = recopy(
            path,
            options,
            allow_dirty=allow_dirty,
            ask=ask_question if interactive else None,
            on_task=task_announcer(quiet=quiet, pretend=pretend),
            run_task=task_runner(as_json=as_json),
        )
    result = dataclasses.replace(result, warnings=unique([*noted, *result.warnings]))
    if as_json:
        data = result_dict(result)
        here = result.changed_here
        changed = [p for p in result.overwritten if p != result.answers_file]
        data["local_changes"] = None if here is None else [p for p in changed if p in here]
        data["template_changes"] = None if here is None else [p for p in changed if p not in here]
        print_json(data)
        return
    print_warnings(result.warnings, quiet=quiet)
    changed = [p for p in result.overwritten if p != result.answers_file]
    here = result.changed_here
    lost = [p for p in changed if here is None or p in here]
    updated = [p for p in changed if here is not None and p not in here]
    listing = stdout() if pretend else stderr()
    if pretend or not quiet:
        for p in changed:
            if p in updated:
                listing.print(f"[cyan]{'update':>9}[/] {escape(p)} [dim](the template changed)[/]")
            elif here is None:
                listing.print(f"[yellow]{'discard':>9}[/] {escape(p)}")
            else:
                listing.print(
                    f"[yellow]{'discard':>9}[/] {escape(p)} [dim](the project's own change)[/]"
                )
        for p in result.created:
            listing.print(f"[green]{'create':>9}[/] {escape(p)}")
        for p in result.folders:
            listing.print(f"[green]{'create':>9}[/] {escape(p)}/")
    if quiet:
        return
    version = result.version.recorded or "the folder as it is"
    verb = "would recopy" if pretend else "recopied"
    counts = (
        f"{len(lost)} file(s) with local changes {'to discard' if pretend else 'discarded'}, "
        f"{len(result.created)} created"
    )
    if here is not None:
        counts = f"{len(updated)} changed by the template, {counts}"
    else:
        counts += " (the recorded version is gone: the template's changes are counted as local)"
    stdout().print(
        f"{verb} {escape(str(result.dst))} from {escape(result.src_path)} ({escape(version)}): "
        f"{escape(counts)}" + ("; nothing was written" if pretend else "")
    )
