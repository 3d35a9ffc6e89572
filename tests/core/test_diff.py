from __future__ import annotations

import pytest

from templsync._core.diff import Change, ChangeKind, TreeDiff, apply_diff, diff_trees
from templsync._core.text import PatchError
from templsync._core.tree import FileEntry, Mode, Tree

T = Tree.from_texts


def numbered(n: int, prefix: str = "line") -> str:
    return "".join(f"{prefix} {i}\n" for i in range(n))


def kinds(diff: TreeDiff) -> list[tuple[str, str | None, str | None]]:
    return [(c.kind.value, c.old_path, c.new_path) for c in diff.changes]


def test_equal_trees_have_no_changes() -> None:
    tree = T({"a": "1\n", "d/b": "2\n"})
    diff = diff_trees(tree, tree)
    assert not diff
    assert diff.changes == ()
    assert diff.counts() == {"added": 0, "deleted": 0, "modified": 0, "renamed": 0}


def test_added_deleted_and_modified_sorted_by_path() -> None:
    a = T({"keep": "k\n", "gone": "g\n", "z/edit": "1\n2\n"})
    b = T({"keep": "k\n", "new": "n\n", "z/edit": "1\ntwo\n"})
    diff = diff_trees(a, b)
    assert kinds(diff) == [
        ("deleted", "gone", None),
        ("added", None, "new"),
        ("modified", "z/edit", "z/edit"),
    ]
    assert diff.counts() == {"added": 1, "deleted": 1, "modified": 1, "renamed": 0}
    (modified,) = diff.of_kind(ChangeKind.MODIFIED)
    assert modified.path == "z/edit"
    assert modified.content_changed
    assert not modified.mode_changed
    assert [h.lines for h in modified.hunks(context=0)] == [(("-", b"2\n"), ("+", b"two\n"))]
    (deleted,) = diff.of_kind(ChangeKind.DELETED)
    assert deleted.new is None
    assert deleted.path == "gone"


def test_mode_only_change() -> None:
    a = Tree({"run.sh": FileEntry.from_bytes(b"echo\n")})
    b = Tree({"run.sh": FileEntry.from_bytes(b"echo\n", Mode.EXECUTABLE)})
    (change,) = diff_trees(a, b).changes
    assert change.kind is ChangeKind.MODIFIED
    assert change.mode_changed
    assert not change.content_changed
    assert change.hunks() == ()
    assert apply_diff(a, diff_trees(a, b)) == b


def test_file_replaced_by_symlink_is_delete_plus_add() -> None:
    a = Tree({"f": FileEntry.from_bytes(b"target"), "target": FileEntry.from_bytes(b"")})
    b = Tree({"f": FileEntry.symlink("target"), "target": FileEntry.from_bytes(b"")})
    diff = diff_trees(a, b)
    assert kinds(diff) == [("deleted", "f", None), ("added", None, "f")]
    assert apply_diff(a, diff) == b


def test_symlink_retargeted_is_modified_without_hunks() -> None:
    a = Tree({"l": FileEntry.symlink("x")})
    b = Tree({"l": FileEntry.symlink("y")})
    (change,) = diff_trees(a, b).changes
    assert change.kind is ChangeKind.MODIFIED
    assert change.is_binary
    assert change.hunks() == ()
    assert apply_diff(a, diff_trees(a, b)) == b


# --- renames -----------------------------------------------------------------------------------


def test_exact_rename_keeps_mode_change() -> None:
    a = Tree({"old/tool": FileEntry.from_bytes(b"#!/bin/sh\n")})
    b = Tree({"bin/tool": FileEntry.from_bytes(b"#!/bin/sh\n", Mode.EXECUTABLE)})
    (change,) = diff_trees(a, b).changes
    assert (change.kind, change.old_path, change.new_path) == (
        ChangeKind.RENAMED,
        "old/tool",
        "bin/tool",
    )
    assert change.similarity == 1.0
    assert change.mode_changed
    assert not change.content_changed
    assert apply_diff(a, diff_trees(a, b)) == b


