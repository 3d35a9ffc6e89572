"""An instance's change to its files, mapped back to its template's source files (pure).

The instance's change is the diff from ``before`` (the files its template rendered, or its files
at the start of ``--commits``) to ``after``. Each changed path is mapped through the render's
source map (rendered path -> template file, templated or not):

- a file of a **plain** template file (copied as it is): its new bytes and mode, as they are;
- a file of a **templated** one: its text change turned back into template text
  (:mod:`templsync.backport.reverse`), hunk by hunk, through the render's line origins. When
  ``before`` differs from the render (``--commits``), only its lines that are the render's keep
  an origin: the instance's own lines are nobody's template text;
- a **new file**: its path mapped back folder by folder (a folder the template renders becomes
  the template's folder, ``orders_api`` -> ``{{ project_slug }}``; other names get answer values
  replaced), its text too; it is a template (suffix added) only when a variable went in;
- a **deleted file**: its template file is deleted; a **renamed** one is moved (as a new path)
  with its change mapped on the way;
- a file whose template file renders several paths (a ``{% yield %}`` name), whose new path
  is taken in the template by a file that renders nothing here, or whose text is not UTF-8 where
  a template needs text, is not mapped, with why.

The result is the template Tree with every mapped change made ("theirs" of the back-port's merge)
and what happened to each path.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from templsync._core.diff import Change, ChangeKind, diff_trees
from templsync._core.text import is_binary
from templsync._core.tree import FileEntry, Tree
from templsync.backport.linemap import LineOrigin, opaque_origins
from templsync.backport.reverse import HunkMapping, map_file, matcher, split_lines
from templsync.backport.words import Delimiters, Spelling, to_template
from templsync.template.render import SourceInfo

__all__ = ["Action", "Base", "PortedFile", "TreeMapping", "map_changes"]

OriginsOf = Callable[[str], tuple[LineOrigin, ...] | None]
"""The origins of a rendered file's lines, by its rendered path (None: unknown)."""


class Action(enum.StrEnum):
    MODIFY = "modify"
    ADD = "add"
    DELETE = "delete"
    RENAME = "rename"


@dataclass(frozen=True)
class Base:
    """The template at the instance's version and its render with the instance's answers."""

    template: Tree
    rendered: Tree
    sources: Mapping[str, SourceInfo]
    origins: OriginsOf
    spellings: tuple[Spelling, ...]
    delimiters: Delimiters = Delimiters()  # noqa: RUF009  # a frozen, immutable value
    suffix: str = ".jinja"
    subdirectory: str = ""


@dataclass(frozen=True)
class PortedFile:
    """One changed path of the instance, and where (and whether) it went in the template."""

    path: str
    action: Action
    template_path: str | None
    """The template file it lands in (the removed one, for a deletion)."""
    old_path: str | None = None
    """A rename's old instance path."""
    old_template_path: str | None = None
    templated: bool = False
    hunks: tuple[HunkMapping, ...] = ()
    reason: str | None = None
    """Why the path's change is not mapped at all (None: mapped, hunk by hunk)."""

    @property
    def mapped(self) -> bool:
        return self.reason is None and all(h.mapped for h in self.hunks)


@dataclass(frozen=True)
class TreeMapping:
    tree: Tree
    files: tuple[PortedFile, ...]


def map_changes(
    base: Base, before: Tree, after: Tree, *, keep: Callable[[str], bool] = lambda _: True
) -> TreeMapping:
    """The change ``before`` -> ``after`` (the paths ``keep`` accepts), mapped back into
    ``base.template`` (see the module)."""
    job = _Job(base, before, after)
    files: list[PortedFile] = []
    for change in diff_trees(before, after).changes:
        if not keep(change.path) and not (change.old_path and keep(change.old_path)):
            continue
        files.append(job.port(change))
    return TreeMapping(Tree(job.tree), tuple(files))


