"""Schema benchmark: `templsync schema sync` on 200 models beside the peers, all as processes.

Two generated projects under ``bench/out/schema/`` (rebuilt when ``VERSION`` changes): 200
Tortoise models in one module (every field type templsync maps: the integer sizes with
validators, char, text, bool, decimal, float, datetimes with auto_now/auto_now_add, date, time,
timedelta, JSON, UUID, binary, char and int enums, a foreign key to the model before), and their
SQLAlchemy twins (the same columns, check constraints for the ranges).

Timed, median of ``--runs``, each command a fresh process (start-up included):

- ``templsync schema sync`` with no file and no state yet (a first sync), after one model of
  the 200 changed (a merge into the file on disk, with a backup), and with nothing changed (the
  no-change path: no import at all), for each ORM;
- a watch regeneration: ``templsync schema watch`` running, one model edited, the time until the
  generated file holds the change, less the debounce.

The peers, each once (they are slow): importing the 200 Tortoise models through Tortoise
alone; ``pydantic_model_creator`` for the three variants of the 200 (Create with
``exclude_readonly``, Update with every field optional, Response), whose JSON schema is then
given to ``datamodel-codegen``; ``sqlalchemy-pydantic-codegen`` on the SQLAlchemy twins. For each
peer output: how many classes (or JSON schema definitions) for the 600 schemas wanted, the size,
and whether the code imports.

Run: .venv/bin/python bench/bench_schema.py [--runs N] [--no-peers] [--no-write]
Writes its table into docs/benchmarks.md between the schema markers.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchdoc import time_process, write_block

from templsync.schema.sync import sync

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "schema"
BIN = Path(sys.executable).parent
VERSION = "1"
MODELS = 200
DEBOUNCE = 0.5
SYNC_TARGET = 2.0
NO_CHANGE_TARGET = 0.3
WATCH_TARGET = 0.5
SECTION = """\
## Schema sync: `templsync schema sync` on 200 models, beside the peers

`bench/bench_schema.py` (run it with `.venv/bin/python bench/bench_schema.py`; it rewrites the
block below). 200 generated Tortoise models in one module (every field type schema sync maps,
a foreign key each) and their SQLAlchemy twins. Every figure is a fresh process, start-up
included; templsync's figures are medians, the peers' (much slower) are one run each.

How to read it:

- Tortoise reads each model class's source to collect `#:` comments, and finding a class's
  source parses its whole module again: importing one module of 200 models parses it 200 times.
  templsync's Tortoise adapter does that one step with one parse per file (a test shows the
  models read are equal to Tortoise's own); the rest of the import is Tortoise's.
- The no-change run reads the state and hashes the recorded source files; it imports neither
  the models nor Pydantic nor pydantic-settings.
- The peers' columns say what they produce for the 600 schemas wanted (200 models x Create,
  Update, Response) and whether that code imports; what they lose is listed in
  `docs/schema-sync.md`, each loss with a test of templsync's own behaviour.
"""

_FIELDS_TORTOISE = """\
    id = fields.IntField(primary_key=True)
    code = fields.UUIDField(default=uuid.uuid4, unique=True)
    #: The name customers see
    name = fields.CharField(max_length={width}, validators=[MinLengthValidator(2)])
    notes = fields.TextField(null=True)
    price = fields.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    weight = fields.FloatField(null=True)
    stock = fields.IntField(default=0, validators=[MinValueValidator(0), MaxValueValidator(10000)])
    views = fields.BigIntField(default=0)
    rank = fields.SmallIntField(default=3, validators=[MinValueValidator(1), MaxValueValidator(5)])
    active = fields.BooleanField(default=True)
    color = fields.CharEnumField(Color, default=Color.RED)
    priority = fields.IntEnumField(Priority, null=True)
    released = fields.DateField(null=True)
    opens = fields.TimeField(null=True)
    warranty = fields.TimeDeltaField(null=True)
    attributes = fields.JSONField(default=dict)
    thumbnail = fields.BinaryField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
