"""git's line diff (xdiff's Myers diff with its preprocessing and hunk sliding), in pure Python.

Where two texts can be aligned in more than one way (a line that repeats, a blank line that could
open or close an inserted block), the choice decides which lines a merge conflict shows. To make
conflicts exactly as ``git merge-file`` makes them, the engine aligns the two sides of a conflict
as git's own diff does, so this is a line-for-line port of git 2.39's ``xdiff/xdiffi.c`` and
``xdiff/xprepare.c`` for the default settings ``git merge-file`` uses (Myers, no whitespace
options, no indent heuristic):

- lines are compared byte for byte, line ending included (``}`` and ``}\\n`` differ);
- common lines at both ends are trimmed first; a line with no match on the other side is marked
  changed without search, and a line that occurs many times on the other side is too when it sits
  among such lines (``xdl_cleanup_records``);
- the rest is Myers' divide and conquer on the middle snake (``xdl_split``), with xdiff's cost
  limits, which only cut in beyond 256 differences;
- each group of changed lines is then slid as far down as it can go, or back up to line up with a
  change on the other side (``xdl_change_compact``).

The result is git's edit script: one :class:`Change` per hunk, in order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

_MAX_EQLIMIT = 1024
_SIMSCAN_WINDOW = 100
_KPDIS_RUN = 4
_MAX_COST_MIN = 256
_HEUR_MIN_COST = 256
_SNAKE_CNT = 20
_K_HEUR = 4
_LINE_MAX = (1 << 63) - 1


class Change(NamedTuple):
    """Lines ``a[a_start : a_start + a_count]`` become ``b[b_start : b_start + b_count]``."""

    a_start: int
    a_count: int
    b_start: int
    b_count: int


def diff_lines(a: Sequence[bytes], b: Sequence[bytes]) -> tuple[Change, ...]:
    """The hunks git's diff finds between two sequences of lines."""
    classes: dict[bytes, int] = {}
    ha1 = [classes.setdefault(line, len(classes)) for line in a]
    ha2 = [classes.setdefault(line, len(classes)) for line in b]
    # rchg[i + 1] says whether line i changed; the extra 0 at each end are xdiff's sentinels.
    rchg1 = bytearray(len(ha1) + 2)
    rchg2 = bytearray(len(ha2) + 2)
    _do_diff(ha1, ha2, rchg1, rchg2)
    _change_compact(ha1, rchg1, rchg2)
    _change_compact(ha2, rchg2, rchg1)
    return _build_script(len(ha1), len(ha2), rchg1, rchg2)


def _bogosqrt(n: int) -> int:
    i = 1
    while n > 0:
        i <<= 1
        n >>= 2
    return i


def _do_diff(ha1: list[int], ha2: list[int], rchg1: bytearray, rchg2: bytearray) -> None:
    """Mark the changed lines of both files (``xdl_prepare_env`` + ``xdl_do_diff``)."""
    n1, n2 = len(ha1), len(ha2)
    # xdl_trim_ends: the common head and tail are never looked at again.
    lim = min(n1, n2)
    start = 0
    while start < lim and ha1[start] == ha2[start]:
        start += 1
    lim -= start
    tail = 0
    while tail < lim and ha1[n1 - 1 - tail] == ha2[n2 - 1 - tail]:
        tail += 1
    rindex1, keep1 = _cleanup(ha1, Counter(ha2), start, n1 - tail - 1, rchg1)
    rindex2, keep2 = _cleanup(ha2, Counter(ha1), start, n2 - tail - 1, rchg2)
    search = _Search(_File(keep1, rindex1, rchg1), _File(keep2, rindex2, rchg2))
    search.compare(_Box(0, len(keep1), 0, len(keep2)), need_min=False)


def _cleanup(
    ha: list[int], other: Counter[int], dstart: int, dend: int, rchg: bytearray
) -> tuple[list[int], list[int]]:
    """``xdl_cleanup_records`` for one file: the lines left for the search, and their classes.

    A line with no match on the other side is changed; one matching at least ``mlim`` lines there
    is changed too when it sits among such lines (``xdl_clean_mmatch``).
    """
    mlim = min(_bogosqrt(len(ha)), _MAX_EQLIMIT)
    dis = bytearray(len(ha))
    for i in range(dstart, dend + 1):
        nm = other[ha[i]]
        dis[i] = 0 if nm == 0 else 2 if nm >= mlim else 1
    among = _among_unmatched(dis, dstart, dend)
    rindex: list[int] = []
    keep: list[int] = []
    for i in range(dstart, dend + 1):
        if dis[i] == 1 or (dis[i] == 2 and not among[i]):
            rindex.append(i)
            keep.append(ha[i])
        else:
            rchg[i + 1] = 1
    return rindex, keep


