"""`verify`, `templatize` and `fleet patterns`, timed as processes beside what they replace.

On the service template of ``bench_backport.py`` (ten files, five questions):

- ``templsync verify TEMPLATE -- true``: a fresh instance of the working tree with a command run
  in it, beside doing it by hand with Copier (``copier copy --defaults`` into a new folder, the
  command run there, the folder removed);
- ``templsync templatize PROJECT --out T --var ...`` with its round-trip check, beside
  ``copier copy`` of the made template (what the check does in memory, as a process);
- ``templsync fleet patterns`` over fleets of 10 and 50 instances, each with its own edits and
  two customizations shared by six instances, per instance.

Run: ``.venv/bin/python bench/bench_instance_tools.py``; it rewrites the block
``bench:instance-tools`` of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from bench_backport import COPIER_TEMPLATE, commit, new_repo, write
from benchdoc import time_process, write_block
from benchgit import git

from templsync.instance.copy import CopyOptions, copy

TEMPLSYNC = [sys.executable, "-m", "templsync"]
COPIER = [sys.executable, "-m", "copier"]
SECTION = """## Instance -> template tools: `verify`, `templatize`, `fleet patterns`

`bench/bench_instance_tools.py` (run it with `.venv/bin/python bench/bench_instance_tools.py`; it
rewrites the block below). The service template of the back-port benchmark; every figure is a
process, start-up included.

How to read it:

- `verify` does what a template maintainer does by hand with Copier (copy into a fresh folder,
  run the tests there, remove it) in one process: its time beside the by-hand way is the copy's
  time beside Copier's, the command being `true`.
- `templatize` reads the project, finds every value's whole-word spellings, writes the template
  and copies it back in memory to prove the round trip; the peer row is only a `copier copy` of
  the template it made, the round trip done as Copier would do it, without making anything.
- `fleet patterns` renders each instance's template version, maps its customizations back (an
  origins render of each changed templated file and a round trip) and groups them; its cost
  grows with the instances, the template's compiled code being cached after the first.
"""


def median(runs: int, step: Callable[[], float]) -> float:
    return statistics.median(step() for _ in range(runs))


def template_repo(root: Path) -> Path:
    template = new_repo(root, COPIER_TEMPLATE)
    git(template, "tag", "1.0.0")
    return template


def verify_rows(work: Path, runs: int) -> list[str]:
    template = template_repo(work / "template")

    def ours() -> float:
        return time_process([*TEMPLSYNC, "verify", "-q", str(template), "--", "true"])

    def by_hand() -> float:
        target = work / "by-hand"
        seconds = time_process([*COPIER, "copy", "-q", "--defaults", str(template), str(target)])
        seconds += time_process(["true"], cwd=target)
        shutil.rmtree(target)
        return seconds

    a, b = median(runs, ours), median(runs, by_hand)
    return [
        f"| `templsync verify TEMPLATE -- true` | {a:.2f} | {a / b:.2f}x |",
        f"| `copier copy --defaults` + `true` + remove (peer) | {b:.2f} | |",
    ]


def templatize_rows(work: Path, runs: int) -> list[str]:
    template = template_repo(work / "template")
    project = work / "orders"
    copy(str(template), project, CopyOptions(vcs_ref="1.0.0", defaults=True, quiet=True))
    (project / ".copier-answers.yml").unlink()
    count = 0

    def ours() -> float:
        nonlocal count
        count += 1
        out = work / f"made{count}"
        values = ["--var", "project_slug=orders_api", "--var", "resource=orders"]
        return time_process([*TEMPLSYNC, "templatize", "-q", str(project), "-o", str(out), *values])

    def peer() -> float:
        target = work / "copied"
        data = ["-d", "project_slug=orders_api", "-d", "resource=orders"]
        seconds = time_process(
            [*COPIER, "copy", "-q", "--defaults", *data, str(work / "made1"), str(target)]
        )
        shutil.rmtree(target)
        return seconds

    a = median(runs, ours)
    b = median(runs, peer)
    return [
        f"| `templsync templatize` (with its round-trip check) | {a:.2f} | {a / b:.2f}x |",
        f"| `copier copy` of the made template (the round trip alone, peer) | {b:.2f} | |",
    ]


def fleet(work: Path, size: int) -> Path:
    """``size`` instances; health.py added in six, a README edit in six, each its own edits."""
    template = template_repo(work / "template")
    lines = ['template = "../template"\n']
    for i in range(size):
        slug = f"svc{i}_api"
        instance = work / "services" / f"svc{i}"
        options = CopyOptions(
            vcs_ref="1.0.0", defaults=True, data={"project_slug": slug}, quiet=True
        )
        copy(str(template), instance, options)
        git(instance, "init", "-q", "-b", "main")
        commit(instance, "copy")
        main = (instance / slug / "main.py").read_text()
        files = {
            f"notes-{i}.md": f"only svc{i}\n",
            f"{slug}/main.py": main.replace("WORKERS = 2", f"WORKERS = 2\nPORT = {8000 + i}"),
        }
        if i % 10 <= 5:
            files[f"{slug}/health.py"] = f"def health():\n    return '{slug} ok'\n"
        if 3 <= i % 10 <= 8:
            files["README.md"] = "# Service\n\nRun it with `make run`.\n"
        write(instance, files)
        commit(instance, "customize")
        lines.append(f'\n[[instance]]\nname = "svc{i}"\nlocation = "../services/svc{i}"\n')
    registry = work / "fleet" / "templsync-fleet.toml"
    registry.parent.mkdir()
    registry.write_text("".join(lines))
    return registry


def patterns_rows(work: Path, runs: int, sizes: Sequence[int]) -> list[str]:
    rows = []
    for size in sizes:
        registry = fleet(work / f"fleet{size}", size)
        command = [*TEMPLSYNC, "fleet", "patterns", "-q", "--fleet", str(registry)]
        seconds = statistics.median(time_process(command) for _ in range(runs))
        rows.append(
            f"| `templsync fleet patterns`, {size} instances | {seconds:.2f} "
            f"| {seconds / size * 1000:.0f} ms per instance |"
        )
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="10,50")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-instance-tools-") as tmp:
        work = Path(tmp)
        (work / "v").mkdir()
        (work / "t").mkdir()
        (work / "p").mkdir()
        rows = [
            *verify_rows(work / "v", args.runs),
            *templatize_rows(work / "t", args.runs),
            *patterns_rows(work / "p", args.runs, sizes),
        ]
    table = "\n".join(
        [
            f"Median of {args.runs} runs, one after the other, this machine "
            f"({os.cpu_count()} cores); ratio = templsync / the peer below it.",
            "",
            "| step | seconds | vs peer |",
            "| --- | ---: | ---: |",
            *rows,
        ]
    )
    print(table)
    write_block("instance-tools", table, SECTION)


if __name__ == "__main__":
    main()