"""
_FIELDS_SA = """\
    __tablename__ = "{table}"
    __table_args__ = (
        CheckConstraint("stock >= 0 AND stock <= 10000"),
        CheckConstraint("rank BETWEEN 1 AND 5"),
        CheckConstraint("price >= 0"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[uuid.UUID] = mapped_column(Uuid, default=uuid.uuid4, unique=True)
    name: Mapped[str] = mapped_column(String({width}), comment="The name customers see")
    notes: Mapped[str | None] = mapped_column(Text)
    price: Mapped[decimal.Decimal] = mapped_column(Numeric(10, 2))
    weight: Mapped[float | None] = mapped_column(Float)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    views: Mapped[int] = mapped_column(BigInteger, default=0)
    rank: Mapped[int] = mapped_column(SmallInteger, default=3)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    color: Mapped[Color] = mapped_column(Enum(Color), default=Color.RED)
    priority: Mapped[Priority | None] = mapped_column(Enum(Priority))
    released: Mapped[datetime.date | None] = mapped_column(Date)
    opens: Mapped[datetime.time | None] = mapped_column(Time)
    warranty: Mapped[datetime.timedelta | None] = mapped_column(Interval)
    attributes: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now()
    )
"""
_ENUMS = """\
import enum


class Color(enum.StrEnum):
    RED = "red"
    GREEN = "green"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2
"""


def tortoise_source(count: int) -> str:
    head = [
        "import uuid",
        "from decimal import Decimal",
        "",
        "from tortoise import fields",
        "from tortoise.models import Model",
        "from tortoise.validators import MaxValueValidator, MinLengthValidator, MinValueValidator",
        "",
        "from shop.enums import Color, Priority",
    ]
    parts = ["\n".join(head)]
    for i in range(count):
        body = _FIELDS_TORTOISE.format(width=40 + i % 200)
        if i:
            body += f'    parent = fields.ForeignKeyField("models.Item{i - 1:03d}", null=True)\n'
        parts.append(f'\n\nclass Item{i:03d}(Model):\n    """Item number {i}."""\n\n{body}')
    return "\n".join(parts)


def sqlalchemy_source(count: int) -> str:
    head = [
        "from __future__ import annotations",
        "",
        "import datetime",
        "import decimal",
        "import uuid",
        "",
        "from sqlalchemy import (",
        *(
            f"    {n},"
            for n in [
                "JSON",
                "BigInteger",
                "Boolean",
                "CheckConstraint",
                "Date",
                "DateTime",
                "Enum",
                "Float",
                "ForeignKey",
                "Integer",
                "Interval",
                "LargeBinary",
                "Numeric",
                "SmallInteger",
                "String",
                "Text",
                "Time",
                "Uuid",
                "func",
            ]
        ),
        ")",
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column",
        "",
        "from shop_sa.enums import Color, Priority",
        "",
        "",
        "class Base(DeclarativeBase):",
        "    pass",
    ]
    parts = ["\n".join(head)]
    for i in range(count):
        body = _FIELDS_SA.format(width=40 + i % 200, table=f"item{i:03d}")
        if i:
            body += (
                f"    parent_id: Mapped[int | None] = mapped_column("
                f'ForeignKey("item{i - 1:03d}.id"))\n'
            )
        parts.append(f'\n\nclass Item{i:03d}(Base):\n    """Item number {i}."""\n\n{body}')
    return "\n".join(parts)


def build(count: int) -> tuple[Path, Path]:
    """The two projects (made once per VERSION), each with its pyproject.toml."""
    stamp = OUT / "version"
    tortoise_root, sa_root = OUT / "tortoise", OUT / "sqlalchemy"
    if stamp.exists() and stamp.read_text() == f"{VERSION}:{count}":
        return tortoise_root, sa_root
    shutil.rmtree(OUT, ignore_errors=True)
    for root, package, source in (
        (tortoise_root, "shop", tortoise_source(count)),
        (sa_root, "shop_sa", sqlalchemy_source(count)),
    ):
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
        (root / package / "enums.py").write_text(_ENUMS)
        (root / package / "models.py").write_text(source + "\n")
        (root / "pyproject.toml").write_text(
            f'[tool.templsync.schema]\nmodels = ["{package}.models"]\n'
            f'output = "api/schemas_generated.py"\nwatch_debounce_seconds = {DEBOUNCE}\n'
        )
    stamp.write_text(f"{VERSION}:{count}")
    return tortoise_root, sa_root


def reset(root: Path) -> None:
    shutil.rmtree(root / ".templsync", ignore_errors=True)
    shutil.rmtree(root / "api", ignore_errors=True)


SYNC = [str(BIN / "templsync"), "schema", "sync", "-q"]


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float  # user + system seconds of the process


def timed(command: list[str], cwd: Path) -> Timing:
    """:func:`time_process`, with the CPU seconds the process used (``RUSAGE_CHILDREN``): on a
    machine other work shares, CPU time says what the command costs when wall time cannot."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time_process(command, cwd=cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def median(timings: list[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings)
    )


