"""A text that conflicts, merged as ``git merge-file`` merges it (git 2.39's ``xdiff/xmerge.c``).

Copier's update leaves its conflicts with ``git merge-file``, so where a text conflicts the engine
merges it again the way git does, for the same markers byte for byte:

- each side is diffed against the base with git's own diff (:mod:`templsync._core.gitdiff`);
  hunks of the two sides that overlap or touch make one conflict, unless they are the same hunk
  (the same base lines replaced by the same lines), which is taken once (``xdl_do_merge``); a
  conflict whose two sides turn out equal (the sides cut their hunks differently) is no conflict
  but, as in git, still keeps the conflicts around it from being joined;
- the markers show each conflict narrowed to where the sides really differ: git diffs our lines
  against theirs and splits the conflict around every run of lines the two share ("zealous"
  refinement, ``xdl_refine_conflicts``); a conflict with an empty side stays whole;
- conflicts that then stand close together are joined again, the lines between them taken into
  both sides: when at most three lines lie between, or only lines without an ASCII letter or
  digit (blank lines, braces), and no one-sided change lies between
  (``xdl_simplify_non_conflicts`` at ``git merge-file``'s level, ``XDL_MERGE_ZEALOUS_ALNUM``).

Two views of the merge come out, each a sequence of regions whose lines join to the three whole
texts: the diff3 regions, where a conflict holds its base lines (what ``--diff3`` markers and
``.rej`` hunks show), and the regions the plain markers show. In the second, the lines a split
conflict's sides share become ``SAME`` regions with no base lines, and the conflict's base lines
go to its first part.

One choice differs from git on purpose. Where two alignments of our lines against theirs are
equally good, git's pick can depend on which side it diffs first, so swapping the sides can move
a line into or out of a conflict (about 2 in 1,000 random texts made of four distinct lines).
Here the sides are always diffed in one order (the text that sorts first, first), so the merge
mirrors exactly when the sides swap, and for one of the two orders it is git's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from templsync._core.gitdiff import Change, diff_lines
from templsync._core.region import Region, RegionKind, classify, coalesce, joined
from templsync._core.text import Lines

_NEAR = 3  # conflicts at most this many lines apart are joined
_ALNUM = re.compile(rb"[0-9A-Za-z]")


@dataclass
class _Hunk:
    """``xdmerge_t``: base, ours and theirs runs, and which side changed them (0: both).

    Mutable, as in git: a hunk grows while the list is built, when the next one touches it.
    """

    side: int
    i0: int
    chg0: int
    i1: int
    chg1: int
    i2: int
    chg2: int


def merge_like_git(
    base: Lines, ours: Lines, theirs: Lines
) -> tuple[tuple[Region, ...], tuple[Region, ...]]:
    """The diff3 regions of git's merge of three texts, and the regions its markers show."""
    ours_diff, theirs_diff = diff_lines(base, ours), diff_lines(base, theirs)
    hunks, alike = _merge_hunks(ours_diff, theirs_diff, base, ours, theirs)
    runs = list(_runs(hunks, alike, base, ours, theirs))
    diff3 = coalesce(region for region, _ in runs)
    first_theirs = theirs < ours
    shown = coalesce(_join_near(_narrow(runs, first_theirs=first_theirs)))
    return diff3, shown


def _merge_hunks(
    ours_diff: tuple[Change, ...],
    theirs_diff: tuple[Change, ...],
    base: Lines,
    ours: Lines,
    theirs: Lines,
) -> tuple[list[_Hunk], list[Change]]:
    """``xdl_do_merge``: both sides' hunks in one list, and the ones both sides made alike."""
    hunks: list[_Hunk] = []
    alike: list[Change] = []
    p = q = 0
    while p < len(ours_diff) and q < len(theirs_diff):
        h1, h2 = ours_diff[p], theirs_diff[q]
        end1, end2 = h1.a_start + h1.a_count, h2.a_start + h2.a_count
        if end1 < h2.a_start:
            at = h2.b_start - h2.a_start + h1.a_start
            _append(hunks, _Hunk(1, h1.a_start, h1.a_count, h1.b_start, h1.b_count, at, h1.a_count))
            p += 1
            continue
        if end2 < h1.a_start:
            at = h1.b_start - h1.a_start + h2.a_start
            _append(hunks, _Hunk(2, h2.a_start, h2.a_count, at, h2.a_count, h2.b_start, h2.b_count))
            q += 1
            continue
        ours_lines = ours[h1.b_start : h1.b_start + h1.b_count]
        theirs_lines = theirs[h2.b_start : h2.b_start + h2.b_count]
        if h1.a_start == h2.a_start and h1.a_count == h2.a_count and ours_lines == theirs_lines:
            alike.append(h1)
        else:
            _append(hunks, _overlap(h1, h2))
        if end1 >= end2:
            q += 1
        if end2 >= end1:
            p += 1
    for h1 in ours_diff[p:]:
        at = h1.a_start + len(theirs) - len(base)
        _append(hunks, _Hunk(1, h1.a_start, h1.a_count, h1.b_start, h1.b_count, at, h1.a_count))
    for h2 in theirs_diff[q:]:
        at = h2.a_start + len(ours) - len(base)
        _append(hunks, _Hunk(2, h2.a_start, h2.a_count, at, h2.a_count, h2.b_start, h2.b_count))
    return hunks, alike


