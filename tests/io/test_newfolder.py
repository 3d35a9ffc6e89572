"""Writing a whole Tree as a new folder: all of it in one rename, or nothing."""

from __future__ import annotations

import errno
import fcntl
import os
import time
from pathlib import Path

import pytest
from io_helpers import snapshot

from templsync._core.tree import FileEntry, Mode, Tree, blob_digest
from templsync._io import read_tree
from templsync._io.newfolder import can_write_new_folder, remove_left_behind, write_new_folder
from templsync.errors import ChangedDuringRunError, WriteError

TREE = Tree(
    {
        "README.md": FileEntry.from_bytes(b"# hi\n"),
        "bin/run": FileEntry.from_bytes(b"#!/bin/sh\necho run\n", Mode.EXECUTABLE),
        "src/pkg/deep/mod.py": FileEntry.from_bytes(b"x = 1\r\n"),
        "src/empty.txt": FileEntry.from_bytes(b""),
        "docs/link": FileEntry.symlink("../README.md"),
    }
)


def test_a_missing_target_gets_the_whole_tree(tmp_path: Path) -> None:
    target = tmp_path / "new"
    assert can_write_new_folder(target)
    assert write_new_folder(target, TREE) == 5
    assert read_tree(target) == TREE
    assert (target / "docs/link").readlink() == Path("../README.md")
    assert os.access(target / "bin/run", os.X_OK)
    assert [p.name for p in tmp_path.iterdir()] == ["new"]  # no staging folder left beside it


def test_given_permission_bits_are_exact_whatever_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "new"
    old = os.umask(0o077)
    try:
        write_new_folder(target, TREE, perms={"README.md": 0o664, "bin/run": 0o750})
    finally:
        os.umask(old)
    assert (target / "README.md").stat().st_mode & 0o777 == 0o664
    assert (target / "bin/run").stat().st_mode & 0o777 == 0o750
    assert (target / "src/empty.txt").stat().st_mode & 0o777 == 0o600  # the umask's


def test_an_existing_folder_is_never_replaced(tmp_path: Path) -> None:
    # Renaming over an empty folder would leave a shell working in it in a removed folder.
    target = tmp_path / "empty"
    target.mkdir()
    assert not can_write_new_folder(target)
    inode = target.stat().st_ino
    with pytest.raises(WriteError, match="appeared while the folder was written"):
        write_new_folder(target, TREE)
    assert target.stat().st_ino == inode
    assert list(target.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["empty"]  # no staging folder left


def test_what_it_will_not_write_into(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "a").write_text("a")
    (tmp_path / "file").write_text("f")
    (tmp_path / "empty").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "empty")
    assert not can_write_new_folder(tmp_path / "full")
    assert not can_write_new_folder(tmp_path / "file")
    assert not can_write_new_folder(tmp_path / "link")
    assert not can_write_new_folder(tmp_path / "no" / "parent")


def test_content_that_changed_leaves_nothing(tmp_path: Path) -> None:
    stale = FileEntry(FileEntry.from_bytes(b"planned").digest, Mode.REGULAR, lambda: b"changed")
    tree = Tree({**dict(TREE.items()), "zz/stale.txt": stale})
    before = snapshot(tmp_path)
    with pytest.raises(ChangedDuringRunError, match=r"zz/stale\.txt"):
        write_new_folder(tmp_path / "new", tree)
    assert snapshot(tmp_path) == before


def test_a_failing_read_is_a_write_error_and_leaves_nothing(tmp_path: Path) -> None:
    def broken() -> bytes:
        raise OSError(errno.EIO, "Input/output error", "somewhere/else")

    tree = Tree({**dict(TREE.items()), "b.bin": FileEntry("0" * 40, Mode.REGULAR, broken)})
    with pytest.raises(WriteError, match="Input/output error"):
        write_new_folder(tmp_path / "new", tree)
    assert list(tmp_path.iterdir()) == []


def _hidden(parent: Path, token: str, *, age: float) -> Path:
    """A hidden folder such as a writer of ``parent/svc`` makes, last changed ``age`` s ago."""
    folder = parent / f".svc.templsync-{token}"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "half-written").write_bytes(b"x")
    then = time.time() - age
    os.utime(folder, (then, then))
    return folder


def test_folders_left_by_crashed_writes_are_removed_and_no_others(tmp_path: Path) -> None:
    crashed = _hidden(tmp_path, "aaaaaaaaaaaa", age=3600)
    at_work = _hidden(tmp_path, "bbbbbbbbbbbb", age=3600)
    just_made = _hidden(tmp_path, "cccccccccccc", age=0)
    other_target = tmp_path / ".svc2.templsync-dddddddddddd"
    other_target.mkdir()
    os.utime(other_target, (0, 0))
    lookalike = tmp_path / ".svc.templsync-notatoken"
    lookalike.mkdir()
    os.utime(lookalike, (0, 0))
    fd = os.open(at_work, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another writer holds it
    try:
        write_new_folder(tmp_path / "svc", TREE)
    finally:
        os.close(fd)

    assert not crashed.exists()
    assert at_work.exists() and just_made.exists()
    assert other_target.exists() and lookalike.exists()
    assert read_tree(tmp_path / "svc") == TREE


def test_the_writer_holds_the_lock_on_its_folder_while_it_works(tmp_path: Path) -> None:
    seen: list[str] = []

    def look() -> bytes:
        # Called while the tree is being written: the writer's own folder is beside the target.
        (staging,) = (p for p in tmp_path.iterdir() if p.name.startswith(".svc.templsync-"))
        os.utime(staging, (0, 0))  # as old as can be: only its lock protects it now
        seen.extend(remove_left_behind(tmp_path / "svc"))
        return b"late\n"

    tree = Tree({"a.txt": FileEntry(blob_digest(b"late\n"), Mode.REGULAR, look)})
    write_new_folder(tmp_path / "svc", tree)

    assert seen == []
    assert (tmp_path / "svc" / "a.txt").read_bytes() == b"late\n"


def test_empty_folders_asked_for_are_made_too(tmp_path: Path) -> None:
    target = tmp_path / "new"

    written = write_new_folder(target, TREE, folders=["empty", "src/pkg/deep", "a/b/c"])

    assert written == 5
    assert read_tree(target) == TREE
    made = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_dir()}
    assert made == {"bin", "src", "src/pkg", "src/pkg/deep", "docs", "empty", "a", "a/b", "a/b/c"}
