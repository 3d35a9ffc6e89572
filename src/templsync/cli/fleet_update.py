"""``templsync fleet update``: update the selected instances, each on a branch, tested, committed.

The engine is imported when the command runs; ``--json`` never loads rich.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from templsync.cli.fleet import fleet_option, jobs_option, open_fleet
from templsync.cli.options import json_option, limit_options, quiet_option, render_limits
from templsync.cli.output import escape, help_text, print_json, stderr, stdout, summary

if TYPE_CHECKING:
    from templsync.fleet.bulkupdate import FleetUpdateResult, Outcome

HELP = """Update the instances of the fleet to the template's latest version.

For each selected instance (all, or --only NAME, --team TEAM, --wave WAVE), in parallel: skip
it with the reason when it has uncommitted changes, unresolved conflicts, is broken or already
current; create the branch templsync/update-VERSION (--branch, or --in-place to stay on the
current one); run the update, and stop there when it left conflicts; run the instance's test
command in its folder (--test-timeout); then stage its folder and commit, with a message that
lists the template commits it brings in (--no-commit leaves it staged); record the outcome
(and, on success, the version and date) as last_update in the registry. One instance's
failure never stops the others. A run stopped mid-way (Ctrl-C, a kill) leaves every instance
updated or as it was: run the same command again to finish the rest.

The end is a table (updated, up to date, conflicts, tests failed, skipped, error, with the
reason); --json prints it as one document, --markdown writes it to a file. The exit code is 1
when any instance was not updated cleanly. --dry-run merges in memory and writes nothing.

Example:

  templsync fleet update --wave canary

  templsync fleet update --only billing --only search --jobs 1 --test-timeout 600

  templsync fleet update --dry-run --json > would-update.json
