"""Fleet benchmark: `templsync fleet status` beside the drift-check loop a team would write.

A template of ``--commits`` commits (one to three files changed each, across dependency
manifests, migrations, configuration, CI, application code and docs; a version tag every
``--every`` commits) and ``--instances`` instances of it. Each instance is a git repository of
``--files`` small files plus its ``.copier-answers.yml``, committed once, recording a version
tag or, for one in ten, a commit past a tag as ``git describe`` spells it. The fleet is built
with pygit2 into ``bench/out/`` once and reused while its parameters stay the same (its files'
times are set a day back before they are indexed, so git's racy-file check does not rehash
them on every status, as it would not on a working machine).

Three commands answer "how far behind is each instance", each a fresh process, taking turns
run by run so a change in the machine's load falls on all; the figure is the median of
``--runs``:

- the loop (``LOOP`` below): for each instance, ``sed`` reads ``_commit`` from its answers file
  and ``git -C TEMPLATE rev-list --count COMMIT..LATEST`` counts the commits it lacks;
- the same loop gathering what ``fleet status`` also shows (``LOOP_SAME_FACTS``): ``git
  status --porcelain`` and ``git log -1 --format=%cI -- .copier-answers.yml`` in each instance;
- ``templsync fleet status --json``, which reads each instance's git status (uncommitted
  changes, unmerged paths) and the date of the last commit of its answers file, counts versions
  behind, and lists the template's changes by category.

The answers (commits behind; uncommitted changes and last-updated date for the second loop)
are compared, instance by instance, before any figure is written. Then, in one process: reading
the registry, the status with one worker and with the default (taking turns), and the parts of
the command's start-up alone.

Run: .venv/bin/python bench/bench_fleet.py [--runs N] [--instances N] [--commits N] [--no-write]
Writes its table into docs/benchmarks.md between the fleet markers.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import pygit2
from benchdoc import ROOT, write_block
from benchgit import fast_import, git

from templsync.fleet.registry import load_fleet
from templsync.fleet.status import fleet_status

T = TypeVar("T")
BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "out"
TARGET = 20.0  # fleet status at least 20x faster than the loop
DAY_AGO = time.time() - 86_400
LOOP = r"""
tpl=$1; shift
latest=$(git -C "$tpl" tag --list --sort=-v:refname | head -n 1)
for dir in "$@"; do
  commit=$(sed -n 's/^_commit: *//p' "$dir/.copier-answers.yml")
  printf '%s %s\n' "$dir" "$(git -C "$tpl" rev-list --count "$commit..$latest")"
done
"""
LOOP_SAME_FACTS = r"""
tpl=$1; shift
latest=$(git -C "$tpl" tag --list --sort=-v:refname | head -n 1)
for dir in "$@"; do
  commit=$(sed -n 's/^_commit: *//p' "$dir/.copier-answers.yml")
  behind=$(git -C "$tpl" rev-list --count "$commit..$latest")
  dirty=$(git -C "$dir" status --porcelain | wc -l)
  updated=$(git -C "$dir" log -1 --format=%cI -- .copier-answers.yml)
  printf '%s %s %s %s\n' "$dir" "$behind" "$dirty" "$updated"
