from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from templsync._core.ignore import IgnoreRules
from templsync._core.tree import FileEntry, Mode, Tree, blob_digest
from templsync._io import JOURNAL_DIR, read_tree
from templsync._io.local import read_empty_folders
from templsync.errors import (
    ChangedDuringRunError,
    ForbiddenPathError,
    InvalidPathError,
    ReadError,
    SymlinkError,
)
from testing.forked import call_unprivileged
from testing.trees import build_tree


def test_reads_files_with_git_digests(workdir: Path) -> None:
    build_tree(workdir, {"a.txt": "hello\n", "sub/deeper/b.bin": b"\x00\x01\x02"})

    tree = read_tree(workdir)

    assert tree == Tree.from_texts({"a.txt": "hello\n", "sub/deeper/b.bin": b"\x00\x01\x02"})
    # git hash-object of "hello\n"
    assert tree["a.txt"].digest == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_modes_follow_the_owner_executable_bit(workdir: Path) -> None:
    build_tree(workdir, {"run.sh": "#!/bin/sh\n", "data": "x", "group-only": "y"})
    (workdir / "run.sh").chmod(0o744)
    (workdir / "group-only").chmod(0o654)

    tree = read_tree(workdir)

    assert tree["run.sh"].mode is Mode.EXECUTABLE
    assert tree["data"].mode is Mode.REGULAR
    assert tree["group-only"].mode is Mode.REGULAR


def test_symlinks_are_read_as_links_never_followed(workdir: Path) -> None:
    build_tree(workdir, {"dir/target.txt": "t", "dir/inner/file": "f"})
    (workdir / "link").symlink_to("dir/target.txt")
    (workdir / "dirlink").symlink_to("dir")
    (workdir / "dangling").symlink_to("nowhere")

    tree = read_tree(workdir)

    assert tree["link"] == FileEntry.symlink("dir/target.txt")
    assert tree["link"].content() == b"dir/target.txt"
    assert tree["dirlink"] == FileEntry.symlink("dir")
    assert tree["dangling"].mode is Mode.SYMLINK
    assert "dirlink/inner/file" not in tree  # the link to a folder is not entered
    assert sorted(tree) == ["dangling", "dir/inner/file", "dir/target.txt", "dirlink", "link"]


def test_symlink_escaping_the_root_is_refused(workdir: Path) -> None:
    root = build_tree(workdir / "root", {"a": "a"})
    (root / "up").symlink_to("../outside")

    with pytest.raises(SymlinkError, match=r'^"up" is forbidden'):
        read_tree(root)


def test_absolute_symlink_is_refused(workdir: Path) -> None:
    root = build_tree(workdir / "root", {"a": "a"})
    (root / "abs").symlink_to(root / "a")

    with pytest.raises(SymlinkError, match="absolute"):
        read_tree(root)


def test_an_absolute_symlink_out_of_the_folder_is_forbidden_naming_where_it_points(
    workdir: Path,
) -> None:
    root = build_tree(workdir / "root", {"a": "a"})
    (root / "abs").symlink_to(workdir / "elsewhere.txt")

    with pytest.raises(ForbiddenPathError) as info:
        read_tree(root)
    assert str(info.value).startswith(
        f"\"{workdir / 'elsewhere.txt'}\" is forbidden: symlink 'abs' points to "
        f"'{workdir / 'elsewhere.txt'}', outside the project ({root})."
    )
    assert isinstance(info.value, SymlinkError)


def test_symlink_loop_is_refused(workdir: Path) -> None:
    build_tree(workdir, {"a": "a"})
    (workdir / "x").symlink_to("y")
    (workdir / "y").symlink_to("x")

    with pytest.raises(SymlinkError, match="loop"):
        read_tree(workdir)


def test_an_ignored_escaping_symlink_is_not_an_error(workdir: Path) -> None:
    root = build_tree(workdir / "root", {"a": "a"})
    (root / "up").symlink_to("../outside")

    assert sorted(read_tree(root, IgnoreRules.of(["up"]))) == ["a"]


