"""Limits benchmark: what the guards on untrusted input cost a normal load.

Each input is generated in memory, shaped as the files templsync reads are: a ``copier.yml`` of
200 questions, an answers file of 100 answers, a 1 MB YAML data file (a few anchors and aliases
among them, as real files use them), and a 1.5 MB ``migration.json``. Each is loaded ``--runs``
times by the plain parser and by the guarded one, taking turns; the figure is the least CPU time
of one load (CPU time, not wall time: the machine is shared). The guarded loads must give the
same values as the plain ones before any figure is written.

- YAML: PyYAML's ``SafeLoader`` against :class:`templsync._yaml.LimitedLoader` (depth and alias
  counting at compose time).
- JSON: ``json.loads`` against :func:`templsync._limits.parse_within` with the walk that checks
  the depth of the value (``check=True``) and without it (``check=False``, as ``migration.json``
  and the stat cache are read).

Run: .venv/bin/python bench/bench_limits.py [--runs N] [--no-write]
Writes its table into docs/benchmarks.md between the limits markers.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import yaml
from benchdoc import write_block

from templsync._limits import parse_within
from templsync._yaml import LimitedLoader

SECTION = """\
## Limits: what the guards on untrusted input cost

Every YAML file templsync reads from a person or a template goes through a loader that counts
nesting and alias expansion as it composes (`templsync/_yaml.py`), and every JSON or TOML file
through a guard that turns a `RecursionError` into an error naming the file (`templsync/_limits.py`,
the limits themselves are listed in `docs/limits.md`). The figures: the least CPU time of one load,
plain parser beside guarded one, inputs shaped as the real files. Made by `bench/bench_limits.py`.
"""


def copier_yml() -> str:
    lines = []
    for n in range(200):
        lines += [f"q{n}:", "  type: str", f"  help: Question {n}", f"  default: value-{n}"]
        if n % 10 == 0:
            lines += ["  choices:", "    - a", "    - b", "    - c"]
    lines += ["_exclude:", "  - '*.pyc'", "  - .git", "_skip_if_exists:", "  - README.md"]
    return "\n".join(lines) + "\n"


def answers() -> str:
    body = {f"answer_{n}": f"value {n}" if n % 3 else [n, {"nested": n}] for n in range(100)}
    return "# Changes here will be overwritten\n" + yaml.safe_dump({"_commit": "v1", **body})


def data_file() -> str:
    parts = ["defaults: &defaults {replicas: 2, image: base, env: {A: '1', B: '2'}}\n"]
    n = 0
    while sum(map(len, parts)) < 1_000_000:
        parts.append(
            f"service{n}:\n  <<: *defaults\n  name: svc-{n}\n  ports: [80, 443]\n"
            f"  tags: [a, b, c]\n  notes: {'text ' * 10}\n"
        )
        n += 1
    return "".join(parts)


def migration_json() -> str:
    entries = {}
    for n in range(10_000):
        path = f"src/pkg{n % 50}/module_{n}.py"
        diffs = [{"operation": "replace", "startLine": 3, "endLine": 3, "oldContent": "a\n"}]
        entries[path] = {"type": "modify", "path": path, "digest": "0" * 40, "diffs": diffs}
    return json.dumps({"format": 1, "name": "x", "createdAt": "now", "entries": entries})


def least(load: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        load()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-write", action="store_true", help="print, do not write the doc")
    args = parser.parse_args()

    def plain_yaml(text: str) -> Callable[[], object]:
        return lambda: yaml.load(text, Loader=yaml.SafeLoader)  # a safe loader

    def guarded_yaml(text: str) -> Callable[[], object]:
        return lambda: yaml.load(text, Loader=LimitedLoader)  # a safe loader

    rows: list[tuple[str, float, float, float | None]] = []
    for name, text in (
        ("copier.yml", copier_yml()),
        ("answers file", answers()),
        ("data file", data_file()),
    ):
        plain, guarded = plain_yaml(text), guarded_yaml(text)
        assert plain() == guarded(), name
        a = b = float("inf")
        for _ in range(args.runs):  # taking turns, so both meet the same machine
            a = min(a, least(plain, 1))
            b = min(b, least(guarded, 1))
        rows.append((f"{name} ({len(text) / 1000:,.0f} kB), YAML", a, b, None))
    text = migration_json()

    def plain_json() -> object:
        return json.loads(text)

    def walked() -> object:
        return parse_within(plain_json)

    def unwalked() -> object:
        return parse_within(plain_json, check=False)

    assert plain_json() == walked() == unwalked()
    a = b = c = float("inf")
    for _ in range(args.runs):
        a = min(a, least(plain_json, 1))
        b = min(b, least(walked, 1))
        c = min(c, least(unwalked, 1))
    rows.append((f"migration.json ({len(text) / 1000:,.0f} kB), JSON", a, b, c))

    lines = [
        f"Least CPU time of one load in {args.runs} runs (ms); the guarded loads give the same "
        "values as the plain ones.",
        "",
        "| input | plain | guarded | ratio | guarded, no walk | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, plain_s, guarded_s, unwalked_s in rows:
        cells = [label, f"{plain_s * 1000:.1f}", f"{guarded_s * 1000:.1f}"]
        cells.append(f"{guarded_s / plain_s:.2f}x")
        if unwalked_s is None:
            cells += ["", ""]
        else:
            cells += [f"{unwalked_s * 1000:.1f}", f"{unwalked_s / plain_s:.2f}x"]
        lines.append("| " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        write_block("limits", table, SECTION)


if __name__ == "__main__":
    main()
