"""``templsync fleet patterns``: customizations several instances of the fleet share."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from templsync.cli.fleet import fleet_option, open_fleet
from templsync.cli.options import json_option, quiet_option
from templsync.cli.output import escape, help_text, print_json, stderr, stdout, summary
from templsync.cli.progress import late_progress

if TYPE_CHECKING:
    from templsync.backport.patterns import Pattern, PatternsResult

HELP = """List the customizations that several instances of the fleet share.

Every instance's customizations (its files against its template rendered at its version with
its answers) are mapped back into the template, as `templsync backport` maps them, so that they
compare in the template's terms: orders_api/x.py and billing_api/x.py are both
{{ project_slug }}/x.py, and a line naming each one's slug is one line. Identical hunks, new
files, deletions and renames found in at least --min instances (default 2) are listed, the most
widespread first, with the instances that have them and the backport command that brings each
into the template.

Example:

  templsync fleet patterns

  templsync fleet patterns --min 5 --json --fleet templates/service/templsync-fleet.toml
"""


def register(group: click.Group) -> None:
    group.add_command(patterns_command)


@click.command(name="patterns", help=help_text(HELP), short_help=summary(HELP))
@fleet_option
@click.option(
    "--min",
    "minimum",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    metavar="N",
    help="List what at least N instances share.",
)
@quiet_option("Print errors and the summary only.")
@json_option("Print one JSON document: the patterns, their instances and commands.")
def patterns_command(fleet_path: Path | None, minimum: int, quiet: bool, as_json: bool) -> None:
    from templsync.backport.patterns import fleet_patterns

    fleet = open_fleet(fleet_path)
    with late_progress({"instances": "reading instances"}, show=not as_json and not quiet) as bar:
        result = fleet_patterns(fleet, minimum=minimum, base=Path.cwd(), progress=bar)
    if as_json:
        print_json(_result_dict(result))
        return
    _report(result, quiet=quiet)


def _report(result: PatternsResult, *, quiet: bool) -> None:
    out = stdout()
    for name, why in result.broken:
        stderr().print(f"[red]broken[/] {escape(name)}: {escape(why)}")
    if not quiet:
        for pattern in result.patterns:
            _print_pattern(pattern)
    out.print(
        f"{len(result.patterns)} customization(s) shared by at least {result.minimum} of "
        f"{result.instances} instance(s)"
        + (f"; {len(result.broken)} instance(s) could not be read" if result.broken else "")
    )


def _print_pattern(pattern: Pattern) -> None:
    out = stdout()
    unit = pattern.unit
    detail = f" [dim]({escape(unit.detail)})[/]" if unit.detail else ""
    out.print(
        f"[bold]{pattern.count} instances[/] [cyan]{unit.kind.value}[/] "
        f"{escape(unit.template_path)}{detail}"
    )
    for line in unit.removed:
        out.print(f"  [red]- {escape(line.rstrip(chr(10)))}[/]")
    for line in unit.added:
        out.print(f"  [green]+ {escape(line.rstrip(chr(10)))}[/]")
    names = ", ".join(sorted({o.instance for o in pattern.occurrences}))
    out.print(f"  [dim]in:[/] {escape(names)}")
    out.print(f"  [dim]port:[/] {escape(pattern.command)}")


def _result_dict(result: PatternsResult) -> dict[str, Any]:
    return {
        "minimum": result.minimum,
        "instances": result.instances,
        "broken": [{"name": n, "reason": why} for n, why in result.broken],
        "patterns": [
            {
                "kind": p.unit.kind.value,
                "template_path": p.unit.template_path,
                "removed": list(p.unit.removed),
                "added": list(p.unit.added),
                "detail": p.unit.detail,
                "count": p.count,
                "instances": [
                    {"name": o.instance, "folder": str(o.folder), "path": o.path}
                    for o in p.occurrences
                ],
                "command": p.command,
            }
            for p in result.patterns
        ],
    }
