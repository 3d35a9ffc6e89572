"""``templsync backport INSTANCE``: an instance's customizations brought back into its template."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from templsync.cli.options import dry_run_option, json_option, quiet_option
from templsync.cli.output import (
    collected_warnings,
    escape,
    help_text,
    print_json,
    print_warnings,
    stdout,
    summary,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from templsync.backport.port import BackportResult
    from templsync.backport.reverse import HunkMapping
    from templsync.backport.roundtrip import Check
    from templsync.errors import TemplsyncWarning

HELP = """Bring the customizations of the instance INSTANCE back into its template.

What is ported: the instance's files against its template rendered at its recorded version with
its answers (edits, new files, deletions), or its change between two of its commits
(--commits A..B); --paths narrows either. Each path is mapped back through the render's source
map (templated file and folder names reversed) and each hunk of a templated file through the
render's line origins: answer values become their variables as the template spells them
(orders-api -> {{ project_slug | replace('_', '-') }}), only whole words, never booleans, numbers
or short answers; the template's own text is kept where the instance kept it. A hunk that
cannot be mapped (inside what an expression printed, in a loop, on a {% %} line) is reported
with its text and left out, never guessed.

Every back-port is checked: the new template, rendered with the instance's answers, must give
the instance's change, per hunk; what does not is left out and said. The result is merged
three ways into the template's working tree (base: its source at the instance's version) on a
new branch (--branch, default templsync/backport-INSTANCE) and committed with a message naming
the instance. The template (where _src_path leads, or --template PATH) must be a local git
repository with nothing uncommitted. Updating the instance to the new version afterwards is
clean: nothing ported is duplicated or a conflict.

Example:

  templsync backport services/orders --dry-run

  templsync backport services/orders --template ../service-template --paths 'src/**' --json

  templsync backport . --commits v1.4.0..HEAD --branch backport/orders-retries
