"""``templsync fleet patterns``: a fleet of ten instances sharing two customizations."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from backport.scenario import customize, make_instance, make_template
from instance.helpers import git
from templsync.cli.main import main


@pytest.fixture
def fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Ten instances (services svc0_api ... svc9_api); health.py in 0-5, a README edit in 3-8,
    and each its own note and its own edit of main.py."""
    template = make_template(tmp_path / "template")
    lines = ['template = "../template"\n']
    for i in range(10):
        slug = f"svc{i}_api"
        instance = make_instance(
            template, tmp_path / "services" / f"svc{i}", {"project_slug": slug}
        )
        files: dict[str, str | None] = {f"notes-{i}.md": f"only svc{i}\n"}
        main_py = (instance / slug / "main.py").read_text()
        files[f"{slug}/main.py"] = main_py.replace("WORKERS = 2", f"WORKERS = 2\nPORT = {8000 + i}")
        if i <= 5:
            files[f"{slug}/health.py"] = f"def health():\n    return '{slug} ok'\n"
        if 3 <= i <= 8:
            files["README.md"] = "# Service\n\nRun it with `make run`.\n"
        customize(instance, files)
        lines.append(f'\n[[instance]]\nname = "svc{i}"\nlocation = "../services/svc{i}"\n')
    registry = tmp_path / "fleet" / "templsync-fleet.toml"
    registry.parent.mkdir()
    registry.write_text("".join(lines))
    monkeypatch.chdir(registry.parent)
    return registry


def test_two_shared_customizations_of_ten_instances(
    fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", "patterns", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["instances"] == 10
    assert data["broken"] == []
    found = {(p["kind"], p["template_path"]): p for p in data["patterns"]}
    assert set(found) == {
        ("file", "{{ project_slug }}/health.py.jinja"),
        ("hunk", "README.md"),
    }
    health = found["file", "{{ project_slug }}/health.py.jinja"]
    assert health["count"] == 6
    assert health["added"] == ["def health():\n", "    return '{{ project_slug }} ok'\n"]
    assert [o["name"] for o in health["instances"]] == [f"svc{i}" for i in range(6)]
    readme = found["hunk", "README.md"]
    assert readme["count"] == 6
    assert readme["added"] == ["Run it with `make run`.\n"]
    assert [o["name"] for o in readme["instances"]] == [f"svc{i}" for i in range(3, 9)]
    assert data["patterns"][0]["count"] >= data["patterns"][1]["count"]


def test_the_command_of_a_pattern_ports_it(fleet: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "patterns"]) == 0
    out = capsys.readouterr().out
    assert "2 customization(s) shared by at least 2 of 10 instance(s)" in out
    command = next(
        line.split("port:", 1)[1].strip()
        for line in out.splitlines()
        if "health.py" in line and "port:" in line
    )
    args = shlex.split(command)
    assert args[:2] == ["templsync", "backport"]
    assert main([*args[1:], "--json"]) == 0
    ported = json.loads(capsys.readouterr().out)
    assert [f["path"] for f in ported["files"]] == ["svc0_api/health.py"]
    template = fleet.parent.parent / "template"
    shown = git(template, "show", "templsync/backport-svc0:{{ project_slug }}/health.py.jinja")
    assert shown == "def health():\n    return '{{ project_slug }} ok'"


def test_min_raises_the_bar(fleet: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "patterns", "--min", "7", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["patterns"] == []
    assert main(["fleet", "patterns", "--min", "1", "--json"]) == 0
    kinds = [p["template_path"] for p in json.loads(capsys.readouterr().out)["patterns"]]
    assert "notes-0.md" in kinds
    assert kinds.count("{{ project_slug }}/main.py.jinja") == 10  # ten different ports


def test_an_instance_that_cannot_be_read_is_listed_apart(
    fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with fleet.open("a") as f:
        f.write('\n[[instance]]\nname = "gone"\nlocation = "../services/gone"\n')
    assert main(["fleet", "patterns", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [b["name"] for b in data["broken"]] == ["gone"]
    assert len(data["patterns"]) == 2
