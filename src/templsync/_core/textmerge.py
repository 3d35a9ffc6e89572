"""Line-wise three-way merge of one text file (diff3), with conflicts kept as data.

The regions come from the ``merge3`` library (see ``docs/merge-library.md`` for why), run on byte
lines so line endings, a missing final newline and non-UTF-8 text all survive. A text that
conflicts there is merged again as ``git merge-file`` merges it (:mod:`templsync._core.gitmerge`),
so that its conflicts, and the markers that show them, are git's (and so Copier's); a clean merge
is merge3's. Every :class:`Region` holds its base, ours and theirs lines, so the regions split
each of the three texts into consecutive runs and no change is ever out of sight; markers or
``.rej`` hunks are only made when a caller renders them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import merge3

from templsync._core.gitmerge import merge_like_git
from templsync._core.region import Region, RegionKind, classify, coalesce
from templsync._core.text import Hunk, Lines, LineTag, Matcher, render_hunk, split_lines


@dataclass(frozen=True)
class MarkerLabels:
    ours: str = "ours"
    theirs: str = "theirs"
    base: str = "base"


@dataclass(frozen=True)
class TextMerge:
    """A merge of one text, seen two ways; the regions of each join to the three whole texts.

    ``regions`` are the diff3 regions: each conflict holds the base lines both sides changed
    (``--diff3`` markers and ``.rej`` hunks show these). ``refined`` are the regions the plain
    markers show, as ``git merge-file`` shows them: each conflict narrowed to the lines where the
    two sides differ, and conflicts close together joined (see :mod:`templsync._core.gitmerge`).
    Both have conflicts or neither has, and both give the same merged text.
    """

    regions: tuple[Region, ...]
    refined: tuple[Region, ...]

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
        return TextMerge(
            tuple(r.mirrored() for r in self.regions), tuple(r.mirrored() for r in self.refined)
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


def merge_text(base: bytes, ours: bytes, theirs: bytes) -> TextMerge:
    """Merge two texts that both descend from ``base``.

    The lines are aligned by difflib first (merge3's diff3); when that merges cleanly, that is
    the merge. When it conflicts, the text is merged again as ``git merge-file`` merges it
    (:mod:`templsync._core.gitmerge`), so its conflicts are git's, line for line.
    """
    base_lines, ours_lines, theirs_lines = split_lines(base), split_lines(ours), split_lines(theirs)
    regions = _diff3(base_lines, ours_lines, theirs_lines)
    if all(r.kind is not RegionKind.CONFLICT for r in regions):
        return TextMerge(regions, regions)
    return TextMerge(*merge_like_git(base_lines, ours_lines, theirs_lines))


def _diff3(base: Lines, ours: Lines, theirs: Lines) -> tuple[Region, ...]:
    m = merge3.Merge3(base, ours, theirs, sequence_matcher=_BlockMatcher)
    regions: list[Region] = []
    iz = ia = ib = 0
    # Between two sync regions (where all three agree) one run is changed on one or both sides:
    # merge3's merge_regions() decides it the same way, but reports no base lines for it.
    for zmatch, zend, amatch, aend, bmatch, bend in m.find_sync_regions():
        base_part = base[iz:zmatch]
        ours_part, theirs_part = ours[ia:amatch], theirs[ib:bmatch]
        if base_part or ours_part or theirs_part:
            regions.append(classify(iz, base_part, ours_part, theirs_part))
        if zend > zmatch:
            same = base[zmatch:zend]
            regions.append(Region(RegionKind.UNCHANGED, zmatch, same, same, same))
        iz, ia, ib = zend, aend, bend
    return coalesce(regions)


def render_markers(
    merge: TextMerge, labels: MarkerLabels = MarkerLabels(), *, show_base: bool = False
) -> bytes:
    """The merged text with git-style conflict markers (``diff3`` style with ``show_base``).

    Plain markers show the refined conflicts, ``diff3`` style the diff3 regions with their base
    lines, as ``git merge-file`` and ``git merge-file --diff3`` do. A marker line ends in CRLF
    when, as git decides it, the lines before the conflict on both sides and the base's first
    line do.
    """
    regions = merge.regions if show_base else merge.refined
    base = tuple(line for r in regions for line in r.base)
    ours = tuple(line for r in regions for line in r.ours)
    theirs = tuple(line for r in regions for line in r.theirs)
    out: list[bytes] = []
    at_ours = at_theirs = 0

    def emit(lines: Lines, eol: bytes) -> None:
        out.extend(lines)
        if lines and not lines[-1].endswith(b"\n"):
            out.append(eol)

    for region in regions:
        if region.kind is not RegionKind.CONFLICT:
            out.extend(region.result)
        else:
            eol = b"\r\n" if _needs_cr(base, ours, at_ours, theirs, at_theirs) else b"\n"
            if out and not out[-1].endswith(b"\n"):
                out.append(eol)
            out.append(b"<<<<<<< " + labels.ours.encode() + eol)
            emit(region.ours, eol)
            if show_base:
                out.append(b"||||||| " + labels.base.encode() + eol)
                emit(region.base, eol)
            out.append(b"=======" + eol)
            emit(region.theirs, eol)
            out.append(b">>>>>>> " + labels.theirs.encode() + eol)
        at_ours += len(region.ours)
        at_theirs += len(region.theirs)
    return b"".join(out)


def _needs_cr(base: Lines, ours: Lines, at_ours: int, theirs: Lines, at_theirs: int) -> bool:
    """git's ``is_cr_needed``: the base's first line ends in CRLF, and so does the line before
    the conflict (or the first line) on each side that can tell (one with no line, or only one
    line and no line ending, cannot)."""
    crlf = _crlf(ours, at_ours - 1 if at_ours else 0)
    if crlf is not False:
        crlf = _crlf(theirs, at_theirs - 1 if at_theirs else 0)
    if crlf is not False:
        crlf = _crlf(base, 0)
    return crlf is True


def _crlf(lines: Lines, i: int) -> bool | None:
    """git's ``is_eol_crlf``: whether line ``i`` ends in CRLF; for a last line with no line ending,
    the line before; None when there is no line to tell."""
    if i < len(lines) - 1:
        return lines[i].endswith(b"\r\n")
    if not lines:
        return None
    if lines[i].endswith(b"\n"):
        return lines[i].endswith(b"\r\n")
    if i == 0:
        return None
    return lines[i - 1].endswith(b"\r\n")


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
