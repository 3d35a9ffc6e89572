from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from io_helpers import detached, folders, snapshot

from templsync._core.ignore import IgnoreRules
from templsync._core.plan import OpKind, Plan, PlanOp, make_plan
from templsync._core.tree import FileEntry, Mode, Tree
from templsync._io import JOURNAL_DIR, ApplyReport, apply_plan, read_tree
from templsync._io.fsutil import SYNCFS_FROM
from templsync.errors import (
    ChangedDuringRunError,
    InvalidPathError,
    JournalError,
    SymlinkError,
    WriteError,
)
from testing.forked import call_with_file_size_limit
from testing.trees import build_tree, write_tree


def sync(root: Path, target: Tree, ignore: IgnoreRules | None = None) -> ApplyReport:
    """Make the folder ``root`` hold ``target``, through a plan, and check that it does."""
    current = read_tree(root, ignore or IgnoreRules())
    report = apply_plan(root, make_plan(current, target))
    assert read_tree(root, ignore or IgnoreRules()) == target
    assert not (root / JOURNAL_DIR).exists()
    assert not [p for p in snapshot(root) if ".templsync-" in p]
    return report


def perm(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_every_kind_of_operation(workdir: Path) -> None:
    build_tree(workdir, {"same": "s", "update": "old", "delete": "d", "chmod": "c"})
    target = Tree(
        {
            "same": FileEntry.from_bytes(b"s"),
            "update": FileEntry.from_bytes(b"new"),
            "chmod": FileEntry.from_bytes(b"c", Mode.EXECUTABLE),
            "create/in/new/folders": FileEntry.from_bytes(b"n"),
        }
    )

    report = sync(workdir, target)

    assert report == ApplyReport(created=1, updated=1, deleted=1, chmod=1)
    assert report.total == 4
    assert (workdir / "update").read_text() == "new"


def test_an_empty_plan_writes_nothing(workdir: Path) -> None:
    build_tree(workdir, {"a": "a"})
    before = snapshot(workdir)

    assert apply_plan(workdir, Plan(())) == ApplyReport()
    assert snapshot(workdir) == before


def test_new_files_get_the_usual_permissions(workdir: Path) -> None:
    target = Tree(
        {
            "plain": FileEntry.from_bytes(b"p"),
            "tool": FileEntry.from_bytes(b"#!/bin/sh\n", Mode.EXECUTABLE),
        }
    )

    sync(workdir, target)

    assert perm(workdir / "plain") == 0o666 & ~umask()
    assert perm(workdir / "tool") == 0o777 & ~umask()


def test_updates_keep_permissions_and_chmod_sets_only_the_x_bits(workdir: Path) -> None:
    build_tree(workdir, {"private": "old", "script": "s", "was-exec": "e"})
    (workdir / "private").chmod(0o600)
    (workdir / "script").chmod(0o640)
    (workdir / "was-exec").chmod(0o751)
    target = Tree(
        {
            "private": FileEntry.from_bytes(b"new"),
            "script": FileEntry.from_bytes(b"s", Mode.EXECUTABLE),
            "was-exec": FileEntry.from_bytes(b"e"),
        }
    )

    sync(workdir, target)

    assert perm(workdir / "private") == 0o600
    assert perm(workdir / "script") == 0o750
    assert perm(workdir / "was-exec") == 0o640


def test_given_permission_bits_are_exact_whatever_the_umask_and_the_old_file(
    workdir: Path,
) -> None:
    build_tree(workdir, {"replaced": "old", "chmodded": "c", "kept": "k"})
    (workdir / "replaced").chmod(0o644)
    (workdir / "chmodded").chmod(0o644)
    target = Tree(
        {
            "new": FileEntry.from_bytes(b"n"),
            "group": FileEntry.from_bytes(b"g", Mode.EXECUTABLE),
            "replaced": FileEntry.from_bytes(b"new"),
            "chmodded": FileEntry.from_bytes(b"c", Mode.EXECUTABLE),
            "kept": FileEntry.from_bytes(b"k"),
            "odd": FileEntry.from_bytes(b"o", Mode.EXECUTABLE),
        }
    )
    given = {"new": 0o664, "group": 0o770, "replaced": 0o600, "chmodded": 0o750, "kept": 0o600}
    given["odd"] = 0o640  # bits that say "not executable" for an executable: the plan wins
    old = os.umask(0o077)
    try:
        apply_plan(workdir, make_plan(read_tree(workdir), target), given)
    finally:
        os.umask(old)

    assert read_tree(workdir) == target
    found = {p: perm(workdir / p) for p in target}
    assert found == {**given, "kept": 0o644, "odd": 0o750}  # "kept" is not in the plan


def test_an_update_can_change_content_and_mode_at_once(workdir: Path) -> None:
    build_tree(workdir, {"tool": "v1"})
    (workdir / "tool").chmod(0o644)

    sync(workdir, Tree({"tool": FileEntry.from_bytes(b"v2", Mode.EXECUTABLE)}))

    assert perm(workdir / "tool") == 0o755


def test_symlinks_are_created_retargeted_and_swapped_with_files(workdir: Path) -> None:
    write_tree(
        workdir,
        Tree(
            {
                "a": FileEntry.from_bytes(b"a"),
                "b": FileEntry.from_bytes(b"b"),
                "link": FileEntry.symlink("a"),
                "link-becomes-file": FileEntry.symlink("a"),
                "file-becomes-link": FileEntry.from_bytes(b"f"),
            }
        ),
    )
    target = Tree(
        {
            "a": FileEntry.from_bytes(b"a"),
            "b": FileEntry.from_bytes(b"b"),
            "link": FileEntry.symlink("b"),
            "new-link": FileEntry.symlink("dir/missing"),
            "link-becomes-file": FileEntry.from_bytes(b"now a file"),
            "file-becomes-link": FileEntry.symlink("b"),
        }
    )

    sync(workdir, target)

    assert (workdir / "link").readlink() == Path("b")
    assert (workdir / "new-link").readlink() == Path("dir/missing")
    assert not (workdir / "link-becomes-file").is_symlink()


def test_a_file_becomes_a_folder(workdir: Path) -> None:
    build_tree(workdir, {"a": "file", "x/y": "deep file"})

    sync(workdir, Tree.from_texts({"a/b": "inside", "x/y/z/w": "deeper"}))

    assert folders(workdir) == {"a", "x", "x/y", "x/y/z"}


def test_a_folder_becomes_a_file(workdir: Path) -> None:
    build_tree(workdir, {"d/x": "x", "d/sub/y": "y", "keep/k": "k"})

    sync(workdir, Tree.from_texts({"d": "now a file", "keep/k": "k"}))

    assert folders(workdir) == {"keep"}


def test_a_symlink_becomes_a_folder(workdir: Path) -> None:
    outside = build_tree(workdir / "outside", {})
    root = build_tree(workdir / "root", {"real/f": "f"})
    (root / "link").symlink_to("real")

    sync(root, Tree.from_texts({"real/f": "f", "link/inside": "now a real folder"}))

    assert (root / "link").is_dir()
    assert not (root / "link").is_symlink()
    assert not (root / "real" / "inside").exists()
    assert list(outside.iterdir()) == []


def test_only_folders_the_plan_empties_are_removed(workdir: Path) -> None:
    build_tree(
        workdir,
        {
            "emptied/only": "1",
            "nested/a/b/c": "2",
            "nested/a/also": "3",
            "kept-by-ignored/f": "4",
            "kept-by-ignored/notes.log": "ignored, not in the plan",
            "kept-by-other/f": "5",
            "kept-by-other/g": "6",
            "stays": "7",
        },
    )
    for empty in ("was-empty", "nested/a/was-empty-too", "kept-by-empty/empty"):
        (workdir / empty).mkdir(parents=True)
    build_tree(workdir, {"kept-by-empty/f": "8"})
    rules = IgnoreRules.of(["*.log"])

    sync(workdir, Tree.from_texts({"kept-by-other/g": "6", "stays": "7"}), rules)

    assert folders(workdir) == {
        "was-empty",
        "nested",
        "nested/a",
        "nested/a/was-empty-too",
        "kept-by-ignored",
        "kept-by-other",
        "kept-by-empty",
        "kept-by-empty/empty",
    }


def test_content_can_move_within_the_folder(workdir: Path) -> None:
    # A rename: the new path's content is read lazily from the old path, which the plan deletes.
    build_tree(workdir, {"old/name.txt": "moved content", "other": "o"})
    current = read_tree(workdir)
    target = Tree({"new/place/name.txt": current["old/name.txt"], "other": current["other"]})

    apply_plan(workdir, make_plan(current, target))

    assert read_tree(workdir) == target
    assert (workdir / "new/place/name.txt").read_text() == "moved content"
    assert folders(workdir) == {"new", "new/place"}


def test_a_tree_read_elsewhere_can_be_copied_in(workdir: Path) -> None:
    source = build_tree(workdir / "source", {"a": "a", "d/b": "b"})
    (source / "d" / "b").chmod(0o755)
    (source / "link").symlink_to("d/b")
    dest = build_tree(workdir / "dest", {"a": "old"})

    sync(dest, read_tree(source))


def test_a_file_replaced_by_a_folder_since_reading_leaves_everything_as_it_was(
    workdir: Path,
) -> None:
    build_tree(workdir, {"a": "file", "b": "b", "c": "c"})
    current = read_tree(workdir)
    plan = make_plan(current, Tree.from_texts({"a": "updated", "b": "b", "new/x": "x"}))
    (workdir / "a").unlink()
    build_tree(workdir, {"a/inside": "someone else's"})
    before = snapshot(workdir)

    with pytest.raises(ChangedDuringRunError, match="'a' was replaced by a folder"):
        apply_plan(workdir, plan)

    assert snapshot(workdir) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda root: (root / "a").write_text("edited"), "'a' changed"),
        (lambda root: (root / "a").chmod(0o755), "'a' had its executable bit changed"),
        (lambda root: (root / "a").unlink(), "'a' was deleted"),
        (lambda root: (root / "new").write_text("n"), "'new' exists where the plan expected"),
        (lambda root: (root / "new").mkdir(), "'new' is a folder where the plan expected"),
        (lambda root: (root / "gone").write_text("back"), "'gone' changed"),
        (lambda root: build_tree(root, {"d/extra": "e"}), "'d' is a folder"),
    ],
)
def test_any_change_since_reading_is_refused(workdir: Path, change: object, message: str) -> None:
    build_tree(workdir, {"a": "a", "gone": "g", "d/only": "o"})
    (workdir / "a").chmod(0o644)
    current = read_tree(workdir)
    target = Tree.from_texts({"a": "updated", "new": "new", "d": "folder becomes a file"})
    plan = make_plan(detached(current), target)
    (workdir / "gone").unlink()
    build_tree(workdir, {"gone": "g"})  # same content again: only the edit below matters
    assert callable(change)
    change(workdir)
    before = snapshot(workdir)

    with pytest.raises(ChangedDuringRunError, match=message):
        apply_plan(workdir, plan)

    assert snapshot(workdir) == before


