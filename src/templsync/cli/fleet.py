"""``templsync fleet``: a template's registry of instances: ``discover``, ``add``, ``remove``.

The group is registered with ``register(app)``. A fleet command in a module of its own defines
``register(group)`` (adding its command to the group) and is listed once in
:data:`COMMAND_MODULES`, which imports it when the command is named; it shares ``--fleet``
through :func:`fleet_option` and finds the registry with :func:`open_fleet`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from templsync.cli.lazygroup import LazyGroup
from templsync.cli.options import dry_run_option, json_option, quiet_option
from templsync.cli.output import escape, help_text, print_json, stderr, stdout, summary

if TYPE_CHECKING:
    from templsync.fleet.discover import DiscoverResult
    from templsync.fleet.registry import Fleet, FleetEntry

F = TypeVar("F", bound=Callable[..., Any])

COMMAND_MODULES = {
    "status": "templsync.cli.fleet_status",
    "update": "templsync.cli.fleet_update",
    "patterns": "templsync.cli.fleet_patterns",
}
"""The commands in modules of their own, each adding its command with ``register(group)``."""

HELP = """Keep the registry of a template's instances (templsync-fleet.toml).

The registry sits in the template's folder: the template, the default test command, and one
entry per instance (name, location, team, wave, answers file, test command, branch). Every
fleet command run in the template's folder finds it; elsewhere, pass --fleet FILE.

Example:

  cd templates/service && templsync fleet discover ../../services

  templsync fleet remove old-billing --fleet templates/service/templsync-fleet.toml
"""

DISCOVER_HELP = """Find the instances of the template under ROOT... and add the missing ones.

Every .copier-answers*.yml under the roots whose _src_path names this template is an instance,
however the path was spelled (relative to the instance or to the folder the copy ran in,
absolute, or a URL such as gh:org/repo or git@host:org/repo.git). Instances already listed are
left as they are, with your edits; new ones are added at the end, named after their folders.
Answers files that cannot be read are listed with the reason; those of other templates are
only counted. Hidden folders, node_modules and virtualenvs are not searched.

Run in a template's folder with no registry yet, it creates templsync-fleet.toml there.

Example:

  templsync fleet discover ~/src/services ~/src/monorepo

  templsync fleet discover ../services/billing --name billing --dry-run
"""

ADD_HELP = """Add one instance to the registry: PATH, a folder or a git URL.

The instance's answers file must name this template (a git URL is cloned into the cache to
check it). Its name is its folder's (or repository's) unless --name gives one.

Example:

  templsync fleet add ../services/billing --team payments --wave 1

  templsync fleet add git@github.com:org/ledger.git --branch main --test-command "make test"
"""

REMOVE_HELP = """Remove the instance NAME from the registry (its folder is not touched).

Example:

  templsync fleet remove old-billing --dry-run