def test_exact_rename_prefers_the_same_file_name() -> None:
    same = numbered(3)
    a = T({"a/first.txt": same, "a/second.txt": same})
    b = T({"a/first.txt": same, "b/second.txt": same})
    assert kinds(diff_trees(a, b)) == [("renamed", "a/second.txt", "b/second.txt")]


def test_exact_renames_pair_names_before_anything_else() -> None:
    """``d/x`` takes ``a/x`` (same name) although ``b/q`` comes first in path order."""
    same = numbered(3)
    a = T({"a/x": same, "c/z": same})
    b = T({"b/q": same, "d/x": same})
    assert sorted(kinds(diff_trees(a, b))) == [
        ("renamed", "a/x", "d/x"),
        ("renamed", "c/z", "b/q"),
    ]


def test_rename_pairing_does_not_depend_on_tree_order() -> None:
    same = numbered(3)
    a1 = T({"p/one": same, "p/two": same, "p/three": same})
    a2 = T({"p/three": same, "p/two": same, "p/one": same})
    b = T({"q/alpha": same, "q/beta": same})
    assert a1 == a2
    assert diff_trees(a1, b) == diff_trees(a2, b)
    assert kinds(diff_trees(a1, b)) == [
        ("deleted", "p/two", None),
        ("renamed", "p/one", "q/alpha"),
        ("renamed", "p/three", "q/beta"),
    ]


def test_similar_rename_above_the_threshold() -> None:
    a = T({"src/old.py": numbered(10)})
    edited = numbered(10).replace("line 3\n", "line three\n").replace("line 7\n", "seven\n")
    b = T({"src/new.py": edited})
    (change,) = diff_trees(a, b).changes
    assert change.kind is ChangeKind.RENAMED
    assert change.old_path == "src/old.py"
    assert 0.75 < change.similarity < 0.85
    assert change.content_changed
    assert len(change.hunks(context=0)) == 2
    assert apply_diff(a, diff_trees(a, b)) == b


def test_similar_rename_below_the_threshold_is_delete_plus_add() -> None:
    a = T({"old.txt": numbered(10)})
    b = T({"new.txt": numbered(4) + numbered(6, "other")})
    assert kinds(diff_trees(a, b)) == [("added", None, "new.txt"), ("deleted", "old.txt", None)]


def test_similarity_exactly_at_the_threshold_is_a_rename() -> None:
    a = T({"old.txt": numbered(10)})
    b = T({"new.txt": numbered(5) + numbered(5, "LINE")})  # 35 of 70 bytes
    (change,) = diff_trees(a, b).changes
    assert change.kind is ChangeKind.RENAMED
    assert change.similarity == 0.5


def test_rename_threshold_and_switch() -> None:
    a = T({"old.txt": numbered(10)})
    b = T({"new.txt": numbered(10).replace("line 3\n", "line three\n")})
    assert diff_trees(a, b).of_kind(ChangeKind.RENAMED)
    assert not diff_trees(a, b, rename_threshold=0.95).of_kind(ChangeKind.RENAMED)
    assert not diff_trees(a, b, renames=False).of_kind(ChangeKind.RENAMED)
    exact = T({"new.txt": numbered(10)})
    assert kinds(diff_trees(a, exact, renames=False)) == [
        ("added", None, "new.txt"),
        ("deleted", "old.txt", None),
    ]


def test_the_most_similar_file_wins() -> None:
    a = T({"old.txt": numbered(10)})
    b = T(
        {
            "close.txt": numbered(9) + "changed\n",
            "far.txt": numbered(6) + numbered(4, "x"),
        }
    )
    assert kinds(diff_trees(a, b)) == [
        ("renamed", "old.txt", "close.txt"),
        ("added", None, "far.txt"),
    ]


def test_equal_similarity_prefers_the_same_file_name() -> None:
    a = T({"a/config.toml": numbered(10)})
    b = T(
        {
            "b/aaa.toml": numbered(9) + "changed\n",
            "b/config.toml": numbered(9) + "changes\n",
        }
    )
    renamed = diff_trees(a, b).of_kind(ChangeKind.RENAMED)
    assert [(c.old_path, c.new_path) for c in renamed] == [("a/config.toml", "b/config.toml")]


