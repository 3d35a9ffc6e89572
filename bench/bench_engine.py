"""Engine benchmark: read, diff and merge3 on two 10,000-file trees, beside `git merge-tree`.

Builds a base tree of 10,000 text files, then "ours" and "theirs" with 100 files changed on
each side (20 of them changed on both, in different places so they merge cleanly). The trees are
written to folders (read by templsync) and committed to one git repository (merged by
`git merge-tree --write-tree`). Every figure is the median of several runs in this one process.

Run: .venv/bin/python bench/bench_engine.py [--files N] [--runs N]
Writes its table into docs/benchmarks.md between the engine markers.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchdoc import write_block
from benchgit import git

from templsync._core.diff import diff_trees
from templsync._core.merge import merge3
from templsync._core.tree import Tree
from templsync._io import StatCache, read_tree

SECTION = "## Engine: read, diff, merge3"
MERGE_TARGET = 2.0  # templsync's in-memory merge within 2x of git's
REREAD_TARGET = 5.0  # warm re-read at least 5x faster than the first read


def base_files(count: int, rng: random.Random) -> dict[str, str]:
    files = {}
    for i in range(count):
        folder = f"pkg{i % 100:02d}/sub{i % 7}"
        lines = [f"line {j} of file {i}: {rng.getrandbits(64):016x}\n" for j in range(40)]
        files[f"{folder}/module_{i:05d}.py"] = "".join(lines)
    return files


def edit(text: str, where: int, tag: str) -> str:
    lines = text.splitlines(keepends=True)
    lines[where] = f"changed by {tag}\n"
    return "".join(lines)


def variants(base: dict[str, str], rng: random.Random) -> tuple[dict[str, str], dict[str, str]]:
    paths = sorted(base)
    chosen = rng.sample(paths, 180)
    both, ours_only, theirs_only = chosen[:20], chosen[20:100], chosen[100:180]
    ours, theirs = dict(base), dict(base)
    for p in both + ours_only:
        ours[p] = edit(base[p], 5, "ours")
    for p in both + theirs_only:
        theirs[p] = edit(base[p], 30, "theirs")
    return ours, theirs


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def commit_tree(repo: Path, files: dict[str, str], branch: str, parent: str | None) -> None:
    work = repo / "work"
    if parent:
        git(repo, "checkout", "-q", "-B", branch, parent)
    else:
        git(repo, "checkout", "-q", "-b", branch)
    for child in work.iterdir() if work.exists() else ():
        shutil.rmtree(child)
    write(work, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", branch)


def evict(root: Path) -> None:
    """Drop the folder's files from the page cache, as for a first read after a reboot."""
    os.sync()
    for path in root.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def prepare(tmp: Path, sides: dict[str, dict[str, str]]) -> tuple[dict[str, Path], Path]:
    """Write each side to a folder and commit each to a branch of one repository."""
    folders = {name: tmp / name for name in sides}
    for name, files in sides.items():
        write(folders[name], files)
    repo = tmp / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "--initial-branch=base")
    (repo / "work").mkdir()
    git(repo, "config", "core.worktree", str(repo / "work"))
    commit_tree(repo, sides["base"], "base", None)
    commit_tree(repo, sides["ours"], "ours", "base")
    commit_tree(repo, sides["theirs"], "theirs", "base")
    git(repo, "gc", "-q")
    return folders, repo


def measure_reads(folder: Path, runs: int) -> tuple[float, float, float]:
    """First read from disk, first read from the page cache, and a no-change re-read (ms)."""

    def first_read() -> Tree:
        return read_tree(folder, cache=StatCache())

    warm = StatCache()
    time.sleep(2.1)  # let every file's mtime age past the stat cache's racy window
    read_tree(folder, cache=warm)
    first_ms = median_ms(first_read, runs)
    cold_times: list[float] = []
    for _ in range(runs):
        evict(folder)
        start = time.perf_counter()
        first_read()
        cold_times.append((time.perf_counter() - start) * 1000)
    reread_ms = median_ms(lambda: read_tree(folder, cache=warm), runs)
    return statistics.median(cold_times), first_ms, reread_ms


