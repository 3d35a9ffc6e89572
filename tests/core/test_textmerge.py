from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from templsync._core.region import Region, RegionKind
from templsync._core.text import split_lines
from templsync._core.textmerge import (
    MarkerLabels,
    TextMerge,
    merge_text,
    render_markers,
    render_rejects,
)

BASE = b"one\ntwo\nthree\nfour\nfive\nsix\nseven\n"


def kinds(merge: TextMerge) -> list[str]:
    return kinds_of(merge.regions)


def kinds_of(regions: tuple[Region, ...]) -> list[str]:
    return [r.kind.value for r in regions]


def assert_partition(merge: TextMerge, base: bytes, ours: bytes, theirs: bytes) -> None:
    """Every region holds all three versions: joined, they give back each whole text (in both
    views of the merge)."""
    for regions in (merge.regions, merge.refined):
        assert b"".join(line for r in regions for line in r.base) == base
        assert b"".join(line for r in regions for line in r.ours) == ours
        assert b"".join(line for r in regions for line in r.theirs) == theirs


# --- outcomes ----------------------------------------------------------------------------------


def test_unchanged() -> None:
    merge = merge_text(BASE, BASE, BASE)
    assert merge.clean
    assert merge.merged() == BASE
    assert kinds(merge) == ["unchanged"]


def test_one_side_changed_takes_that_side() -> None:
    theirs = BASE.replace(b"two\n", b"TWO\n")
    for merge in (merge_text(BASE, BASE, theirs), merge_text(BASE, theirs, BASE)):
        assert merge.clean
        assert merge.merged() == theirs
    assert kinds(merge_text(BASE, BASE, theirs)) == ["unchanged", "theirs", "unchanged"]
    assert kinds(merge_text(BASE, theirs, BASE)) == ["unchanged", "ours", "unchanged"]


def test_changes_to_different_lines_merge() -> None:
    ours = BASE.replace(b"two\n", b"TWO\n")
    theirs = BASE.replace(b"six\n", b"SIX\nsix and a half\n")
    merge = merge_text(BASE, ours, theirs)
    assert merge.clean
    assert merge.merged() == b"one\nTWO\nthree\nfour\nfive\nSIX\nsix and a half\nseven\n"
    assert kinds(merge) == ["unchanged", "ours", "unchanged", "theirs", "unchanged"]
    ours_region = merge.regions[1]
    assert ours_region == Region(RegionKind.OURS, 1, (b"two\n",), (b"TWO\n",), (b"two\n",))
    assert merge.regions[3].base_start == 5
    assert_partition(merge, BASE, ours, theirs)


def test_identical_changes_on_both_sides() -> None:
    both = BASE.replace(b"three\n", b"3\n")
    merge = merge_text(BASE, both, both)
    assert merge.clean
    assert merge.merged() == both
    assert kinds(merge) == ["unchanged", "same", "unchanged"]


def test_both_deleting_the_same_lines_is_clean() -> None:
    cut = BASE.replace(b"three\nfour\n", b"")
    merge = merge_text(BASE, cut, cut)
    assert merge.clean
    assert merge.merged() == cut
    assert merge.regions[1] == Region(RegionKind.SAME, 2, (b"three\n", b"four\n"), (), ())
    assert_partition(merge, BASE, cut, cut)


def test_same_line_changed_differently_conflicts() -> None:
    ours = BASE.replace(b"four\n", b"4 (ours)\n")
    theirs = BASE.replace(b"four\n", b"IV (theirs)\n")
    merge = merge_text(BASE, ours, theirs)
    assert not merge.clean
    (conflict,) = merge.conflicts
    assert conflict == Region(
        RegionKind.CONFLICT, 3, (b"four\n",), (b"4 (ours)\n",), (b"IV (theirs)\n",)
    )
    assert merge.merged() == ours  # a conflict keeps our lines
    assert_partition(merge, BASE, ours, theirs)


def test_modified_against_deleted_lines_conflict() -> None:
    ours = BASE.replace(b"five\n", b"FIVE\n")
    theirs = BASE.replace(b"five\n", b"")
    (conflict,) = merge_text(BASE, ours, theirs).conflicts
    assert (conflict.base, conflict.ours, conflict.theirs) == ((b"five\n",), (b"FIVE\n",), ())