def _among_unmatched(dis: bytearray, s: int, e: int) -> list[bool]:
    """``xdl_clean_mmatch`` for every line of ``[s, e]`` at once: whether a line with many
    matches (``dis`` 2) sits among lines with none (``dis`` 0).

    Around the line, within 100 lines and up to the nearest line with few matches (``dis`` 1), the
    runs before and after it must both hold a line with no match, and lines with no match must
    be more than three in four of the runs and the line together.
    """
    zeros = [0] * (len(dis) + 1)  # zeros[k]: lines with no match in [s, k)
    before = [0] * len(dis)  # where the run before line i starts
    one = s - 1
    for i in range(s, e + 1):
        zeros[i + 1] = zeros[i] + (dis[i] == 0)
        before[i] = max(one + 1, i - _SIMSCAN_WINDOW)
        if dis[i] == 1:
            one = i
    among = [False] * len(dis)
    one = e + 1
    for i in range(e, s - 1, -1):
        if dis[i] == 1:
            one = i
            continue
        if dis[i] != 2:
            continue
        lo, hi = before[i], min(one - 1, i + _SIMSCAN_WINDOW)
        none_before, none_after = zeros[i] - zeros[lo], zeros[hi + 1] - zeros[i + 1]
        if none_before and none_after:
            many = 2 + (i - lo) + (hi - i) - none_before - none_after
            among[i] = many * _KPDIS_RUN < many + none_before + none_after
    return among


class _File(NamedTuple):
    """The lines of one file left for the search (their classes), where each one is in the file,
    and the file's changed-line marks."""

    ha: list[int]
    rindex: list[int]
    rchg: bytearray


class _Box(NamedTuple):
    """Lines ``[off1, lim1)`` of the first file against ``[off2, lim2)`` of the second."""

    off1: int
    lim1: int
    off2: int
    lim2: int


class _Split(NamedTuple):
    i1: int
    i2: int
    min_lo: bool
    min_hi: bool


