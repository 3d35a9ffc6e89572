"""The round trip every back-port is checked by: the new template, rendered with the instance's
answers, must give the instance's change, hunk by hunk.

For each changed path the expected render is the instance's file as it was with every *mapped*
hunk applied (unmapped hunks are not in the template, so the render keeps the old lines there):
for a new or renamed file its new path with its content, for a deleted one no file. A path whose
render is the expected one has every mapped hunk *verified*; a path whose render is not (the
template prints it differently, or leaves it out: ``_exclude``, a name that renders empty) has its
change taken out of the template again, and its hunks are *not verified*, with the first line
that differs. Taking a change out can change the render of another file (an ``{% include %}``), so
the check runs again on what is left, until it holds (at most a few rounds). What the template
keeps is therefore exactly what its render verifies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from templsync._core.tree import FileEntry, Tree
from templsync.backport.reverse import HunkMapping, split_lines
from templsync.backport.treemap import Action, PortedFile, TreeMapping

__all__ = ["Check", "CheckedMapping", "check_round_trip"]

_ROUNDS = 4


@dataclass(frozen=True)
class Check:
    """One hunk (or a whole path, ``hunk`` None) of the instance's change: verified or not."""

    path: str
    hunk: HunkMapping | None
    verified: bool
    why: str | None = None


@dataclass(frozen=True)
class CheckedMapping:
    """The template with only verified changes, every check, and the paths taken out."""

    tree: Tree
    checks: tuple[Check, ...]
    dropped: frozenset[str]


def _expected(ported: PortedFile, before: Tree, after: Tree) -> dict[str, FileEntry | None]:
    """What the render must hold at each path the change touches (None: no file)."""
    old_path = ported.old_path or ported.path
    if ported.action is Action.DELETE:
        return {ported.path: None}
    new = after[ported.path]
    expected: dict[str, FileEntry | None] = {}
    if ported.action is Action.RENAME:
        expected[old_path] = None
    old = before.get(old_path)
    if old is None or not ported.templated or all(h.mapped for h in ported.hunks):
        expected[ported.path] = new
        return expected
    lines = split_lines(old.content().decode("utf-8"))
    for hunk in sorted(ported.hunks, key=lambda h: h.rendered_start, reverse=True):
        if hunk.mapped:
            lines[hunk.rendered_start : hunk.rendered_end] = hunk.added
    expected[ported.path] = FileEntry.from_bytes("".join(lines).encode("utf-8"), new.mode)
    return expected


def _difference(path: str, got: FileEntry | None, want: FileEntry | None) -> str:
    if want is None:
        return f"the new template still renders {path}"
    if got is None:
        return f"the new template renders no {path} (`_exclude`, or a name that renders empty)"
    if got.digest == want.digest:
        return f"the new template renders {path} with another mode"
    try:
        got_lines = split_lines(got.content().decode("utf-8"))
        want_lines = split_lines(want.content().decode("utf-8"))
    except UnicodeDecodeError:
        return f"the new template renders {path} with other bytes"
    for number, (a, b) in enumerate(zip(got_lines, want_lines, strict=False), 1):
        if a != b:
            return f"the new template renders line {number} of {path} as {a!r}, not {b!r}"
    return f"the new template renders {path} with {len(got_lines)} lines, not {len(want_lines)}"


def _checks(ported: PortedFile, why: str | None) -> list[Check]:
    if ported.reason is not None:
        return [Check(ported.path, None, False, ported.reason)]
    if not ported.hunks:
        return [Check(ported.path, None, why is None, why)]
    return [
        Check(ported.path, h, h.mapped and why is None, h.reason if not h.mapped else why)
        for h in ported.hunks
    ]


def _revert(tree: dict[str, FileEntry], template: Tree, ported: PortedFile) -> None:
    for path in {ported.template_path, ported.old_template_path} - {None}:
        assert path is not None
        entry = template.get(path)
        if entry is None:
            tree.pop(path, None)
        else:
            tree[path] = entry


def check_round_trip(
    mapping: TreeMapping,
    template: Tree,
    before: Tree,
    after: Tree,
    render: Callable[[Tree], Tree],
) -> CheckedMapping:
    """Check ``mapping`` (made from ``template``) by rendering its tree with ``render``; take
    out what does not verify (see the module)."""
    tree = dict(mapping.tree.items())
    dropped: dict[str, str] = {}
    for _ in range(_ROUNDS):
        rendered = render(Tree(tree))
        failing: dict[str, str] = {}
        for ported in mapping.files:
            if ported.reason is not None or ported.path in dropped:
                continue
            for path, want in _expected(ported, before, after).items():
                got = rendered.get(path)
                if got != want:
                    failing[ported.path] = _difference(path, got, want)
                    break
        if not failing:
            break
        for ported in mapping.files:
            if ported.path in failing:
                _revert(tree, template, ported)
        dropped.update(failing)
    else:
        for ported in mapping.files:  # never settled: nothing is kept
            if ported.reason is None and ported.path not in dropped:
                _revert(tree, template, ported)
                dropped[ported.path] = "the new template's render did not settle"
    checks = [c for p in mapping.files for c in _checks(p, dropped.get(p.path))]
    return CheckedMapping(Tree(tree), tuple(checks), frozenset(dropped))
