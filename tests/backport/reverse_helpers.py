"""Map one rendered file's change back with a plain sandboxed environment (Copier's defaults)."""

from __future__ import annotations

from collections.abc import Mapping

import jinja2.sandbox

from templsync.backport.linemap import LineOrigin, line_origins, opaque_origins
from templsync.backport.origins import render_origins
from templsync.backport.reverse import FileMapping, map_file, split_lines
from templsync.backport.vocabulary import template_spellings
from templsync.backport.words import Delimiters

LOADER = jinja2.DictLoader({"part.txt": "included line\n"})


def environment(**options: bool) -> jinja2.Environment:
    """A sandbox with Copier's defaults; ``options`` are ``_envops`` switches."""
    return jinja2.sandbox.SandboxedEnvironment(keep_trailing_newline=True, loader=LOADER, **options)


def render(env: jinja2.Environment, source: str, context: Mapping[str, object]) -> str:
    return env.from_string(source).render(dict(context))


def origins(
    env: jinja2.Environment, source: str, context: Mapping[str, object]
) -> tuple[LineOrigin, ...]:
    rendered = render(env, source, context)
    pieces = render_origins(env, source, context, expected=rendered)
    if pieces is None:
        return opaque_origins(len(split_lines(rendered)), "no origins")
    return line_origins(env, split_lines(source), pieces)


def reverse(
    source: str,
    context: Mapping[str, object],
    edit: str,
    env: jinja2.Environment | None = None,
) -> FileMapping:
    """``source`` rendered with ``context``, that render changed into ``edit``, mapped back."""
    env = env or environment()
    before = render(env, source, context)
    spellings = template_spellings(
        env, [source], context, lambda expression: render(env, expression, context)
    )
    return map_file(
        source,
        origins(env, source, context),
        before,
        edit,
        spellings=spellings,
        delimiters=Delimiters.of(env),
    )
