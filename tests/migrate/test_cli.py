"""``templsync migrate``: the four commands end to end, their JSON, exit codes and refusals."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from templsync.cli.main import main
from templsync.cli.migrate import ask_move
from templsync.migrate.apply import apply_migrations
from templsync.migrate.generate import GenerateOptions, generate
from templsync.migrate.initialize import init_project
from testing.trees import build_tree


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main([*args, "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return build_tree(
        tmp_path / "tpl",
        {
            "README.md": "# Service\n\nRun it.\n",
            "app/settings.py": "DEBUG = False\nHOST = '*'\nPORT = 8000\n",
            "logo.png": b"\x89PNG\x00\x01",
            "node_modules/x/index.js": "ignored\n",
            ".env": "SECRET=1\n",
        },
    )


def test_generate_init_apply_status_round(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, first = run_json(capsys, "migrate", "generate", "start", "-p", str(template))
    assert code == 0 and first["written"] is True
    assert first["counts"] == {"new": 3, "delete": 0, "modify": 0, "moved": 0}
    written = list((template / "migrations").iterdir())  # the one folder, no staging left
    assert len(written) == 1 and written[0].name.endswith("_start")
    project = tmp_path / "svc"
    code, created = run_json(capsys, "migrate", "init", str(project), "-t", str(template), "--yes")
    assert code == 0 and created["files"] == 3 and created["copied"] is False
    assert set(snapshot(project)) == {
        "README.md",
        "app/settings.py",
        "logo.png",
        "applied-migrations.json",
    }

    (template / "app/settings.py").write_text("DEBUG = False\nHOST = '*'\nPORT = 9000\n")
    (template / "README.md").rename(template / "README.rst")
    code, second = run_json(
        capsys, "migrate", "generate", "port", "-p", str(template), "--moves", "auto"
    )
    assert second["counts"] == {"new": 0, "delete": 0, "modify": 1, "moved": 1}

    # The project's own edit, on a line the migration leaves alone.
    (project / "app/settings.py").write_text("DEBUG = True\nHOST = '*'\nPORT = 8000\n")
    code, status = run_json(capsys, "migrate", "status", str(project))
    assert status["pending"] == [second["name"]]
    assert status["drift"] == {"added": [], "deleted": [], "modified": ["app/settings.py"]}

    code, dry = run_json(capsys, "migrate", "apply", str(project), "--dry-run")
    assert code == 0 and dry["dryRun"] is True
    assert (project / "README.md").exists()  # nothing written

    code, applied = run_json(capsys, "migrate", "apply", str(project))
    assert code == 0
    assert applied["applied"] == [
        {
            "name": second["name"],
            "changed": ["README.md", "README.rst", "app/settings.py"],
            "merged": ["app/settings.py"],
            "conflicts": [],
            "actions": {"README.md": "delete", "README.rst": "create", "app/settings.py": "update"},
        }
    ]
    assert (project / "app/settings.py").read_text() == "DEBUG = True\nHOST = '*'\nPORT = 9000\n"
    assert (project / "README.rst").read_text() == "# Service\n\nRun it.\n"
    code, status = run_json(capsys, "migrate", "status", str(project))
    assert status["pending"] == [] and status["drift"] == {
        "added": [],
        "deleted": [],
        "modified": ["app/settings.py"],
    }


def test_generate_without_changes_writes_nothing(
    template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", "generate", "-p", str(template)]) == 0
    before = snapshot(template)
    capsys.readouterr()
    assert main(["migrate", "generate", "-p", str(template)]) == 0
    assert "nothing written" in capsys.readouterr().out
    assert snapshot(template) == before


def test_moves_none_records_a_deletion_and_a_new_file(
    template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", "generate", "-p", str(template)]) == 0
    (template / "README.md").rename(template / "GUIDE.md")
    capsys.readouterr()
    code, result = run_json(capsys, "migrate", "generate", "-p", str(template), "--moves", "none")
    assert code == 0
    assert result["entries"] == [
        {"type": "new", "path": "GUIDE.md", "oldPath": None},
        {"type": "delete", "path": "README.md", "oldPath": None},
    ]


def test_apply_with_conflicts_exits_2_and_lists_them(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["migrate", "generate", "one", "-p", str(template)])
    project = tmp_path / "svc"
    main(["migrate", "init", str(project), "-t", str(template), "--yes"])
    (template / "app/settings.py").write_text("DEBUG = False\nHOST = '*'\nPORT = 9000\n")
    main(["migrate", "generate", "two", "-p", str(template)])
    (template / "README.md").write_text("# Service\n\nRun it twice.\n")
    main(["migrate", "generate", "three", "-p", str(template)])
    (project / "app/settings.py").write_text("DEBUG = False\nHOST = '*'\nPORT = 7000\n")
    capsys.readouterr()

    assert main(["migrate", "apply", str(project)]) == 2
    captured = capsys.readouterr()
    assert "conflict   app/settings.py" in captured.out
    assert "1 migration(s) wait" in captured.out and "three" in captured.out
    assert "app/settings.py" in captured.err
    text = (project / "app/settings.py").read_text()
    assert "<<<<<<< project\nPORT = 7000\n=======\nPORT = 9000\n>>>>>>> " in text
    assert (project / "README.md").read_text() == "# Service\n\nRun it.\n"  # "three" waits
    record = json.loads((project / "applied-migrations.json").read_text())
    assert record["appliedMigrations"][-1]["conflicts"] == ["app/settings.py"]
    _, status = run_json(capsys, "migrate", "status", str(project))
    assert [m["conflicts"] for m in status["applied"]] == [[], ["app/settings.py"]]
    assert [m["unresolved"] for m in status["applied"]] == [[], ["app/settings.py"]]
    assert main(["migrate", "status", str(project)]) == 0
    assert "two (conflicts unresolved in app/settings.py)" in capsys.readouterr().out

    # While the markers are there, the next migrations wait: nothing is written.
    before = snapshot(project)
    for args in (["apply", str(project)], ["apply", str(project), "--dry-run"]):
        assert main(["migrate", *args]) == 1
        err = capsys.readouterr().err
        assert "1 file(s) still hold conflict markers" in err and "app/settings.py" in err
        assert snapshot(project) == before

    (project / "app/settings.py").write_text("DEBUG = False\nHOST = '*'\nPORT = 7000\n")  # resolved
    assert main(["migrate", "status", str(project)]) == 0
    assert "two (conflicts resolved)" in capsys.readouterr().out
    assert main(["migrate", "apply", str(project)]) == 0
    assert "three: 1 file(s)\n  update     README.md\n" in capsys.readouterr().out
    assert (project / "README.md").read_text() == "# Service\n\nRun it twice.\n"


def test_init_without_a_terminal_needs_yes(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "svc"
    assert main(["migrate", "init", str(target), "-t", str(template)]) == 1
    assert "pass --yes" in capsys.readouterr().err
    assert not target.exists()


def test_init_copies_a_template_without_migrations(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "svc"
    code, created = run_json(capsys, "migrate", "init", str(target), "-t", str(template), "--yes")
    assert code == 0 and created["copied"] is True and created["applied"] == []
    files = snapshot(target)
    assert files["app/settings.py"] == b"DEBUG = False\nHOST = '*'\nPORT = 8000\n"
    assert "node_modules/x/index.js" not in files and ".env" not in files
    record = json.loads(files["applied-migrations.json"])
    assert record == {"version": "1", "template": "../tpl", "appliedMigrations": []}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["init", "{tmp}/new", "-t", "{tmp}/nowhere", "--yes"], "does not exist"),
        (["init", "{tmp}/tpl", "-t", "{tmp}/tpl", "--yes"], "inside the template"),
        (["init", "{tmp}/tpl/out", "-t", "{tmp}/tpl", "--yes"], "inside the template"),
        (["init", "{tmp}/tpl/README.md", "-t", "{tmp}", "--yes"], "inside the template"),
        (["init", "{tmp}/tpl/README.md", "-t", "{tmp}/nowhere", "--yes"], "does not exist"),
        (["init", "{tmp}/tpl/README.md", "-t", "{tmp}/tpl/app", "--yes"], "is a file"),
        (["generate", "-p", "{tmp}/nowhere"], "does not exist"),
        (["apply", "{tmp}/tpl"], "Pass the template's folder with -t/--template"),
        (["apply", "{tmp}/nowhere", "-t", "{tmp}/tpl"], "the project '{tmp}/nowhere' does not"),
        (["apply", "{tmp}/tpl", "-t", "{tmp}/tpl", "--to", "nope"], "no migration is named"),
    ],
)
def test_refusals_exit_1_with_a_message_and_write_nothing(
    template: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    before = snapshot(tmp_path)
    code = main(["migrate", *(a.format(tmp=tmp_path) for a in args)])
    assert code == 1
    assert message.format(tmp=tmp_path) in capsys.readouterr().err
    assert snapshot(tmp_path) == before


def test_a_malformed_migration_warns_and_strict_refuses(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["migrate", "generate", "one", "-p", str(template)])
    broken = template / "migrations" / "2030-01-01T00-00-00_broken"
    build_tree(broken, {"migration.json": '{"format": 1, "entries": {"a": {"type": "gone"}}}'})
    capsys.readouterr()
    target = tmp_path / "svc"
    assert main(["migrate", "init", str(target), "-t", str(template), "--yes"]) == 0
    err = capsys.readouterr().err
    assert "2030-01-01T00-00-00_broken" in err and "'gone'" in err
    strict_target = tmp_path / "strict"
    args = ["migrate", "init", str(strict_target), "-t", str(template), "--yes", "--strict"]
    assert main(args) == 1
    assert "2030-01-01T00-00-00_broken" in capsys.readouterr().err
    assert not strict_target.exists()


def test_moves_are_asked_at_a_terminal(template: Path) -> None:
    generate(template, GenerateOptions("start"))
    (template / "README.md").rename(template / "docs-README.md")
    (template / "app/settings.py").rename(template / "app/config.py")
    (template / "logo.png").unlink()
    build_tree(template, {"app/other.py": "x = 1\n"})
    with create_pipe_input() as keys, create_app_session(input=keys, output=DummyOutput()):
        asked: list[tuple[str, str | None, list[str]]] = []

        def ask(path: str, suggested: str | None, candidates: Sequence[str]) -> str | None:
            asked.append((path, suggested, list(candidates)))
            # README: yes, and the first choice (the suggestion); settings: yes, then one down
            # (app/other.py, not the suggestion); logo: no.
            typed = {"README.md": "y\r", "app/settings.py": "y\x1b[B\r", "logo.png": "n"}
            keys.send_text(typed[path])
            return ask_move(path, suggested, candidates)

        result = generate(template, GenerateOptions("moves", moves=ask))
    assert [a[0] for a in asked] == ["README.md", "app/settings.py", "logo.png"]
    assert asked[0][1] == "docs-README.md"
    assert result.migration is not None
    entries = {(e.kind.value, e.old_path, e.path) for e in result.migration.entries}
    assert entries == {
        ("moved", "README.md", "docs-README.md"),
        ("moved", "app/settings.py", "app/other.py"),
        ("new", None, "app/config.py"),
        ("delete", None, "logo.png"),
    }


def test_a_file_moved_by_one_migration_and_changed_by_the_next_is_applied_in_one_run(
    template: Path, tmp_path: Path
) -> None:
    main(["migrate", "generate", "one", "-p", str(template)])
    project = tmp_path / "svc"
    main(["migrate", "init", str(project), "-t", str(template), "--yes"])
    (template / "README.md").rename(template / "GUIDE.md")
    main(["migrate", "generate", "move", "-p", str(template), "--moves", "auto"])
    (template / "GUIDE.md").write_text("# Service\n\nRun it again.\n")
    main(["migrate", "generate", "edit", "-p", str(template)])
    (project / "README.md").write_text("# My service\n\nRun it.\n")  # the project's own edit

    assert main(["migrate", "apply", str(project)]) == 0
    assert not (project / "README.md").exists()
    assert (project / "GUIDE.md").read_text() == "# My service\n\nRun it again.\n"


@pytest.mark.parametrize("kind", ["missing", "empty", "symlink to an empty folder", "deep"])
def test_init_writes_into_every_kind_of_free_target(
    template: Path, tmp_path: Path, kind: str
) -> None:
    main(["migrate", "generate", "one", "-p", str(template)])
    target = {"deep": tmp_path / "a" / "b" / "svc"}.get(kind, tmp_path / "svc")
    if kind == "empty":
        target.mkdir()
    if kind == "symlink to an empty folder":
        (tmp_path / "real").mkdir()
        target.symlink_to(tmp_path / "real")
    assert main(["migrate", "init", str(target), "-t", str(template), "--yes"]) == 0
    assert set(snapshot(target)) == {
        "README.md",
        "app/settings.py",
        "logo.png",
        "applied-migrations.json",
    }
    assert (target / "logo.png").read_bytes() == b"\x89PNG\x00\x01"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_long_work_reports_its_progress(template: Path, tmp_path: Path) -> None:
    clock = iter(f"2024-01-01T00:00:0{n}" for n in range(9))
    main(["migrate", "generate", "one", "-p", str(template)])
    project = tmp_path / "svc"
    seen: list[tuple[str, int, int]] = []
    init_project(template, project, progress=lambda *step: seen.append(step))
    assert seen == [("migrations", 1, 1), ("files", 4, 4)]  # 3 files + applied-migrations.json

    for name in ("two", "three"):
        (template / f"{name}.txt").write_text(name)
        generate(template, GenerateOptions(name=name), now=lambda: _moment(next(clock)))
    seen.clear()
    apply_migrations(project, progress=lambda *step: seen.append(step))
    assert seen == [
        ("migrations", 1, 3),
        ("migrations", 2, 3),
        ("migrations", 3, 3),
        ("apply", 1, 2),
        ("apply", 2, 2),
    ]


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_init_into_the_working_folder_fills_that_very_folder(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    main(["migrate", "generate", "one", "-p", str(template)])
    here = tmp_path / "svc"
    here.mkdir()
    monkeypatch.chdir(here)
    inode = Path().stat().st_ino

    assert main(["migrate", "init", ".", "-t", str(template), "--yes"]) == 0

    assert Path().stat().st_ino == inode  # the same folder, not one renamed over it
    assert sorted(p.name for p in Path().iterdir()) == [
        "README.md",
        "app",
        "applied-migrations.json",
        "logo.png",
    ]
