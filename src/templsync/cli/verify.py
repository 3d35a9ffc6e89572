"""``templsync verify TEMPLATE -- COMMAND...``: run a command in a fresh instance of a template."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from templsync.cli.options import (
    data_from,
    dry_run_option,
    json_option,
    quiet_option,
    user_settings_fields,
)
from templsync.cli.output import (
    collected_warnings,
    escape,
    help_text,
    print_json,
    print_warnings,
    stderr,
    stdout,
    summary,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from templsync.backport.verify import VerifyResult, VerifyRun
    from templsync.errors import TemplsyncWarning

HELP = """Run COMMAND in a fresh instance of TEMPLATE, and exit with its exit code.

The template's test instance, without keeping one: TEMPLATE (a folder or git repository, as it
is in its working tree with uncommitted changes, or at --vcs-ref) is copied into a new temporary
folder with the answers of --data (the questions' defaults for the rest, nothing asked),
COMMAND runs there with its output shown as it comes, and the folder is removed. --keep DIR
keeps the instance in DIR. --matrix FILE makes one instance per answer set in FILE (one per
line as NAME=VALUE words, or a YAML list of mappings, each over --data) and prints one row each.
The template's tasks run only when it is trusted (--trust). Give COMMAND after `--`.

Example:

  templsync verify . -d project_name=billing -- uv run pytest

  templsync verify templates/service --vcs-ref 2.0.0 --keep /tmp/billing -- make test

  templsync verify . --matrix answer-sets.yml --json -- uv run pytest -x
"""


def register(group: click.Group) -> None:
    group.add_command(verify_command)


@click.command(name="verify", help=help_text(HELP), short_help=summary(HELP))
@click.argument("template", help="The template: a folder, a git repository or URL.")
@click.argument("command", nargs=-1, required=True, metavar="-- COMMAND...")
@click.option(
    "--data", "-d", multiple=True, metavar="NAME=VALUE", help="Answer a question (repeatable)."
)
@click.option(
    "--data-file",
    type=click.Path(path_type=Path),
    help="A YAML file of answers; --data wins over it.",
)
@click.option(
    "--vcs-ref",
    "-r",
    metavar="REF",
    help="The template version (tag, branch, commit). Default: its working tree as it is.",
)
@click.option(
    "--keep",
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="Keep the instance in DIR (new or empty; a matrix gets DIR/1, DIR/2, ...).",
)
@click.option(
    "--matrix",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Answer sets to run, one instance each: NAME=VALUE lines or a YAML list.",
)
@click.option(
    "--trust", is_flag=True, help="Trust the template: allow its Jinja extensions and tasks."
)
@click.option("--skip-tasks", "-T", is_flag=True, help="Do not run the template's tasks.")
@dry_run_option("Render every answer set in memory; run nothing and write nothing.")
@quiet_option("Print errors and the command's output only.")
@json_option("Print one JSON document of the runs (the command's output goes to stderr).")
def verify_command(
    template: str,
    command: tuple[str, ...],
    data: tuple[str, ...],
    data_file: Path | None,
    vcs_ref: str | None,
    keep: Path | None,
    matrix: Path | None,
    trust: bool,
    skip_tasks: bool,
    pretend: bool,
    quiet: bool,
    as_json: bool,
) -> int:
    from templsync.backport.matrix import read_matrix
    from templsync.backport.verify import VerifyOptions, run_verify_command, verify
    from templsync.cli.tasks import task_announcer, task_runner

    chatty = not quiet and not as_json
    options = VerifyOptions(
        vcs_ref=vcs_ref,
        data=data_from(data, data_file),
        matrix=read_matrix(matrix) if matrix is not None else (),
        keep=keep,
        trust=trust,
        trust_list=user_settings_fields()["trust_list"],
        skip_tasks=skip_tasks,
        dry_run=pretend,
    )

    def announce(number: int, folder: Path | None, answers: Mapping[str, object]) -> None:
        if not chatty:
            return
        total = len(options.matrix) or 1
        where = f" in {escape(str(folder))}" if folder is not None else ""
        count = f"[{number}/{total}] " if total > 1 else ""
        verb = "rendering" if pretend else "making an instance"
        stderr().print(f"[cyan]{count}{verb}[/] ({escape(_answers(answers))}){where}")

    with collected_warnings(quiet=quiet or as_json) as noted:
        result = verify(
            template,
            command,
            options,
            on_run=announce,
            on_task=task_announcer(quiet=not chatty, pretend=False),
            run_task=task_runner(as_json=as_json),
            run=partial(run_verify_command, output_to_stderr=as_json),
        )
    if as_json:
        print_json(_result_dict(result, noted))
    elif not quiet:
        print_warnings(noted, quiet=quiet)
        _report(result)
    return result.exit_code


def _answers(answers: Mapping[str, object]) -> str:
    shown = ", ".join(f"{k}={v}" for k, v in answers.items())
    return shown or "defaults"


def _outcome(run: VerifyRun) -> tuple[str, str]:
    if run.error is not None:
        return "red", f"not made: {run.error}"
    if run.code is None:
        return "green", f"renders {run.files} files"
    if run.code == 0:
        return "green", f"passed in {run.seconds:.1f} s"
    return "red", f"failed (exit {run.code}) in {run.seconds:.1f} s"


def _report(result: VerifyResult) -> None:
    out = stdout()
    if len(result.runs) > 1:
        from rich.table import Table

        table = Table(box=None, pad_edge=False)
        for name in ("#", "answers", "result", "instance"):
            table.add_column(name)
        for run in result.runs:
            style, text = _outcome(run)
            kept = str(run.folder) if run.kept and run.folder is not None else ""
            table.add_row(
                str(run.number), _answers(run.answers), f"[{style}]{escape(text)}[/]", kept
            )
        out.print(table)
    passed = sum(r.passed for r in result.runs)
    version = result.version.recorded or result.version.ref or "its working tree"
    if result.version.dirty:
        version += " with uncommitted changes"
    if result.dry_run:
        out.print(
            f"would make {len(result.runs)} instance(s) of {escape(result.template)} ({version}) "
            f"and run {escape(' '.join(result.command))}; nothing was run or written"
        )
        return
    if len(result.runs) == 1:
        only = result.runs[0]
        style, text = _outcome(only)
        kept_in = only.folder if only.kept else None
        where = f"; the instance is in {escape(str(kept_in))}" if kept_in is not None else ""
        shown = f"[{style}]{escape(text)}[/]"
        out.print(f"verify {escape(result.template)} ({escape(version)}): {shown}{where}")
        return
    out.print(
        f"verify {escape(result.template)} ({version}): {passed} of {len(result.runs)} "
        "answer sets passed"
    )


def _result_dict(result: VerifyResult, warnings: Sequence[TemplsyncWarning]) -> dict[str, Any]:
    import json

    return {
        "template": result.template,
        "commit": result.version.recorded,
        "commit_sha": result.version.commit,
        "uncommitted_changes": result.version.dirty,
        "command": list(result.command),
        "dry_run": result.dry_run,
        "exit_code": result.exit_code,
        "runs": [
            {
                "number": run.number,
                "answers": json.loads(json.dumps(dict(run.answers), default=str)),
                "exit_code": run.code,
                "passed": run.passed,
                "seconds": round(run.seconds, 3),
                "files": run.files,
                "instance": str(run.folder) if run.kept and run.folder is not None else None,
                "error": run.error,
            }
            for run in result.runs
        ],
        "warnings": [str(w) for w in warnings],
    }
