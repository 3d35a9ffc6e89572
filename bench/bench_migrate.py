"""Migrate benchmark: `migrate generate` and `migrate init` on 10,000 files, against a floor.

The template is a generated project of 10,000 files (nested folders, text files of varied sizes,
a few binaries) whose ``migrations/`` hold 100 migrations: the first creates every file, each
later one changes, adds, deletes and moves a few dozen. The history is built in memory with the
package's own pieces (``build.changed_paths`` + ``build.build_entries`` + ``codec.encode``) and
written with plain writes, once, under ``bench/out/`` (kept between runs; a version stamp says
when to rebuild). Before any figure, the history is loaded and replayed and must add up to the
project's files.

Timed, median of ``--runs``, each command as a fresh process (start-up included):

- the floor: every file of the project (not ``migrations/``) read and hashed once as a git blob
  (``os.walk`` + read + SHA-1 of ``blob <size>\\0`` + content), in this process, files in the
  page cache, as in every timed command;
- ``templsync migrate generate NAME -p TEMPLATE --moves auto`` on a fresh copy of the template in
  which 50 files were changed (40 edited, 5 added, 5 deleted), the copy made outside the timing;
- ``templsync migrate init TARGET -t TEMPLATE --yes`` into a new folder.

Then ``generate()`` and ``init_project()`` are timed in this process (start-up and imports
excluded), and the writer's fsync rate on this disk is measured, since ``init`` writes 10,000
files each fsynced.

Run: .venv/bin/python bench/bench_migrate.py [--runs N] [--no-write]
Writes its table into docs/benchmarks.md between the migrate markers.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from benchdoc import time_process, write_block

from templsync._core.tree import FileEntry, Tree
from templsync.migrate import codec, store
from templsync.migrate.build import build_entries, changed_paths
from templsync.migrate.generate import GenerateOptions, generate
from templsync.migrate.initialize import init_project
from templsync.migrate.model import Migration

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "migrate"
BIN = Path(sys.executable).parent
VERSION = "3"  # bump when the generated project or its history changes shape
TARGET = 3.0  # each command within 3x of the floor
FILES = 10_000
MIGRATIONS = 100
CHANGED = 50  # files changed before the timed generate: 40 edited, 5 added, 5 deleted
SECTION = """\
## Migrate: `migrate generate` and `migrate init` against reading the project once

