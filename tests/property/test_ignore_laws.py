"""Ignore rules agree with git itself on generated patterns and folders.

The law: for every file, ``IgnoreRules.of(patterns).ignores(path)`` is true exactly when git, given
the same lines as a ``.gitignore``, leaves the file out of ``git ls-files --others
--exclude-standard``. Patterns are built from the features gitignore has (negation, ``dir/``,
``/anchored``, ``*``, ``**``, ``?``, classes, escapes, trailing spaces) over names that repeat, so
that patterns and paths meet often.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from templsync._core.ignore import IgnoreRules
from templsync._core.tree import Tree

NAMES = ["a", "b", "ab", "x.log", "k", "A", "[a]", "a b", "#c", "!d"]
ATOMS = [
    "a",
    "b",
    "A",
    "k",
    "ab",
    "*",
    "**",
    "?",
    "a?",
    "[ab]",
    "[!a]",
    "[a-c]",
    "[]a]",
    "[[:alpha:]]",
    "\\[a]",
    "x.log",
    "*.log",
    "#c",
    "\\#c",
    "\\!d",
    "a b",
    "a\\ ",
    "a ",
]


@st.composite
def patterns(draw: st.DrawFn) -> str:
    pattern = "/".join(draw(st.lists(st.sampled_from(ATOMS), min_size=1, max_size=3)))
    if draw(st.booleans()):
        pattern = "/" + pattern
    if draw(st.booleans()):
        pattern += "/"
    if draw(st.integers(0, 3)) == 0:
        pattern = "!" + pattern
    return pattern


@st.composite
def file_sets(draw: st.DrawFn) -> list[str]:
    paths = draw(
        st.lists(
            st.lists(st.sampled_from(NAMES), min_size=1, max_size=3).map("/".join),
            min_size=1,
            max_size=8,
            unique=True,
        )
    )
    # a Tree cannot hold "a" and "a/b"
    return sorted(p for p in paths if not any(q.startswith(p + "/") for q in paths))


def git_ignored(files: list[str], lines: list[str]) -> set[str]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel in files:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(b"")
        (root / ".gitignore").write_text("".join(line + "\n" for line in lines))
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
            text=True,
        ).stdout.split("\0")
    return set(files) - set(listed)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=file_sets(), lines=st.lists(patterns(), min_size=1, max_size=4))
def test_ignores_agrees_with_git(files: list[str], lines: list[str]) -> None:
    rules = IgnoreRules.of(lines)
    expected = git_ignored(files, lines)
    assert {f for f in files if rules.ignores(f)} == expected
    tree = Tree.from_texts(dict.fromkeys(files, ""))
    assert set(rules.filter(tree)) == set(files) - expected
