from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from templsync._core.tree import (
    FileEntry,
    Mode,
    Tree,
    blob_digest,
    normalize_path,
    parent_dirs,
)
from templsync.errors import InvalidPathError, SymlinkError, SymlinkOutsideError, UserError


def entry(data: bytes = b"x\n") -> FileEntry:
    return FileEntry.from_bytes(data)


# --- paths -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a", "a"),
        ("a/b/c.txt", "a/b/c.txt"),
        ("./a", "a"),
        ("a//b", "a/b"),
        ("a/./b/", "a/b"),
        ("dir with space/ü.txt", "dir with space/ü.txt"),
        ("a\\b", "a\\b"),  # a backslash is an ordinary character in a POSIX name
        ("...", "..."),
        ("..a/b..", "..a/b.."),
    ],
)
def test_normalize_path_accepts_relative_paths(raw: str, expected: str) -> None:
    assert normalize_path(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("/etc/passwd", "absolute"),
        ("//server/share", "absolute"),
        ("C:/Windows", "absolute"),
        ("c:", "absolute"),
        ("..", "'..'"),
        ("../outside", "'..'"),
        ("a/../../outside", "'..'"),
        ("a/../b", "'..'"),
        ("a/..", "'..'"),
        (".", "root"),
        ("./", "root"),
        ("a\0b", "NUL"),
    ],
)
def test_normalize_path_refuses_paths_that_could_leave_the_root(raw: str, reason: str) -> None:
    with pytest.raises(InvalidPathError) as info:
        normalize_path(raw)
    assert info.value.path == raw
    assert repr(raw) in str(info.value)
    assert reason in str(info.value)
    assert isinstance(info.value, UserError)


def test_parent_dirs_are_listed_nearest_first() -> None:
    assert list(parent_dirs("a/b/c")) == ["a/b", "a"]
    assert list(parent_dirs("top")) == []


# --- building Trees ----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["/abs/file", "../up", "a/../../up", "sub/../file", "C:/x"])
def test_tree_refuses_invalid_paths_naming_them(raw: str) -> None:
    with pytest.raises(InvalidPathError) as info:
        Tree({"fine.txt": entry(), raw: entry()})
    assert info.value.path == raw
    assert repr(raw) in str(info.value)


def test_tree_normalizes_paths() -> None:
    tree = Tree({"./a//b": entry(b"1"), "c/": entry(b"2")})
    assert tree.paths() == ["a/b", "c"]
    assert tree["a/b"].content() == b"1"


def test_tree_refuses_two_spellings_of_one_path() -> None:
    with pytest.raises(InvalidPathError, match="appears twice") as info:
        Tree({"a/b": entry(b"1"), "a//b": entry(b"2")})
    assert info.value.path == "a//b"


def test_tree_refuses_a_path_that_is_both_file_and_folder() -> None:
    with pytest.raises(InvalidPathError) as info:
        Tree({"a": entry(), "a/b/c": entry()})
    message = str(info.value)
    assert "'a'" in message
    assert "'a/b/c'" in message
    assert "file" in message
    assert "folder" in message


def test_a_file_named_like_a_folder_prefix_is_not_a_clash() -> None:
    tree = Tree({"a": entry(), "ab/c": entry(), "a.d/e": entry()})
    assert len(tree) == 3


# --- symlinks ----------------------------------------------------------------------------------


def test_symlinks_inside_the_tree_are_accepted() -> None:
    tree = Tree(
        {
            "d/file": entry(),
            "link": FileEntry.symlink("d/file"),
            "d/sibling": FileEntry.symlink("file"),
            "d/up": FileEntry.symlink("../link"),  # a chain: d/up -> link -> d/file
            "to-folder": FileEntry.symlink("d"),
            "via-folder-link": FileEntry.symlink("to-folder/file"),
            "dangling": FileEntry.symlink("missing/nowhere"),
            "dot": FileEntry.symlink("."),
        }
    )
    assert tree["link"].is_symlink
    assert tree["link"].content() == b"d/file"
    assert tree["link"].mode is Mode.SYMLINK


def test_symlink_to_an_absolute_path_is_refused() -> None:
    with pytest.raises(SymlinkError, match="absolute") as info:
        Tree({"etc": FileEntry.symlink("/etc")})
    assert "'etc'" in str(info.value)
    assert isinstance(info.value, UserError)


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("up", ".."),
        ("up", "../sibling-project"),
        ("d/up", "../.."),
        ("d/e/up", "../../../x"),
        ("sneaky", "d/../../x"),
    ],
)
def test_symlink_leaving_the_root_is_refused(path: str, target: str) -> None:
    with pytest.raises(SymlinkOutsideError, match="leaves the project root") as info:
        Tree({"d/e/file": entry(), path: FileEntry.symlink(target)})
    assert str(info.value).startswith(f'"{path}" is forbidden: the symlink points to')
    assert isinstance(info.value, SymlinkError)
    assert repr(target) in str(info.value)


def test_symlink_leaving_the_root_through_a_folder_link_is_refused() -> None:
    """``p/q/d`` points up to ``r``, so ``p/q/d/../..`` is the folder above the root.

    Normalizing the text ``p/q/d/../../x`` alone would give ``p/x``, inside; the operating system
    follows ``p/q/d`` first.
    """
    files = {"r/x": entry(), "p/q/d": FileEntry.symlink("../../r")}
    Tree(files)  # fine on its own
    with pytest.raises(SymlinkError, match="leaves the project root") as info:
        Tree({**files, "l": FileEntry.symlink("p/q/d/../../x")})
    assert str(info.value).startswith('"l" is forbidden')