def test_new_content_that_changed_at_its_source_is_refused(workdir: Path) -> None:
    source = build_tree(workdir / "source", {"a": "a", "z": "read last"})
    dest = build_tree(workdir / "dest", {"old": "o"})
    plan = make_plan(read_tree(dest), read_tree(source))
    (source / "z").write_text("edited after reading")
    before = snapshot(dest)

    # Found while preparing temp files, after the journal was created: all of it is undone.
    with pytest.raises(ChangedDuringRunError, match="'z'"):
        apply_plan(dest, plan)

    assert snapshot(dest) == before


# One after the other; by the pool of writers, each fsynced; from SYNCFS_FROM on, all written
# first and made durable by one syncfs (and the renames into 31 folders likewise).
@pytest.mark.parametrize("count", [3, 200, SYNCFS_FROM + 44])
def test_many_new_files_land_together_or_not_at_all(workdir: Path, count: int) -> None:
    files = {f"d{i % 31}/f{i}.txt": f"file {i}\n" for i in range(count)}
    source = build_tree(workdir / "source", files)
    dest = build_tree(workdir / "dest", {"old": "o", "d1/f1.txt": "before\n"})
    plan = make_plan(read_tree(dest), read_tree(source))
    (source / f"d{(count - 1) % 31}/f{count - 1}.txt").write_text("edited after reading")
    before = snapshot(dest)

    with pytest.raises(ChangedDuringRunError, match=f"f{count - 1}.txt"):
        apply_plan(dest, plan)
    assert snapshot(dest) == before

    (source / f"d{(count - 1) % 31}/f{count - 1}.txt").write_text(f"file {count - 1}\n")
    sync(dest, read_tree(source))
    assert snapshot(dest) == snapshot(source)


