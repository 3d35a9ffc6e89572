"""`templsync backport` beside retrocookie on the nine ordinary instance commits of issue 15.

One service template is written twice, as a Copier template for templsync and as the same
cookiecutter template for retrocookie (0.4.3, the only other back-port tool), with the same
questions in the same order: ``project_slug`` (orders_api), ``resource`` (orders), ``use_docker``
(``y``), ``with_db`` (true), ``workers`` (2). For each of the nine commits, on fresh repositories:

- the template is a git repository; an instance is made from it (``templsync copy`` /
  ``cookiecutter --no-input``) and committed; for kinds 6 and 7 the template then moves on (a
  line added at the top of ``main.py``), as templates do;
- the instance commits the change, and each tool ports it, timed as a process:
  ``templsync backport INSTANCE`` (a new branch, committed) and ``retrocookie -C TEMPLATE
  INSTANCE --create-branch B`` (its commit cherry-picked);
- the tool is right when it exits 0 and the branch holds the file a person would write: the
  expected template text, the same for both tools, compared after ``{{ cookiecutter.x }}`` is
  read as ``{{ x }}`` and the spaces inside ``{{ }}`` are ignored (so retrocookie is not marked
  wrong for its ``{{cookiecutter.x}}`` spelling alone).

Run: ``.venv/bin/python bench/bench_backport.py [--repeat 3]``; it rewrites the block
``bench:backport`` of docs/benchmarks.md. retrocookie pins pygit2 < 1.15, which templsync's
pins exclude, so it is installed with cookiecutter into its own venv in the cache folder
(``$TEMPLSYNC_BENCH_PEERS``, default ``~/.cache/templsync-bench``) by pip on the first run; when
that fails the peer is left out and the block says so.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchdoc import write_block
from benchgit import git

TEMPLSYNC = [sys.executable, "-m", "templsync"]
RETROCOOKIE = "retrocookie==0.4.3"
COOKIECUTTER = "cookiecutter==2.7.1"
SECTION = """## Back-port: `templsync backport` beside retrocookie

`bench/bench_backport.py` (run it with `.venv/bin/python bench/bench_backport.py`; it rewrites the
block below). The nine ordinary instance commits of issue 15 (also tested one by one in
`tests/backport/test_port_kinds.py`), each ported on fresh repositories by templsync from a Copier
template and by retrocookie 0.4.3 from the same template written for cookiecutter, with the same
questions and answers. A tool is right when it exits 0 and its branch holds the template text a
person would write; the spelling `{{cookiecutter.x}}` and the spaces inside `{{ }}` are not
counted against retrocookie (templsync's text is checked exactly, spaces included, by the
tests). Both run as processes; times include start-up. The column
"short answers excluded" runs retrocookie again with its own workaround, `--exclude-variable
use_docker --exclude-variable workers`, so that each kind is seen apart from the short answers:
without it, `y` turns every `.py` file name into `.p{{cookiecutter.use_docker}}`, and that alone
spoils every commit that adds a Python file.

How to read it:

- retrocookie replaces every string answer wherever its text occurs, in file names too, in the
  order of the instance's `.cookiecutter.json` (alphabetical, as cookiecutter's `jsonify` writes
  it), and then cherry-picks the rewritten commit; so a short answer
  (`y`) or a number that cookiecutter turned into text (`2`) is replaced everywhere, a value inside
  a longer word is replaced, a spelling the template derives (`orders-api`) is missed, and a
  commit whose lines differ from the template's own text (`{% if %}` lines, `{{ x }}` spacing)
  stops in a cherry-pick conflict. templsync maps through the expressions the template writes and
  the render's line origins, and checks each hunk by rendering the new template.
- Time: templsync's back-port renders the template at the instance's version, renders each
  changed templated file a second time with line origins, renders the new template for the round
  trip and commits through pygit2; retrocookie rewrites the instance's history with
  git-filter-repo and cherry-picks.
