"""The warnings Copier gives are given: Python warnings of Copier's names from the library, and
``warning: ...`` lines from the CLI (once each, also when the command then fails)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from instance.helpers import ANSWERS_JINJA, git, tagged_repo
from templsync.cli.main import main
from templsync.errors import OldTemplateWarning, TemplateFutureWarning
from templsync.instance.copy import CopyOptions, copy
from testing.trees import build_tree

DIRTY = "warning: Dirty template changes included automatically"


def dirty_template(root: Path, copier_yml: str = "name: x\n") -> Path:
    build_tree(root, {**ANSWERS_JINJA, "copier.yml": copier_yml, "a.txt": "a\n"})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    build_tree(root, {"draft.txt": "not committed\n"})
    return root


def test_a_dirty_template_is_a_warning_line_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = dirty_template(tmp_path / "tpl")

    assert main(["copy", str(template), str(tmp_path / "dst"), "--defaults"]) == 0

    err = capsys.readouterr().err
    assert err.count(DIRTY) == 1
    assert "DirtyLocalWarning" not in err  # printed as a line of ours, not by Python
    assert (tmp_path / "dst" / "draft.txt").exists()


def test_json_lists_the_warnings_and_quiet_prints_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = dirty_template(tmp_path / "tpl")

    assert main(["copy", str(template), str(tmp_path / "a"), "--defaults", "--json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert [w.split(":")[0] for w in warnings] == ["Dirty template changes included automatically"]

    assert main(["copy", str(template), str(tmp_path / "b"), "--defaults", "-q"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_warnings_are_printed_before_the_error_of_a_command_that_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = dirty_template(tmp_path / "tpl", "_tasks: ['exit 4']\n")

    assert main(["copy", str(template), str(tmp_path / "dst"), "--trust"]) == 1

    err = capsys.readouterr().err
    assert err.index(DIRTY) < err.index("error:")


def test_a_settings_file_named_but_missing_and_an_old_template_are_warned_on_update(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {**ANSWERS_JINJA, "copier.yml": "_min_copier_version: '8.0'\nname: x\n"}
    template = tagged_repo(tmp_path / "tpl", {"v1": files, "v2": {"a.txt": "a\n"}})
    dst = tmp_path / "dst"
    with pytest.warns(OldTemplateWarning):
        copy(str(template), dst, CopyOptions(defaults=True, vcs_ref="v1"))
    git(dst, "init", "-q")
    git(dst, "add", "-A")
    git(dst, "commit", "-qm", "copied")
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(tmp_path / "missing.yml"))

    assert main(["update", str(dst), "--defaults"]) == 0

    lines = [line for line in capsys.readouterr().err.splitlines() if "warning:" in line]
    assert lines == [
        f"warning: Settings file not found at {tmp_path / 'missing.yml'}",
        "warning: This template was designed for Copier 8.0, but templsync follows Copier "
        "9.19.1. You could find some incompatibilities.",
    ]


def test_now_and_make_secret_are_copiers_future_warnings(tmp_path: Path) -> None:
    """Copier's test_templated_prompt: two FutureWarnings, and the values still work."""
    template = build_tree(
        tmp_path / "tpl",
        {
            "copier.yaml": "question1:\n  default: '{{ now() }}'\n"
            "question2:\n  default: '{{ make_secret() }}'\n",
            "now.jinja": "{{ question1 }}",
            "make_secret.jinja": "{{ question2 }}",
        },
    )
    with pytest.warns(FutureWarning) as caught:
        result = copy(str(template), tmp_path / "dst", CopyOptions(defaults=True))
    # Copier's are FutureWarnings as they are; ours are also TemplsyncWarnings.
    assert [w.category for w in caught] == [TemplateFutureWarning, TemplateFutureWarning]
    assert issubclass(TemplateFutureWarning, FutureWarning)
    assert [type(w) for w in result.warnings] == [TemplateFutureWarning] * 2
    assert len((tmp_path / "dst" / "make_secret").read_text()) == 128
