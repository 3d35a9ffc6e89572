"""Leave a folder as an interrupted apply leaves it, using the writer's own steps."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

from templsync._core.plan import Plan, make_plan
from templsync._core.tree import Tree
from templsync._io import read_tree
from templsync._io.check import check_plan
from templsync._io.journal import Journal, Record
from templsync._io.prepare import build_record, make_backups, prepare_temps
from testing.trees import build_tree


def stop_before_commit(root: Path, old: Mapping[str, str], target: Tree) -> tuple[Plan, Record]:
    """Build ``old`` under ``root`` and run apply's steps up to (not including) the commit point."""
    build_tree(root, old)
    plan = make_plan(read_tree(root), target)
    layout = check_plan(root, plan)
    journal = Journal(root)
    record = build_record(plan, layout, journal, secrets.token_hex(8))
    journal.create()
    journal.write_record(record)
    prepare_temps(root, plan, record)
    make_backups(root, record, layout)
    return plan, record
