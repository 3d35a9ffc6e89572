"""The template at an instance's version, rendered with its answers, as the reverse mapping
needs it: the render's files and source map, the template's own files, the spellings of the
answers the template writes (:mod:`templsync.backport.vocabulary`), and each rendered file's line
origins (:mod:`templsync.backport.origins`), rendered again on demand, once per file asked for.
"""

from __future__ import annotations

import posixpath
from functools import cache

from templsync._core.tree import Tree
from templsync.backport.linemap import LineOrigin, line_origins
from templsync.backport.origins import render_origins
from templsync.backport.reverse import split_lines
from templsync.backport.treemap import Base
from templsync.backport.vocabulary import template_spellings
from templsync.backport.words import Delimiters
from templsync.instance.session import Rendered, Session

__all__ = ["base_of"]


def _subdirectory(session: Session) -> str:
    rendered = session.render(session.config.settings.subdirectory)
    normalized = posixpath.normpath(rendered.replace("\\", "/")) if rendered else ""
    return "" if normalized == "." else normalized.strip("/")


def base_of(session: Session, rendered: Rendered) -> Base:
    """The :class:`Base` of ``rendered``, the render ``session`` made (its answers file left
    out of the files)."""
    settings = session.config.settings
    env = session.renderer.env
    context = session.context()
    template = session.template
    suffix = settings.templates_suffix
    texts: list[str] = []
    for path, entry in template.items():
        texts.extend(path.split("/"))
        if (not suffix or path.endswith(suffix)) and not entry.is_symlink:
            try:
                texts.append(entry.content().decode("utf-8"))
            except UnicodeDecodeError:
                continue
    spellings = template_spellings(
        env, texts, session.answers, lambda source: session.renderer.render(source, context)
    )

    @cache
    def origins(path: str) -> tuple[LineOrigin, ...] | None:
        info = rendered.sources.get(path)
        entry = rendered.tree.get(path)
        if info is None or entry is None or not info.templated:
            return None
        try:
            source = template[info.path].content().decode("utf-8")
            expected = entry.content().decode("utf-8")
        except UnicodeDecodeError:
            return None
        pieces = render_origins(env, source, context, expected=expected, name=info.path)
        if pieces is None:
            return None
        return line_origins(env, split_lines(source), pieces)

    files = Tree({p: e for p, e in rendered.tree.items() if p != rendered.answers_file})
    return Base(
        template,
        files,
        rendered.sources,
        origins,
        spellings,
        Delimiters.of(env),
        suffix,
        _subdirectory(session),
    )
