from __future__ import annotations

import pytest

from templsync._core.merge import (
    Conflict,
    ConflictKind,
    MergeResult,
    Outcome,
    PathOutcome,
    merge3,
)
from templsync._core.region import RegionKind
from templsync._core.textmerge import MarkerLabels
from templsync._core.tree import FileEntry, Mode, Tree

T = Tree.from_texts
TEXT = "one\ntwo\nthree\nfour\nfive\nsix\nseven\n"


def f(data: str | bytes, mode: Mode = Mode.REGULAR) -> FileEntry:
    return FileEntry.from_bytes(data.encode() if isinstance(data, str) else data, mode)


def edit(old: str, new: str, text: str = TEXT) -> str:
    assert old in text
    return text.replace(old, new)


def outcome(result: MergeResult, path: str) -> PathOutcome:
    (found,) = [o for o in result.outcomes if o.path == path]
    return found


def assert_mirrors(base: Tree, ours: Tree, theirs: Tree) -> None:
    forward, backward = merge3(base, ours, theirs), merge3(base, theirs, ours)
    assert [c.mirrored() for c in forward.conflicts] == list(backward.conflicts)


# --- one file, every combination ---------------------------------------------------------------


def test_unchanged_everywhere() -> None:
    tree = T({"a": TEXT, "d/b": "b\n"})
    result = merge3(tree, tree, tree)
    assert result.clean
    assert result.tree == tree
    assert [o.outcome for o in result.outcomes] == [Outcome.UNCHANGED, Outcome.UNCHANGED]
    assert outcome(result, "a") == PathOutcome("a", Outcome.UNCHANGED, "a", "a", "a")


@pytest.mark.parametrize("side", ["ours", "theirs"])
def test_one_side_changed(side: str) -> None:
    base = T({"a": TEXT, "gone": "g\n", "keep": "k\n"})
    changed = T({"a": edit("two", "2"), "new": "n\n", "keep": "k\n"})
    ours, theirs = (changed, base) if side == "ours" else (base, changed)
    result = merge3(base, ours, theirs)
    assert result.clean
    assert result.tree == changed
    expected = Outcome.OURS if side == "ours" else Outcome.THEIRS
    assert outcome(result, "a").outcome is expected
    assert outcome(result, "new").outcome is expected
    assert outcome(result, "gone").outcome is Outcome.DELETED
    assert outcome(result, "keep").outcome is Outcome.UNCHANGED


def test_both_changed_identically() -> None:
    base = T({"a": TEXT})
    both = T({"a": edit("two", "2")})
    result = merge3(base, both, both)
    assert result.clean
    assert result.tree == both
    assert outcome(result, "a").outcome is Outcome.BOTH_SAME


def test_both_changed_different_lines_merge() -> None:
    base = T({"a": TEXT})
    result = merge3(base, T({"a": edit("two", "2")}), T({"a": edit("six", "6")}))
    assert result.clean
    assert result.tree.texts() == {"a": edit("two", "2", edit("six", "6")).encode()}
    assert outcome(result, "a").outcome is Outcome.MERGED


def test_both_changed_the_same_lines_is_a_content_conflict() -> None:
    base = T({"a": TEXT})
    ours = T({"a": edit("four", "4", edit("one", "1"))})
    theirs = T({"a": edit("four", "IV", edit("seven", "7"))})
    result = merge3(base, ours, theirs)
    assert not result.clean
    (conflict,) = result.conflicts
    assert conflict.path == "a"
    assert conflict.kind is ConflictKind.CONTENT
    assert (conflict.base, conflict.ours, conflict.theirs) == (base["a"], ours["a"], theirs["a"])
    assert (conflict.base_path, conflict.ours_path, conflict.theirs_path) == ("a", "a", "a")
    (hunk,) = conflict.hunks
    assert (hunk.base, hunk.ours, hunk.theirs) == ((b"four\n",), (b"4\n",), (b"IV\n",))
    assert hunk.base_start == 3
    # the tree holds the merge, with our lines where the sides conflict
    assert result.tree["a"].content() == b"1\ntwo\nthree\n4\nfive\nsix\n7\n"
    assert outcome(result, "a").outcome is Outcome.CONFLICT
    assert result.conflict_at("a") is conflict
    assert result.conflict_at("other") is None
    assert_mirrors(base, ours, theirs)


