from __future__ import annotations

import subprocess
from pathlib import Path

from templsync._io.gitrepo import open_repo
from templsync._io.scratch import open_scratch
from templsync._io.scratchgit import ignore_rules, share_history
from testing.trees import build_tree


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def repository(root: Path) -> Path:
    build_tree(root, {"a.txt": "a\n", "sub/b.txt": "b\n", ".gitignore": "*.log\n"})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    git(root, "tag", "v1")
    git(root, "remote", "add", "origin", "https://example.com/project.git")
    return root


def state(root: Path) -> tuple[str, ...]:
    """What a command in the repository could change: refs, tags, config, index, objects."""
    return (
        git(root, "show-ref"),
        git(root, "rev-parse", "HEAD"),
        (root / ".git" / "config").read_text(),
        (root / ".git" / "index").read_bytes().hex(),
        git(root, "count-objects", "-v"),
    )


def test_the_copy_answers_git_as_the_instance_and_keeps_what_git_does_to_itself(
    tmp_path: Path,
) -> None:
    source = repository(tmp_path / "proj")
    build_tree(source, {"staged.txt": "staged\n"})
    git(source, "add", "staged.txt")
    before = state(source)

    with open_scratch(source, tmp_path / "cache") as scratch:
        share_history(scratch.root, open_repo(source), "")
        root = scratch.root
        assert git(root, "describe", "--tags") == "v1"
        assert git(root, "ls-files").splitlines() == [
            ".gitignore",
            "a.txt",
            "staged.txt",
            "sub/b.txt",
        ]
        assert git(root, "status", "--porcelain") == "A  staged.txt"
        assert git(root, "remote", "get-url", "origin") == "https://example.com/project.git"
        git(root, "commit", "-qm", "in the copy")
        git(root, "tag", "from-copy")
        git(root, "config", "user.name", "someone else")
        git(root, "gc", "-q")

    assert state(source) == before


def test_an_instance_in_a_folder_sees_that_folders_files_at_the_top(tmp_path: Path) -> None:
    source = repository(tmp_path / "proj")

    with open_scratch(source / "sub", tmp_path / "cache") as scratch:
        share_history(scratch.root, open_repo(source), "sub")
        assert git(scratch.root, "ls-files") == "b.txt"


def test_a_linked_worktree_shares_its_repositorys_objects(tmp_path: Path) -> None:
    main = repository(tmp_path / "main")
    git(main, "worktree", "add", "-q", str(tmp_path / "linked"), "-b", "side")
    linked = tmp_path / "linked"

    with open_scratch(linked, tmp_path / "cache") as scratch:
        share_history(scratch.root, open_repo(linked), "")
        assert git(scratch.root, "rev-parse", "--abbrev-ref", "HEAD") == "side"
        assert git(scratch.root, "status", "--porcelain") == ""


def test_ignore_rules_are_the_copys_and_for_a_folder_the_outer_repositorys(
    tmp_path: Path,
) -> None:
    source = repository(tmp_path / "proj")
    build_tree(source, {"sub/.gitignore": "*.tmp\n"})

    with open_scratch(source / "sub", tmp_path / "cache") as scratch:
        share_history(scratch.root, open_repo(source), "sub")
        build_tree(scratch.root, {".gitignore": "build/\n"})
        ignored = ignore_rules(scratch.root, open_repo(source), "sub")
        assert ignored("x.log", False)  # the outer .gitignore
        assert ignored("build", True)  # the copy's own, new .gitignore
        assert ignored("x.tmp", False)  # the outer repository's rules: its old one too
        assert not ignored("kept.txt", False)


def test_outside_git_the_copys_gitignore_files_still_count(tmp_path: Path) -> None:
    source = build_tree(tmp_path / "proj", {".gitignore": ".venv/\n", "a.txt": "a\n"})

    with open_scratch(source, tmp_path / "cache") as scratch:
        ignored = ignore_rules(scratch.root, None, "")
        assert ignored(".venv", True)
        assert not ignored("a.txt", False)