def _overlap(h1: Change, h2: Change) -> _Hunk:
    """The conflict covering an ours hunk and a theirs hunk that overlap or touch."""
    off = h1.a_start - h2.a_start
    ffo = off + h1.a_count - h2.a_count
    i0, i1, i2 = h1.a_start, h1.b_start, h2.b_start
    if off > 0:
        i0 -= off
        i1 -= off
    else:
        i2 += off
    chg0 = h1.a_start + h1.a_count - i0
    chg1 = h1.b_start + h1.b_count - i1
    chg2 = h2.b_start + h2.b_count - i2
    if ffo < 0:
        chg0 -= ffo
        chg1 -= ffo
    else:
        chg2 += ffo
    return _Hunk(0, i0, chg0, i1, chg1, i2, chg2)


def _append(hunks: list[_Hunk], new: _Hunk) -> None:
    """``xdl_append_merge``: a hunk that touches the previous one grows it (a conflict, when the
    two come from different sides)."""
    last = hunks[-1] if hunks else None
    if last and (new.i1 <= last.i1 + last.chg1 or new.i2 <= last.i2 + last.chg2):
        if new.side != last.side:
            last.side = 0
        last.chg0 = new.i0 + new.chg0 - last.i0
        last.chg1 = new.i1 + new.chg1 - last.i1
        last.chg2 = new.i2 + new.chg2 - last.i2
    else:
        hunks.append(new)


def _runs(
    hunks: list[_Hunk], alike: list[Change], base: Lines, ours: Lines, theirs: Lines
) -> Iterator[tuple[Region, bool]]:
    """Every run of lines as a region, with whether git's merge holds it as a hunk.

    Between the hunks lie lines no side changed and the hunks both sides made alike; git keeps
    neither in its list, so neither stops two conflicts from being joined.
    """
    b0 = o0 = t0 = 0
    k = 0
    for hunk in [*hunks, _Hunk(0, len(base), 0, len(ours), 0, len(theirs), 0)]:
        while k < len(alike) and alike[k].a_start + alike[k].a_count <= hunk.i0:
            same = alike[k]
            n = same.a_start - b0
            if n:
                yield _unchanged(b0, base[b0 : same.a_start]), False
            o0 += n
            t0 += n
            b1 = same.a_start + same.a_count
            lines = ours[o0 : o0 + same.b_count]
            changed = base[same.a_start : b1]
            yield Region(RegionKind.SAME, same.a_start, changed, lines, lines), False
            b0, o0, t0 = b1, o0 + same.b_count, t0 + same.b_count
            k += 1
        # A hunk alike on both sides that a conflict grew over is part of the conflict.
        while k < len(alike) and alike[k].a_start < hunk.i0 + hunk.chg0:
            k += 1
        if hunk.i0 > b0:
            yield _unchanged(b0, base[b0 : hunk.i0]), False
        if hunk.chg0 or hunk.chg1 or hunk.chg2:
            region = classify(
                hunk.i0,
                base[hunk.i0 : hunk.i0 + hunk.chg0],
                ours[hunk.i1 : hunk.i1 + hunk.chg1],
                theirs[hunk.i2 : hunk.i2 + hunk.chg2],
            )
            yield region, True
        b0, o0, t0 = hunk.i0 + hunk.chg0, hunk.i1 + hunk.chg1, hunk.i2 + hunk.chg2


def _unchanged(start: int, lines: Lines) -> Region:
    return Region(RegionKind.UNCHANGED, start, lines, lines, lines)


def _narrow(
    runs: Iterable[tuple[Region, bool]], *, first_theirs: bool
) -> Iterator[tuple[Region, bool]]:
    """``xdl_refine_conflicts``: each conflict split around the lines its two sides share."""
    for region, held in runs:
        if region.kind is not RegionKind.CONFLICT or not region.ours or not region.theirs:
            yield region, held
            continue
        ours, theirs = region.ours, region.theirs
        changes = diff_lines(theirs, ours) if first_theirs else diff_lines(ours, theirs)
        base, start = region.base, region.base_start
        i = 0
        for change in changes:
            if first_theirs:
                o, oc, t, tc = change.b_start, change.b_count, change.a_start, change.a_count
            else:
                o, oc, t, tc = change
            if o > i:
                shared = ours[i:o]
                yield Region(RegionKind.SAME, start, (), shared, shared), False
            differ = Region(RegionKind.CONFLICT, start, base, ours[o : o + oc], theirs[t : t + tc])
            yield differ, True
            start += len(base)
            base = ()
            i = o + oc
        if i < len(ours):
            shared = ours[i:]
            yield Region(RegionKind.SAME, start, (), shared, shared), False


def _join_near(runs: Iterable[tuple[Region, bool]]) -> list[Region]:
    """``xdl_simplify_non_conflicts``: conflicts with only a few lines, or only lines without a
    letter or digit, between them (and no other hunk) become one."""
    out: list[Region] = []
    last = -1  # where in ``out`` the last hunk is
    for region, held in runs:
        if not held:
            out.append(region)
            continue
        if region.kind is RegionKind.CONFLICT and last >= 0 and out[last].kind is region.kind:
            between = [line for r in out[last + 1 :] for line in r.ours]
            if len(between) <= _NEAR or not any(_ALNUM.search(line) for line in between):
                out[last:] = [joined(RegionKind.CONFLICT, (*out[last:], region))]
                continue
        out.append(region)
        last = len(out) - 1
    return out
