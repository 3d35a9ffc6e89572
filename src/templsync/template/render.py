"""Render a template Tree with a context into the Tree of a new project, as Copier 9 does.

Every path is rendered one name at a time: a name that renders empty drops the file (and, for a
folder, everything below it); ``{% yield x from xs %}`` in a name makes one path per item; a name
that renders to the answers file's path becomes that path. ``_templates_suffix`` marks the files
whose content is a template and is stripped from their names (an empty suffix makes every file a
template, and files that are not UTF-8 are then copied as they are); a plain file next to a
templated one of the same name gives way to it. ``_exclude`` is matched against the rendered
paths. Nothing here touches a disk.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import MappingProxyType

import jinja2

from templsync._core.ignore import IgnoreRules
from templsync._core.tree import FileEntry, Tree, parent_dirs
from templsync.errors import (
    ForbiddenPathError,
    InvalidPathError,
    SymlinkError,
    SymlinkOutsideError,
    UserError,
)
from templsync.template.excludes import CopierExclude
from templsync.template.jinja import BinaryTemplateError, JinjaRenderer, TreeLoader
from templsync.template.links import follow_links

DEFAULT_ANSWERS_FILE = ".copier-answers.yml"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class RenderConflictError(UserError):
    """Two template files render to the same path with different content."""


class DanglingLinkError(UserError):
    """A symlink to follow (``_preserve_symlinks`` is off) points to nothing in the template."""


@dataclass(frozen=True)
class SourceInfo:
    """Where a rendered file came from: its path in the template and whether it was rendered."""

    path: str
    templated: bool


@dataclass(frozen=True)
class RenderedTree:
    """A rendered project: its Tree, a source map, and the skip-if-exists patterns for the writer.

    ``sources`` maps each rendered path to the template file it came from;
    ``answers_file_in_folder`` names the template file of the answers file when it sits in a
    folder of the template (Copier deprecates that: the answers file goes where
    ``_answers_file`` says, whatever the template file's folder).
    """

    tree: Tree
    sources: Mapping[str, SourceInfo]
    skip_if_exists: tuple[str, ...] = ()
    answers_file_in_folder: str | None = None


def render_patterns(
    renderer: JinjaRenderer, patterns: Iterable[str], context: Mapping[str, object]
) -> tuple[str, ...]:
    """Render ``_exclude``-style patterns; a pattern may render to several lines (as Copier)."""
    return tuple(
        line
        for pattern in patterns
        for line in _LINE_BREAK.split(renderer.render(pattern, context))
    )


def render_template(
    source: Tree,
    context: Mapping[str, object],
    *,
    env: jinja2.Environment,
    templates_suffix: str = ".jinja",
    exclude: IgnoreRules = IgnoreRules(),  # noqa: B008  # an immutable, frozen value
    skip_if_exists: Sequence[str] = (),
    preserve_symlinks: bool = False,
    answers_file: str = DEFAULT_ANSWERS_FILE,
    templates: Tree | None = None,
    subdirectory: str = "",
) -> RenderedTree:
    """Render ``source`` (the template cut to ``_subdirectory``) with ``context``.

    ``exclude`` holds the already rendered ``_exclude`` patterns, matched as Copier matches them.
    ``templates`` is the whole template (what ``{% include %}`` sees, Copier's template root;
    ``source`` when not given) and ``subdirectory`` where ``source`` sits in it. Source paths in
    the result's map are relative to the template root.
    """
    whole = templates if templates is not None else source
    if not preserve_symlinks:
        source = follow_links(source)
        whole = follow_links(whole) if templates is not None else source
    renderer = JinjaRenderer(env.overlay(loader=TreeLoader(whole), cache_size=-1))
    job = _Job(
        renderer=renderer,
        context=dict(context),
        suffix=templates_suffix,
        exclude=CopierExclude.of(exclude.patterns),
        answers_file=str(PurePosixPath(answers_file)),
        source_names=_names(source),
        template_names=_names(whole),
        prefix=f"{subdirectory.strip('/')}/" if subdirectory.strip("/") else "",
    )
    entries: dict[str, FileEntry] = {}
    sources: dict[str, SourceInfo] = {}
    in_folder: str | None = None
    for path in sorted(source):
        for dst, extra in job.render_path(path):
            if dst == job.answers_file and "/" in path:
                in_folder = job.prefix + path
            job.check_inside(path, dst)
            if job.exclude.matches(dst):
                continue
            entry, templated = job.render_entry(path, source[path], extra, preserve_symlinks)
            target = posixpath.normpath(dst)
            info = SourceInfo(job.prefix + path, templated)
            previous = entries.get(target)
            if previous is not None and previous != entry:
                raise RenderConflictError(
                    f"the template files {sources[target].path!r} and {info.path!r} both render "
                    f"to {target!r}, with different content. Make their names differ."
                )
            if previous is None:
                entries[target] = entry
                sources[target] = info
    return RenderedTree(
        _tree(entries, sources), MappingProxyType(sources), tuple(skip_if_exists), in_folder
    )


def _tree(entries: dict[str, FileEntry], sources: Mapping[str, SourceInfo]) -> Tree:
    """The rendered Tree; a path clash or an escaping link names the template file behind it."""
    try:
        return Tree(entries)
    except InvalidPathError as err:
        source = sources.get(err.path)
        if source is None:
            raise
        raise RenderConflictError(
            f"the template file {source.path!r} renders to {err.path!r}: {err.reason}. "
            "Make the rendered names differ."
        ) from err
    except SymlinkOutsideError as err:
        names = ", ".join(repr(s.path) for p, s in sources.items() if entries[p].is_symlink)
        raise SymlinkOutsideError(err.path, f"{err.why} The template's symlinks: {names}.") from err
    except SymlinkError as err:
        names = ", ".join(repr(s.path) for p, s in sources.items() if entries[p].is_symlink)
        raise SymlinkError(f"{err} The template's symlinks: {names}.") from err


def _names(tree: Tree) -> frozenset[str]:
    """Every file and folder path in ``tree`` (what ``Path.exists`` would find)."""
    return frozenset(tree) | {d for p in tree for d in parent_dirs(p)}


@dataclass(frozen=True)
class _Job:
    renderer: JinjaRenderer
    context: dict[str, object]
    suffix: str
    exclude: CopierExclude
    answers_file: str
    source_names: frozenset[str]
    template_names: frozenset[str]
    prefix: str

    def render_path(self, relpath: str) -> Iterator[tuple[str, dict[str, object]]]:
        """Copier's ``_render_path``: the destination paths (and extra context) of one path."""
        is_template = relpath.rsplit("/", 1)[-1].endswith(self.suffix)
        if self.suffix and f"{relpath}{self.suffix}" in self.source_names:
            return  # a templated sibling renders this path instead
        path = PurePosixPath(relpath)
        if self.suffix and is_template:
            path = path.with_suffix("")
        yield from self._parts(path.parts, (), {}, is_template, ())

    def _parts(
        self,
        parts: tuple[str, ...],
        rendered: tuple[str, ...],
        extra: dict[str, object],
        is_template: bool,
        source_parts: tuple[str, ...],
    ) -> Iterator[tuple[str, dict[str, object]]]:
        if not parts:
            rendered_path = str(PurePosixPath(*rendered))
            if is_template or f"{rendered_path}{self.suffix}" not in self.template_names:
                yield rendered_path, extra
            return
        part, rest = parts[0], parts[1:]
        source_parts = (*source_parts, part)
        name = "path " + "/".join(source_parts)
        text, yielded = self.renderer.render_yielding(part, {**self.context, **extra}, name=name)
        if yielded is not None:
            for value in yielded.values:
                new_extra = {**extra, yielded.name: value}
                text, _ = self.renderer.render_yielding(
                    part, {**self.context, **new_extra}, name=name
                )
                if text == self.answers_file:
                    yield self.answers_file, new_extra
                elif text:
                    yield from self._parts(
                        rest, (*rendered, text), new_extra, is_template, source_parts
                    )
            return
        if not text:
            return
        if text == self.answers_file:
            yield self.answers_file, extra
            return
        yield from self._parts(rest, (*rendered, text), extra, is_template, source_parts)

    def check_inside(self, source: str, dst: str) -> None:
        normalized = posixpath.normpath(dst)
        if dst.startswith("/") or normalized in {".", ".."} or normalized.startswith("../"):
            raise ForbiddenPathError(
                dst,
                f"the template file {self.prefix + source!r} renders to a path outside the "
                "destination folder. Check the answers used in its name.",
            )

    def render_entry(
        self, path: str, entry: FileEntry, extra: dict[str, object], preserve_symlinks: bool
    ) -> tuple[FileEntry, bool]:
        """The rendered entry for the template file at ``path``, and whether it was rendered."""
        is_template = path.rsplit("/", 1)[-1].endswith(self.suffix)
        if entry.is_symlink:
            if not preserve_symlinks:
                target = entry.content().decode("utf-8", "surrogateescape")
                raise DanglingLinkError(
                    f"the template's symlink {self.prefix + path!r} points to {target!r}, "
                    "which does not exist. Fix the link or add it to `_exclude`."
                )
            if not is_template:
                return entry, False
            target = entry.content().decode("utf-8", "surrogateescape")
            return FileEntry.symlink(self.renderer.render(target, self.context)), True
        if not is_template:
            return entry, False
        try:
            text = self.renderer.render_file(self.prefix + path, {**self.context, **extra})
        except BinaryTemplateError as err:
            if self.suffix or err.name != self.prefix + path:
                raise
            return entry, False  # every file is a template, and this one is binary: copied
        return FileEntry.from_bytes(text.encode("utf-8"), entry.mode), True
