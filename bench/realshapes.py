"""Templates shaped like popular public Copier templates, generated for the benchmarks.

Nothing here is copied from a real template: every file is written by this module from a seed,
in the shape a real template has (how many files, which of them are Jinja, the settings of its
``copier.yml``, its questions, its tasks and extensions). Three shapes:

- ``uv-package``, shaped like pawamoy/copier-uv: ``_subdirectory: project`` beside ~25 files of
  the template's own (docs, tests, CI), ~60 project files almost all ``.jinja``, a 330 KB
  ``LICENSE.jinja`` with one ``{% if %}`` branch per license choice, templated folder and file
  names (some that render empty, so the file is skipped), a symlink kept with
  ``_preserve_symlinks``, ``_envops``, ``_skip_if_exists``, questions whose defaults render
  through the template's own filters (``slugify``, ``git_user_name``, which runs
  ``git config``), and ``_jinja_extensions``: a filters extension and a
  ``copier_template_extensions.ContextHook`` that adds values to every render's context.
- ``app``, shaped like superlinear-ai/substrate and lincc-frameworks/python-project-template:
  ``_subdirectory: template``, questions with placeholders, validators, choices, templated
  defaults and ``when: false`` computed values, folders that exist only for one answer
  (``{% if ci == 'github' %}.github{% endif %}``), a binary file, and ``_tasks`` (``touch``,
  one only on copy).
- ``full-stack``, shaped like tiangolo/full-stack-fastapi-template: no subdirectory, ~100 files
  nearly all plain (a Python backend, a TypeScript frontend, images), a long ``_exclude`` list,
  the answers file in ``.copier/`` (``_answers_file``), and a ``touch`` task.

Each shape has two versions, tagged ``1.0.0`` and ``2.0.0``; 2.0.0 adds a question with a
templated default and uses it, edits a few files, renames one, deletes one and adds two. Each
shape also names the instance files a project edits after its first copy (``edits``), away from
the lines 2.0.0 changes, so an update merges cleanly.

The extension shape loads its module by its dotted name (``uvshape.FiltersAndGlobals``, the
module's folder on ``PYTHONPATH``), which any Jinja environment can load. Real templates load it
from a file path in the template through ``copier_template_extensions.TemplateExtensionLoader``
(``extensions/uvshape.py:FiltersAndGlobals``); ``uv_package(loader=True)`` is that variant.
"""

from __future__ import annotations

import os
import random
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SHAPES", "Link", "Script", "Shape", "write_template"]

DATES = {"1.0.0": "2024-01-15T10:00:00+00:00", "2.0.0": "2024-06-03T10:00:00+00:00"}
WORDS = (
    "the",
    "project",
    "template",
    "file",
    "build",
    "test",
    "release",
    "docs",
    "config",
    "service",
    "api",
    "user",
    "item",
    "data",
    "model",
    "route",
    "check",
    "update",
    "version",
    "change",
    "merge",
    "render",
    "value",
    "option",
    "setting",
    "module",
    "package",
    "command",
    "output",
    "input",
    "source",
    "target",
    "folder",
    "path",
    "name",
    "answer",
    "question",
    "default",
    "choice",
    "task",
    "hook",
    "filter",
    "context",
    "environment",
    "process",
    "commit",
    "branch",
    "tag",
    "history",
    "review",
    "team",
    "owner",
)


@dataclass(frozen=True)
class Link:
    """A symbolic link to ``target`` (relative to the link's folder)."""

    target: str


@dataclass(frozen=True)
class Script:
    """An executable text file."""

    text: str


Content = str | bytes | Link | Script
Files = dict[str, Content]


@dataclass(frozen=True)
class Shape:
    """One template shape: its two versions, the answers it needs, and an instance's edits."""

    name: str
    title: str
    versions: tuple[tuple[str, Files], ...]
    data: tuple[tuple[str, str], ...] = ()
    """Answers given on the command line (questions without a default)."""
    answers_file: str = ".copier-answers.yml"
    edits: tuple[tuple[str, str], ...] = ()
    """Instance files a project edits after its first copy: ``append`` or ``prepend``."""
    python_path: str | None = None
    """A folder of the template to put on ``PYTHONPATH`` (extensions loaded by module name)."""
    tasks_files: tuple[str, ...] = field(default=())
    """Files the template's tasks make in the instance."""


# -- text -------------------------------------------------------------------------------------


def sentences(seed: str, count: int, width: int = 72) -> list[str]:
    """``count`` lines of words chosen from ``seed``: the same lines on every machine."""
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        line = rng.choice(WORDS).capitalize()
        while len(line) < width - 10:
            line += " " + rng.choice(WORDS)
        lines.append(line + ".")
    return lines


def markdown(seed: str, title: str, sections: int = 4, jinja: bool = True) -> str:
    head = f"# {title}\n\n"
    if jinja:
        head += "This page is part of {{ project_name }}.\n\n"
    parts = [head]
    for n in range(sections):
        parts.append(f"## {sentences(seed + str(n), 1, 30)[0][:-1]}\n\n")
        parts.append("\n".join(sentences(f"{seed}:{n}", 6)) + "\n\n")
    return "".join(parts).rstrip("\n") + "\n"


def python(seed: str, functions: int, header: str = "", jinja: bool = True) -> str:
    rng = random.Random(seed)
    lines = [
        f'"""{header or sentences(seed, 1)[0]}"""',
        "",
        "from __future__ import annotations",
        "",
    ]
    if jinja:
        lines += ['PACKAGE = "{{ python_package_import_name }}"', ""]
    for n in range(functions):
        verb, noun = rng.choice(WORDS), rng.choice(WORDS)
        lines += [
            "",
            f"def {verb}_{noun}_{n}(value: int, name: str = {noun!r}) -> str:",
            f'    """{sentences(f"{seed}{n}", 1, 60)[0]}"""',
            f"    if value > {rng.randint(1, 99)}:",
            f'        return f"{{name}}: {verb} {{value}}"',
            f"    return name.upper() + {str(n)!r}",
        ]
    return "\n".join(lines) + "\n"


def typescript(seed: str, functions: int) -> str:
    rng = random.Random(seed)
    lines = ['import { useState } from "react"', "", "type Setter = (v: string) => void", ""]
    for n in range(functions):
        noun = rng.choice(WORDS)
        lines += [
            f"export function use{noun.capitalize()}{n}(id: number): [string, Setter] {{",
            f'  const [value, setValue] = useState<string>("{noun}-" + id)',
            "  return [value, setValue]",
            "}",
            "",
        ]
    return "\n".join(lines)