def test_a_symlinked_folder_on_the_way_is_refused(workdir: Path) -> None:
    outside = build_tree(workdir / "outside", {"victim": "keep me"})
    root = build_tree(workdir / "root", {"a": "a"})
    (root / "sub").symlink_to(outside)
    before = snapshot(workdir)

    write = Plan((PlanOp(OpKind.WRITE, "sub/new", None, FileEntry.from_bytes(b"x")),))
    victim = FileEntry.from_bytes(b"keep me")
    delete = Plan((PlanOp(OpKind.DELETE, "sub/victim", victim, None),))
    update = Plan((PlanOp(OpKind.WRITE, "sub/victim", victim, FileEntry.from_bytes(b"x")),))

    for plan in (write, delete, update):
        with pytest.raises(SymlinkError, match="'sub' is a symlink"):
            apply_plan(root, plan)
    assert snapshot(workdir) == before


def test_a_symlink_inside_the_root_is_not_a_way_either(workdir: Path) -> None:
    root = build_tree(workdir, {"real/f": "f"})
    (root / "alias").symlink_to("real")
    plan = Plan((PlanOp(OpKind.WRITE, "alias/g", None, FileEntry.from_bytes(b"g")),))

    with pytest.raises(SymlinkError, match="'alias'"):
        apply_plan(root, plan)
    assert sorted(p.name for p in (root / "real").iterdir()) == ["f"]


