"""Writing a whole Tree as a new folder: all of it in one rename, or nothing."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from io_helpers import snapshot

from templsync._core.tree import FileEntry, Mode, Tree
from templsync._io import read_tree
from templsync._io.newfolder import can_write_new_folder, write_new_folder
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


def test_an_empty_folder_is_replaced_keeping_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    target.chmod(0o750)
    assert can_write_new_folder(target)
    write_new_folder(target, TREE)
    assert read_tree(target) == TREE
    assert stat.S_IMODE(target.stat().st_mode) == 0o750


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
    (tmp_path / "empty").mkdir()
    before = snapshot(tmp_path)
    for target in (tmp_path / "new", tmp_path / "empty"):
        with pytest.raises(ChangedDuringRunError, match=r"zz/stale\.txt"):
            write_new_folder(target, tree)
        assert snapshot(tmp_path) == before


def test_a_failing_read_is_a_write_error_and_leaves_nothing(tmp_path: Path) -> None:
    def broken() -> bytes:
        raise OSError(errno.EIO, "Input/output error", "somewhere/else")

    tree = Tree({**dict(TREE.items()), "b.bin": FileEntry("0" * 40, Mode.REGULAR, broken)})
    with pytest.raises(WriteError, match="Input/output error"):
        write_new_folder(tmp_path / "new", tree)
    assert list(tmp_path.iterdir()) == []