def config_lines(seed: str, count: int, sep: str = " = ") -> str:
    rng = random.Random(seed)
    return "".join(f"{rng.choice(WORDS)}_{i}{sep}{rng.randint(0, 999)}\n" for i in range(count))


def binary(seed: str, size: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + random.Random(seed).randbytes(size)


def replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise ValueError(f"{old!r} is in the text {text.count(old)} times, not once")
    return text.replace(old, new)


# -- writing a template -----------------------------------------------------------------------


def _git(repo: Path, *args: str, date: str) -> None:
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
        "GIT_COMMITTER_DATE": date,
    }
    command = ["git", "-c", "gc.auto=0", "-c", "commit.gpgsign=false", "-C", str(repo), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"git {' '.join(args)} failed: {done.stderr.strip()}")


def write_files(root: Path, files: Mapping[str, Content]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Link):
            path.symlink_to(content.target)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, Script):
            path.write_text(content.text)
            path.chmod(0o755)
        else:
            path.write_text(content)


def write_template(shape: Shape, root: Path) -> Path:
    """``shape`` as a git repository at ``root``, one commit and tag per version."""
    root.mkdir(parents=True)
    _git(root, "init", "-q", "--initial-branch=main", date=DATES["1.0.0"])
    for tag, files in shape.versions:
        for path in sorted(root.rglob("*"), reverse=True):
            if ".git" in path.relative_to(root).parts[:1]:
                continue
            if path.is_symlink() or path.is_file():
                path.unlink()
            elif path.is_dir():
                path.rmdir()
        write_files(root, files)
        _git(root, "add", "-A", date=DATES[tag])
        _git(root, "commit", "-q", "-m", f"Release {tag}", date=DATES[tag])
        _git(root, "tag", tag, date=DATES[tag])
    return root


def two_versions(first: Files, change: Callable[[Files], Files]) -> tuple[tuple[str, Files], ...]:
    return ("1.0.0", first), ("2.0.0", change(dict(first)))


GITIGNORE = (
    "__pycache__/\n*.py[cod]\n/.venv/\n/site/\n/build/\n/dist/\n.coverage*\n/htmlcov/\n"
    ".pytest_cache/\n.mypy_cache/\n.ruff_cache/\n*.egg-info/\n/.cache/\n.DS_Store\n"
)
ANSWERS = "# Changes here will be overwritten by Copier.\n{{ _copier_answers|to_nice_yaml }}\n"
ANSWERS_NAME = "{{_copier_conf.answers_file}}.jinja"


# -- uv-package: shaped like pawamoy/copier-uv -------------------------------------------------

LICENSES = {f"License number {n}": f"LIC-{n}.0" for n in range(1, 33)} | {"ISC License": "ISC"}
UV_EXTENSION = '''\
"""Filters, globals and a context hook for the uv-package shape (copier-uv's extensions.py)."""

from __future__ import annotations

import hashlib
import re
import subprocess
import unicodedata
from datetime import date

from copier_template_extensions import ContextHook
from jinja2.ext import Extension


def git_user_name(default: str) -> str:
    return subprocess.getoutput("git config user.name").strip() or default


def git_user_email(default: str) -> str:
    return subprocess.getoutput("git config user.email").strip() or default


def slugify(value: str, separator: str = "-") -> str:
    value = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\\w\\s-]", "", value.lower())
    return re.sub(r"[-_\\s]+", separator, value).strip("-_")


def python_comment(value: str) -> str:
    return "\\n".join(f"# {line}" if line else "#" for line in value.splitlines())


class FiltersAndGlobals(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["git_user_name"] = git_user_name
        environment.filters["git_user_email"] = git_user_email
        environment.filters["slugify"] = slugify
        environment.filters["python_comment"] = python_comment
        environment.globals["current_year"] = date.today().year


class ProjectIds(ContextHook):
    """Adds the discussion ids the docs need (copier-uv asks GitHub; this derives them)."""

    def hook(self, context):
        try:
            namespace = context["repository_namespace"]
            name = context["repository_name"]
        except KeyError:
            return
        digest = hashlib.sha1(f"{namespace}/{name}".encode()).hexdigest()
        context["giscus_repo_id"] = "R_" + digest[:12]
        context["giscus_discussion_category_id"] = "DIC_" + digest[12:24]
'''


def uv_copier_yml(loader: bool) -> str:
    if loader:
        extensions = (
            "- copier_template_extensions.TemplateExtensionLoader\n"
            "- extensions/uvshape.py:FiltersAndGlobals\n"
            "- extensions/uvshape.py:ProjectIds\n"
        )
    else:
        extensions = "- uvshape.FiltersAndGlobals\n- uvshape.ProjectIds\n"
    licenses = "".join(f"    {label}: {spdx}\n" for label, spdx in LICENSES.items())
    return f"""\
# CONFIGURATION -------------------------
_min_copier_version: "9"
_envops:
  autoescape: false
  keep_trailing_newline: true
_subdirectory: project
_templates_suffix: .jinja
_preserve_symlinks: true
_jinja_extensions:
{extensions}_skip_if_exists:
- CHANGELOG.md

# PROMPT --------------------------------
project_name:
  type: str
  help: Your project name

project_description:
  type: str
  help: Your project description

author_fullname:
  type: str
  help: Your full name
  default: "{{{{ 'Bench Author' | git_user_name }}}}"

author_email:
  type: str
  help: Your email
  default: "{{{{ 'bench@example.com' | git_user_email }}}}"

author_username:
  type: str
  help: Your username (e.g. on GitHub)
  default: benchauthor

repository_provider:
  type: str
  help: Your repository provider
  default: github.com
  choices:
  - github.com
  - gitlab.com

repository_namespace:
  type: str
  help: Your repository namespace
  default: "{{{{ author_username }}}}"

repository_name:
  type: str
  help: Your repository name
  default: "{{{{ project_name | slugify }}}}"

copyright_holder:
  type: str
  help: The name of the person/entity holding the copyright
  default: "{{{{ author_fullname }}}}"

copyright_holder_email:
  type: str
  help: The email of the person/entity holding the copyright
  default: "{{{{ author_email }}}}"

copyright_date:
  type: str
  help: The copyright date
  default: "{{{{ current_year }}}}"

copyright_license:
  type: str
  help: Your project's license
  default: ISC
  choices:
{licenses}
python_package_distribution_name:
  type: str
  help: Your Python package distribution name (for `pip install NAME`)
  default: "{{{{ project_name | slugify }}}}"

python_package_import_name:
  type: str
  help: Your Python package import name (for `import NAME` in Python code)
  default: "{{{{ project_name | slugify('_') }}}}"

python_package_command_line_name:
  type: str
  help: Your CLI name if any (for use in the shell)
  default: "{{{{ project_name | slugify }}}}"
"""


