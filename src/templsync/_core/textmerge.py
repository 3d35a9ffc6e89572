"""Line-wise three-way merge of one text file (diff3), with conflicts kept as data.

The regions come from the ``merge3`` library (see ``docs/merge-library.md`` for why), run on byte
lines so line endings, a missing final newline and non-UTF-8 text all survive. A conflict is a
:class:`Region` holding the base, ours and theirs lines; markers or ``.rej`` hunks are only made when
a caller renders them.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import merge3

from templsync._core.text import Lines, Matcher, line_ending, split_lines


class RegionKind(enum.StrEnum):
    UNCHANGED = "unchanged"
    OURS = "ours"  # changed on our side only
    THEIRS = "theirs"  # changed on their side only
    SAME = "same"  # changed identically on both sides
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Region:
    """A run of lines; for a conflict, all three versions, else just the resulting lines.

    ``base_start`` is the 0-based line in the base where the region begins.
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


def merge_text(base: bytes, ours: bytes, theirs: bytes, *, refine: bool = False) -> TextMerge:
    """Merge two texts that both descend from ``base``.

    ``refine`` shrinks each conflict to the lines where ours and theirs really differ (as git does
    for files added on both sides, whose base is empty).
    """
    base_lines, ours_lines, theirs_lines = split_lines(base), split_lines(ours), split_lines(theirs)
    m = merge3.Merge3(base_lines, ours_lines, theirs_lines, sequence_matcher=Matcher)
    regions: list[Region] = []
    for region in m.merge_regions():
        kind = region[0]
        if kind == "unchanged":
            lines = base_lines[region[1] : region[2]]
            regions.append(Region(RegionKind.UNCHANGED, region[1], lines, lines, lines))
        elif kind == "conflict":
            _, z1, z2, a1, a2, b1, b2 = region
            assert z1 is not None and z2 is not None
            base_part, ours_part = base_lines[z1:z2], ours_lines[a1:a2]
            theirs_part = theirs_lines[b1:b2]
            if refine:
                regions.extend(_refine(z1, base_part, ours_part, theirs_part))
            else:
                regions.append(Region(RegionKind.CONFLICT, z1, base_part, ours_part, theirs_part))
        else:
            regions.append(_one_sided(kind, region[1], region[2], ours_lines, theirs_lines))
    _fix_base_starts(regions)
    return TextMerge(tuple(_coalesce(regions)))


def _one_sided(kind: str, start: int, end: int, ours: Lines, theirs: Lines) -> Region:
    if kind == "b":
        return Region(RegionKind.THEIRS, 0, (), (), theirs[start:end])
    lines = ours[start:end]
    if kind == "same":
        return Region(RegionKind.SAME, 0, (), lines, lines)
    return Region(RegionKind.OURS, 0, (), lines, ())


def _refine(start: int, base: Lines, ours: Lines, theirs: Lines) -> list[Region]:
    """Split a conflict where ours and theirs share lines (only when ``base`` is empty)."""
    if base:
        return [Region(RegionKind.CONFLICT, start, base, ours, theirs)]
    out: list[Region] = []
    i = j = 0
    for bi, bj, size in Matcher(None, ours, theirs).get_matching_blocks():
        if i < bi or j < bj:
            out.append(Region(RegionKind.CONFLICT, start, (), ours[i:bi], theirs[j:bj]))
        if size:
            same = ours[bi : bi + size]
            out.append(Region(RegionKind.SAME, start, (), same, same))
        i, j = bi + size, bj + size
    return out


def _fix_base_starts(regions: list[Region]) -> None:
    """Give one-sided regions the base line where they begin (merge3 does not report it)."""
    pos = 0
    for i, r in enumerate(regions):
        if r.kind in (RegionKind.UNCHANGED, RegionKind.CONFLICT) and r.base:
            pos = r.base_start + len(r.base)
            continue
        if r.kind in (RegionKind.OURS, RegionKind.THEIRS, RegionKind.SAME):
            regions[i] = Region(r.kind, pos, r.base, r.ours, r.theirs)


def _coalesce(regions: Sequence[Region]) -> list[Region]:
    out: list[Region] = []
    for r in regions:
        if not (r.base or r.ours or r.theirs):
            continue
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

    Line numbers count in the base; each hunk carries up to ``context`` unchanged lines around it.
    """
    out = [b"--- " + path.encode("utf-8", "surrogateescape") + b"\n"]
    out.append(b"+++ " + path.encode("utf-8", "surrogateescape") + b"\n")
    regions = merge.regions
    for i, region in enumerate(regions):
        if region.kind is not RegionKind.CONFLICT:
            continue
        before = regions[i - 1].base[-context:] if i > 0 and context else ()
        after = regions[i + 1].base[:context] if i + 1 < len(regions) and context else ()
        start = region.base_start - len(before)
        old_count = len(before) + len(region.base) + len(after)
        new_count = len(before) + len(region.theirs) + len(after)
        out.append(b"@@ -%d,%d +%d,%d @@\n" % (start + 1, old_count, start + 1, new_count))
        for tag, lines in (
            (b" ", before),
            (b"-", region.base),
            (b"+", region.theirs),
            (b" ", after),
        ):
            for line in lines:
                out.append(tag + line)
                if not line.endswith(b"\n"):
                    out.append(b"\n\\ No newline at end of file\n")
    return b"".join(out)
