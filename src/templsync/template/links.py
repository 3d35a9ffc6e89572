"""Symlinks inside a template Tree, followed as the disk follows them.

Copier walks the template's ``_subdirectory`` with ``os.scandir`` and, unless
``_preserve_symlinks`` is set, follows links: a link to a file is copied as that file, a link to
a folder is walked as a folder. A link may point anywhere in the template's repository (or, for a
folder source, the folder), in or out of the subdirectory, through other links; only a link that
leaves the template is refused, and a Tree cannot hold one (it is refused when the template is
read). :func:`walk` gives the same view of one folder of a Tree without touching a disk: its
files, and every folder the disk walk enters, empty ones included.

The rules kept here:

- a path is resolved one component at a time, every link on the way followed (at most 40 hops);
- what a link points to is looked up in the whole template, whatever folder is walked;
- a link to nothing stays a link (the renderer refuses it unless ``_exclude`` drops it);
- a folder reached through a link is walked with its own links followed, and a folder that
  contains itself through a link is an error (Copier's walk would not end).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from templsync._core.tree import FileEntry, Tree, parent_dirs
from templsync.errors import SymlinkError

_MAX_HOPS = 40


def lexical(path: str) -> str:
    """``path`` with ``.``, ``..`` and empty components resolved without looking at links."""
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def resolve(tree: Tree, path: str) -> str:
    """Where ``path`` leads once every link on the way (and at the end) is followed."""
    parts = path.split("/")
    hops = 0
    i = 0
    while i < len(parts):
        prefix = "/".join(parts[: i + 1])
        entry = tree.get(prefix)
        if entry is not None and entry.is_symlink:
            hops += 1
            if hops > _MAX_HOPS:
                raise SymlinkError(f"symlink {path!r} goes through more than {_MAX_HOPS} links.")
            target = entry.content().decode("utf-8", "surrogateescape")
            parts = [
                *lexical(posixpath.join(posixpath.dirname(prefix), target)).split("/"),
                *parts[i + 1 :],
            ]
            i = 0
            continue
        i += 1
    return "/".join(parts)


@dataclass(frozen=True)
class Walked:
    """One folder of a template as a walk that follows links sees it.

    ``files`` maps paths relative to the walked folder to entries (a link to nothing stays a
    link); ``folders`` holds every folder below it the walk enters, relative too, empty or not.
    """

    files: dict[str, FileEntry]
    folders: frozenset[str]


def walk(tree: Tree, under: str = "", empty: Iterable[str] = ()) -> Walked:
    """Walk the folder ``under`` of ``tree`` (``""``: the root), following every link.

    ``empty`` names folders of the template that hold no file (a Tree has files only); they are
    walked too, reached directly or through a link. ``under`` may itself be, or go through, a
    link.
    """
    empty_folders = _with_parents(empty)
    root = resolve(tree, under) if under else ""
    prefix = f"{root}/" if root else ""
    cut = len(prefix)
    files: dict[str, FileEntry] = {}
    folders: set[str] = set()
    if not tree.has_symlinks():
        files = {p[cut:]: e for p, e in tree.items() if p.startswith(prefix)}
    else:
        every_folder = {d for p in tree for d in parent_dirs(p)} | empty_folders
        expand = _Expander(tree, every_folder, empty_folders, files, folders)
        for path, entry in tree.items():
            if path.startswith(prefix):
                if entry.is_symlink:
                    expand(path[cut:], path, 0)
                else:
                    files[path[cut:]] = entry
    folders.update(d for p in files for d in parent_dirs(p))
    folders.update(d[cut:] for d in empty_folders if d.startswith(prefix))
    return Walked(files, frozenset(folders))


def follow_links(tree: Tree) -> Tree:
    """``tree`` with every link replaced by what it points to; dangling links are kept as links.

    A link to a folder becomes a copy of the folder's files under the link's path.
    """
    if not tree.has_symlinks():
        return tree
    return Tree(walk(tree).files)


def _with_parents(folders: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for folder in folders:
        found.add(folder)
        found.update(parent_dirs(folder))
    return found


@dataclass(frozen=True)
class _Expander:
    """Puts what one link leads to into ``files`` and ``folders`` under the link's own path."""

    tree: Tree
    every_folder: set[str]
    empty: set[str]
    files: dict[str, FileEntry]
    folders: set[str]

    def __call__(self, at: str, link: str, depth: int) -> None:
        if depth > _MAX_HOPS:
            raise SymlinkError(f"symlink {link!r} leads into a folder that contains itself.")
        tree = self.tree
        resolved = resolve(tree, link)
        entry = tree.get(resolved)
        if entry is not None and not entry.is_symlink:
            self.files[at] = entry
            return
        if resolved and resolved not in self.every_folder:
            self.files[at] = tree[link]  # dangling: nothing to follow
            return
        self.folders.add(at)
        prefix = f"{resolved}/" if resolved else ""  # "": a link to the template's root
        cut = len(prefix)
        for path, inner in tree.items():
            if path.startswith(prefix):
                below = f"{at}/{path[cut:]}"
                if inner.is_symlink:
                    self(below, path, depth + 1)
                else:
                    self.files[below] = inner
        self.folders.update(f"{at}/{d[cut:]}" for d in self.empty if d.startswith(prefix))