def test_binary_similarity_counts_blocks() -> None:
    blob = bytes(range(256)) * 8  # 2048 bytes, NUL inside
    a = T({"img.bin": blob, "text.txt": numbered(20)})
    b = T({"moved.bin": blob[:-64] + b"\0" * 64, "bin.txt": blob[:1000].replace(b"\0", b"")})
    diff = diff_trees(a, b)
    renamed = diff.of_kind(ChangeKind.RENAMED)
    assert [(c.old_path, c.new_path) for c in renamed] == [("img.bin", "moved.bin")]
    assert renamed[0].is_binary
    assert renamed[0].hunks() == ()
    assert apply_diff(a, diff) == b


def test_symlinks_are_renamed_only_exactly() -> None:
    a = Tree({"l": FileEntry.symlink("some/long/target/name")})
    moved = Tree({"m": FileEntry.symlink("some/long/target/name")})
    retargeted = Tree({"m": FileEntry.symlink("some/long/target/nam")})
    assert kinds(diff_trees(a, moved)) == [("renamed", "l", "m")]
    assert kinds(diff_trees(a, retargeted)) == [("deleted", "l", None), ("added", None, "m")]
    # a file and a symlink with the same bytes are not a rename
    as_file = T({"m": "some/long/target/name"})
    assert not diff_trees(a, as_file).of_kind(ChangeKind.RENAMED)


def test_empty_files_pair_only_when_asked() -> None:
    a = T({"pkg_a/__init__.py": ""})
    b = T({"pkg_b/__init__.py": ""})
    assert kinds(diff_trees(a, b)) == [("renamed", "pkg_a/__init__.py", "pkg_b/__init__.py")]
    assert kinds(diff_trees(a, b, rename_empty=False)) == [
        ("deleted", "pkg_a/__init__.py", None),
        ("added", None, "pkg_b/__init__.py"),
    ]


def test_similarity_is_skipped_past_the_pair_limit() -> None:
    a = T({"old.txt": numbered(10), "same.txt": "kept\n"})
    b = T({"new.txt": numbered(9) + "x\n", "moved.txt": "kept\n"})
    assert len(diff_trees(a, b).of_kind(ChangeKind.RENAMED)) == 2
    exact = diff_trees(a, b, pair_limit=0).of_kind(ChangeKind.RENAMED)
    assert [(c.old_path, c.new_path) for c in exact] == [("same.txt", "moved.txt")]


# --- applying ----------------------------------------------------------------------------------


def test_apply_diff_round_trips_bytes() -> None:
    a = T(
        {
            "crlf.txt": b"one\r\ntwo\r\nthree\r\n",
            "nofinal.txt": b"a\nb",
            "latin1.txt": "caf\xe9\n".encode("latin-1"),
            "gone.txt": b"bye\n",
            "bin": b"\0\1\2",
        }
    )
    b = T(
        {
            "crlf.txt": b"one\r\n2\r\nthree\r\nfour",
            "nofinal.txt": b"a\nb\nc",
            "moved/latin1.txt": "caf\xe9\nd\xe9j\xe0\n".encode("latin-1"),
            "bin": b"\0\1\3",
        }
    )
    diff = diff_trees(a, b)
    result = apply_diff(a, diff)
    assert result == b
    assert result.texts() == b.texts()


def test_apply_diff_refuses_another_tree() -> None:
    a = T({"f": "1\n"})
    diff = diff_trees(a, T({"f": "2\n"}))
    with pytest.raises(PatchError, match="f: the tree does not hold"):
        apply_diff(T({"f": "other\n"}), diff)
    with pytest.raises(PatchError):
        apply_diff(Tree(), diff)


def test_change_path_is_the_new_path_when_there_is_one() -> None:
    entry = FileEntry.from_bytes(b"x")
    assert Change(ChangeKind.RENAMED, "a", "b", entry, entry).path == "b"
    assert Change(ChangeKind.DELETED, "a", None, entry, None).path == "a"
