"""``templsync copy`` against ``copier copy``: every corpus template gives the same tree.

Same paths, same bytes, same modes (executables, symlinks), the answers file included, and the
same folders (empty ones included).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from template.corpus import ALL_CASES, CASES, PENDING_CASES, Case
from template.corpus.build import (
    EXAMPLE_SCRIPT,
    build_template,
    copy_with_copier,
    copy_with_templsync,
    describe,
    describe_folders,
    git,
)

EXAMPLE = Case("example", {}, example=True)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_copy_matches_copier(case: Case, tmp_path: Path) -> None:
    src = build_template(tmp_path / "template", case)
    expected = copy_with_copier(src, tmp_path / "copier" / "project", case)
    code, got = copy_with_templsync(src, tmp_path / "templsync" / "project", case)
    assert code == 0
    assert describe(got) == describe(expected)
    folders = [describe_folders(tmp_path / tool / "project") for tool in ("copier", "templsync")]
    assert folders[1] == folders[0]
    if case.answers_file and not case.pretend:
        assert expected[case.answers_file].content() == got[case.answers_file].content()


def test_corpus_is_whole() -> None:
    names = [case.name for case in ALL_CASES]
    assert len(names) == len(set(names))
    assert set(PENDING_CASES) <= set(names)
    assert len(ALL_CASES) >= 25


def test_example_repository_is_the_same_on_every_build(tmp_path: Path) -> None:
    first = build_template(tmp_path / "one", EXAMPLE)
    second = build_template(tmp_path / "two", EXAMPLE)
    assert git(first, "tag", "--list").split() == ["1.0.0", "1.1.0", "2.0.0"]
    assert git(first, "rev-parse", "2.0.0") == git(second, "rev-parse", "2.0.0")
    rebuilt = build_template(first, EXAMPLE)  # a folder the script made is rebuilt in place
    assert git(rebuilt, "rev-parse", "HEAD") == git(second, "rev-parse", "HEAD")


def test_example_script_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me\n")
    done = subprocess.run(
        [sys.executable, str(EXAMPLE_SCRIPT), str(tmp_path)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "not empty" in done.stderr
    assert (tmp_path / "mine.txt").read_text() == "keep me\n"
