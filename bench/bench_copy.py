"""Copy benchmark: `templsync copy` beside `copier copy`, both timed as command-line processes.

Two templates, each a git repository with a tag: (a) a generated one of 1,000 files (half of them
templates, some under templated folder names) with 20 questions of several types, and (b) the
bundled example service template (``examples/template``, ~60 files, built by
``examples/make_template_repo.py``). Each tool copies each template with ``--defaults --trust
--quiet`` into a fresh folder, ``--runs`` times, the two tools taking turns; the figure is the
median wall time of the whole process, start-up included. The two tools' output trees are
compared (same paths, bytes, modes, answers file) before any figure is written. templsync's
sources are byte-compiled first, as a pip install does (``scripts/venv.sh`` does the same), so
no run pays for compiling them.

Run: .venv/bin/python bench/bench_copy.py [--runs N] [--no-write]
Writes its table into docs/benchmarks.md between the copy markers.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import copier
from benchdoc import write_block
from benchgit import git

from templsync._io import read_tree
from templsync.cli.main import main as templsync_main

ROOT = Path(__file__).resolve().parent.parent
SECTION = """\
## Copy: `templsync copy` beside `copier copy`

`bench/bench_copy.py` (run it with `.venv/bin/python bench/bench_copy.py`; it rewrites the
block below). Both tools run as command-line processes, so each figure includes the
interpreter's start-up and imports; the last row shows that start-up alone.
"""
BIN = Path(sys.executable).parent
EXAMPLE_SCRIPT = ROOT / "examples" / "make_template_repo.py"
TARGET = 5.0  # templsync at least 5x faster than Copier
ANSWERS_JINJA = "{{ _copier_conf.answers_file }}.jinja"
ANSWERS_TEMPLATE = (
    "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"
    "{{ _copier_answers|to_nice_yaml -}}\n"
)
QUESTIONS = """\
project_name: Bench Project
package: "{{ project_name | lower | replace(' ', '_') }}"
description:
  type: str
  multiline: true
  default: A generated template for the copy benchmark.
author: Bench Author
email:
  type: str
  default: bench@example.com
  validator: "{% if '@' not in email %}not an email{% endif %}"
version: 0.1.0
python:
  type: str
  choices: ['3.11', '3.12', '3.13']
  default: '3.12'
port: 8000
workers:
  type: int
  default: 4
ratio:
  type: float
  default: 0.75
debug: false
use_db: true
db_engine:
  type: str
  when: "{{ use_db }}"
  choices: {PostgreSQL: postgres, SQLite: sqlite}
  default: postgres
features:
  type: str
  multiselect: true
  choices: [auth, metrics, cors, cache]
  default: [auth, metrics]
labels:
  type: json
  default: '{"team": "core", "tier": 1}'
settings:
  type: yaml
  default: "{timeout: 30, retries: 3}"
license:
  type: str
  choices: {MIT: MIT, Apache: Apache-2.0}
  default: MIT
secret_key:
  type: str
  secret: true
  default: change-me
region: eu-west-1
log_level:
  type: str
  choices: [debug, info, warning]
  default: info
docs_dir:
  type: path
  default: docs