def measure_merges(folders: dict[str, Path], repo: Path, runs: int) -> dict[str, float]:
    trees = {n: read_tree(f, cache=StatCache()) for n, f in folders.items()}
    result = merge3(trees["base"], trees["ours"], trees["theirs"])
    assert result.clean, "the benchmark's edits are meant to merge cleanly"
    assert len([o for o in result.decided if o.outcome.value == "merged"]) == 20

    def fresh_merge() -> object:
        # New Tree objects each time, so each tree's key map is built inside the timing.
        fresh = {n: Tree._trusted(dict(t.items())) for n, t in trees.items()}
        return merge3(fresh["base"], fresh["ours"], fresh["theirs"])

    caches = {n: StatCache() for n in folders}
    for n, f in folders.items():
        read_tree(f, cache=caches[n])

    def end_to_end() -> object:
        read = {n: read_tree(f, cache=caches[n]) for n, f in folders.items()}
        return merge3(read["base"], read["ours"], read["theirs"])

    return {
        "diff": median_ms(lambda: diff_trees(trees["base"], trees["ours"]), runs),
        "merge": median_ms(lambda: merge3(trees["base"], trees["ours"], trees["theirs"]), runs),
        "fresh": median_ms(fresh_merge, runs),
        "e2e": median_ms(end_to_end, runs),
        "git": median_ms(lambda: git(repo, "merge-tree", "--write-tree", "ours", "theirs"), runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="Do not update docs/benchmarks.md")
    args = parser.parse_args()
    rng = random.Random(20261122)
    base = base_files(args.files, rng)
    ours, theirs = variants(base, rng)
    with tempfile.TemporaryDirectory(prefix="templsync-bench-") as tmp:
        folders, repo = prepare(Path(tmp), {"base": base, "ours": ours, "theirs": theirs})
        cold_ms, first_ms, reread_ms = measure_reads(folders["ours"], args.runs)
        ms = measure_merges(folders, repo, args.runs)
    git_ms = ms["git"]
    rows = [
        ("first read, files not in the page cache (hash every file)", cold_ms, None),
        ("first read, files in the page cache (hash every file)", first_ms, None),
        ("no-change re-read (stat cache)", reread_ms, None),
        ("diff_trees(base, ours)", ms["diff"], None),
        ("merge3 in memory (trees already read and compared once)", ms["merge"], git_ms),
        ("merge3 in memory, first merge of these trees", ms["fresh"], git_ms),
        ("re-read 3 folders from disk + merge3", ms["e2e"], git_ms),
        ("git merge-tree --write-tree (peer)", git_ms, None),
    ]
    merge_ratio = ms["merge"] / git_ms
    reread_ratios = (cold_ms / reread_ms, first_ms / reread_ms)
    table = render(rows, args.files, merge_ratio, reread_ratios, args.runs)
    print(table)
    if not args.no_write:
        write_block("engine", table, SECTION)


def render(
    rows: list[tuple[str, float, float | None]],
    files: int,
    merge_ratio: float,
    reread_ratios: tuple[float, float],
    runs: int,
) -> str:
    lines = [
        f"Two {files:,}-file trees, 100 files changed on each side (20 on both); "
        f"median of {runs} runs, one process, this machine ({os.cpu_count()} cores).",
        "",
        "| step | templsync (ms) | vs git merge-tree |",
        "| --- | ---: | ---: |",
    ]
    for name, ms, peer in rows:
        ratio = f"{ms / peer:.2f}x" if peer else ""
        lines.append(f"| {name} | {ms:.1f} | {ratio} |")
    merge_ok = "met" if merge_ratio <= MERGE_TARGET else "MISSED"
    cold_ratio, warm_ratio = reread_ratios

    def verdict(ratio: float) -> str:
        return "met" if ratio >= REREAD_TARGET else "MISSED"

    lines += [
        "",
        f"- Target: in-memory merge within {MERGE_TARGET:.0f}x of git's: "
        f"**{merge_ratio:.2f}x**, {merge_ok}.",
        f"- Target: no-change re-read at least {REREAD_TARGET:.0f}x faster than the first read: "
        f"**{cold_ratio:.1f}x** against a first read from disk ({verdict(cold_ratio)}), "
        f"**{warm_ratio:.1f}x** against a first read of files already in memory "
        f"({verdict(warm_ratio)}).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
