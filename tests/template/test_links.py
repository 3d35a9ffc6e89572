"""Following symlinks inside a template Tree, as a walk of the disk would."""

from __future__ import annotations

import pytest

from templsync._core.tree import FileEntry, Mode, Tree
from templsync.errors import SymlinkError
from templsync.template.links import Walked, follow_links, lexical, resolve, walk


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


def test_walking_a_folder_follows_links_anywhere_in_the_template() -> None:
    tree = _tree(
        {"tpl/own.txt": "own", "shared/a.txt": "a", "shared/in/b.txt": "b", "top.txt": "top"},
        {
            "tpl/shared": "../shared",  # a folder outside the walked one
            "tpl/deep/top.txt": "../../top.txt",
            "tpl/chain": "hop",  # a chain: chain -> hop -> ../top.txt
            "tpl/hop": "../top.txt",
            "tpl/via": "shared/in/b.txt",  # through a link to a folder
            "tpl/nowhere": "../missing.txt",
            "elsewhere": "tpl/own.txt",  # outside the walked folder: not walked
        },
    )
    walked = walk(tree, "tpl")
    assert {p: e.content() for p, e in walked.files.items()} == {
        "own.txt": b"own",
        "shared/a.txt": b"a",
        "shared/in/b.txt": b"b",
        "deep/top.txt": b"top",
        "chain": b"top",
        "hop": b"top",
        "via": b"b",
        "nowhere": b"../missing.txt",
    }
    assert walked.files["nowhere"].is_symlink  # a link to nothing stays a link
    assert walked.folders == {"shared", "shared/in", "deep"}


def test_empty_folders_are_walked_directly_and_through_links() -> None:
    tree = _tree({"tpl/a.txt": "a", "other/x.txt": "x"}, {"tpl/to-empty": "../other"})
    walked = walk(tree, "tpl", ["tpl/empty/deeper", "other/hollow", "outside"])
    assert walked.folders == {"empty", "empty/deeper", "to-empty", "to-empty/hollow"}
    assert set(walked.files) == {"a.txt", "to-empty/x.txt"}


def test_a_link_to_an_empty_folder_is_a_folder() -> None:
    tree = _tree({"a.txt": "a"}, {"link": "hollow"})
    assert walk(tree, "", ["hollow"]) == Walked(
        {"a.txt": tree["a.txt"]}, frozenset({"hollow", "link"})
    )


def test_the_walked_folder_may_itself_be_a_link() -> None:
    tree = _tree({"real/tpl/a.txt": "a"}, {"tpl": "real/tpl"})
    assert set(walk(tree, "tpl").files) == {"a.txt"}


def test_a_link_to_the_template_root_contains_itself() -> None:
    tree = _tree({"tpl/a.txt": "a"}, {"tpl/all": ".."})
    with pytest.raises(SymlinkError, match="contains itself"):
        walk(tree, "tpl")