"""


@dataclass(frozen=True)
class Kind:
    """One instance commit: the files it writes (``None`` deletes), and the template text."""

    name: str
    files: Mapping[str, str]
    template_path: str
    expected: str
    template_moves_on: bool = False


ANSWERS_JINJA = "{{ _copier_answers|to_nice_yaml -}}\n"
COPIER_YML = (
    "project_slug: {type: str, default: orders_api}\n"
    "resource: {type: str, default: orders}\n"
    'use_docker: {type: str, default: "y"}\n'
    "with_db: {type: bool, default: true}\n"
    "workers: {type: int, default: 2}\n"
)
MAIN = (
    "from {{ project_slug }}.routes import {{ resource }}\n"
    "{% if with_db %}\n"
    'DB_URL = "postgres://db/{{ project_slug }}"\n'
    "{% endif %}\n"
    "WORKERS = {{ workers }}\n"
    'NAME = "{{project_slug}}"\n'
)
COPIER_TEMPLATE = {
    "copier.yml": COPIER_YML,
    "{{ _copier_conf.answers_file }}.jinja": ANSWERS_JINJA,
    "{{ project_slug }}/__init__.py": "",
    "{{ project_slug }}/main.py.jinja": MAIN,
    "{{ project_slug }}/routes/__init__.py": "",
    "{{ project_slug }}/routes/{{ resource }}.py.jinja": (
        "def list_{{ resource }}():\n    return []\n"
    ),
    "pyproject.toml.jinja": (
        "[project]\nname = \"{{ project_slug | replace('_', '-') }}\"\nversion = \"0.1.0\"\n"
    ),
    "README.md": "# Service\n\nRun it.\n",
}
RENDERED_MAIN = (
    "from orders_api.routes import orders\n\n"
    'DB_URL = "postgres://db/orders_api"\n\n'
    "WORKERS = 2\n"
    'NAME = "orders_api"\n'
)
MOVED_ON = "import os\n"
SHORT_ANSWERS = ("use_docker", "workers")
"""The answers retrocookie's own option leaves alone, so that each kind is seen on its own."""

KINDS = (
    Kind(
        "1. a short answer (`y`) in the text and in `health.py`",
        {"health.py": "y = 'yes'  # use_docker answered y\n"},
        "health.py",
        "y = 'yes'  # use_docker answered y\n",
    ),
    Kind(
        "2. booleans and numbers (`True`, `2`)",
        {"settings.py": "WORKERS = 2\nWITH_DB = True\nwith_db: true\n"},
        "settings.py",
        "WORKERS = 2\nWITH_DB = True\nwith_db: true\n",
    ),
    Kind(
        "3. a value inside another word (`reorders`)",
        {"orders_api/jobs.py": "def reorders():\n    return 'reorders'\n"},
        "{{ project_slug }}/jobs.py",
        "def reorders():\n    return 'reorders'\n",
    ),
    Kind(
        "4. a derived spelling (`orders-api`)",
        {"Dockerfile": "LABEL name=orders-api\n"},
        "Dockerfile.jinja",
        "LABEL name={{ project_slug | replace('_', '-') }}\n",
    ),
    Kind(
        "5. a shorter value inside a longer one (`orders` in `orders_api`)",
        {"run.py": "import orders_api.routes.orders\n"},
        "run.py.jinja",
        "import {{ project_slug }}.routes.{{ resource }}\n",
    ),
    Kind(
        "6. an edit on the line after an `{% if %}`",
        {"orders_api/main.py": RENDERED_MAIN.replace("db/orders_api", "db:5432/orders_api")},
        "{{ project_slug }}/main.py.jinja",
        MOVED_ON + MAIN.replace("db/{{ project_slug }}", "db:5432/{{ project_slug }}"),
        template_moves_on=True,
    ),
    Kind(
        "7. an edit on a line the template writes `{{x}}`",
        {
            "orders_api/main.py": RENDERED_MAIN.replace(
                'NAME = "orders_api"', 'NAME = "orders_api"  # service'
            )
        },
        "{{ project_slug }}/main.py.jinja",
        MOVED_ON + MAIN.replace('"{{project_slug}}"\n', '"{{project_slug}}"  # service\n'),
        template_moves_on=True,
    ),
    Kind(
        "8. an edit of a plain file",
        {"README.md": "# Service\n\nRun it: `make run`.\n"},
        "README.md",
        "# Service\n\nRun it: `make run`.\n",
    ),
    Kind(
        "9. a new file in a templated folder",
        {"orders_api/routes/status.py": "from orders_api.routes import orders\n"},
        "{{ project_slug }}/routes/status.py.jinja",
        "from {{ project_slug }}.routes import {{ resource }}\n",
    ),
)