"""

_STYLES = {
    "updated": "green",
    "up to date": "green",
    "conflicts": "magenta",
    "tests failed": "red",
    "skipped": "yellow",
    "error": "red",
}


def register(group: click.Group) -> None:
    group.add_command(update_command)


@click.command(name="update", help=help_text(HELP), short_help=summary(HELP))
@fleet_option
@click.option("--only", multiple=True, metavar="NAME", help="Only this instance (repeatable).")
@click.option("--team", multiple=True, metavar="TEAM", help="Only this team's (repeatable).")
@click.option("--wave", multiple=True, metavar="WAVE", help="Only this wave's (repeatable).")
@jobs_option
@click.option(
    "--branch",
    metavar="NAME",
    help="The update branch; {version} is replaced (default: templsync/update-{version}).",
)
@click.option("--in-place", is_flag=True, help="Update on the current branch.")
@click.option("--no-commit", is_flag=True, help="Leave the update staged, not committed.")
@click.option(
    "--test-timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop an instance's test command after this long (a failure).",
)
@click.option(
    "--dry-run", "-n", is_flag=True, help="Merge in memory only; write nothing (no branch)."
)
@click.option(
    "--markdown",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Also write the summary table to FILE as Markdown.",
)
@click.option("--trust", "--UNSAFE", is_flag=True, help="Trust the template (tasks, extensions).")
@quiet_option("Print errors only (the exit code says whether every update was clean).")
@json_option("Print one JSON document: every instance's outcome and the counts.")
@limit_options
def update_command(
    fleet_path: Path | None,
    only: tuple[str, ...],
    team: tuple[str, ...],
    wave: tuple[str, ...],
    jobs: int | None,
    branch: str | None,
    in_place: bool,
    no_commit: bool,
    test_timeout: float | None,
    dry_run: bool,
    markdown: Path | None,
    trust: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    from templsync.cli.recover import recover_and_report
    from templsync.fleet.bulkupdate import FleetUpdateOptions, fleet_update
    from templsync.template.usersettings import user_settings

    fleet = open_fleet(fleet_path)
    if not dry_run and recover_and_report(fleet.path.parent) is not None:
        fleet = open_fleet(fleet_path)  # a stopped run's write of the registry, finished
    settings = user_settings(os.environ)
    options = FleetUpdateOptions(
        only=only,
        teams=team,
        waves=wave,
        jobs=jobs,
        branch=branch,
        in_place=in_place,
        commit=not no_commit,
        dry_run=dry_run,
        test_timeout=test_timeout,
        trust=trust,
        trust_list=settings.trust,
        settings_defaults=tuple(settings.defaults.items()),
        limits=render_limits(),
    )
    if as_json or quiet:
        result = fleet_update(fleet, options)
    else:
        from rich.progress import Progress

        with Progress(console=stderr().console, transient=True) as bar:
            task = bar.add_task("updating instances", total=None)

            def progress(_stage: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = fleet_update(fleet, options, progress)
    for name, done in result.restored:
        stderr().print(f"[yellow]resumed[/] {escape(name)}: a stopped run left it mid-way; {done}")
    if markdown is not None:
        _write(markdown, markdown_table(result))
    if as_json:
        print_json(result_dict(result))
    elif not quiet:
        _report(result)
    if not result.clean:
        raise click.exceptions.Exit(1)


def _write(path: Path, text: str) -> None:
    """``text`` written to ``path`` through the one writer."""
    from templsync._core.plan import make_plan
    from templsync._core.tree import FileEntry, Tree
    from templsync._io.apply import apply_plan
    from templsync.instance.existing import read_paths

    path = path.absolute()
    current = read_paths(path.parent, [path.name])
    new = Tree({path.name: FileEntry.from_bytes(text.encode())})
    apply_plan(path.parent, make_plan(current, new))


def _report(result: FleetUpdateResult) -> None:
    from rich.table import Table

    out = stdout()
    table = Table(title=f"Fleet update to {escape(result.latest or '?')}", title_justify="left")
    for header in ("Project", "Outcome", "From", "To", "Branch", "Reason"):
        table.add_column(header)
    for o in result.outcomes:
        style = _STYLES[o.result.value]
        table.add_row(
            escape(o.name),
            f"[{style}]{escape(_outcome_label(o.result.value, dry_run=result.dry_run))}[/]",
            escape(o.from_version or ""),
            escape(o.to_version or ""),
            escape(o.branch or ""),
            escape(_reason(o)),
        )
    out.print(table)
    for o in result.outcomes:
        if o.test_output:
            out.print(f"[red]{escape(o.name)}[/]: last lines of the tests' output:")
            out.print(escape(o.test_output), highlight=False)
    counts = ", ".join(
        f"{n} {_outcome_label(r.value, dry_run=result.dry_run)}"
        for r, n in result.counts().items()
        if n
    )
    prefix = "dry run: " if result.dry_run else ""
    total = len(result.outcomes)
    noun = "instance" if total == 1 else "instances"
    out.print(f"{prefix}{total} {noun}: {counts or 'none selected'}")


def _outcome_label(value: str, *, dry_run: bool) -> str:
    """An outcome as a person reads it: a dry run updated nothing, it "would update"."""
    return "would update" if dry_run and value == "updated" else value


def _reason(o: Outcome) -> str:
    if o.conflicts:
        return f"{o.reason}: {', '.join(o.conflicts)}"
    return o.reason or ""


def markdown_table(result: FleetUpdateResult) -> str:
    """The outcomes as a Markdown table."""
    lines = [
        "| Project | Outcome | From | To | Branch | Reason |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for o in result.outcomes:
        cells = [o.name, o.result.value, o.from_version or "", o.to_version or ""]
        cells += [o.branch or "", _reason(o).replace("\n", " ")]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def result_dict(result: FleetUpdateResult) -> dict[str, Any]:
    """The outcomes as JSON-ready data."""
    return {
        "latest": result.latest,
        "dry_run": result.dry_run,
        "clean": result.clean,
        "counts": {r.value: n for r, n in result.counts().items()},
        "instances": [
            {
                "name": o.name,
                "outcome": o.result.value,
                "reason": o.reason,
                "from_version": o.from_version,
                "to_version": o.to_version,
                "branch": o.branch,
                "commit": o.commit,
                "conflicts": list(o.conflicts),
                "test_output": o.test_output,
            }
            for o in result.outcomes
        ],
        "resumed": [{"name": name, "done": done} for name, done in result.restored],
    }
