"""Copier as the oracle: make a small git-tagged template, copy it with Copier, read the result.

Also a tiny :class:`~templsync.template.questions.StringRenderer` over Jinja's sandbox for the
tests (the real environment lives in ``templsync.template.jinja``).
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from jinja2.sandbox import SandboxedEnvironment

from templsync._core.tree import Tree
from templsync.template.answering import Answers, answer_questions
from templsync.template.answers import ANSWERS_TEMPLATE, answers_context, to_nice_yaml
from templsync.template.config import load_config
from testing.trees import build_tree

ANSWERS_JINJA = "{{ _copier_conf.answers_file }}.jinja"


@dataclass
class SandboxRenderer:
    """Render strings with a plain sandboxed Jinja environment plus ``to_nice_yaml``."""

    env: SandboxedEnvironment = field(
        default_factory=lambda: SandboxedEnvironment(keep_trailing_newline=True)
    )

    def __post_init__(self) -> None:
        self.env.filters["to_nice_yaml"] = to_nice_yaml

    def render(self, source: str, context: Mapping[str, object]) -> str:
        return self.env.from_string(source).render(dict(context))


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def make_template(
    root: Path,
    copier_yml: str,
    extra: Mapping[str, str] | None = None,
    *,
    tag: str | None = "v1.0",
) -> Path:
    """A git template holding ``copier.yml``, Copier's answers file template and ``extra``."""
    build_tree(root, {"copier.yml": copier_yml, ANSWERS_JINJA: ANSWERS_TEMPLATE, **(extra or {})})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "template")
    if tag:
        git(root, "tag", tag)
    return root


def template_tree(root: Path) -> Tree:
    return Tree.from_texts(
        {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    )


@dataclass(frozen=True)
class Copied:
    """What Copier wrote to the answers file, as bytes and parsed."""

    raw: bytes
    recorded: dict[str, object]


def copier_copy(src: Path, dst: Path, data: Mapping[str, object]) -> Copied:
    import copier

    copier.run_copy(str(src), dst, data=dict(data), defaults=True, unsafe=True, quiet=True)
    raw = (dst / ".copier-answers.yml").read_bytes()
    return Copied(raw, yaml.safe_load(raw))


def ours(
    src: Path, data: Mapping[str, object], previous: Mapping[str, object] | None = None
) -> tuple[Answers, bytes]:
    """Our answers with defaults, and the answers file rendered from Copier's template."""
    config = load_config(template_tree(src))
    renderer = SandboxRenderer()
    commit = git(src, "describe", "--tags", "--always")
    answers = answer_questions(
        config,
        renderer,
        data=data,
        previous=previous or {},
        use_defaults=True,
        ask=None,
        context={"_src_path": str(src), "_commit": commit},
    )
    context = {"_copier_answers": answers_context(answers, commit, str(src))}
    return answers, renderer.render(ANSWERS_TEMPLATE, context).encode()
