"""A template version as a folder for its Jinja extensions: made once per commit, shared, whole."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest
from gitrepo_helpers import commit, git, make_repo

from templsync._io import read_tree
from templsync._io.sources import resolve_source
from templsync._io.templatefolder import template_folder, versions_dir
from templsync.errors import DirtyLocalWarning
from testing.trees import build_tree

FILES = {
    "copier.yml": "name: x\n",
    "extensions/context.py": "X = 1\n",
    "run.sh": "#!/bin/sh\n",
    **{f"many/{n:03}.txt": f"{n}\n" for n in range(150)},
}


def versioned(path: Path) -> Path:
    repo = make_repo(path, FILES)
    git(repo, "update-index", "--chmod=+x", "run.sh")
    git(repo, "commit", "-q", "-m", "executable")
    git(repo, "tag", "v1")
    commit(repo, {"extensions/context.py": "X = 2\n"})
    return repo


def test_a_commit_is_written_once_to_the_cache_read_only(tmp_path: Path) -> None:
    repo = versioned(tmp_path / "t")
    source = resolve_source(str(repo))
    version = source.resolve("v1")
    tree = source.tree(version)
    cache = tmp_path / "cache"

    folder = template_folder(source, version, tree, cache)

    assert folder == versions_dir(cache) / git(repo, "rev-parse", "v1")
    assert read_tree(folder) == tree
    assert (folder / "extensions/context.py").read_text() == "X = 1\n"
    modes = {stat.S_IMODE((folder / p).stat().st_mode) & 0o333 for p in ("copier.yml", "run.sh")}
    assert modes == {0o000, 0o111}  # no write permission; the executable stays executable
    inode = (folder / "copier.yml").stat().st_ino
    again = resolve_source(str(repo))
    assert (
        template_folder(again, again.resolve("v1"), again.tree(again.resolve("v1")), cache)
        == folder
    )
    assert (folder / "copier.yml").stat().st_ino == inode  # reused, not written again
    assert [p.name for p in versions_dir(cache).iterdir()] == [folder.name]


def test_each_commit_has_its_own_folder(tmp_path: Path) -> None:
    repo = versioned(tmp_path / "t")
    source = resolve_source(str(repo))
    old, new = source.resolve("v1"), source.resolve("HEAD")

    first = template_folder(source, old, source.tree(old), tmp_path / "cache")
    second = template_folder(source, new, source.tree(new), tmp_path / "cache")

    assert first != second
    assert (second / "extensions/context.py").read_text() == "X = 2\n"


def test_runs_making_the_same_folder_at_once_all_get_it_whole(tmp_path: Path) -> None:
    repo = versioned(tmp_path / "t")
    source = resolve_source(str(repo))
    version = source.resolve("v1")
    tree = source.tree(version)
    start = threading.Barrier(4)
    made: list[Path] = []

    def make() -> None:
        start.wait()
        made.append(template_folder(source, version, tree, tmp_path / "cache"))

    threads = [threading.Thread(target=make) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(made) == 4
    assert len(set(made)) == 1
    assert read_tree(made[0]) == tree
    assert [p.name for p in versions_dir(tmp_path / "cache").iterdir()] == [
        made[0].name
    ]  # nothing left beside


def test_a_folder_and_a_dirty_checkout_are_their_own_folders(tmp_path: Path) -> None:
    plain = build_tree(tmp_path / "plain", FILES)
    source = resolve_source(str(plain))
    version = source.resolve()
    assert template_folder(source, version, source.tree(version), tmp_path / "cache") == plain

    repo = versioned(tmp_path / "t")
    (repo / "extensions/context.py").write_text("X = 'uncommitted'\n")
    source = resolve_source(str(repo))
    version = source.resolve("HEAD")
    assert version.dirty
    with pytest.warns(DirtyLocalWarning):
        tree = source.tree(version)
    assert template_folder(source, version, tree, tmp_path / "cache") == repo
    assert not (tmp_path / "cache").exists()


def test_a_repositorys_folder_read_at_a_commit_is_written_for_that_commit_and_folder(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "mono", {"a/copier.yml": "x: 1\n", "b/copier.yml": "y: 2\n"})
    git(repo, "tag", "v1")
    commit(repo, {"a/copier.yml": "x: 2\n"})
    cache = tmp_path / "cache"
    made = []
    for name in ("a", "b"):
        source = resolve_source(str(repo / name))
        version = source.resolve("v1")
        made.append(template_folder(source, version, source.tree(version), cache))

    sha = git(repo, "rev-parse", "v1")
    assert [p.parent for p in made] == [versions_dir(cache)] * 2
    assert [p.name.split("-")[0] for p in made] == [sha, sha]
    assert made[0] != made[1]
    assert (made[0] / "copier.yml").read_text() == "x: 1\n"  # the commit's, not the disk's
    assert (made[1] / "copier.yml").read_text() == "y: 2\n"
    source = resolve_source(str(repo / "a"))
    at_head = source.resolve()
    assert template_folder(source, at_head, source.tree(at_head), cache) == repo / "a"
