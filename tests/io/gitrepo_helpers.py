"""Real git repositories for the git and template-source tests, made with the git CLI."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from testing.trees import build_tree


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd``; its stripped output (the test fails if git does)."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def commit(repo: Path, files: Mapping[str, str | bytes], message: str = "change") -> str:
    """Write ``files``, commit everything, and return the new commit's sha."""
    build_tree(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def make_repo(path: Path, files: Mapping[str, str | bytes] | None = None) -> Path:
    """A new repository at ``path`` with one commit of ``files``."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    commit(path, files or {"README.md": "first\n"}, "first")
    return path


def make_versioned(path: Path, files: Mapping[str, str | bytes] | None = None) -> Path:
    """A repository with version tags v1.0.0, 1.1.0, 2.0.0a1 and tags that are not versions.

    ``files`` are in every version, next to ``version.txt``.
    """
    make_repo(path, {**(files or {}), "version.txt": "1.0.0\n"})
    git(path, "tag", "v1.0.0")
    commit(path, {"version.txt": "1.1.0\n"})
    git(path, "tag", "-a", "-m", "annotated", "1.1.0")
    git(path, "tag", "stable")
    commit(path, {"version.txt": "2.0.0a1\n"})
    git(path, "tag", "2.0.0a1")
    commit(path, {"version.txt": "next\n"})
    git(path, "tag", "not-a-version")
    git(path, "tag", "release/3")
    return path


def bare_clone(source: Path, target: Path) -> Path:
    """A bare clone of ``source`` at ``target``: a stand-in for a remote."""
    git(source.parent, "clone", "-q", "--bare", str(source), str(target))
    return target
