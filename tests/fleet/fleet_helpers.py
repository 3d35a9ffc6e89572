"""A template and instances of it (and of others) on disk, for the fleet tests."""

from __future__ import annotations

from pathlib import Path

from instance.helpers import ANSWERS_JINJA, git
from testing.trees import build_tree

TEMPLATE_URL = "git@github.com:Org/Service-Template.git"


def make_template(folder: Path, remote: str | None = TEMPLATE_URL) -> Path:
    """A one-question Copier template in a git repository (with an ``origin`` remote)."""
    build_tree(
        folder,
        {"copier.yml": "name:\n  type: str\n  default: demo\n", "README.md.jinja": "# {{ name }}\n"}
        | ANSWERS_JINJA,
    )
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "template")
    git(folder, "tag", "v1.0.0")
    if remote is not None:
        git(folder, "remote", "add", "origin", remote)
    return folder


def make_instance(folder: Path, src_path: str, answers_file: str = ".copier-answers.yml") -> Path:
    """A folder with an answers file as Copier writes it, recording ``src_path``."""
    build_tree(
        folder,
        {
            answers_file: (
                "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"
                f"_commit: v1.0.0\n_src_path: {src_path}\nname: {folder.name}\n"
            ),
            "README.md": f"# {folder.name}\n",
        },
    )
    return folder
