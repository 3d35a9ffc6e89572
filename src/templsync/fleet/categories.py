"""Which kind of change a template path is: the groups template maintainers review by.

A template commit is shown under every category one of its paths falls in: a commit that bumps
a dependency and edits the app is reviewed twice. Paths are template source paths, so their
Jinja is taken off first: the templates suffix (``.jinja``) is dropped, ``{% if %}`` /
``{% endif %}`` tags around a name are removed (``{% if ci %}.github{% endif %}`` is
``.github``), and a ``{{ expression }}`` is left in place, where it matches no name.

The first rule that matches a path decides: CI before configuration (a workflow is YAML),
migrations before application code, dependency manifests before configuration
(``pyproject.toml`` is TOML). Matching ignores case.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

__all__ = ["RULES", "Category", "Rule", "categorize", "categorize_paths", "source_path"]

_JINJA_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)


class Category(enum.StrEnum):
    """The groups, in the order they are shown."""

    DEPENDENCIES = "dependency manifests"
    MIGRATIONS = "database migrations"
    CONFIGURATION = "configuration"
    CI = "CI"
    APPLICATION = "application code"
    DOCS = "docs"


@dataclass(frozen=True)
class Rule:
    """A path is in ``category`` when its file name matches one of ``names`` or one of its
    folders matches one of ``folders`` (shell patterns, lower case)."""

    category: Category
    names: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()

    def matches(self, folders: list[str], name: str) -> bool:
        return any(fnmatchcase(name, p) for p in self.names) or any(
            fnmatchcase(folder, p) for folder in folders for p in self.folders
        )


RULES: tuple[Rule, ...] = (
    Rule(
        Category.CI,
        names=(
            ".gitlab-ci.yml",
            ".travis.yml",
            "jenkinsfile",
            "azure-pipelines.yml",
            "bitbucket-pipelines.yml",
            ".drone.yml",
            ".woodpecker.yml",
        ),
        folders=(".github", ".gitlab", ".circleci", ".buildkite", ".woodpecker"),
    ),
    Rule(
        Category.MIGRATIONS,
        names=("alembic.ini",),
        folders=("migrations", "alembic", "migrate", "db_migrations"),
    ),
    Rule(
        Category.DEPENDENCIES,
        names=(
            "pyproject.toml",
            "requirements*.txt",
            "requirements*.in",
            "constraints*.txt",
            "poetry.lock",
            "pdm.lock",
            "uv.lock",
            "pipfile",
            "pipfile.lock",
            "setup.py",
            "environment.yml",
            "package.json",
            "package-lock.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "go.mod",
            "go.sum",
            "cargo.toml",
            "cargo.lock",
            "gemfile",
            "gemfile.lock",
            "composer.json",
            "composer.lock",
        ),
        folders=("requirements",),
    ),
    Rule(Category.DOCS, names=("*.md", "*.rst", "*.adoc", "license*"), folders=("docs", "doc")),
    Rule(
        Category.CONFIGURATION,
        names=(
            "*.toml",
            "*.yml",
            "*.yaml",
            "*.ini",
            "*.cfg",
            "*.conf",
            ".env*",
            ".*rc",
            ".editorconfig",
            ".gitignore",
            ".gitattributes",
            ".dockerignore",
            "dockerfile",
            "*.dockerfile",
        ),
    ),
)


def source_path(path: str, suffix: str = ".jinja") -> str:
    """``path`` without its Jinja: tags removed, the templates ``suffix`` taken off the name."""
    clean = _JINJA_TAG.sub("", path)
    if suffix and clean.endswith(suffix) and len(clean) > len(suffix):
        clean = clean[: -len(suffix)]
    return clean


def categorize(path: str, suffix: str = ".jinja") -> Category:
    """The category of one template path (see the module's documentation)."""
    parts = [p for p in source_path(path, suffix).lower().split("/") if p]
    if not parts:
        return Category.APPLICATION
    folders, name = parts[:-1], parts[-1]
    for rule in RULES:
        if rule.matches(folders, name):
            return rule.category
    return Category.APPLICATION


def categorize_paths(paths: Iterable[str], suffix: str = ".jinja") -> frozenset[Category]:
    """Every category the ``paths`` (of one commit) fall in."""
    return frozenset(categorize(path, suffix) for path in paths)