class _Search:
    """Myers' search (``xdl_recs_cmp`` and ``xdl_split``) on the lines left after cleanup.

    ``kvdf`` and ``kvdb`` are the furthest points reached on each diagonal, forward and backward,
    indexed by diagonal + ``offset``; the ``f*`` and ``b*`` bounds are the diagonals a split has
    reached so far.
    """

    def __init__(self, one: _File, two: _File) -> None:
        self.one, self.two = one, two
        ndiags = len(one.ha) + len(two.ha) + 3
        self.mxcost = max(_bogosqrt(ndiags), _MAX_COST_MIN)
        self.offset = len(two.ha) + 1
        self.kvdf = [0] * ndiags
        self.kvdb = [0] * ndiags
        self.box = _Box(0, 0, 0, 0)
        self.fmin = self.fmax = self.bmin = self.bmax = self.fmid = self.bmid = 0
        self.got_snake = False

    def compare(self, box: _Box, *, need_min: bool) -> None:
        """Divide the box at a middle snake and conquer both halves."""
        ha1, ha2 = self.one.ha, self.two.ha
        off1, lim1, off2, lim2 = box
        while off1 < lim1 and off2 < lim2 and ha1[off1] == ha2[off2]:
            off1 += 1
            off2 += 1
        while off1 < lim1 and off2 < lim2 and ha1[lim1 - 1] == ha2[lim2 - 1]:
            lim1 -= 1
            lim2 -= 1
        if off1 == lim1:
            for i in range(off2, lim2):
                self.two.rchg[self.two.rindex[i] + 1] = 1
        elif off2 == lim2:
            for i in range(off1, lim1):
                self.one.rchg[self.one.rindex[i] + 1] = 1
        else:
            split = self.split(_Box(off1, lim1, off2, lim2), need_min=need_min)
            self.compare(_Box(off1, split.i1, off2, split.i2), need_min=split.min_lo)
            self.compare(_Box(split.i1, lim1, split.i2, lim2), need_min=split.min_hi)

    def split(self, box: _Box, *, need_min: bool) -> _Split:
        """The point where the forward and backward searches meet, or, when that costs too
        much, a good point reached so far."""
        off1, lim1, off2, lim2 = box
        self.box = box
        self.fmin = self.fmax = self.fmid = off1 - off2
        self.bmin = self.bmax = self.bmid = lim1 - lim2
        self.kvdf[self.fmid + self.offset] = off1
        self.kvdb[self.bmid + self.offset] = lim1
        ec = 0
        while True:
            ec += 1
            self.got_snake = False
            met = self.forward() or self.backward()
            if met:
                return met
            if need_min:
                continue
            if self.got_snake and ec > _HEUR_MIN_COST:
                found = self.forward_snake(ec) or self.backward_snake(ec)
                if found:
                    return found
            if ec >= self.mxcost:
                return self.furthest()

    def forward(self) -> _Split | None:
        """One more step of the forward search; where it meets the backward one, if it does."""
        ha1, ha2, kvdf, kvdb, o = self.one.ha, self.two.ha, self.kvdf, self.kvdb, self.offset
        off1, lim1, off2, lim2 = self.box
        dmin, dmax = off1 - lim2, lim1 - off2
        if self.fmin > dmin:
            self.fmin -= 1
            kvdf[self.fmin - 1 + o] = -1
        else:
            self.fmin += 1
        if self.fmax < dmax:
            self.fmax += 1
            kvdf[self.fmax + 1 + o] = -1
        else:
            self.fmax -= 1
        odd = (self.fmid - self.bmid) & 1
        for d in range(self.fmax, self.fmin - 1, -2):
            lo, hi = kvdf[d - 1 + o], kvdf[d + 1 + o]
            i1 = lo + 1 if lo >= hi else hi
            prev1 = i1
            i2 = i1 - d
            while i1 < lim1 and i2 < lim2 and ha1[i1] == ha2[i2]:
                i1 += 1
                i2 += 1
            if i1 - prev1 > _SNAKE_CNT:
                self.got_snake = True
            kvdf[d + o] = i1
            if odd and self.bmin <= d <= self.bmax and kvdb[d + o] <= i1:
                return _Split(i1, i2, True, True)
        return None

    def backward(self) -> _Split | None:
        """One more step of the backward search; where it meets the forward one, if it does."""
        ha1, ha2, kvdf, kvdb, o = self.one.ha, self.two.ha, self.kvdf, self.kvdb, self.offset
        off1, lim1, off2, lim2 = self.box
        dmin, dmax = off1 - lim2, lim1 - off2
        if self.bmin > dmin:
            self.bmin -= 1
            kvdb[self.bmin - 1 + o] = _LINE_MAX
        else:
            self.bmin += 1
        if self.bmax < dmax:
            self.bmax += 1
            kvdb[self.bmax + 1 + o] = _LINE_MAX
        else:
            self.bmax -= 1
        odd = (self.fmid - self.bmid) & 1
        for d in range(self.bmax, self.bmin - 1, -2):
            lo, hi = kvdb[d - 1 + o], kvdb[d + 1 + o]
            i1 = lo if lo < hi else hi - 1
            prev1 = i1
            i2 = i1 - d
            while i1 > off1 and i2 > off2 and ha1[i1 - 1] == ha2[i2 - 1]:
                i1 -= 1
                i2 -= 1
            if prev1 - i1 > _SNAKE_CNT:
                self.got_snake = True
            kvdb[d + o] = i1
            if not odd and self.fmin <= d <= self.fmax and i1 <= kvdf[d + o]:
                return _Split(i1, i2, True, True)
        return None

    def forward_snake(self, ec: int) -> _Split | None:
        """A diagonal of the forward search that has come far and ends in a long snake."""
        ha1, ha2, kvdf, o = self.one.ha, self.two.ha, self.kvdf, self.offset
        off1, lim1, off2, lim2 = self.box
        best = 0
        found = None
        for d in range(self.fmax, self.fmin - 1, -2):
            dd = abs(d - self.fmid)
            i1 = kvdf[d + o]
            i2 = i1 - d
            v = (i1 - off1) + (i2 - off2) - dd
            if (
                v > _K_HEUR * ec
                and v > best
                and off1 + _SNAKE_CNT <= i1 < lim1
                and off2 + _SNAKE_CNT <= i2 < lim2
                and all(ha1[i1 - k] == ha2[i2 - k] for k in range(1, _SNAKE_CNT + 1))
            ):
                best = v
                found = _Split(i1, i2, True, False)
        return found

    def backward_snake(self, ec: int) -> _Split | None:
        """A diagonal of the backward search that has come far and starts a long snake."""
        ha1, ha2, kvdb, o = self.one.ha, self.two.ha, self.kvdb, self.offset
        off1, lim1, off2, lim2 = self.box
        best = 0
        found = None
        for d in range(self.bmax, self.bmin - 1, -2):
            dd = abs(d - self.bmid)
            i1 = kvdb[d + o]
            i2 = i1 - d
            v = (lim1 - i1) + (lim2 - i2) - dd
            if (
                v > _K_HEUR * ec
                and v > best
                and off1 < i1 <= lim1 - _SNAKE_CNT
                and off2 < i2 <= lim2 - _SNAKE_CNT
                and all(ha1[i1 + k] == ha2[i2 + k] for k in range(_SNAKE_CNT))
            ):
                best = v
                found = _Split(i1, i2, False, True)
        return found

    def furthest(self) -> _Split:
        """The furthest-reaching point of either search, when the search has cost too much."""
        kvdf, kvdb, o = self.kvdf, self.kvdb, self.offset
        off1, lim1, off2, lim2 = self.box
        fbest = fbest1 = -1
        for d in range(self.fmax, self.fmin - 1, -2):
            i1 = min(kvdf[d + o], lim1)
            i2 = i1 - d
            if lim2 < i2:
                i1, i2 = lim2 + d, lim2
            if fbest < i1 + i2:
                fbest, fbest1 = i1 + i2, i1
        bbest = bbest1 = _LINE_MAX
        for d in range(self.bmax, self.bmin - 1, -2):
            i1 = max(off1, kvdb[d + o])
            i2 = i1 - d
            if i2 < off2:
                i1, i2 = off2 + d, off2
            if i1 + i2 < bbest:
                bbest, bbest1 = i1 + i2, i1
        if (lim1 + lim2) - bbest < fbest - (off1 + off2):
            return _Split(fbest1, fbest - fbest1, True, False)
        return _Split(bbest1, bbest - bbest1, False, True)


