"""``copy`` over a project that is already there, against Copier: its recorded answers are the
defaults (Copier's ``test_answersfile``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from instance.helpers import copier_copy, snapshot
from templsync.instance.copy import CopyOptions, DestinationNotEmptyError, copy
from templsync.template.answering import QuestionPrompt
from templsync.template.answers import AnswersFileError
from testing.trees import build_tree

# Copier's tests/test_answersfile.py template: its own answers-file name, [[ ]] delimiters and
# two secret questions.
ROUNDS = {
    "[[ _copier_conf.answers_file ]].tmpl": (
        "# Changes here will be overwritten by Copier\n[[ _copier_answers|to_nice_yaml ]]\n"
    ),
    "copier.yml": (
        "_answers_file: .answers-file-changed-in-template.yml\n"
        "_templates_suffix: .tmpl\n"
        '_envops: {"block_start_string": "[%", "block_end_string": "%]", '
        '"variable_start_string": "[[", "variable_end_string": "]]"}\n'
        "round: 1st\n"
        "_secret_questions:\n  - password_1\n"
        "password_1: password one\n"
        "password_2:\n  secret: yes\n  default: password two\n"
    ),
    "round.txt.tmpl": "It's the [[round]] round.\npassword_1=[[password_1]]\n"
    "password_2=[[password_2]]\n",
}


def both(template: Path, tmp_path: Path, data: dict[str, Any], **kw: Any) -> tuple[Path, Path]:
    """Copy into ``tmp_path/ours`` and ``tmp_path/copier`` (over what each already holds)."""
    ours, theirs = tmp_path / "ours", tmp_path / "copier"
    copier_copy(str(template), theirs, data, overwrite=True, **kw)
    options = CopyOptions(
        data=data, defaults=True, overwrite=True, answers_file=kw.get("answers_file")
    )
    copy(str(template), ours, options)
    return ours, theirs


@pytest.mark.parametrize("answers_file", [None, ".changed-by-user.yaml"])
def test_a_copy_over_a_project_takes_its_recorded_answers_as_defaults(
    tmp_path: Path, answers_file: str | None
) -> None:
    template = build_tree(tmp_path / "tpl", ROUNDS)
    recorded = answers_file or ".answers-file-changed-in-template.yml"
    both(template, tmp_path, {}, answers_file=answers_file)
    ours, theirs = both(template, tmp_path, {"round": "2nd"}, answers_file=answers_file)
    assert snapshot(ours) == snapshot(theirs)

    ours, theirs = both(template, tmp_path, {}, answers_file=recorded)

    assert snapshot(ours) == snapshot(theirs)
    assert (ours / "round.txt").read_text().startswith("It's the 2nd round.\n")
    assert "round: 2nd" in (ours / recorded).read_text()
    assert "password" not in (ours / recorded).read_text()


def test_only_the_answers_file_given_or_the_default_one_is_read(tmp_path: Path) -> None:
    """Copier reads ``--answers-file`` or ``.copier-answers.yml``, never the template's own
    ``_answers_file``: without the flag, the template's file is not read back."""
    template = build_tree(tmp_path / "tpl", ROUNDS)
    both(template, tmp_path, {"round": "2nd"})

    ours, theirs = both(template, tmp_path, {})

    assert snapshot(ours) == snapshot(theirs)
    assert (ours / "round.txt").read_text().startswith("It's the 1st round.\n")


def test_recorded_answers_are_what_a_prompt_offers_and_data_still_wins(tmp_path: Path) -> None:
    template = build_tree(
        tmp_path / "tpl",
        {
            "copier.yml": "name: alpha\nsize:\n  type: int\n  default: 1\n",
            "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml }}",
        },
    )
    dst = build_tree(tmp_path / "out", {".copier-answers.yml": "name: beta\nsize: 7\n"})
    offered: dict[str, object] = {}

    def ask(prompt: QuestionPrompt) -> object:
        offered[prompt.name] = prompt.default
        return prompt.default

    copy(str(template), dst, CopyOptions(data={"size": "3"}, overwrite=True), ask=ask)

    assert offered == {"name": "beta"}
    assert (dst / ".copier-answers.yml").read_text() == (
        f"_src_path: {template}\nname: beta\nsize: 3\n"
    )


def test_an_answers_file_that_is_not_yaml_is_an_error_naming_it(tmp_path: Path) -> None:
    template = build_tree(tmp_path / "tpl", {"copier.yml": "name: alpha\n"})
    dst = build_tree(tmp_path / "out", {".copier-answers.yml": "name: [unclosed\n"})
    with pytest.raises(AnswersFileError, match=r"out/\.copier-answers\.yml"):
        copy(str(template), dst, CopyOptions(defaults=True))


def _over_a_link_leaving(root: Path) -> Path:
    """``root/project`` whose ``file.txt`` and ``sub/deep.txt`` link to ``root/other``."""
    build_tree(root / "other", {"target.txt": "external\n"})
    project = root / "project"
    (project / "sub").mkdir(parents=True)
    (project / "file.txt").symlink_to(Path("..") / "other" / "target.txt")
    (project / "sub" / "deep.txt").symlink_to(Path("..") / ".." / "other" / "target.txt")
    return project


@pytest.mark.parametrize("preserve_symlinks", [False, True])
def test_a_link_in_the_destination_that_leaves_it_is_replaced_never_written_through(
    tmp_path: Path, preserve_symlinks: bool
) -> None:
    """Copier's ``test_destination_symlink_outside_destination_root``: the template's file takes
    the link's place; the file the link pointed to is left as it was."""
    template = build_tree(
        tmp_path / "tpl",
        {
            "copier.yaml": f"_preserve_symlinks: {str(preserve_symlinks).lower()}\n",
            "file.txt": "from template\n",
            "sub/deep.txt": "deep from template\n",
        },
    )
    ours = _over_a_link_leaving(tmp_path / "ours")
    theirs = _over_a_link_leaving(tmp_path / "copier")
    copier_copy(str(template), theirs, overwrite=True)

    result = copy(str(template), ours, CopyOptions(defaults=True, overwrite=True))

    assert snapshot(ours) == snapshot(theirs)
    assert not (ours / "file.txt").is_symlink()
    assert (ours / "file.txt").read_text() == "from template\n"
    assert result.overwritten == ("file.txt", "sub/deep.txt")
    assert (tmp_path / "ours" / "other" / "target.txt").read_text() == "external\n"


def test_without_overwrite_a_link_leaving_the_destination_is_listed_and_left(
    tmp_path: Path,
) -> None:
    template = build_tree(tmp_path / "tpl", {"file.txt": "from template\n"})
    dst = _over_a_link_leaving(tmp_path)

    with pytest.raises(DestinationNotEmptyError) as refused:
        copy(str(template), dst, CopyOptions(defaults=True))

    assert refused.value.paths == ("file.txt",)
    assert (dst / "file.txt").is_symlink()
    assert (tmp_path / "other" / "target.txt").read_text() == "external\n"
