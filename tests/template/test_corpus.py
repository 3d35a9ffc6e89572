"""``templsync copy`` against ``copier copy``: every corpus template gives the same tree.

Same paths, same bytes, same modes (executables, symlinks), the answers file included.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from template.corpus import ALL_CASES, CASES, PENDING_CASES, Case
from template.corpus.build import (
    build_template,
    copy_with_copier,
    copy_with_templsync,
    describe,
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_copy_matches_copier(case: Case, tmp_path: Path) -> None:
    src = build_template(tmp_path / "template", case)
    expected = copy_with_copier(src, tmp_path / "copier" / "project", case)
    code, got = copy_with_templsync(src, tmp_path / "templsync" / "project", case)
    assert code == 0
    assert describe(got) == describe(expected)
    if not case.pretend:
        assert expected[case.answers_file].content() == got[case.answers_file].content()


def test_corpus_is_whole() -> None:
    names = [case.name for case in ALL_CASES]
    assert len(names) == len(set(names))
    assert set(PENDING_CASES) <= set(names)
    assert len(ALL_CASES) >= 25
