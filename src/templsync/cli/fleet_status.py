"""``templsync fleet status``: one table of every instance against the template, and what changed.

The engine is imported when the command runs; rich only when something is printed for a person
(``--json`` never loads it). A progress bar appears on stderr once the run has taken half a second.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from templsync.cli.fleet import fleet_option, jobs_option, open_fleet
from templsync.cli.options import json_option, limit_options, quiet_option, render_limits
from templsync.cli.output import escape, help_text, print_json, stderr, stdout, summary
from templsync.cli.progress import late_progress

if TYPE_CHECKING:
    from templsync.fleet.history import TemplateChange
    from templsync.fleet.status import FleetStatus, InstanceStatus

HELP = """Show where every instance of the fleet stands against the template.

One row per instance: its location and team, when its answers file was last committed, the
template version it records, how many template commits and versions it is behind, and its
status: up to date, N versions (or commits) behind, major version behind, uncommitted changes,
unresolved conflicts (left by an update), or broken, with why. Below the table, the template's
commits since the oldest version an instance records, grouped as they are reviewed: dependency
manifests, database migrations, configuration, CI, application code, docs.

The template's history is read once for the whole fleet; instances are read in parallel.
--conflicts also dry-runs the update of every instance that is behind (nothing is written) and
lists the files it would conflict on. --markdown writes the table to INSTANCES.md beside the
registry (or to FILE).

Example:

  templsync fleet status

  templsync fleet status --conflicts --jobs 4

  templsync fleet status --json > fleet-status.json

  templsync fleet status --markdown docs/INSTANCES.md --fleet templates/service
