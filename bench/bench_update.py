"""Update benchmark: `templsync update` beside `copier update`, both timed as processes.

Two templates, each a local git repository with version tags: (a) the bundled example service
template (``examples/template``, ~60 files, tags 1.0.0, 1.1.0 and 2.0.0, built by
``examples/make_template_repo.py``), and (b) a generated one of 2,000 files (half of them
templates, some under a templated folder name, a few questions) whose 2.0.0 changes 50 files of
1.0.0: 30 edited, 10 renamed, 5 deleted, 5 added, and one new question. For each template Copier
copies an instance at 1.0.0, which is committed to git, then 10 of its files get a line away
from the template's changes (so every merge is clean), committed too.

Each run copies that instance (``cp -a``, ``.git`` included) to two fresh folders and updates one
with ``copier update`` and the other with ``templsync update`` (``--defaults --trust --quiet
--vcs-ref TAG``), each a fresh process, start-up included; the tools take turns, run by run, so
a change in the machine's load falls on both. The figure is the median of ``--runs``. The two
updated trees (paths, bytes, modes; ``.git`` aside) and ``git status`` must
be the same, or the benchmark stops without writing figures. The same updates are then timed in
one process (``copier.run_update`` beside ``templsync.instance.update.update``) to show the work
without start-up.

templsync's cache folder (``$TEMPLSYNC_CACHE_DIR``, compiled Jinja templates) lives in the
benchmark's temp folder: empty before each template's first update, which is timed on its own.

Run: .venv/bin/python bench/bench_update.py [--runs N] [--files N] [--no-write]
Writes its table into docs/benchmarks.md between the update markers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import copier
from benchdoc import ROOT, time_process, write_block
from benchgit import git

from templsync._core.ignore import IgnoreRules
from templsync._io import read_tree
from templsync.instance.update import UpdateOptions, update

BIN = Path(sys.executable).parent
EXAMPLE_SCRIPT = ROOT / "examples" / "make_template_repo.py"
TARGET = 10.0  # templsync update at least 10x faster than copier update
CACHE_ENV = "TEMPLSYNC_CACHE_DIR"
NOT_GIT = IgnoreRules.of(["/.git/"])
ANSWERS_JINJA = "{{ _copier_conf.answers_file }}.jinja"
ANSWERS_TEMPLATE = (
    "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"
    "{{ _copier_answers|to_nice_yaml -}}\n"
)
QUESTIONS = """\
project_name: Bench Project
package: "{{ project_name | lower | replace(' ', '_') }}"
port:
  type: int
  default: 8000
use_db: true
features:
  type: str
  multiselect: true
  choices: [auth, metrics, cors]
  default: [auth, metrics]
"""
NEW_QUESTION = "timeout:\n  type: int\n  default: 30\n"
TEMPLATED = """\
# {{ project_name }}: module NUMBER ({{ package }})
PORT = {{ port + NUMBER }}
{%- if use_db %}
DATABASE = "postgres"
{%- endif %}
FEATURES = {{ features | tojson }}
{% for feature in features %}
def {{ feature }}_NUMBER() -> str:
    return "{{ feature }} in module NUMBER"
{% endfor %}
""" + "".join(f"# line {i}\n" for i in range(10))
TEMPLATED_HEAD = "# {{ project_name }}: module NUMBER ({{ package }})\n"
TEMPLATED_HEAD_2 = "# {{ project_name }}: module NUMBER ({{ package }}), {{ timeout }} s\n"
PLAIN = "# a plain file: NUMBER\n" + "".join(f"line_{i} = {i}\n" for i in range(30))
PLAIN_HEAD = "# a plain file: NUMBER\n"
PLAIN_HEAD_2 = "# a plain file: NUMBER (since 2.0.0)\n"
PACKAGE = "bench_project"  # the generated template's default for {{ package }}
EDIT = "# edited in this project\n"
# The example instance's edited files: where each edit goes, away from the template's changes.
EXAMPLE_EDITS = {
    "README.md": "append",
    "CONTRIBUTING.md": "prepend",
    "Dockerfile": "append",
    "docs/deploy.md": "append",
    "docs/index.md": "append",
    "pyproject.toml": "append",
    "my_service/settings.py": "append",
    "my_service/errors.py": "append",
    "tests/test_items.py": "append",
    "scripts/test.sh": "append",
}


@dataclass(frozen=True)
class Case:
    name: str
    instance: Path
    """An instance made by Copier at the template's first version, edited and committed."""
    tag: str
    """The version to update to."""