UV_NEW_QUESTION = """
python_min_version:
  type: str
  help: The lowest Python version the project supports
  default: "{% if copyright_license == 'ISC' %}3.10{% else %}3.11{% endif %}"
  choices:
  - "3.10"
  - "3.11"
  - "3.12"
"""


def uv_license() -> str:
    parts = []
    for n, spdx in enumerate(LICENSES.values()):
        keyword = "if" if n == 0 else "elif"
        parts.append(f"{{% {keyword} copyright_license == '{spdx}' -%}}\n")
        parts.append(f"{spdx} license\n\nCopyright (c) {{{{ copyright_date }}}} ")
        parts.append("{{ copyright_holder }} <{{ copyright_holder_email }}>\n\n")
        parts.append("\n".join(sentences(f"license{spdx}", 130, 76)) + "\n")
    parts.append("{%- endif %}\n")
    return "".join(parts)


def uv_pyproject() -> str:
    return """\
[build-system]
requires = ["pdm-backend"]
build-backend = "pdm.backend"

[project]
name = "{{ python_package_distribution_name }}"
description = "{{ project_description }}"
authors = [{name = "{{ author_fullname }}", email = "{{ author_email }}"}]
license = "{{ copyright_license }}"
readme = "README.md"
requires-python = ">=3.10"
dynamic = ["version"]
classifiers = [
    "Development Status :: 4 - Beta",
    "Programming Language :: Python :: 3",
    "Typing :: Typed",
]
dependencies = []

[project.urls]
{%- set pages = repository_namespace ~ "." ~ repository_provider.rsplit(".", 1)[0] ~ ".io" %}
Homepage = "https://{{ pages }}/{{ repository_name }}"
Repository = "https://{{ repository_provider }}/{{ repository_namespace }}/{{ repository_name }}"
Issues = "https://{{ repository_provider }}/{{ repository_namespace }}/{{ repository_name }}/issues"
{%- if repository_provider == "github.com" %}
Funding = "https://{{ repository_provider }}/sponsors/{{ author_username }}"
{%- endif %}

{% if python_package_command_line_name -%}
[project.scripts]
{{ python_package_command_line_name }} = "{{ python_package_import_name }}:main"

{% endif -%}
[tool.pdm.build]
excludes = ["**/.pytest_cache"]
source-includes = ["config", "docs", "scripts", "tests", "duties.py"]

[dependency-groups]
maintain = ["build>=1.2", "git-changelog>=2.5", "twine>=5.1"]
ci = ["duty>=1.6", "ruff>=0.4", "pytest>=8.2", "pytest-cov>=5.0", "mypy>=1.10"]
"""


def uv_ci() -> str:
    return """\
name: ci

on:
  push:
  pull_request:
    branches:
    - main

defaults:
  run:
    shell: bash

env:
  LANG: en_US.utf-8
  LC_ALL: en_US.utf-8
  PYTHONIOENCODING: UTF-8
  PYTHON_VERSIONS: ""

jobs:

  quality:

    runs-on: ubuntu-latest

    steps:
    - name: Checkout
      uses: actions/checkout@v4
      with:
        fetch-depth: 0
        fetch-tags: true

    - name: Setup Python
      uses: actions/setup-python@v5
      with:
        python-version: "3.12"

    - name: Setup uv
      uses: astral-sh/setup-uv@v5

    - name: Install dependencies
      run: make setup

    - name: Check if the documentation builds correctly
      run: make check-docs

    - name: Check the code quality
      run: make check-quality

    - name: Check if the code is correctly typed
      run: make check-types

  tests:

    strategy:
      matrix:
        os:
        - ubuntu-latest
        - macos-latest
        - windows-latest
        python-version:
        - "3.10"
        - "3.11"
        - "3.12"
        - "3.13"
    runs-on: ${{ '{{' }} matrix.os {{ '}}' }}

    steps:
    - name: Checkout
      uses: actions/checkout@v4

    - name: Setup Python
      uses: actions/setup-python@v5
      with:
        python-version: ${{ '{{' }} matrix.python-version {{ '}}' }}

    - name: Run the test suite
      run: make test
"""


def uv_readme() -> str:
    return (
        """\
# {{ project_name }}

{% if repository_provider == "github.com" -%}
{%- set repo = "https://github.com/" ~ repository_namespace ~ "/" ~ repository_name %}
[![ci]({{ repo }}/workflows/ci/badge.svg)]({{ repo }}/actions?query=workflow%3Aci)
{% endif -%}
{%- set dist = python_package_distribution_name %}
[![pypi version](https://img.shields.io/pypi/v/{{ dist }}.svg)](https://pypi.org/p/{{ dist }}/)

{{ project_description }}

## Installation

```bash
pip install {{ python_package_distribution_name }}
```

{%- if python_package_command_line_name %}

With [`uv`](https://docs.astral.sh/uv/):

```bash
uv tool install {{ python_package_distribution_name }}
```

{%- endif %}

## Usage

"""
        + "\n".join(sentences("uv-readme-usage", 12))
        + "\n\n## Development\n\n"
        + "\n".join(sentences("uv-readme-dev", 10))
        + "\n"
    )


