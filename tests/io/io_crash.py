"""The large plan of the crash test, and the child process that applies it until it is killed.

The child runs as ``python -c "import io_crash; io_crash.child(root)"``: it reads the folder, plans
the change to :func:`new_tree`, prints ``ready`` right before applying, and ``done`` after.
"""

from __future__ import annotations

import sys
from pathlib import Path

from templsync._core.plan import make_plan
from templsync._core.tree import FileEntry, Mode, Tree
from templsync._io import apply_plan, read_tree


def _text(*parts: object) -> bytes:
    return (" ".join(map(str, parts)) + "\n").encode() * (1 + len(parts))


def old_tree() -> Tree:
    entries: dict[str, FileEntry] = {}
    for i in range(60):
        entries[f"keep/k{i % 6}/f{i}.txt"] = FileEntry.from_bytes(_text("keep", i))
    for i in range(80):
        entries[f"update/u{i % 8}/f{i}.txt"] = FileEntry.from_bytes(_text("old", i))
    for i in range(60):
        entries[f"delete/d{i % 5}/sub{i % 2}/f{i}.txt"] = FileEntry.from_bytes(_text("del", i))
    for i in range(50):
        mode = Mode.REGULAR if i % 3 else Mode.EXECUTABLE
        entries[f"chmod/c{i}.sh"] = FileEntry.from_bytes(_text("chmod", i), mode)
    for i in range(60):
        entries[f"move/f{i}.txt"] = FileEntry.from_bytes(_text("move", i))
    for i in range(10):
        entries[f"file-to-folder/p{i}"] = FileEntry.from_bytes(_text("was a file", i))
        entries[f"folder-to-file/q{i}/a"] = FileEntry.from_bytes(_text("a", i))
        entries[f"folder-to-file/q{i}/b/c"] = FileEntry.from_bytes(_text("c", i))
    for i in range(10):
        entries[f"links/l{i}"] = FileEntry.symlink(f"../keep/k{i % 6}/f{i}.txt")
    return Tree(entries)


def new_tree() -> Tree:
    old = old_tree()
    entries = {p: e for p, e in old.items() if p.startswith(("keep/", "links/l"))}
    for i in range(80):
        entries[f"update/u{i % 8}/f{i}.txt"] = FileEntry.from_bytes(_text("new", i, "longer"))
    for i in range(50):
        mode = Mode.EXECUTABLE if i % 3 else Mode.REGULAR
        entries[f"chmod/c{i}.sh"] = old[f"chmod/c{i}.sh"].with_mode(mode)
    for i in range(60):  # renamed into new folders
        entries[f"moved/m{i % 6}/f{i}.txt"] = old[f"move/f{i}.txt"]
    for i in range(10):
        entries[f"file-to-folder/p{i}/child"] = FileEntry.from_bytes(_text("now inside", i))
        entries[f"folder-to-file/q{i}"] = FileEntry.from_bytes(_text("now a file", i))
    for i in range(5):  # retargeted links, and links that became files
        entries[f"links/l{i}"] = FileEntry.symlink(f"../update/u{i}/f{i}.txt")
        entries[f"links/l{i + 5}"] = FileEntry.from_bytes(_text("not a link", i))
    for i in range(60):
        entries[f"created/n{i % 4}/deep{i % 3}/f{i}.bin"] = FileEntry.from_bytes(bytes([i]) * 300)
    return Tree(entries)


def child(root: str) -> None:
    path = Path(root)
    plan = make_plan(read_tree(path), new_tree())
    print("ready", flush=True)
    apply_plan(path, plan)
    print("done", flush=True)


if __name__ == "__main__":
    child(sys.argv[1])