"""
TEMPLATED = """\
# {{ project_name }}: module NUMBER ({{ package }}, Python {{ python }})
{%- if use_db %}
DATABASE = "{{ db_engine }}"
{%- endif %}
PORT = {{ port + NUMBER }}
WORKERS = {{ workers }}
RATIO = {{ ratio }}
FEATURES = {{ features | tojson }}
LABELS = {{ labels | tojson }}
TIMEOUT = {{ settings.timeout }}
{% for feature in features %}
def {{ feature }}_NUMBER() -> str:
    return "{{ feature }} in {{ region }} at {{ log_level }}"
{% endfor %}
"""
PLAIN = "# a plain file: NUMBER\n" + "".join(f"line_{i} = {i}\n" for i in range(30))


def generated_files(count: int) -> dict[str, str]:
    """``count`` files, half templates, spread over folders (some with templated names)."""
    files = {"copier.yml": QUESTIONS, ANSWERS_JINJA: ANSWERS_TEMPLATE}
    for i in range(count - len(files)):
        folder = f"pkg{i % 20:02d}" if i % 4 else "{{ package }}/mod" + f"{i % 10}"
        if i % 2:
            files[f"{folder}/plain_{i:04d}.txt"] = PLAIN.replace("NUMBER", str(i))
        else:
            files[f"{folder}/module_{i:04d}.py.jinja"] = TEMPLATED.replace("NUMBER", str(i))
    return files


def make_generated(root: Path, count: int) -> Path:
    for rel, text in generated_files(count).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "template")
    git(root, "tag", "1.0.0")
    return root


def make_example(root: Path) -> Path:
    subprocess.run(
        [sys.executable, str(EXAMPLE_SCRIPT), str(root)], check=True, capture_output=True
    )
    return root


def copy_once(tool: str, src: Path, dst: Path) -> float:
    """Seconds of one ``tool copy`` process into the new folder ``dst``."""
    dst.parent.mkdir(parents=True)
    command = [str(BIN / tool), "copy", "--defaults", "--trust", "--quiet", str(src), str(dst)]
    start = time.perf_counter()
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return elapsed


def time_copies(src: Path, work: Path, runs: int) -> dict[str, tuple[float, Path]]:
    """Median seconds of ``copier copy`` and ``templsync copy``, and the last folder each wrote.

    The two tools take turns, run after run, so a busy moment on the machine slows both.
    """
    times: dict[str, list[float]] = {"copier": [], "templsync": []}
    for run in range(runs):
        for tool, spent in times.items():
            spent.append(copy_once(tool, src, work / tool / f"run{run}" / "project"))
    last = f"run{runs - 1}"
    return {
        tool: (statistics.median(spent), work / tool / last / "project")
        for tool, spent in times.items()
    }


def time_in_process(copy: Callable[[Path], object], work: Path, runs: int) -> float:
    """Median seconds of ``copy`` called in this process (start-up and imports excluded)."""
    times = []
    for run in range(runs):
        dst = work / f"run{run}" / "project"
        dst.parent.mkdir(parents=True)
        start = time.perf_counter()
        copy(dst)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_process(src: Path, work: Path, runs: int) -> tuple[float, float]:
    """Copier's ``run_copy`` and templsync's ``main`` called in this process: (copier, ours)."""

    def copier_copy(dst: Path) -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return copier.run_copy(str(src), str(dst), defaults=True, unsafe=True, quiet=True)

    def ours_copy(dst: Path) -> object:
        argv = ["copy", "--defaults", "--trust", "--quiet", str(src), str(dst)]
        if templsync_main(argv):
            raise SystemExit(f"templsync {' '.join(argv)} failed")
        return None

    return time_in_process(copier_copy, work / "c", runs), time_in_process(
        ours_copy, work / "t", runs
    )


def time_startup(runs: int) -> tuple[float, float]:
    """Median seconds of ``copier --help`` and ``templsync --help``, taking turns."""
    times: dict[str, list[float]] = {"copier": [], "templsync": []}
    for _ in range(runs):
        for tool, spent in times.items():
            start = time.perf_counter()
            subprocess.run([str(BIN / tool), "--help"], check=True, capture_output=True)
            spent.append(time.perf_counter() - start)
    return statistics.median(times["copier"]), statistics.median(times["templsync"])


def same_output(ours: Path, theirs: Path) -> int:
    """Compare two copies whole and return their file count; differ, and the benchmark stops."""
    a, b = read_tree(ours), read_tree(theirs)
    if a.paths() != b.paths():
        raise SystemExit(f"different files: {sorted(set(a.paths()) ^ set(b.paths()))[:10]}")
    for path in a.paths():
        if (a[path].mode, a[path].content()) != (b[path].mode, b[path].content()):
            raise SystemExit(f"{path} differs between templsync and Copier")
    return len(a.paths())


Row = tuple[str, int, float, float, float, float]


def measure(name: str, src: Path, work: Path, runs: int) -> Row:
    timed = time_copies(src, work, runs)
    (copier_s, copier_dst), (ours_s, ours_dst) = timed["copier"], timed["templsync"]
    files = same_output(ours_dst, copier_dst)
    return name, files, copier_s, ours_s, *in_process(src, work / "in-process", runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="Do not update docs/benchmarks.md")
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "src", quiet=1)
    with tempfile.TemporaryDirectory(prefix="templsync-bench-copy-") as tmp:
        work = Path(tmp)
        generated = make_generated(work / "generated", args.files)
        example = make_example(work / "example")
        rows = [
            measure(
                f"generated, {args.files:,} files, 20 questions", generated, work / "a", args.runs
            ),
            measure("example service template (2.0.0)", example, work / "b", args.runs),
        ]
    startup = time_startup(args.runs)
    table = render(rows, startup, args.runs)
    print(table)
    if not args.no_write:
        write_block("copy", table, SECTION)


def render(rows: list[Row], startup: tuple[float, float], runs: int) -> str:
    lines = [
        f"`copy --defaults --trust --quiet` from a local git repository (latest tag) into a new "
        f"folder; median of {runs} runs, each a fresh process, this machine "
        f"({os.cpu_count()} cores); then the same copies called in one process (start-up and "
        "imports excluded). Both tools' output trees are identical.",
        "",
        "| template | files written | copier copy (s) | templsync copy (s) | speed-up "
        "| in one process: copier / templsync (s) | speed-up |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, files, copier_s, ours_s, copier_in, ours_in in rows:
        lines.append(
            f"| {name} | {files} | {copier_s:.2f} | {ours_s:.2f} | {copier_s / ours_s:.1f}x "
            f"| {copier_in:.2f} / {ours_in:.2f} | {copier_in / ours_in:.1f}x |"
        )
    copier_start, ours_start = startup
    lines.append(f"| start-up alone (`--help`) | | {copier_start:.2f} | {ours_start:.2f} | | | |")
    lines.append("")
    for name, _, copier_s, ours_s, _, _ in rows:
        ratio = copier_s / ours_s
        verdict = "met" if ratio >= TARGET else "MISSED"
        lines.append(
            f"- Target {TARGET:.0f}x on {name} (as processes): **{ratio:.1f}x**, {verdict}."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
