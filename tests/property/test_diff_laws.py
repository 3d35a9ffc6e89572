"""Laws of tree diffs and plans.

- Applying ``diff_trees(a, b)`` to ``a`` gives ``b``, byte for byte, whatever the rename settings:
  text changes go through their line hunks, which are checked against ``a``.
- A diff without rename detection is undone by the reverse diff: ``diff(b, a)`` lists the same
  paths with added and deleted swapped.
- Line hunks: applying ``line_hunks(old, new)`` to ``old`` gives ``new`` for any context size.
- ``apply_plan_to_tree(current, make_plan(current, target)) == target``, and a plan deletes
  before it writes.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from templsync._core.diff import ChangeKind, apply_diff, diff_trees
from templsync._core.plan import OpKind, apply_plan_to_tree, make_plan
from templsync._core.text import apply_hunks, line_hunks, split_lines
from templsync._core.tree import Tree

from .strategies import edited, side_of, texts, trees

EXAMPLES = settings(max_examples=300, deadline=None)


@st.composite
def tree_pairs(draw: st.DrawFn) -> tuple[Tree, Tree]:
    """A tree and an edited version of it, or two unrelated trees."""
    a = draw(trees())
    b = draw(side_of(a)) if draw(st.integers(0, 4)) else draw(trees())
    return a, b


@EXAMPLES
@given(tree_pairs(), st.booleans(), st.sampled_from([0.3, 0.5, 0.9, 1.0]))
def test_applying_the_diff_gives_the_new_tree(
    pair: tuple[Tree, Tree], renames: bool, threshold: float
) -> None:
    a, b = pair
    diff = diff_trees(a, b, renames=renames, rename_threshold=threshold)
    patched = apply_diff(a, diff)
    assert patched == b
    assert patched.texts() == b.texts()
    assert bool(diff) == (a != b)


@EXAMPLES
@given(tree_pairs())
def test_every_path_is_accounted_for(pair: tuple[Tree, Tree]) -> None:
    a, b = pair
    diff = diff_trees(a, b)
    old_paths = {c.old_path for c in diff.changes if c.old_path is not None}
    new_paths = {c.new_path for c in diff.changes if c.new_path is not None}
    unchanged = {p for p in a if p in b and a[p] == b[p]}
    assert old_paths | unchanged == set(a)
    assert new_paths | unchanged == set(b)
    assert not old_paths & unchanged
    assert [c.path for c in diff.changes] == sorted(c.path for c in diff.changes)
    for change in diff.of_kind(ChangeKind.RENAMED):
        assert change.old_path not in b
        assert change.new_path not in a
        assert 0.5 <= change.similarity <= 1.0


@EXAMPLES
@given(tree_pairs())
def test_the_reverse_diff_swaps_added_and_deleted(pair: tuple[Tree, Tree]) -> None:
    a, b = pair
    forward = diff_trees(a, b, renames=False)
    backward = diff_trees(b, a, renames=False)
    swap = {ChangeKind.ADDED: ChangeKind.DELETED, ChangeKind.DELETED: ChangeKind.ADDED}
    assert sorted(
        (c.path, swap.get(c.kind, c.kind), c.new, c.old) for c in forward.changes
    ) == sorted((c.path, c.kind, c.old, c.new) for c in backward.changes)


@EXAMPLES
@given(st.data(), st.integers(0, 4))
def test_line_hunks_apply(data: st.DataObject, context: int) -> None:
    old = data.draw(texts())
    new = data.draw(edited(old)) if data.draw(st.booleans()) else data.draw(texts())
    old_lines, new_lines = split_lines(old), split_lines(new)
    hunks = line_hunks(old_lines, new_lines, context)
    assert apply_hunks(old_lines, hunks) == new_lines
    assert (hunks == ()) == (old == new)
    for hunk in hunks:
        assert len(hunk.old_lines) == hunk.old_count
        assert len(hunk.new_lines) == hunk.new_count
        assert tuple(old_lines[hunk.old_start : hunk.old_start + hunk.old_count]) == (
            hunk.old_lines
        )
        assert tuple(new_lines[hunk.new_start : hunk.new_start + hunk.new_count]) == (
            hunk.new_lines
        )


@EXAMPLES
@given(tree_pairs())
def test_applying_the_plan_gives_the_target(pair: tuple[Tree, Tree]) -> None:
    current, target = pair
    plan = make_plan(current, target)
    assert apply_plan_to_tree(current, plan) == target
    kinds = [op.kind for op in plan.ops]
    deletes = kinds.count(OpKind.DELETE)
    assert kinds[:deletes] == [OpKind.DELETE] * deletes
    assert OpKind.DELETE not in kinds[deletes:]
    for op in plan.ops:
        assert op.old == current.get(op.path)
        assert op.new == target.get(op.path)
