"""The pure engine: trees, ignore rules, diff, three-way merge and plans. No I/O here.

The names below are loaded from their modules on first use (PEP 562 ``__getattr__``); code
inside templsync imports them from the defining modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from templsync._core.diff import Change, ChangeKind, TreeDiff, apply_diff, diff_trees
    from templsync._core.ignore import IgnoreRules
    from templsync._core.merge import merge3
    from templsync._core.outcome import Conflict, ConflictKind, MergeResult, Outcome, PathOutcome
    from templsync._core.plan import OpKind, Plan, PlanOp, apply_plan_to_tree, make_plan
    from templsync._core.region import Region, RegionKind
    from templsync._core.text import Hunk, is_binary, split_lines, unified_diff
    from templsync._core.textmerge import MarkerLabels, TextMerge, merge_text
    from templsync._core.tree import FileEntry, Mode, Tree, blob_digest, normalize_path
else:
    from templsync._lazy import lazy_exports

    _SOURCES = {
        "templsync._core.diff": ("Change", "ChangeKind", "TreeDiff", "apply_diff", "diff_trees"),
        "templsync._core.ignore": ("IgnoreRules",),
        "templsync._core.merge": ("merge3",),
        "templsync._core.outcome": (
            "Conflict",
            "ConflictKind",
            "MergeResult",
            "Outcome",
            "PathOutcome",
        ),
        "templsync._core.plan": ("OpKind", "Plan", "PlanOp", "apply_plan_to_tree", "make_plan"),
        "templsync._core.text": ("Hunk", "is_binary", "split_lines", "unified_diff"),
        "templsync._core.region": ("Region", "RegionKind"),
        "templsync._core.textmerge": ("MarkerLabels", "TextMerge", "merge_text"),
        "templsync._core.tree": ("FileEntry", "Mode", "Tree", "blob_digest", "normalize_path"),
    }
    __getattr__, __dir__ = lazy_exports("templsync._core", _SOURCES, globals())


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
