"""``_exclude`` matching against pathspec, the library Copier matches it with."""

from __future__ import annotations

import unicodedata

import pathspec
import pytest

from templsync.template.excludes import CopierExclude

PATHS = [
    "a",
    "a/b",
    "a/b/c.txt",
    "b",
    "x/b",
    "x/b/c",
    "docs/keep.md",
    "docs/drop.md",
    "docs/sub/keep.md",
    "src/app.py",
    "src/app.pyc",
    "src/__pycache__/m.pyc",
    "README.md",
    "sub/README.md",
    ".git/config",
    "~backup",
    "dir/~backup",
    "logs/x.log",
    "x.log",
    "a b",
    "café.txt",
    "!x",
    "x/b/c/d",
]

PATTERN_SETS = [
    ["a"],
    ["a/"],
    ["/a"],
    ["a/**"],
    ["**/b"],
    ["a/**/c.txt"],
    ["docs", "!docs/keep.md"],
    ["docs/", "!docs/keep.md"],
    ["docs/*", "!docs/keep.md"],
    ["*.md", "!/README.md"],
    ["*.py[co]", "__pycache__"],
    ["*.log", "!logs/"],
    ["~*", ".git"],
    ["**/b", "!x"],
    ["a\\ b"],
    ["#comment", "", "README.md"],
    ["src/*.py"],
    ["*", "!*/"],
    ["café.txt"],
    ["/*"],
    ["a/b/*"],
    ["a/**/*"],
    ["*/b/*", "!x/b/c"],
    ["docs/*/"],
    ["x/*/**"],
    ["**/*"],
    ["*/"],
    ["\\!x", "!a"],
]


@pytest.mark.parametrize("patterns", PATTERN_SETS, ids=lambda p: "|".join(p) or "-")
def test_matches_as_copier_does(patterns: list[str]) -> None:
    spec = pathspec.PathSpec.from_lines(
        "gitignore", [unicodedata.normalize("NFD", p) for p in patterns]
    )
    ours = CopierExclude.of(patterns)
    expected = {p: spec.match_file(p) for p in PATHS}
    assert {p: ours.matches(p) for p in PATHS} == expected


def test_a_file_in_an_excluded_folder_can_come_back() -> None:
    rules = CopierExclude.of(["docs", "!docs/keep.md"])
    assert rules.matches("docs/drop.md")
    assert not rules.matches("docs/keep.md")
