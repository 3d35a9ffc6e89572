"""Options several commands share (copy, update, recopy), declared once.

``template_options`` are Copier's flags for reading and trusting a template; ``answer_options``
answer its questions. Both land in the command's ``**common`` keyword arguments.
``limit_options`` are the render's limits, on every command that renders a template; they are
kept in click's context and read back with :func:`render_limits`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from templsync.errors import UserError

if TYPE_CHECKING:
    from templsync.template.limits import RenderLimits

F = TypeVar("F", bound=Callable[..., Any])


def _apply(decorators: Sequence[Callable[[F], F]], func: F) -> F:
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def template_options(func: F) -> F:
    """``--vcs-ref --trust --skip-tasks --answers-file --quiet --prereleases --refresh -x -s``
    and the render's limits (:func:`limit_options`)."""
    return _apply(
        [
            click.option(
                "--vcs-ref",
                "-r",
                metavar="REF",
                help="The template version (tag, branch, commit). Default: the highest PEP 440 "
                "tag, else HEAD.",
            ),
            click.option(
                "--exclude", "-x", multiple=True, help="Also exclude files matching this pattern."
            ),
            click.option(
                "--skip", "-s", multiple=True, help="Keep existing files matching this pattern."
            ),
            click.option(
                "--trust",
                "--UNSAFE",
                is_flag=True,
                help="Trust the template: allow its Jinja extensions, tasks and migrations.",
            ),
            click.option(
                "--skip-tasks", "-T", is_flag=True, help="Do not run the template's tasks."
            ),
            click.option(
                "--answers-file",
                "-a",
                metavar="FILE",
                help="The answers file, relative to the project (default .copier-answers.yml).",
            ),
            quiet_option(),
            click.option(
                "--prereleases",
                "-g",
                is_flag=True,
                help="Let pre-release tags be the default version.",
            ),
            click.option(
                "--refresh", is_flag=True, help="Fetch a remote template's cached mirror first."
            ),
            limit_options,
        ],
        func,
    )


ask_option = click.option(
    "--ask",
    multiple=True,
    metavar="PATTERN",
    help="Ask the questions whose names match this glob pattern even when --data, a recorded "
    "answer or --defaults would answer them (repeatable).",
)
"""``--ask PATTERN`` (repeatable): Copier's ``--ask``."""


_SCALES = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