done
"""
TOUCHED = (
    "pyproject.toml.jinja",
    "migrations/{n:04d}_change.py",
    "settings.toml",
    ".github/workflows/ci.yml",
    "app/module_{m}.py.jinja",
    "docs/page_{m}.md",
)
STARTUP = (
    ("Python itself: `python -c pass`", [sys.executable, "-c", "pass"]),
    (
        "the fleet status library and all it imports: `import templsync.fleet.status`",
        [sys.executable, "-c", "import templsync.fleet.status"],
    ),
    ("the command line alone: `templsync --version`", [str(BIN / "templsync"), "-V"]),
)


def make_template(root: Path, commits: int, every: int) -> list[str]:
    """The template's history through ``git fast-import``; its tags, oldest first."""
    root.mkdir(parents=True)
    git(root, "init", "-q")
    stream: list[bytes] = []
    tags: list[str] = []

    def blob(text: str) -> bytes:
        data = text.encode()
        return b"data %d\n%s\n" % (len(data), data)

    for n in range(commits):
        paths = [TOUCHED[(n + k) % len(TOUCHED)].format(n=n, m=n % 7) for k in range(1 + n % 3)]
        header = (
            b"commit refs/heads/main\nmark :%d\ncommitter bench <bench@example.com> %d +0000\n"
            % (n + 1, 1_700_000_000 + n * 3600)
            + blob(f"Change {n}: {', '.join(paths)}")
            + (b"from :%d\n" % n if n else b"")
        )
        files = [b"M 100644 inline copier.yml\n" + blob("name: bench\n")] if n == 0 else []
        files += [b"M 100644 inline %s\n" % p.encode() + blob(f"{p} at {n}\n") for p in paths]
        stream.append(header + b"".join(files))
        if n % every == 0:
            tags.append(f"1.{n // every}.0")
            stream.append(b"reset refs/tags/%s\nfrom :%d\n" % (tags[-1].encode(), n + 1))
    fast_import(root, b"".join(stream))
    git(root, "checkout", "-q", "main")
    return tags


def recorded_commits(template: Path, tags: list[str], count: int) -> list[str]:
    """``_commit`` of each instance: tags in turn; one in ten a commit past its tag."""
    found = []
    for i in range(count):
        tag = tags[i % len(tags)]
        if i % 10 == 9 and tag != tags[-1]:
            found.append(
                git(template, "describe", "--tags", f"{tags[i % len(tags) + 1]}~1").strip()
            )
        else:
            found.append(tag)
    return found


def make_instance(folder: Path, template: Path, commit: str, files: int) -> None:
    repo = pygit2.init_repository(str(folder), initial_head="main")
    texts = {
        ".copier-answers.yml": (
            "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"
            f"_commit: {commit}\n_src_path: {template}\nname: {folder.name}\n"
        ),
        **{f"app/module_{n}.py": f"# {folder.name}: module {n}\n" for n in range(files)},
    }
    for rel, text in texts.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.utime(path, (DAY_AGO, DAY_AGO))
    repo.index.add_all()
    repo.index.write()
    who = pygit2.Signature("bench", "bench@example.com", 1_710_000_000, 0)
    repo.create_commit("HEAD", who, who, "From the template", repo.index.write_tree(), [])