def uv_project_files() -> Files:
    pkg = "src/{{python_package_import_name}}"
    cli = "{% if python_package_command_line_name %}"
    mine = "{% if author_username == 'benchauthor' %}"
    files: Files = {
        ".envrc.jinja": "PATH_add scripts\nexport PYTHON_VERSIONS=3.10,3.11,3.12,3.13\n",
        ".github/FUNDING.yml.jinja": "github: {{ author_username }}\n",
        ".github/ISSUE_TEMPLATE/config.yml.jinja": (
            "blank_issues_enabled: false\ncontact_links:\n- name: Discussions\n"
            "  url: https://{{ repository_provider }}/{{ repository_namespace }}/"
            "{{ repository_name }}/discussions\n"
        ),
        ".github/pull_request_template.md": markdown("uv-pr", "Pull request", 2, jinja=False),
        ".github/workflows/ci.yml.jinja": uv_ci(),
        ".github/workflows/release.yml.jinja": uv_ci().replace("name: ci", "name: release", 1),
        ".github/workflows/security.yml.jinja": config_lines("uv-sec", 30, ": "),
        f".github/workflows/{mine}sponsors.yml{{% endif %}}.jinja": config_lines("uv-sp", 12, ": "),
        ".gitignore.jinja": GITIGNORE + "/.pdm-build/\n",
        "AI_POLICY.md": markdown("uv-ai", "AI policy", 3, jinja=False),
        "CHANGELOG.md.jinja": (
            "# Changelog\n\nAll notable changes to this project will be documented in this "
            "file.\n\n<!-- insertion marker -->\n"
        ),
        "CODE_OF_CONDUCT.md.jinja": markdown("uv-coc", "Contributor Covenant Code of Conduct", 8),
        "CONTRIBUTING.md.jinja": markdown("uv-contrib", "Contributing", 6),
        "LICENSE.jinja": uv_license(),
        "Makefile.jinja": "".join(f"{w}:\n\t@./scripts/make {w}\n\n" for w in WORDS[:20]),
        "README.md.jinja": uv_readme(),
        "config/coverage.ini.jinja": (
            "[coverage:run]\nsource =\n    src/{{ python_package_import_name }}\n"
        ),
        "config/git-changelog.toml.jinja": 'bump = "auto"\nconvention = "angular"\n',
        "config/pytest.ini.jinja": "[pytest]\npython_files =\n    test_*.py\n",
        "config/ruff.toml.jinja": 'target-version = "py310"\nline-length = 120\n'
        + config_lines("uv-ruff", 40),
        "config/ty.toml": config_lines("uv-ty", 6),
        "docs/.overrides/partials/comments.html.jinja": (
            '<script src="https://giscus.app/client.js"\n'
            '  data-repo="{{ repository_namespace }}/{{ repository_name }}"\n'
            '  data-repo-id="{{ giscus_repo_id }}"\n'
            '  data-category-id="{{ giscus_discussion_category_id }}"\n'
            '  crossorigin="anonymous" async></script>\n'
        ),
        f"docs/.overrides/{mine}main.html{{% endif %}}.jinja": (
            "{% raw %}{% block x %}{% endraw %}\n"
        ),
        "docs/css/apidocs.css.jinja": "".join(f".doc-{w} {{ color: red; }}\n" for w in WORDS),
        "docs/js/feedback.js.jinja": typescript("uv-feedback", 3).replace("react", "./feedback"),
        "docs/reference/api.md.jinja": "# API reference\n\n::: {{ python_package_import_name }}\n",
        "duties.py.jinja": python("uv-duties", 14, "Development tasks."),
        "pyproject.toml.jinja": uv_pyproject(),
        "scripts/gen_credits.py.jinja": python("uv-credits", 8),
        "scripts/get_version.py.jinja": python("uv-version", 3),
        "scripts/make": Link("make.py"),
        "scripts/make.py.jinja": Script("#!/usr/bin/env python3\n" + python("uv-make", 12)),
        f"{pkg}/__init__.py.jinja": python("uv-init", 2, "{{ project_name }} package."),
        f"{pkg}/_internal/__init__.py.jinja": "",
        f"{pkg}/_internal/debug.py.jinja": python("uv-debug", 6),
        f"{pkg}/_internal/{cli}cli.py{{% endif %}}.jinja": python("uv-cli", 5),
        f"{pkg}/py.typed.jinja": "",
        f"{pkg}/{cli}__main__.py{{% endif %}}.jinja": python("uv-main", 1),
        "tests/__init__.py.jinja": '"""Tests for the package."""\n',
        "tests/conftest.py.jinja": python("uv-conftest", 4),
        "tests/test_api.py.jinja": python("uv-test-api", 16),
        f"tests/{cli}test_cli.py{{% endif %}}.jinja": python("uv-test-cli", 5),
        "zensical.toml.jinja": '[project]\nsite_name = "{{ project_name }}"\n'
        + config_lines("uv-zensical", 60),
        ANSWERS_NAME: ANSWERS,
    }
    for n in range(1, 5):
        files[f".github/ISSUE_TEMPLATE/{n}-issue.md.jinja"] = markdown(f"uv-issue{n}", "Issue", 2)
    for name in ("launch", "settings", "tasks"):
        files[f"config/vscode/{name}.json.jinja"] = (
            '{\n  "python": "{{ python_package_import_name }}"\n}\n'
        )
    for name in ("debug", "settings", "tasks"):
        files[f"config/zed/{name}.json.jinja"] = '{\n  "name": "{{ project_name }}"\n}\n'
    for page in ("changelog", "code_of_conduct", "contributing", "credits", "index", "license"):
        files[f"docs/{page}.md.jinja"] = markdown(f"uv-docs-{page}", page.replace("_", " "), 2)
    return {f"project/{path}": content for path, content in files.items()}


def uv_own_files(loader: bool) -> Files:
    files: Files = {
        "copier.yml": uv_copier_yml(loader),
        "extensions/uvshape.py": UV_EXTENSION,
        "README.md": markdown("uv-own-readme", "Copier UV", 5, jinja=False),
        "CHANGELOG.md": markdown("uv-own-changelog", "Changelog", 12, jinja=False),
        "CONTRIBUTING.md": markdown("uv-own-contrib", "Contributing", 3, jinja=False),
        "LICENSE": "\n".join(sentences("uv-own-license", 12)) + "\n",
        "Makefile": "".join(f"{w}:\n\t@echo {w}\n" for w in WORDS[:10]),
        "mkdocs.yml": config_lines("uv-own-mkdocs", 30, ": "),
        "ruff.toml": config_lines("uv-own-ruff", 10),
        "requirements.txt": "".join(f"{w}>=1.{i}\n" for i, w in enumerate(WORDS[:12])),
        ".gitignore": "/site/\n/.venv/\n",
        ".github/workflows/ci.yml": config_lines("uv-own-ci", 20, ": "),
        ".github/workflows/release.yml": config_lines("uv-own-release", 20, ": "),
    }
    for page in ("generate", "update", "work", "requirements", "changelog", "index"):
        files[f"docs/{page}.md"] = markdown(f"uv-own-{page}", page, 3, jinja=False)
    for test in ("helpers", "reset_history", "test_filenames", "test_project", "wait_ci"):
        files[f"tests/{test}.sh"] = Script("#!/usr/bin/env bash\nset -eu\n" + config_lines(test, 8))
    return files


