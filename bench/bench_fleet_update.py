"""Fleet update benchmark: `templsync fleet update` with two workers beside one.

The bundled example service template (``examples/template``: tags 1.0.0, 1.1.0 and 2.0.0, built
by ``examples/make_template_repo.py``) and ``--instances`` instances of it, each made by
``templsync copy`` (with its own project name) at 1.0.0 (even-numbered ones: two versions
behind) or 1.1.0 (one version behind) and committed to git. The registry gives every instance a
test command, a small Python check that the updated ``pyproject.toml`` is valid TOML. This
pristine fleet (template, instances, registry) is built into ``bench/out/`` once and reused
while its parameters stay the same.

Each timed run copies the pristine fleet to a fresh folder (not timed) and runs ``templsync
fleet update --jobs N`` there as a fresh process, start-up included: every instance gets its
update branch, the update to 2.0.0, its test command and its commit, and the registry records
the outcomes. ``--jobs 1`` and ``--jobs 2`` take turns, run by run, so a change in the machine's
load falls on both; the figures are medians of ``--runs``. Every run must leave every instance
updated (the registry's ``last_update`` and the instance's branch and clean tree say so), or the
benchmark stops without writing figures. The template's compiled-Jinja cache
(``$TEMPLSYNC_CACHE_DIR``) is filled by one untimed run first and shared by all.

Then, in one process on a fresh copy, the command's parts with one worker: the status that
picks the instances (``fleet_status``), one instance's update alone, and writing the outcomes
to the registry (``record``).

Run: .venv/bin/python bench/bench_fleet_update.py [--runs N] [--instances N] [--no-write]
Writes its table into docs/benchmarks.md between the fleet-update markers.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench_update import make_example
from benchdoc import ROOT, time_process, write_block
from benchgit import git

from templsync.fleet.bulkupdate import FleetUpdateOptions, fleet_update, record
from templsync.fleet.registry import load_fleet
from templsync.fleet.status import fleet_status

BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "out"
TARGET = 1.8  # "close to 2x" with two workers on a 2-core machine
LATEST = "2.0.0"
BRANCH = f"templsync/update-{LATEST}"
CACHE_ENV = "TEMPLSYNC_CACHE_DIR"
TEST_COMMAND = (  # the updated pyproject.toml is valid TOML
    f'{sys.executable} -c \'import tomllib; tomllib.load(open("pyproject.toml", "rb"))\''
)


def build_fleet(instances: int) -> Path:
    """The pristine fleet's folder under bench/out/, built unless one of this size is there."""
    key = hashlib.sha256(f"{instances}/v1".encode()).hexdigest()[:12]
    root = OUT / f"fleet-update-{key}"
    if (root / "templsync-fleet.toml").is_file():
        return root
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    make_example(root / "template")
    entries = []
    for i in range(instances):
        name = f"service-{i:02d}"
        folder = root / "instances" / name
        folder.mkdir(parents=True)
        # run in the instance's folder, so that _src_path (as typed) leads to the template
        # from the instance, in the pristine fleet and in each copy of it alike
        time_process(
            [
                str(BIN / "templsync"),
                "copy",
                "--defaults",
                "--quiet",
                "--skip-tasks",
                "--vcs-ref",
                "1.0.0" if i % 2 == 0 else "1.1.0",
                "--data",
                f"project_name=Service {i:02d}",
                "../../template",
                ".",
            ],
            cwd=folder,
        )
        git(folder, "init", "-q", "-b", "main")
        git(folder, "add", "-A")
        git(folder, "commit", "-q", "-m", "From the template")
        entries.append(
            f'[[instance]]\nname = "{name}"\nlocation = "instances/{name}"\nteam = "team-{i % 5}"\n'
        )
    (root / "templsync-fleet.toml").write_text(
        f'template = "template"\ntest_command = {json.dumps(TEST_COMMAND)}\n\n' + "\n".join(entries)
    )
    print(f"built {root} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return root


def fresh_copy(pristine: Path, dst: Path) -> Path:
    shutil.copytree(pristine, dst, symlinks=True)
    return dst


def check_updated(root: Path) -> None:
    """Stop the benchmark unless every instance of the fleet at ``root`` was updated."""
    fleet = load_fleet(root / "templsync-fleet.toml")
    for entry in fleet.entries:
        last = entry.last_update
        folder = root / entry.location
        if last is None or (last.outcome, last.version) != ("updated", LATEST):
            raise SystemExit(f"{entry.name} was not updated: last_update is {last}")
        branch = git(folder, "rev-parse", "--abbrev-ref", "HEAD").strip()
        dirty = git(folder, "status", "--porcelain")
        if branch != BRANCH or dirty:
            raise SystemExit(f"{entry.name}: on {branch!r} after the update, status {dirty!r}")


def run_update(pristine: Path, work: Path, jobs: int, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``templsync fleet update --jobs JOBS`` on a fresh copy of the fleet.

    The CPU seconds (user and system) are the command's, its workers' and every process they ran
    (git, the test commands): how many cores the run had is their ratio to the wall seconds.
    """
    root = fresh_copy(pristine, work / f"jobs{jobs}")
    command = [str(BIN / "templsync"), "fleet", "update", "--jobs", str(jobs), "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = time_process([*command, "--fleet", str(root / "templsync-fleet.toml")], env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    check_updated(root)
    shutil.rmtree(root)
    return seconds, cpu


def in_process_parts(pristine: Path, work: Path, instances: int) -> dict[str, float]:
    """With one worker, in this process: the status, the whole update, the registry's write."""
    root = fresh_copy(pristine, work / "parts")
    fleet = load_fleet(root / "templsync-fleet.toml")
    start = time.perf_counter()
    fleet_status(fleet, jobs=1, refresh=False)
    status_s = time.perf_counter() - start
    start = time.perf_counter()
    result = fleet_update(fleet, FleetUpdateOptions(jobs=1))
    update_s = time.perf_counter() - start
    check_updated(root)
    start = time.perf_counter()  # the same outcomes again: the registry read, edited, compared
    record(fleet.path, result.outcomes, datetime.now(UTC).date().isoformat())
    record_s = time.perf_counter() - start
    shutil.rmtree(root)
    each = (update_s - status_s - record_s) / instances
    return {"status": status_s, "update": update_s, "instance": each, "record": record_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--instances", type=int, default=50)
    parser.add_argument("--no-write", action="store_true", help="Do not update docs/benchmarks.md")
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "src", quiet=1)
    pristine = build_fleet(args.instances)
    with tempfile.TemporaryDirectory(prefix="bench-fleet-update-") as tmp:
        work = Path(tmp)
        env = {**os.environ, CACHE_ENV: str(work / "cache")}
        run_update(pristine, work, 2, env)  # untimed: fills the cache
        times: dict[int, list[float]] = {1: [], 2: []}
        cores: dict[int, list[float]] = {1: [], 2: []}
        for n in range(args.runs):  # taking turns, the first one alternating
            for jobs in (1, 2) if n % 2 == 0 else (2, 1):
                seconds, cpu = run_update(pristine, work, jobs, env)
                times[jobs].append(seconds)
                cores[jobs].append(cpu / seconds)
        os.environ[CACHE_ENV] = env[CACHE_ENV]
        parts = in_process_parts(pristine, work, args.instances)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    used = {jobs: statistics.median(c) for jobs, c in cores.items()}
    table = render(args, one=one, two=two, used=used, parts=parts)
    print(table)
    if not args.no_write:
        write_block("fleet-update", table, SECTION)


def render(
    args: argparse.Namespace,
    *,
    one: float,
    two: float,
    used: dict[int, float],
    parts: dict[str, float],
) -> str:
    ratio = one / two
    per = args.instances
    lines = [
        f"{per} instances of the example service template (half at 1.0.0, half at 1.1.0), each "
        f"updated to {LATEST} on its own branch, tested (a Python check of `pyproject.toml`) and "
        f"committed; median of {args.runs} runs, each on a fresh copy of the fleet and a fresh "
        f"process, taking turns, this machine ({os.cpu_count()} cores). Every run updated every "
        "instance.",
        "",
        "| command | seconds | per instance (ms) | cores used (CPU / wall) |",
        "| --- | ---: | ---: | ---: |",
        f"| `templsync fleet update --jobs 1` | {one:.2f} | {one / per * 1000:.0f} "
        f"| {used[1]:.2f} |",
        f"| `templsync fleet update --jobs 2` | {two:.2f} | {two / per * 1000:.0f} "
        f"| {used[2]:.2f} |",
        f"| in one process: the status that picks the instances, `fleet_status(jobs=1)` "
        f"| {parts['status']:.2f} | {parts['status'] / per * 1000:.1f} | |",
        f"| in one process: the whole `fleet_update(jobs=1)` | {parts['update']:.2f} "
        f"| {parts['update'] / per * 1000:.0f} | |",
        f"| in one process: writing the outcomes to the registry, `record` "
        f"| {parts['record']:.3f} | {parts['record'] / per * 1000:.1f} | |",
        f"| in one process: the rest, the instances' own updates (branch, update, test, "
        f"commit) | {parts['instance'] * per:.2f} | {parts['instance'] * 1000:.0f} | |",
        "",
        f"- `--jobs 2` beside `--jobs 1`: **{ratio:.2f}x** (target close to 2x, at least "
        f"{TARGET:.1f}x: {'met' if ratio >= TARGET else 'MISSED'}). With two workers the run "
        f"kept {used[2]:.2f} cores busy (CPU over wall time, median), with one {used[1]:.2f}.",
    ]
    return "\n".join(lines)


SECTION = """\
## Fleet: `templsync fleet update` with two workers beside one

`bench/bench_fleet_update.py` (run it with `.venv/bin/python bench/bench_fleet_update.py`; it
rewrites the block below; the pristine fleet is kept in `bench/out/` for the next run). A fleet
of 50 instances of the example service template, two or one versions behind, each with a test
command; every timed run updates a fresh copy of it (the copy is not timed) with `templsync
fleet update --jobs 1` or `--jobs 2`, as a process, the two taking turns. Each instance's update
is independent of the others' (its own repository, its own branch), so two workers on two cores
should take close to half the time; what they cannot share is the command's start-up, the
status that picks the instances (itself read by the workers), and the one write of the outcomes
to the registry at the end.
"""


if __name__ == "__main__":
    main()
