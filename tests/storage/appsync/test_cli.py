"""``templsync storage templates|settings|cache`` through the real CLI entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.helpers import files, run_cli, run_json
from testing.trees import build_tree


def test_storage_templates_syncs_the_folders_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_tree(tmp_path / "site", {"a.html": "a", "b.txt": "not a template"})
    build_tree(tmp_path / "storage/web", {"c.j2": "c"})
    root = str(tmp_path / "storage")
    code, out, _ = run_cli(
        capsys, "storage", "templates", "site", "--root", root, "--bucket", "web", "-n"
    )
    assert code == 0
    assert "would push: site/a.html" in out and "would pull: site/c.j2" in out
    assert "dry run: 2 synced" in out
    assert files(tmp_path / "storage/web") == {"c.j2": b"c"}

    code, data = run_json(capsys, "storage", "templates", "site", "--root", root, "--bucket", "web")
    assert code == 0
    assert data["synced_items"] == ["site/a.html", "site/c.j2"]
    assert data["cache_invalidated"] == ["templsync:templates:a.html", "templsync:templates:c.j2"]
    assert data["folders"] == [{"local": "site", "remote": str(tmp_path / "storage/web")}]
    assert files(tmp_path / "storage/web") == {"a.html": b"a", "c.j2": b"c"}


def test_storage_templates_reads_the_root_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    build_tree(tmp_path / "templates", {"a.html": "a"})
    code, _, err = run_cli(capsys, "storage", "templates")
    assert code == 1 and "TEMPLSYNC_STORAGE_ROOT" in err
    monkeypatch.setenv("TEMPLSYNC_STORAGE_ROOT", str(tmp_path / "env-root"))
    code, out, _ = run_cli(capsys, "storage", "templates", "--pattern", "*.html")
    assert code == 0 and "1 synced" in out and "no cache told" in out
    assert files(tmp_path / "env-root/templates") == {"a.html": b"a"}


def test_manual_conflicts_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_tree(tmp_path / "templates", {"a.html": "mine"})
    build_tree(tmp_path / "storage/templates", {"a.html": "theirs"})
    code, out, _ = run_cli(
        capsys, "storage", "templates", "--root", tmp_path / "storage", "--conflict", "manual"
    )
    assert code == 2 and "conflict (both-added): templates/a.html: manual" in out


def test_storage_settings_leaves_out_a_broken_file_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_tree(tmp_path / "config", {"db.yml": "url: x\n", "mail.yml": "to: [a\n"})
    root = str(tmp_path / "storage")
    code, out, err = run_cli(capsys, "storage", "settings", "config", "--root", root)
    assert code == 1
    assert "config/mail.yml:2:1 (local)" in err
    assert "1 synced" in out and "adapters affected: db" in out
    assert files(tmp_path / "storage/settings") == {"db.yml": b"url: x\n"}
    code, data = run_json(
        capsys, "storage", "settings", "config", "--root", root, "--adapter", "db"
    )
    assert code == 0 and data["invalid"] == [] and data["synced_items"] == []
