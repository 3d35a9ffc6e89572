from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from io_helpers import snapshot

from templsync._core.tree import FileEntry, Mode, Tree
from templsync._io import JOURNAL_DIR, read_tree
from templsync._io.scratch import Scratch, open_scratch
from templsync.errors import SymlinkError, WriteError
from testing.trees import build_tree


def nothing_ignored(path: str, is_dir: bool) -> bool:
    return False


def ignore_logs(path: str, is_dir: bool) -> bool:
    return path.endswith(".log") or (is_dir and path.endswith("ignored"))


def project(root: Path) -> Path:
    build_tree(
        root,
        {
            "a.txt": "a\n",
            "src/b.py": "b\n",
            "node_modules/pkg/index.js": "js\n",
            ".git/HEAD": "ref: refs/heads/main\n",
            f"{JOURNAL_DIR}/x": "journal\n",
        },
    )
    (root / "run.sh").write_text("#!/bin/sh\n")
    (root / "run.sh").chmod(0o755)
    (root / "link").symlink_to("src/b.py")
    os.utime(root / "a.txt", ns=(1_000_000_000, 2_000_000_000))
    return root


def test_the_copy_holds_every_entry_but_git_and_the_journal_and_is_removed_after(
    tmp_path: Path,
) -> None:
    source = project(tmp_path / "proj")
    before = snapshot(source)

    with open_scratch(source, tmp_path / "cache") as scratch:
        copied = snapshot(scratch.root)
        assert scratch.root.name == "proj"
        assert (scratch.root / "a.txt").stat().st_mtime_ns == 2_000_000_000
        home = scratch.root.parent

    expected = {p: e for p, e in before.items() if not p.startswith((".git", JOURNAL_DIR))}
    assert copied == expected
    assert copied["run.sh"][1] == 0o755
    assert copied["link"] == ("symlink", 0, b"src/b.py")
    assert not home.exists()
    assert snapshot(source) == before


def test_the_copy_is_removed_when_the_block_fails_even_with_read_only_folders(
    tmp_path: Path,
) -> None:
    source = project(tmp_path / "proj")
    with pytest.raises(RuntimeError), open_scratch(source, tmp_path / "cache") as scratch:
        locked = scratch.root / "locked"
        locked.mkdir()
        (locked / "f").write_text("x")
        locked.chmod(0o500)
        raise RuntimeError

    assert list((tmp_path / "cache" / "scratch").iterdir()) == []


def test_a_cache_inside_the_folder_is_not_copied_into_itself(tmp_path: Path) -> None:
    source = project(tmp_path / "proj")

    with open_scratch(source, source / ".cache") as scratch:
        assert not (scratch.root / ".cache" / "scratch").exists()
        assert (scratch.root / "a.txt").exists()


def test_a_copy_that_cannot_be_made_is_a_write_error_and_leaves_nothing(tmp_path: Path) -> None:
    source = project(tmp_path / "proj")
    cache = build_tree(tmp_path, {"cache": "a file where the cache folder would be"}) / "cache"
    before = snapshot(source)

    with (
        pytest.raises(WriteError, match=r"scratch copy .*Nothing was changed.*--skip-tasks"),
        open_scratch(source, cache),
    ):
        pass  # pragma: no cover

    assert snapshot(source) == before


def written(scratch: Scratch, files: dict[str, str]) -> Tree:
    tree = Tree.from_texts(files)
    scratch.write(tree)
    return tree


def test_write_puts_a_tree_over_the_copy_whatever_stands_in_the_way(tmp_path: Path) -> None:
    source = build_tree(tmp_path / "proj", {"a.txt": "old\n", "d/x": "x", "f": "file"})

    with open_scratch(source, tmp_path / "cache") as scratch:
        scratch.write(
            Tree(
                {
                    "a.txt": FileEntry.from_bytes(b"new\n", Mode.EXECUTABLE),
                    "d": FileEntry.from_bytes(b"a file now\n"),
                    "f/inside": FileEntry.from_bytes(b"in a folder now\n"),
                    "l": FileEntry.symlink("a.txt"),
                }
            )
        )
        tree = read_tree(scratch.root)

    assert tree == Tree(
        {
            "a.txt": FileEntry.from_bytes(b"new\n", Mode.EXECUTABLE),
            "d": FileEntry.from_bytes(b"a file now\n"),
            "f/inside": FileEntry.from_bytes(b"in a folder now\n"),
            "l": FileEntry.symlink("a.txt"),
        }
    )


def run(root: Path, script: str) -> None:
    subprocess.run(script, shell=True, cwd=root, check=True)


