"""Template paths sorted into the groups maintainers review by."""

from __future__ import annotations

import pytest

from templsync.fleet.categories import Category, categorize, categorize_paths, source_path


@pytest.mark.parametrize(
    ("path", "category"),
    [
        ("pyproject.toml", Category.DEPENDENCIES),
        ("pyproject.toml.jinja", Category.DEPENDENCIES),
        ("requirements-dev.txt", Category.DEPENDENCIES),
        ("requirements/base.txt", Category.DEPENDENCIES),
        ("frontend/package.json.jinja", Category.DEPENDENCIES),
        ("poetry.lock", Category.DEPENDENCIES),
        ("migrations/0001_init.py", Category.MIGRATIONS),
        ("{{ package }}/migrations/versions/0002.py.jinja", Category.MIGRATIONS),
        ("alembic/env.py", Category.MIGRATIONS),
        ("alembic.ini", Category.MIGRATIONS),
        ("settings.toml", Category.CONFIGURATION),
        ("docker-compose.yml.jinja", Category.CONFIGURATION),
        (".env.example", Category.CONFIGURATION),
        ("setup.cfg", Category.CONFIGURATION),
        ("copier.yml", Category.CONFIGURATION),
        ("Dockerfile", Category.CONFIGURATION),
        (".github/workflows/ci.yml", Category.CI),
        (".gitlab-ci.yml.jinja", Category.CI),
        ("{% if ci == 'github' %}.github{% endif %}/workflows/test.yml.jinja", Category.CI),
        ("docs/usage.md", Category.DOCS),
        ("docs/conf.py", Category.DOCS),
        ("README.md.jinja", Category.DOCS),
        ("CHANGELOG.rst", Category.DOCS),
        ("app/main.py.jinja", Category.APPLICATION),
        ("{{ package }}/__init__.py", Category.APPLICATION),
        ("Makefile", Category.APPLICATION),
        ("{{ _copier_conf.answers_file }}.jinja", Category.APPLICATION),
    ],
)
def test_a_path_has_the_category_of_the_first_rule_it_matches(
    path: str, category: Category
) -> None:
    assert categorize(path) == category


def test_matching_ignores_case() -> None:
    assert categorize("Docs/Guide.MD") == Category.DOCS
    assert categorize("PyProject.toml") == Category.DEPENDENCIES


def test_jinja_tags_and_the_suffix_are_taken_off_but_expressions_stay() -> None:
    assert source_path("{% if x %}.github{% endif %}/ci.yml.jinja") == ".github/ci.yml"
    assert source_path("{{ name }}/app.py.jinja") == "{{ name }}/app.py"
    assert source_path(".jinja") == ".jinja"  # a file named only the suffix keeps its name


def test_another_templates_suffix() -> None:
    assert categorize("pyproject.toml.tmpl", suffix=".tmpl") == Category.DEPENDENCIES
    assert categorize("pyproject.toml.tmpl") == Category.APPLICATION


def test_a_commit_is_in_every_category_one_of_its_paths_falls_in() -> None:
    paths = ["pyproject.toml", "app/main.py", "app/db.py", "docs/index.md"]
    assert categorize_paths(paths) == {
        Category.DEPENDENCIES,
        Category.APPLICATION,
        Category.DOCS,
    }
    assert categorize_paths([]) == frozenset()


def test_the_categories_are_listed_in_review_order() -> None:
    assert [c.value for c in Category] == [
        "dependency manifests",
        "database migrations",
        "configuration",
        "CI",
        "application code",
        "docs",
    ]