"""

_STYLES = {
    "broken": "red",
    "unresolved conflicts": "magenta",
    "uncommitted changes": "cyan",
    "major version behind": "red",
    "behind": "yellow",
    "up to date": "green",
}
_STAGES = {"instances": "reading instances", "conflicts": "dry-running updates"}


def register(group: click.Group) -> None:
    group.add_command(status_command)


@click.command(name="status", help=help_text(HELP), short_help=summary(HELP))
@fleet_option
@json_option("Print one JSON document: instances, template changes by category, counts.")
@click.option(
    "--markdown",
    "markdown",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[FILE]",
    help="Write the table to FILE (default: INSTANCES.md beside the registry).",
)
@click.option(
    "--conflicts",
    is_flag=True,
    help="Dry-run the update of every instance that is behind and list the files it would "
    "conflict on (nothing is written).",
)
@jobs_option
@click.option(
    "--prereleases", "-g", is_flag=True, help="Let pre-release tags be the latest version."
)
@click.option(
    "--offline", is_flag=True, help="Do not fetch a remote template's cached mirror first."
)
@click.option(
    "--trust",
    "--UNSAFE",
    is_flag=True,
    help="With --conflicts: trust the template (allow its Jinja extensions).",
)
@quiet_option("Print errors only (with --markdown: write the file, say nothing).")
@limit_options
def status_command(
    fleet_path: Path | None,
    as_json: bool,
    markdown: str | None,
    conflicts: bool,
    jobs: int | None,
    prereleases: bool,
    offline: bool,
    trust: bool,
    quiet: bool,
) -> None:
    from templsync.fleet.status import fleet_status

    fleet = open_fleet(fleet_path)
    trust_list: tuple[str, ...] = ()
    if conflicts:
        from templsync.template.trust import load_trust_list, settings_path

        trust_list = load_trust_list(settings_path(os.environ))
    with late_progress(_STAGES, show=not as_json and not quiet) as bar:
        found = fleet_status(
            fleet,
            conflicts=conflicts,
            jobs=jobs,
            prereleases=prereleases,
            refresh=not offline,
            trust=trust,
            trust_list=trust_list,
            limits=render_limits(),
            progress=bar,
        )
    written = None
    if markdown is not None:
        written = _write_markdown(found, Path(markdown) if markdown else fleet.path.parent)
    if as_json:
        print_json(status_dict(found))
        if written is not None and not quiet:
            stderr().print(f"wrote {escape(str(written))}")
        return
    if quiet:
        return
    _report(found, conflicts=conflicts)
    if written is not None:
        stdout().print(f"wrote {escape(str(written))}")


def _status_cell(i: InstanceStatus) -> str:
    """The status without how far behind: the two columns before it say that."""
    return i.status if i.state == "broken" else i.state.value


def _report(found: FleetStatus, *, conflicts: bool) -> None:
    from rich.table import Table

    out = stdout()
    table = Table(title=f"Instances of {escape(found.template)}", title_justify="left")
    for header in ("Project", "Location", "Team", "Last updated", "Version"):
        table.add_column(header)
    table.add_column("Commits behind", justify="right")
    table.add_column("Versions behind", justify="right")
    table.add_column("Status")
    if conflicts:
        table.add_column("Update would conflict in")
    for i in found.instances:
        row = [
            escape(i.name),
            escape(i.location),
            escape(i.team or ""),
            i.last_updated.date().isoformat() if i.last_updated else "",
            escape(i.recorded or ""),
            "" if i.commits_behind is None else str(i.commits_behind),
            "" if i.versions_behind is None else str(i.versions_behind),
            f"[{_STYLES[i.state.value]}]{escape(_status_cell(i))}[/]",
        ]
        if conflicts:
            row.append(_conflicts_cell(i))
        table.add_row(*row)
    out.print(table)
    for i in found.instances:
        if i.detail:
            out.print(f"[red]{escape(i.name)}[/]: {escape(i.detail)}")
        elif i.unmerged:
            unmerged = ", ".join(i.unmerged)
            out.print(f"[magenta]{escape(i.name)}[/]: unmerged in git's index: {escape(unmerged)}")
    _report_changes(found)
    counts = ", ".join(f"{n} {state.value}" for state, n in reversed(found.counts().items()) if n)
    latest = found.latest.version or found.latest.recorded
    out.print(
        f"{len(found.instances)} instance{'s' if len(found.instances) != 1 else ''}"
        f"{': ' + counts if counts else ''}; the template's latest version is {latest}"
    )


def _conflicts_cell(i: InstanceStatus) -> str:
    if i.conflicts_error is not None:
        return f"[red]dry run failed: {escape(i.conflicts_error)}[/]"
    if i.conflicts is None:
        return ""
    if not i.conflicts:
        return "[green]none[/]"
    return "[red]" + escape(", ".join(i.conflicts)) + "[/]"


def _report_changes(found: FleetStatus) -> None:
    out = stdout()
    if not found.changes:
        return
    n = len(found.changes)
    out.print(
        f"\nTemplate changes since {escape(found.since or '?')} "
        f"({n} commit{'s' if n != 1 else ''}), by what they touch:"
    )
    for category, changes in found.by_category().items():
        out.print(f"\n[bold]{escape(category.value)}[/] ({len(changes)})")
        for change in changes:
            out.print("  " + _change_line(change))
    merges = [c for c in found.changes if not c.categories]
    if merges:
        out.print(f"\n[bold]merges[/] ({len(merges)})")
        for change in merges:
            out.print("  " + _change_line(change))
    out.print("")


def _change_line(change: TemplateChange) -> str:
    return f"[yellow]{change.sha[:7]}[/] {change.date.date().isoformat()} {escape(change.subject)}"


def _write_markdown(found: FleetStatus, where: Path) -> Path:
    """The table written to ``where`` (INSTANCES.md in it, when a folder) by the one writer."""
    from templsync._core.plan import make_plan
    from templsync._core.tree import FileEntry, Tree
    from templsync._io.apply import apply_plan
    from templsync.cli.recover import recover_and_report
    from templsync.fleet.status import markdown_table
    from templsync.instance.existing import read_paths

    path = (where / "INSTANCES.md" if where.is_dir() else where).absolute()
    folder, name = path.parent, path.name
    current = read_paths(folder, [name])
    old = current.get(name)
    new = FileEntry.from_bytes(markdown_table(found).encode())
    if old is not None:
        new = new.with_mode(old.mode)
    if folder.is_dir():
        recover_and_report(folder)
    apply_plan(folder, make_plan(current, Tree({name: new})))
    return path


def status_dict(found: FleetStatus) -> dict[str, Any]:
    """The status as JSON-ready data."""
    from templsync.fleet.categories import Category

    order = list(Category).index
    return {
        "template": found.template,
        "latest": {
            "commit": found.latest.recorded,
            "commit_sha": found.latest.commit,
            "version": None if found.latest.version is None else str(found.latest.version),
        },
        "counts": {state.value: n for state, n in found.counts().items()},
        "instances": [_instance_dict(i) for i in found.instances],
        "since": found.since,
        "changes": [
            {
                "sha": c.sha,
                "subject": c.subject,
                "date": c.date.isoformat(),
                "categories": [cat.value for cat in sorted(c.categories, key=order)],
                "paths": list(c.paths),
            }
            for c in found.changes
        ],
        "by_category": {
            category.value: [c.sha for c in changes]
            for category, changes in found.by_category().items()
        },
    }


def _instance_dict(i: InstanceStatus) -> dict[str, Any]:
    return {
        "name": i.name,
        "location": i.location,
        "team": i.team,
        "path": None if i.folder is None else str(i.folder),
        "state": i.state.value,
        "status": i.status,
        "reason": i.reason,
        "detail": i.detail,
        "answers_file": i.answers_file,
        "template_version": i.recorded,
        "version": None if i.version is None else str(i.version),
        "commit_sha": i.commit,
        "last_updated": None if i.last_updated is None else i.last_updated.isoformat(),
        "commits_behind": i.commits_behind,
        "versions_behind": i.versions_behind,
        "unmerged": list(i.unmerged),
        "conflicts": None if i.conflicts is None else list(i.conflicts),
        "conflicts_error": i.conflicts_error,
    }
