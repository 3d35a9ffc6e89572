"""The pure engine: trees, ignore rules, diff, three-way merge and plans. No I/O here."""

from templsync._core.diff import Change, ChangeKind, TreeDiff, apply_diff, diff_trees
from templsync._core.ignore import IgnoreRules
from templsync._core.merge import Conflict, ConflictKind, MergeResult, Outcome, PathOutcome, merge3
from templsync._core.plan import OpKind, Plan, PlanOp, apply_plan_to_tree, make_plan
from templsync._core.text import Hunk, is_binary, split_lines, unified_diff
from templsync._core.textmerge import MarkerLabels, Region, RegionKind, TextMerge, merge_text
from templsync._core.tree import FileEntry, Mode, Tree, blob_digest, normalize_path

__all__ = [
    "Change",
    "ChangeKind",
    "Conflict",
    "ConflictKind",
    "FileEntry",
    "Hunk",
    "IgnoreRules",
    "MarkerLabels",
    "MergeResult",
    "Mode",
    "OpKind",
    "Outcome",
    "PathOutcome",
    "Plan",
    "PlanOp",
    "Region",
    "RegionKind",
    "TextMerge",
    "Tree",
    "TreeDiff",
    "apply_diff",
    "apply_plan_to_tree",
    "blob_digest",
    "diff_trees",
    "is_binary",
    "make_plan",
    "merge3",
    "merge_text",
    "normalize_path",
    "split_lines",
    "unified_diff",
]