def test_insertions_at_the_same_place_conflict() -> None:
    ours = BASE.replace(b"two\n", b"two\nours\n")
    theirs = BASE.replace(b"two\n", b"two\ntheirs\n")
    (conflict,) = merge_text(BASE, ours, theirs).conflicts
    assert conflict.base_start == 2
    assert (conflict.base, conflict.ours, conflict.theirs) == ((), (b"ours\n",), (b"theirs\n",))


def test_added_on_both_sides_is_one_conflict_shown_narrowed() -> None:
    ours = b"header\nours\nm1\nm2\nm3\nm4\nfooter\n"
    theirs = b"header\ntheirs\nm1\nm2\nm3\nm4\nfooter\nextra\n"
    merge = merge_text(b"", ours, theirs)
    assert [(r.kind, r.ours, r.theirs) for r in merge.regions] == [
        (RegionKind.CONFLICT, split_lines(ours), split_lines(theirs))
    ]
    assert kinds_of(merge.refined) == ["same", "conflict", "same", "conflict"]
    assert [(r.ours, r.theirs) for r in merge.refined if r.kind is RegionKind.CONFLICT] == [
        ((b"ours\n",), (b"theirs\n",)),
        ((), (b"extra\n",)),
    ]
    assert_partition(merge, b"", ours, theirs)


def test_refined_conflicts_mirror_when_the_sides_swap() -> None:
    one, two = b"x\ny\n", b"y\nx\n"
    assert merge_text(b"", one, two).mirrored() == merge_text(b"", two, one)


def test_mirrored_swaps_sides_and_kinds() -> None:
    ours = BASE.replace(b"one\n", b"1\n").replace(b"four\n", b"4\n")
    theirs = BASE.replace(b"four\n", b"IV\n").replace(b"seven\n", b"VII\n")
    merge = merge_text(BASE, ours, theirs)
    assert merge.mirrored() == merge_text(BASE, theirs, ours)
    assert kinds(merge.mirrored()) == [
        "theirs",
        "unchanged",
        "conflict",
        "unchanged",
        "ours",
    ]
    assert merge.mirrored().mirrored() == merge


# --- bytes survive -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "ours", "theirs", "merged"),
    [
        (
            b"a\r\nb\r\nc\r\nd\r\n",
            b"A\r\nb\r\nc\r\nd\r\n",
            b"a\r\nb\r\nc\r\nD\r\n",
            b"A\r\nb\r\nc\r\nD\r\n",
        ),
        (b"a\nb\nc\nd", b"A\nb\nc\nd", b"a\nb\nc\nD", b"A\nb\nc\nD"),
        (b"a\nb\nc\nd", b"A\nb\nc\nd", b"a\nb\nc\nd\n", b"A\nb\nc\nd\n"),
        (
            "caf\xe9\nb\nc\nna\xefve\n".encode("latin-1"),
            "CAF\xc9\nb\nc\nna\xefve\n".encode("latin-1"),
            "caf\xe9\nb\nc\nna\xefve\nd\xe9j\xe0\n".encode("latin-1"),
            "CAF\xc9\nb\nc\nna\xefve\nd\xe9j\xe0\n".encode("latin-1"),
        ),
        (b"a\nb\r\nc\nd\n", b"a\nb\r\nc\nD\n", b"A\nb\r\nc\nd\n", b"A\nb\r\nc\nD\n"),
    ],
    ids=["crlf", "no-final-newline", "gains-final-newline", "latin-1", "mixed-endings"],
)
def test_clean_merges_keep_every_byte(
    base: bytes, ours: bytes, theirs: bytes, merged: bytes
) -> None:
    merge = merge_text(base, ours, theirs)
    assert merge.clean
    assert merge.merged() == merged
    assert render_markers(merge) == merged  # no conflict: no marker


def test_a_line_ending_change_is_a_change() -> None:
    base = b"a\nb\nc\n"
    merge = merge_text(base, b"a\r\nb\r\nc\r\n", b"a\nB\nc\n")
    assert not merge.clean


# --- markers -----------------------------------------------------------------------------------


def conflicted() -> TextMerge:
    return merge_text(BASE, BASE.replace(b"four\n", b"4\n"), BASE.replace(b"four\n", b"IV\n"))


def test_markers_with_caller_labels() -> None:
    text = render_markers(conflicted(), MarkerLabels("instance", "template v2", "template v1"))
    assert text == (
        b"one\ntwo\nthree\n"
        b"<<<<<<< instance\n4\n=======\nIV\n>>>>>>> template v2\n"
        b"five\nsix\nseven\n"
    )


