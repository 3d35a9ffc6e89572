"""``templsync templatize``: a working project made a Copier template, and the round trip."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from backport.projects import OTHER_VALUES, VALUES, make_service, var_flags
from instance.helpers import copier_copy, git, snapshot
from templsync._io import read_tree
from templsync.cli.main import main
from testing.trees import build_tree


def test_a_service_becomes_a_template_that_copier_copies_back_byte_for_byte(
    tmp_path: Path,
) -> None:
    project = make_service(tmp_path / "orders")
    template = tmp_path / "template"
    assert main(["templatize", str(project), "--out", str(template), *var_flags(VALUES)]) == 0
    files = read_tree(template)
    routes = files["{{ project_slug }}/routers/{{ resource }}.py.jinja"].content().decode()
    assert "def list_{{ resource }}() -> list[str]:" in routes
    assert "reorders" in routes  # inside another word: never replaced
    assert '"{{ resource }}-1"' in routes
    assert "{{ project_slug }}/__init__.py" in files  # no variable inside: copied as it is
    assert "{{ project_slug }}/app.py" in files
    readme = files["README.md.jinja"].content().decode()
    assert readme.startswith("# {{ project_name }}\n")
    assert "Set {{ project_slug | upper }}_URL." in readme
    assert "{{ customer }}" not in readme  # the project's own Jinja-like text is escaped
    pyproject = files["pyproject.toml.jinja"].content().decode()
    assert "name = \"{{ project_slug | replace('_', '-') }}\"" in pyproject
    assert files["scripts/serve.sh.jinja"].mode.label == "executable"
    copied = copier_copy(str(template), tmp_path / "copy", data=VALUES)
    original = {p: v for p, v in snapshot(project).items() if not p.startswith(".git/")}
    assert {p: v for p, v in snapshot(tmp_path / "copy").items() if p != ".copier-answers.yml"} == (
        original
    )
    assert "project_slug: orders_api" in copied[".copier-answers.yml"].content().decode()


def test_the_template_runs_with_other_answers(tmp_path: Path) -> None:
    project = make_service(tmp_path / "orders")
    template = tmp_path / "template"
    assert main(["templatize", str(project), "-q", "-o", str(template), *var_flags(VALUES)]) == 0
    keep = tmp_path / "billing"
    answers = [flag for k, v in OTHER_VALUES.items() for flag in ("-d", f"{k}={v}")]
    tests = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    assert main(["verify", str(template), "-q", "--keep", str(keep), *answers, "--", *tests]) == 0
    assert (keep / "billing_api" / "routers" / "invoices.py").is_file()
    main_py = (keep / "billing_api" / "main.py").read_text()
    assert 'App(title="Billing API")' in main_py
    assert "count_reorders" in (keep / "billing_api" / "routers" / "invoices.py").read_text()
    assert 'name = "billing-api"' in (keep / "pyproject.toml").read_text()


def test_copier_yml_has_one_question_per_variable_and_the_answers_file_is_templated(
    tmp_path: Path,
) -> None:
    project = make_service(tmp_path / "orders")
    template = tmp_path / "template"
    assert main(["templatize", str(project), "-q", "-o", str(template), *var_flags(VALUES)]) == 0
    import yaml

    config = yaml.safe_load((template / "copier.yml").read_text())
    assert config == {name: {"type": "str", "default": value} for name, value in VALUES.items()}
    assert (template / "{{ _copier_conf.answers_file }}.jinja").is_file()


def test_what_copier_would_leave_out_is_left_out_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = build_tree(
        tmp_path / "orders",
        {
            "orders.txt": "orders\n",
            "__pycache__/x.pyc": b"\0",
            ".copier-answers.yml": "_src_path: elsewhere\n",
            "copier.yml": "other: 1\n",
        },
    )
    template = tmp_path / "template"
    assert main(["templatize", str(project), "-o", str(template), "--var", "resource=orders"]) == 0
    err = capsys.readouterr().err
    for path in ("__pycache__/x.pyc", ".copier-answers.yml", "copier.yml"):
        assert f"left out {path}" in err
    assert sorted(read_tree(template)) == [
        "copier.yml",
        "{{ _copier_conf.answers_file }}.jinja",
        "{{ resource }}.txt.jinja",
    ]


def test_a_file_already_named_jinja_renders_to_itself(tmp_path: Path) -> None:
    project = build_tree(tmp_path / "p", {"page.html.jinja": "{{ title }} for orders\n"})
    template = tmp_path / "t"
    assert main(["templatize", str(project), "-q", "-o", str(template), "--var", "r=orders"]) == 0
    assert (template / "page.html.jinja.jinja").is_file()
    copied = copier_copy(str(template), tmp_path / "copy", data={"r": "orders"})
    assert copied["page.html.jinja"].content() == b"{{ title }} for orders\n"


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("use_docker=y", "cannot be found by text"),
        ("port=8000", "cannot be found by text"),
        ("flag=true", "cannot be found by text"),
        ("_private=orders", "not a question name"),
        ("class=orders", "not a question name"),
        ("novalue", "not NAME=VALUE"),
    ],
)
def test_variables_that_cannot_be_found_by_text_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, message: str
) -> None:
    project = build_tree(tmp_path / "p", {"a.txt": "x\n"})
    assert main(["templatize", str(project), "-o", str(tmp_path / "t"), "--var", flag]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "t").exists()


def test_two_variables_with_one_value_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = build_tree(tmp_path / "p", {"a.txt": "x\n"})
    flags = ["--var", "a=orders", "--var", "b=orders"]
    assert main(["templatize", str(project), "-o", str(tmp_path / "t"), *flags]) == 1
    assert "same value" in capsys.readouterr().err


def test_a_round_trip_that_fails_names_the_files_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The project's `notes` gets a variable and becomes `notes.jinja`; its own `notes.jinja`
    # becomes `notes.jinja.jinja`, which Copier takes for the templated sibling of the template
    # file `notes.jinja` and renders instead of it: `notes` is never made.
    project = build_tree(tmp_path / "p", {"notes": "orders\n", "notes.jinja": "plain\n"})
    template = tmp_path / "t"
    assert main(["templatize", str(project), "-o", str(template), "--var", "r=orders"]) == 1
    err = capsys.readouterr().err
    assert "does not give the project back" in err
    assert "notes" in err
    assert not template.exists()
    assert (
        main(
            [
                "templatize",
                str(project),
                "-q",
                "-o",
                str(template),
                "--var",
                "r=orders",
                "--no-check",
            ]
        )
        == 0
    )
    assert template.is_dir()


def test_the_template_is_committed_on_a_branch_without_a_checkout(tmp_path: Path) -> None:
    project = make_service(tmp_path / "orders")
    head = git(project, "rev-parse", "HEAD")
    flags = ["--branch", "copier", *var_flags(VALUES)]
    assert main(["templatize", str(project), "-q", *flags]) == 0
    assert git(project, "rev-parse", "HEAD") == head
    assert git(project, "status", "--porcelain") == ""
    listed = git(project, "ls-tree", "-r", "--name-only", "copier").splitlines()
    assert "{{ project_slug }}/routers/{{ resource }}.py.jinja" in listed
    assert "copier.yml" in listed
    first = git(project, "rev-parse", "copier")
    assert main(["templatize", str(project), "-q", *flags]) == 0
    assert git(project, "rev-parse", "copier") == first  # nothing changed: no new commit
    (project / "CHANGES.md").write_text("orders_api 0.2\n")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "release")
    assert main(["templatize", str(project), "-q", *flags]) == 0
    assert git(project, "rev-parse", "copier~1") == first
    assert git(project, "show", "copier:CHANGES.md.jinja") == "{{ project_slug }} 0.2"
    # The branch is a template copier reads as it is.
    copier_copy(str(project), tmp_path / "copy", data=VALUES, vcs_ref="copier")
    assert (tmp_path / "copy" / "CHANGES.md").read_text() == "orders_api 0.2\n"


def test_a_dry_run_writes_nothing_and_json_lists_the_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_service(tmp_path / "orders")
    template = tmp_path / "template"
    flags = ["-o", str(template), "--branch", "copier", "--dry-run", "--json"]
    assert main(["templatize", str(project), *flags, *var_flags(VALUES)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert not template.exists()
    assert git(project, "branch", "--list", "copier") == ""
    paths = {f["source"]: f for f in data["files"]}
    assert paths["orders_api/routers/orders.py"]["path"] == (
        "{{ project_slug }}/routers/{{ resource }}.py.jinja"
    )
    assert paths["orders_api/app.py"]["templated"] is False
    assert data["checked"] is True


def test_out_must_be_new_or_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = build_tree(tmp_path / "p", {"a.txt": "orders\n"})
    busy = build_tree(tmp_path / "t", {"keep.txt": "x"})
    assert main(["templatize", str(project), "-o", str(busy), "--var", "r=orders"]) == 1
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]
    (tmp_path / "empty").mkdir()
    assert (
        main(["templatize", str(project), "-q", "-o", str(tmp_path / "empty"), "--var", "r=orders"])
        == 0
    )
    assert (tmp_path / "empty" / "a.txt.jinja").read_text() == "{{ r }}\n"
