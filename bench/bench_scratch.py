"""What running an update's tasks on a scratch copy costs, before the tasks themselves.

An update whose template has ``_tasks`` copies the instance (ignored files included) to a
scratch folder, gives it a git repository sharing the instance's history, and after the tasks
reads back what changed (``instance/updatetasks.py``). This times those steps on generated
projects (a git repository with one commit): source files of ~4 KB, and optionally an ignored
``node_modules`` of small files, on this machine's file system. The copy clones files where the
file system makes reflinks (btrfs, XFS) and copies them otherwise (ext4); the table says which.

Run: .venv/bin/python bench/bench_scratch.py [--runs N]
Prints a Markdown table (figures in docs/update.md, "Tasks during an update").
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from templsync._core.tree import Tree
from templsync._io.gitrepo import open_repo
from templsync._io.scratch import open_scratch
from templsync._io.scratchgit import ignore_rules, share_history

LINE = "x = 'a line of source code, about forty bytes'\n"


@dataclass(frozen=True)
class Project:
    label: str
    files: int
    ignored: int


PROJECTS = (
    Project("2,000 files", 2_000, 0),
    Project("2,000 files + node_modules of 20,000", 2_000, 20_000),
    Project("20,000 files", 20_000, 0),
)


def make(root: Path, project: Project) -> Tree:
    """The project's files in a committed git repository; returns them as the update reads them."""
    body = LINE * 100
    for i in range(project.files):
        path = root / f"src/pkg{i // 100}/mod{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    for i in range(project.ignored):
        path = root / f"node_modules/dep{i // 50}/file{i}.js"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("module.exports = 1;\n")
    (root / ".gitignore").write_text("node_modules/\n")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@b",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@b",
    }
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "one"]):
        subprocess.run(["git", *args], cwd=root, check=True, env=env)
    return open_repo(root).working_tree()


def time_once(root: Path, cache: Path, ours: Tree) -> tuple[float, ...]:
    """The scratch's steps, then ``cp -a`` of the same folder for comparison."""
    repo = open_repo(root)
    start = time.perf_counter()
    with open_scratch(root, cache) as scratch:
        copied = time.perf_counter()
        share_history(scratch.root, repo, "")
        scratch.ready()
        shared = time.perf_counter()
        changes = scratch.changes(ours, ignore_rules(scratch.root, repo, ""))
        assert not changes, changes
        read = time.perf_counter()
    done = time.perf_counter()
    other = cache / "cp"
    subprocess.run(["cp", "-a", str(root), str(other)], check=True)
    cp = time.perf_counter() - done
    shutil.rmtree(other)
    return copied - start, shared - copied, read - shared, done - read, done - start, cp


def reflinks(folder: Path) -> bool:
    a, b = folder / "reflink-a", folder / "reflink-b"
    a.write_bytes(b"x" * 4096)
    with a.open("rb") as src, b.open("wb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), 0x40049409, src.fileno())
        except OSError:
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="templsync-bench-scratch-") as tmp:
        base = Path(tmp)
        clone = reflinks(base)
        for number, project in enumerate(PROJECTS):
            root = base / f"project{number}"
            ours = make(root, project)
            times = [time_once(root, base / "cache", ours) for _ in range(args.runs)]
            medians = [statistics.median(t[i] for t in times) for i in range(6)]
            rows.append(f"| {project.label} | {' | '.join(f'{m:.2f}' for m in medians)} |")
            print(rows[-1], file=sys.stderr)
    print(
        f"Scratch copy of a generated project, median of {args.runs} runs, this machine "
        f"({'reflinks' if clone else 'no reflinks: files copied'}):\n\n"
        "| project | copy (s) | git repository (s) | read back (s) | remove (s) | total (s) "
        "| `cp -a` (s) |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n" + "\n".join(rows)
    )


if __name__ == "__main__":
    main()
