from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from gitrepo_helpers import commit, git, make_repo, make_versioned

from templsync._core.ignore import IgnoreRules
from templsync._core.tree import FileEntry, Mode
from templsync._io import read_tree
from templsync._io.gitrepo import GitRepoError, RefNotFoundError, open_repo, version_tags
from testing.trees import build_tree

_NO_GIT = IgnoreRules(("/.git",))


def checkout(repo: Path, ref: str, target: Path) -> Path:
    """A real checkout of ``ref`` in a new worktree at ``target``."""
    git(repo, "worktree", "add", "-q", "--detach", str(target), ref)
    return target


def test_versions_are_the_pep440_tags_highest_first(workdir: Path) -> None:
    repo = open_repo(make_versioned(workdir / "t"))

    assert repo.tags() == ["1.1.0", "2.0.0a1", "not-a-version", "release/3", "stable", "v1.0.0"]
    assert [tag for _, tag in repo.versions()] == ["1.1.0", "v1.0.0"]
    assert [tag for _, tag in repo.versions(prereleases=True)] == ["2.0.0a1", "1.1.0", "v1.0.0"]
    assert repo.default_ref() == "1.1.0"
    assert repo.default_ref(prereleases=True) == "2.0.0a1"


def test_equal_versions_keep_gits_name_order_as_copier_does() -> None:
    assert version_tags(["v1.0", "1.0.0", "1.0", "0.9.dev1"]) == [
        (version_tags(["1.0"])[0][0], "1.0"),
        (version_tags(["1.0"])[0][0], "1.0.0"),
        (version_tags(["1.0"])[0][0], "v1.0"),
    ]


def test_default_is_head_without_version_tags(workdir: Path) -> None:
    path = make_repo(workdir / "t")
    git(path, "tag", "latest")

    assert open_repo(path).default_ref() == "HEAD"


def test_resolve_takes_tags_branches_shas_and_head(workdir: Path) -> None:
    path = make_versioned(workdir / "t")
    head = git(path, "rev-parse", "HEAD")
    git(path, "branch", "feature", "v1.0.0")
    repo = open_repo(path)

    assert repo.resolve("HEAD") == head
    assert repo.resolve("main") == head
    assert repo.resolve("v1.0.0") == git(path, "rev-parse", "v1.0.0^{commit}")
    assert repo.resolve("1.1.0") == git(path, "rev-parse", "1.1.0^{commit}")  # annotated
    assert repo.resolve("feature") == repo.resolve("v1.0.0")
    assert repo.resolve(head[:8]) == head
    assert repo.resolve(head) == head


def test_a_missing_ref_is_an_error_naming_it_and_some_tags(workdir: Path) -> None:
    repo = open_repo(make_versioned(workdir / "t"))

    for ref in ("v9.9.9", "-x", "", "a\nb"):
        with pytest.raises(RefNotFoundError) as info:
            repo.resolve(ref)
        assert info.value.ref == ref
    assert str(info.value) == (
        f"the template {str(workdir / 't')!r} has no tag, branch or commit 'a\\nb'. "
        "Its newest tags: 2.0.0a1, 1.1.0, v1.0.0. Pass an existing ref to --vcs-ref."
    )


def test_a_repository_without_commits_is_an_error(workdir: Path) -> None:
    (workdir / "t").mkdir()
    git(workdir / "t", "init", "-q")
    repo = open_repo(workdir / "t")

    with pytest.raises(GitRepoError, match="is a git repository with no commits yet"):
        repo.resolve(repo.default_ref())


def test_not_a_repository_is_an_error(workdir: Path) -> None:
    build_tree(workdir / "plain", {"a": "a"})

    with pytest.raises(GitRepoError, match="is not a git repository"):
        open_repo(workdir / "plain")