def build_fleet(args: argparse.Namespace) -> Path:
    """The fleet's folder under bench/out/, built unless one with these parameters is there."""
    key = hashlib.sha256(
        f"{args.instances}/{args.commits}/{args.every}/{args.files}/v1".encode()
    ).hexdigest()[:12]
    root = OUT / f"fleet-{key}"
    if (root / "templsync-fleet.toml").is_file():
        return root
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    template = root / "template"
    tags = make_template(template, args.commits, args.every)
    commits = recorded_commits(template, tags, args.instances)
    entries = []
    for i, commit in enumerate(commits):
        name = f"service-{i:04d}"
        make_instance(root / "instances" / name, template, commit, args.files)
        entries.append(
            f'[[instance]]\nname = "{name}"\nlocation = "instances/{name}"\n'
            f'team = "team-{i % 12}"\n'
        )
    (root / "templsync-fleet.toml").write_text('template = "template"\n\n' + "\n".join(entries))
    print(f"built {root} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return root


Answers = dict[str, tuple[str, ...]]
"""Per instance name: commits behind, and (for the loop with the same facts, and ours) whether
it has uncommitted changes and the date of its answers file's last commit."""


def run_loop(root: Path, script: str = LOOP) -> Answers:
    folders = sorted(str(p) for p in (root / "instances").iterdir())
    done = subprocess.run(
        ["bash", "-c", script, "loop", str(root / "template"), *folders],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"the loop failed:\n{done.stderr}")
    answers: Answers = {}
    for line in done.stdout.splitlines():
        folder, behind, *more = line.split(" ")
        if more:  # the number of `git status` lines, the date
            answers[Path(folder).name] = (behind, str(more[0] != "0"), more[1])
        else:
            answers[Path(folder).name] = (behind,)
    return answers


def run_ours(root: Path, *options: str) -> Answers:
    command = [str(BIN / "templsync"), "fleet", "status", "--json", "--offline", *options]
    done = subprocess.run(
        [*command, "--fleet", str(root / "templsync-fleet.toml")],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return {
        i["name"]: (
            str(i["commits_behind"]),
            str(i["state"] == "uncommitted changes"),
            i["last_updated"],
        )
        for i in json.loads(done.stdout)["instances"]
    }


def compare(ours: Answers, theirs: Answers, what: str) -> None:
    """Stop the benchmark unless ``ours`` agrees with ``theirs`` on what ``theirs`` says."""
    wrong = sorted(n for n, answer in theirs.items() if ours.get(n, ())[: len(answer)] != answer)
    if wrong or len(ours) != len(theirs):
        example = wrong[0] if wrong else "?"
        raise SystemExit(
            f"{what} disagrees on {len(wrong)} instances, e.g. {example}: "
            f"{theirs.get(example)} beside ours {ours.get(example)}"
        )


def timed(call: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def median_process(command: Sequence[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(list(command), capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--instances", type=int, default=1_000)
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--every", type=int, default=10, help="Commits between version tags.")
    parser.add_argument("--files", type=int, default=20, help="Files in each instance.")
    parser.add_argument("--no-write", action="store_true", help="Do not update docs/benchmarks.md")
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "src", quiet=1)
    root = build_fleet(args)
    loop_times, same_times, ours_times, ours_one_times = [], [], [], []
    for _ in range(args.runs):  # taking turns
        loop_s, theirs = timed(lambda: run_loop(root))
        same_s, same = timed(lambda: run_loop(root, LOOP_SAME_FACTS))
        ours_s, ours = timed(lambda: run_ours(root))
        ours_one_s, ours_one = timed(lambda: run_ours(root, "--jobs", "1"))
        compare(ours, theirs, "the loop")
        compare(ours, same, "the loop with the same facts")
        compare(ours_one, same, "the loop with the same facts (against --jobs 1)")
        loop_times.append(loop_s)
        same_times.append(same_s)
        ours_times.append(ours_s)
        ours_one_times.append(ours_one_s)
    registry_s = statistics.median(
        timed(lambda: load_fleet(root / "templsync-fleet.toml"))[0] for _ in range(args.runs)
    )
    fleet = load_fleet(root / "templsync-fleet.toml")
    one_worker_times, default_times = [], []
    for _ in range(args.runs):  # taking turns
        one_worker_times.append(timed(lambda: fleet_status(fleet, jobs=1, refresh=False))[0])
        default_times.append(timed(lambda: fleet_status(fleet, refresh=False))[0])
    one_worker, default = statistics.median(one_worker_times), statistics.median(default_times)
    startup = [(label, median_process(command, args.runs)) for label, command in STARTUP]
    status = fleet_status(fleet, refresh=False)
    table = render(
        args,
        loop=statistics.median(loop_times),
        same=statistics.median(same_times),
        ours=statistics.median(ours_times),
        ours_one=statistics.median(ours_one_times),
        registry=registry_s,
        one_worker=one_worker,
        default=default,
        startup=startup,
        states=", ".join(f"{n} {s.value}" for s, n in reversed(status.counts().items()) if n),
    )
    print(table)
    if not args.no_write:
        write_block("fleet", table, SECTION)


def render(
    args: argparse.Namespace,
    *,
    loop: float,
    same: float,
    ours: float,
    ours_one: float,
    registry: float,
    one_worker: float,
    default: float,
    startup: list[tuple[str, float]],
    states: str,
) -> str:
    ratio = loop / ours
    tags = (args.commits - 1) // args.every + 1
    lines = [
        f"{args.instances:,} instances ({args.files} files each, one commit) of a template of "
        f"{args.commits} commits and {tags} version tags; median of {args.runs} runs, each a "
        f"fresh process, taking turns, this machine ({os.cpu_count()} cores). All three give the "
        f"same commits behind for every instance ({states}); the second loop and templsync the "
        "same uncommitted changes and last-updated dates.",
        "",
        "| command | seconds | per instance (ms) |",
        "| --- | ---: | ---: |",
        f"| the drift-check loop: `sed` + `git rev-list --count` per instance | {loop:.2f} "
        f"| {loop / args.instances * 1000:.2f} |",
        f"| the loop with the same facts: + `git status --porcelain` + `git log -1 --format=%cI "
        f"-- .copier-answers.yml` per instance | {same:.2f} | {same / args.instances * 1000:.2f} |",
        f"| `templsync fleet status --json` | {ours:.2f} | {ours / args.instances * 1000:.2f} |",
        f"| `templsync fleet status --json --jobs 1` (no worker processes) | {ours_one:.2f} "
        f"| {ours_one / args.instances * 1000:.2f} |",
        f"| in one process: reading the registry, `load_fleet` | {registry:.2f} "
        f"| {registry / args.instances * 1000:.2f} |",
        f"| in one process, one worker: `fleet_status(fleet, jobs=1)` | {one_worker:.2f} "
        f"| {one_worker / args.instances * 1000:.2f} |",
        f"| in one process, one worker per core: `fleet_status(fleet)` | {default:.2f} "
        f"| {default / args.instances * 1000:.2f} |",
        "",
        "Start-up, each part a process of its own:",
        "",
        "| process | seconds |",
        "| --- | ---: |",
        *(f"| {label} | {seconds:.3f} |" for label, seconds in startup),
        "",
        f"- Target {TARGET:.0f}x faster than the loop (as processes): **{ratio:.1f}x**, "
        f"{'met' if ratio >= TARGET else 'MISSED'}. Beside the loop that gathers the same facts: "
        f"{same / ours:.1f}x.",
        f"- What bounds it: 20x would be {loop / TARGET:.2f} s in all, while start-up alone "
        f"(`import templsync.fleet.status`) takes {startup[1][1]:.2f} s and each instance "
        f"{one_worker / args.instances * 1000:.2f} ms of one core (libgit2 opening its repository "
        f"and reading its status, most of it), shared by the {os.cpu_count()} cores at best.",
    ]
    return "\n".join(lines)


SECTION = """\
## Fleet: `templsync fleet status` beside a drift-check loop

`bench/bench_fleet.py` (run it with `.venv/bin/python bench/bench_fleet.py`; it rewrites the
block below; the generated fleet is kept in `bench/out/` for the next run). The peer is the
loop a team writes to see which services lag behind their template: for each instance, read
`_commit` from its answers file with `sed`, then `git -C template rev-list --count
COMMIT..LATEST`. A second loop also gathers what `fleet status` shows besides (`git status
--porcelain` and `git log -1 --format=%cI -- .copier-answers.yml` in each instance). All run as
processes, taking turns, and must agree instance by instance before any figure is written.

How to read it:

- `fleet status` does more per instance than the first loop: it also reads git's status
  (uncommitted changes) and index (unmerged paths), walks back to the last commit of the
  answers file, counts versions behind, and lists the template's changes by category. The
  template's history is walked once; each distinct recorded commit is then a position in that
  walk, so the template costs the same for ten instances or a thousand.
- Where its time goes: start-up (Python, pygit2, PyYAML, packaging, tomlkit and templsync's
  modules), reading the registry (tomlkit parses 1,000 `[[instance]]` tables in about a fifth
  of a second; `tomllib` reads the same file in 0.03 s), and per instance about 0.6 ms in one
  process, most of it opening the repository and libgit2's status, spread over one worker
  process per core.
- The 20x target is missed, and cannot be met on this 2-core machine while the status reads
  every instance's git status: a twentieth of the loop's time (a quarter of a second, give or
  take) is less than start-up and reading the registry together. Per instance, the loop costs
  5 ms or so (two processes), `fleet status` about 0.4 to 0.6 ms with two workers plus 0.15 to
  0.3 ms of registry, so even on a much larger fleet the ratio tends to about 7-8x here, more
  with more cores. Against the loop that gathers the same facts it is the second figure of the
  last line. The levers left: read the registry with `tomllib` (tomlkit is only needed to write
  it back with its comments), and more cores.
- The machine is shared with other jobs, so the seconds move by a third from one run to the
  next; the ratio moves less (4x to 6x over the runs made so far).
"""


if __name__ == "__main__":
    main()
