"""Every file a schema command writes goes through the one writer, in one plan per run.

:func:`write` takes the new content of some project files (None: delete) and applies the
difference from what is on disk now as one atomic plan: the output file, the state folder and
the backups land together or not at all, and a file changed on disk since it was read refuses
the whole write.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from templsync._core.plan import Plan, make_plan
from templsync._core.tree import FileEntry, Tree
from templsync._io.apply import apply_plan
from templsync.schema.state import read_bytes


def plan_for(root: Path, changes: Mapping[str, bytes | None]) -> Plan:
    current: dict[str, FileEntry] = {}
    target: dict[str, FileEntry] = {}
    for path, data in changes.items():
        existing = read_bytes(root / path)
        if existing is not None:
            current[path] = FileEntry.from_bytes(existing)
        if data is not None:
            target[path] = FileEntry.from_bytes(data)
    return make_plan(Tree(current), Tree(target))


def write(root: Path, changes: Mapping[str, bytes | None]) -> Plan:
    """Write ``changes`` under ``root`` atomically; returns the plan applied."""
    plan = plan_for(root, changes)
    if plan:
        apply_plan(root, plan)
    return plan
