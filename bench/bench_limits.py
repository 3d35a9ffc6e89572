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

A second table is the cost of the sandbox and the render's limits on rendering
(``templsync/template/sandbox.py``): three template files shaped as real ones (a README of mostly
text, a ``pyproject.toml`` with conditions and loops over the answers, a generated file of loops
and arithmetic) are rendered ``--runs`` times by Jinja's plain ``Environment``, by Jinja's
``SandboxedEnvironment`` and by templsync's environment (untrusted: refused filters, metered
output, checks on operators, calls and loops), the compiled template reused as in a real run;
the three must give the same text before any figure is written.

Run: .venv/bin/python bench/bench_limits.py [--runs N] [--no-write]
Writes its tables into docs/benchmarks.md between the limits markers and the sandbox markers.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from functools import partial

import jinja2
import yaml
from benchdoc import write_block
from jinja2.sandbox import SandboxedEnvironment

from templsync._core.tree import Tree
from templsync._io.alarm import MainThreadAlarm
from templsync._limits import parse_within
from templsync._yaml import LimitedLoader
from templsync.template.jinja import make_environment
from templsync.template.limits import RenderLimits
from templsync.template.renderer import JinjaRenderer

SECTION = """\
## Limits: what the guards on untrusted input cost

Every YAML file templsync reads from a person or a template goes through a loader that counts
nesting and alias expansion as it composes (`templsync/_yaml.py`), and every JSON or TOML file
through a guard that turns a `RecursionError` into an error naming the file (`templsync/_limits.py`,
the limits themselves are listed in `docs/limits.md`). The figures: the least CPU time of one load,
plain parser beside guarded one, inputs shaped as the real files. Made by `bench/bench_limits.py`.
"""

SANDBOX_SECTION = """\
## Sandbox: what the render's checks cost

Every template renders in Jinja's sandbox with the render's limits kept as it runs
(`templsync/template/sandbox.py`, `docs/sandbox.md`): output counted chunk by chunk, `*`, `%`,
`+`, `**` and `~`, calls and filters measured, loops timed. The figures: the least CPU time of one
render of a compiled template file, Jinja's plain environment beside Jinja's own sandbox and
templsync's. Made by `bench/bench_limits.py`.
"""

README = (
    "# {{ project_name }}\n\n{{ description }}\n\n"
    + "Some text of the template that is not Jinja at all, as most of a README is.\n" * 60
    + "{% if license %}Licensed under {{ license }}.{% endif %}\n"
    + "{% for a in authors %}- {{ a.name }} <{{ a.email }}>\n{% endfor %}"
)
PYPROJECT = """\
[project]
name = "{{ project_name | lower | replace(' ', '-') }}"
version = "{{ version }}"
description = "{{ description }}"
authors = [{% for a in authors %}{ name = "{{ a.name }}", \
email = "{{ a.email }}" }{{ ", " if not loop.last }}{% endfor %}]
requires-python = ">={{ python_versions | first }}"
dependencies = [
{%- for d in dependencies | sort %}
    "{{ d }}",
{%- endfor %}
]
classifiers = [
{%- for v in python_versions %}
    "Programming Language :: Python :: {{ v }}",
{%- endfor %}
]
{% if use_ruff %}
[tool.ruff]
line-length = {{ line_length }}
target-version = "py{{ (python_versions | first) | replace('.', '') }}"
{% endif %}
"""
GENERATED = """\
{% for m in modules %}
## {{ m.name | title }} ({{ loop.index }}/{{ loop.length }})
{% if m.enabled %}enabled{% else %}disabled{% endif %}, {{ m.deps | join(', ') }}
{% for i in range(m.count) %}- item {{ i + 1 }} of {{ m.name ~ '-' ~ i }}: \
{{ '%5d' % (i * 3) }} {{ (i % 7) * 2 }}
{% endfor %}{% endfor %}
"""
CONTEXT: dict[str, object] = {
    "project_name": "Demo Service",
    "description": "A service made from a template.",
    "version": "0.1.0",
    "license": "MIT",
    "authors": [{"name": f"Author {n}", "email": f"a{n}@example.org"} for n in range(3)],
    "dependencies": ["httpx", "click", "rich", "pydantic", "sqlalchemy"],
    "python_versions": ["3.10", "3.11", "3.12", "3.13"],
    "use_ruff": True,
    "line_length": 100,
    "modules": [
        {"name": f"mod{n}", "enabled": n % 2 == 0, "deps": ["a", "b", "c"], "count": 30}
        for n in range(40)
    ],
}


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


def batch(render: Callable[[], object], reps: int) -> None:
    for _ in range(reps):
        render()


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
    sandbox = sandbox_table(args.runs)
    print(sandbox)
    if not args.no_write:
        write_block("limits", table, SECTION)
        write_block("sandbox", sandbox, SANDBOX_SECTION)


def sandbox_table(runs: int) -> str:
    """Each template file rendered by Jinja's environment, Jinja's sandbox and templsync's."""
    files = {"README.md.jinja": README, "pyproject.toml.jinja": PYPROJECT}
    files["generated.md.jinja"] = GENERATED
    ours = JinjaRenderer(
        make_environment(
            envops={},
            extensions=[],
            trusted=False,
            source=Tree.from_texts(files),
            # one meter counts every run as one render: limits it cannot reach, the same checks
            limits=RenderLimits(max_bytes=1 << 40, timeout=1e9),
            alarm=MainThreadAlarm(),
        )
    )
    loader = jinja2.DictLoader(files)
    plain = jinja2.Environment(loader=loader, keep_trailing_newline=True)  # not a sandbox: the base
    sandboxed = SandboxedEnvironment(loader=loader, keep_trailing_newline=True)
    lines = [
        f"Least CPU time of one render (ms) in {runs} runs of about 10 ms each, the compiled "
        "template reused; the three give the same text.",
        "",
        "| template file | output | Jinja | Jinja's sandbox | ratio | templsync | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for path in files:
        a_template, b_template = plain.get_template(path), sandboxed.get_template(path)
        text = a_template.render(CONTEXT)
        assert text == b_template.render(CONTEXT) == ours.render_file(path, CONTEXT), path
        renders: list[Callable[[], object]] = [
            partial(a_template.render, CONTEXT),
            partial(b_template.render, CONTEXT),
            partial(ours.render_file, path, CONTEXT),
        ]
        reps = max(1, int(0.01 / max(least(renders[0], 3), 1e-6)))  # a sample of ~10 ms

        best = [float("inf")] * 3
        for _ in range(runs):  # taking turns, so all meet the same machine
            for n, render in enumerate(renders):
                best[n] = min(best[n], least(partial(batch, render, reps), 1) / reps)
        a, b, c = best
        cells = [path.removesuffix(".jinja"), f"{len(text) / 1000:,.1f} kB", f"{a * 1000:.3f}"]
        cells += [f"{b * 1000:.3f}", f"{b / a:.2f}x", f"{c * 1000:.3f}", f"{c / a:.2f}x"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