def test_changes_are_what_commands_did_to_the_paths_known_and_the_files_they_added(
    tmp_path: Path,
) -> None:
    source = build_tree(
        tmp_path / "proj",
        {"same.txt": "same\n", "edit.txt": "one\n", "gone.txt": "g\n", "mode.sh": "m\n"},
    )
    build_tree(source, {"old.log": "ignored, there before\n"})
    before = read_tree(source, cache=None)
    before = Tree({p: e for p, e in before.items() if p != "old.log"})

    with open_scratch(source, tmp_path / "cache") as scratch:
        scratch.ready()
        run(
            scratch.root,
            "echo two > edit.txt; rm gone.txt; chmod +x mode.sh; echo new > new.txt; "
            "echo log > new.log; mkdir -p ignored/deep; echo x > ignored/deep/x; "
            "ln -s same.txt link; echo changed > old.log; touch same.txt; "
            "mkdir -p empty/inner holding; echo f > holding/f",
        )
        changes = scratch.changes(before, ignore_logs)

    assert changes.deleted == {"gone.txt"}
    assert changes.written == Tree(
        {
            "edit.txt": FileEntry.from_bytes(b"two\n"),
            "mode.sh": FileEntry.from_bytes(b"m\n", Mode.EXECUTABLE),
            "new.txt": FileEntry.from_bytes(b"new\n"),
            "link": FileEntry.symlink("same.txt"),
            "holding/f": FileEntry.from_bytes(b"f\n"),
        }
    )
    assert changes.folders == {"empty", "empty/inner"}


def test_a_rewrite_that_keeps_size_and_mtime_is_still_seen(tmp_path: Path) -> None:
    source = build_tree(tmp_path / "proj", {"f.txt": "aaaa\n"})
    os.utime(source / "f.txt", ns=(1_000_000_000, 1_000_000_000))
    before = read_tree(source)

    with open_scratch(source, tmp_path / "cache") as scratch:
        scratch.ready()
        target = scratch.root / "f.txt"
        target.write_text("bbbb\n")
        os.utime(target, ns=(1_000_000_000, 1_000_000_000))
        changes = scratch.changes(before, nothing_ignored)

    assert changes.written == Tree.from_texts({"f.txt": "bbbb\n"})


def test_files_written_over_the_copy_are_compared_with_what_was_written(tmp_path: Path) -> None:
    source = build_tree(tmp_path / "proj", {"a.txt": "project\n"})

    with open_scratch(source, tmp_path / "cache") as scratch:
        over = written(scratch, {"a.txt": "template\n", "b.txt": "template\n"})
        scratch.ready()
        run(scratch.root, "echo task >> b.txt")
        changes = scratch.changes(over, nothing_ignored)

    assert changes.written == Tree.from_texts({"b.txt": "template\ntask\n"})
    assert not changes.deleted


def test_a_symlink_a_command_points_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    source = build_tree(tmp_path / "proj", {"a.txt": "a\n"})

    with open_scratch(source, tmp_path / "cache") as scratch:
        scratch.ready()
        (scratch.root / "out").symlink_to("/etc/passwd")
        with pytest.raises(SymlinkError):
            scratch.changes(Tree(), nothing_ignored)


def test_copies_left_by_a_crash_are_removed_once_unlocked_and_old(tmp_path: Path) -> None:
    base = tmp_path / "cache" / "scratch"
    left, recent, no_lock = (build_tree(base / n, {"lock": "", "p/f": "x"}) for n in "abc")
    (no_lock / "lock").unlink()
    old = time.time() - 3600
    for folder in (left, no_lock):
        os.utime(folder, (old, old))
    source = build_tree(tmp_path / "proj", {"a.txt": "a\n"})

    with open_scratch(source, tmp_path / "cache"):
        assert not left.exists()
        assert not no_lock.exists()
        assert recent.exists()


def test_a_copy_in_use_is_left_alone_however_old(tmp_path: Path) -> None:
    source = build_tree(tmp_path / "proj", {"a.txt": "a\n"})
    with open_scratch(source, tmp_path / "cache") as first:
        home = first.root.parent
        old = time.time() - 3600
        os.utime(home, (old, old))
        with open_scratch(source, tmp_path / "cache"):
            assert first.root.exists()


def test_make_folders_makes_what_is_missing_and_they_are_not_the_commands_doing(
    tmp_path: Path,
) -> None:
    source = build_tree(tmp_path / "proj", {"a.txt": "a\n", "file": "in the way\n"})

    with open_scratch(source, tmp_path / "cache") as scratch:
        scratch.make_folders(["data/deep", "file/sub", "a.txt"])
        scratch.ready()
        assert (scratch.root / "data" / "deep").is_dir()
        assert (scratch.root / "file").is_file()
        changes = scratch.changes(read_tree(source), nothing_ignored)

    assert not changes