def test_describe_matches_git_describe(workdir: Path) -> None:
    path = make_repo(workdir / "t")
    untagged = git(path, "rev-parse", "HEAD")
    commit(path, {"a": "1"})
    git(path, "tag", "v1.0.0")
    commit(path, {"a": "2"})
    git(path, "tag", "-a", "-m", "m", "v1.1.0")
    commit(path, {"a": "3"})
    commit(path, {"a": "4"})
    git(path, "checkout", "-q", "-b", "side", "v1.0.0")
    commit(path, {"b": "1"})
    git(path, "checkout", "-q", "main")
    git(path, "merge", "-q", "--no-edit", "side")
    repo = open_repo(path)

    for ref in ("HEAD", "HEAD~1", "HEAD~2", "v1.1.0", "v1.0.0", "side", untagged):
        expected = git(path, "describe", "--tags", "--always", ref)
        assert repo.describe(repo.resolve(ref)) == expected, ref
    assert repo.describe(untagged) == untagged[:7]


def test_a_commit_reads_as_its_checkout(workdir: Path) -> None:
    path = make_repo(workdir / "t", {"old.txt": "gone later"})
    build_tree(
        path,
        {
            "text.txt": "hello\n",
            "bin/data.bin": bytes(range(256)) * 4,
            "bin/run.sh": "#!/bin/sh\necho hi\n",
            "deep/er/still/file.md": "x",
            "empty": "",
        },
    )
    (path / "bin/run.sh").chmod(0o755)
    (path / os.fsdecode(b"caf\xe9 \xe2\x82\xac.txt")).write_text("not UTF-8, then UTF-8")
    (path / "link").symlink_to("deep/er")
    (path / "deep/er/up").symlink_to("still/file.md")
    (path / "deep/top").symlink_to("../text.txt")
    (path / "old.txt").unlink()
    sha = commit(path, {})
    commit(path, {"text.txt": "changed later\n"})
    repo = open_repo(path)

    tree = repo.read_tree(sha)
    expected = read_tree(checkout(path, sha, workdir / "co"), _NO_GIT)

    assert tree == expected
    assert tree.texts() == expected.texts()
    assert tree["bin/run.sh"].mode is Mode.EXECUTABLE
    assert os.fsdecode(b"caf\xe9 \xe2\x82\xac.txt") in tree
    assert tree["link"] == FileEntry.symlink("deep/er")
    assert repo.read_tree(sha, "deep/er") == read_tree(workdir / "co/deep/er")
    assert repo.read_tree(sha, "./deep/er/") == repo.read_tree(sha, "deep/er")


def test_a_missing_subdirectory_is_an_error(workdir: Path) -> None:
    path = make_repo(workdir / "t", {"a/b": "x"})
    repo = open_repo(path)

    with pytest.raises(GitRepoError, match="has no folder 'nope'"):
        repo.read_tree("HEAD", "nope")
    with pytest.raises(GitRepoError, match="has no folder 'a/b'"):
        repo.read_tree("HEAD", "a/b")  # a file, not a folder
    with pytest.raises(GitRepoError, match=r"invalid subdirectory '\.\./x'"):
        repo.read_tree("HEAD", "../x")


def test_submodules_are_left_out_without_a_reader(workdir: Path) -> None:
    """As a checkout without submodules has them: empty folders (see test_submodules.py)."""
    path = make_repo(workdir / "t", {"a": "a"})
    other = make_repo(workdir / "other")
    sha = git(other, "rev-parse", "HEAD")
    git(path, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(other), "sub")
    git(path, "commit", "-q", "-m", "submodule")
    (path / "a").write_text("dirty\n")

    assert git(path, "ls-tree", "HEAD", "sub").startswith(f"160000 commit {sha}")
    repo = open_repo(path)
    assert sorted(repo.read_tree("HEAD")) == [".gitmodules", "a"]
    assert sorted(repo.working_tree()) == [".gitmodules", "a"]  # the checkout is not a file


