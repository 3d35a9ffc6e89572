"""Kill a process in the middle of applying a large plan: recovery gives the old or the new tree."""

from __future__ import annotations

import random
import shutil
import signal
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from io_crash import new_tree, old_tree
from io_helpers import HELPERS_DIR, PYTHON, folders

from templsync._io import JOURNAL_DIR, read_tree, recover
from templsync._io.journal import COMMITTED
from testing.trees import write_tree

RUNS = 52
SEED = 20240601
CHILD = (
    f"import sys; sys.path.insert(0, {HELPERS_DIR!r}); import io_crash; io_crash.child(sys.argv[1])"
)


def start_child(root: Path) -> tuple[subprocess.Popen[str], float]:
    """Start applying the plan in ``root``; return the process and when it said ``ready``."""
    proc = subprocess.Popen(
        [PYTHON, "-c", CHILD, str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    ready = time.perf_counter()
    if line != "ready\n":
        _, err = proc.communicate()
        raise AssertionError(f"the child did not start: {line!r}\n{err}")
    return proc, ready


def finish(proc: subprocess.Popen[str]) -> None:
    out, err = proc.communicate()
    assert proc.returncode in (0, -signal.SIGKILL), f"the child failed:\n{out}\n{err}"


def wait_for(proc: subprocess.Popen[str], done: Callable[[], bool]) -> None:
    """Wait until ``done()`` or until ``proc`` has ended, sleeping a little between looks."""
    while not done() and proc.poll() is None:
        time.sleep(0.0005)


def measure(root: Path) -> tuple[float, float]:
    """Apply the plan in ``root`` to the end; return when it committed and when it was done."""
    journal = root / JOURNAL_DIR
    proc, ready = start_child(root)
    wait_for(proc, (journal / COMMITTED).exists)
    committed = time.perf_counter() - ready
    wait_for(proc, lambda: not journal.exists())
    done = time.perf_counter() - ready
    finish(proc)
    return committed, done


def test_a_killed_apply_is_recovered_to_the_old_or_the_new_tree(tmp_path: Path) -> None:
    old, new = old_tree(), new_tree()
    old_dirs = folders(write_tree(tmp_path / "old", old))

    # Full runs first: when the commit point comes, when the journal is gone, the new folders.
    timings = []
    for i in range(3):
        measured = write_tree(tmp_path / f"measured{i}", old)
        timings.append(measure(measured))
        assert read_tree(measured) == new
        assert recover(measured) is None
    new_dirs = folders(measured)
    commit_at = statistics.median(t for t, _ in timings)
    duration = statistics.median(d for _, d in timings)

    rng = random.Random(SEED)
    seen: Counter[str] = Counter()
    for run in range(RUNS):
        root = write_tree(tmp_path / f"run{run}", old)
        # Half the runs are killed at a stratified random delay before the commit point, the
        # other half once the commit marker is seen, at a stratified random delay after it that
        # runs a little past the end: the kills span the whole apply, and both sides of the
        # commit point are hit even when the machine is busier than while measuring.
        half = RUNS // 2
        slot = (run % half + rng.random()) / half
        proc, ready = start_child(root)
        if run < half:
            time.sleep(max(0.0, ready + commit_at * slot - time.perf_counter()))
        else:
            wait_for(proc, (root / JOURNAL_DIR / COMMITTED).exists)
            time.sleep(1.15 * (duration - commit_at) * slot)
        killed_at = time.perf_counter() - ready
        proc.kill()
        finish(proc)

        recovery = recover(root)
        tree = read_tree(root)

        assert not (root / JOURNAL_DIR).exists()
        if tree == old:
            outcome = "old"
            assert folders(root) == old_dirs
            assert recovery is None or recovery.action == "rolled-back"
        elif tree == new:
            outcome = "new"
            assert folders(root) == new_dirs
            assert recovery is None or recovery.action == "finished"
        else:
            raise AssertionError(
                f"run {run}, killed {killed_at:.3f}s into a {duration:.3f}s apply, recovered by "
                f"{recovery} into a mix: {len(set(tree.items()) ^ set(new.items()))} entries "
                "differ from the new tree"
            )
        seen[outcome] += 1
        seen[f"{outcome} after {recovery.action if recovery else 'no journal'}"] += 1
        shutil.rmtree(root)

    print(
        f"apply takes {duration:.3f}s, commits at {commit_at:.3f}s; "
        f"outcomes over {RUNS} kills: {dict(seen)}"
    )
    assert seen["old"] > 0
    assert seen["new"] > 0
    # Both sides of the commit point were hit with a journal present, not only the trivial ends.
    assert seen["old after rolled-back"] > 0
    assert seen["new after finished"] > 0