def test_markers_with_the_base_section() -> None:
    text = render_markers(conflicted(), MarkerLabels(base="common"), show_base=True)
    assert b"<<<<<<< ours\n4\n||||||| common\nfour\n=======\nIV\n>>>>>>> theirs\n" in text


def test_marker_labels_are_utf8() -> None:
    text = render_markers(conflicted(), MarkerLabels(ours="nôtre", theirs="leur"))
    assert "<<<<<<< nôtre\n".encode() in text
    assert b">>>>>>> leur\n" in text


def test_crlf_files_get_crlf_markers() -> None:
    base = BASE.replace(b"\n", b"\r\n")
    merge = merge_text(base, base.replace(b"four", b"4"), base.replace(b"four", b"IV"))
    text = render_markers(merge, show_base=True)
    assert text == (
        b"one\r\ntwo\r\nthree\r\n"
        b"<<<<<<< ours\r\n4\r\n||||||| base\r\nfour\r\n=======\r\nIV\r\n>>>>>>> theirs\r\n"
        b"five\r\nsix\r\nseven\r\n"
    )
    assert b"\r\n" not in text.replace(b"\r\n", b"")


def test_missing_final_newline_before_a_marker() -> None:
    base = b"a\nb\nlast"
    merge = merge_text(base, b"a\nb\nours last", b"a\nb\ntheirs last")
    assert render_markers(merge) == (
        b"a\nb\n<<<<<<< ours\nours last\n=======\ntheirs last\n>>>>>>> theirs\n"
    )
    crlf = merge_text(b"a\r\nlast", b"a\r\nmine", b"a\r\nyours")
    assert render_markers(crlf, show_base=True) == (
        b"a\r\n<<<<<<< ours\r\nmine\r\n||||||| base\r\nlast\r\n=======\r\nyours\r\n"
        b">>>>>>> theirs\r\n"
    )


def test_empty_sides_render_as_empty_sections() -> None:
    merge = merge_text(b"a\nb\nc\n", b"a\nB\nc\n", b"a\nc\n")
    assert render_markers(merge) == b"a\n<<<<<<< ours\nB\n=======\n>>>>>>> theirs\nc\n"


# --- markers as git merge-file writes them -----------------------------------------------------

GIT_CASES = {
    # Both sides add an empty line; only ours adds X after it: the empty line is no conflict.
    "shared-empty-line": (
        b"a\n",
        b"a\n\nX\n",
        b"a\n\n",
        b"a\n\n<<<<<<< ours\nX\n=======\n>>>>>>> theirs\n",
    ),
    # The base ends in "}" with no newline; ours adds a line after it, theirs the newline: both
    # sides end "}" with a newline, so "}" stays out of the conflict.
    "closing-brace-gains-newline": (
        b"x {\n  y\n}",
        b"x {\n  y\n}\nX\n",
        b"x {\n  y\n}\n",
        b"x {\n  y\n}\n<<<<<<< ours\nX\n=======\n>>>>>>> theirs\n",
    ),
    # Three lines or fewer between two conflicts: one conflict holding them on both sides.
    "near-conflicts-joined": (
        b"1\n2\n3\n4\n5\n6\n",
        b"1o\n2\n3\n4\n5o\n6\n",
        b"1t\n2\n3\n4\n5t\n6\n",
        b"<<<<<<< ours\n1o\n2\n3\n4\n5o\n=======\n1t\n2\n3\n4\n5t\n>>>>>>> theirs\n6\n",
    ),
    # ... but not across a change one side made.
    "one-sided-change-between": (
        b"1\n2\n3\n4\n5\n6\n",
        b"1o\n2\n3o\n4\n5o\n6\n",
        b"1t\n2\n3\n4\n5t\n6\n",
        b"<<<<<<< ours\n1o\n=======\n1t\n>>>>>>> theirs\n2\n3o\n4\n"
        b"<<<<<<< ours\n5o\n=======\n5t\n>>>>>>> theirs\n6\n",
    ),
    # Any number of lines with no letter or digit between two conflicts are joined too.
    "braces-between-joined": (
        b"",
        b"top\nours\n}\n\n}\n\nend\n",
        b"top\ntheirs\n}\n\n}\n\nextra\nend\n",
        b"top\n<<<<<<< ours\nours\n}\n\n}\n\n=======\ntheirs\n}\n\n}\n\nextra\n"
        b">>>>>>> theirs\nend\n",
    ),
    "four-lines-between-kept-apart": (
        b"",
        b"top\nours\nm1\nm2\nm3\nm4\nend\n",
        b"top\ntheirs\nm1\nm2\nm3\nm4\nend\nextra\n",
        b"top\n<<<<<<< ours\nours\n=======\ntheirs\n>>>>>>> theirs\nm1\nm2\nm3\nm4\nend\n"
        b"<<<<<<< ours\n=======\nextra\n>>>>>>> theirs\n",
    ),
    # Markers end in CRLF only when the lines before the conflict on both sides and the base's
    # first line do.
    "crlf-markers": (
        b"a\r\nb\r\nc\r\n",
        b"a\r\nB\nc\r\n",
        b"a\r\nbb\r\nc\r\n",
        b"a\r\n<<<<<<< ours\r\nB\n=======\r\nbb\r\n>>>>>>> theirs\r\nc\r\n",
    ),
    "lf-markers-when-one-side-is-lf": (
        b"a\r\nb\r\nc\r\n",
        b"a\r\nB\r\nc\r\n",
        b"a\nbb\r\nc\r\n",
        b"<<<<<<< ours\na\r\nB\r\n=======\na\nbb\r\n>>>>>>> theirs\nc\r\n",
    ),
}