def median_sync(root: Path, runs: int, before: str) -> Timing:
    """Median of ``schema sync`` in ``root``, ``before`` done outside the timing: ``first``
    (no file, no state), ``edit`` (one model changed, the file edited by hand), ``none``
    (nothing changed)."""
    models = next(root.glob("*/models.py"))
    output = root / "api" / "schemas_generated.py"
    original = models.read_text()
    times = []
    for run in range(runs):
        if before == "first":
            reset(root)
        elif before == "edit":
            time_process(SYNC, cwd=root)
            output.write_text(output.read_text() + "# a hand edit\n")
            models.write_text(
                original.replace("max_length=40,", f"max_length={41 + run},", 1).replace(
                    "String(40)", f"String({41 + run})", 1
                )
            )
        elif before == "none":
            time_process(SYNC, cwd=root)
        times.append(timed(SYNC, root))
    models.write_text(original)
    return median(times)


def watch_latency(root: Path, runs: int) -> list[float]:
    """Seconds from a model edit to the regenerated file, less the debounce, for each run."""
    models = root / "shop" / "models.py"
    output = root / "api" / "schemas_generated.py"
    original = models.read_text()
    process = subprocess.Popen(
        [str(BIN / "templsync"), "schema", "watch"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    latencies = []
    try:
        process.stdout.readline()  # watching ...
        process.stdout.readline()  # start: ...
        for run in range(runs):
            time.sleep(DEBOUNCE + 0.5)
            width = 300 + run
            models.write_text(original.replace("max_length=40,", f"max_length={width},", 1))
            edited = time.perf_counter()
            while f"max_length={width}," not in output.read_text():
                if time.perf_counter() - edited > 30:
                    raise SystemExit(f"watch did not regenerate: {process.stdout.readline()}")
                time.sleep(0.005)
            latencies.append(time.perf_counter() - edited - DEBOUNCE)
            process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=30)
        models.write_text(original)
    return latencies


def regeneration(root: Path, runs: int) -> Timing:
    """A watch regeneration's work, timed in this process: ``sync()`` after one model changed,
    with Tortoise, Pydantic and templsync already loaded (as in the watching process)."""
    models = root / "shop" / "models.py"
    original = models.read_text()
    sync(root)
    times = []
    for run in range(runs):
        models.write_text(original.replace("max_length=40,", f"max_length={500 + run},", 1))
        wall, cpu = time.perf_counter(), time.process_time()
        sync(root)
        times.append(Timing(time.perf_counter() - wall, time.process_time() - cpu))
    models.write_text(original)
    return median(times)


@dataclass
class Peer:
    name: str
    seconds: float
    produced: str = ""
    size: int = 0
    imports: bool | None = None
    note: str = ""


@dataclass
class Figures:
    first: dict[str, Timing] = field(default_factory=dict)
    edit: dict[str, Timing] = field(default_factory=dict)
    none: dict[str, Timing] = field(default_factory=dict)
    watch: list[float] = field(default_factory=list)
    regeneration: Timing = Timing(0.0, 0.0)
    startup: Timing = Timing(0.0, 0.0)
    load: float = 0.0
    size: dict[str, int] = field(default_factory=dict)
    peers: list[Peer] = field(default_factory=list)


def run_python(code: str, cwd: Path) -> float:
    return time_process([sys.executable, "-c", code], cwd=cwd, env=_env(cwd))


def _env(cwd: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(cwd), "PYTHONDONTWRITEBYTECODE": "1"}


def imports(path: Path, cwd: Path, module: str) -> bool:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=cwd,
        env=_env(cwd),
        capture_output=True,
        check=False,
    )
    del path
    return done.returncode == 0