def test_fifos_and_sockets_are_skipped(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_tree(workdir, {"a": "a"})
    os.mkfifo(workdir / "fifo")
    monkeypatch.chdir(workdir)  # AF_UNIX paths are limited to ~100 bytes: bind a relative one
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind("sock")

        assert sorted(read_tree(workdir)) == ["a"]


def test_the_journal_folder_is_always_skipped(workdir: Path) -> None:
    build_tree(workdir, {"a": "a", f"{JOURNAL_DIR}/journal.json": "{}", f"sub/{JOURNAL_DIR}": "x"})

    # Only the root's journal is the writer's; a file of that name deeper is a file like others.
    assert sorted(read_tree(workdir)) == ["a", f"sub/{JOURNAL_DIR}"]


def test_ignore_rules_are_applied_while_walking(workdir: Path) -> None:
    build_tree(
        workdir,
        {
            "keep.py": "k",
            "mod.pyc": "c",
            "important.pyc": "i",
            "build/out.o": "o",
            "src/build": "a file named build, not a folder",
            "src/cache/x": "x",
            "cache/y": "y",
            "node_modules/pkg/index.js": "j",
        },
    )
    rules = IgnoreRules.of(["*.pyc", "!important.pyc", "build/", "/cache", "node_modules/"])

    tree = read_tree(workdir, rules)

    assert sorted(tree) == ["important.pyc", "keep.py", "src/build", "src/cache/x"]


def test_an_ignored_folder_is_not_entered(workdir: Path) -> None:
    # An escaping symlink inside an ignored folder would be an error if the walk entered it.
    build_tree(workdir, {"a": "a", "vendor/lib.c": "c"})
    (workdir / "vendor" / "up").symlink_to("../../..")

    assert sorted(read_tree(workdir, IgnoreRules.of(["vendor/"]))) == ["a"]
    # As in git, a file inside an ignored folder cannot be re-included.
    assert sorted(read_tree(workdir, IgnoreRules.of(["vendor/", "!vendor/lib.c"]))) == ["a"]


def test_content_is_loaded_lazily_and_checked(workdir: Path) -> None:
    build_tree(workdir, {"a": "first"})
    tree = read_tree(workdir)

    assert tree["a"].content() == b"first"
    (workdir / "a").write_text("second")

    with pytest.raises(ChangedDuringRunError, match="'a'"):
        tree["a"].content()


def test_content_of_a_deleted_or_replaced_file_is_refused(workdir: Path) -> None:
    build_tree(workdir, {"gone": "g", "dir": "d", "link": "l"})
    tree = read_tree(workdir)
    (workdir / "gone").unlink()
    (workdir / "dir").unlink()
    (workdir / "dir").mkdir()
    (workdir / "link").unlink()
    (workdir / "link").symlink_to("dir")

    for path in ("gone", "dir", "link"):
        with pytest.raises(ChangedDuringRunError, match=repr(path)):
            tree[path].content()


def test_a_missing_root_is_a_read_error(workdir: Path) -> None:
    with pytest.raises(ReadError, match="does not exist"):
        read_tree(workdir / "nope")


def test_a_file_as_root_is_a_read_error(workdir: Path) -> None:
    build_tree(workdir, {"f": "x"})
    with pytest.raises(ReadError, match="not a folder"):
        read_tree(workdir / "f")


def test_a_name_a_tree_refuses_is_refused(workdir: Path) -> None:
    build_tree(workdir, {"c:drive": "looks absolute on Windows"})
    with pytest.raises(InvalidPathError, match="absolute"):
        read_tree(workdir)


def test_an_unreadable_file_is_a_read_error(public_dir: Path) -> None:
    build_tree(public_dir, {"ok": "fine", "secret/key": "k"})
    (public_dir / "secret").chmod(0o755)
    (public_dir / "secret" / "key").chmod(0o000)

    outcome = call_unprivileged(lambda: read_tree(public_dir))

    assert outcome.startswith("ReadError: cannot read 'secret/key': Permission denied")
    assert "Check its permissions" in outcome


def test_an_unreadable_folder_is_a_read_error(public_dir: Path) -> None:
    build_tree(public_dir, {"ok": "fine", "private/inside": "i"})
    (public_dir / "private").chmod(0o000)

    outcome = call_unprivileged(lambda: read_tree(public_dir))

    assert outcome.startswith("ReadError: cannot read 'private': Permission denied")


def test_an_unreadable_folder_can_be_ignored(public_dir: Path) -> None:
    build_tree(public_dir, {"ok": "fine", "private/inside": "i"})
    (public_dir / "private").chmod(0o000)

    outcome = call_unprivileged(lambda: read_tree(public_dir, IgnoreRules.of(["private/"])))

    assert outcome == "ok"


def test_a_large_file_is_hashed_in_chunks(workdir: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 17)
    build_tree(workdir, {"big": data})

    tree = read_tree(workdir)

    assert tree["big"].digest == blob_digest(data)
    assert tree["big"].content() == data


def test_entries_of_a_relative_root_load_from_anywhere(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_tree(workdir / "project", {"a": "content"})
    monkeypatch.chdir(workdir)
    tree = read_tree(Path("project"))

    monkeypatch.chdir(workdir / "project")

    assert tree["a"].content() == b"content"


def test_empty_folders_are_listed_apart(workdir: Path) -> None:
    build_tree(workdir, {"full/a": "a", "nested/deeper/b": "b"})
    for folder in ("empty", "nested/hollow/deeper", "full/also-empty", f"{JOURNAL_DIR}/staging"):
        (workdir / folder).mkdir(parents=True)
    os.mkfifo(workdir / "nested/hollow/deeper/fifo")  # not kept in a Tree: still empty
    (workdir / "link").symlink_to("empty")

    assert read_empty_folders(workdir) == {"empty", "nested/hollow/deeper", "full/also-empty"}
    assert read_empty_folders(workdir / "empty") == frozenset()