def uv_version_2(files: Files) -> Files:
    files["copier.yml"] = str(files["copier.yml"]) + UV_NEW_QUESTION
    p = "project/"
    files[f"{p}pyproject.toml.jinja"] = replace_once(
        str(files[f"{p}pyproject.toml.jinja"]),
        'requires-python = ">=3.10"',
        'requires-python = ">={{ python_min_version }}"',
    )
    files[f"{p}.github/workflows/ci.yml.jinja"] = replace_once(
        str(files[f"{p}.github/workflows/ci.yml.jinja"]),
        'python-version: "3.12"',
        'python-version: "{{ python_min_version }}"',
    )
    files[f"{p}README.md.jinja"] = replace_once(
        str(files[f"{p}README.md.jinja"]),
        "## Usage\n",
        "## Usage\n\nRequires Python {{ python_min_version }} or later.\n",
    )
    files[f"{p}duties.py.jinja"] = str(files[f"{p}duties.py.jinja"]).replace(
        "return name.upper()", "return name.title()", 3
    )
    files[f"{p}config/ruff.toml.jinja"] = replace_once(
        str(files[f"{p}config/ruff.toml.jinja"]), "line-length = 120", "line-length = 132"
    )
    files[f"{p}LICENSE.jinja"] = replace_once(
        str(files[f"{p}LICENSE.jinja"]), "ISC license\n", "ISC License (ISC)\n"
    )
    files[f"{p}docs/acknowledgements.md.jinja"] = files.pop(f"{p}docs/credits.md.jinja")
    del files[f"{p}config/zed/debug.json.jinja"]
    files[f"{p}config/mypy.ini.jinja"] = (
        "[mypy]\npython_version = {{ python_min_version }}\nstrict = true\n"
    )
    files[f"{p}docs/.overrides/partials/path-item.html.jinja"] = "<li>{{ project_name }}</li>\n"
    return files


def uv_package(loader: bool = False) -> Shape:
    first = uv_own_files(loader) | uv_project_files()
    return Shape(
        name="uv-package",
        title="uv-package (shaped like pawamoy/copier-uv)",
        versions=two_versions(first, uv_version_2),
        data=(
            ("project_name", "Bench Project"),
            ("project_description", "A project made from the uv-package shape."),
        ),
        edits=(
            ("README.md", "append"),
            ("pyproject.toml", "append"),
            ("CONTRIBUTING.md", "prepend"),
            ("src/bench_project/__init__.py", "append"),
            ("tests/test_api.py", "append"),
            ("config/pytest.ini", "append"),
        ),
        python_path=None if loader else "extensions",
    )


# -- app: shaped like superlinear-ai/substrate and lincc-frameworks/python-project-template -----

APP_COPIER_YML = """\
_subdirectory: template
_min_copier_version: "9.1.0"
_message_after_copy: |
    Your {{ project_type }} {{ project_name }} is ready.
_tasks:
  - "touch .copier-tasks-ran"
  - command: "touch {{ project_name_kebab_case }}.first-copy"
    when: "{{ _copier_operation == 'copy' }}"

project_type:
  type: str
  help: Is this project a package or an app?
  choices:
    - app
    - package
  default: package

project_name:
  type: str
  help: What is your {{ project_type }}'s name?
  placeholder: "{% if project_type == 'app' %}My App{% else %}My Package{% endif %}"
  validator: >-
    {% if not project_name.strip() %}
    Invalid project name
    {% endif %}

project_description:
  type: str
  help: What does your {{ project_type }} do in one sentence?
  placeholder: A Python {{ project_type }} that reticulates splines.
  validator: >-
    {% if not project_description.strip() %}
    Invalid project description
    {% endif %}

project_url:
  type: str
  help: What is the URL of your project's repository?
  placeholder: https://github.com/user/{{ project_type }}
  validator: >-
    {% if not project_url.startswith("https://") %}
    Invalid project URL
    {% endif %}

author_name:
  type: str
  help: What is the name of your {{ project_type }}'s primary author?
  default: Bench Author

author_email:
  type: str
  help: What is the email address of your {{ project_type }}'s primary author?
  default: bench@example.com
  validator: >-
    {% if not "@" in author_email %}
    Invalid author email address
    {% endif %}

python_version:
  type: str
  help: Which Python version should your {{ project_type }} use?
  default: "{% if project_type == 'app' %}3.13{% else %}3.12{% endif %}"

python_versions:
  type: str
  help: What versions of python are you targeting?
  multiselect: true
  default: ["3.11", "3.12", "3.13"]
  choices:
    "3.10": "3.10"
    "3.11": "3.11"
    "3.12": "3.12"
    "3.13": "3.13"

ci:
  type: str
  help: Which CI/CD provider would you like to use?
  choices:
    GitHub Actions: github
    GitLab CI/CD: gitlab
  default: "{% if 'github' in project_url %}github{% else %}gitlab{% endif %}"
  when: "{{ 'github' not in project_url and 'gitlab' not in project_url }}"

typing:
  type: str
  help: Do you want to use optional or strict typing and linting?
  choices:
    - optional
    - strict
  default: strict

with_conventional_commits:
  type: bool
  help: Do you want to follow the Conventional Commits standard?
  default: true

with_fastapi_api:
  type: bool
  help: Does your app need a FastAPI API?
  default: false
  when: "{{ project_type == 'app' }}"

with_typer_cli:
  type: bool
  help: Does your {{ project_type }} need a Typer CLI?
  default: false

project_name_kebab_case:
  when: false
  default: "{{ project_name | lower | replace(' ', '-') }}"

project_name_snake_case:
  when: false
  default: "{{ project_name | lower | replace(' ', '_') }}"

documentation_url:
  when: false
  default: "{% if ci == 'github' %}https://{{ project_url.rstrip('/').split('/')[-2] }}.github.io/\\
    {{ project_url.rstrip('/').split('/')[-1] }}{% else %}{{ project_url }}{% endif %}"
"""
APP_NEW_QUESTION = """
docker_image:
  type: str
  help: Which image name should the app's container have?
  default: "ghcr.io/{{ project_url.rstrip('/').split('/')[-2] }}/{{ project_name_kebab_case }}"
  when: "{{ project_type == 'app' }}"
"""


def app_pyproject() -> str:
    return """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{{ project_name_kebab_case }}"
version = "0.0.0"
description = "{{ project_description }}"
authors = [{ name = "{{ author_name }}", email = "{{ author_email }}" }]
readme = "README.md"
requires-python = ">={{ python_version }},<4.0"
dependencies = [
{%- if with_fastapi_api %}
    "fastapi>=0.115",
    "uvicorn[standard]>=0.30",
{%- endif %}
{%- if with_typer_cli %}
    "typer>=0.12",
{%- endif %}
]

[project.urls]
homepage = "{{ project_url }}"
documentation = "{{ documentation_url }}"
{% if with_typer_cli %}
[project.scripts]
{{ project_name_kebab_case }} = "{{ project_name_snake_case }}.cli:app"
{% endif %}
[dependency-groups]
dev = ["commitizen>=3.29", "mypy>=1.11", "pre-commit>=3.8", "pytest>=8.3", "ruff>=0.6"]

[tool.mypy]
junit_xml = "reports/mypy.xml"
{%- if typing == "strict" %}
strict = true
{%- endif %}

[tool.ruff]
line-length = 100
target-version = "py{{ python_version.replace('.', '') }}"
"""


