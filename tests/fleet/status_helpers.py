"""A fleet for the status tests: a template with five versions and instances in every state.

The template (oldest first; latest 2.1.0)::

    1.0.0  Template 1.0.0                README, app, pyproject
    1.1.0  Add a CI workflow             .github/workflows/ci.yml
           Bump fastapi to 0.110         pyproject.toml.jinja
    1.2.0  Add the first migration       migrations/0001_init.py
           Document the usage            docs/usage.md
    2.0.0  App 2.0 reads a settings file app/main.py.jinja, settings.toml
    2.1.0  Fix the greeting              app/main.py.jinja

Instances, each copied with templsync at its version and committed in its own repository
(``api`` in a folder of a monorepo), in registry order: see :data:`EXPECTED`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from instance.helpers import ANSWERS_JINJA
from templsync.instance.copy import CopyOptions, copy
from templsync.instance.update import UpdateOptions, update
from testing.trees import build_tree

QUESTIONS = "name:\n  type: str\n  default: demo\n"
APP_1 = "print('hello from {{ name }}')\n"
APP_2 = (
    "import tomllib\nprint('hello from {{ name }}', tomllib.load(open('settings.toml', 'rb')))\n"
)
APP_3 = (
    "import tomllib\nprint('Hello from {{ name }}!', tomllib.load(open('settings.toml', 'rb')))\n"
)
PYPROJECT = '[project]\nname = "{{ name }}"\ndependencies = ["fastapi==VERSION"]\n'

# (files, subject, tag), oldest first
HISTORY: list[tuple[dict[str, str], str, str | None]] = [
    (
        {
            "copier.yml": QUESTIONS,
            **ANSWERS_JINJA,
            "README.md.jinja": "# {{ name }}\n",
            "app/main.py.jinja": APP_1,
            "pyproject.toml.jinja": PYPROJECT.replace("VERSION", "0.100"),
        },
        "Template 1.0.0",
        "1.0.0",
    ),
    ({".github/workflows/ci.yml": "on: push\n"}, "Add a CI workflow", "1.1.0"),
    (
        {"pyproject.toml.jinja": PYPROJECT.replace("VERSION", "0.110")},
        "Bump fastapi to 0.110",
        None,
    ),
    ({"migrations/0001_init.py": "CREATE = 'users'\n"}, "Add the first migration", "1.2.0"),
    ({"docs/usage.md": "# Usage\n"}, "Document the usage", None),
    (
        {"app/main.py.jinja": APP_2, "settings.toml": "debug = false\n"},
        "App 2.0 reads a settings file",
        "2.0.0",
    ),
    ({"app/main.py.jinja": APP_3}, "Fix the greeting", "2.1.0"),
]
SUBJECTS_NEWEST_FIRST = tuple(subject for _, subject, _ in reversed(HISTORY[1:]))


@dataclass(frozen=True)
class Expected:
    status: str
    commits_behind: int | None = None
    versions_behind: int | None = None
    last_updated: str | None = None


EXPECTED: dict[str, Expected] = {
    "billing": Expected("up to date", 0, 0, "2024-03-01"),
    "search": Expected("1 version behind", 1, 1, "2024-03-02"),
    "legacy": Expected("major version behind (4 versions behind)", 6, 4, "2023-06-01"),
    "reports": Expected("uncommitted changes", 0, 0, "2024-03-04"),
    "ledger": Expected("unresolved conflicts", 0, 0, "2024-02-05"),
    "api": Expected("1 version behind", 1, 1, "2024-03-06"),
    "gone": Expected("broken: folder not found"),
    "corrupt": Expected("broken: unreadable answers file"),
    "foreign": Expected("broken: made from another template"),
    "lost": Expected("broken: _commit 0.9.0 is not in the template"),
}


@contextmanager
def hermetic_git(home: Path) -> Iterator[None]:
    """conftest's hermetic git for a fixture that outlives one test (a module's fleet)."""
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n")
    with pytest.MonkeyPatch.context() as env:
        for name, value in {
            "HOME": str(home),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
            "GIT_AUTHOR_NAME": "Test Author",
            "GIT_AUTHOR_EMAIL": "author@example.com",
            "GIT_COMMITTER_NAME": "Test Committer",
            "GIT_COMMITTER_EMAIL": "committer@example.com",
            "TEMPLSYNC_CACHE_DIR": str(home / "cache"),
        }.items():
            env.setenv(name, value)
        yield


def git(cwd: Path, *args: str, date: str = "2024-01-01T12:00:00+00:00") -> str:
    """git with fixed author and committer dates (the identity comes from conftest)."""
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, env=env
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def commit_all(repo: Path, subject: str, date: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", subject, date=date)


def make_template(root: Path) -> Path:
    root.mkdir(parents=True)
    git(root, "init", "-q")
    for n, (files, subject, tag) in enumerate(HISTORY):
        build_tree(root, files)
        commit_all(root, subject, f"2023-0{n + 1}-15T09:00:00+02:00")
        if tag is not None:
            git(root, "tag", tag)
    return root


def copied(template: Path, folder: Path, ref: str, name: str) -> Path:
    copy(str(template), folder, CopyOptions(vcs_ref=ref, defaults=True, data={"name": name}))
    return folder


def new_repo(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    git(folder, "init", "-q")
    return folder


def make_fleet(root: Path) -> Path:
    """The template and every instance of :data:`EXPECTED` under ``root``; the registry's path."""
    template = make_template(root / "template")
    inst = root / "instances"

    billing = new_repo(copied(template, inst / "billing", "2.1.0", "billing"))
    commit_all(billing, "From the template", "2024-03-01T10:00:00+00:00")
    build_tree(billing, {"NOTES.txt": "later work\n"})
    commit_all(billing, "Work that leaves the answers alone", "2024-04-01T10:00:00+00:00")

    search = new_repo(copied(template, inst / "search", "2.0.0", "search"))
    build_tree(search, {"app/main.py": "print('search, customized')\n"})
    commit_all(search, "From the template, customized", "2024-03-02T10:00:00+00:00")

    legacy = new_repo(copied(template, inst / "legacy", "1.0.0", "legacy"))
    commit_all(legacy, "From the template", "2023-06-01T08:30:00-04:00")

    reports = new_repo(copied(template, inst / "reports", "2.1.0", "reports"))
    commit_all(reports, "From the template", "2024-03-04T10:00:00+00:00")
    build_tree(reports, {"app/main.py": "print('edited, not committed')\n"})

    ledger = new_repo(copied(template, inst / "ledger", "1.2.0", "ledger"))
    build_tree(ledger, {"app/main.py": "print('ledger, customized')\n"})
    commit_all(ledger, "From the template, customized", "2024-02-05T10:00:00+00:00")
    # The update leaves app/main.py unmerged in the index (and its new answers uncommitted).
    result = update(ledger, UpdateOptions(defaults=True))
    assert [c.path for c in result.conflicts] == ["app/main.py"]

    platform = new_repo(inst / "platform")
    copied(template, platform / "services" / "api", "2.0.0", "api")
    copied(template, platform / "services" / "web", "2.1.0", "web")
    commit_all(platform, "Two services", "2024-03-06T10:00:00+00:00")
    build_tree(platform, {"services/web/app/main.py": "print('web, edited')\n"})

    corrupt = new_repo(copied(template, inst / "corrupt", "2.1.0", "corrupt"))
    build_tree(corrupt, {".copier-answers.yml": "_commit: [2.1.0\n"})

    other = make_template(root / "other-template")
    copied(other, inst / "foreign", "2.1.0", "foreign")

    lost = copied(template, inst / "lost", "2.1.0", "lost")
    answers = (lost / ".copier-answers.yml").read_text().replace("_commit: 2.1.0", "_commit: 0.9.0")
    build_tree(lost, {".copier-answers.yml": answers})

    registry = root / "templsync-fleet.toml"
    registry.write_text(
        'template = "template"\n\n'
        + "".join(
            f'[[instance]]\nname = "{name}"\nlocation = "{location}"\n{extra}\n'
            for name, location, extra in [
                ("billing", "instances/billing", 'team = "payments"\n'),
                ("search", "instances/search", 'team = "discovery"\n'),
                ("legacy", "instances/legacy", 'team = "payments"\n'),
                ("reports", "instances/reports", ""),
                ("ledger", "instances/ledger", 'team = "payments"\n'),
                ("api", "instances/platform/services/api", 'team = "platform"\n'),
                ("gone", "instances/gone", ""),
                ("corrupt", "instances/corrupt", ""),
                ("foreign", "instances/foreign", ""),
                ("lost", "instances/lost", ""),
            ]
        )
    )
    return registry
