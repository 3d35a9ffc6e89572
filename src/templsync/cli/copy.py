"""``templsync copy SRC DST``: a new project from a template, with ``copier copy``'s flags."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from templsync._warned import unique
from templsync.cli.options import (
    ask_option,
    data_from,
    dry_run_option,
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
    stderr,
    stdout,
    summary,
)
from templsync.cli.recover import describe

if TYPE_CHECKING:
    from templsync.instance.copy import CopyResult
    from templsync.template.answering import QuestionPrompt

HELP = """Make a new project in DST from the template SRC, as `copier copy` does.

SRC is a template folder, a git repository (read at its highest version tag, or --vcs-ref),
or a git URL (https://…, git@host:owner/repo, gh:owner/repo, gl:owner/repo). The questions
of its copier.yml are answered from --data and --data-file, then from their defaults with
--defaults, else asked (only when stdin is a terminal). The project is rendered in memory and
written at once, or not at all. Files that already exist and differ are not replaced without
--overwrite. The template's tasks run afterwards, and only for a trusted template (--trust,
or Copier's trust list in its settings.yml); when one fails, DST is removed again if this copy
made it (--no-cleanup keeps it).

Example:

  templsync copy gh:org/service-template my-service --data project_name=billing --defaults

  templsync copy ./template ./out --vcs-ref v2.0.0 --dry-run
"""


def register(group: click.Group) -> None:
    group.add_command(copy_command)


@click.command(name="copy", help=help_text(HELP), short_help=summary(HELP))
@click.argument("src", help="The template: a folder, a git repository or URL.")
@click.argument("dst", type=click.Path(path_type=Path), help="The folder to make the project in.")
@click.option(
    "--vcs-ref",
    "-r",
    help="The template version (tag, branch, commit). Default: the highest PEP 440 "
    "tag, else HEAD. HEAD includes a local repository's uncommitted changes.",
)
@click.option(
    "--data", "-d", multiple=True, metavar="NAME=VALUE", help="Answer a question (repeatable)."
)
@click.option(
    "--data-file",
    type=click.Path(path_type=Path),
    help="A YAML file of answers; --data wins over it.",
)
@click.option("--defaults", "-l", is_flag=True, help="Take the default of every other question.")
@ask_option
@click.option("--overwrite", "-w", is_flag=True, help="Replace existing files that differ.")
@click.option("--force", "-f", is_flag=True, help="Same as --defaults --overwrite.")
@dry_run_option("Show every file that would be written; write none.", pretend="Copier's name")
@click.option("--exclude", "-x", multiple=True, help="Also exclude files matching this pattern.")
@click.option("--skip", "-s", multiple=True, help="Keep existing files matching this pattern.")
@click.option(
    "--trust",
    "--UNSAFE",
    "trust",
    is_flag=True,
    help="Trust the template: allow its Jinja extensions and tasks.",
)
@click.option("--skip-tasks", "-T", is_flag=True, help="Do not run the template's tasks.")
@click.option(
    "--no-cleanup",
    "-C",
    is_flag=True,
    help="When a task fails, keep DST (removed by default when this copy made it).",
)
@click.option("--answers-file", "-a", help="Where to write the answers file, relative to DST.")
@quiet_option()
@click.option(
    "--prereleases", "-g", is_flag=True, help="Let pre-release tags be the default version."
)
@click.option("--refresh", is_flag=True, help="Fetch a remote template's cached mirror first.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document describing the copy."
)
@limit_options
def copy_command(
    src: str,
    dst: Path,
    vcs_ref: str | None,
    data: tuple[str, ...],
    data_file: Path | None,
    defaults: bool,
    ask: tuple[str, ...],
    overwrite: bool,
    force: bool,
    pretend: bool,
    exclude: tuple[str, ...],
    skip: tuple[str, ...],
    trust: bool,
    skip_tasks: bool,
    no_cleanup: bool,
    answers_file: str | None,
    quiet: bool,
    prereleases: bool,
    refresh: bool,
    as_json: bool,
) -> None:
    from templsync.cli.tasks import task_announcer, task_runner
    from templsync.instance.copy import CopyOptions, copy

    interactive = sys.stdin.isatty() and not as_json
    err = stderr()
    chatty = not quiet and not as_json

    def message(text: str) -> None:
        if chatty:
            err.print(escape(text))

    spinner = chatty and not interactive
    with collected_warnings(quiet=quiet) as noted:
        options = CopyOptions(
            vcs_ref=vcs_ref,
            data=data_from(data, data_file),
            defaults=defaults or force,
            always_ask=ask,
            overwrite=overwrite or force,
            pretend=pretend,
            exclude=exclude,
            skip_if_exists=skip,
            trust=trust,
            **user_settings_fields(),
            skip_tasks=skip_tasks,
            cleanup_on_error=not no_cleanup,
            answers_file=answers_file,
            prereleases=prereleases,
            quiet=quiet,
            refresh=refresh,
            limits=render_limits(),
        )
        with err.status("Rendering the template…") if spinner else nullcontext():
            result = copy(
                src,
                dst,
                options,
                ask=ask_question if interactive else None,
                on_message=message,
                on_task=task_announcer(quiet=quiet, pretend=pretend),
                run_task=task_runner(as_json=as_json),
            )
    result = dataclasses.replace(result, warnings=unique([*noted, *result.warnings]))
    if as_json:
        print_json(result_dict(result))
        return
    _report(result, quiet=quiet)


def _report(result: CopyResult, *, quiet: bool) -> None:
    err = stderr()
    out = stdout()
    if result.recovered is not None and not quiet:
        err.print(f"[yellow]recovered[/] {escape(str(result.dst))}: {describe(result.recovered)}")
    print_warnings(result.warnings, quiet=quiet)
    rows = [
        *(("create", "green", p) for p in result.created),
        *(("create", "green", f"{p}/") for p in result.folders),
        *(("overwrite", "yellow", p) for p in result.overwritten),
        *(("identical", "dim", p) for p in result.identical),
        *(("skip", "cyan", p) for p in result.skipped),
    ]
    rows.sort(key=lambda row: row[2])
    if result.pretend:
        for label, style, path in rows:
            out.print(f"[{style}]{label:>9}[/] {escape(path)}")
    elif not quiet:
        for label, style, path in rows:
            err.print(f"[{style}]{label:>9}[/] {escape(path)}")
    if result.message_after and not quiet:
        err.print(escape(result.message_after))
    if quiet:
        return
    version = result.version.recorded or result.version.ref or "the folder as it is"
    counts = [
        f"{len(result.created)} created",
        f"{len(result.overwritten)} overwritten",
        f"{len(result.skipped)} kept",
    ]
    tasks = f", {len(result.tasks)} task(s) {'to run' if result.pretend else 'run'}"
    verb = "would copy" if result.pretend else "copied"
    out.print(
        f"{verb} {escape(result.src_path)} ({escape(version)}) into {escape(str(result.dst))}: "
        f"{', '.join(counts)}{tasks if result.tasks else ''}"
        + ("; nothing was written" if result.pretend else "")
    )


def result_dict(result: CopyResult) -> dict[str, Any]:
    """The copy as JSON-ready data."""
    return {
        "src_path": result.src_path,
        "dst": str(result.dst),
        "commit": result.version.recorded,
        "commit_sha": result.version.commit,
        "pretend": result.pretend,
        "created": list(result.created),
        "overwritten": list(result.overwritten),
        "identical": list(result.identical),
        "skipped": list(result.skipped),
        "folders": list(result.folders),
        "answers_file": result.answers_file,
        "answers": json.loads(json.dumps(dict(result.answers.remembered), default=str)),
        "tasks": [c.shown for c in result.tasks],
        "message_after": result.message_after,
        "warnings": [str(w) for w in result.warnings],
    }


def ask_question(prompt: QuestionPrompt) -> object:
    """Ask one question at the terminal with questionary, as Copier lays it out."""
    import questionary  # prompt_toolkit is slow to import; only a terminal needs it

    def validate(answer: object) -> bool | str:
        why = prompt.validate(answer)
        return True if why is None else why

    qmark = prompt.qmark or ("🕵️" if prompt.secret else "🎤")
    question: Any
    if prompt.choices:
        choices = [
            questionary.Choice(
                title=c.name,
                value=c.value,
                disabled=c.disabled or None,
                checked=i < len(prompt.checked) and prompt.checked[i],
            )
            for i, c in enumerate(prompt.choices)
        ]
        if prompt.multiselect:
            question = questionary.checkbox(
                prompt.message, choices=choices, qmark=qmark, validate=validate
            )
        else:
            default = next((c for c in choices if c.value == prompt.default), None)
            question = questionary.select(
                prompt.message, choices=choices, qmark=qmark, default=default
            )
    elif prompt.type_name == "bool":
        yes = prompt.default if isinstance(prompt.default, bool) else False
        question = questionary.confirm(prompt.message, default=yes, qmark=qmark)
    else:
        ask: Callable[..., Any] = questionary.text
        if prompt.secret:
            ask = questionary.password
        elif prompt.type_name == "path":
            ask = questionary.path
        kwargs: dict[str, Any] = {"default": _shown(prompt.default), "qmark": qmark}
        if ask is questionary.text:
            kwargs["multiline"] = prompt.multiline
        if prompt.placeholder and ask is not questionary.path:
            kwargs["placeholder"] = prompt.placeholder
        question = ask(prompt.message, validate=validate, **kwargs)
    try:
        return question.unsafe_ask()
    except EOFError as err:  # the input ended (Ctrl-D, or a closed pipe)
        from templsync.errors import InteractiveSessionError

        raise InteractiveSessionError(
            f"Interactive session required: Use `--defaults` and/or `--data`/`--data-file` to "
            f"answer the question '{prompt.name}': the input ended before it was answered."
        ) from err


def _shown(default: object) -> str:
    """A default as the text a person edits (Copier's ``get_default_rendered``)."""
    from templsync.template.questions import MISSING

    if default is None or default is MISSING:
        return ""
    if isinstance(default, dict | list):
        return json.dumps(default)
    if isinstance(default, bool):
        return "true" if default else "false"
    return str(default)