def app_files() -> Files:
    pkg = "src/{{ project_name_snake_case }}"
    gh = "{% if ci == 'github' %}.github{% endif %}"
    app_only, package_only = "{% if project_type == 'app' %}", "{% if project_type == 'package' %}"
    commits = "{% if with_conventional_commits %}"
    files: Files = {
        ".devcontainer/devcontainer.json.jinja": (
            '{\n  "name": "{{ project_name_kebab_case }}",\n  "dockerComposeFile": '
            '"../docker-compose.yml",\n  "service": "devcontainer"\n}\n'
        ),
        ".dockerignore": "".join(f"**/{w}\n" for w in WORDS[:15]),
        ".gitignore.jinja": GITIGNORE + "{% if with_fastapi_api %}/.uvicorn/\n{% endif %}",
        ".pre-commit-config.yaml.jinja": config_lines("app-precommit", 25, ": ")
        + "{% if with_conventional_commits %}commitizen: true\n{% endif %}",
        "Dockerfile.jinja": (
            "# syntax=docker/dockerfile:1\nARG PYTHON_VERSION={{ python_version }}\n"
            "FROM ghcr.io/astral-sh/uv:python$PYTHON_VERSION-bookworm-slim AS base\n\n"
            "WORKDIR /workspaces/{{ project_name_kebab_case }}/\n\n"
            + "".join(f"RUN echo {w}\n" for w in WORDS[:12])
            + '{% if project_type == "app" %}\n'
            + 'CMD ["python", "-m", "{{ project_name_snake_case }}"]\n{% endif %}'
        ),
        "README.md.jinja": markdown("app-readme", "{{ project_name }}", 6)
        + "\n[![Open in Dev Containers](https://img.shields.io/static/v1?label=Dev%20Containers)]"
        + "({{ project_url }})\n",
        "docker-compose.yml.jinja": "services:\n  devcontainer:\n    build:\n      context: .\n"
        "    volumes:\n      - ..:/workspaces\n"
        + "{% if with_fastapi_api %}  app:\n    ports:\n      - 8000:8000\n{% endif %}",
        "docs/index.md.jinja": markdown("app-docs-index", "{{ project_name }}", 2),
        "docs/{% if project_type == 'package' %}reference.md{% endif %}.jinja": (
            "::: {{ project_name_snake_case }}\n"
        ),
        "mkdocs.yml.jinja": "site_name: {{ project_name }}\nsite_url: {{ documentation_url }}\n"
        + config_lines("app-mkdocs", 20, ": "),
        "pyproject.toml.jinja": app_pyproject(),
        f"{pkg}/__init__.py.jinja": '"""{{ project_name }}: {{ project_description }}"""\n',
        f"{pkg}/{{% if typing == 'strict' %}}py.typed{{% endif %}}.jinja": "",
        f"{pkg}/{{% if with_fastapi_api %}}api.py{{% endif %}}.jinja": python(
            "app-api", 6, jinja=False
        ),
        f"{pkg}/{{% if with_typer_cli %}}cli.py{{% endif %}}.jinja": python(
            "app-cli", 5, jinja=False
        ),
        f"{pkg}/static/logo.png": binary("app-logo", 24_000),
        "tests/__init__.py.jinja": '"""{{ project_name }} tests."""\n',
        "tests/test_import.py.jinja": (
            "import {{ project_name_snake_case }}\n\n\ndef test_import() -> None:\n"
            "    assert isinstance({{ project_name_snake_case }}.__name__, str)\n"
        ),
        "tests/{% if with_fastapi_api %}test_api.py{% endif %}.jinja": python(
            "app-test-api", 5, jinja=False
        ),
        "tests/{% if with_typer_cli %}test_cli.py{% endif %}.jinja": python(
            "app-test-cli", 4, jinja=False
        ),
        f"{gh}/dependabot.yml.jinja": "version: 2\nupdates:\n  - package-ecosystem: pip\n",
        f"{gh}/workflows/docs.yml.jinja": config_lines("app-wf-docs", 20, ": "),
        f"{gh}/workflows/test.yml.jinja": (
            "name: Test\n\njobs:\n  test:\n    strategy:\n      matrix:\n"
            "        python-version: [{% for v in python_versions %}"
            '"{{ v }}"{% if not loop.last %}, {% endif %}{% endfor %}]\n'
            + config_lines("app-wf-test", 25, ": ")
        ),
        f"{gh}/workflows/{app_only}deploy.yml{{% endif %}}.jinja": config_lines("deploy", 20, ": "),
        f"{gh}/workflows/{package_only}publish.yml{{% endif %}}.jinja": config_lines(
            "pub", 20, ": "
        ),
        f"{gh}/workflows/{commits}pr.yml{{% endif %}}.jinja": config_lines("app-wf-pr", 10, ": "),
        "{% if ci == 'gitlab' %}.gitlab-ci.yml{% endif %}.jinja": config_lines(
            "app-gitlab", 30, ": "
        ),
        ANSWERS_NAME: ANSWERS,
    }
    for page in ("setup", "usage", "configuration", "deployment", "faq", "changelog"):
        files[f"docs/guide/{page}.md.jinja"] = markdown(f"app-guide-{page}", page.capitalize(), 3)
    for module in ("config", "db", "models", "services", "schemas", "security", "logging", "utils"):
        files[f"{pkg}/core/{module}.py.jinja"] = python(f"app-core-{module}", 7)
        files[f"tests/core/test_{module}.py.jinja"] = python(f"app-test-{module}", 5)
    own: Files = {
        "copier.yml": APP_COPIER_YML,
        ".github/workflows/pr.yml": config_lines("app-own-pr", 12, ": "),
        ".github/workflows/test.yml": config_lines("app-own-test", 30, ": "),
        ".gitignore": ".venv/\n",
        "CHANGELOG.md": markdown("app-own-changelog", "Changelog", 10, jinja=False),
        "LICENSE": "\n".join(sentences("app-own-license", 20)) + "\n",
        "README.md": markdown("app-own-readme", "Substrate", 6, jinja=False),
        "pyproject.toml": config_lines("app-own-pyproject", 20),
        "test.sh": Script("#!/bin/sh\nset -eu\n" + config_lines("app-own-test-sh", 5)),
        "uv.lock": config_lines("app-own-lock", 2_500),
    }
    return own | {f"template/{path}": content for path, content in files.items()}