def test_symlink_through_another_link_that_leaves_names_both() -> None:
    with pytest.raises(SymlinkError) as info:
        Tree({"a": FileEntry.symlink("b/x"), "b": FileEntry.symlink("/abs")})
    assert str(info.value).startswith(
        "symlink 'a' points to the absolute path '/abs' (through the symlink 'b')"
    )


@pytest.mark.parametrize(
    ("links", "chain"),
    [
        ({"a": "a"}, "a -> a"),
        ({"a": "b", "b": "a"}, "a -> b -> a"),
        ({"a": "d/b", "d/b": "../c", "c": "a"}, "a -> d/b -> c -> a"),
        ({"a": "a/x"}, "a -> a"),
    ],
)
def test_symlink_loops_are_refused_with_the_chain(links: dict[str, str], chain: str) -> None:
    with pytest.raises(SymlinkError, match="loop") as info:
        Tree({p: FileEntry.symlink(t) for p, t in links.items()})
    assert chain in str(info.value)


def test_long_symlink_chains_are_refused() -> None:
    links = {f"l{i}": FileEntry.symlink(f"l{i + 1}") for i in range(60)}
    with pytest.raises(SymlinkError, match="more than 40 links"):
        Tree(links)


def test_a_chain_within_the_limit_is_accepted() -> None:
    links = {f"l{i}": FileEntry.symlink(f"l{i + 1}") for i in range(30)}
    assert len(Tree(links)) == 30


# --- entries and digests -----------------------------------------------------------------------


def test_blob_digest_is_gits_blob_id(tmp_path: Path) -> None:
    samples = [b"", b"hello\n", b"a\r\nb", bytes(range(256)) * 3, "é\n".encode("latin-1")]
    for data in samples:
        path = tmp_path / "blob"
        path.write_bytes(data)
        git = subprocess.run(
            ["git", "hash-object", str(path)], capture_output=True, check=True, text=True
        )
        assert blob_digest(data) == git.stdout.strip()
    assert blob_digest(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"


def test_entries_compare_by_digest_and_mode_not_by_loader() -> None:
    loaded: list[int] = []

    def lazy() -> bytes:
        loaded.append(1)
        return b"data"

    eager = FileEntry.from_bytes(b"data")
    deferred = FileEntry(blob_digest(b"data"), Mode.REGULAR, lazy)
    assert eager == deferred
    assert hash(eager) == hash(deferred)
    assert loaded == []  # comparing never loads content
    assert deferred.content() == b"data"
    assert loaded == [1]
    assert eager != eager.with_mode(Mode.EXECUTABLE)
    assert eager.with_mode(Mode.EXECUTABLE).content() == b"data"
    assert eager != FileEntry.from_bytes(b"other")
    assert eager != "data"


def test_verified_content_is_the_content_only_while_it_matches_the_digest() -> None:
    current = [b"data"]
    lazy = FileEntry(blob_digest(b"data"), Mode.REGULAR, lambda: current[0])
    assert lazy.verified_content() == b"data"
    current[0] = b"edited"  # the source changed after the entry was made
    assert lazy.verified_content() is None

    eager = FileEntry.from_bytes(b"data")
    assert eager.verified_content() == b"data"
    assert eager.with_mode(Mode.EXECUTABLE).verified_content() == b"data"
    # Its loader under another digest is not taken on trust.
    assert FileEntry(blob_digest(b"x"), Mode.REGULAR, eager.loader).verified_content() is None


def test_symlink_entry_holds_its_target_bytes() -> None:
    link = FileEntry.symlink("target/ü")
    assert link.content() == "target/ü".encode()
    assert link.is_symlink
    assert link != FileEntry.from_bytes("target/ü".encode())  # same digest, other mode


def test_mode_labels_and_git_numbers() -> None:
    assert [m.label for m in Mode] == ["file", "executable", "symlink"]
    assert (Mode.REGULAR, Mode.EXECUTABLE, Mode.SYMLINK) == (0o100644, 0o100755, 0o120000)


# --- the mapping -------------------------------------------------------------------------------


def test_tree_is_an_immutable_mapping() -> None:
    tree = Tree.from_texts({"b": "2", "a/x": b"1"})
    assert tree.paths() == ["a/x", "b"]
    assert "b" in tree
    assert "c" not in tree
    assert tree.get("c") is None
    assert tree.texts() == {"a/x": b"1", "b": b"2"}
    assert dict(tree.items()) == {"a/x": entry(b"1"), "b": entry(b"2")}
    with pytest.raises(TypeError):
        tree["c"] = entry()  # type: ignore[index]  # the point: Tree has no __setitem__


def test_tree_equality_ignores_insertion_order() -> None:
    one = Tree.from_texts({"a": "1", "b": "2"})
    two = Tree.from_texts({"b": "2", "a": "1"})
    assert one == two
    assert hash(one) == hash(two)
    assert one != Tree.from_texts({"a": "1", "b": "3"})
    assert one != Tree.from_texts({"a": "1"})
    assert one != {"a": entry(b"1"), "b": entry(b"2")}


def test_replace_returns_a_new_validated_tree() -> None:
    tree = Tree.from_texts({"a": "1", "b": "2"})
    changed = tree.replace({"c/d": entry(b"3")}, frozenset({"a"}))
    assert changed.texts() == {"b": b"2", "c/d": b"3"}
    assert tree.texts() == {"a": b"1", "b": b"2"}
    with pytest.raises(InvalidPathError):
        tree.replace({"a/inside": entry()})
    with pytest.raises(InvalidPathError):
        tree.replace({"../out": entry()})
    with pytest.raises(SymlinkError):
        tree.replace({"l": FileEntry.symlink("../..")})
