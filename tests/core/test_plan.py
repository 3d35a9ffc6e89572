from __future__ import annotations

from templsync._core.plan import OpKind, Plan, PlanOp, apply_plan_to_tree, make_plan
from templsync._core.tree import FileEntry, Mode, Tree


def f(data: bytes, mode: Mode = Mode.REGULAR) -> FileEntry:
    return FileEntry.from_bytes(data, mode)


def test_nothing_to_do() -> None:
    tree = Tree({"a": f(b"1")})
    plan = make_plan(tree, tree)
    assert not plan
    assert len(plan) == 0
    assert plan.summary() == "nothing to do"
    assert plan.counts() == {"create": 0, "update": 0, "delete": 0, "chmod": 0}
    assert apply_plan_to_tree(tree, plan) == tree


def test_every_kind_of_operation_deletions_first() -> None:
    current = Tree(
        {
            "b-update": f(b"old"),
            "c-chmod": f(b"same"),
            "z-delete": f(b"bye"),
            "a-delete": f(b"bye too"),
            "keep": f(b"k"),
        }
    )
    target = Tree(
        {
            "b-update": f(b"new"),
            "c-chmod": f(b"same", Mode.EXECUTABLE),
            "d-create": f(b"hi"),
            "keep": f(b"k"),
        }
    )
    plan = make_plan(current, target)
    assert [(op.kind, op.path, op.label) for op in plan.ops] == [
        (OpKind.DELETE, "a-delete", "delete"),
        (OpKind.DELETE, "z-delete", "delete"),
        (OpKind.WRITE, "b-update", "update"),
        (OpKind.CHMOD, "c-chmod", "chmod"),
        (OpKind.WRITE, "d-create", "create"),
    ]
    assert plan.ops[2] == PlanOp(OpKind.WRITE, "b-update", f(b"old"), f(b"new"))
    assert plan.ops[4].old is None
    assert plan.ops[0].new is None
    assert plan.paths == ("a-delete", "z-delete", "b-update", "c-chmod", "d-create")
    assert plan.counts() == {"create": 1, "update": 1, "delete": 2, "chmod": 1}
    assert plan.summary() == "1 create, 1 update, 2 delete, 1 chmod"
    assert apply_plan_to_tree(current, plan) == target


def test_file_and_symlink_with_the_same_bytes_is_a_write_not_a_chmod() -> None:
    current = Tree({"l": f(b"target")})
    target = Tree({"l": FileEntry.symlink("target")})
    (op,) = make_plan(current, target).ops
    assert op.kind is OpKind.WRITE
    assert op.label == "update"
    assert apply_plan_to_tree(current, make_plan(current, target)) == target


def test_a_file_becomes_a_folder_and_back() -> None:
    as_file = Tree({"a": f(b"file")})
    as_folder = Tree({"a/b": f(b"inside"), "a/c": f(b"too")})
    down = make_plan(as_file, as_folder)
    assert [op.kind for op in down.ops] == [OpKind.DELETE, OpKind.WRITE, OpKind.WRITE]
    assert apply_plan_to_tree(as_file, down) == as_folder
    up = make_plan(as_folder, as_file)
    assert [(op.kind, op.path) for op in up.ops] == [
        (OpKind.DELETE, "a/b"),
        (OpKind.DELETE, "a/c"),
        (OpKind.WRITE, "a"),
    ]
    assert apply_plan_to_tree(as_folder, up) == as_file


def test_ops_remember_what_they_expect_on_disk() -> None:
    current = Tree({"a": f(b"1")})
    plan = make_plan(current, Tree({"a": f(b"2")}))
    assert plan.ops[0].old == current["a"]
    assert Plan(()).summary() == "nothing to do"


def test_a_plan_can_make_empty_folders() -> None:
    tree = Tree({"a": f(b"1")})
    plan = make_plan(tree, tree, ["src/empty", "docs", "docs"])
    assert plan.folders == ("docs", "src/empty")
    assert plan  # folders alone are something to do
    assert len(plan) == 0
    assert plan.summary() == "2 folder(s) made"
    assert not make_plan(tree, tree, [])
    assert make_plan(Tree(), tree, ["x"]).summary() == "1 create, 1 folder(s) made"