def test_listing_a_commit_reads_no_file_content(workdir: Path) -> None:
    """The commit's tree names 1,000 blobs the repository does not have: listing still works."""
    path = make_repo(workdir / "t")
    listing = "".join(f"100644 blob {i:040x}\tdir{i % 10}/file{i}.txt\n" for i in range(1, 1001))
    tree_ids = {}
    for folder in range(10):
        lines = [
            line.replace(f"dir{folder}/", "")
            for line in listing.splitlines(keepends=True)
            if line.split("\t")[1].startswith(f"dir{folder}/")
        ]
        tree_ids[folder] = _git_input(path, "".join(lines), "mktree", "--missing")
    root = "".join(f"040000 tree {tid}\tdir{f}\n" for f, tid in tree_ids.items())
    root_id = _git_input(path, root, "mktree", "--missing")
    sha = git(path, "commit-tree", root_id, "-m", "blobs missing")
    repo = open_repo(path)

    started = time.perf_counter()
    tree = repo.read_tree(sha)
    elapsed = time.perf_counter() - started

    ls_tree = git(path, "ls-tree", "-r", sha).splitlines()
    assert {p: e.digest for p, e in tree.items()} == {
        line.split("\t")[1]: line.split()[2] for line in ls_tree
    }
    assert len(tree) == 1000
    assert elapsed < 1.0
    with pytest.raises(GitRepoError, match=r"'dir1/file1.txt': blob 0+1 is missing"):
        tree["dir1/file1.txt"].content()


def _git_input(cwd: Path, stdin: str, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, input=stdin, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_commits_between_two_versions(workdir: Path) -> None:
    path = make_repo(workdir / "t")
    git(path, "tag", "v1")
    second = commit(path, {"a": "2"})
    third = commit(path, {"a": "3"})
    git(path, "tag", "v2")
    repo = open_repo(path)

    assert repo.commits_between("v1", "v2") == [third, second]
    assert repo.commits_between("v2", "v1") == []
    assert git(path, "rev-list", "v1..v2").splitlines() == [third, second]


def test_dirty_working_tree_is_what_git_add_all_would_commit(workdir: Path) -> None:
    path = make_repo(
        workdir / "t", {"keep": "k", "edit": "e", "gone": "g", ".gitignore": "*.log\n"}
    )
    repo = open_repo(path)
    assert not repo.is_dirty()

    build_tree(path, {"edit": "edited", "new/file": "n", "debug.log": "ignored"})
    (path / "gone").unlink()
    (path / "new/run").write_text("#!/bin/sh\n")
    (path / "new/run").chmod(0o755)

    assert repo.is_dirty()
    tree = repo.working_tree()
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "what copier commits")
    assert tree == repo.read_tree("HEAD")
    assert "debug.log" not in tree
    assert repo.working_tree("new") == repo.read_tree("HEAD", "new")
    assert tree["edit"].content() == b"edited"


def test_untracked_files_alone_make_a_repository_dirty(workdir: Path) -> None:
    path = make_repo(workdir / "t", {".gitignore": "*.log\n"})
    repo = open_repo(path)
    (path / "x.log").write_text("ignored")
    assert not repo.is_dirty()
    (path / "x.txt").write_text("untracked")
    assert repo.is_dirty()


def test_describe_abbreviates_as_git_does_in_a_large_repository(workdir: Path) -> None:
    """Past 2**14 packed objects git shows 8 hex digits, not 7."""
    path = make_repo(workdir / "t")
    files = 17_000
    stream = ["commit refs/heads/main", "committer A <a@example.com> 1700000000 +0000"]
    stream += ["data 4", "bulk", f"from {git(path, 'rev-parse', 'HEAD')}"]
    for i in range(files):
        data = f"{i}\n"
        stream += [f"M 100644 inline f/{i}", f"data {len(data)}", data.rstrip("\n")]
    _git_input(path, "\n".join(stream) + "\n", "fast-import", "--quiet")
    git(path, "tag", "v1", "main")
    after = git(path, "commit-tree", "main^{tree}", "-p", "main", "-m", "after")
    git(path, "update-ref", "refs/heads/main", after)  # no checkout of 17,000 files
    repo = open_repo(path)

    described = repo.describe(repo.resolve("HEAD"))

    assert described == git(path, "describe", "--tags", "--always", "HEAD")
    assert len(described.rsplit("-g", 1)[1]) == 8
    head = repo.resolve("HEAD~1")
    git(path, "tag", "-d", "v1")
    assert repo.describe(head) == git(path, "describe", "--tags", "--always", head) == head[:8]