@pytest.mark.parametrize(("base", "ours", "theirs", "marked"), GIT_CASES.values(), ids=GIT_CASES)
def test_markers_show_conflicts_as_git_does(
    base: bytes, ours: bytes, theirs: bytes, marked: bytes, tmp_path: Path
) -> None:
    merge = merge_text(base, ours, theirs)
    assert render_markers(merge) == marked
    assert git_merge_file(tmp_path, base, ours, theirs) == marked
    assert_partition(merge, base, ours, theirs)
    assert merge.mirrored() == merge_text(base, theirs, ours)


def git_merge_file(folder: Path, base: bytes, ours: bytes, theirs: bytes) -> bytes:
    for name, data in (("base", base), ("ours", ours), ("theirs", theirs)):
        (folder / name).write_bytes(data)
    labels = ["-L", "ours", "-L", "base", "-L", "theirs"]
    done = subprocess.run(
        ["git", "merge-file", "-p", *labels, "ours", "base", "theirs"],
        cwd=folder,
        capture_output=True,
        check=False,
    )
    assert done.returncode >= 0, done.stderr
    return done.stdout


def test_the_diff3_regions_keep_the_whole_conflict() -> None:
    """``--diff3`` style shows the conflict with its base lines, not narrowed (as git does)."""
    base, ours, theirs = (b"a\n", b"a\n\nX\n", b"a\n\n")
    merge = merge_text(base, ours, theirs)
    assert merge.conflicts == (Region(RegionKind.CONFLICT, 1, (), (b"\n", b"X\n"), (b"\n",)),)
    assert kinds_of(merge.refined) == ["unchanged", "same", "conflict"]
    assert render_markers(merge, show_base=True) == (
        b"a\n<<<<<<< ours\n\nX\n||||||| base\n=======\n\n>>>>>>> theirs\n"
    )


def test_a_text_that_conflicts_is_merged_again_as_git_aligns_it(tmp_path: Path) -> None:
    """Theirs moves "a" after "b" while ours deletes it. difflib sees theirs keep "a" and
    delete "b" (a conflict with ours); git sees it keep "b" and move "a", so both sides delete
    the same "a" and the merge is clean, as git's is."""
    base, ours, theirs = b"a\nb\n", b"b\n", b"b\na\n"
    merge = merge_text(base, ours, theirs)
    assert merge.clean
    assert merge.merged() == b"b\na\n" == git_merge_file(tmp_path, base, ours, theirs)
    assert kinds(merge) == ["same", "unchanged", "theirs"]


# --- rejects -----------------------------------------------------------------------------------


def parse_rejects(text: bytes) -> list[tuple[int, int, int, int, list[bytes]]]:
    """(old start, old count, new start, new count, lines) per hunk, read independently."""
    hunks: list[tuple[int, int, int, int, list[bytes]]] = []
    for line in text.splitlines(keepends=True)[2:]:
        if line.startswith(b"@@ "):
            old, new = line.split(b" ")[1:3]

            def numbers(spec: bytes) -> tuple[int, int]:
                start, _, count = spec[1:].partition(b",")
                return int(start), int(count) if count else 1

            hunks.append((*numbers(old), *numbers(new), []))
        elif not line.startswith(b"\\"):
            hunks[-1][4].append(line)
    return hunks


