"""Following symlinks inside a template Tree, as a walk of the disk would."""

from __future__ import annotations

import pytest

from templsync._core.tree import FileEntry, Mode, Tree
from templsync.errors import SymlinkError
from templsync.template.links import follow_links, lexical, resolve


def _tree(files: dict[str, str], links: dict[str, str]) -> Tree:
    entries = {p: FileEntry.from_bytes(c.encode()) for p, c in files.items()}
    entries.update({p: FileEntry.symlink(t) for p, t in links.items()})
    return Tree(entries)


def test_lexical() -> None:
    assert lexical("a/./b/../c//d") == "a/c/d"
    assert lexical("../a") == "a"


def test_resolve_follows_every_link_on_the_way() -> None:
    tree = _tree({"real/x/f": "f"}, {"d": "real", "e": "d/x", "l": "e/f"})
    assert resolve(tree, "l") == "real/x/f"
    assert resolve(tree, "e/f") == "real/x/f"
    assert resolve(tree, "real/x/f") == "real/x/f"


def test_follow_links_copies_files_and_folders() -> None:
    exe = FileEntry.from_bytes(b"#!", Mode.EXECUTABLE)
    tree = Tree(
        {
            "real/a": FileEntry.from_bytes(b"a"),
            "real/run": exe,
            "real/in/up": FileEntry.symlink("../a"),
            "dir": FileEntry.symlink("real"),
            "file": FileEntry.symlink("real/run"),
            "dangling": FileEntry.symlink("nowhere"),
        }
    )
    followed = follow_links(tree)
    assert followed == Tree(
        {
            "real/a": FileEntry.from_bytes(b"a"),
            "real/run": exe,
            "real/in/up": FileEntry.from_bytes(b"a"),
            "dir/a": FileEntry.from_bytes(b"a"),
            "dir/run": exe,
            "dir/in/up": FileEntry.from_bytes(b"a"),
            "file": exe,
            "dangling": FileEntry.symlink("nowhere"),
        }
    )


def test_a_tree_without_links_is_returned_as_is() -> None:
    tree = _tree({"a": "a"}, {})
    assert follow_links(tree) is tree


def test_a_link_into_its_own_folder_is_an_error() -> None:
    tree = _tree({"d/f": "f"}, {"d/loop": "."})
    with pytest.raises(SymlinkError, match="contains itself"):
        follow_links(tree)
