"""templsync: keep a project template and the projects made from it in sync, both ways."""

from templsync._core import (
    Change,
    ChangeKind,
    Conflict,
    ConflictKind,
    FileEntry,
    IgnoreRules,
    MarkerLabels,
    MergeResult,
    Mode,
    Outcome,
    Plan,
    Tree,
    TreeDiff,
    diff_trees,
    make_plan,
    merge3,
)
from templsync.errors import ConflictsLeft, TemplsyncError, UserError

__version__ = "0.1.0"

__all__ = [
    "Change",
    "ChangeKind",
    "Conflict",
    "ConflictKind",
    "ConflictsLeft",
    "FileEntry",
    "IgnoreRules",
    "MarkerLabels",
    "MergeResult",
    "Mode",
    "Outcome",
    "Plan",
    "TemplsyncError",
    "Tree",
    "TreeDiff",
    "UserError",
    "__version__",
    "diff_trees",
    "make_plan",
    "merge3",
]