class _Job:
    def __init__(self, base: Base, before: Tree, after: Tree) -> None:
        self.base = base
        self.before = before
        self.after = after
        self.tree: dict[str, FileEntry] = dict(base.template.items())
        self.shared = Counter(info.path for info in base.sources.values())
        self.folders = _folder_map(base)

    def port(self, change: Change) -> PortedFile:
        if change.kind is ChangeKind.ADDED:
            return self._add(change.path)
        old = change.old_path
        assert old is not None
        info = self.base.sources.get(old)
        if info is None:  # the instance's own file (--commits): it is new to the template
            if change.kind is ChangeKind.DELETED:
                return PortedFile(old, Action.DELETE, None, reason=_NOT_THE_TEMPLATES)
            return self._add(change.path)
        if self.shared[info.path] > 1:
            action = _ACTIONS[change.kind]
            return PortedFile(change.path, action, info.path, old_path=old, reason=_SHARED)
        if change.kind is ChangeKind.DELETED:
            del self.tree[info.path]
            return PortedFile(old, Action.DELETE, info.path, templated=info.templated)
        target = info.path
        if change.kind is ChangeKind.RENAMED:
            target = self._target(change.path, info.templated)
            if target != info.path and self._taken(target):
                return PortedFile(
                    change.path, Action.RENAME, target, old, info.path, reason=_taken(target)
                )
        return self._modify(change, info, target)

    def _modify(self, change: Change, info: SourceInfo, target: str) -> PortedFile:
        old, new = change.old, change.new
        assert old is not None and new is not None and change.old_path is not None
        action = Action.RENAME if change.kind is ChangeKind.RENAMED else Action.MODIFY
        renamed = action is Action.RENAME
        ported = PortedFile(
            change.path,
            action,
            target,
            old_path=change.old_path if renamed else None,
            old_template_path=info.path if renamed else None,
            templated=info.templated,
        )
        source = self.base.template[info.path]
        if not info.templated:
            self._move(info.path, target, new)
            return replace(ported, hunks=_plain_hunks(old, new))
        texts = _texts(source, old, new)
        if texts is None:
            return replace(ported, reason=_NOT_TEXT)
        template_text, before_text, after_text = texts
        origins = self._origins(change.old_path, before_text)
        mapping = map_file(
            template_text,
            origins,
            before_text,
            after_text,
            spellings=self.base.spellings,
            delimiters=self.base.delimiters,
        )
        mode = new.mode if old.mode != new.mode else source.mode
        entry = FileEntry.from_bytes(mapping.text.encode("utf-8"), mode)
        self._move(info.path, target, entry)
        return replace(ported, hunks=mapping.hunks)

    def _add(self, path: str) -> PortedFile:
        entry = self.after[path]
        text = None if entry.is_symlink or is_binary(entry.content()) else _decode(entry)
        templated = False
        content = entry
        if text is not None:
            body, matches = to_template(text, self.base.spellings, self.base.delimiters)
            templated = bool(matches) or not self.base.suffix
            if templated:
                content = FileEntry.from_bytes(body.encode("utf-8"), entry.mode)
        target = self._target(path, templated)
        if not templated and self.base.suffix and target.endswith(self.base.suffix):
            if text is None:
                return PortedFile(path, Action.ADD, target, reason=_BINARY_SUFFIX)
            escaped = self.base.delimiters.escape(text)
            content = FileEntry.from_bytes(escaped.encode("utf-8"), entry.mode)
            target, templated = target + self.base.suffix, True
        if self._taken(target):
            return PortedFile(path, Action.ADD, target, templated=templated, reason=_taken(target))
        self.tree[target] = content
        hunks: tuple[HunkMapping, ...] = ()
        if text is not None:
            written = content.content().decode("utf-8")
            lines, source = tuple(split_lines(text)), tuple(split_lines(written))
            hunks = (HunkMapping(0, 0, (), lines, 0, 0, source),)
        return PortedFile(path, Action.ADD, target, templated=templated, hunks=hunks)

    def _target(self, path: str, templated: bool) -> str:
        """The template path of the instance path ``path`` (see the module)."""
        parts = path.split("/")
        head = self.base.subdirectory
        for depth in range(len(parts) - 1, 0, -1):
            folder = self.folders.get("/".join(parts[:depth]))
            if folder is not None:
                head, parts = folder, parts[depth:]
                break
        names = [to_template(part, self.base.spellings, self.base.delimiters)[0] for part in parts]
        target = "/".join([head, *names] if head else names)
        return target + (self.base.suffix if templated else "")

    def _taken(self, target: str) -> bool:
        suffix = self.base.suffix
        plain = target.removesuffix(suffix) if suffix else target
        return any(p in self.tree for p in {target, plain, plain + suffix})

    def _move(self, source: str, target: str, entry: FileEntry) -> None:
        if target != source:
            del self.tree[source]
        self.tree[target] = entry

    def _origins(self, path: str, before: str) -> tuple[LineOrigin, ...]:
        rendered_entry = self.base.rendered.get(path)
        rendered = _decode(rendered_entry) if rendered_entry is not None else None
        found = self.base.origins(path) if rendered is not None else None
        if found is None or rendered is None:
            return opaque_origins(len(split_lines(before)), _NO_ORIGINS)
        if rendered == before:
            return found
        return _aligned(found, split_lines(rendered), split_lines(before))


