"""``templsync backport``: real template and instance repositories, the change mapped back,
merged on a branch, committed; the update afterwards is clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backport.scenario import (
    MAIN,
    commit_all,
    customize,
    make_instance,
    make_template,
    template_file,
)
from instance.helpers import git
from templsync.backport.port import BackportOptions, backport
from templsync.cli.main import main
from templsync.instance.update import UpdateOptions, update

BRANCH = "templsync/backport-orders"


@pytest.fixture
def repos(tmp_path: Path) -> tuple[Path, Path]:
    template = make_template(tmp_path / "template")
    instance = make_instance(template, tmp_path / "orders")
    return template, instance


def test_edits_in_plain_templated_files_folder_names_and_an_if_block(
    repos: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    template, instance = repos
    main_py = (instance / "orders_api" / "main.py").read_text()
    customize(
        instance,
        {
            "README.md": "# Service\n\nRun it with `make run`.\n",
            "orders_api/main.py": main_py.replace(
                'DB_URL = "postgres://db/orders_api"\n',
                'DB_URL = "postgres://db/orders_api"\nDB_POOL = 5  # orders_api pool\n',
            ),
            "orders_api/routes/orders.py": (
                "def list_orders():\n    return []\n\n\ndef get_order(order_id):\n"
                "    return {'id': order_id}\n"
            ),
            "orders_api/health.py": "def health():\n    return 'orders_api ok'\n",
        },
    )
    assert main(["backport", str(instance)]) == 0
    out = capsys.readouterr().out
    assert "4 of 4 verified" in out
    assert git(template, "branch", "--show-current") == BRANCH
    assert template_file(template, BRANCH, "README.md") == "# Service\n\nRun it with `make run`.\n"
    assert template_file(template, BRANCH, "{{ project_slug }}/main.py.jinja") == MAIN.replace(
        "{% endif %}\n",
        "DB_POOL = 5  # {{ project_slug }} pool\n{% endif %}\n",
    )
    routes = template_file(template, BRANCH, "{{ project_slug }}/routes/{{ resource }}.py.jinja")
    assert routes.startswith("def list_{{ resource }}():\n")
    assert "def get_order(order_id):" in routes  # `order` is not `orders`
    health = template_file(template, BRANCH, "{{ project_slug }}/health.py.jinja")
    assert health == "def health():\n    return '{{ project_slug }} ok'\n"
    message = git(template, "log", "-1", "--format=%B")
    assert "orders" in message.splitlines()[0]
    assert git(template, "status", "--porcelain") == ""


def test_updating_the_instance_to_the_back_ported_version_is_clean(
    repos: tuple[Path, Path],
) -> None:
    template, instance = repos
    # The template moves on meanwhile (its own change in main.py), then takes the back-port.
    (template / "{{ project_slug }}" / "main.py.jinja").write_text(MAIN + "DEBUG = False\n")
    commit_all(template, "template: debug flag")
    main_py = (instance / "orders_api" / "main.py").read_text()
    customize(
        instance,
        {
            "orders_api/main.py": main_py.replace("WORKERS = 2", "WORKERS = 2\nTIMEOUT = 30"),
            "orders_api/health.py": "OK = 'orders_api'\n",
            "README.md": None,
        },
    )
    before = {
        p: (instance / p).read_bytes() for p in ("orders_api/main.py", "orders_api/health.py")
    }
    result = backport(instance)
    assert result.commit is not None and not result.conflicts
    git(template, "checkout", "-q", "main")
    git(template, "merge", "-q", "--no-edit", BRANCH)
    git(template, "tag", "1.1.0")
    updated = update(instance, UpdateOptions(vcs_ref="1.1.0", defaults=True, quiet=True))
    assert updated.clean
    main_after = (instance / "orders_api" / "main.py").read_text()
    assert main_after.count("TIMEOUT = 30") == 1  # not duplicated
    assert main_after.endswith("DEBUG = False\n")  # the template's own change came in
    assert (instance / "orders_api" / "health.py").read_bytes() == before["orders_api/health.py"]
    assert not (instance / "README.md").exists()
    changed = {c.path for c in updated.changes}
    assert "orders_api/health.py" not in changed
    assert "README.md" not in changed


def test_a_dry_run_shows_the_template_diff_and_writes_nothing(
    repos: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    template, instance = repos
    customize(instance, {"README.md": "# Orders\n"})
    head = git(template, "rev-parse", "HEAD")
    assert main(["backport", str(instance), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "+# Orders" in out
    assert "nothing was written" in out
    assert git(template, "rev-parse", "HEAD") == head
    assert git(template, "branch", "--list", BRANCH) == ""
    assert (template / "README.md").read_text() == "# Service\n\nRun it.\n"


def test_a_hunk_that_cannot_be_mapped_is_reported_with_its_text(
    repos: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    template, instance = repos
    main_py = (instance / "orders_api" / "main.py").read_text()
    customize(
        instance,
        {
            "orders_api/main.py": main_py.replace(
                "from orders_api.routes", "from orders_apiX.routes"
            ).replace("WORKERS = 2", "WORKERS = 4"),
        },
    )
    assert main(["backport", str(instance), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (ported,) = data["files"]
    by_text = {tuple(c["hunk"]["added"]): c for c in ported["checks"]}
    name = by_text[("from orders_apiX.routes import orders\n",)]
    assert not name["verified"]
    assert "{{ project_slug }}" in name["why"]
    workers = by_text[("WORKERS = 4\n",)]
    assert not workers["verified"]  # the number is the answer's: never mapped by text
    assert "{{ workers }}" in workers["why"]
    assert data["written"] == []
    assert git(template, "branch", "--list", BRANCH) == ""


def test_a_change_the_template_made_to_the_same_lines_is_a_conflict(
    repos: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    template, instance = repos
    (template / "README.md").write_text("# Service\n\nRun it with uv.\n")
    commit_all(template, "template: uv")
    customize(instance, {"README.md": "# Service\n\nRun it with make.\n"})
    assert main(["backport", str(instance)]) == 2
    assert "README.md" in capsys.readouterr().err
    assert git(template, "branch", "--show-current") == BRANCH
    text = (template / "README.md").read_text()
    assert "<<<<<<< template" in text and "Run it with make." in text
    assert git(template, "rev-parse", "HEAD") == git(template, "rev-parse", "main")


def test_a_template_with_uncommitted_changes_is_refused(
    repos: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    template, instance = repos
    customize(instance, {"README.md": "# Orders\n"})
    (template / "NOTES.md").write_text("wip\n")
    assert main(["backport", str(instance)]) == 1
    assert "uncommitted changes" in capsys.readouterr().err
    assert git(template, "branch", "--show-current") == "main"


def test_paths_and_commits_narrow_what_is_ported(repos: tuple[Path, Path]) -> None:
    _template, instance = repos
    first = customize(instance, {"README.md": "# Orders\n"})
    customize(instance, {"orders_api/health.py": "OK = 1\n", "docs/x.md": "x\n"})
    result = backport(instance, BackportOptions(commits=f"{first}..", paths=("orders_api/",)))
    assert [p.path for p in result.files] == ["orders_api/health.py"]
    assert set(result.plan.paths) == {"{{ project_slug }}/health.py"}


def test_a_template_that_is_not_a_local_repository_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = make_template(tmp_path / "template")
    instance = make_instance(template, tmp_path / "orders")
    folder = tmp_path / "plain"
    folder.mkdir()
    for path in git(template, "ls-files").splitlines():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((template / path).read_bytes())
    customize(instance, {"README.md": "# Orders\n"})
    assert main(["backport", str(instance), "--template", str(folder)]) == 1
    assert "not a local git repository" in capsys.readouterr().err


def test_a_ported_file_the_instance_changed_again_merges_two_ways_on_update(
    repos: tuple[Path, Path],
) -> None:
    template, instance = repos
    customize(instance, {"orders_api/health.py": "A = 1\nB = 2\nC = 3\n"})
    assert backport(instance).commit is not None
    git(template, "checkout", "-q", "main")
    git(template, "merge", "-q", "--no-edit", BRANCH)
    git(template, "tag", "1.1.0")
    customize(instance, {"orders_api/health.py": "A = 1\nB = 20\nC = 3\n"})
    updated = update(instance, UpdateOptions(vcs_ref="1.1.0", defaults=True, quiet=True))
    # Added on both sides with different content: merged against an empty base, so the lines
    # both have are there once and only the line that differs is in conflict.
    text = (instance / "orders_api" / "health.py").read_text()
    assert [c.path for c in updated.conflicts] == ["orders_api/health.py"]
    assert text.count("A = 1\n") == 1 and text.count("C = 3\n") == 1
    assert "B = 20" in text and "B = 2\n" in text
