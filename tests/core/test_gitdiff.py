from __future__ import annotations

import random
import re
import subprocess
from pathlib import Path

import pytest

from templsync._core.gitdiff import Change, diff_lines
from templsync._core.text import split_lines


def diff(old: bytes, new: bytes) -> list[Change]:
    return list(diff_lines(split_lines(old), split_lines(new)))


def git_diff(folder: Path, old: bytes, new: bytes) -> list[Change]:
    """The hunks of ``git diff`` with the settings ``git merge-file`` diffs with."""
    (folder / "old").write_bytes(old)
    (folder / "new").write_bytes(new)
    options = ["--no-index", "--diff-algorithm=myers", "--no-indent-heuristic", "-U0"]
    done = subprocess.run(
        ["git", "diff", *options, "old", "new"], cwd=folder, capture_output=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr
    hunks = []
    header = rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@"
    for m in re.finditer(header, done.stdout, re.MULTILINE):
        old_count = 1 if m[2] is None else int(m[2])
        new_count = 1 if m[4] is None else int(m[4])
        old_start = int(m[1]) - (1 if old_count else 0)
        new_start = int(m[3]) - (1 if new_count else 0)
        hunks.append(Change(old_start, old_count, new_start, new_count))
    return hunks


def test_equal_texts_have_no_hunk() -> None:
    assert diff(b"", b"") == []
    assert diff(b"a\nb\n", b"a\nb\n") == []


def test_insertions_deletions_and_changes() -> None:
    assert diff(b"", b"a\n") == [Change(0, 0, 0, 1)]
    assert diff(b"a\n", b"") == [Change(0, 1, 0, 0)]
    assert diff(b"p\nq\nr\n", b"p\nX\nr\n") == [Change(1, 1, 1, 1)]


def test_a_line_ending_is_part_of_the_line() -> None:
    assert diff(b"}", b"}\n") == [Change(0, 1, 0, 1)]
    assert diff(b"a\r\n", b"a\n") == [Change(0, 1, 0, 1)]


def test_an_inserted_run_slides_down_as_far_as_it_can() -> None:
    # "x" added before or after the "x" is the same diff; git puts it after.
    assert diff(b"x\n", b"x\nx\n") == [Change(1, 0, 1, 1)]
    # The block could start at the first "}" or after it; it goes after.
    assert diff(b"a\n}\n", b"a\n}\n\nb\n}\n") == [Change(2, 0, 2, 3)]


def test_swapped_lines_keep_the_second() -> None:
    assert diff(b"a\nb\n", b"b\na\n") == [Change(0, 1, 0, 0), Change(2, 0, 1, 1)]


def big_pair(rng: random.Random, count: int, *, shuffle: int) -> tuple[bytes, bytes]:
    """Distinct lines, then every few dozen lines a few replaced by lines from elsewhere (so
    nothing is thrown out before the search) and one stretch shuffled: far more than 256
    differences, where xdiff stops searching for the best diff."""
    old = [b"line %d\n" % i for i in range(count)]
    new = list(old)
    i = 0
    while i < len(new):
        step, size = rng.randint(20, 60), rng.randint(3, 15)
        for j in range(i + step, min(i + step + size, len(new))):
            new[j] = rng.choice(old)
        i += step + size
    middle = new[count // 3 : count // 3 + shuffle]
    rng.shuffle(middle)
    new[count // 3 : count // 3 + shuffle] = middle
    return b"".join(old), b"".join(new)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("count", "shuffle"),
    [(6000, 0), (40_000, 300)],
    ids=["cut-at-the-cost-limit", "cut-at-a-long-snake"],
)
def test_long_diffs_cut_the_search_short_as_git_does(
    tmp_path: Path, count: int, shuffle: int
) -> None:
    """Beyond 256 differences xdiff settles for a good split instead of the best: the furthest
    point reached, or (in files of more than 32,768 lines) a point followed by 20 equal lines."""
    old, new = big_pair(random.Random(count), count, shuffle=shuffle)
    assert diff(old, new) == git_diff(tmp_path, old, new)