def test_a_file_on_the_way_is_refused(workdir: Path) -> None:
    build_tree(workdir, {"a": "a file"})
    before = snapshot(workdir)
    plan = Plan((PlanOp(OpKind.WRITE, "a/b", None, FileEntry.from_bytes(b"x")),))

    with pytest.raises(ChangedDuringRunError, match="'a' is a file where a folder"):
        apply_plan(workdir, plan)
    assert snapshot(workdir) == before


def test_malformed_plans_are_refused(workdir: Path) -> None:
    x = FileEntry.from_bytes(b"x")
    for path in (JOURNAL_DIR, f"{JOURNAL_DIR}/backup/1", "a/../b", "/abs"):
        with pytest.raises(InvalidPathError):
            apply_plan(workdir, Plan((PlanOp(OpKind.WRITE, path, None, x),)))
    twice = Plan((PlanOp(OpKind.WRITE, "a", None, x), PlanOp(OpKind.WRITE, "a", None, x)))
    with pytest.raises(InvalidPathError, match="twice"):
        apply_plan(workdir, twice)
    nested = Plan((PlanOp(OpKind.WRITE, "a", None, x), PlanOp(OpKind.WRITE, "a/b", None, x)))
    with pytest.raises(InvalidPathError, match="writes the file 'a'"):
        apply_plan(workdir, nested)
    assert snapshot(workdir) == {}


def test_a_journal_left_behind_blocks_apply(workdir: Path) -> None:
    build_tree(workdir, {"a": "a", f"{JOURNAL_DIR}/journal.json": "{}"})
    before = snapshot(workdir)

    with pytest.raises(JournalError, match="Run recovery first"):
        apply_plan(workdir, make_plan(read_tree(workdir), Tree.from_texts({"a": "b"})))
    assert snapshot(workdir) == before


def test_a_missing_root_is_a_write_error(workdir: Path) -> None:
    with pytest.raises(WriteError, match="Create the folder first"):
        apply_plan(workdir / "missing", Plan(()))


def test_a_failure_after_the_commit_point_restores_everything(workdir: Path) -> None:
    # A name longer than NAME_MAX passes every check (nothing can be there) and its temp file
    # has a short name of its own, so the first thing to fail is the final rename, after the
    # commit point, once the deletions and the earlier renames are done.
    build_tree(workdir, {"a-deleted": "1", "b-updated": "2", "c/d-deleted": "3", "e": "4"})
    (workdir / "e").chmod(0o644)
    (workdir / "was-empty").mkdir()
    current = read_tree(workdir)
    long_name = "z" * 300
    target = Tree.from_texts({"b-updated": "two", "e": "4", "new/dir/f": "n", long_name: "x"})
    target = target.replace({"e": target["e"].with_mode(Mode.EXECUTABLE)})
    plan = make_plan(current, target)
    before = snapshot(workdir)

    with pytest.raises(WriteError, match="File name too long") as raised:
        apply_plan(workdir, plan)

    assert long_name in str(raised.value)
    assert "Nothing was changed" in str(raised.value)
    assert isinstance(raised.value.__cause__, OSError)
    assert raised.value.__cause__.errno == errno.ENAMETOOLONG
    assert snapshot(workdir) == before


