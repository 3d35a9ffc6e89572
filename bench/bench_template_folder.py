"""What a template whose Jinja extensions live in it costs: its version made into a folder once.

Extensions such as ``copier_template_extensions.TemplateExtensionLoader`` import the template's
own files from disk, so the first run that needs a version writes it to
``<cache>/versions/<commit>`` (``_io/templatefolder.py``) and later runs reuse it. Two figures
per template, each the median of ``--runs`` runs: ``template_folder`` alone, in this process,
with an empty cache and with the folder already there; and ``templsync copy --defaults --trust``
as a process, first (no version folder; compiled templates already cached, so the difference is
the folder) and reused. The templates are the copy benchmark's two (``bench_copy.py``), each
with a context hook in ``extensions/context.py`` loaded by path.

Run: .venv/bin/python bench/bench_template_folder.py [--runs N] [--no-write]
Writes its table into docs/benchmarks.md between the template-folder markers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_copy import make_example, make_generated
from benchdoc import time_process, write_block
from benchgit import git

from templsync._io.sources import resolve_source
from templsync._io.templatefolder import template_folder, versions_dir

BIN = Path(sys.executable).parent
SECTION = """\
## A template's extensions: its version as a folder

`bench/bench_template_folder.py` (it rewrites the block below). A template whose
`_jinja_extensions` import its own files (`copier_template_extensions.TemplateExtensionLoader`
with `extensions/context.py:ContextUpdater`) needs its version as a folder on disk. The first run
that needs a version writes it to the cache, once per commit; every later run finds it there.
Templates without such extensions never make one.
"""
EXTENSIONS = (
    "_jinja_extensions:\n"
    "  - copier_template_extensions.TemplateExtensionLoader\n"
    "  - extensions/context.py:ContextUpdater\n"
)
HOOK = """\
from copier_template_extensions import ContextHook


class ContextUpdater(ContextHook):
    def hook(self, context):
        context["hooked"] = True
"""


def with_extension(root: Path) -> Path:
    """Add the context hook to the template at ``root`` and tag the result."""
    config = root / "copier.yml"
    config.write_text(EXTENSIONS + config.read_text())
    (root / "extensions").mkdir(exist_ok=True)
    (root / "extensions" / "context.py").write_text(HOOK)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "an extension")
    git(root, "tag", "9.0.0")
    return root


def time_folder(src: Path, work: Path, runs: int) -> tuple[int, float, float]:
    """Files, then median seconds of ``template_folder`` with an empty cache and a made one."""
    source = resolve_source(str(src))
    version = source.resolve()
    tree = source.tree(version)
    first, again = [], []
    for run in range(runs):
        cache = work / f"cache{run}"
        start = time.perf_counter()
        template_folder(source, version, tree, cache)
        first.append(time.perf_counter() - start)
        start = time.perf_counter()
        template_folder(source, version, tree, cache)
        again.append(time.perf_counter() - start)
    return len(tree), statistics.median(first), statistics.median(again)


def time_copies(src: Path, work: Path, runs: int) -> tuple[float, float]:
    """Median seconds of ``templsync copy`` with no version folder, then with it made."""
    cache = work / "cache"
    env = {**os.environ, "TEMPLSYNC_CACHE_DIR": str(cache)}

    def copy(name: str) -> float:
        command = [str(BIN / "templsync"), "copy", "--defaults", "--trust", "--quiet"]
        return time_process([*command, str(src), str(work / name)], env=env)

    copy("warm-up")  # compiles the templates into the cache: both figures start from there
    first, again = [], []
    for run in range(runs):
        shutil.rmtree(versions_dir(cache))
        first.append(copy(f"first{run}"))
        again.append(copy(f"again{run}"))
    return statistics.median(first), statistics.median(again)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="Do not update docs/benchmarks.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="templsync-bench-folder-") as tmp:
        work = Path(tmp)
        templates = {
            "generated, 1,000 files": with_extension(make_generated(work / "generated", 1_000)),
            "example service template": with_extension(make_example(work / "example")),
        }
        for n, (name, src) in enumerate(templates.items()):
            files, first, again = time_folder(src, work / f"folder{n}", args.runs)
            copy_first, copy_again = time_copies(src, work / f"copy{n}", args.runs)
            rows.append((name, files, first, again, copy_first, copy_again))
    table = render(rows, args.runs)
    print(table)
    if not args.no_write:
        write_block("template-folder", table, SECTION)


def render(rows: list[tuple[str, int, float, float, float, float]], runs: int) -> str:
    load = os.getloadavg()[1]
    lines = [
        f"Median of {runs} runs, this machine ({os.cpu_count()} cores, load average {load:.1f} "
        "over the last 5 minutes: other work slows both copy columns alike; their difference is "
        "the folder's cost).",
        "",
        "| template | files | folder made (s) | folder reused (s) "
        "| copy, folder made (s) | copy, folder reused (s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, files, first, again, copy_first, copy_again in rows:
        lines.append(
            f"| {name} | {files} | {first:.3f} | {again:.5f} | {copy_first:.2f} "
            f"| {copy_again:.2f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