_NOT_THE_TEMPLATES = "the file is the instance's own: the template never had it"
_SHARED = (
    "its template file renders several paths (a `{% yield %}` name): a change to one of them "
    "is not a change of the template file"
)
_NOT_TEXT = "its template file is a template, and one of its versions is not UTF-8 text"
_NO_ORIGINS = "its template file has no line origins (see docs/backport.md)"
_BINARY_SUFFIX = "a binary file whose name ends with the template suffix cannot be copied as is"
_ACTIONS = {
    ChangeKind.MODIFIED: Action.MODIFY,
    ChangeKind.RENAMED: Action.RENAME,
    ChangeKind.DELETED: Action.DELETE,
    ChangeKind.ADDED: Action.ADD,
}


def _taken(target: str) -> str:
    return (
        f"the template has a file at {target!r} already, which renders nothing for this "
        "instance (a name that renders empty, or `_exclude`)"
    )


def _decode(entry: FileEntry) -> str | None:
    try:
        return entry.content().decode("utf-8")
    except UnicodeDecodeError:
        return None


def _texts(source: FileEntry, old: FileEntry, new: FileEntry) -> tuple[str, str, str] | None:
    if any(e.is_symlink for e in (source, old, new)):
        return None
    texts = (_decode(source), _decode(old), _decode(new))
    if texts[0] is None or texts[1] is None or texts[2] is None:
        return None
    return texts[0], texts[1], texts[2]


def _plain_hunks(old: FileEntry, new: FileEntry) -> tuple[HunkMapping, ...]:
    """The hunks of a file copied as it is: each maps to the same lines of its template file."""
    before, after = _decode(old), _decode(new)
    if before is None or after is None or is_binary(old.content()) or is_binary(new.content()):
        return ()
    rendered, instance = split_lines(before), split_lines(after)
    return tuple(
        HunkMapping(
            i1, i2, tuple(rendered[i1:i2]), tuple(instance[j1:j2]), i1, i2, tuple(instance[j1:j2])
        )
        for tag, i1, i2, j1, j2 in matcher(rendered, instance).get_opcodes()
        if tag != "equal"
    )


def _aligned(
    origins: Sequence[LineOrigin], rendered: list[str], before: list[str]
) -> tuple[LineOrigin, ...]:
    """Origins for ``before``'s lines: a line the render has (aligned) keeps its origin."""
    own = LineOrigin(None, (), (), "the instance's own line, not printed by the template")
    out = [own] * len(before)
    for tag, i1, i2, j1, j2 in matcher(rendered, before).get_opcodes():
        if tag == "equal":
            out[j1:j2] = origins[i1:i2]
    return tuple(out)


def _folder_map(base: Base) -> dict[str, str]:
    """Each rendered folder and the template folder it comes from (rendered folders that more
    than one template folder renders are left out: which one a new file belongs in is unknown)."""
    prefix = f"{base.subdirectory}/" if base.subdirectory else ""
    found: dict[str, set[str]] = {}
    for rendered, info in base.sources.items():
        source = info.path.removeprefix(prefix)
        r_parts, s_parts = rendered.split("/")[:-1], source.split("/")[:-1]
        if len(r_parts) != len(s_parts):
            continue
        for depth in range(1, len(r_parts) + 1):
            key = "/".join(r_parts[:depth])
            found.setdefault(key, set()).add(prefix + "/".join(s_parts[:depth]))
    return {k: next(iter(v)) for k, v in found.items() if len(v) == 1}