`bench/bench_migrate.py` (run it with `.venv/bin/python bench/bench_migrate.py`; it rewrites the
block below). The template is a generated 10,000-file project whose `migrations/` hold 100
migrations (the first creates every file; each later one edits, adds, deletes and moves a few
dozen). The floor is reading and hashing every file of the project once (`os.walk`, read, SHA-1
as a git blob; not `migrations/`), timed in the benchmark's process in the same run. Both
commands run as processes, each on a fresh copy (generate) or into a new folder (init), so each
figure includes the interpreter's start-up; the same calls are then timed in one process.
"""

WORDS = (
    *("alpha", "beta", "gamma", "delta", "config", "value", "return", "import", "self", "data"),
    *("path", "file", "name", "project", "service", "handler", "request", "response", "item"),
    *("list", "dict", "index", "count", "total", "error", "warning", "info", "debug", "status"),
    *("result", "state", "update", "create", "delete", "move"),
)


@dataclass(frozen=True)
class Layout:
    template: Path  # the template folder: the project's files and migrations/
    files: int
    migrations: int
    bytes: int


# --- building the template -------------------------------------------------------------------


def _text(rng: random.Random, lines: int, ext: str) -> bytes:
    out = []
    for i in range(lines):
        width = rng.randint(0, 12)
        words = " ".join(rng.choice(WORDS) for _ in range(width))
        if ext == ".py":
            out.append(f"{'    ' * (i % 3)}{words.replace(' ', '_') or 'pass'} = {i}\n")
        elif ext == ".md":
            out.append(f"{words.capitalize()}.\n" if words else "\n")
        else:
            out.append(f"{words}\n")
    return "".join(out).encode()


def _new_file(rng: random.Random, path: str) -> bytes:
    ext = Path(path).suffix
    if ext in (".png", ".bin"):
        return rng.randbytes(rng.randint(2_000, 60_000))
    # Mostly small files, a tail of large ones (lines: 5 .. ~2,000).
    lines = min(2_000, max(5, int(rng.lognormvariate(3.6, 0.9))))
    return _text(rng, lines, ext)


TOPS = ("src", "src", "src", "tests", "docs", "config", "assets")
FOLDERS = tuple(
    folder
    for top in sorted(set(TOPS))
    for i in range(8)
    for folder in (f"{top}/m{i}", *(f"{top}/m{i}/s{j}" for j in range(6)))
)
"""392 folders two and three deep: about 25 files a folder at 10,000 files."""


def _path(rng: random.Random, serial: int) -> str:
    top = rng.choice(TOPS)
    ext = {
        "src": ".py",
        "tests": ".py",
        "docs": ".md",
        "config": ".yaml",
        "assets": rng.choice((".svg", ".css", ".png", ".txt")),
    }[top]
    if top == "assets" and ext == ".png" and rng.random() < 0.7:
        ext = ".txt"  # keep binaries a few per cent of the files
    folder = rng.choice([f for f in FOLDERS if f.startswith(top + "/")])
    return f"{folder}/f{serial:05d}{ext}"


def _edit(rng: random.Random, data: bytes) -> bytes:
    """A text file with a few lines replaced, inserted and deleted."""
    lines = data.splitlines(keepends=True)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(lines) + 1)
        roll = rng.random()
        if roll < 0.4 and at < len(lines):
            lines[at] = f"changed {rng.randint(0, 10**9)} {rng.choice(WORDS)}\n".encode()
        elif roll < 0.8:
            lines.insert(at, f"inserted {rng.randint(0, 10**9)}\n".encode())
        elif at < len(lines) and len(lines) > 2:
            del lines[at]
    return b"".join(lines)


def _is_text(path: str) -> bool:
    return not path.endswith(".png")


def _step(
    rng: random.Random, state: dict[str, bytes], serial: int
) -> tuple[dict[str, bytes], dict[str, str], int]:
    """The next state of the project (a few dozen files changed), its moves, the next serial."""
    after = dict(state)
    texts = sorted(p for p in state if _is_text(p))
    picked = rng.sample(texts, 45)
    edited, deleted, moved = picked[:25], picked[25:35], picked[35:45]
    for path in edited:
        after[path] = _edit(rng, after[path])
    for path in deleted:
        del after[path]
    moves = {}
    for path in moved:
        data = after.pop(path)
        new_path = _path(rng, serial)
        serial += 1
        after[new_path] = _edit(rng, data) if rng.random() < 0.5 else data
        moves[path] = new_path
    for _ in range(15):
        path = _path(rng, serial)
        serial += 1
        after[path] = _new_file(rng, path)
    return after, moves, serial


def _tree(state: dict[str, bytes], known: dict[str, FileEntry]) -> Tree:
    """``state`` as a Tree, reusing the entries of unchanged files."""
    entries = {}
    for path, data in state.items():
        entry = known.get(path)
        if entry is None or entry.content() is not data:
            entry = known[path] = FileEntry.from_bytes(data)
        entries[path] = entry
    return Tree._trusted(entries)


def _write(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def build_template(root: Path, files: int, migrations: int) -> None:
    """The project's files and a history of ``migrations`` that adds up to them, written to root."""
    rng = random.Random(20240601)
    state: dict[str, bytes] = {}
    serial = 0
    while len(state) < files - 5 * (migrations - 1) - 1:  # each later migration: +15, -10
        path = _path(rng, serial)
        serial += 1
        state[path] = _new_file(rng, path)
    state[".gitignore"] = b"__pycache__/\n*.pyc\n"
    known: dict[str, FileEntry] = {}
    before = Tree()
    for number in range(migrations):
        moves: dict[str, str] = {}
        if number:
            state, moves, serial = _step(rng, state, serial)
        after = _tree(state, known)
        entries, contents = build_entries(before, after, changed_paths(before, after), moves)
        stamp = f"2024-01-{1 + number // 24:02d}T{number % 24:02d}-00-00"
        name = f"{stamp}_{'create-project' if number == 0 else f'step-{number:03d}'}"
        created = stamp.replace("-00-00", ":00:00Z")
        encoded = codec.encode(Migration(name, entries, contents), created)
        _write(root / store.MIGRATIONS_DIR / name, encoded)
        before = after
    _write(root, state)