def test_added_on_one_side() -> None:
    base = T({})
    result = merge3(base, T({"new": "n\n"}), base)
    assert result.tree == T({"new": "n\n"})
    assert outcome(result, "new") == PathOutcome("new", Outcome.OURS, None, "new", None)


def test_added_identically_on_both_sides() -> None:
    both = T({"new": "n\n"})
    result = merge3(T({}), both, both)
    assert result.clean
    assert outcome(result, "new").outcome is Outcome.BOTH_SAME


def test_added_differently_on_both_sides_is_add_add_refined() -> None:
    ours = T({"new": "header\nours\nfooter\n"})
    theirs = T({"new": "header\ntheirs\nfooter\n"})
    result = merge3(T({}), ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.kind is ConflictKind.ADD_ADD
    assert conflict.base is None
    assert conflict.text is not None
    # The whole file is one diff3 conflict (its base is empty); the markers show it narrowed.
    assert [r.kind for r in conflict.text.regions] == [RegionKind.CONFLICT]
    assert [r.kind for r in conflict.text.refined] == [
        RegionKind.SAME,
        RegionKind.CONFLICT,
        RegionKind.SAME,
    ]
    marked = result.with_markers()["new"].content()
    assert marked == b"header\n<<<<<<< ours\nours\n=======\ntheirs\n>>>>>>> theirs\nfooter\n"
    assert_mirrors(T({}), ours, theirs)


def test_binary_added_on_both_sides_is_add_add_without_text() -> None:
    result = merge3(T({}), T({"img": b"\0one"}), T({"img": b"\0two"}))
    (conflict,) = result.conflicts
    assert conflict.kind is ConflictKind.ADD_ADD
    assert conflict.text is None
    assert result.tree["img"].content() == b"\0one"


def test_modify_delete_keeps_the_modified_file() -> None:
    base = T({"a": TEXT})
    ours = T({"a": edit("two", "2")})
    result = merge3(base, ours, T({}))
    (conflict,) = result.conflicts
    assert conflict.kind is ConflictKind.MODIFY_DELETE
    assert (conflict.base, conflict.ours, conflict.theirs) == (base["a"], ours["a"], None)
    assert result.tree == ours
    mirrored = merge3(base, T({}), ours)
    (other,) = mirrored.conflicts
    assert other.kind is ConflictKind.DELETE_MODIFY
    assert (other.ours, other.theirs) == (None, ours["a"])
    assert mirrored.tree == ours
    assert conflict.mirrored() == other


def test_delete_of_an_unchanged_file_and_delete_delete() -> None:
    base = T({"a": TEXT, "b": "b\n"})
    result = merge3(base, T({"b": "b\n"}), T({}))
    assert result.clean
    assert result.tree == T({})
    assert outcome(result, "a") == PathOutcome("a", Outcome.DELETED, "a", None, None)
    assert outcome(result, "b") == PathOutcome("b", Outcome.DELETED, "b", "b", None)


def test_mode_change_on_one_side_and_content_on_the_other() -> None:
    base = Tree({"run": f(TEXT)})
    ours = Tree({"run": f(TEXT, Mode.EXECUTABLE)})
    theirs = Tree({"run": f(edit("two", "2"))})
    result = merge3(base, ours, theirs)
    assert result.clean
    assert result.tree == Tree({"run": f(edit("two", "2"), Mode.EXECUTABLE)})
    assert outcome(result, "run").outcome is Outcome.MERGED
    both_edit = Tree({"run": f(edit("six", "6"), Mode.EXECUTABLE)})
    merged = merge3(base, both_edit, theirs)
    assert merged.tree["run"] == f(edit("two", "2", edit("six", "6")), Mode.EXECUTABLE)


def test_mode_only_conflict() -> None:
    """The same file added as executable by one side and as a plain file by the other."""
    ours = Tree({"tool": f("#!/bin/sh\n", Mode.EXECUTABLE)})
    theirs = Tree({"tool": f("#!/bin/sh\n")})
    result = merge3(Tree(), ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.kind is ConflictKind.MODE
    assert conflict.mode_conflict
    assert conflict.text is None
    assert result.tree["tool"] == ours["tool"]  # our mode wins until someone decides
    assert result.with_markers() == result.tree  # nothing to mark in the text
    assert_mirrors(Tree(), ours, theirs)


def test_added_with_other_text_and_other_modes() -> None:
    ours = Tree({"tool": f("a\nours\n", Mode.EXECUTABLE)})
    theirs = Tree({"tool": f("a\ntheirs\n")})
    result = merge3(Tree(), ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.kind is ConflictKind.ADD_ADD
    assert conflict.mode_conflict
    assert result.tree["tool"].mode is Mode.EXECUTABLE


# --- binary files and symlinks -----------------------------------------------------------------


def test_binary_changed_on_both_sides_conflicts_and_keeps_ours() -> None:
    base = T({"img": b"\0base"})
    ours, theirs = T({"img": b"\0ours"}), T({"img": b"\0theirs"})
    result = merge3(base, ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.kind is ConflictKind.BINARY
    assert conflict.text is None
    assert conflict.hunks == ()
    assert result.tree["img"].content() == b"\0ours"
    assert result.with_markers()["img"].content() == b"\0ours"
    assert result.with_rejects() == result.tree  # no .rej for binary files
    assert_mirrors(base, ours, theirs)


def test_binary_changed_on_one_side_is_clean() -> None:
    base = T({"img": b"\0base", "t": "t\n"})
    result = merge3(base, T({"img": b"\0new", "t": "t\n"}), T({"img": b"\0base", "t": "T\n"}))
    assert result.clean
    assert result.tree.texts() == {"img": b"\0new", "t": b"T\n"}


def test_text_made_binary_on_one_side_and_edited_on_the_other() -> None:
    base = T({"f": TEXT})
    result = merge3(base, T({"f": b"\0binary now"}), T({"f": edit("two", "2")}))
    (conflict,) = result.conflicts
    assert conflict.kind is ConflictKind.BINARY


def test_symlink_retargeted_on_both_sides() -> None:
    base = Tree({"l": FileEntry.symlink("a")})
    ours, theirs = Tree({"l": FileEntry.symlink("b")}), Tree({"l": FileEntry.symlink("c")})
    result = merge3(base, ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.kind is ConflictKind.BINARY
    assert result.tree["l"] == ours["l"]
    assert result.with_markers() == result.tree


def test_symlink_retargeted_on_one_side() -> None:
    base = Tree({"l": FileEntry.symlink("a"), "t": f("t\n")})
    result = merge3(base, Tree({"l": FileEntry.symlink("b"), "t": f("t\n")}), base)
    assert result.clean
    assert result.tree["l"].content() == b"b"


def test_file_made_a_symlink_while_the_other_side_edits_it() -> None:
    """Before the fix this merged cleanly into a symlink whose target was the edited text."""
    base = Tree({"f": f("target\n")})
    ours = Tree({"f": FileEntry.symlink("target\n")})  # same bytes, so the same digest
    theirs = Tree({"f": f("other\n")})
    result = merge3(base, ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.kind is ConflictKind.BINARY
    assert result.tree["f"] == ours["f"]
    assert_mirrors(base, ours, theirs)
    executable = Tree({"f": f("target\n", Mode.EXECUTABLE)})
    (mode_vs_type,) = merge3(base, executable, ours).conflicts
    assert mode_vs_type.kind is ConflictKind.BINARY


def test_symlinks_that_loop_once_merged_are_left_out() -> None:
    base = T({"t": "t\n"})
    ours = base.replace({"a": FileEntry.symlink("b")})
    theirs = base.replace({"b": FileEntry.symlink("a")})
    result = merge3(base, ours, theirs)
    assert sorted(result.tree) == ["t"]
    assert [(c.path, c.kind) for c in result.conflicts] == [
        ("a", ConflictKind.SYMLINK),
        ("b", ConflictKind.SYMLINK),
    ]
    a = result.conflict_at("a")
    assert a is not None
    assert (a.ours, a.theirs) == (ours["a"], None)
    assert outcome(result, "a").outcome is Outcome.CONFLICT
    Tree(dict(result.tree.items()))  # the result is a valid Tree
    assert_mirrors(base, ours, theirs)


def test_a_link_no_side_changed_can_join_a_loop_the_sides_make() -> None:
    """``b -> c`` is the same on every side; we add ``c -> e``, they add ``e -> b``: each side is
    fine alone, merged the three links loop, and the unchanged one is a conflict too."""
    base = T({"t": "t\n"}).replace({"b": FileEntry.symlink("c")})
    ours = base.replace({"c": FileEntry.symlink("e")})
    theirs = base.replace({"e": FileEntry.symlink("b")})
    result = merge3(base, ours, theirs)
    assert sorted(result.tree) == ["t"]
    assert [(c.path, c.kind) for c in result.conflicts] == [
        ("b", ConflictKind.SYMLINK),
        ("c", ConflictKind.SYMLINK),
        ("e", ConflictKind.SYMLINK),
    ]
    b = result.conflict_at("b")
    assert b is not None and b.base == b.ours == b.theirs == base["b"]
    assert outcome(result, "b").outcome is Outcome.CONFLICT
    assert "b" not in result.unchanged
    assert [o.path for o in result.outcomes].count("b") == 1
    assert_mirrors(base, ours, theirs)


def test_symlink_moved_up_while_retargeted_would_leave_the_root() -> None:
    """We move ``d/e/l -> ../x`` to ``f/l``; they retarget it to ``../../x``: each is fine alone,
    together ``f/l -> ../../x`` leaves the root."""
    base = Tree({"d/e/l": FileEntry.symlink("../x"), "x": f("x\n")})
    ours = Tree({"f/l": FileEntry.symlink("../x"), "x": f("x\n")})
    theirs = Tree({"d/e/l": FileEntry.symlink("../../x"), "x": f("x\n")})
    result = merge3(base, ours, theirs)
    (conflict,) = result.conflicts
    assert (conflict.path, conflict.kind) == ("f/l", ConflictKind.SYMLINK)
    assert (conflict.base_path, conflict.ours_path, conflict.theirs_path) == (
        "d/e/l",
        "f/l",
        "d/e/l",
    )
    assert (conflict.base, conflict.ours, conflict.theirs) == (
        base["d/e/l"],
        ours["f/l"],
        theirs["d/e/l"],
    )
    assert sorted(result.tree) == ["x"]


# --- renames -----------------------------------------------------------------------------------


def test_rename_on_one_side_modify_on_the_other_follows_the_rename() -> None:
    base = T({"old/name.py": TEXT})
    ours = T({"new/name.py": TEXT})
    theirs = T({"old/name.py": edit("two", "2")})
    for result in (merge3(base, ours, theirs), merge3(base, theirs, ours)):
        assert result.clean
        assert result.tree == T({"new/name.py": edit("two", "2")})
    result = merge3(base, ours, theirs)
    assert outcome(result, "new/name.py") == PathOutcome(
        "new/name.py", Outcome.THEIRS, "old/name.py", "new/name.py", "old/name.py"
    )


def test_similar_rename_and_modify_merge_both_edits() -> None:
    base = T({"a.txt": TEXT})
    ours = T({"b.txt": edit("one", "1")})  # renamed and edited
    theirs = T({"a.txt": edit("seven", "7")})
    result = merge3(base, ours, theirs)
    assert result.clean
    assert result.tree == T({"b.txt": edit("one", "1", edit("seven", "7"))})
    assert outcome(result, "b.txt").outcome is Outcome.MERGED
    # with a stricter threshold the edit hides the rename: delete/modify plus an addition
    strict = merge3(base, ours, theirs, rename_threshold=0.95)
    assert [(c.path, c.kind) for c in strict.conflicts] == [("a.txt", ConflictKind.DELETE_MODIFY)]


def test_renamed_identically_on_both_sides() -> None:
    base = T({"a": TEXT})
    both = T({"b": TEXT})
    result = merge3(base, both, both)
    assert result.clean
    assert result.tree == both


def test_rename_rename_conflict_keeps_both_paths() -> None:
    base = T({"a": TEXT})
    ours = T({"ours/a": TEXT})
    theirs = T({"theirs/a": edit("two", "2")})
    result = merge3(base, ours, theirs)
    assert [(c.path, c.kind) for c in result.conflicts] == [
        ("ours/a", ConflictKind.RENAME_RENAME),
        ("theirs/a", ConflictKind.RENAME_RENAME),
    ]
    first = result.conflicts[0]
    assert (first.base_path, first.ours_path, first.theirs_path) == ("a", "ours/a", "theirs/a")
    # the content merged cleanly, so both paths hold the merged file
    assert result.tree == T({"ours/a": edit("two", "2"), "theirs/a": edit("two", "2")})
    assert_mirrors(base, ours, theirs)


def test_rename_rename_with_a_content_conflict() -> None:
    base = T({"a": TEXT})
    ours = T({"ours/a": edit("two", "2")})
    theirs = T({"theirs/a": edit("two", "II")})
    result = merge3(base, ours, theirs)
    first, second = result.conflicts
    assert first.kind is second.kind is ConflictKind.RENAME_RENAME
    assert first.text is not None
    assert not first.text.clean
    assert result.tree["theirs/a"] == theirs["theirs/a"]
    assert_mirrors(base, ours, theirs)


def test_rename_and_delete_conflict_at_the_new_path() -> None:
    base = T({"a": TEXT})
    ours = T({"b": TEXT})
    result = merge3(base, ours, T({}))
    (conflict,) = result.conflicts
    assert (conflict.path, conflict.kind) == ("b", ConflictKind.MODIFY_DELETE)
    assert (conflict.base_path, conflict.ours_path, conflict.theirs_path) == ("a", "b", None)
    assert result.tree == ours


def test_rename_onto_a_path_the_other_side_added() -> None:
    """We move ``x`` to ``c``; they add their own ``c`` and edit ``x``.

    The move is not followed: the two ``c`` meet as add/add (each side's own file) and their
    edit of ``x`` stays at ``x`` as a delete/modify conflict, so nothing either side did is lost.
    """
    base = T({"x": TEXT})
    ours = T({"c": TEXT})
    theirs = T({"x": edit("two", "2"), "c": "their own c\n"})
    result = merge3(base, ours, theirs)
    assert [(c.path, c.kind) for c in result.conflicts] == [
        ("c", ConflictKind.ADD_ADD),
        ("x", ConflictKind.DELETE_MODIFY),
    ]
    c, x = result.conflicts
    assert (c.ours, c.theirs) == (ours["c"], theirs["c"])
    assert (x.ours, x.theirs) == (None, theirs["x"])
    assert result.tree["x"] == theirs["x"]
    assert_mirrors(base, ours, theirs)


def test_rename_onto_an_added_path_when_the_source_is_untouched() -> None:
    base = T({"x": TEXT})
    ours = T({"c": TEXT})
    theirs = T({"x": TEXT, "c": "their own c\n"})
    result = merge3(base, ours, theirs)
    (conflict,) = result.conflicts
    assert (conflict.path, conflict.kind) == ("c", ConflictKind.ADD_ADD)
    assert sorted(result.tree) == ["c"]
    assert outcome(result, "x").outcome is Outcome.DELETED


def test_two_files_renamed_to_one_path() -> None:
    base = T({"x": TEXT, "y": "why\nnot\n"})
    ours = T({"c": TEXT, "y": "why\nnot\n"})
    theirs = T({"x": TEXT, "c": "why\nnot\n"})
    result = merge3(base, ours, theirs)
    (conflict,) = result.conflicts
    assert (conflict.path, conflict.kind) == ("c", ConflictKind.ADD_ADD)
    assert (conflict.ours, conflict.theirs) == (ours["c"], theirs["c"])
    assert sorted(result.tree) == ["c"]
    assert_mirrors(base, ours, theirs)


def test_empty_files_are_not_taken_for_renames() -> None:
    """Deleting one empty ``__init__.py`` and adding another is not a move."""
    base = T({"a/__init__.py": ""})
    ours = T({"b/__init__.py": ""})
    theirs = T({"a/__init__.py": "VERSION = 2\n"})
    result = merge3(base, ours, theirs)
    assert [(c.path, c.kind) for c in result.conflicts] == [
        ("a/__init__.py", ConflictKind.DELETE_MODIFY)
    ]
    assert result.tree == T({"a/__init__.py": "VERSION = 2\n", "b/__init__.py": ""})


# --- files and folders -------------------------------------------------------------------------


def test_file_on_one_side_folder_on_the_other() -> None:
    ours = T({"a": "a file\n"})
    theirs = T({"a/b": "in a folder\n"})
    result = merge3(T({}), ours, theirs)
    (conflict,) = result.conflicts
    assert (conflict.path, conflict.kind) == ("a~ours", ConflictKind.FILE_DIRECTORY)
    assert (conflict.ours, conflict.theirs) == (ours["a"], None)
    assert conflict.ours_path == "a"
    assert result.tree == T({"a~ours": "a file\n", "a/b": "in a folder\n"})
    assert outcome(result, "a~ours") == PathOutcome("a~ours", Outcome.CONFLICT, None, "a", None)
    mirrored = merge3(T({}), theirs, ours)
    assert [c.path for c in mirrored.conflicts] == ["a~theirs"]
    assert conflict.mirrored() == mirrored.conflicts[0]
    assert conflict.mirrored().mirrored() == conflict


def test_modified_file_where_the_other_side_made_a_folder() -> None:
    base = T({"a": TEXT})
    ours = T({"a": edit("two", "2")})
    theirs = T({"a/b": "b\n"})
    result = merge3(base, ours, theirs)
    (conflict,) = result.conflicts
    assert (conflict.path, conflict.kind) == ("a~ours", ConflictKind.FILE_DIRECTORY)
    assert (conflict.base, conflict.base_path) == (base["a"], "a")
    assert result.tree == T({"a~ours": edit("two", "2"), "a/b": "b\n"})
    assert_mirrors(base, ours, theirs)


def test_file_moved_by_one_side_onto_the_other_sides_folder() -> None:
    """They move ``x`` to ``a``; we edit ``x`` and add ``a/b``: the file is theirs' ``a``."""
    base = T({"x": TEXT})
    ours = T({"x": edit("two", "2"), "a/b": "b\n"})
    theirs = T({"a": TEXT})
    result = merge3(base, ours, theirs)
    (conflict,) = result.conflicts
    assert (conflict.path, conflict.kind) == ("a~theirs", ConflictKind.FILE_DIRECTORY)
    assert result.tree == T({"a~theirs": edit("two", "2"), "a/b": "b\n"})
    assert_mirrors(base, ours, theirs)


def test_the_aside_name_avoids_existing_paths() -> None:
    ours = T({"a": "file\n", "a~ours": "already here\n"})
    theirs = T({"a/b": "b\n", "a~ours": "already here\n"})
    result = merge3(T({}), ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.path == "a~ours~2"
    assert result.tree["a~ours"].content() == b"already here\n"
    assert result.tree["a~ours~2"].content() == b"file\n"


# --- bytes survive -----------------------------------------------------------------------------


def test_every_byte_survives_a_tree_merge() -> None:
    base = T(
        {
            "crlf.txt": b"a\r\nb\r\nc\r\nd\r\n",
            "nofinal.txt": b"a\nb\nc\nd",
            "latin1.txt": "caf\xe9\nb\nc\nd\xe9j\xe0\n".encode("latin-1"),
            "blob.bin": b"\0\1\2\r\n\xff",
        }
    )
    ours = T(
        {
            "crlf.txt": b"A\r\nb\r\nc\r\nd\r\n",
            "nofinal.txt": b"A\nb\nc\nd",
            "latin1.txt": "CAF\xc9\nb\nc\nd\xe9j\xe0\n".encode("latin-1"),
            "blob.bin": b"\0\1\2\r\n\xff",
        }
    )
    theirs = T(
        {
            "crlf.txt": b"a\r\nb\r\nc\r\nD\r\n",
            "nofinal.txt": b"a\nb\nc\nD",
            "latin1.txt": "caf\xe9\nb\nc\nd\xe9j\xe0!\n".encode("latin-1"),
            "blob.bin": b"\0\1\2\r\n\xfe",
        }
    )
    result = merge3(base, ours, theirs)
    assert result.clean
    assert result.tree.texts() == {
        "blob.bin": b"\0\1\2\r\n\xfe",
        "crlf.txt": b"A\r\nb\r\nc\r\nD\r\n",
        "latin1.txt": "CAF\xc9\nb\nc\nd\xe9j\xe0!\n".encode("latin-1"),
        "nofinal.txt": b"A\nb\nc\nD",
    }


# --- rendering conflicts -----------------------------------------------------------------------


def conflicted_tree() -> tuple[Tree, MergeResult]:
    base = Tree({"run.sh": f(TEXT.replace("\n", "\r\n"), Mode.EXECUTABLE), "ok": f("ok\n")})
    ours = Tree({"run.sh": f(edit("four", "4").replace("\n", "\r\n"), Mode.EXECUTABLE)})
    ours = ours.replace({"ok": f("ok\n")})
    theirs = Tree({"run.sh": f(edit("four", "IV").replace("\n", "\r\n"), Mode.EXECUTABLE)})
    theirs = theirs.replace({"ok": f("fine\n")})
    return base, merge3(base, ours, theirs)


def test_with_markers_uses_the_callers_labels_and_the_files_line_endings() -> None:
    _, result = conflicted_tree()
    marked = result.with_markers(MarkerLabels("instance", "template 2.0", "template 1.0"))
    assert marked["run.sh"].mode is Mode.EXECUTABLE
    assert marked["run.sh"].content() == (
        b"one\r\ntwo\r\nthree\r\n<<<<<<< instance\r\n4\r\n=======\r\nIV\r\n"
        b">>>>>>> template 2.0\r\nfive\r\nsix\r\nseven\r\n"
    )
    assert marked["ok"].content() == b"fine\n"
    with_base = result.with_markers(MarkerLabels(base="template 1.0"), show_base=True)
    assert b"||||||| template 1.0\r\nfour\r\n=======\r\n" in with_base["run.sh"].content()
    assert result.tree["run.sh"].content().count(b"<<<<<<<") == 0  # the result itself is clean


def test_with_rejects_puts_theirs_hunks_beside_our_file() -> None:
    _, result = conflicted_tree()
    tree = result.with_rejects()
    assert sorted(tree) == ["ok", "run.sh", "run.sh.rej"]
    assert tree["run.sh"] == result.tree["run.sh"]
    assert tree["run.sh.rej"].content() == (
        b"--- run.sh\n+++ run.sh\n@@ -1,7 +1,7 @@\n one\r\n two\r\n three\r\n-four\r\n+IV\r\n"
        b" five\r\n six\r\n seven\r\n"
    )
    assert sorted(result.with_rejects(".rejected")) == ["ok", "run.sh", "run.sh.rejected"]


# --- mirroring ---------------------------------------------------------------------------------


def test_conflict_kinds_mirror() -> None:
    assert ConflictKind.MODIFY_DELETE.mirrored() is ConflictKind.DELETE_MODIFY
    assert ConflictKind.DELETE_MODIFY.mirrored() is ConflictKind.MODIFY_DELETE
    others = set(ConflictKind) - {ConflictKind.MODIFY_DELETE, ConflictKind.DELETE_MODIFY}
    assert all(kind.mirrored() is kind for kind in others)


def test_conflict_mirrored_swaps_the_sides() -> None:
    one, two = f("1\n"), f("2\n")
    conflict = Conflict(
        "p", ConflictKind.MODIFY_DELETE, one, two, None, "b", "o", None, None, mode_conflict=True
    )
    assert conflict.mirrored() == Conflict(
        "p", ConflictKind.DELETE_MODIFY, one, None, two, "b", None, "o", None, mode_conflict=True
    )


def test_a_conflicted_file_moved_aside_keeps_its_conflict() -> None:
    """They move ``x`` to ``a`` and edit it; we edit the same line and add ``a/b``."""
    base = T({"x": TEXT})
    ours = T({"x": edit("four", "4"), "a/b": "b\n"})
    theirs = T({"a": edit("four", "IV")})
    result = merge3(base, ours, theirs)
    (conflict,) = result.conflicts
    assert (conflict.path, conflict.kind) == ("a~theirs", ConflictKind.FILE_DIRECTORY)
    assert conflict.moved_from == "a"
    assert (conflict.ours, conflict.theirs) == (ours["x"], theirs["a"])
    assert (conflict.base_path, conflict.ours_path, conflict.theirs_path) == ("x", "x", "a")
    assert conflict.text is not None
    assert len(conflict.hunks) == 1
    marked = result.with_markers()["a~theirs"].content()
    assert b"<<<<<<< ours\n4\n=======\nIV\n>>>>>>> theirs\n" in marked
    assert_mirrors(base, ours, theirs)