def app_version_2(files: Files) -> Files:
    t = "template/"
    gh = "{% if ci == 'github' %}.github{% endif %}"
    files["copier.yml"] = str(files["copier.yml"]) + APP_NEW_QUESTION
    files[f"{t}Dockerfile.jinja"] = replace_once(
        str(files[f"{t}Dockerfile.jinja"]),
        "# syntax=docker/dockerfile:1\n",
        "# syntax=docker/dockerfile:1\n# image: {{ docker_image }}\n",
    )
    files[f"{t}docker-compose.yml.jinja"] = replace_once(
        str(files[f"{t}docker-compose.yml.jinja"]),
        "  devcontainer:\n",
        "  devcontainer:\n    image: {{ docker_image }}-dev\n",
    )
    files[f"{t}{gh}/workflows/test.yml.jinja"] = replace_once(
        str(files[f"{t}{gh}/workflows/test.yml.jinja"]), "name: Test\n", "name: Test suite\n"
    )
    files[f"{t}pyproject.toml.jinja"] = replace_once(
        str(files[f"{t}pyproject.toml.jinja"]), "line-length = 100", "line-length = 120"
    )
    files[f"{t}README.md.jinja"] = replace_once(
        str(files[f"{t}README.md.jinja"]),
        "This page is part of {{ project_name }}.\n",
        "This page is part of {{ project_name }} ({{ project_type }}).\n",
    )
    pkg = f"{t}src/{{{{ project_name_snake_case }}}}"
    files[f"{pkg}/core/services.py.jinja"] = str(files[f"{pkg}/core/services.py.jinja"]).replace(
        "from __future__ import annotations\n",
        "from __future__ import annotations\n\nimport logging\n",
    )
    files[f"{t}docs/guide/installation.md.jinja"] = files.pop(f"{t}docs/guide/setup.md.jinja")
    del files[f"{t}tests/core/test_logging.py.jinja"]
    files[f"{pkg}/core/tasks.py.jinja"] = python("app-core-tasks", 4)
    files[f"{t}tests/core/test_tasks.py.jinja"] = python("app-test-tasks", 3)
    return files


def app() -> Shape:
    return Shape(
        name="app",
        title="app (shaped like superlinear-ai/substrate)",
        versions=two_versions(app_files(), app_version_2),
        data=(
            ("project_type", "app"),
            ("project_name", "Bench App"),
            ("project_description", "An app made from the app shape."),
            ("project_url", "https://github.com/acme/bench-app"),
            ("with_fastapi_api", "true"),
            ("with_typer_cli", "true"),
        ),
        edits=(
            ("README.md", "append"),
            ("pyproject.toml", "append"),
            ("src/bench_app/core/config.py", "append"),
            ("tests/core/test_models.py", "append"),
            (".gitignore", "append"),
            ("Dockerfile", "append"),
        ),
        tasks_files=(".copier-tasks-ran", "bench-app.first-copy"),
    )


# -- full-stack: shaped like tiangolo/full-stack-fastapi-template ------------------------------

STACK_EXCLUDES = (
    ".vscode",
    ".mypy_cache",
    "poetry.lock",
    "__pycache__",
    "app.egg-info",
    "*.pyc",
    ".coverage",
    "htmlcov",
    ".cache",
    ".venv",
    "logs",
    "*.log",
    "npm-debug.log*",
    "node_modules",
    "dist",
    "dist-ssr",
    "*.local",
    ".idea",
    ".DS_Store",
    "*.suo",
    "*.sw?",
    ".copier/update_dotenv.py",
    "/.git",
)
STACK_QUESTIONS = {
    "project_name": "FastAPI Project",
    "stack_name": "fastapi-project",
    "secret_key": "changethis",
    "first_superuser": "admin@example.com",
    "first_superuser_password": "changethis",
    "smtp_host": "",
    "smtp_user": "",
    "smtp_password": "",
    "emails_from_email": "info@example.com",
    "postgres_password": "changethis",
    "sentry_dsn": "",
}


def stack_copier_yml() -> str:
    excludes = "".join(f'  - "{pattern}"\n' for pattern in STACK_EXCLUDES)
    questions = "".join(
        f"{name}:\n  type: str\n  help: The {name.replace('_', ' ')} (in .env)\n"
        f"  default: {default!r}\n\n"
        for name, default in STACK_QUESTIONS.items()
    )
    return (
        f"{questions}_exclude:\n{excludes}\n_answers_file: .copier/.copier-answers.yml\n\n"
        '_tasks:\n  - "touch .copier/.tasks-done"\n'
    )


