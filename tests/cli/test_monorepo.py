"""Instances in a monorepo whose ``_src_path`` Copier recorded relative to where ``copier copy``
ran, not to the instance: every command finds the template, from any folder."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import copier
import pytest

from instance.helpers import ANSWERS_JINJA, git, tagged_repo
from templsync.cli.main import main

V1 = {
    **ANSWERS_JINJA,
    "copier.yml": "name:\n  type: str\n  default: demo\n",
    "README.md.jinja": "# {{ name }}\n\none\ntwo\nthree\n",
}
V2 = {"README.md.jinja": "# {{ name }}\n\none\ntwo, better\nthree\n"}


@pytest.fixture
def mono(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``mono/`` (a git repository) holding ``templates/service`` (the template, a repository
    of its own, ignored by the monorepo) and ``services/team/api``, made by Copier run in
    ``services/team`` as ``copier copy ../../templates/service api``."""
    root = tmp_path / "mono"
    tagged_repo(root / "templates" / "service", {"1.0.0": V1, "2.0.0": V2})
    (root / ".gitignore").write_text("templates/\n")
    team = root / "services" / "team"
    team.mkdir(parents=True)
    monkeypatch.chdir(team)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_copy(
            "../../templates/service", "api", vcs_ref="1.0.0", defaults=True, quiet=True
        )
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "monorepo")
    monkeypatch.chdir(tmp_path)
    return root


def api(mono: Path) -> Path:
    return mono / "services" / "team" / "api"


def test_copier_recorded_the_path_relative_to_where_it_ran(mono: Path) -> None:
    assert "_src_path: ../../templates/service\n" in (api(mono) / ".copier-answers.yml").read_text()
    assert not (api(mono) / "../../templates/service").exists()  # not from the instance


WHERE = ["root", "instance", "elsewhere"]


def go(where: str, mono: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = {"root": mono, "instance": api(mono), "elsewhere": mono.parent}[where]
    monkeypatch.chdir(folder)


def said_where(err: str, mono: Path) -> bool:
    text = " ".join(err.split())
    return (
        "warning: `_src_path: ../../templates/service`" in text
        and f"the template was read from {mono / 'templates' / 'service'}" in text
        and f"relative to a folder above the project ({mono / 'services' / 'team'})" in text
    )


@pytest.mark.parametrize("where", WHERE)
def test_check_from_any_folder(
    mono: Path, where: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    go(where, mono, monkeypatch)
    assert main(["check", str(api(mono))]) == 1  # behind
    out, err = capsys.readouterr()
    assert "latest:   2.0.0" in out
    assert said_where(err, mono)


@pytest.mark.parametrize("where", WHERE)
def test_diff_from_any_folder(
    mono: Path, where: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (api(mono) / "README.md").write_text("# demo\n\none\ntwo, ours\nthree\n")
    go(where, mono, monkeypatch)
    assert main(["diff", str(api(mono)), "--exit-code"]) == 1
    out, err = capsys.readouterr()
    assert "+two, ours" in out
    assert said_where(err, mono)


@pytest.mark.parametrize("where", WHERE)
def test_update_from_any_folder(
    mono: Path, where: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    go(where, mono, monkeypatch)
    assert main(["update", str(api(mono)), "--defaults"]) == 0
    out, err = capsys.readouterr()
    assert "from 1.0.0 to 2.0.0" in out
    assert said_where(err, mono)
    assert "two, better" in (api(mono) / "README.md").read_text()
    answers = (api(mono) / ".copier-answers.yml").read_text()
    assert "_src_path: ../../templates/service\n" in answers  # the spelling is kept
    assert "_commit: 2.0.0\n" in answers


@pytest.mark.parametrize("where", WHERE)
def test_recopy_from_any_folder(
    mono: Path, where: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (api(mono) / "README.md").write_text("# demo\n\none\ntwo, ours\nthree\n")
    git(mono, "commit", "-qam", "ours")
    go(where, mono, monkeypatch)
    assert main(["recopy", str(api(mono)), "--defaults"]) == 0
    assert said_where(capsys.readouterr().err, mono)
    assert (api(mono) / "README.md").read_text() == "# demo\n\none\ntwo, better\nthree\n"


def test_found_from_the_instance_says_nothing(
    mono: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = api(mono) / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("../../templates", "../../../templates"))
    git(mono, "commit", "-qam", "relative to the instance")
    assert main(["check", str(api(mono))]) == 1
    assert "warning" not in capsys.readouterr().err


def test_the_current_folder_comes_last(
    mono: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``_src_path`` relative to a folder outside the repository is found only from there."""
    answers = api(mono) / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("../../templates", "mono/templates"))
    git(mono, "commit", "-qam", "relative to the monorepo's parent")
    monkeypatch.chdir(mono.parent)
    assert main(["check", str(api(mono))]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert f"relative to the current folder ({mono.parent})" in err
    monkeypatch.chdir(mono)
    assert main(["check", str(api(mono))]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert (
        f"error: {answers}: `_src_path: mono/templates/service`: the template does not exist"
        in (err)
    )
    assert f"the project's folder ({api(mono)})" in err and f"({mono})" in err


@pytest.fixture
def fleet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A monorepo instance made by Copier run above the monorepo (``copier copy
    templates/service mono/services/api``: ``_src_path: templates/service``, which neither the
    instance's folders nor any other folder finds), and the registry ``fleet discover`` made
    in the template's folder; the current folder is elsewhere."""
    template = tagged_repo(tmp_path / "templates" / "service", {"1.0.0": V1, "2.0.0": V2})
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_copy(
            "templates/service", "mono/services/api", vcs_ref="1.0.0", defaults=True, quiet=True
        )
    git(tmp_path / "mono", "init", "-q")
    git(tmp_path / "mono", "add", "-A")
    git(tmp_path / "mono", "commit", "-q", "-m", "monorepo")
    monkeypatch.chdir(template)
    assert main(["fleet", "discover", "../../mono", "-q"]) == 0
    capsys.readouterr()
    monkeypatch.chdir((tmp_path / "mono" / "services").resolve())
    return template / "templsync-fleet.toml"


def test_fleet_status_conflicts_reads_the_registrys_template(
    fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "api"]) == 2  # the instance alone cannot tell where its template is
    assert "the template does not exist" in capsys.readouterr().err
    assert main(["fleet", "status", "--conflicts", "--json", "--fleet", str(fleet)]) == 0
    [instance] = json.loads(capsys.readouterr().out)["instances"]
    assert instance["conflicts_error"] is None
    assert instance["conflicts"] == []


def test_fleet_update_reads_the_registrys_template(
    fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", "update", "--jobs", "1", "--in-place", "--fleet", str(fleet)]) == 0
    out = capsys.readouterr().out
    assert "1 instance: 1 updated" in out
    assert "two, better" in Path("api", "README.md").read_text()
    assert "_src_path: templates/service\n" in Path("api", ".copier-answers.yml").read_text()
