"""Render a template Tree with a context into the Tree of a new project, as Copier 9 does.

Copier walks the template's ``_subdirectory`` (following links unless ``_preserve_symlinks`` is
set: :mod:`templsync.template.links`) and renders every path it meets, folders included, one
name at a time:

- a name that renders empty drops the file (and, for a folder, everything below it);
  ``{% yield x from xs %}`` in a name makes one path per item;
- a name that renders to the answers file's path becomes that path, wherever the name is.
  Copier deprecates such a name below a folder (its ``DeprecationWarning``, here a
  :class:`~templsync.errors.TemplateDeprecationWarning`), and matches ``_exclude`` against the
  answers file's path only, so an excluded folder (a vendored template) holding
  ``{{ _copier_conf.answers_file }}.jinja`` still renders the answers file. When several
  template files render it differently, Copier keeps the one its walk meets last, which depends
  on the file system's order; here the one named at the root (the spelling Copier does not
  deprecate) wins over those below folders, and two at the same level clash;
- ``_templates_suffix`` marks the files whose content is a template and is stripped from their
  names (an empty suffix makes every file a template, and files that are not UTF-8 are then
  copied as they are); a plain path next to a templated one of the same name gives way to it;
- ``_exclude`` is matched against the rendered paths of files and folders alike: an excluded
  folder is not made, but the walk goes on below it (a negated pattern can bring a file back);
- every folder the walk meets is made, with its rendered name, even when no file lands in it (a
  folder whose files all render to empty names, an empty folder of a folder source):
  :attr:`RenderedTree.folders` lists the ones no rendered file implies.

Links are followed against the whole template: a link in the subdirectory may point anywhere in
the template's repository (or folder), through other links. Only what the link's own path
renders to is matched against ``_exclude``, so a link to an excluded file copies that file, as
Copier does. A folder's name is rendered once for all the paths below it (Copier renders it again
for each; the names are the same unless a name calls something that changes from call to call).
Nothing here touches a disk.
"""

from __future__ import annotations

import enum
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from types import MappingProxyType

from templsync._core.ignore import IgnoreRules
from templsync._core.tree import FileEntry, Tree, parent_dirs
from templsync._warned import give
from templsync.errors import (
    ForbiddenPathError,
    InvalidPathError,
    SymlinkError,
    SymlinkOutsideError,
    TemplateDeprecationWarning,
    UserError,
)
from templsync.template.excludes import CopierExclude
from templsync.template.jinja import BinaryTemplateError, TreeLoader
from templsync.template.links import Walked, resolve, walk
from templsync.template.renderer import JinjaRenderer, Yielded
from templsync.template.sandbox import GuardedSandbox

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
    """A rendered project: its Tree and empty folders, a source map, and the skip-if-exists
    patterns for the writer.

    ``sources`` maps each rendered path to the template file it came from.
    """

    tree: Tree
    sources: Mapping[str, SourceInfo]
    skip_if_exists: tuple[str, ...] = ()
    folders: frozenset[str] = frozenset()
    """The folders the render makes that hold no file of ``tree`` (the others are implied by
    their files); each may hold other such folders."""


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
    template: Tree,
    context: Mapping[str, object],
    *,
    env: GuardedSandbox,
    templates_suffix: str = ".jinja",
    exclude: IgnoreRules = IgnoreRules(),  # noqa: B008  # an immutable, frozen value
    skip_if_exists: Sequence[str] = (),
    preserve_symlinks: bool = False,
    answers_file: str = DEFAULT_ANSWERS_FILE,
    subdirectory: str = "",
    empty_folders: Iterable[str] = (),
) -> RenderedTree:
    """Render the folder ``subdirectory`` of ``template`` (the whole template) with ``context``.

    ``exclude`` holds the already rendered ``_exclude`` patterns, matched as Copier matches them.
    ``empty_folders`` names the template's folders that hold no file (a folder source can have
    them). ``{% include %}`` and links see the whole template; source paths in the result's map
    are relative to its root. Every file and folder rendered counts against the render's limits
    (``env``'s meter: :mod:`templsync.template.limits`).
    """
    subdirectory = subdirectory.strip("/")
    empty_folders = tuple(empty_folders)
    if preserve_symlinks:
        walked = _cut(template, subdirectory, empty_folders)
    else:
        walked = walk(template, subdirectory, empty_folders)
    renderer = JinjaRenderer(env.overlaid(loader=TreeLoader(template), cache_size=-1))
    job = _Job(
        renderer=renderer,
        context=dict(context),
        suffix=templates_suffix,
        exclude=CopierExclude.of(exclude.patterns),
        answers_file=str(PurePosixPath(answers_file)),
        source_names=frozenset(walked.files) | walked.folders,
        template_names=_Names.of(template, empty_folders),
        prefix=f"{subdirectory}/" if subdirectory else "",
    )
    files = _Files()
    nested_answers: list[tuple[FileEntry, SourceInfo]] = []
    for path in sorted(walked.files):
        for dst, extra, via in job.render_path(path):
            job.check_inside(path, dst)
            if job.exclude.matches(dst):
                continue
            env.meter.add_file(dst)
            entry, templated = job.render_entry(path, walked.files[path], extra, preserve_symlinks)
            info = SourceInfo(job.prefix + path, templated)
            if via is _Via.NESTED_ANSWERS:  # Copier's deprecated spelling: see the module's doc
                _deprecated_answers_file(info.path, job.answers_file)
                nested_answers.append((entry, info))
            else:
                files.add(posixpath.normpath(dst), entry, info)
    if job.answers_file not in files.entries:
        for entry, info in nested_answers:
            files.add(job.answers_file, entry, info)
    tree = _tree(files.entries, files.sources)
    folders = _folders(job, walked.folders, tree, files.sources)
    return RenderedTree(tree, MappingProxyType(files.sources), tuple(skip_if_exists), folders)