class _Group:
    """A run of changed lines ``[start, end)`` of one file (empty between unchanged lines)."""

    __slots__ = ("end", "start")

    def __init__(self, rchg: bytearray) -> None:
        self.start = self.end = 0
        while rchg[self.end + 1]:
            self.end += 1

    def next(self, rchg: bytearray, nrec: int) -> bool:
        if self.end == nrec:
            return False
        self.start = self.end + 1
        self.end = self.start
        while rchg[self.end + 1]:
            self.end += 1
        return True

    def previous(self, rchg: bytearray) -> bool:
        if self.start == 0:
            return False
        self.end = self.start - 1
        self.start = self.end
        while rchg[self.start]:
            self.start -= 1
        return True

    def slide_down(self, ha: list[int], rchg: bytearray) -> bool:
        if self.end < len(ha) and ha[self.start] == ha[self.end]:
            rchg[self.start + 1] = 0
            rchg[self.end + 1] = 1
            self.start += 1
            self.end += 1
            while rchg[self.end + 1]:
                self.end += 1
            return True
        return False

    def slide_up(self, ha: list[int], rchg: bytearray) -> bool:
        if self.start > 0 and ha[self.start - 1] == ha[self.end - 1]:
            self.start -= 1
            self.end -= 1
            rchg[self.start + 1] = 1
            rchg[self.end + 1] = 0
            while rchg[self.start]:
                self.start -= 1
            return True
        return False


def _change_compact(ha: list[int], rchg: bytearray, rchgo: bytearray) -> None:
    """``xdl_change_compact`` without the indent heuristic: slide each group of changed lines as
    far down as it goes, or back up to where it lines up with a change in the other file."""
    nrec, nreco = len(rchg) - 2, len(rchgo) - 2
    g, go = _Group(rchg), _Group(rchgo)
    while True:
        if g.end != g.start:
            while True:
                groupsize = g.end - g.start
                end_matching_other = -1
                while g.slide_up(ha, rchg):
                    go.previous(rchgo)
                earliest_end = g.end
                if go.end > go.start:
                    end_matching_other = g.end
                while g.slide_down(ha, rchg):
                    go.next(rchgo, nreco)
                    if go.end > go.start:
                        end_matching_other = g.end
                if groupsize == g.end - g.start:
                    break
            if g.end != earliest_end and end_matching_other != -1:
                while go.end == go.start:
                    g.slide_up(ha, rchg)
                    go.previous(rchgo)
        if not g.next(rchg, nrec):
            break
        go.next(rchgo, nreco)


def _build_script(n1: int, n2: int, rchg1: bytearray, rchg2: bytearray) -> tuple[Change, ...]:
    script: list[Change] = []
    i1, i2 = n1, n2
    while i1 >= 0 or i2 >= 0:
        if rchg1[i1] or rchg2[i2]:
            l1, l2 = i1, i2
            while rchg1[i1]:
                i1 -= 1
            while rchg2[i2]:
                i2 -= 1
            script.append(Change(i1, l1 - i1, i2, l2 - i2))
        i1 -= 1
        i2 -= 1
    script.reverse()
    return tuple(script)