def stack_files() -> Files:
    files: Files = {
        "copier.yml": stack_copier_yml(),
        ".copier/.copier-answers.yml.jinja": "{{ _copier_answers|to_nice_yaml }}",
        ".copier/update_dotenv.py": python("stack-dotenv", 2, jinja=False),
        ".env.jinja": "".join(f"{name.upper()}={{{{ {name} }}}}\n" for name in STACK_QUESTIONS)
        + "DOMAIN=localhost\nENVIRONMENT=local\nBACKEND_CORS_ORIGINS=http://localhost\n",
        ".gitignore": ".vscode\nnode_modules/\n.env\n",
        ".pre-commit-config.yaml": config_lines("stack-precommit", 20, ": "),
        ".vscode/launch.json": '{\n  "version": "0.2.0"\n}\n',
        ".vscode/settings.json": '{\n  "editor.formatOnSave": true\n}\n',
        "LICENSE": "\n".join(sentences("stack-license", 20)) + "\n",
        "README.md": markdown("stack-readme", "Full Stack FastAPI Template", 10, jinja=False),
        "SECURITY.md": markdown("stack-security", "Security Policy", 3, jinja=False),
        "deployment.md": markdown("stack-deployment", "Deployment", 12, jinja=False),
        "development.md": markdown("stack-development", "Development", 10, jinja=False),
        "release-notes.md": markdown("stack-release-notes", "Release Notes", 120, jinja=False),
        "docker-compose.yml": config_lines("stack-compose", 120, ": "),
        "docker-compose.override.yml": config_lines("stack-override", 60, ": "),
        "docker-compose.traefik.yml": config_lines("stack-traefik", 40, ": "),
        "hooks/post_gen_project.py": python("stack-hook", 2, jinja=False),
        "backend/Dockerfile": "FROM python:3.10\n" + "".join(f"RUN echo {w}\n" for w in WORDS[:10]),
        "backend/README.md": markdown("stack-backend-readme", "Backend", 8, jinja=False),
        "backend/pyproject.toml": config_lines("stack-backend-pyproject", 40),
        "backend/alembic.ini": config_lines("stack-alembic", 30),
        "frontend/Dockerfile": "FROM node:20\n" + "".join(f"RUN echo {w}\n" for w in WORDS[:8]),
        "frontend/README.md": markdown("stack-frontend-readme", "Frontend", 6, jinja=False),
        "frontend/package.json": '{\n  "name": "frontend",\n  "private": true\n}\n',
        "frontend/tsconfig.json": '{\n  "compilerOptions": {"strict": true}\n}\n',
        "frontend/biome.json": '{\n  "formatter": {"enabled": true}\n}\n',
        "frontend/index.html": '<!doctype html>\n<html><body><div id="root"></div></body></html>\n',
        "frontend/nginx.conf": config_lines("stack-nginx", 20, " "),
        "frontend/public/assets/images/favicon.png": binary("stack-favicon", 6_000),
    }
    backend = {
        "app/main.py": 6,
        "app/models.py": 20,
        "app/crud.py": 12,
        "app/utils.py": 8,
        "app/core/config.py": 10,
        "app/core/db.py": 4,
        "app/core/security.py": 6,
        "app/api/main.py": 3,
        "app/api/deps.py": 6,
        "app/backend_pre_start.py": 3,
        "app/initial_data.py": 3,
        "app/tests_pre_start.py": 3,
    }
    for name in ("items", "login", "private", "users", "utils"):
        backend[f"app/api/routes/{name}.py"] = 9
        backend[f"app/tests/api/routes/test_{name}.py"] = 8
    for n in range(2):
        backend[f"app/alembic/versions/{n:04d}_migration.py"] = 3
    for name in ("item", "user", "utils"):
        backend[f"app/tests/utils/{name}.py"] = 4
    files |= {
        f"backend/{path}": python(f"stack-{path}", count, jinja=False)
        for path, count in backend.items()
    }
    for name in ("prestart", "test", "lint", "format"):
        files[f"backend/scripts/{name}.sh"] = Script(
            "#!/usr/bin/env bash\nset -e\n" + config_lines(name, 4)
        )
    frontend = [
        f"components/Common/{n}.tsx"
        for n in (
            "Navbar",
            "Sidebar",
            "NotFound",
            "UserMenu",
            "ActionsMenu",
            "DeleteAlert",
            "SidebarItems",
        )
    ]
    frontend += [
        f"components/UserSettings/{n}.tsx"
        for n in (
            "Appearance",
            "ChangePassword",
            "DeleteAccount",
            "DeleteConfirmation",
            "UserInformation",
        )
    ]
    frontend += [f"components/Items/{n}.tsx" for n in ("AddItem", "EditItem", "ItemsTable")]
    frontend += [f"routes/{n}.tsx" for n in ("__root", "login", "signup", "_layout")]
    frontend += [f"routes/_layout/{n}.tsx" for n in ("index", "items", "admin", "settings")]
    frontend += [f"client/core/{n}.ts" for n in ("ApiError", "OpenAPI", "request")]
    frontend += [f"client/{n}.ts" for n in ("index", "schemas", "sdk.gen", "types.gen")]
    frontend += ["main.tsx", "theme.tsx", "utils.ts", "routeTree.gen.ts", "vite-env.d.ts"]
    files |= {f"frontend/src/{path}": typescript(f"stack-{path}", 4) for path in frontend}
    for name in ("login", "items"):
        files[f"frontend/tests/{name}.spec.ts"] = typescript(f"stack-test-{name}", 5)
    for name in (
        "deploy-production",
        "deploy-staging",
        "test-backend",
        "playwright",
        "latest-changes",
    ):
        files[f".github/workflows/{name}.yml"] = config_lines(f"stack-wf-{name}", 30, ": ")
    for name in ("dashboard", "login", "docs"):
        files[f"img/{name}.png"] = binary(f"stack-img-{name}", 30_000)
    for name in ("build", "deploy", "test", "generate-client"):
        files[f"scripts/{name}.sh"] = Script(
            "#!/usr/bin/env bash\nset -e\n" + config_lines(name, 5)
        )
    return files


def stack_version_2(files: Files) -> Files:
    files["copier.yml"] = replace_once(
        str(files["copier.yml"]),
        "_exclude:\n",
        "frontend_host:\n  type: str\n  help: The URL of the frontend (in .env)\n"
        '  default: "http://{{ stack_name }}.localhost:5173"\n\n_exclude:\n',
    )
    files[".env.jinja"] = replace_once(
        str(files[".env.jinja"]),
        "DOMAIN=localhost\n",
        "DOMAIN=localhost\nFRONTEND_HOST={{ frontend_host }}\n",
    )
    for path in (
        "backend/app/core/config.py",
        "backend/app/models.py",
        "frontend/src/client/sdk.gen.ts",
    ):
        text = str(files[path])
        files[path] = text.replace(
            "from __future__ import annotations\n",
            "from __future__ import annotations\n\nimport os\n",
        ).replace(
            'import { useState } from "react"\n',
            'import { useState } from "react"\nimport { OpenAPI } from "./core/OpenAPI"\n',
        )
    files["docker-compose.yml"] = str(files["docker-compose.yml"]).replace(": ", ":  ", 3)
    files["release-notes.md"] = replace_once(
        str(files["release-notes.md"]),
        "# Release Notes\n",
        "# Release Notes\n\n## 2.0.0\n\n- New frontend host setting.\n",
    )
    files["backend/app/core/utils.py"] = files.pop("backend/app/utils.py")
    del files["backend/app/tests_pre_start.py"]
    files["backend/app/api/routes/health.py"] = python("stack-health", 3, jinja=False)
    files["frontend/src/components/Common/Footer.tsx"] = typescript("stack-footer", 2)
    return files


def full_stack() -> Shape:
    return Shape(
        name="full-stack",
        title="full-stack (shaped like tiangolo/full-stack-fastapi-template)",
        versions=two_versions(stack_files(), stack_version_2),
        answers_file=".copier/.copier-answers.yml",
        edits=(
            ("README.md", "append"),
            ("backend/app/main.py", "append"),
            ("frontend/src/main.tsx", "append"),
            ("docker-compose.override.yml", "append"),
            ("backend/pyproject.toml", "append"),
        ),
        tasks_files=(".copier/.tasks-done",),
    )


SHAPES: tuple[Callable[[], Shape], ...] = (uv_package, app, full_stack)
