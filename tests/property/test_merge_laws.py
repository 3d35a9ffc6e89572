"""Laws of the three-way merge of Trees (``merge3``).

``merge3(b, b, x)``, ``merge3(b, x, b)`` and ``merge3(b, x, x)`` are clean and give ``x``.

Mirroring. ``Conflict.mirrored()`` is the conflict seen with the sides swapped: the kind
(modify/delete <-> delete/modify), the ours/theirs entries, the ours/theirs paths and the text
merge (its regions' kinds and lines) swap; the base, the base path, ``mode_conflict`` and the
path stay. The one path named after a side is a file/directory conflict's: the file moves aside
to ``<path>~ours`` or ``<path>~theirs`` after the side whose file it is, and its mirror is the
same conflict at the other name (``moved_from`` keeps ``<path>``). The law:
``[c.mirrored() for c in merge3(b, o, t).conflicts] == list(merge3(b, t, o).conflicts)``, both
sorted by path; and a clean merge gives the same tree both ways (a conflicted one does not: a
conflicted file holds our version). To make it hold the engine judges everything from both
sides alike: renames that land on the other side's file are not followed on either side, the
file of a file/directory conflict is found by which side's tree holds it, a text conflict is
narrowed by diffing its sides in a fixed order, and a symlink counts as unsafe if it is unsafe with
the conflicted paths holding either side's version.

Known exceptions, which the generated trees cannot produce: a tree that already holds a path
named like the aside file (``a~ours`` taken, so the file goes to ``a~ours~2`` while the mirrored
run may find ``a~theirs`` free); and a symlink that is unsafe only in a result mixing both sides'
versions of two other conflicted symlinks (both sides renamed the same links differently).

The re-merge law of the text merge (merging a clean result again with either side changes
nothing) is not a law of tree merges: rename detection reads the result anew. A clean merge in
which our side kept ``x`` and added ``y`` with the same content while their side deleted ``x``
gives ``{y}``; merged again with their side, ``{y}`` looks like ``x`` renamed to ``y``, which
conflicts with their deletion of ``x``.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from templsync._core.merge import MergeResult, Outcome, merge3
from templsync._core.tree import Tree

from .strategies import LINKS, MIXED, Flavour, side_of, tree_versions, trees

EXAMPLES = settings(max_examples=300, deadline=None)
# Half the examples hold mostly symlinks, so that merged links loop or leave the root.
flavours = st.sampled_from([MIXED, LINKS])
versions = flavours.flatmap(tree_versions)


def assert_valid(result: MergeResult) -> None:
    """The merged Tree is one a Tree would accept: no file/folder clash, no bad symlink."""
    Tree(dict(result.tree.items()))


@EXAMPLES
@given(st.data())
def test_only_their_side_changed(data: st.DataObject) -> None:
    flavour: Flavour = data.draw(flavours)
    base = data.draw(trees(flavour))
    theirs = data.draw(side_of(base, flavour))
    result = merge3(base, base, theirs)
    assert result.clean
    assert result.tree == theirs


@EXAMPLES
@given(st.data())
def test_only_our_side_changed(data: st.DataObject) -> None:
    flavour: Flavour = data.draw(flavours)
    base = data.draw(trees(flavour))
    ours = data.draw(side_of(base, flavour))
    result = merge3(base, ours, base)
    assert result.clean
    assert result.tree == ours


@EXAMPLES
@given(st.data())
def test_the_same_changes_on_both_sides(data: st.DataObject) -> None:
    flavour: Flavour = data.draw(flavours)
    base = data.draw(trees(flavour))
    both = data.draw(side_of(base, flavour))
    result = merge3(base, both, both)
    assert result.clean
    assert result.tree == both


@EXAMPLES
@given(versions)
def test_swapping_the_sides_mirrors_the_conflicts(versions: tuple[Tree, Tree, Tree]) -> None:
    base, ours, theirs = versions
    forward = merge3(base, ours, theirs)
    backward = merge3(base, theirs, ours)
    assert [c.mirrored() for c in forward.conflicts] == list(backward.conflicts)
    assert forward.clean == backward.clean
    if forward.clean:
        assert forward.tree == backward.tree


@EXAMPLES
@given(versions)
def test_the_result_is_a_valid_tree(versions: tuple[Tree, Tree, Tree]) -> None:
    result = merge3(*versions)
    assert_valid(result)
    result.with_markers()
    result.with_markers(show_base=True)
    result.with_rejects()


@EXAMPLES
@given(versions)
def test_every_result_path_has_one_outcome(versions: tuple[Tree, Tree, Tree]) -> None:
    """One outcome per path; a path left out of the tree (an unsafe symlink) is a conflict."""
    result = merge3(*versions)
    placed = [o.path for o in result.outcomes if o.outcome is not Outcome.DELETED]
    assert len(placed) == len(set(placed))
    conflicted = {c.path for c in result.conflicts}
    assert set(result.tree) <= set(placed)
    assert set(placed) - set(result.tree) <= conflicted
    by_path = {o.path: o.outcome for o in result.outcomes}
    assert all(by_path[path] is Outcome.CONFLICT for path in conflicted)