def cookiecutter_text(text: str) -> str:
    """The Copier template text for cookiecutter: ``{{ x }}`` -> ``{{ cookiecutter.x }}``."""
    text = re.sub(r"\{\{(\s*)(\w+)", r"{{\1cookiecutter.\2", text)
    return re.sub(r"\{%\s*if (\w+)", r"{% if cookiecutter.\1", text)


def cookiecutter_path(path: str) -> str:
    """A Copier template path in the cookiecutter template (its one root folder, no suffix)."""
    path = path.removesuffix(".jinja")
    path = path.replace("{{ project_slug }}", "{{cookiecutter.project_slug}}")
    path = path.replace("{{ resource }}", "{{cookiecutter.resource}}")
    return "{{cookiecutter.project_slug}}/" + path


def normalized(text: str) -> str:
    """Template text with ``cookiecutter.`` and the spaces inside ``{{ }}`` / ``{% %}`` dropped."""
    text = re.sub(r"\{\{\s*(?:cookiecutter\.)?(.*?)\s*\}\}", r"{{\1}}", text)
    return re.sub(r"\{%\s*(?:if )?(?:cookiecutter\.)?(.*?)\s*%\}", r"{%\1%}", text)


def write(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def new_repo(root: Path, files: Mapping[str, str]) -> Path:
    write(root, files)
    git(root, "init", "-q", "-b", "main")
    commit(root, "1.0.0")
    return root


def run(command: Sequence[str], *, env: Mapping[str, str] | None = None) -> tuple[float, bool]:
    """Wall seconds of ``command`` as a process, and whether it exited 0."""
    start = time.perf_counter()
    done = subprocess.run(
        list(command), capture_output=True, text=True, check=False, env=dict(env or os.environ)
    )
    return time.perf_counter() - start, done.returncode == 0


def shown(repo: Path, branch: str, path: str) -> str | None:
    done = subprocess.run(
        ["git", "-C", str(repo), "show", f"{branch}:{path}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout if done.returncode == 0 else None


def git_env() -> dict[str, str]:
    return {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }


def templsync_port(work: Path, kind: Kind) -> tuple[float, bool]:
    template = new_repo(work / "template", COPIER_TEMPLATE)
    git(template, "tag", "1.0.0")
    instance = work / "orders"
    copy = [*TEMPLSYNC, "copy", "-q", "--defaults", "-r", "1.0.0", str(template), str(instance)]
    if not run(copy)[1]:
        raise SystemExit("templsync copy failed")
    git(instance, "init", "-q", "-b", "main")
    commit(instance, "copy")
    if kind.template_moves_on:
        main = template / "{{ project_slug }}" / "main.py.jinja"
        main.write_text(MOVED_ON + main.read_text())
        commit(template, "template: its own change")
    write(instance, kind.files)
    commit(instance, "customize")
    seconds, ok = run([*TEMPLSYNC, "backport", "-q", str(instance)], env=git_env())
    text = shown(template, "templsync/backport-orders", kind.template_path)
    return seconds, ok and text is not None and normalized(text) == normalized(kind.expected)


def retrocookie_port(
    work: Path, kind: Kind, bin_dir: Path, exclude: Sequence[str] = ()
) -> tuple[float, bool]:
    context = {
        "project_slug": "orders_api",
        "resource": "orders",
        "use_docker": "y",
        "with_db": True,
        "workers": 2,
    }
    files = {
        "cookiecutter.json": json.dumps(context, indent=2) + "\n",
        "{{cookiecutter.project_slug}}/.cookiecutter.json": "{{ cookiecutter | jsonify }}\n",
    }
    for path, source in COPIER_TEMPLATE.items():
        if path not in ("copier.yml", "{{ _copier_conf.answers_file }}.jinja"):
            files[cookiecutter_path(path)] = cookiecutter_text(source)
    template = new_repo(work / "cctemplate", files)
    out = work / "out"
    done = subprocess.run(
        [str(bin_dir / "cookiecutter"), "--no-input", "-o", str(out), str(template)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"cookiecutter failed: {done.stderr}")
    instance = out / "orders_api"
    git(instance, "init", "-q", "-b", "main")
    commit(instance, "copy")
    if kind.template_moves_on:
        main = template / cookiecutter_path("{{ project_slug }}/main.py")
        main.write_text(MOVED_ON + main.read_text())
        commit(template, "template: its own change")
    write(instance, kind.files)
    commit(instance, "customize")
    command = [
        str(bin_dir / "retrocookie"),
        "-C",
        str(template),
        str(instance),
        "--create-branch",
        "retro",
        *(arg for name in exclude for arg in ("--exclude-variable", name)),
    ]
    seconds, ok = run(command, env=git_env())
    text = shown(template, "retro", cookiecutter_path(kind.template_path))
    return seconds, ok and text is not None and normalized(text) == normalized(kind.expected)


def peer_bin() -> Path | None:
    """retrocookie's venv ``bin`` folder, made by pip on the first run; None when that fails."""
    cache = Path(
        os.environ.get("TEMPLSYNC_BENCH_PEERS", Path.home() / ".cache" / "templsync-bench")
    )
    venv = cache / "retrocookie-0.4.3"
    bin_dir = venv / "bin"
    if (bin_dir / "retrocookie").exists() and (bin_dir / "cookiecutter").exists():
        return bin_dir
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    steps = (
        [sys.executable, "-m", "venv", str(venv)],
        [str(bin_dir / "pip"), "install", "-q", RETROCOOKIE, COOKIECUTTER],
    )
    for step in steps:
        if subprocess.run(step, capture_output=True, check=False).returncode:
            return None
    return bin_dir


def measure(
    port: Callable[[Path, Kind], tuple[float, bool]], kind: Kind, repeat: int
) -> tuple[float, bool]:
    """Median seconds over ``repeat`` fresh runs, and whether every run was right."""
    times: list[float] = []
    right = True
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="bench-backport-") as tmp:
            seconds, ok = port(Path(tmp), kind)
        times.append(seconds)
        right = right and ok
    return statistics.median(times), right


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    bin_dir = peer_bin()
    rows = [
        "| instance commit | templsync | retrocookie | retrocookie, short answers excluded "
        "| templsync (s) | retrocookie (s) | ratio |",
        "| --- | :---: | :---: | :---: | ---: | ---: | ---: |",
    ]
    ours_right = peer_right = excluded_right = 0
    ours_total = peer_total = 0.0
    for kind in KINDS:
        ours, ours_ok = measure(templsync_port, kind, args.repeat)
        ours_right += ours_ok
        ours_total += ours
        if bin_dir is None:
            rows.append(f"| {kind.name} | {mark(ours_ok)} | | | {ours:.2f} | | |")
            continue

        def peer_port(work: Path, kind: Kind, bin_dir: Path = bin_dir) -> tuple[float, bool]:
            return retrocookie_port(work, kind, bin_dir)

        def excluded_port(work: Path, kind: Kind, bin_dir: Path = bin_dir) -> tuple[float, bool]:
            return retrocookie_port(work, kind, bin_dir, exclude=SHORT_ANSWERS)

        peer, peer_ok = measure(peer_port, kind, args.repeat)
        _, excluded_ok = measure(excluded_port, kind, 1)
        peer_right += peer_ok
        excluded_right += excluded_ok
        peer_total += peer
        rows.append(
            f"| {kind.name} | {mark(ours_ok)} | {mark(peer_ok)} | {mark(excluded_ok)} "
            f"| {ours:.2f} | {peer:.2f} | {ours / peer:.2f}x |"
        )
    n = len(KINDS)
    if bin_dir is None:
        rows.append(
            f"| **right** | **{ours_right}/{n}** | not installed | | {ours_total:.2f} | | |"
        )
    else:
        rows.append(
            f"| **right, total time** | **{ours_right}/{n}** | **{peer_right}/{n}** "
            f"| **{excluded_right}/{n}** | {ours_total:.2f} | {peer_total:.2f} "
            f"| {ours_total / peer_total:.2f}x |"
        )
    verdict = "met" if ours_right == n else "MISSED"
    table = "\n".join(
        [
            f"Each commit on fresh repositories, median of {args.repeat} runs, this machine "
            f"({os.cpu_count()} cores); ratio = templsync / retrocookie time.",
            "",
            *rows,
            "",
            f"- Target (issue 15): all nine kinds right: **{ours_right}/{n}**, {verdict}"
            + (
                ""
                if bin_dir is None
                else f"; retrocookie: {peer_right}/{n}, {excluded_right}/{n} with "
                "`--exclude-variable use_docker --exclude-variable workers`."
            ),
        ]
    )
    print(table)
    write_block("backport", table, SECTION)


def mark(ok: bool) -> str:
    return "right" if ok else "**wrong**"


if __name__ == "__main__":
    main()