CREATOR = """\
import json, sys
from pydantic.json_schema import models_json_schema
from tortoise import Tortoise
from tortoise.contrib.pydantic import pydantic_model_creator
Tortoise.init_models(["shop.models"], "models")
import shop.models as m
made = []
for name in sorted(n for n in dir(m) if n.startswith("Item")):
    cls = getattr(m, name)
    fields = tuple(cls._meta.fields_map)
    made.append(pydantic_model_creator(cls, name=name + "Create", exclude_readonly=True))
    made.append(pydantic_model_creator(
        cls, name=name + "Update", exclude_readonly=True, optional=fields))
    made.append(pydantic_model_creator(cls, name=name + "Response"))
_, schema = models_json_schema([(model, "validation") for model in made])
json.dump(schema, open(sys.argv[1], "w"))
"""


def peers(tortoise_root: Path, sa_root: Path) -> list[Peer]:
    found = [
        Peer(
            "importing the 200 models through Tortoise alone",
            run_python("import shop.models", tortoise_root),
        )
    ]
    schema_file = OUT / "creator_schema.json"
    seconds = time_process(
        [sys.executable, "-c", CREATOR, str(schema_file)],
        cwd=tortoise_root,
        env=_env(tortoise_root),
    )
    definitions = json.loads(schema_file.read_text()).get("$defs", {})
    found.append(
        Peer(
            "Tortoise `pydantic_model_creator`, 3 variants",
            seconds,
            f"{len(definitions):,} JSON schema definitions",
            schema_file.stat().st_size,
            None,
            "in memory; its JSON schema is the next row's input",
        )
    )
    generated = OUT / "datamodel_codegen.py"
    seconds = time_process(
        [
            str(BIN / "datamodel-codegen"),
            "--input",
            str(schema_file),
            "--input-file-type",
            "jsonschema",
            "--output",
            str(generated),
            "--output-model-type",
            "pydantic_v2.BaseModel",
        ],
        cwd=OUT,
    )
    text = generated.read_text()
    found.append(
        Peer(
            "datamodel-codegen on that JSON schema",
            seconds,
            f"{len(re.findall(r'^class ', text, re.MULTILINE)):,} classes",
            len(text.encode()),
            imports(generated, OUT, generated.stem),
        )
    )
    target = sa_root / "spc_out"
    shutil.rmtree(target, ignore_errors=True)
    seconds = time_process(
        [
            str(BIN / "sqlalchemy-pydantic-codegen"),
            "--models-path",
            "shop_sa.models",
            "--output-dir",
            str(target),
        ],
        cwd=sa_root,
        env=_env(sa_root),
    )
    files = sorted(target.rglob("*.py"))
    size = sum(f.stat().st_size for f in files)
    classes = sum(len(re.findall(r"^class ", f.read_text(), re.MULTILINE)) for f in files)
    (target / "__init__.py").touch()
    ok = all(
        imports(f, sa_root, f"spc_out.{'.'.join(f.relative_to(target).with_suffix('').parts)}")
        for f in files
        if f.name != "__init__.py"
    )
    found.append(
        Peer(
            "sqlalchemy-pydantic-codegen on the SQLAlchemy twins",
            seconds,
            f"{classes:,} classes in {len(files)} files",
            size,
            ok,
        )
    )
    return found


def measure(runs: int, with_peers: bool) -> Figures:
    tortoise_root, sa_root = build(MODELS)
    figures = Figures()
    figures.load = os.getloadavg()[0]
    figures.startup = median([timed([str(BIN / "templsync"), "--help"], ROOT) for _ in range(runs)])
    for label, root in (("Tortoise", tortoise_root), ("SQLAlchemy", sa_root)):
        figures.first[label] = median_sync(root, runs, "first")
        figures.edit[label] = median_sync(root, runs, "edit")
        figures.none[label] = median_sync(root, runs, "none")
        figures.size[label] = (root / "api" / "schemas_generated.py").stat().st_size
    figures.watch = watch_latency(tortoise_root, runs)
    figures.regeneration = regeneration(tortoise_root, runs)
    if with_peers:
        figures.peers = peers(tortoise_root, sa_root)
    return figures


