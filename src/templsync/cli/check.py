"""``templsync check [PATH]``: is the project at its template's latest version? For CI.

Its exit codes are its answer, so they differ from the other commands': 0 current, 1 behind,
2 when the check could not be made (usage errors included). It prints with ``click.echo``:
importing rich would cost a third of a check that reads nothing but git refs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from templsync.cli.options import json_option, limit_options, render_limits
from templsync.cli.output import collected_warnings, help_text, print_json

if TYPE_CHECKING:
    from packaging.version import Version

    from templsync.errors import TemplsyncWarning
    from templsync.instance.check import CheckResult

EXIT_CURRENT = 0
EXIT_BEHIND = 1
EXIT_ERROR = 2

HELP = """Say whether the project at PATH (default: here) is at its template's latest version.

The answers file names the template and the version the project was made from or last updated
to; the latest version is the template's highest version tag (pre-releases with
--prereleases), else its HEAD. Prints both versions, how many versions and template commits
the project is behind, and the subject line of each of those commits, newest first. Only git
refs and commits are read: nothing is rendered, unless --conflicts asks for a dry run of the
update to list the files that would conflict (a template with _migrations or Jinja
extensions then needs --trust). A remote template's cached mirror is fetched first (--offline
answers from the mirror as it is).

Exit codes (for CI): 0 the project is current, 1 it is behind, 2 the check could not be made
(the message on stderr says why).

Example:

  templsync check services/billing

  templsync check --json --conflicts > template-status.json
"""


class _CheckCommand(click.Command):
    """A usage error exits with 2 like every other failed check, not with click's 1."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as err:
            err.show()
            raise click.exceptions.Exit(EXIT_ERROR) from err


def register(group: click.Group) -> None:
    group.add_command(check_command)


@click.command(name="check", cls=_CheckCommand, help=help_text(HELP))
@click.argument("path", type=click.Path(path_type=Path), default=".", required=False)
@click.option(
    "--answers-file",
    "-a",
    metavar="FILE",
    help="The answers file, relative to the project (default .copier-answers.yml).",
)
@click.option(
    "--prereleases", "-g", is_flag=True, help="Let pre-release tags be the latest version."
)
@click.option(
    "--conflicts",
    is_flag=True,
    help="Also dry-run the update (both versions rendered, nothing written) and list the "
    "files that would conflict.",
)
@click.option(
    "--trust",
    "--UNSAFE",
    is_flag=True,
    help="With --conflicts: trust the template. Needed when it has _migrations or Jinja "
    "extensions (the dry run runs no migration or task).",
)
@click.option(
    "--offline", is_flag=True, help="Do not fetch a remote template's cached mirror first."
)
@click.option("--quiet", "-q", is_flag=True, help="Print errors only; the exit code answers.")
@json_option("Print one JSON object: versions, commits and versions behind, conflicts.")
@limit_options
def check_command(
    path: Path,
    answers_file: str | None,
    prereleases: bool,
    conflicts: bool,
    trust: bool,
    offline: bool,
    quiet: bool,
    as_json: bool,
) -> int:
    from templsync.errors import UserError
    from templsync.instance.check import CheckOptions, check

    noted: list[TemplsyncWarning] = []
    try:
        trust_list: tuple[str, ...] = ()
        if conflicts:
            from templsync.template.trust import load_trust_list, settings_path

            trust_list = load_trust_list(settings_path(os.environ))
        with collected_warnings(quiet=True) as noted:  # printed here, without rich
            result = check(
                path,
                CheckOptions(
                    answers_file=answers_file,
                    prereleases=prereleases,
                    refresh=not offline,
                    conflicts=conflicts,
                    trust=trust,
                    trust_list=trust_list,
                    limits=render_limits(),
                ),
            )
    except UserError as err:
        _print_warnings(noted, quiet=quiet)
        click.echo(f"{click.style('error:', fg='red')} {err}", err=True)
        return EXIT_ERROR
    _print_warnings(noted, quiet=quiet)
    if as_json:
        print_json(result_dict(result))
    elif not quiet:
        _report(result)
    return EXIT_CURRENT if result.up_to_date else EXIT_BEHIND


def _print_warnings(warnings: list[TemplsyncWarning], *, quiet: bool) -> None:
    if not quiet:
        for warning in warnings:
            click.echo(f"{click.style('warning:', fg='yellow')} {warning}", err=True)


def _report(result: CheckResult) -> None:
    click.echo(f"template: {result.src_path}")
    click.echo(f"current:  {_version(result.current_version, result.current.recorded)}")
    click.echo(f"latest:   {_version(result.latest_version, result.latest.recorded)}")
    if result.commits or result.versions:
        click.echo(
            f"behind:   {_count(len(result.versions), 'version')}"
            + (f" ({', '.join(result.versions)})" if result.versions else "")
            + f", {_count(len(result.commits), 'template commit')}"
            + (":" if result.commits else "")
        )
        for commit in result.commits:
            click.echo(f"  {click.style(commit.sha[:7], fg='yellow')} {commit.subject}")
    if result.conflicts:
        click.echo(f"an update would conflict in {_count(len(result.conflicts), 'file')}:")
        for path in result.conflicts:
            click.echo(f"  {click.style(path, fg='red')}")
    elif result.conflicts is not None and not result.up_to_date:
        click.echo("an update would merge without conflicts")
    if result.up_to_date:
        click.echo(
            click.style("up to date", fg="green")
            + f": the template has nothing newer than {result.current_version}"
        )
    else:
        click.echo(
            click.style("update available", fg="yellow")
            + f": {result.current_version} -> {result.latest_version}; "
            "`templsync update` brings it in"
        )


def _version(shown: str | None, recorded: str | None) -> str:
    if recorded is None or shown == recorded:
        return shown or "?"
    return f"{shown} ({recorded})"


def _pep440(version: Version | None) -> str | None:
    return None if version is None else str(version)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def result_dict(result: CheckResult) -> dict[str, Any]:
    """The check as JSON-ready data; the first three keys are ``copier check-update``'s."""
    return {
        "update_available": not result.up_to_date,
        "current_version": result.current_version,
        "latest_version": result.latest_version,
        "up_to_date": result.up_to_date,
        "path": str(result.root),
        "answers_file": result.answers_file,
        "src_path": result.src_path,
        "current": {
            "commit": result.current.recorded,
            "commit_sha": result.current.commit,
            "version": _pep440(result.current.version),
        },
        "latest": {
            "commit": result.latest.recorded,
            "commit_sha": result.latest.commit,
            "version": _pep440(result.latest.version),
        },
        "versions_behind": len(result.versions),
        "versions": list(result.versions),
        "commits_behind": len(result.commits),
        "commits": [{"sha": c.sha, "subject": c.subject} for c in result.commits],
        "conflicts": None if result.conflicts is None else list(result.conflicts),
    }