def test_a_failed_write_before_the_commit_point_changes_nothing(workdir: Path) -> None:
    build_tree(workdir, {"a": "a", "b": "b"})
    plan = make_plan(
        read_tree(workdir),
        Tree.from_texts({"a": "small", "big/new": "x" * 100_000, "c": "c"}),
    )
    before = snapshot(workdir)

    outcome = call_with_file_size_limit(lambda: apply_plan(workdir, plan), 50_000)

    assert outcome.startswith("WriteError: could not write 'big/new': File too large.")
    assert snapshot(workdir) == before


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    """Files made immutable with chattr +i (even root cannot delete them); undone afterwards."""
    made: list[Path] = []
    yield made
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_refused_deletion_after_the_commit_point_restores_everything(
    workdir: Path, immutable: list[Path]
) -> None:
    build_tree(workdir, {"a": "1", "b/locked": "2", "c": "3", "d/e": "4"})
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("chattr is not installed")
    locked = str(workdir / "b" / "locked")
    done = subprocess.run([chattr, "+i", locked], check=False, capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot make a file immutable here: {done.stderr.decode().strip()}")
    immutable.append(workdir / "b" / "locked")
    # Hard links to an immutable file are refused too: the backup falls back to a copy.
    plan = make_plan(read_tree(workdir), Tree.from_texts({"a": "one", "new": "n"}))
    before = snapshot(workdir)

    with pytest.raises(WriteError, match="'b/locked': Operation not permitted"):
        apply_plan(workdir, plan)

    assert snapshot(workdir) == before


def test_a_plan_makes_its_missing_empty_folders(workdir: Path) -> None:
    build_tree(workdir, {"there/f": "f"})
    (workdir / "also-there").mkdir()
    plan = make_plan(
        read_tree(workdir),
        Tree.from_texts({"there/f": "f", "new/file": "n"}),
        ["there", "also-there", "new/empty", "deep/er/est", "new"],
    )

    report = apply_plan(workdir, plan)

    assert report == ApplyReport(created=1, folders=5)
    assert folders(workdir) == {
        "there",
        "also-there",
        "new",
        "new/empty",
        "deep",
        "deep/er",
        "deep/er/est",
    }
    assert read_tree(workdir) == Tree.from_texts({"there/f": "f", "new/file": "n"})
    assert not (workdir / JOURNAL_DIR).exists()


def test_a_folder_the_plan_makes_is_not_removed_when_it_empties_it(workdir: Path) -> None:
    build_tree(workdir, {"keep/old.txt": "o", "keep/deep/old.txt": "o", "goes/old.txt": "o"})

    apply_plan(workdir, make_plan(read_tree(workdir), Tree(), ["keep/deep"]))

    assert folders(workdir) == {"keep", "keep/deep"}
    assert read_tree(workdir) == Tree()


def test_a_file_the_plan_deletes_can_become_an_empty_folder(workdir: Path) -> None:
    build_tree(workdir, {"was-a-file": "f"})

    apply_plan(workdir, make_plan(read_tree(workdir), Tree(), ["was-a-file/now-a-folder"]))

    assert folders(workdir) == {"was-a-file", "was-a-file/now-a-folder"}


def test_a_file_where_the_plan_makes_a_folder_is_refused(workdir: Path) -> None:
    build_tree(workdir, {"stands": "in the way", "other": "o"})
    before = snapshot(workdir)
    for folder in ("stands", "stands/below"):
        with pytest.raises(ChangedDuringRunError, match="'stands' is a file where the plan"):
            apply_plan(workdir, Plan((), (folder,)))
    assert snapshot(workdir) == before


def test_a_folder_is_not_made_through_a_symlink(workdir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (workdir / "link").symlink_to(outside)

    with pytest.raises(SymlinkError, match="making the folder 'link/in' would go through it"):
        apply_plan(workdir, Plan((), ("link/in",)))
    assert list(outside.iterdir()) == []


def test_malformed_folders_are_refused(workdir: Path) -> None:
    write = PlanOp(OpKind.WRITE, "x", None, FileEntry.from_bytes(b"x"))
    for plan, message in [
        (Plan((write,), ("x",)), "the plan writes a file where it makes a folder"),
        (Plan((write,), ("x/y",)), "the same plan writes the file 'x'"),
        (Plan((), ("a//b",)), "must be normalized"),
        (Plan((), (f"{JOURNAL_DIR}/x",)), "journal"),
    ]:
        with pytest.raises(InvalidPathError, match=message):
            apply_plan(workdir, plan)
    assert snapshot(workdir) == {}


def test_a_failure_after_the_commit_point_removes_the_folders_it_made(workdir: Path) -> None:
    build_tree(workdir, {"a": "1"})
    (workdir / "was-there").mkdir()
    long_name = "z" * 300  # fails at its rename, after the commit point (see above)
    plan = make_plan(
        read_tree(workdir),
        Tree.from_texts({"a": "one", long_name: "x"}),
        ["was-there", "made/deep", "made-too"],
    )
    before = snapshot(workdir)

    with pytest.raises(WriteError, match="File name too long"):
        apply_plan(workdir, plan)

    assert snapshot(workdir) == before