def render(f: Figures, runs: int) -> str:
    def pair(t: dict[str, Timing], key: str) -> str:
        return f"{t[key].wall:.2f} | {t[key].cpu:.2f}"

    lines = [
        f"{MODELS} models (one module) per ORM; templsync: median of {runs} runs, the peers: "
        f"one run; every figure a fresh process unless said; this machine ({os.cpu_count()} "
        f"cores, load average {f.load:.1f} when the run started: wall time is shared with other "
        "work, CPU time is the command's own).",
        "",
        "| step | Tortoise wall (s) | CPU (s) | SQLAlchemy wall (s) | CPU (s) |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| `schema sync`, first (no file, no state) | {pair(f.first, 'Tortoise')} "
        f"| {pair(f.first, 'SQLAlchemy')} |",
        f"| `schema sync` after one model changed, the file edited by hand (merge + backup) "
        f"| {pair(f.edit, 'Tortoise')} | {pair(f.edit, 'SQLAlchemy')} |",
        f"| `schema sync`, nothing changed | {pair(f.none, 'Tortoise')} "
        f"| {pair(f.none, 'SQLAlchemy')} |",
        f"| `schema watch`: edit to regenerated file, less the {DEBOUNCE} s debounce "
        f"| {statistics.median(f.watch):.2f} (best {min(f.watch):.2f}) | | | |",
        f"| one watch regeneration's work, in process | {f.regeneration.wall:.2f} "
        f"| {f.regeneration.cpu:.2f} | | |",
        f"| start-up alone (`templsync --help`) | {f.startup.wall:.2f} | {f.startup.cpu:.2f} | | |",
        f"| the generated file (600 classes), KB | {f.size['Tortoise'] / 1000:.0f} | "
        f"| {f.size['SQLAlchemy'] / 1000:.0f} | |",
        "",
    ]
    if f.peers:
        lines += [
            "| peer | seconds | vs `schema sync` (first, wall) | output for the 600 schemas "
            "| size (KB) | imports |",
            "| --- | ---: | ---: | --- | ---: | --- |",
        ]
        for peer in f.peers:
            base = f.first["SQLAlchemy" if "SQLAlchemy" in peer.name else "Tortoise"].wall
            shown = {True: "yes", False: "**no**", None: ""}[peer.imports]
            size = f"{peer.size / 1000:,.0f}" if peer.size else ""
            what = peer.produced + (f" ({peer.note})" if peer.note else "")
            lines.append(
                f"| {peer.name} | {peer.seconds:.1f} | {peer.seconds / base:.0f}x | {what} "
                f"| {size} | {shown} |"
            )
        lines.append("")
    targets = (
        ("a full `schema sync` of the 200 Tortoise models", f.first["Tortoise"], SYNC_TARGET),
        ("a no-change run", max(f.none.values(), key=lambda t: t.wall), NO_CHANGE_TARGET),
    )
    for what, timing, target in targets:
        verdict = "met" if timing.wall <= target else "MISSED"
        lines.append(
            f"- Target: {what} under {target} s: **{timing.wall:.2f} s** wall "
            f"({timing.cpu:.2f} s CPU), {verdict}."
        )
    watch = statistics.median(f.watch)
    verdict = "met" if watch <= WATCH_TARGET else "MISSED"
    lines.append(
        f"- Target: a watch regeneration visible within the debounce + {WATCH_TARGET} s: "
        f"**{watch:.2f} s** after the debounce (median; best of {len(f.watch)} "
        f"{min(f.watch):.2f} s), {verdict} (the regeneration's own work: "
        f"{f.regeneration.cpu:.2f} s CPU)."
    )
    sa = f.first["SQLAlchemy"]
    lines.append(
        f"- The SQLAlchemy set's first sync takes {sa.wall:.2f} s: SQLAlchemy's declarative "
        "mapping of 200 classes is most of it (a profile shows it in `_as_declarative`)."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-peers", action="store_true", help="Time templsync only")
    parser.add_argument("--no-write", action="store_true", help="Do not update docs/benchmarks.md")
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "src", quiet=1)
    figures = measure(args.runs, not args.no_peers)
    table = render(figures, args.runs)
    print(table)
    if not args.no_write:
        write_block("schema", table, SECTION)


if __name__ == "__main__":
    main()
