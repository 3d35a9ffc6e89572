"""A tagged template repository and instances copied from it, for the back-port tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from instance.helpers import ANSWERS_JINJA, git
from templsync.instance.copy import CopyOptions, copy
from testing.trees import build_tree

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
TEMPLATE: dict[str, str] = {
    "copier.yml": COPIER_YML,
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
    **ANSWERS_JINJA,
}


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


def make_template(root: Path, files: Mapping[str, str] | None = None) -> Path:
    """The template in a git repository, tagged 1.0.0."""
    build_tree(root, files or TEMPLATE)
    git(root, "init", "-q")
    commit_all(root, "template 1.0.0")
    git(root, "tag", "1.0.0")
    return root


def make_instance(template: Path, root: Path, data: Mapping[str, object] | None = None) -> Path:
    """A copy of the template at 1.0.0, committed in its own repository."""
    options = CopyOptions(vcs_ref="1.0.0", defaults=True, data=dict(data or {}), quiet=True)
    copy(str(template), root, options)
    git(root, "init", "-q")
    commit_all(root, "from the template")
    return root


def customize(root: Path, files: Mapping[str, str | None], message: str = "customize") -> str:
    """Write (or, for None, delete) files in the instance and commit them."""
    for path, text in files.items():
        target = root / path
        if text is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    return commit_all(root, message)


def template_file(template: Path, branch: str, path: str) -> str:
    return git(template, "show", f"{branch}:{path}") + "\n"