# -- the generated template ------------------------------------------------------------------


def body_path(i: int) -> str:
    folder = f"pkg{i % 20:02d}" if i % 4 else "{{ package }}/mod" + f"{i % 10}"
    return f"{folder}/module_{i:04d}.py.jinja" if i % 2 == 0 else f"{folder}/plain_{i:04d}.txt"


def instance_path(template_path: str) -> str:
    return template_path.removesuffix(".jinja").replace("{{ package }}", PACKAGE)


def body_text(i: int) -> str:
    return (TEMPLATED if i % 2 == 0 else PLAIN).replace("NUMBER", str(i))


def changed_indices(count: int) -> tuple[list[int], list[int], list[int]]:
    """The body files 2.0.0 edits (30), renames (10) and deletes (5), spread over the folders."""
    chosen = list(range(7, count, 39))[:45]
    if len(chosen) < 45:
        raise SystemExit(f"--files {count} is too few for 50 changed files")
    return chosen[:30], chosen[30:40], chosen[40:45]


def write_files(root: Path, files: Mapping[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def make_generated(root: Path, count: int) -> tuple[Path, list[str]]:
    """The 2,000-file template (tags 1.0.0, 2.0.0) and the instance paths to edit."""
    body = count - 2  # copier.yml and the answers file
    write_files(root, {"copier.yml": QUESTIONS, ANSWERS_JINJA: ANSWERS_TEMPLATE})
    write_files(root, {body_path(i): body_text(i) for i in range(body)})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "1.0.0")
    git(root, "tag", "1.0.0")
    edited, renamed, deleted = changed_indices(body)
    (root / "copier.yml").write_text(QUESTIONS + NEW_QUESTION)
    for i in edited:
        path = root / body_path(i)
        old, new = (TEMPLATED_HEAD, TEMPLATED_HEAD_2) if i % 2 == 0 else (PLAIN_HEAD, PLAIN_HEAD_2)
        number = str(i)
        path.write_text(
            path.read_text().replace(old.replace("NUMBER", number), new.replace("NUMBER", number))
        )
    for i in renamed:
        folder, name = body_path(i).rsplit("/", 1)
        git(root, "mv", body_path(i), f"{folder}/renamed_{name}")
    for i in deleted:
        git(root, "rm", "-q", body_path(i))
    write_files(root, {body_path(body + i): body_text(body + i) for i in range(5)})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "2.0.0")
    git(root, "tag", "2.0.0")
    unchanged = [i for i in range(0, body, 199) if i not in {*edited, *renamed, *deleted}]
    to_edit = edited[:5] + unchanged[:5]
    return root, [instance_path(body_path(i)) for i in to_edit]


def make_example(root: Path) -> Path:
    subprocess.run(
        [sys.executable, str(EXAMPLE_SCRIPT), str(root)], check=True, capture_output=True
    )
    return root


# -- the instance ----------------------------------------------------------------------------


def make_instance(template: Path, dst: Path, edits: Mapping[str, str]) -> Path:
    """Copier's copy of ``template`` at 1.0.0, committed, then ``edits`` made and committed."""
    time_process(
        [
            str(BIN / "copier"),
            "copy",
            "--defaults",
            "--trust",
            "--quiet",
            "--vcs-ref",
            "1.0.0",
            str(template.absolute()),
            str(dst),
        ]
    )
    git(dst, "init", "-q")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "copied at 1.0.0")
    for rel, where in edits.items():
        path = dst / rel
        text = path.read_text()
        if where == "prepend":
            path.write_text(EDIT + text)
        else:
            path.write_text(text + ("" if text.endswith("\n") else "\n") + EDIT)
    git(dst, "commit", "-q", "-am", "edits of this project")
    return dst