"""


def register(group: click.Group) -> None:
    group.add_command(backport_command)


@click.command(name="backport", help=help_text(HELP), short_help=summary(HELP))
@click.argument(
    "instance",
    type=click.Path(path_type=Path, file_okay=False),
    default=".",
    required=False,
    help="The instance's folder (default: here).",
)
@click.option(
    "--template",
    "-t",
    type=click.Path(path_type=Path, file_okay=False),
    metavar="PATH",
    help="The template's repository (default: where the answers file's _src_path leads).",
)
@click.option(
    "--commits",
    metavar="A..B",
    help="Port the instance's change between two of its commits (A.. ends at HEAD).",
)
@click.option(
    "--paths",
    multiple=True,
    metavar="GLOB",
    help="Port only the paths this gitignore-style pattern matches (repeatable).",
)
@click.option("--branch", metavar="NAME", help="The branch to make in the template's repository.")
@click.option(
    "--answers-file",
    "-a",
    metavar="FILE",
    help="The instance's answers file (default .copier-answers.yml).",
)
@click.option("--trust", is_flag=True, help="Trust the template: allow its Jinja extensions.")
@dry_run_option("Show the template's diff and every hunk's mapping; write nothing.")
@quiet_option("Print errors, hunks that were not ported, and the summary only.")
@json_option("Print one JSON document: every path and hunk, its mapping and check.")
def backport_command(
    instance: Path,
    template: Path | None,
    commits: str | None,
    paths: tuple[str, ...],
    branch: str | None,
    answers_file: str | None,
    trust: bool,
    pretend: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    from templsync.backport.port import BackportOptions, backport
    from templsync.errors import ConflictsLeft

    options = BackportOptions(
        template=template,
        commits=commits,
        paths=paths,
        branch=branch,
        dry_run=pretend,
        trust=trust,
        answers_file=answers_file,
    )
    with collected_warnings(quiet=quiet or as_json) as noted:
        result = backport(instance, options)
    if as_json:
        print_json(result_dict(result, noted))
    else:
        print_warnings(noted, quiet=quiet)
        _report(result, quiet=quiet)
    if result.conflicts and not result.dry_run:
        raise ConflictsLeft([c.path for c in result.conflicts])


def _hunk_text(hunk: HunkMapping) -> list[str]:
    lines = [f"- {line.rstrip(chr(10))}" for line in hunk.removed]
    lines += [f"+ {line.rstrip(chr(10))}" for line in hunk.added]
    return lines


def _where(hunk: HunkMapping) -> str:
    if hunk.rendered_start == hunk.rendered_end:
        return f"after line {hunk.rendered_start}"
    if hunk.rendered_end - hunk.rendered_start == 1:
        return f"line {hunk.rendered_start + 1}"
    return f"lines {hunk.rendered_start + 1}-{hunk.rendered_end}"


def _print_check(check: Check, *, quiet: bool) -> None:
    out = stdout()
    hunk = check.hunk
    where = f" {_where(hunk)}" if hunk is not None and hunk.removed else ""
    if check.verified:
        if not quiet:
            note = f" [dim]({escape(hunk.note)})[/]" if hunk is not None and hunk.note else ""
            out.print(f"    [green]verified[/]{where}{note}")
        return
    mapped = hunk is not None and hunk.mapped
    label = "not verified" if mapped else "not ported"
    out.print(f"    [red]{label}[/]{where}: {escape(check.why or '')}")
    if hunk is not None:
        for line in _hunk_text(hunk):
            style = "red" if line.startswith("-") else "green"
            out.print(f"      [{style}]{escape(line)}[/]")


def _report(result: BackportResult, *, quiet: bool) -> None:
    out = stdout()
    checks: dict[str, list[Check]] = {}
    for check in result.checks:
        checks.setdefault(check.path, []).append(check)
    for ported in result.files:
        own = checks.get(ported.path, [])
        if quiet and all(c.verified for c in own):
            continue
        target = ""
        if ported.template_path and ported.template_path != ported.path:
            target = f" -> {escape(ported.template_path)}"
        out.print(f"[cyan]{ported.action.value:>6}[/] {escape(ported.path)}{target}")
        for check in own:
            _print_check(check, quiet=quiet)
    if result.dry_run and not quiet:
        from templsync._core.diff import diff_trees
        from templsync.cli.render import print_patch

        for change in diff_trees(result.before, result.after).changes:
            print_patch(out, change)
    verified = len(result.verified)
    total = len(result.checks)
    skipped = total - verified
    where = escape(str(result.template))
    if not result.files:
        out.print(f"nothing to back-port: {escape(str(result.instance))} has no customizations")
        return
    if result.dry_run:
        tail = f"would change {len(result.plan)} file(s) of {where}; nothing was written"
    elif not result.plan:
        tail = f"{where} has all of it already: nothing was written"
    elif result.commit is not None:
        tail = f"committed on {escape(result.branch or '')} ({result.commit[:12]}) in {where}"
    else:
        tail = (
            f"written on {escape(result.branch or '')} in {where} with conflicts: resolve them, "
            "then commit"
        )
    left = f", {skipped} not ported (listed above)" if skipped else ""
    out.print(
        f"back-port of {escape(str(result.instance))}: {verified} of {total} verified{left}; {tail}"
    )


def _hunk_dict(hunk: HunkMapping) -> dict[str, Any]:
    return {
        "rendered_start": hunk.rendered_start + 1,
        "rendered_end": hunk.rendered_end,
        "removed": list(hunk.removed),
        "added": list(hunk.added),
        "template_start": hunk.template_start + 1 if hunk.template_start is not None else None,
        "template_end": hunk.template_end,
        "template_lines": list(hunk.template_lines) if hunk.template_lines is not None else None,
        "note": hunk.note,
    }


def result_dict(result: BackportResult, warnings: Sequence[TemplsyncWarning]) -> dict[str, Any]:
    """The back-port as JSON-ready data."""
    from templsync.cli.render import conflict_dict

    checks: dict[str, list[Check]] = {}
    for check in result.checks:
        checks.setdefault(check.path, []).append(check)
    return {
        "instance": str(result.instance),
        "template": str(result.template),
        "commit": result.version.recorded,
        "dry_run": result.dry_run,
        "branch": result.branch,
        "template_commit": result.commit,
        "files": [
            {
                "path": ported.path,
                "action": ported.action.value,
                "old_path": ported.old_path,
                "template_path": ported.template_path,
                "old_template_path": ported.old_template_path,
                "templated": ported.templated,
                "reason": ported.reason,
                "checks": [
                    {
                        "verified": c.verified,
                        "why": c.why,
                        "hunk": _hunk_dict(c.hunk) if c.hunk is not None else None,
                    }
                    for c in checks.get(ported.path, [])
                ],
            }
            for ported in result.files
        ],
        "verified": len(result.verified),
        "not_verified": len(result.not_verified),
        "written": [op.path for op in result.plan.ops],
        "conflicts": [conflict_dict(c) for c in result.conflicts],
        "warnings": [str(w) for w in warnings],
    }