class _Size(click.ParamType[int]):
    """A size in bytes: a whole number, or one with K, M or G (1024, 1024², 1024³)."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().removesuffix("B").removesuffix("I")
        number, scale = (text[:-1], text[-1]) if text[-1:] in "KMG" else (text, "")
        try:
            size = int(float(number) * _SCALES[scale])
        except (ValueError, KeyError):
            self.fail(f"{value!r} is not a size; examples: 200M, 2G, 500000", param, ctx)
        if size <= 0:
            self.fail(f"{value!r} is not a positive size", param, ctx)
        return size


_LIMITS = "templsync.render_limits"


def _keep_limit(ctx: click.Context, param: click.Parameter, value: object) -> None:
    if value is not None:
        ctx.meta.setdefault(_LIMITS, {})[param.name] = value


def limit_options(func: F) -> F:
    """``--max-render-bytes --max-files --render-timeout``: the render's limits, read back with
    :func:`render_limits`; each also from an environment variable."""
    return _apply(
        [
            click.option(
                "--max-render-bytes",
                "max_bytes",
                type=_Size(),
                metavar="SIZE",
                envvar="TEMPLSYNC_MAX_RENDER_BYTES",
                callback=_keep_limit,
                expose_value=False,
                help="The text a render may make (e.g. 256M; default 64M untrusted, 1G trusted).",
            ),
            click.option(
                "--max-files",
                "max_files",
                type=click.IntRange(min=1),
                metavar="N",
                envvar="TEMPLSYNC_MAX_FILES",
                callback=_keep_limit,
                expose_value=False,
                help="The files and folders a render may make "
                "(default 20000 untrusted, 200000 trusted).",
            ),
            click.option(
                "--render-timeout",
                "timeout",
                type=click.FloatRange(min=0, min_open=True),
                metavar="SECONDS",
                envvar="TEMPLSYNC_RENDER_TIMEOUT",
                callback=_keep_limit,
                expose_value=False,
                help="The seconds a render may take (default 60 untrusted, 600 trusted).",
            ),
        ],
        func,
    )


def render_limits() -> RenderLimits:
    """The limits :func:`limit_options` were given for this command (unset: by trust)."""
    from templsync.template.limits import RenderLimits  # the engine loads when a command runs

    given = click.get_current_context().meta.get(_LIMITS, {})
    return RenderLimits(**given)


def answer_options(func: F) -> F:
    """``--data NAME=VALUE`` (repeatable), ``--data-file FILE``, ``--defaults``, ``--ask``."""
    return _apply(
        [
            click.option(
                "--data",
                "-d",
                multiple=True,
                metavar="NAME=VALUE",
                help="Answer a question (repeatable).",
            ),
            click.option(
                "--data-file",
                type=click.Path(path_type=Path),
                help="A YAML file of answers; --data wins over it.",
            ),
            click.option(
                "--defaults",
                "-l",
                is_flag=True,
                help="Take the default (or recorded answer) of every other question.",
            ),
            ask_option,
        ],
        func,
    )


def dry_run_option(text: str, *, pretend: str | None = None) -> Callable[[F], F]:
    """``--dry-run`` / ``-n`` (stored as ``pretend``): every command that writes has it.

    ``pretend`` also accepts ``--pretend``, saying why (Copier's name, an older name).
    """
    names = ["--dry-run", "--pretend", "-n"] if pretend else ["--dry-run", "-n"]
    shown = f"{text} (--pretend: {pretend})" if pretend else text
    return click.option(*names, "pretend", is_flag=True, help=shown)


def quiet_option(text: str = "Print errors only.") -> Callable[[F], F]:
    """``--quiet`` / ``-q``: every command that prints has it (``--json`` still prints)."""
    return click.option("--quiet", "-q", is_flag=True, help=text)


def json_option(text: str) -> Callable[[F], F]:
    """``--json``: one JSON document on stdout (stored as ``as_json``)."""
    return click.option("--json", "as_json", is_flag=True, help=text)


def data_from(pairs: Sequence[str], data_file: Path | None) -> dict[str, object]:
    """``--data-file`` then ``--data NAME=VALUE`` (values are strings, as Copier keeps them)."""
    import yaml

    from templsync._limits import LimitError
    from templsync._yaml import safe_load

    data: dict[str, object] = {}
    if data_file is not None:
        try:
            loaded = safe_load(data_file.read_bytes())
        except LimitError as e:
            raise UserError(f"the --data-file {data_file} {e}. Fix it.") from e
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


def instance_options(func: F) -> F:
    """``PATH`` (default: here), the template and answer options, and ``--skip-answered``."""
    return _apply(
        [
            click.argument("path", type=click.Path(path_type=Path), default=".", required=False),
            template_options,
            answer_options,
            click.option(
                "--skip-answered",
                "-A",
                is_flag=True,
                help="Do not ask questions that have an answer.",
            ),
        ],
        func,
    )


def user_settings_fields() -> dict[str, Any]:
    """``trust_list`` and ``settings_defaults``: what Copier's settings file says."""
    import os

    from templsync.template.usersettings import user_settings

    settings = user_settings(os.environ)
    return {"trust_list": settings.trust, "settings_defaults": settings.defaults}


def session_fields(common: dict[str, Any]) -> dict[str, Any]:
    """The ``SessionOptions`` fields the template, answer and instance options give."""
    return {
        "vcs_ref": common["vcs_ref"],
        "data": data_from(common["data"], common["data_file"]),
        "defaults": common["defaults"],
        "exclude": tuple(common["exclude"]),
        "skip_if_exists": tuple(common["skip"]),
        "trust": common["trust"],
        **user_settings_fields(),
        "skip_tasks": common["skip_tasks"],
        "skip_answered": common["skip_answered"],
        "always_ask": tuple(common["ask"]),
        "answers_file": common["answers_file"],
        "prereleases": common["prereleases"],
        "quiet": common["quiet"],
        "refresh": common["refresh"],
        "limits": render_limits(),
    }