@dataclass
class _Files:
    """The rendered files so far, and where each came from; two different ones clash."""

    entries: dict[str, FileEntry] = field(default_factory=dict)
    sources: dict[str, SourceInfo] = field(default_factory=dict)

    def add(self, target: str, entry: FileEntry, info: SourceInfo) -> None:
        previous = self.entries.get(target)
        if previous is None:
            self.entries[target] = entry
            self.sources[target] = info
        elif previous != entry:
            raise RenderConflictError(
                f"the template files {self.sources[target].path!r} and {info.path!r} both render "
                f"to {target!r}, with different content. Make their names differ."
            )


def _cut(template: Tree, subdirectory: str, empty: Iterable[str]) -> Walked:
    """The folder ``subdirectory`` of ``template`` as it is, links kept as links."""
    prefix = f"{subdirectory}/" if subdirectory else ""
    cut = len(prefix)
    files = {p[cut:]: e for p, e in template.items() if p.startswith(prefix)}
    folders = {d for p in files for d in parent_dirs(p)}
    for folder in empty:
        if folder.startswith(prefix):
            folders.add(folder[cut:])
            folders.update(parent_dirs(folder[cut:]))
    return Walked(files, frozenset(folders))


def _folders(
    job: _Job, walked: frozenset[str], tree: Tree, sources: Mapping[str, SourceInfo]
) -> frozenset[str]:
    """The folders Copier makes that no rendered file implies: every folder walked, its name
    rendered, unless a part renders empty, it renders to the answers file, or it is excluded."""
    made: set[str] = set()
    for folder in sorted(walked):
        for dst, _extra, via in job.render_path(folder):
            job.check_inside(folder, dst)
            if via is _Via.PATH and not job.exclude.matches(dst):
                job.renderer.env.meter.add_file(dst)
                made.add(posixpath.normpath(dst))
    if not made:
        return frozenset()
    implied = {d for p in tree for d in parent_dirs(p)}
    for folder in made:
        if folder in tree:
            raise RenderConflictError(
                f"the template file {sources[folder].path!r} renders to {folder!r}, which a "
                "template folder renders to as well. Make the rendered names differ."
            )
    return frozenset(made - implied)


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
        raise SymlinkOutsideError(
            err.link or err.path,
            f"{err.why} The template's symlinks: {names}.",
            target=err.target,
            path=err.path,
        ) from err
    except SymlinkError as err:
        names = ", ".join(repr(s.path) for p, s in sources.items() if entries[p].is_symlink)
        raise SymlinkError(
            f"{err} The template's symlinks: {names}.", link=err.link, target=err.target
        ) from err


def _deprecated_answers_file(source: str, answers_file: str) -> None:
    """Copier's ``DeprecationWarning`` for a template file below a folder that renders to the
    answers file's path."""
    give(
        TemplateDeprecationWarning(
            f"{source}: Answers file template locations other than the template root directory "
            f"are deprecated (the answers file is written to {answers_file} all the same). "
            "Specify a non-default answers file name/location via the `_answers_file` setting "
            "in the `copier.yaml` file instead."
        ),
        stacklevel=3,
    )


