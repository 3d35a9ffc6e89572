"""``templsync copy SRC DST``: a new project from a template, with ``copier copy``'s flags."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from templsync.cli.output import escape, help_text, print_json, stderr, stdout
from templsync.cli.recover import describe
from templsync.errors import UserError
from templsync.instance import Command, CopyOptions, CopyResult, copy
from templsync.instance.tasks import run_command
from templsync.template.answering import QuestionPrompt
from templsync.template.questions import MISSING
from templsync.template.trust import load_trust_list, settings_path

HELP = """Make a new project in DST from the template SRC, as `copier copy` does.

SRC is a template folder, a git repository (read at its highest version tag, or --vcs-ref),
or a git URL (https://…, git@host:owner/repo, gh:owner/repo, gl:owner/repo). The questions
of its copier.yml are answered from --data and --data-file, then from their defaults with
--defaults, else asked (only when stdin is a terminal). The project is rendered in memory and
written at once, or not at all. Files that already exist and differ are not replaced without
--overwrite. The template's tasks run afterwards, and only for a trusted template (--trust,
or Copier's trust list in its settings.yml).

Example:

  templsync copy gh:org/service-template my-service --data project_name=billing --defaults

  templsync copy ./template ./out --vcs-ref v2.0.0 --pretend
"""


def register(app: typer.Typer) -> None:
    app.command(name="copy", help=help_text(HELP))(copy_command)


def copy_command(
    src: Annotated[str, typer.Argument(help="The template: a folder, a git repository or URL.")],
    dst: Annotated[Path, typer.Argument(help="The folder to make the project in.")],
    vcs_ref: Annotated[
        str | None,
        typer.Option(
            "--vcs-ref",
            "-r",
            help="The template version (tag, branch, commit). Default: the highest PEP 440 "
            "tag, else HEAD. HEAD includes a local repository's uncommitted changes.",
        ),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option("--data", "-d", metavar="NAME=VALUE", help="Answer a question (repeatable)."),
    ] = None,
    data_file: Annotated[
        Path | None,
        typer.Option("--data-file", help="A YAML file of answers; --data wins over it."),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", "-l", help="Take the default of every other question.")
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", "-w", help="Replace existing files that differ.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Same as --defaults --overwrite.")
    ] = False,
    pretend: Annotated[
        bool,
        typer.Option("--pretend", "-n", help="Show every file that would be written; write none."),
    ] = False,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", "-x", help="Also exclude files matching this pattern."),
    ] = None,
    skip: Annotated[
        list[str] | None,
        typer.Option("--skip", "-s", help="Keep existing files matching this pattern."),
    ] = None,
    trust: Annotated[
        bool,
        typer.Option(
            "--trust",
            "--UNSAFE",
            help="Trust the template: allow its Jinja extensions and tasks.",
        ),
    ] = False,
    skip_tasks: Annotated[
        bool, typer.Option("--skip-tasks", "-T", help="Do not run the template's tasks.")
    ] = False,
    answers_file: Annotated[
        str | None,
        typer.Option(
            "--answers-file", "-a", help="Where to write the answers file, relative to DST."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
    prereleases: Annotated[
        bool,
        typer.Option("--prereleases", "-g", help="Let pre-release tags be the default version."),
    ] = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Fetch a remote template's cached mirror first.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document describing the copy.")
    ] = False,
) -> None:
    interactive = sys.stdin.isatty() and not as_json
    options = CopyOptions(
        vcs_ref=vcs_ref,
        data=_data(data or [], data_file),
        defaults=defaults or force,
        overwrite=overwrite or force,
        pretend=pretend,
        exclude=tuple(exclude or ()),
        skip_if_exists=tuple(skip or ()),
        trust=trust,
        trust_list=load_trust_list(settings_path(os.environ)),
        skip_tasks=skip_tasks,
        answers_file=answers_file,
        prereleases=prereleases,
        quiet=quiet,
        refresh=refresh,
    )
    err = stderr()
    chatty = not quiet and not as_json

    def message(text: str) -> None:
        if chatty:
            err.print(escape(text))

    def announce(command: Command) -> None:
        if not quiet:
            err.print(
                f"[cyan] > Running task {command.index} of {command.total}:[/] "
                f"{escape(command.shown)}"
            )

    spinner = chatty and not interactive
    with _status("Rendering the template…") if spinner else nullcontext():
        result = copy(
            src,
            dst,
            options,
            ask=ask_question if interactive else None,
            on_message=message,
            on_task=announce,
            run_task=partial(run_command, output_to_stderr=as_json),
        )
    if as_json:
        print_json(result_dict(result))
        return
    _report(result, quiet=quiet)


def _data(pairs: list[str], data_file: Path | None) -> dict[str, object]:
    """``--data-file`` then ``--data NAME=VALUE`` (values are strings, as Copier keeps them)."""
    data: dict[str, object] = {}
    if data_file is not None:
        try:
            loaded = yaml.safe_load(data_file.read_bytes())
        except OSError as e:
            raise UserError(f"cannot read the --data-file {data_file}: {e.strerror or e}") from e
        except yaml.YAMLError as e:
            raise UserError(f"the --data-file {data_file} is not valid YAML: {e}") from e
        if loaded is not None and not isinstance(loaded, dict):
            raise UserError(
                f"the --data-file {data_file} must hold a mapping of question names to answers."
            )
        data.update({str(k): v for k, v in (loaded or {}).items()})
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UserError(f"--data {pair!r} is not NAME=VALUE. Example: --data name=demo")
        data[name] = value
    return data


@contextmanager
def _status(text: str) -> Iterator[None]:
    with stderr().status(text):
        yield


def _report(result: CopyResult, *, quiet: bool) -> None:
    err = stderr()
    out = stdout()
    if result.recovered is not None and not quiet:
        err.print(f"[yellow]recovered[/] {escape(str(result.dst))}: {describe(result.recovered)}")
    for warning in result.warnings:
        if not quiet:
            err.print(f"[yellow]warning:[/] {escape(warning)}")
    rows = [
        *(("create", "green", p) for p in result.created),
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
    version = result.version.recorded or "the folder as it is"
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
        "answers_file": result.answers_file,
        "answers": json.loads(json.dumps(dict(result.answers.remembered), default=str)),
        "tasks": [c.shown for c in result.tasks],
        "message_after": result.message_after,
        "warnings": list(result.warnings),
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
                checked=prompt.multiselect
                and isinstance(prompt.default, list)
                and c.value in prompt.default,
            )
            for c in prompt.choices
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
    answer = question.unsafe_ask()
    return answer


def _shown(default: object) -> str:
    """A default as the text a person edits (Copier's ``get_default_rendered``)."""
    if default is None or default is MISSING:
        return ""
    if isinstance(default, dict | list):
        return json.dumps(default)
    if isinstance(default, bool):
        return "true" if default else "false"
    return str(default)