def fresh_copy(instance: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", str(instance), str(dst)], check=True)
    return dst


# -- timing ----------------------------------------------------------------------------------


def copier_command(path: Path, tag: str) -> list[str]:
    flags = ["--defaults", "--trust", "--quiet", "--skip-answered", "--vcs-ref", tag]
    return [str(BIN / "copier"), "update", *flags, str(path)]


def templsync_command(path: Path, tag: str) -> list[str]:
    flags = ["--defaults", "--trust", "--quiet", "--vcs-ref", tag]
    return [str(BIN / "templsync"), "update", *flags, str(path)]


def copier_update(path: Path, tag: str) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return copier.run_update(
            path,
            defaults=True,
            unsafe=True,
            quiet=True,
            overwrite=True,
            skip_answered=True,
            vcs_ref=tag,
        )


def templsync_update(path: Path, tag: str) -> object:
    return update(path, UpdateOptions(defaults=True, trust=True, quiet=True, vcs_ref=tag))


Runner = Callable[[Path, str], float]
Pair = tuple[float, float, int]


def as_process(command: Callable[[Path, str], list[str]]) -> Runner:
    return lambda path, tag: time_process(command(path, tag))


def in_process(call: Callable[[Path, str], object]) -> Runner:
    def run(path: Path, tag: str) -> float:
        start = time.perf_counter()
        call(path, tag)
        return time.perf_counter() - start

    return run


def time_pair(case: Case, copier_run: Runner, ours_run: Runner, work: Path, runs: int) -> Pair:
    """Median seconds of Copier's and templsync's update, and the number of files updated.

    The two take turns, run by run, each on its own fresh copy of the instance, so a change in
    the machine's load falls on both; each run's two results are compared before the next.
    """
    copier_times, ours_times = [], []
    files = 0
    for i in range(runs):
        theirs = fresh_copy(case.instance, work / f"run{i}" / "copier" / case.instance.name)
        ours = fresh_copy(case.instance, work / f"run{i}" / "templsync" / case.instance.name)
        copier_times.append(copier_run(theirs, case.tag))
        ours_times.append(ours_run(ours, case.tag))
        files = same_output(ours, theirs)
        shutil.rmtree(work / f"run{i}")
    return statistics.median(copier_times), statistics.median(ours_times), files


# -- comparing -------------------------------------------------------------------------------


def git_status(path: Path) -> list[str]:
    return sorted(git(path, "status", "--porcelain", "--untracked-files=all").splitlines())


def same_output(ours: Path, theirs: Path) -> int:
    """Compare two updated instances whole and return their file count; differ, and stop."""
    a, b = read_tree(ours, NOT_GIT), read_tree(theirs, NOT_GIT)
    differ = sorted(set(a.paths()) ^ set(b.paths()))
    differ += [
        path
        for path in sorted(set(a.paths()) & set(b.paths()))
        if (a[path].mode, a[path].content()) != (b[path].mode, b[path].content())
    ]
    if differ:
        listing = "\n".join(f"  {path}" for path in differ)
        raise SystemExit(f"templsync ({ours}) and Copier ({theirs}) differ:\n{listing}")
    status_a, status_b = git_status(ours), git_status(theirs)
    if status_a != status_b:
        raise SystemExit(
            f"git status differs after the update:\ntemplsync: {status_a}\nCopier: {status_b}"
        )
    return len(a.paths())


# -- one template ----------------------------------------------------------------------------

Row = tuple[str, int, float, float, float, float, float]


def measure(case: Case, work: Path, runs: int) -> Row:
    """(name, files, copier s, templsync s, templsync first run s, copier in / ours in)."""
    os.environ[CACHE_ENV] = str(work / "cache")  # empty: the first update compiles templates
    first = fresh_copy(case.instance, work / "first" / case.instance.name)
    first_s = time_process(templsync_command(first, case.tag))
    copier_s, ours_s, files = time_pair(
        case, as_process(copier_command), as_process(templsync_command), work, runs
    )
    copier_in, ours_in, _ = time_pair(
        case, in_process(copier_update), in_process(templsync_update), work, runs
    )
    return case.name, files, copier_s, ours_s, first_s, copier_in, ours_in


def compile_sources() -> None:
    """Write templsync's bytecode once, as a pip install does (the machine may not on import)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="Do not update docs/benchmarks.md")
    args = parser.parse_args()
    compile_sources()
    with tempfile.TemporaryDirectory(prefix="templsync-bench-update-") as tmp:
        work = Path(tmp)
        example = make_example(work / "example")
        example_instance = make_instance(example, work / "example-instance", EXAMPLE_EDITS)
        generated, edits = make_generated(work / "generated", args.files)
        generated_instance = make_instance(
            generated, work / "generated-instance", dict.fromkeys(edits, "append")
        )
        cases = [
            Case("example service template, 1.0.0 -> 1.1.0", example_instance, "1.1.0"),
            Case("example service template, 1.0.0 -> 2.0.0", example_instance, "2.0.0"),
            Case(
                f"generated, {args.files:,} files, 50 changed, 1.0.0 -> 2.0.0",
                generated_instance,
                "2.0.0",
            ),
        ]
        rows = [measure(case, work / f"case{i}", args.runs) for i, case in enumerate(cases)]
    table = render(rows, args.runs)
    print(table)
    if not args.no_write:
        write_block("update", table, SECTION)


def render(rows: list[Row], runs: int) -> str:
    lines = [
        "`update --defaults --trust --quiet --vcs-ref TAG` of an instance Copier copied at 1.0.0 "
        "(10 files edited and committed since), from a local git repository; median of "
        f"{runs} runs, each on a fresh copy of the instance and a fresh process, this machine "
        f"({os.cpu_count()} cores); then the same updates called in one process (start-up and "
        "imports excluded). Both tools' updated trees and `git status` are identical.",
        "",
        "| template | files | copier update (s) | templsync update (s) | speed-up "
        "| templsync, empty cache (s) | in one process: copier / templsync (s) | speed-up |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, files, copier_s, ours_s, first_s, copier_in, ours_in in rows:
        lines.append(
            f"| {name} | {files} | {copier_s:.2f} | {ours_s:.2f} | {copier_s / ours_s:.1f}x "
            f"| {first_s:.2f} | {copier_in:.2f} / {ours_in:.2f} | {copier_in / ours_in:.1f}x |"
        )
    lines.append("")
    for name, _, copier_s, ours_s, _, copier_in, ours_in in rows:
        ratio, ratio_in = copier_s / ours_s, copier_in / ours_in
        lines.append(
            f"- Target {TARGET:.0f}x on {name}: **{ratio:.1f}x** as processes, "
            f"{'met' if ratio >= TARGET else 'MISSED'}; {ratio_in:.1f}x in one process, "
            f"{'met' if ratio_in >= TARGET else 'MISSED'}."
        )
    return "\n".join(lines)


SECTION = """\
## Update: `templsync update` beside `copier update`

`bench/bench_update.py` (run it with `.venv/bin/python bench/bench_update.py`; it rewrites the
block below). Both tools update the same committed instance to the same tag, each run on its own
fresh copy (`cp -a`, `.git` included), as command-line processes, so each figure includes the
interpreter's start-up and imports. The same updates are then timed in one process
(`copier.run_update` beside `templsync.instance.update.update`) to show the work without start-up.
The benchmark compiles templsync's sources to bytecode first (`python -m compileall src`), as a
pip install does, because this machine sets `PYTHONDONTWRITEBYTECODE=1`.

How to read it:

- TODO
"""


if __name__ == "__main__":
    main()
