"""``templsync verify``: a fresh instance per answer set, the command run in it, its exit code."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from instance.helpers import ANSWERS_JINJA, git
from templsync.backport.matrix import MatrixError, parse_matrix
from templsync.backport.verify import VerifyOptions, verify
from templsync.cli.main import main
from testing.trees import build_tree

PY = sys.executable


def make_template(root: Path) -> Path:
    """A committed, tagged template: one question, one templated file."""
    build_tree(
        root,
        {
            "copier.yml": (
                "name:\n  type: str\n  default: demo\nport:\n  type: int\n  default: 80\n"
            ),
            "app.txt.jinja": "{{ name }}:{{ port }}\n",
        }
        | ANSWERS_JINJA,
    )
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    git(root, "tag", "1.0.0")
    return root


def check(expected: str) -> list[str]:
    """A command that exits 0 when app.txt holds ``expected``, else 7; it prints what it read."""
    code = (
        "import sys, pathlib; t = pathlib.Path('app.txt').read_text(); print('read', t.strip()); "
        f"sys.exit(0 if t == {expected!r} else 7)"
    )
    return [PY, "-c", code]


def test_the_command_runs_in_the_instance_and_its_exit_code_is_the_commands(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    template = make_template(tmp_path / "tpl")
    assert main(["verify", str(template), "-d", "name=billing", "--", *check("billing:80\n")]) == 0
    out = capfd.readouterr().out
    assert "read billing:80" in out
    assert "passed" in out
    assert main(["verify", str(template), "--", *check("billing:80\n")]) == 7
    assert "failed (exit 7)" in capfd.readouterr().out


def test_the_working_tree_is_rendered_with_its_uncommitted_changes_unless_a_ref_is_given(
    tmp_path: Path,
) -> None:
    template = make_template(tmp_path / "tpl")
    (template / "app.txt.jinja").write_text("{{ name }} edited\n")
    assert main(["verify", str(template), "-q", "--", *check("demo edited\n")]) == 0
    assert main(["verify", str(template), "-q", "-r", "1.0.0", "--", *check("demo:80\n")]) == 0


def test_the_instance_is_removed_unless_kept(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl")
    record = tmp_path / "where.txt"
    where = [PY, "-c", f"import os; open({str(record)!r}, 'w').write(os.getcwd())"]
    assert main(["verify", str(template), "-q", "--", *where]) == 0
    made = Path(record.read_text())
    assert made.name == "instance"
    assert not made.exists()
    keep = tmp_path / "kept"
    assert main(["verify", str(template), "-q", "--keep", str(keep), "--", *where]) == 0
    assert Path(record.read_text()) == keep
    assert (keep / "app.txt").read_text() == "demo:80\n"
    assert (keep / ".copier-answers.yml").is_file()


def test_keep_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = make_template(tmp_path / "tpl")
    keep = build_tree(tmp_path / "busy", {"mine.txt": "x"})
    assert main(["verify", str(template), "--keep", str(keep), "--", PY, "-c", "pass"]) == 1
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in keep.iterdir()] == ["mine.txt"]


def test_a_matrix_makes_one_instance_per_answer_set_and_prints_a_row_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = make_template(tmp_path / "tpl")
    matrix = tmp_path / "sets.yml"
    matrix.write_text("- {name: a, port: 1}\n- {name: b}\n")
    script = (
        "import sys, pathlib; t = pathlib.Path('app.txt').read_text(); "
        "sys.exit(0 if t.startswith('a:') else 5)"
    )
    assert main(["verify", str(template), "--matrix", str(matrix), "--", PY, "-c", script]) == 5
    out = capsys.readouterr().out
    assert "name=a, port=1" in out
    assert "failed (exit 5)" in out
    assert "1 of 2 answer sets passed" in out


def test_a_matrix_row_that_cannot_be_made_fails_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = make_template(tmp_path / "tpl")
    matrix = tmp_path / "sets.txt"
    matrix.write_text("# one set per line\nname=a\nport=not-a-number\n")
    assert main(["verify", str(template), "--matrix", str(matrix), "--json", "--", PY, "-V"]) == 1
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [r["passed"] for r in runs] == [True, False]
    assert runs[0]["exit_code"] == 0
    assert runs[1]["exit_code"] is None
    assert "port" in runs[1]["error"]


def test_json_keeps_stdout_for_the_document(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    template = make_template(tmp_path / "tpl")
    assert main(["verify", str(template), "--json", "--", *check("demo:80\n")]) == 0
    captured = capfd.readouterr()
    assert "read demo:80" in captured.err
    data = json.loads(captured.out)
    assert data["exit_code"] == 0
    assert data["runs"][0]["answers"] == {}
    assert data["commit"] == "1.0.0"
    assert data["uncommitted_changes"] is False


def test_a_dry_run_renders_and_runs_nothing(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl")
    marker = tmp_path / "ran"
    result = verify(
        str(template),
        [PY, "-c", f"open({str(marker)!r}, 'w')"],
        VerifyOptions(data={"name": "x"}, keep=tmp_path / "kept", dry_run=True),
    )
    assert result.exit_code == 0
    assert [(r.code, r.files) for r in result.runs] == [(None, 2)]
    assert not marker.exists()
    assert not (tmp_path / "kept").exists()


def test_a_command_that_cannot_start_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = make_template(tmp_path / "tpl")
    assert main(["verify", str(template), "--", "no-such-program-here"]) == 1
    assert "could not start" in capsys.readouterr().err


def test_a_trusted_templates_tasks_run_before_the_command(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl")
    with (template / "copier.yml").open("a") as f:
        f.write(f"_tasks:\n  - [{PY!r}, -c, \"open('task.txt', 'w').write('done')\"]\n")
    git(template, "commit", "-qam", "task")
    probe = [PY, "-c", "import sys, os; sys.exit(0 if os.path.exists('task.txt') else 9)"]
    assert main(["verify", str(template), "-q", "--trust", "--", *probe]) == 0
    assert main(["verify", str(template), "-q", "--trust", "-T", "--", *probe]) == 9


def test_matrix_files_read_as_yaml_lists_or_lines() -> None:
    assert parse_matrix("- {a: 1}\n- b: [x]\n", "m") == ({"a": 1}, {"b": ["x"]})
    assert parse_matrix("a=1 b='two words'\n\n# c=3\nc=3\n", "m") == (
        {"a": "1", "b": "two words"},
        {"c": "3"},
    )
    with pytest.raises(MatrixError, match="line 1"):
        parse_matrix("a=1 oops\n", "m")
    with pytest.raises(MatrixError, match="item 2"):
        parse_matrix("- {a: 1}\n- just text\n", "m")
    with pytest.raises(MatrixError, match="no answer set"):
        parse_matrix("# nothing\n", "m")
