"""``templsync copy``: flags as Copier's, exit codes, what it prints, what it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from instance.helpers import ANSWERS_JINJA, copier_copy, snapshot
from templsync.cli.copy import ask_question
from templsync.cli.main import main
from templsync.instance.copy import copy
from templsync.template.answering import QuestionPrompt
from testing.trees import build_tree

TEMPLATE = {
    "copier.yml": (
        "name:\n  type: str\n  help: The service name\n"
        "port:\n  type: int\n  default: 8000\n"
        "_message_before_copy: 'Making {{ name | default(\"?\") }}'\n"
        "_message_after_copy: 'Made {{ name }} on {{ port }}'\n"
    ),
    **ANSWERS_JINJA,
    "{{ name }}/app.py.jinja": "PORT = {{ port }}\n",
    "README.md": "hello\n",
}


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return build_tree(tmp_path / "tpl", TEMPLATE)


def test_copy_writes_the_project_and_prints_a_summary(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dst = tmp_path / "out" / "dst"
    assert main(["copy", str(template), str(dst), "-d", "name=billing", "--defaults"]) == 0
    theirs = tmp_path / "copier" / "dst"
    copier_copy(str(template), theirs, {"name": "billing"})
    assert snapshot(dst) == snapshot(theirs)
    captured = capsys.readouterr()
    assert "copied" in captured.out and "3 created" in captured.out
    assert "Made billing on 8000" in captured.err and "create" in captured.err


def test_data_file_and_data_flags_answer_questions_the_flag_winning(
    template: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text("name: fromfile\nport: 1\n")
    dst = tmp_path / "out"
    args = ["copy", str(template), str(dst), "--data-file", str(answers), "-d", "port=2", "-q"]
    assert main(args) == 0
    assert (dst / "fromfile" / "app.py").read_text() == "PORT = 2\n"


def test_pretend_prints_every_file_and_writes_nothing(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dst = tmp_path / "out"
    assert main(["copy", str(template), str(dst), "-d", "name=x", "-l", "--pretend"]) == 0
    out = capsys.readouterr().out
    assert not dst.exists()
    for path in (".copier-answers.yml", "README.md", "x/app.py"):
        assert path in out
    assert "nothing was written" in out


def test_a_missing_answer_without_a_terminal_names_the_question_and_flag(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dst = tmp_path / "out"
    assert main(["copy", str(template), str(dst)]) == 1
    err = capsys.readouterr().err
    assert "'name'" in err and "--data name=VALUE" in err
    assert not dst.exists()


def test_ask_asks_a_question_data_and_defaults_answer_so_needs_a_terminal(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dst = tmp_path / "out"
    args = ["copy", str(template), str(dst), "-d", "name=x", "--defaults"]
    assert main([*args, "--ask", "p*"]) == 1  # Copier's --ask: `port` must be asked
    err = capsys.readouterr().err
    assert "Interactive session required" in err and "'port'" in err
    assert not dst.exists()
    assert main([*args, "--ask", "nothing*", "-q"]) == 0
    assert (dst / "x" / "app.py").read_text() == "PORT = 8000\n"


def test_a_non_empty_destination_is_refused_then_overwritten(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dst = build_tree(tmp_path / "out", {"README.md": "mine\n"})
    args = ["copy", str(template), str(dst), "-d", "name=x", "-l"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "README.md" in err and "--overwrite" in err
    assert (dst / "README.md").read_text() == "mine\n"
    assert main([*args, "--overwrite"]) == 0
    assert (dst / "README.md").read_text() == "hello\n"


def test_untrusted_tasks_exit_1_and_trust_runs_them(tmp_path: Path) -> None:
    template = build_tree(tmp_path / "tpl", {"copier.yml": "_tasks:\n  - 'touch made-by-task'\n"})
    dst = tmp_path / "out"
    assert main(["copy", str(template), str(dst), "-q"]) == 1
    assert not dst.exists()
    assert main(["copy", str(template), str(dst), "-q", "--skip-tasks"]) == 0
    assert not (dst / "made-by-task").exists()
    assert main(["copy", str(template), str(dst), "-q", "--trust"]) == 0
    assert (dst / "made-by-task").exists()


def test_json_describes_the_copy(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dst = tmp_path / "out"
    assert main(["copy", str(template), str(dst), "-d", "name=x", "-l", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["created"] == [".copier-answers.yml", "README.md", "x/app.py"]
    assert data["answers"] == {"name": "x", "port": 8000}
    assert data["answers_file"] == ".copier-answers.yml"


def test_bad_data_and_a_missing_template_are_user_errors(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["copy", str(template), str(tmp_path / "o"), "-d", "novalue"]) == 1
    assert "NAME=VALUE" in capsys.readouterr().err
    assert main(["copy", str(tmp_path / "missing"), str(tmp_path / "o")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_help_shows_an_example_and_copiers_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["copy", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Example" in out and "templsync copy" in out
    for flag in ("--vcs-ref", "--data-file", "--defaults", "--overwrite", "--pretend", "--trust"):
        assert flag in out


def test_copiers_trust_list_trusts_the_template_without_the_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = build_tree(tmp_path / "tpls" / "a", {"copier.yml": "_tasks:\n  - 'touch ran'\n"})
    settings = tmp_path / "settings.yml"
    settings.write_text(f"trust:\n  - {tmp_path / 'tpls'}/\n")
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))
    assert main(["copy", str(template), str(tmp_path / "out"), "-q"]) == 0
    assert (tmp_path / "out" / "ran").exists()


PROMPTED = {
    "copier.yml": (
        "owner:\n  type: str\n  help: Who owns it\n"
        "port:\n  type: int\n  default: 8000\n"
        "docker:\n  type: bool\n  default: true\n"
        "license:\n  choices: [MIT, BSD]\n  default: BSD\n"
    ),
    "out.txt.jinja": "{{ owner }} {{ port }} {{ docker }} {{ license }}\n",
}


def test_questions_are_asked_at_a_terminal_with_questionary(tmp_path: Path) -> None:
    template = build_tree(tmp_path / "tpl", PROMPTED)
    with create_pipe_input() as keys, create_app_session(input=keys, output=DummyOutput()):

        def ask(prompt: QuestionPrompt) -> object:
            typed = {
                "owner": "ada\r",
                "port": "\x7f\x7f\x7f\x7f9\r",
                "docker": "n",
                "license": "\r",
            }
            keys.send_text(typed[prompt.name])
            return ask_question(prompt)

        copy(str(template), tmp_path / "out", ask=ask)
    assert (tmp_path / "out" / "out.txt").read_text() == "ada 9 False BSD\n"


def test_task_output_is_shown_and_keeps_json_on_stdout_clean(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    template = build_tree(tmp_path / "tpl", {"copier.yml": "_tasks:\n  - 'echo from-the-task'\n"})
    assert main(["copy", str(template), str(tmp_path / "a"), "--trust"]) == 0
    shown = capfd.readouterr()
    assert "from-the-task" in shown.out and "Running task 1 of 1" in shown.err
    assert main(["copy", str(template), str(tmp_path / "b"), "--trust", "--json"]) == 0
    shown = capfd.readouterr()
    assert json.loads(shown.out)["tasks"] == ["echo from-the-task"]
    assert "from-the-task" in shown.err


def test_pretend_announces_tasks_without_running_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = build_tree(tmp_path / "tpl", {"copier.yml": "_tasks:\n  - 'touch ran'\n"})
    dst = tmp_path / "out"
    assert main(["copy", str(template), str(dst), "--trust", "--pretend"]) == 0
    captured = capsys.readouterr()
    assert "touch ran" in captured.err and "1 task(s) to run" in captured.out
    assert not dst.exists()


def test_empty_folders_made_are_listed_and_in_the_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {"copier.yml": "x: false\n", "src/{% if x %}x.py{% endif %}": "", "a.txt": "a\n"}
    template = build_tree(tmp_path / "tpl", files)
    assert main(["copy", str(template), str(tmp_path / "one"), "--defaults", "--pretend"]) == 0
    assert "   create src/\n" in capsys.readouterr().out
    assert not (tmp_path / "one").exists()
    assert main(["copy", str(template), str(tmp_path / "two"), "--defaults", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["folders"] == ["src"]
    assert (tmp_path / "two" / "src").is_dir()


def test_a_template_jinja_miscompiles_is_an_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Jinja emits invalid Python for an inline ``if`` without ``else`` in a file whose path
    holds a quote; Copier crashes on it too. Here it is an error naming the file, exit 1."""
    folder = "{% if ci == 'github' %}.github{% endif %}"
    template = build_tree(
        tmp_path / "tpl",
        {"copier.yml": "ci:\n  default: github\n", f"{folder}/a.yml.jinja": '{{ "x" if ci }}\n'},
    )
    dst = tmp_path / "out"

    code = main(["copy", str(template), str(dst), "--defaults", "-q"])

    err = capsys.readouterr().err
    assert code == 1
    assert f"{folder}/a.yml.jinja" in err
    assert "could not compile" in err
    assert not dst.exists()