def check_hunk_numbers(text: bytes, base: bytes, theirs: bytes) -> None:
    base_lines, theirs_lines = split_lines(base), split_lines(theirs)
    for old_start, old_count, new_start, new_count, lines in parse_rejects(text):
        old = [line[1:] for line in lines if line[:1] in b" -"]
        new = [line[1:] for line in lines if line[:1] in b" +"]
        assert (len(old), len(new)) == (old_count, new_count)
        # An empty range names the line before it (unified diff convention).
        first_old = old_start - 1 if old_count else old_start
        first_new = new_start - 1 if new_count else new_start
        got_old = [line.rstrip(b"\n") for line in base_lines[first_old : first_old + old_count]]
        got_new = [line.rstrip(b"\n") for line in theirs_lines[first_new : first_new + new_count]]
        assert [line.rstrip(b"\n") for line in old] == got_old
        assert [line.rstrip(b"\n") for line in new] == got_new


def test_rejects_number_old_lines_in_base_and_new_lines_in_theirs() -> None:
    lines = [b"%d\n" % i for i in range(1, 21)]

    def edit(changes: dict[int, list[bytes]]) -> bytes:
        return b"".join(b"".join(changes.get(i, [line])) for i, line in enumerate(lines, 1))

    base = b"".join(lines)
    ours = edit({5: [b"five\n"], 15: [b"fifteen\n"]})
    theirs = b"new top\n" + edit({5: [b"V\n"], 15: [b"XV\n", b"XV b\n"]})
    merge = merge_text(base, ours, theirs)
    assert len(merge.conflicts) == 2
    text = render_rejects(merge, "numbers.txt")
    assert text.startswith(b"--- numbers.txt\n+++ numbers.txt\n")
    headers = [line for line in text.splitlines() if line.startswith(b"@@")]
    assert headers == [b"@@ -2,7 +3,7 @@", b"@@ -12,7 +13,8 @@"]
    assert b"\n-5\n+V\n" in text
    check_hunk_numbers(text, base, theirs)


def test_rejects_at_the_edges_and_without_context() -> None:
    base = b"a\nb\n"
    merge = merge_text(base, b"ours\na\nb\n", b"theirs\na\nb\n")
    assert render_rejects(merge, "f") == b"--- f\n+++ f\n@@ -1,2 +1,3 @@\n+theirs\n a\n b\n"
    assert render_rejects(merge, "f", context=0) == b"--- f\n+++ f\n@@ -0,0 +1 @@\n+theirs\n"
    check_hunk_numbers(render_rejects(merge, "f"), base, b"theirs\na\nb\n")


def test_rejects_mark_a_missing_final_newline() -> None:
    merge = merge_text(b"a\nend", b"a\nours", b"a\ntheirs")
    assert render_rejects(merge, "f") == (
        b"--- f\n+++ f\n@@ -1,2 +1,2 @@\n a\n-end\n\\ No newline at end of file\n"
        b"+theirs\n\\ No newline at end of file\n"
    )


def test_a_clean_merge_has_no_reject_hunks() -> None:
    assert render_rejects(merge_text(BASE, BASE, BASE), "f") == b"--- f\n+++ f\n"


@pytest.mark.parametrize("crlf", [False, True])
def test_each_reject_hunk_applies_to_the_base_with_gnu_patch(tmp_path: Path, crlf: bool) -> None:
    """``patch`` finds every rejected hunk exactly where the header says (no offset, no fuzz)."""
    base = b"".join(b"line %d\n" % i for i in range(30))
    ours = base.replace(b"line 4\n", b"ours 4\n").replace(b"line 20\n", b"")
    theirs = base.replace(b"line 4\n", b"theirs 4\n").replace(b"line 20\n", b"t20\nt21\n")
    theirs = b"prepended\n" + theirs
    if crlf:
        base, ours, theirs = (t.replace(b"\n", b"\r\n") for t in (base, ours, theirs))
    merge = merge_text(base, ours, theirs)
    assert len(merge.conflicts) == 2
    rejects = render_rejects(merge, "file.txt")
    check_hunk_numbers(rejects, base, theirs)
    (tmp_path / "file.txt").write_bytes(base)
    done = subprocess.run(
        ["patch", "--posix", "-p0", "-F0", "--binary", "-i", "-"],
        input=rejects,
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert b"offset" not in done.stdout
    expected = base.replace(b"line 4", b"theirs 4").replace(b"line 20\r\n", b"t20\r\nt21\r\n")
    expected = expected.replace(b"line 20\n", b"t20\nt21\n")
    assert (tmp_path / "file.txt").read_bytes() == expected
