"""templsync: keep a project template and the projects made from it in sync, both ways.

The public names below are loaded on first use (PEP 562 ``__getattr__``), so ``import templsync``
costs nothing and the command line loads only the modules a command uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from templsync._core.diff import Change, ChangeKind, TreeDiff, diff_trees
    from templsync._core.ignore import IgnoreRules
    from templsync._core.merge import merge3
    from templsync._core.outcome import Conflict, ConflictKind, MergeResult, Outcome
    from templsync._core.plan import Plan, make_plan
    from templsync._core.textmerge import MarkerLabels
    from templsync._core.tree import FileEntry, Mode, Tree
    from templsync.errors import ConflictsLeft, TemplsyncError, UserError
else:
    from templsync._lazy import lazy_exports

    _SOURCES = {
        "templsync._core.diff": ("Change", "ChangeKind", "TreeDiff", "diff_trees"),
        "templsync._core.ignore": ("IgnoreRules",),
        "templsync._core.merge": ("merge3",),
        "templsync._core.outcome": ("Conflict", "ConflictKind", "MergeResult", "Outcome"),
        "templsync._core.plan": ("Plan", "make_plan"),
        "templsync._core.textmerge": ("MarkerLabels",),
        "templsync._core.tree": ("FileEntry", "Mode", "Tree"),
        "templsync.errors": ("ConflictsLeft", "TemplsyncError", "UserError"),
    }
    __getattr__, __dir__ = lazy_exports("templsync", _SOURCES, globals())


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
