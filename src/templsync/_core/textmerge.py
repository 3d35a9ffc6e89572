"""Line-wise three-way merge of one text file (diff3), with conflicts kept as data.

The regions come from the ``merge3`` library (see ``docs/merge-library.md`` for why), run on byte
lines so line endings, a missing final newline and non-UTF-8 text all survive. Every
:class:`Region` holds its base, ours and theirs lines, so the regions split each of the three texts
into consecutive runs and no change is ever out of sight; markers or ``.rej`` hunks are only made
when a caller renders them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import merge3

from templsync._core.text import (
    Hunk,
    Lines,
    LineTag,
    Matcher,
    line_ending,
    render_hunk,
    split_lines,
)


class RegionKind(enum.StrEnum):
    UNCHANGED = "unchanged"
    OURS = "ours"  # changed on our side only
    THEIRS = "theirs"  # changed on their side only
    SAME = "same"  # changed identically on both sides
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Region:
    """A run of lines in all three versions, and what the merge made of it.

    ``base_start`` is the 0-based line in the base where the region begins. The kind says which
    side changed the run: ``UNCHANGED`` (base == ours == theirs), ``OURS`` (theirs == base),
    ``THEIRS`` (ours == base), ``SAME`` (ours == theirs != base) or ``CONFLICT`` (all differ).
    Joining every region's ``base`` (``ours``, ``theirs``) gives the whole base (ours, theirs).
    """

    kind: RegionKind
    base_start: int
    base: Lines
    ours: Lines
    theirs: Lines

    @property
    def result(self) -> Lines:
        return self.theirs if self.kind is RegionKind.THEIRS else self.ours


@dataclass(frozen=True)
class MarkerLabels:
    ours: str = "ours"
    theirs: str = "theirs"
    base: str = "base"


@dataclass(frozen=True)
class TextMerge:
    regions: tuple[Region, ...]

    @property
    def clean(self) -> bool:
        return not self.conflicts

    @property
    def conflicts(self) -> tuple[Region, ...]:
        return tuple(r for r in self.regions if r.kind is RegionKind.CONFLICT)

    def merged(self) -> bytes:
        """The merged text; conflicted regions keep our lines."""
        return b"".join(line for r in self.regions for line in r.result)

    def mirrored(self) -> TextMerge:
        swap = {RegionKind.OURS: RegionKind.THEIRS, RegionKind.THEIRS: RegionKind.OURS}
        return TextMerge(
            tuple(
                Region(swap.get(r.kind, r.kind), r.base_start, r.base, r.theirs, r.ours)
                for r in self.regions
            )
        )


class _BlockMatcher:
    """:class:`Matcher` as merge3 types its matcher (blocks as plain tuples)."""

    def __init__(
        self,
        isjunk: Callable[[bytes], bool] | None = None,
        a: Sequence[bytes] = (),
        b: Sequence[bytes] = (),
        autojunk: bool = False,
    ) -> None:
        self._matcher = Matcher(isjunk, a, b, autojunk=autojunk)

    def get_matching_blocks(self) -> list[tuple[int, int, int]]:
        return list(self._matcher.get_matching_blocks())


def merge_text(base: bytes, ours: bytes, theirs: bytes, *, refine: bool = False) -> TextMerge:
    """Merge two texts that both descend from ``base``.

    ``refine`` shrinks each conflict to the lines where ours and theirs really differ (as git does
    for files added on both sides, whose base is empty).
    """
    base_lines, ours_lines, theirs_lines = split_lines(base), split_lines(ours), split_lines(theirs)
    m = merge3.Merge3(base_lines, ours_lines, theirs_lines, sequence_matcher=_BlockMatcher)
    regions: list[Region] = []
    iz = ia = ib = 0
    # Between two sync regions (where all three agree) one run is changed on one or both sides:
    # merge3's merge_regions() decides it the same way, but reports no base lines for it.
    for zmatch, zend, amatch, aend, bmatch, bend in m.find_sync_regions():
        base_part = base_lines[iz:zmatch]
        ours_part, theirs_part = ours_lines[ia:amatch], theirs_lines[ib:bmatch]
        if base_part or ours_part or theirs_part:
            regions.extend(_changed(iz, base_part, ours_part, theirs_part, refine=refine))
        if zend > zmatch:
            same = base_lines[zmatch:zend]
            regions.append(Region(RegionKind.UNCHANGED, zmatch, same, same, same))
        iz, ia, ib = zend, aend, bend
    return TextMerge(tuple(_coalesce(regions)))


def _changed(start: int, base: Lines, ours: Lines, theirs: Lines, *, refine: bool) -> list[Region]:
    if ours == theirs:
        kind = RegionKind.UNCHANGED if ours == base else RegionKind.SAME
    elif ours == base:
        kind = RegionKind.THEIRS
    elif theirs == base:
        kind = RegionKind.OURS
    elif refine and not base:
        return _refine(start, ours, theirs)
    else:
        kind = RegionKind.CONFLICT
    return [Region(kind, start, base, ours, theirs)]


def _refine(start: int, ours: Lines, theirs: Lines) -> list[Region]:
    """Split a conflict with an empty base where ours and theirs share lines.

    The lines are matched in a fixed order of the two sides (the smaller first), so swapping
    ours and theirs mirrors the result instead of aligning the sides differently.
    """
    swap = theirs < ours
    first, second = (theirs, ours) if swap else (ours, theirs)
    out: list[Region] = []
    i = j = 0
    for fi, si, size in Matcher(None, first, second).get_matching_blocks():
        bi, bj = (si, fi) if swap else (fi, si)
        if i < bi or j < bj:
            out.append(Region(RegionKind.CONFLICT, start, (), ours[i:bi], theirs[j:bj]))
        if size:
            same = ours[bi : bi + size]
            out.append(Region(RegionKind.SAME, start, (), same, same))
        i, j = bi + size, bj + size
    return out


def _coalesce(regions: Sequence[Region]) -> list[Region]:
    out: list[Region] = []
    for r in regions:
        prev = out[-1] if out else None
        if prev and prev.kind is r.kind and r.kind is not RegionKind.CONFLICT:
            out[-1] = Region(
                r.kind,
                prev.base_start,
                prev.base + r.base,
                prev.ours + r.ours,
                prev.theirs + r.theirs,
            )
        else:
            out.append(r)
    return out


def render_markers(
    merge: TextMerge, labels: MarkerLabels = MarkerLabels(), *, show_base: bool = False
) -> bytes:
    """The merged text with git-style conflict markers (``diff3`` style with ``show_base``)."""
    all_lines = [line for r in merge.regions for line in (*r.ours, *r.theirs, *r.base)]
    eol = line_ending(all_lines)
    out: list[bytes] = []

    def emit(lines: Lines) -> None:
        out.extend(lines)
        if lines and not lines[-1].endswith(b"\n"):
            out.append(eol)

    for region in merge.regions:
        if region.kind is not RegionKind.CONFLICT:
            out.extend(region.result)
            continue
        if out and not out[-1].endswith(b"\n"):
            out.append(eol)
        out.append(b"<<<<<<< " + labels.ours.encode() + eol)
        emit(region.ours)
        if show_base:
            out.append(b"||||||| " + labels.base.encode() + eol)
            emit(region.base)
        out.append(b"=======" + eol)
        emit(region.theirs)
        out.append(b">>>>>>> " + labels.theirs.encode() + eol)
    return b"".join(out)


def render_rejects(merge: TextMerge, path: str, context: int = 3) -> bytes:
    """The changes from base to theirs that could not be applied, as ``.rej`` hunks.

    Each conflict becomes one hunk from the base's lines to theirs, as ``patch`` writes a hunk it
    could not apply: old line numbers count in the base, new ones in theirs, and up to
    ``context`` lines that base and theirs share are kept around it.
    """
    out = [b"--- " + path.encode("utf-8", "surrogateescape") + b"\n"]
    out.append(b"+++ " + path.encode("utf-8", "surrogateescape") + b"\n")
    regions = merge.regions
    theirs_start = 0
    for i, region in enumerate(regions):
        if region.kind is RegionKind.CONFLICT:
            before = _context(regions[i - 1], context, at_end=True) if i > 0 else ()
            after = _context(regions[i + 1], context, at_end=False) if i + 1 < len(regions) else ()
            lines: list[tuple[LineTag, bytes]] = [(" ", line) for line in before]
            lines.extend(("-", line) for line in region.base)
            lines.extend(("+", line) for line in region.theirs)
            lines.extend((" ", line) for line in after)
            hunk = Hunk(
                region.base_start - len(before),
                len(before) + len(region.base) + len(after),
                theirs_start - len(before),
                len(before) + len(region.theirs) + len(after),
                tuple(lines),
            )
            out.append(render_hunk(hunk))
        theirs_start += len(region.theirs)
    return b"".join(out)


def _context(region: Region, count: int, *, at_end: bool) -> Lines:
    """Up to ``count`` lines of ``region`` that base and theirs share (at its end or start)."""
    if not count or region.base != region.theirs:
        return ()
    return region.base[-count:] if at_end else region.base[:count]
