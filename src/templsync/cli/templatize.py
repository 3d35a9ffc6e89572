"""``templsync templatize PROJECT --out TEMPLATE --var NAME=VALUE...``: a project as a template."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from templsync.cli.options import dry_run_option, json_option, quiet_option
from templsync.cli.output import escape, help_text, print_json, stderr, stdout, summary
from templsync.errors import UserError

if TYPE_CHECKING:
    from templsync.backport.templatize import TemplatizeResult

HELP = """Turn the working project PROJECT into a Copier template.

Every occurrence of each --var value in file contents and in file and folder names, as a whole
word (orders in list_orders, never in reorders), and of its case variants (snake, kebab, Title,
UPPER, Camel), becomes its variable; the longest value wins where several match. Only files
that got a variable become templates (.jinja); text that looks like Jinja is escaped. copier.yml
gets one question per variable (the value as its default) and the answers file's template is
added. The project is read as git would commit it (.gitignore'd files left out).

--check (on by default) copies the template in memory with the values and fails, writing
nothing, unless it gives back every file of the project byte for byte. The template is written
to --out (a new or empty folder) and/or committed as the whole content of --branch in the
project's repository, without a checkout (the branch's tip as parent): a `copier` branch made
again on each release.

Example:

  templsync templatize . --out ../template --var project_slug=orders_api --var resource=orders

  templsync templatize services/orders --branch copier --var project_slug=orders_api --dry-run
"""


def register(group: click.Group) -> None:
    group.add_command(templatize_command)


def _variable(pair: str) -> tuple[str, str]:
    name, sep, value = pair.partition("=")
    if not sep or not name:
        raise UserError(f"--var {pair!r} is not NAME=VALUE. Example: --var project_slug=orders_api")
    return name, value


@click.command(name="templatize", help=help_text(HELP), short_help=summary(HELP))
@click.argument(
    "project", type=click.Path(path_type=Path, file_okay=False), help="The project's folder."
)
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path, dir_okay=True, file_okay=False),
    metavar="TEMPLATE",
    help="Write the template to this new or empty folder.",
)
@click.option(
    "--var",
    "variables",
    multiple=True,
    metavar="NAME=VALUE",
    help="A value that becomes the variable NAME (repeatable).",
)
@click.option(
    "--branch",
    metavar="NAME",
    help="Commit the template as branch NAME of the project's repository.",
)
@click.option(
    "--check/--no-check",
    default=True,
    show_default=True,
    help="Copy the template with the values first; it must give the project back.",
)
@dry_run_option("Make and check the template, list its files; write nothing.")
@quiet_option()
@json_option("Print one JSON document: the template's files, what was left out, the check.")
def templatize_command(
    project: Path,
    out: Path | None,
    variables: tuple[str, ...],
    branch: str | None,
    check: bool,
    pretend: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    from templsync.backport.templatize import TemplatizeOptions, templatize

    options = TemplatizeOptions(
        tuple(_variable(v) for v in variables), out, branch, check=check, dry_run=pretend
    )
    result = templatize(project, options)
    if as_json:
        print_json(_result_dict(result))
        return
    _report(result, quiet=quiet)


def _report(result: TemplatizeResult, *, quiet: bool) -> None:
    draft = result.draft
    shown = stdout() if result.dry_run else stderr()
    if not quiet:
        for made in draft.files:
            if made.variables or result.dry_run:
                style, label = ("green", "template") if made.templated else ("dim", "copy")
                names = f" [dim]({', '.join(made.variables)})[/]" if made.variables else ""
                shown.print(f"[{style}]{label:>9}[/] {escape(made.path)}{names}")
        for path, why in draft.left_out:
            stderr().print(f"[yellow]left out[/] {escape(path)}: {escape(why)}")
    if quiet:
        return
    templated = sum(f.templated for f in draft.files)
    uses = ", ".join(f"{name} in {n}" for name, n in draft.uses().items())
    where = []
    if result.out is not None:
        where.append(f"in {escape(str(result.out))}")
    if result.branch is not None:
        if result.unchanged:
            where.append(f"on {escape(result.branch)} (unchanged: no new commit)")
        elif result.commit is not None:
            where.append(f"on {escape(result.branch)} ({result.commit[:12]})")
        else:
            where.append(f"on {escape(result.branch)}")
    verb = "would make" if result.dry_run else "made"
    checked = "; copied back byte for byte" if result.checked else "; not checked"
    stdout().print(
        f"{verb} a template of {escape(str(result.project))} {' and '.join(where)}: "
        f"{len(draft.files)} files, {templated} templated ({escape(uses)}){checked}"
        + ("; nothing was written" if result.dry_run else "")
    )


def _result_dict(result: TemplatizeResult) -> dict[str, Any]:
    draft = result.draft
    return {
        "project": str(result.project),
        "out": str(result.out) if result.out is not None else None,
        "branch": result.branch,
        "commit": result.commit,
        "unchanged": result.unchanged,
        "dry_run": result.dry_run,
        "checked": result.checked,
        "variables": [
            {"name": s.variable, "text": s.text, "expression": s.expression}
            for s in draft.spellings
        ],
        "files": [
            {
                "source": f.source,
                "path": f.path,
                "templated": f.templated,
                "variables": list(f.variables),
            }
            for f in draft.files
        ],
        "left_out": [{"path": p, "reason": why} for p, why in draft.left_out],
    }