def template(files: int, migrations: int) -> Layout:
    """The cached template for these sizes, built first if missing or of another version."""
    folder = OUT / f"v{VERSION}-{files}-{migrations}"
    done = folder / "built"
    if not done.exists():
        if folder.exists():
            shutil.rmtree(folder)
        print(f"building {folder} ...", file=sys.stderr)
        start = time.perf_counter()
        build_template(folder / "template", files, migrations)
        check_history(folder / "template", migrations)
        done.write_text("ok\n")
        print(f"built in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    tree = project_files(folder / "template")
    return Layout(
        folder / "template",
        len(tree),
        len(store.folder_names(folder / "template", print, strict=True)),
        sum(len(data) for data in tree.values()),
    )


def project_files(template: Path) -> dict[str, bytes]:
    """The project's files (not ``migrations/``) by relative path."""
    return {
        str(path.relative_to(template)): path.read_bytes()
        for path in template.rglob("*")
        if path.is_file() and path.relative_to(template).parts[0] != store.MIGRATIONS_DIR
    }


def check_history(template: Path, migrations: int) -> None:
    """The replayed history must be exactly the project's files, as generate will read them."""
    history = store.load_history(template, print, strict=True)
    current = store.read_project(template, store.ignore_rules(template))
    if len(history.steps) != migrations or history.final != current:
        raise SystemExit(f"{template}: the history does not add up to the project's files")


# --- timing ------------------------------------------------------------------------------------


def floor(template: Path, *, migrations_too: bool = False) -> float:
    """Seconds to read and hash (git blob SHA-1) every file of the project once."""
    start = time.perf_counter()
    top = str(template)
    digests = []
    for dirpath, dirnames, filenames in os.walk(top):
        if dirpath == top and not migrations_too:
            dirnames.remove(store.MIGRATIONS_DIR)
        for name in filenames:
            fd = os.open(f"{dirpath}/{name}", os.O_RDONLY)
            try:
                data = os.read(fd, os.fstat(fd).st_size + 1)
            finally:
                os.close(fd)
            h = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
            h.update(data)
            digests.append(h.hexdigest())
    return time.perf_counter() - start


def change_files(template: Path, count: int, seed: int) -> None:
    """Edit, add and delete ``count`` text files of the project (40 / 5 / 5 of 50)."""
    rng = random.Random(seed)
    files = sorted(p for p in project_files(template) if _is_text(p) and p != ".gitignore")
    picked = rng.sample(files, count)
    extra = count // 10
    for rel in picked[: count - 2 * extra]:
        path = template / rel
        path.write_bytes(_edit(rng, path.read_bytes()))
    for rel in picked[count - 2 * extra : count - extra]:
        (template / rel).unlink()
    for i in range(extra):
        path = template / "src" / "added" / f"new{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_new_file(rng, str(path)))


def fresh_copy(template: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", str(template), str(dest)], check=True)
    os.sync()  # the copy's write-back is not left to slow down what is timed next
    return dest


def cli_ready() -> bool:
    done = subprocess.run(
        [str(BIN / "templsync"), "migrate", "--help"], capture_output=True, check=False
    )
    return done.returncode == 0


def generate_command(template: Path, cli: bool) -> list[str]:
    if cli:
        return [str(BIN / "templsync"), "migrate", "generate", "bench", "-p", str(template)]
    code = (
        "import sys; from pathlib import Path; from templsync.migrate.generate import "
        "GenerateOptions, generate; "
        "r = generate(Path(sys.argv[1]), GenerateOptions(name='bench')); "
        "assert r.migration is not None"
    )
    return [sys.executable, "-c", code, str(template)]


def init_command(template: Path, target: Path, cli: bool) -> list[str]:
    if cli:
        return [
            str(BIN / "templsync"),
            "migrate",
            "init",
            str(target),
            "-t",
            str(template),
            "--yes",
        ]
    code = (
        "import sys; from pathlib import Path; from templsync.migrate.initialize import "
        "init_project; init_project(Path(sys.argv[1]), Path(sys.argv[2]))"
    )
    return [sys.executable, "-c", code, str(template), str(target)]


@dataclass(frozen=True)
class Figures:
    floor: float
    floor_all: float
    generate: float
    init: float
    generate_in: float
    init_in: float
    write_floor: float
    startup: float
    cli: bool


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def measure(layout: Layout, runs: int, scratch: Path) -> Figures:
    cli = cli_ready()
    src = layout.template
    if scratch.exists():  # left by an interrupted run
        shutil.rmtree(scratch)
        os.sync()
    floors, floors_all, gens, inits, gens_in, inits_in = [], [], [], [], [], []
    writes = []
    contents = project_contents(src)
    # Nothing is deleted until the end: this disk is mounted with `discard`, and the files
    # created right after a large deletion wait for it (seconds for 10,000 files).
    for run in range(runs):
        # The floors and the commands take turns, so a busy moment slows them alike.
        floors.append(floor(src))
        floors_all.append(floor(src, migrations_too=True))
        writes.append(timed_write(contents, scratch / "write" / f"run{run}"))
        copy = fresh_copy(src, scratch / "generate" / f"run{run}")
        change_files(copy, CHANGED, seed=run)
        os.sync()
        gens.append(time_process(generate_command(copy, cli)))
        _check_generated(copy, layout.migrations + 1)
        target = scratch / "init" / f"run{run}"
        inits.append(time_process(init_command(src, target, cli)))
        _check_init(target, layout.files)
        copy = fresh_copy(src, scratch / "generate" / f"in{run}")
        change_files(copy, CHANGED, seed=run)
        os.sync()
        options = GenerateOptions(name="bench", moves="auto")
        gens_in.append(timed(partial(generate, copy, options)))
        inits_in.append(timed(partial(init_project, src, scratch / "init" / f"in{run}")))
        os.sync()
    for folder in ("generate", "init", "write"):
        shutil.rmtree(scratch / folder)
    write_floor = statistics.median(writes)
    startup = statistics.median(
        time_process([str(BIN / "templsync"), "--help"]) for _ in range(runs)
    )
    return Figures(
        statistics.median(floors),
        statistics.median(floors_all),
        statistics.median(gens),
        statistics.median(inits),
        statistics.median(gens_in),
        statistics.median(inits_in),
        write_floor,
        startup,
        cli,
    )


def _check_generated(template: Path, expected: int) -> None:
    names = store.folder_names(template, print, strict=True)
    if len(names) != expected:
        raise SystemExit(f"generate wrote {len(names) - expected + 1} migrations, not one")


def _check_init(target: Path, files: int) -> None:
    written = sum(len(f) for _, _, f in os.walk(target))
    if written != files + 1:  # and applied-migrations.json
        raise SystemExit(f"init wrote {written} files, not {files + 1}")


def project_contents(template: Path) -> dict[str, bytes]:
    """Every project file (``migrations/`` left out) by relative path, read into memory."""
    contents = {}
    top = str(template)
    for dirpath, dirnames, filenames in os.walk(top):
        if dirpath == top:
            dirnames.remove(store.MIGRATIONS_DIR)
        for name in filenames:
            full = f"{dirpath}/{name}"
            contents[os.path.relpath(full, top)] = Path(full).read_bytes()
    return contents


def timed_write(contents: dict[str, bytes], dest: Path) -> float:
    """Seconds to write ``contents`` as a new folder with a plain loop (no fsync), the least any
    program creating these files pays."""
    start = time.perf_counter()
    for folder in sorted({p.rpartition("/")[0] for p in contents}):
        (dest / folder).mkdir(parents=True, exist_ok=True)
    base = str(dest)
    for rel, data in contents.items():
        fd = os.open(f"{base}/{rel}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, data)
        os.close(fd)
    elapsed = time.perf_counter() - start
    os.sync()
    return elapsed


# --- the block ---------------------------------------------------------------------------------


def render(layout: Layout, f: Figures, runs: int) -> str:
    how = "`templsync migrate ...`" if f.cli else "`python -c` calling the API (no CLI yet)"
    lines = [
        f"A {layout.files:,}-file project ({layout.bytes / 1e6:.0f} MB) with "
        f"{layout.migrations} migrations in its history; median of {runs} runs, commands as "
        f"fresh processes ({how}), this machine ({os.cpu_count()} cores), files in the page "
        "cache. `generate` runs on a fresh copy of the template with 50 files changed (40 "
        "edited, 5 added, 5 deleted); `init` writes a new folder.",
        "",
        "| step | seconds | vs floor | in one process (s) | vs floor |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| floor: read + hash every project file once | {f.floor:.3f} | 1.0x | | |",
        f"| read + hash every file, `migrations/` too | {f.floor_all:.3f} "
        f"| {f.floor_all / f.floor:.1f}x | | |",
        f"| `migrate generate` after 50 changed files | {f.generate:.2f} "
        f"| {f.generate / f.floor:.1f}x | {f.generate_in:.2f} | {f.generate_in / f.floor:.1f}x |",
        f"| `migrate init` of a new project | {f.init:.2f} | {f.init / f.floor:.1f}x "
        f"| {f.init_in:.2f} | {f.init_in / f.floor:.1f}x |",
        f"| start-up alone (`templsync --help`) | {f.startup:.2f} | | | |",
        f"| writing the project's files into a new folder, plain loop, no fsync | "
        f"{f.write_floor:.2f} | {f.write_floor / f.floor:.1f}x | | |",
        "",
    ]
    for name, seconds in (("generate", f.generate), ("init", f.init)):
        ratio = seconds / f.floor
        verdict = "met" if ratio <= TARGET else "MISSED"
        lines.append(
            f"- Target: `{name}` within {TARGET:.0f}x of the floor: **{ratio:.1f}x**, {verdict}."
        )
    lines.append(
        f"- What bounds `init`: creating the project's {layout.files:,} files, which a plain "
        f"loop with no fsync does in {f.write_floor:.2f} s here; `init` (which also reads "
        f"and replays the history, and makes the files durable) takes "
        f"{f.init / f.write_floor:.2f}x of that."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=FILES)
    parser.add_argument("--migrations", type=int, default=MIGRATIONS)
    parser.add_argument("--no-write", action="store_true", help="Do not update docs/benchmarks.md")
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "src", quiet=1)
    layout = template(args.files, args.migrations)
    figures = measure(layout, args.runs, OUT / "scratch")
    table = render(layout, figures, args.runs)
    print(table)
    if not args.no_write:
        write_block("migrate", table, SECTION)


if __name__ == "__main__":
    main()
