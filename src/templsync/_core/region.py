"""Runs of lines in the three versions of a text, and what a merge made of each run.

A merge of one text is a sequence of :class:`Region`; joining every region's ``base`` (``ours``,
``theirs``) lines gives back the whole base (ours, theirs), so no line of any version is ever out
of sight. The kind says which side changed the run; the merged text takes our lines where both
sides did (a conflict).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from templsync._core.text import Lines


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

    def mirrored(self) -> Region:
        swap = {RegionKind.OURS: RegionKind.THEIRS, RegionKind.THEIRS: RegionKind.OURS}
        kind = swap.get(self.kind, self.kind)
        return Region(kind, self.base_start, self.base, self.theirs, self.ours)


def classify(start: int, base: Lines, ours: Lines, theirs: Lines) -> Region:
    """The region of a run that one or both sides changed, its kind read from its lines."""
    if ours == theirs:
        kind = RegionKind.UNCHANGED if ours == base else RegionKind.SAME
    elif ours == base:
        kind = RegionKind.THEIRS
    elif theirs == base:
        kind = RegionKind.OURS
    else:
        kind = RegionKind.CONFLICT
    return Region(kind, start, base, ours, theirs)


def joined(kind: RegionKind, regions: Iterable[Region]) -> Region:
    """One region of ``kind`` holding consecutive ``regions`` (at least one)."""
    runs = list(regions)
    return Region(
        kind,
        runs[0].base_start,
        tuple(line for r in runs for line in r.base),
        tuple(line for r in runs for line in r.ours),
        tuple(line for r in runs for line in r.theirs),
    )


def coalesce(regions: Iterable[Region]) -> tuple[Region, ...]:
    """Neighbouring regions of one kind joined, except conflicts (each stays its own)."""
    out: list[Region] = []
    for r in regions:
        prev = out[-1] if out else None
        if prev and prev.kind is r.kind and r.kind is not RegionKind.CONFLICT:
            out[-1] = joined(r.kind, (prev, r))
        else:
            out.append(r)
    return tuple(out)
