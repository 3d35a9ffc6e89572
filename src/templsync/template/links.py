"""Symlinks inside a template Tree, followed as the disk follows them.

Copier walks a template with ``os.scandir`` and, unless ``_preserve_symlinks`` is set, follows
links: a link to a file is copied as that file, a link to a folder is walked as a folder. These
functions give a Tree the same view without touching a disk.
"""

from __future__ import annotations

import posixpath

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


def follow_links(tree: Tree) -> Tree:
    """``tree`` with every link replaced by what it points to; dangling links are kept as links.

    A link to a folder becomes a copy of the folder's files under the link's path.
    """
    if not tree.has_symlinks():
        return tree
    folders = {d for p in tree for d in parent_dirs(p)}
    out: dict[str, FileEntry] = {}
    for path, entry in tree.items():
        if entry.is_symlink:
            _expand(tree, folders, path, path, out=out, depth=0)
        else:
            out[path] = entry
    return Tree(out)


def _expand(
    tree: Tree, folders: set[str], at: str, link: str, *, out: dict[str, FileEntry], depth: int
) -> None:
    if depth > _MAX_HOPS:
        raise SymlinkError(f"symlink {link!r} leads into a folder that contains itself.")
    resolved = resolve(tree, link)
    entry = tree.get(resolved)
    if entry is not None and not entry.is_symlink:
        out[at] = entry
        return
    if resolved not in folders:
        out[at] = tree[link]  # dangling: nothing to follow
        return
    prefix = resolved + "/"
    for path, inner in tree.items():
        if path.startswith(prefix):
            below = f"{at}/{path[len(prefix) :]}"
            if inner.is_symlink:
                _expand(tree, folders, below, path, out=out, depth=depth + 1)
            else:
                out[below] = inner