"""


def fleet_option(func: F) -> F:
    """``--fleet FILE``: the registry (default: templsync-fleet.toml here)."""
    return click.option(
        "--fleet",
        "fleet_path",
        type=click.Path(path_type=Path),
        metavar="FILE",
        help="The registry file (default: templsync-fleet.toml in this folder).",
    )(func)


def jobs_option(func: F) -> F:
    """``--jobs N``: worker processes for the commands that visit every instance."""
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        metavar="N",
        help="Worker processes (default: one per CPU; 1 does everything in this process).",
    )(func)


def open_fleet(fleet_path: Path | None) -> Fleet:
    """The registry ``--fleet`` names, else the one in the current folder, read."""
    from templsync.fleet.registry import find_registry, load_fleet

    return load_fleet(find_registry(Path.cwd(), fleet_path))


@click.group(
    name="fleet",
    cls=LazyGroup,
    lazy=COMMAND_MODULES,
    help=help_text(HELP),
    short_help=summary(HELP),
    no_args_is_help=True,
)
def fleet() -> None:
    pass


def register(app: click.Group) -> None:
    """Add ``templsync fleet`` and its commands to ``app``."""
    app.add_command(fleet)


@fleet.command(name="discover", help=help_text(DISCOVER_HELP), short_help=summary(DISCOVER_HELP))
@click.argument(
    "roots",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path),
    metavar="ROOT...",
    help="Folders to search (or answers files).",
)
@fleet_option
@click.option("--name", metavar="NAME", help="The name of the one new instance found.")
@dry_run_option("Show what would be added; write nothing.", pretend="its older name")
@quiet_option("Print errors and the summary only.")
@json_option("Print one JSON document: added, existing, skipped.")
def discover_command(
    roots: tuple[Path, ...],
    fleet_path: Path | None,
    name: str | None,
    pretend: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    from templsync.fleet.discover import discover

    current, created = _fleet_or_new(fleet_path)
    if as_json or quiet:
        result = discover(current, roots, name=name)
    else:
        with stderr().status("searching " + ", ".join(escape(str(r)) for r in roots)):
            result = discover(current, roots, name=name)
    if (result.added or created) and not pretend:
        _save(result.fleet if created else result.onto_registry())
    if as_json:
        print_json(_discover_dict(result, created=created, pretend=pretend))
        return
    _report_discover(result, created=created, pretend=pretend, quiet=quiet)


@fleet.command(name="add", help=help_text(ADD_HELP), short_help=summary(ADD_HELP))
@click.argument("location", metavar="PATH", help="The instance's folder, or a git URL.")
@fleet_option
@click.option("--name", metavar="NAME", help="Its name (default: its folder's).")
@click.option("--team", metavar="TEAM", help="The team that owns it.")
@click.option("--wave", metavar="WAVE", help="Its roll-out wave: a number or a name.")
@click.option(
    "--answers-file",
    metavar="FILE",
    help="Its answers file, when not .copier-answers.yml.",
)
@click.option("--test-command", metavar="COMMAND", help="Its test command (default: the fleet's).")
@click.option("--branch", metavar="BRANCH", help="The branch to update it on.")
@dry_run_option("Check the instance and show its entry; write nothing.")
@quiet_option()
@json_option("Print the new entry as JSON.")
def add_command(
    location: str,
    fleet_path: Path | None,
    name: str | None,
    team: str | None,
    wave: str | None,
    answers_file: str | None,
    test_command: str | None,
    branch: str | None,
    pretend: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    from templsync.errors import UserError
    from templsync.fleet.discover import instance_problem, spell_location
    from templsync.fleet.registry import FleetEntry, is_remote, local_checkout

    current, _created = _fleet_or_new(fleet_path)
    remote = is_remote(location)
    spelled = location if remote else spell_location(Path(location).resolve(), _base(current))
    entry = FleetEntry(
        name=name or _default_name(location),
        location=spelled,
        team=team,
        wave=_wave(wave),
        answers_file=None if answers_file in (None, ".copier-answers.yml") else answers_file,
        test_command=test_command,
        branch=branch,
    )
    for other in current.entries:
        if (other.location, other.answers_path) == (entry.location, entry.answers_path):
            raise UserError(f"{location} is already in {current.path} as {other.name!r}.")
    folder = local_checkout(entry, current, None) if remote else Path(location)
    problem = instance_problem(current, folder, entry.answers_file)
    if problem is not None:
        raise UserError(
            f"{location} is not an instance of this fleet's template: {problem.rstrip('.')}."
        )
    if not pretend:
        _save(current.with_entries([entry]))
    if as_json:
        print_json(_entry_dict(entry))
        return
    if quiet:
        return
    verb = "would add" if pretend else "added"
    stdout().print(
        f"{verb} {escape(entry.name)} ({escape(entry.location)}) to {escape(str(current.path))}"
        + ("; nothing was written" if pretend else "")
    )


@fleet.command(name="remove", help=help_text(REMOVE_HELP), short_help=summary(REMOVE_HELP))
@click.argument("name", metavar="NAME", help="The instance's name in the registry.")
@fleet_option
@dry_run_option("Show the entry that would be removed; write nothing.")
@quiet_option()
@json_option("Print the removed entry as JSON.")
def remove_command(
    name: str, fleet_path: Path | None, pretend: bool, quiet: bool, as_json: bool
) -> None:
    current = open_fleet(fleet_path)
    entry = current.entry(name)
    if not pretend:
        _save(current.without(name))
    if as_json:
        print_json(_entry_dict(entry))
        return
    if quiet:
        return
    verb = "would remove" if pretend else "removed"
    stdout().print(
        f"{verb} {escape(entry.name)} ({escape(entry.location)}) from "
        f"{escape(str(current.path))}; its folder is untouched"
        + ("; nothing was written" if pretend else "")
    )


def _fleet_or_new(fleet_path: Path | None) -> tuple[Fleet, bool]:
    """The registry found (False), or a new one for the template in this folder (True)."""
    import os

    from templsync.errors import UserError
    from templsync.fleet.registry import (
        REGISTRY_FILE,
        RegistryNotFoundError,
        new_fleet,
    )

    try:
        return open_fleet(fleet_path), False
    except RegistryNotFoundError:
        here = Path.cwd()
        if not any((here / name).is_file() for name in ("copier.yml", "copier.yaml")):
            raise UserError(
                f"no {REGISTRY_FILE} here, and this folder is not a template (no copier.yml). "
                "Run the command in the template's folder (the registry is made there), or "
                "pass --fleet FILE."
            ) from None
        if fleet_path is not None and fleet_path.is_dir():
            fleet_path = fleet_path / REGISTRY_FILE
        path = (fleet_path or here / REGISTRY_FILE).absolute()
        template = Path(os.path.relpath(here, path.parent)).as_posix()
        return new_fleet(path, template), True


def _base(fleet: Fleet) -> Path:
    return fleet.path.parent.resolve()


def _save(fleet: Fleet) -> None:
    from templsync.cli.recover import recover_and_report
    from templsync.fleet.registry_save import save_fleet

    if fleet.path.parent.is_dir():
        recover_and_report(fleet.path.parent)
    save_fleet(fleet)


def _default_name(location: str) -> str:
    from templsync.fleet.registry import is_remote

    if is_remote(location):
        return location.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].removesuffix(".git")
    return Path(location).resolve().name


def _wave(text: str | None) -> int | str | None:
    if text is None:
        return None
    stripped = text.strip()
    return int(stripped) if stripped.lstrip("-").isdigit() else stripped


def _entry_dict(entry: FleetEntry) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(entry)


def _discover_dict(result: DiscoverResult, *, created: bool, pretend: bool) -> dict[str, Any]:
    return {
        "registry": str(result.fleet.path),
        "created": created,
        "pretend": pretend,
        "added": [_entry_dict(e) for e in result.added],
        "existing": [_entry_dict(e) for e in result.existing],
        "skipped": [{"path": str(p), "reason": r} for p, r in result.skipped],
        "other_templates": result.other_templates,
    }


def _report_discover(result: DiscoverResult, *, created: bool, pretend: bool, quiet: bool) -> None:
    out = stdout()
    if not quiet:
        for entry in result.added:
            out.print(f"[green]{'add' if pretend else 'added':>8}[/] {_described(entry)}")
        for entry in result.existing:
            out.print(f"[dim]{'listed':>8}[/] {_described(entry)}")
    for path, reason in result.skipped:
        stderr().print(f"[yellow]skipped[/] {escape(str(path))}: {escape(reason)}")
    parts = [
        f"{len(result.added)} {'to add' if pretend else 'added'}",
        f"{len(result.existing)} already listed",
        f"{len(result.skipped)} skipped",
        f"{result.other_templates} of other templates",
    ]
    registry = escape(str(result.fleet.path))
    if pretend:
        where = f"nothing was written to {registry}"
    elif created:
        where = f"created {registry}"
    elif result.added:
        where = f"updated {registry}"
    else:
        where = f"{registry} unchanged"
    out.print(f"{', '.join(parts)}; {where}")


def _described(entry: FleetEntry) -> str:
    answers = f", {entry.answers_file}" if entry.answers_file else ""
    return f"{escape(entry.name)} [dim]({escape(entry.location)}{escape(answers)})[/]"
