from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from templsync._core.ignore import IgnoreRules
from templsync._core.tree import Tree
from testing.trees import build_tree

FILES = [
    "README.md",
    "app.log",
    "logs/today.log",
    "logs/keep.txt",
    "build",
    "src/build/out.o",
    "src/main.py",
    "src/main.pyc",
    "src/pkg/__pycache__/mod.pyc",
    "docs/build/index.html",
    "docs/notes.txt",
    "important.log",
    "a/b/c/deep.txt",
    "a/notes.txt",
    "a/keep/x.txt",
    "a/drop/y.txt",
    "sub/README.md",
]

# (patterns, the files they ignore): each case is also checked against git itself below.
CASES: list[tuple[list[str], set[str]]] = [
    ([], set()),
    (["*.log"], {"app.log", "logs/today.log", "important.log"}),
    (["*.log", "!important.log"], {"app.log", "logs/today.log"}),
    # a directory-only pattern leaves the file called "build" alone
    (["build/"], {"src/build/out.o", "docs/build/index.html"}),
    (["build"], {"build", "src/build/out.o", "docs/build/index.html"}),
    # anchored: only at the top
    (["/build"], {"build"}),
    (["/README.md"], {"README.md"}),
    (["README.md"], {"README.md", "sub/README.md"}),
    # a slash in the middle anchors too
    (["docs/build"], {"docs/build/index.html"}),
    (["**/__pycache__/"], {"src/pkg/__pycache__/mod.pyc"}),
    (["*.py[co]"], {"src/main.pyc", "src/pkg/__pycache__/mod.pyc"}),
    (["a/**/deep.txt"], {"a/b/c/deep.txt"}),
    # "a/**" matches what is inside a, not a itself
    (["a/**", "!*.txt"], {"a/b/c/deep.txt", "a/keep/x.txt", "a/drop/y.txt"}),
    # "!src" re-includes src, not src/build, which "**/build" ignores
    (["**/build", "!src"], {"build", "src/build/out.o", "docs/build/index.html"}),
    (["[ab]/*/[!k]*"], {"a/drop/y.txt", "a/b/c/deep.txt", "a/keep/x.txt"}),
    (["?.log", "*.lo[g]"], {"app.log", "logs/today.log", "important.log"}),
    (["*.LOG"], set()),  # case-sensitive, as git is by default on Linux
    (["README.md   ", "docs/notes.txt\\ "], {"README.md", "sub/README.md"}),
    # a file inside an ignored folder cannot be re-included
    (["logs/", "!logs/keep.txt"], {"logs/today.log", "logs/keep.txt"}),
    # ... but re-including the folder's contents one level down works
    (["a/*", "!a/keep/"], {"a/b/c/deep.txt", "a/drop/y.txt", "a/notes.txt"}),
    (["logs/*", "!logs/keep.txt"], {"logs/today.log"}),
    # later patterns win
    (["!app.log", "*.log"], {"app.log", "logs/today.log", "important.log"}),
    ([r"\!important.log", "# a comment", "", "docs/*.txt"], {"docs/notes.txt"}),
]


@pytest.mark.parametrize(("patterns", "ignored"), CASES)
def test_ignore_rules_follow_gitignore(patterns: list[str], ignored: set[str]) -> None:
    rules = IgnoreRules.of(patterns)
    assert {f for f in FILES if rules.ignores(f)} == ignored
    tree = Tree.from_texts({f: f for f in FILES})
    assert set(rules.filter(tree)) == set(FILES) - ignored


@pytest.mark.parametrize(("patterns", "ignored"), CASES)
def test_the_cases_agree_with_git(tmp_path: Path, patterns: list[str], ignored: set[str]) -> None:
    """The expectations above are git's own answers, so the table cannot drift from git."""
    root = build_tree(tmp_path / "repo", {f: f for f in FILES})
    (root / ".gitignore").write_text("".join(p + "\n" for p in patterns))
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split()
    assert set(FILES) - set(listed) == ignored


def test_defaults_then_project_patterns() -> None:
    defaults = IgnoreRules.of([".git/", "*.tmp"])
    project = defaults.extend(["# keep this one", "!keep.tmp", "secret.txt"])
    assert project.patterns == (".git/", "*.tmp", "!keep.tmp", "secret.txt")
    assert project.ignores(".git/config")
    assert project.ignores("x.tmp")
    assert not project.ignores("keep.tmp")
    assert project.ignores("secret.txt")
    assert defaults.ignores("keep.tmp")  # the defaults themselves are unchanged


def test_of_strips_newlines_blanks_and_comments() -> None:
    rules = IgnoreRules.of(["*.log\n", "\n", "   ", "# comment\n"], ["dist/\n"])
    assert rules.patterns == ("*.log", "dist/")


def test_no_rules_ignore_nothing() -> None:
    rules = IgnoreRules()
    assert not rules
    assert not rules.ignores("anything")
    assert not rules.matches("dir", is_dir=True)
    tree = Tree.from_texts({"a": "1"})
    assert rules.filter(tree) is tree
    assert IgnoreRules.of(["x"])


def test_matches_looks_at_the_path_itself_only() -> None:
    rules = IgnoreRules.of(["build/"])
    assert rules.matches("build", is_dir=True)
    assert not rules.matches("build")  # a file called build
    assert not rules.matches("build/out.o")  # the folder is not looked at
    assert rules.ignores("build/out.o")


def test_equal_rules_compare_equal() -> None:
    assert IgnoreRules.of(["a", "#c"]) == IgnoreRules(("a",))
    assert IgnoreRules.of(["a"]) != IgnoreRules.of(["b"])