_Rendered = tuple[tuple[str, ...], dict[str, object], "_Via"]
"""A path's start rendered: its rendered names, the extra context, and how it ended."""


class _Via(enum.Enum):
    """How a rendered path was reached: its parts rendered one by one, or a part that renders to
    the answers file's path, at the root or below a folder (which Copier deprecates)."""

    PATH = "path"
    ANSWERS = "answers"
    NESTED_ANSWERS = "nested-answers"


@dataclass(frozen=True)
class _Names:
    """What ``Path.exists`` finds in the whole template: files, folders, and paths through links."""

    tree: Tree
    names: frozenset[str]

    @classmethod
    def of(cls, tree: Tree, empty: Iterable[str]) -> _Names:
        folders = {d for p in tree for d in parent_dirs(p)}
        for folder in empty:
            folders.add(folder)
            folders.update(parent_dirs(folder))
        return cls(tree, frozenset(tree) | folders)

    def __contains__(self, path: object) -> bool:
        if path in self.names:
            return True
        if not isinstance(path, str) or not self.tree.has_symlinks():
            return False
        resolved = resolve(self.tree, path)
        return resolved != path and resolved in self.names


@dataclass(frozen=True)
class _Job:
    renderer: JinjaRenderer
    context: dict[str, object]
    suffix: str
    exclude: CopierExclude
    answers_file: str
    source_names: frozenset[str]
    template_names: _Names
    prefix: str
    folders: dict[tuple[str, ...], list[_Rendered]] = field(default_factory=dict)
    """Each folder's rendering as the start of a path, kept (see :meth:`_folder`)."""

    def render_path(self, relpath: str) -> Iterator[tuple[str, dict[str, object], _Via]]:
        """Copier's ``_render_path``: the destination paths (and extra context) of one path, and
        how each was reached."""
        is_template = relpath.rsplit("/", 1)[-1].endswith(self.suffix)
        if self.suffix and f"{relpath}{self.suffix}" in self.source_names:
            return  # a templated sibling renders this path instead
        path = PurePosixPath(relpath)
        if self.suffix and is_template:
            path = path.with_suffix("")
        parts = path.parts
        for rendered, extra, via in self._folder(parts[:-1]):
            if via is not _Via.PATH:
                yield self.answers_file, extra, via
                continue
            for name, more, reached in self._part(parts, rendered, extra):
                if reached is not _Via.PATH:
                    yield self.answers_file, more, reached
                    continue
                rendered_path = str(PurePosixPath(*rendered, name))
                if is_template or f"{rendered_path}{self.suffix}" not in self.template_names:
                    yield rendered_path, more, _Via.PATH

    def _folder(self, parts: tuple[str, ...]) -> list[_Rendered]:
        """The folder ``parts`` rendered as the start of a path (once per folder: every path
        below it starts the same way): its rendered names, extra context, and how it ended."""
        found = self.folders.get(parts)
        if found is not None:
            return found
        found = []
        if not parts:
            found.append(((), {}, _Via.PATH))
        for rendered, extra, via in self._folder(parts[:-1]) if parts else ():
            if via is not _Via.PATH:
                found.append((rendered, extra, via))  # the answers file: nothing more renders
                continue
            for name, more, reached in self._part(parts, rendered, extra):
                found.append(((*rendered, name), more, reached))
        self.folders[parts] = found
        return found

    def _part(
        self, parts: tuple[str, ...], rendered: tuple[str, ...], extra: dict[str, object]
    ) -> Iterator[tuple[str, dict[str, object], _Via]]:
        """The last of ``parts`` rendered after the ``rendered`` folders: each name it renders
        to (none when it renders empty), with its extra context; a name that is the answers
        file's path ends the path there."""
        part = parts[-1]
        name = "path " + "/".join(parts)
        answers = _Via.NESTED_ANSWERS if rendered else _Via.ANSWERS
        text, yielded = self.renderer.render_yielding(part, {**self.context, **extra}, name=name)
        if yielded is None:
            choices: Iterable[tuple[str, dict[str, object]]] = ((text, extra),)
        else:
            choices = self._yielded(part, name, extra, yielded)
        for text, more in choices:
            if text == self.answers_file:
                yield text, more, answers
            elif text:
                yield text, more, _Via.PATH

    def _yielded(
        self, part: str, name: str, extra: dict[str, object], yielded: Yielded
    ) -> Iterator[tuple[str, dict[str, object]]]:
        for value in yielded.values:
            more = {**extra, yielded.name: value}
            text, _ = self.renderer.render_yielding(part, {**self.context, **more}, name=name)
            yield text, more

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
