"""Laws of the line-wise merge of one text (``merge_text``).

"No change on either side is ever lost" is stated through the regions, which hold all three
versions of every run of lines:

- joining the regions' ``base`` (``ours``, ``theirs``) lines gives back the whole base (ours,
  theirs): every line of every version is in exactly one region, in order;
- a region's kind says what its versions are: ``OURS`` means theirs == base != ours,
  ``THEIRS`` the other way round, ``SAME`` ours == theirs != base, ``UNCHANGED`` all equal and
  ``CONFLICT`` all three differ;
- the merged text is, region by region, base where nothing changed, the changed side where one
  side changed, and ours where both did (a conflict).

So a line that ours added, removed or changed lies in an ``OURS`` or ``SAME`` region (where the
result takes our lines) or in a ``CONFLICT``. A formulation through ``line_hunks(base, ours)``
("each hunk's new lines appear in the merged text") is weaker and not exact: a run of lines can be
equal in content to the base and still be aligned as inserted by one diff, and the hunk view
cannot say where a deleted line went.

The re-merge law states the same from outside: a clean result already holds both sides' changes,
so merging it again with either side changes nothing. It holds only when no line repeats: with
base ``a, a`` (no final newline), ours ``a, a, a`` and theirs ``a, b, a``, the clean result is
``a, a, b, a``, and merging it again with ours aligns ours' extra ``a`` elsewhere and gives
``a, a, a, b, a``. Both alignments are right; diff3 has to pick one. So that law is checked on
texts whose lines are all distinct.

Each merge is seen two ways, and the laws hold for both: ``regions`` (the diff3 regions, where a
conflict holds its base lines) and ``refined`` (what plain markers show: conflicts narrowed to the
lines where the sides differ, and conflicts close together joined, as ``git merge-file`` does).
In ``refined`` a conflict's sides may equal its base lines (a split conflict's base lines all go
to its first part). The two views agree on whether the merge is clean and on the merged text.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from templsync._core.region import Region, RegionKind
from templsync._core.text import split_lines
from templsync._core.textmerge import MarkerLabels, merge_text, render_markers, render_rejects

from .strategies import edited, text_versions, texts, unique_line_versions

EXAMPLES = settings(max_examples=300, deadline=None)


@EXAMPLES
@given(st.data())
def test_merging_with_an_unchanged_side_gives_the_changed_side(data: st.DataObject) -> None:
    base = data.draw(texts())
    changed = data.draw(edited(base))
    for merge in (merge_text(base, base, changed), merge_text(base, changed, base)):
        assert merge.clean
        assert merge.merged() == changed


@EXAMPLES
@given(st.data())
def test_the_same_change_on_both_sides_merges_to_it(data: st.DataObject) -> None:
    base = data.draw(texts())
    changed = data.draw(edited(base))
    merge = merge_text(base, changed, changed)
    assert merge.clean
    assert merge.merged() == changed


@EXAMPLES
@given(text_versions(), st.booleans())
def test_swapping_the_sides_mirrors_the_merge(
    versions: tuple[bytes, bytes, bytes], added: bool
) -> None:
    base, ours, theirs = versions
    if added:  # a file both sides added: the whole text is one conflict, refined
        base = b""
    merge = merge_text(base, ours, theirs)
    assert merge.mirrored() == merge_text(base, theirs, ours)


def check_regions(
    regions: tuple[Region, ...], base: bytes, ours: bytes, theirs: bytes, *, refined: bool
) -> None:
    assert b"".join(b"".join(r.base) for r in regions) == base
    assert b"".join(b"".join(r.ours) for r in regions) == ours
    assert b"".join(b"".join(r.theirs) for r in regions) == theirs
    for r in regions:
        assert r.base or r.ours or r.theirs
        if r.kind is RegionKind.UNCHANGED:
            assert r.base == r.ours == r.theirs
        elif r.kind is RegionKind.OURS:
            assert r.theirs == r.base != r.ours
        elif r.kind is RegionKind.THEIRS:
            assert r.ours == r.base != r.theirs
        elif r.kind is RegionKind.SAME:
            assert r.ours == r.theirs != r.base
        elif not refined:
            assert r.ours != r.theirs
            assert r.ours != r.base
            assert r.theirs != r.base
        expected = r.theirs if r.kind is RegionKind.THEIRS else r.ours
        assert r.result == expected


@EXAMPLES
@given(text_versions(), st.booleans())
def test_no_change_is_lost(versions: tuple[bytes, bytes, bytes], added: bool) -> None:
    base, ours, theirs = versions
    if added:
        base = b""
    merge = merge_text(base, ours, theirs)
    check_regions(merge.regions, base, ours, theirs, refined=False)
    check_regions(merge.refined, base, ours, theirs, refined=True)
    assert merge.merged() == b"".join(b"".join(r.result) for r in merge.regions)
    assert merge.merged() == b"".join(b"".join(r.result) for r in merge.refined)
    assert merge.clean == (not merge.conflicts)
    assert merge.clean == all(r.kind is not RegionKind.CONFLICT for r in merge.refined)


@EXAMPLES
@given(unique_line_versions())
def test_a_clean_result_already_holds_both_sides(versions: tuple[bytes, bytes, bytes]) -> None:
    """Merging the result again with either side is clean and changes nothing (distinct lines)."""
    base, ours, theirs = versions
    merge = merge_text(base, ours, theirs)
    if not merge.clean:
        return
    merged = merge.merged()
    for side in (ours, theirs):
        again = merge_text(base, side, merged)
        assert again.clean
        assert again.merged() == merged


@EXAMPLES
@given(text_versions())
def test_region_base_starts_count_base_lines(versions: tuple[bytes, bytes, bytes]) -> None:
    base, ours, theirs = versions
    merge = merge_text(base, ours, theirs)
    for regions in (merge.regions, merge.refined):
        position = 0
        for region in regions:
            assert region.base_start == position
            position += len(region.base)
        assert position == len(split_lines(base))


def resolve(marked: bytes, keep: str) -> bytes:
    """Resolve every marker block of ``render_markers`` output by keeping one section."""
    out: list[bytes] = []
    section = None
    for line in marked.splitlines(keepends=True):
        if line.startswith(b"<<<<<<< "):
            section = "ours"
        elif line.startswith(b"||||||| ") and section:
            section = "base"
        elif line.rstrip(b"\r\n") == b"=======" and section:
            section = "theirs"
        elif line.startswith(b">>>>>>> ") and section:
            section = None
        elif section is None or section == keep:
            out.append(line)
    return b"".join(out)


@EXAMPLES
@given(
    st.data(),
    st.sampled_from([b"\n", b"\r\n"]),
    st.booleans(),
)
def test_markers_lose_nothing(data: st.DataObject, eol: bytes, show_base: bool) -> None:
    """Keeping one section of every marker block gives back the merge with that side's lines.

    The texts here end with a newline and hold no marker-like lines, so that the markers can be
    read back unambiguously. Markers end their lines as the text does, except where the base
    cannot tell (it is empty): then, as in git, with LF.
    """
    base = data.draw(texts()).replace(b"\r\n", b"\n").replace(b"\n", eol)
    ours = data.draw(edited(base)).replace(b"\r\n", b"\n").replace(b"\n", eol)
    theirs = data.draw(edited(base)).replace(b"\r\n", b"\n").replace(b"\n", eol)
    base, ours, theirs = (t if not t or t.endswith(eol) else t + eol for t in (base, ours, theirs))
    merge = merge_text(base, ours, theirs)
    marked = render_markers(merge, MarkerLabels("O", "T", "B"), show_base=show_base)
    assert resolve(marked, "ours") == merge.merged()
    assert resolve(marked, "theirs") == merge.mirrored().merged()
    if show_base:
        by_base = b"".join(
            b"".join(r.base if r.kind is RegionKind.CONFLICT else r.result) for r in merge.regions
        )
        assert resolve(marked, "base") == by_base
    if merge.clean:
        assert marked == merge.merged()
    else:
        marker_eol = eol if base else b"\n"
        shown = merge.regions if show_base else merge.refined
        blocks = [r for r in shown if r.kind is RegionKind.CONFLICT]
        assert marked.count(b"<<<<<<< O" + marker_eol) == len(blocks)
        assert marked.count(b"\n>>>>>>> T" + marker_eol) == len(blocks)


@EXAMPLES
@given(text_versions())
def test_reject_hunks_point_at_their_lines(versions: tuple[bytes, bytes, bytes]) -> None:
    """Each ``.rej`` hunk's old lines are in the base and its new lines in theirs, where the
    header says."""
    base, ours, theirs = versions
    merge = merge_text(base, ours, theirs)
    text = render_rejects(merge, "f")
    base_lines, theirs_lines = split_lines(base), split_lines(theirs)
    hunks = text.split(b"\n@@ ")[1:]
    assert len(hunks) == len(merge.conflicts)
    for chunk in hunks:
        header, _, body = chunk.partition(b"\n")
        old_spec, new_spec = header.split(b" ")[:2]
        old_start, old_count = _numbers(old_spec)
        new_start, new_count = _numbers(new_spec)
        old: list[bytes] = []
        new: list[bytes] = []
        for line in body.split(b"\n"):
            if not line or line.startswith(b"\\"):
                continue
            if line[:1] in (b" ", b"-"):
                old.append(line[1:])
            if line[:1] in (b" ", b"+"):
                new.append(line[1:])
        assert (len(old), len(new)) == (old_count, new_count)
        first_old = old_start - 1 if old_count else old_start
        first_new = new_start - 1 if new_count else new_start
        expect_old = base_lines[first_old : first_old + old_count]
        expect_new = theirs_lines[first_new : first_new + new_count]
        assert old == [line.rstrip(b"\n") for line in expect_old]
        assert new == [line.rstrip(b"\n") for line in expect_new]


def _numbers(spec: bytes) -> tuple[int, int]:
    start, _, count = spec[1:].partition(b",")
    return int(start), int(count) if count else 1
