"""``copy`` against Copier: the same template and answers give the same files and answers file."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from instance.helpers import ANSWERS_JINJA, copier_copy, git, snapshot, tagged_repo
from templsync._io import read_tree
from templsync._io.gitrepo import RefNotFoundError
from templsync._io.sources import NoVersionsError, SourceNotFoundError
from templsync.errors import (
    DirtyLocalWarning,
    ForbiddenPathError,
    MissingAnswerError,
    SymlinkError,
    TemplateDeprecationWarning,
    UnsafeTemplateError,
    UserError,
)
from templsync.instance.copy import CopyOptions, DestinationNotEmptyError, copy
from templsync.instance.existing import PathClashError
from templsync.instance.tasks import Command, TaskError
from templsync.template.answering import QuestionPrompt
from templsync.template.jinja import TemplateRenderError
from templsync.template.yamlload import TemplateConfigError
from testing.trees import build_tree

QUESTIONS = """\
project_name:
  type: str
  help: The project's name
  default: My Project
slug:
  type: str
  default: "{{ project_name | lower | replace(' ', '_') }}"
port:
  type: int
  default: 8000
ratio:
  type: float
  default: 0.5
use_docker:
  type: bool
  default: true
license:
  type: str
  choices: [MIT, Apache-2.0, GPL-3.0]
  default: MIT
features:
  type: str
  multiselect: true
  choices: [api, cli, web]
  default: [api]
settings:
  type: yaml
  default: "{a: 1, b: [x, y]}"
extras:
  type: json
  default: '{"k": "v"}'
token:
  type: str
  secret: true
  default: s3cr3t
hidden:
  type: str
  when: false
  default: nope
_exclude:
  - "*.bak"
  - "{{ 'notes' if not use_docker else 'never' }}.md"
_skip_if_exists:
  - "local.cfg"
"""

MANY_TYPES = {
    "copier.yml": QUESTIONS,
    **ANSWERS_JINJA,
    "README.md.jinja": (
        "# {{ project_name }}\nport={{ port }} ratio={{ ratio }} docker={{ use_docker }}\n"
        "license={{ license }} features={{ features }} settings={{ settings }}\n"
        "extras={{ extras }} token={{ token }} hidden={{ hidden }}\n"
        "folder={{ _folder_name }} sep={{ _copier_conf.sep }} phase={{ _copier_phase }}\n"
        "answers_file={{ _copier_conf.answers_file }} os={{ _copier_conf.os }}\n"
    ),
    "{{ slug }}/__init__.py.jinja": "NAME = {{ project_name | tojson }}\n",
    "{{ slug }}/{% if use_docker %}Dockerfile{% endif %}.jinja": "FROM python\nEXPOSE {{ port }}\n",
    "{% if 'cli' in features %}cli.py{% endif %}": "print('cli')\n",
    "local.cfg.jinja": "port = {{ port }}\n",
    "old.bak": "excluded\n",
    "notes.md": "only without docker\n",
    "plain.txt": "{{ not rendered }}\n",
}
DATA = {
    "project_name": "Billing Service",
    "port": "9000",
    "use_docker": "false",
    "features": "[api, cli]",
}


def ours_and_copiers(
    tmp_path: Path, src: str, data: dict[str, object], existing: dict[str, str] | None = None
) -> tuple[Path, Path]:
    theirs = build_tree(tmp_path / "copier" / "dst", existing or {})
    ours = build_tree(tmp_path / "ours" / "dst", existing or {})
    copier_copy(src, theirs, data)
    copy(src, ours, CopyOptions(data=data, defaults=True))
    return ours, theirs


def test_a_folder_template_copies_as_copier_copies_it(tmp_path: Path) -> None:
    template = build_tree(tmp_path / "tpl", MANY_TYPES)
    ours, theirs = ours_and_copiers(tmp_path, str(template), dict(DATA))
    assert snapshot(ours) == snapshot(theirs)
    answers = (ours / ".copier-answers.yml").read_text()
    assert "token" not in answers and "hidden" not in answers and "port: 9000" in answers
    assert not (ours / "old.bak").exists() and not (ours / "notes.md").exists()
    assert (ours / "copier.yml").exists()  # an `_exclude` of its own drops Copier's defaults
    assert (ours / "billing_service" / "__init__.py").exists()
    assert not (ours / "billing_service" / "Dockerfile").exists()


@pytest.mark.parametrize("where", ["missing", "empty", "empty, through a symlink"])
def test_a_new_destination_is_written_whole_and_nothing_is_left_beside_it(
    tmp_path: Path, where: str
) -> None:
    template = build_tree(tmp_path / "tpl", MANY_TYPES)
    out = tmp_path / "out"
    dst = out / "nested" / "svc"
    if where == "empty":
        dst.mkdir(parents=True)
        dst.chmod(0o750)
    elif where != "missing":
        (out / "real").mkdir(parents=True)
        dst.parent.mkdir()
        dst.symlink_to(out / "real")
    theirs = tmp_path / "copier" / "svc"
    copier_copy(str(template), theirs, dict(DATA))

    copy(str(template), dst, CopyOptions(data=dict(DATA), defaults=True))

    assert snapshot(dst) == snapshot(theirs)
    assert [p.name for p in dst.parent.iterdir()] == ["svc"]  # no staging folder left beside it
    assert not [p for p in out.rglob("*") if "templsync" in p.name]  # nor a journal inside
    if where == "empty":
        assert dst.stat().st_mode & 0o777 == 0o750  # the folder it replaced, as it was
    if where == "empty, through a symlink":
        assert dst.is_symlink()
        assert snapshot(out / "real") == snapshot(theirs)


def test_copy_into_the_working_folder_fills_that_very_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = build_tree(tmp_path / "tpl", MANY_TYPES)
    here = tmp_path / "svc"
    here.mkdir()
    monkeypatch.chdir(here)
    inode = Path().stat().st_ino

    copy(str(template), Path(), CopyOptions(data=dict(DATA), defaults=True))

    assert Path().stat().st_ino == inode  # the same folder, not one renamed over it
    assert (Path(".copier-answers.yml")).is_file()
    assert snapshot(Path()) == snapshot(here)


def test_an_existing_skip_if_exists_file_is_kept_as_copier_keeps_it(tmp_path: Path) -> None:
    template = build_tree(tmp_path / "tpl", MANY_TYPES)
    existing = {"local.cfg": "mine\n", "unrelated.txt": "kept\n"}
    ours, theirs = ours_and_copiers(tmp_path, str(template), dict(DATA), existing)
    assert snapshot(ours) == snapshot(theirs)
    assert (ours / "local.cfg").read_text() == "mine\n"
    assert (ours / "unrelated.txt").read_text() == "kept\n"


def test_a_tagged_repository_with_a_subdirectory_copies_its_highest_version(
    tmp_path: Path,
) -> None:
    v1 = {
        "copier.yml": "_subdirectory: '{{ \"tmpl\" }}'\nname:\n  default: alpha\n",
        "tmpl/{{ _copier_conf.answers_file }}.jinja": ANSWERS_JINJA[
            "{{ _copier_conf.answers_file }}.jinja"
        ],
        "tmpl/{{ name }}.txt.jinja": "v1 {{ name }} {{ _copier_conf.vcs_ref_hash }}\n",
        "README.md": "the template's own readme, not copied\n",
    }
    v2 = {"tmpl/{{ name }}.txt.jinja": "v2 {{ name }} {{ _copier_conf.vcs_ref_hash }}\n"}
    repo = tagged_repo(tmp_path / "repo", {"v1.0.0": v1, "v2.0.0": v2})
    git(repo, "tag", "v3.0.0a1")  # a pre-release: not the default
    ours, theirs = ours_and_copiers(tmp_path, str(repo), {"name": "beta"})
    assert snapshot(ours) == snapshot(theirs)
    assert (ours / "beta.txt").read_text().startswith("v2 beta ")
    assert "_commit: v2.0.0" in (ours / ".copier-answers.yml").read_text()
    older = tmp_path / "older"
    result = copy(str(repo), older, CopyOptions(vcs_ref="v1.0.0", defaults=True))
    assert (older / "alpha.txt").read_text().startswith("v1 alpha ")
    assert result.version.recorded == "v1.0.0"
    assert result.answers_file == ".copier-answers.yml"


def test_answers_file_flag_and_data_file_keys_are_recorded_as_copier_does(
    tmp_path: Path,
) -> None:
    template = build_tree(tmp_path / "tpl", MANY_TYPES)
    theirs = tmp_path / "copier" / "dst"
    copier_copy(str(template), theirs, {"port": "1"}, answers_file=".answers/app.yml")
    ours = tmp_path / "ours" / "dst"
    result = copy(
        str(template),
        ours,
        CopyOptions(data={"port": "1"}, defaults=True, answers_file=".answers/app.yml"),
    )
    assert snapshot(ours) == snapshot(theirs)
    assert result.answers_file == ".answers/app.yml"


def test_a_template_without_an_answers_file_template_writes_none(tmp_path: Path) -> None:
    template = build_tree(tmp_path / "tpl", {"copier.yml": "a: 1\n", "x.txt.jinja": "{{ a }}\n"})
    result = copy(str(template), tmp_path / "out", CopyOptions(defaults=True))
    assert result.answers_file is None
    assert snapshot(tmp_path / "out") == {"x.txt": ("file", b"1\n")}


def test_pretend_writes_nothing_but_says_what_it_would_write(tmp_path: Path) -> None:
    template = build_tree(tmp_path / "tpl", MANY_TYPES)
    dst = tmp_path / "out"
    result = copy(str(template), dst, CopyOptions(data=DATA, defaults=True, pretend=True))
    assert not dst.exists()
    assert "README.md" in result.created and ".copier-answers.yml" in result.created
    assert result.plan.paths == tuple(sorted(result.created))


def test_files_that_would_be_replaced_are_listed_and_nothing_is_written(tmp_path: Path) -> None:
    template = build_tree(tmp_path / "tpl", MANY_TYPES)
    dst = build_tree(tmp_path / "out", {"README.md": "mine\n", "plain.txt": "mine too\n"})
    before = snapshot(dst)
    with pytest.raises(DestinationNotEmptyError) as caught:
        copy(str(template), dst, CopyOptions(data=DATA, defaults=True))
    assert caught.value.paths == ("README.md", "plain.txt")
    assert "--overwrite" in str(caught.value)
    assert snapshot(dst) == before
    result = copy(str(template), dst, CopyOptions(data=DATA, defaults=True, overwrite=True))
    assert result.overwritten == ("README.md", "plain.txt")
    assert (dst / "plain.txt").read_text() == "{{ not rendered }}\n"


def test_identical_files_and_the_answers_file_need_no_overwrite(tmp_path: Path) -> None:
    template = build_tree(tmp_path / "tpl", MANY_TYPES)
    dst = tmp_path / "out"
    copy(str(template), dst, CopyOptions(data=DATA, defaults=True))
    (dst / ".copier-answers.yml").write_text("stale: true\n")
    again = copy(str(template), dst, CopyOptions(data=DATA, defaults=True))
    assert again.overwritten == (".copier-answers.yml",)
    assert "README.md" in again.identical


def test_a_missing_answer_names_the_question_and_the_flag(tmp_path: Path) -> None:
    template = build_tree(tmp_path / "tpl", {"copier.yml": "owner:\n  type: str\n"})
    with pytest.raises(MissingAnswerError, match=r'"owner" is required.*--data owner=VALUE'):
        copy(str(template), tmp_path / "out", CopyOptions(defaults=True))
    assert not (tmp_path / "out").exists()


def test_questions_go_to_the_ask_callable(tmp_path: Path) -> None:
    template = build_tree(
        tmp_path / "tpl",
        {"copier.yml": "owner:\n  type: str\n", "who.txt.jinja": "{{ owner }}\n"},
    )
    asked: list[str] = []

    def ask(prompt: QuestionPrompt) -> object:
        asked.append(prompt.name)
        return "ada"

    copy(str(template), tmp_path / "out", ask=ask)
    assert asked == ["owner"]
    assert (tmp_path / "out" / "who.txt").read_text() == "ada\n"


TASKS = {
    "copier.yml": (
        "name:\n  default: demo\n"
        "_tasks:\n"
        '  - "echo first:{{ name }}:$STAGE:$COPIER_OPERATION >> log.txt"\n'
        '  - command: ["' + sys.executable + '", "-c", '
        "\"open('log.txt', 'a').write('second:{{ _copier_phase }}\\\\n')\"]\n"
        '  - command: "echo never >> log.txt"\n'
        "    when: \"{{ name == 'other' }}\"\n"
        '  - command: "pwd > where.txt"\n'
        "    working_directory: sub\n"
    ),
    "sub/keep.txt": "x\n",
}


def test_untrusted_tasks_are_refused_naming_the_setting(tmp_path: Path) -> None:
    template = build_tree(tmp_path / "tpl", TASKS)
    with pytest.raises(UnsafeTemplateError, match=r"`_tasks`.*--trust"):
        copy(str(template), tmp_path / "out", CopyOptions(defaults=True))
    assert not (tmp_path / "out").exists()


def test_trusted_tasks_run_after_writing_in_order_as_in_copier(tmp_path: Path) -> None:
    template = build_tree(tmp_path / "tpl", TASKS)
    theirs = copier_copy(str(template), tmp_path / "copier")
    seen: list[Command] = []
    result = copy(
        str(template), tmp_path / "out", CopyOptions(defaults=True, trust=True), on_task=seen.append
    )
    ours = read_tree(tmp_path / "out")
    assert (tmp_path / "out" / "log.txt").read_text() == "first:demo:task:copy\nsecond:tasks\n"
    assert ours["log.txt"] == theirs["log.txt"]
    assert (tmp_path / "out" / "sub" / "where.txt").read_text().strip().endswith("out/sub")
    assert [c.index for c in seen] == [1, 2, 4] and len(result.tasks) == 3


def test_skip_tasks_needs_no_trust_and_runs_none(tmp_path: Path) -> None:
    template = build_tree(tmp_path / "tpl", TASKS)
    result = copy(str(template), tmp_path / "out", CopyOptions(defaults=True, skip_tasks=True))
    assert result.tasks == ()
    assert not (tmp_path / "out" / "log.txt").exists()


def test_the_trust_list_trusts_a_prefix(tmp_path: Path) -> None:
    template = build_tree(tmp_path / "tpls" / "one", TASKS)
    options = CopyOptions(defaults=True, trust_list=(f"{tmp_path / 'tpls'}/",))
    copy(str(template), tmp_path / "out", options)
    assert (tmp_path / "out" / "log.txt").exists()


def test_a_failing_task_names_it_and_its_exit_code(tmp_path: Path) -> None:
    template = build_tree(
        tmp_path / "tpl", {"copier.yml": "_tasks:\n  - 'exit 3'\n  - 'touch after'\n"}
    )
    with pytest.raises(TaskError, match=r"task 1 of 2 \(exit 3\) failed with exit code 3"):
        copy(str(template), tmp_path / "out", CopyOptions(trust=True))
    assert not (tmp_path / "out" / "after").exists()


def test_bad_sources_refs_and_configs_are_clear_errors_and_write_nothing(
    tmp_path: Path,
) -> None:
    dst = build_tree(tmp_path / "out", {"mine.txt": "mine\n"})
    before = snapshot(dst)
    with pytest.raises(SourceNotFoundError, match="does not exist"):
        copy(str(tmp_path / "nowhere"), dst)
    repo = tagged_repo(tmp_path / "repo", {"v1.0.0": {"a.txt": "a"}})
    with pytest.raises(RefNotFoundError, match=r"'v9'.*v1\.0\.0"):
        copy(str(repo), dst, CopyOptions(vcs_ref="v9"))
    with pytest.raises(NoVersionsError):
        copy(str(build_tree(tmp_path / "plain", {"a": "a"})), dst, CopyOptions(vcs_ref="v1"))
    broken = build_tree(tmp_path / "broken", {"copier.yml": "name: [unclosed\n", "a.txt": "a"})
    with pytest.raises(TemplateConfigError, match=r"copier\.yml"):
        copy(str(broken), dst, CopyOptions(defaults=True))
    bad_jinja = build_tree(tmp_path / "bad", {"a.txt.jinja": "{{ oops(\n"})
    with pytest.raises(TemplateRenderError, match=r"a\.txt\.jinja"):
        copy(str(bad_jinja), dst, CopyOptions(defaults=True))
    assert snapshot(dst) == before
    with pytest.raises(UserError, match="is a file"):
        copy(str(broken), dst / "mine.txt")


def test_a_folder_where_the_template_has_a_file_is_a_clear_error(tmp_path: Path) -> None:
    template = build_tree(tmp_path / "tpl", {"a/b.txt": "x\n", "c.txt": "y\n"})
    dst = build_tree(tmp_path / "out", {"c.txt/inside": "mine\n"})
    before = snapshot(dst)
    with pytest.raises(PathClashError, match=r"c\.txt"):
        copy(str(template), dst, CopyOptions(overwrite=True))
    (dst / "a").write_text("a file where a folder goes\n")
    with pytest.raises(PathClashError):
        copy(str(template), dst, CopyOptions(overwrite=True))
    assert snapshot(dst) == {**before, "a": ("file", b"a file where a folder goes\n")}


def test_warnings_are_copiers_classes_as_copier_gives_them(tmp_path: Path) -> None:
    import warnings

    import copier.errors

    template = tagged_repo(
        tmp_path / "tpl",
        {
            "1.0": {
                "copier.yml": "_migrations:\n  - {version: '1.0', before: [echo]}\n",
                **{f".config/{path}": text for path, text in ANSWERS_JINJA.items()},
                "a.txt": "a\n",
            }
        },
    )
    (template / "a.txt").write_text("changed\n")  # uncommitted: HEAD reads it, dirty
    with warnings.catch_warnings(record=True) as given:
        warnings.simplefilter("always")
        result = copy(str(template), tmp_path / "ours", CopyOptions(vcs_ref="HEAD"))
    # A copy runs no migration, so the legacy form is not warned of (Copier's neither).
    kinds = [type(w) for w in result.warnings]
    assert kinds == [DirtyLocalWarning, TemplateDeprecationWarning]
    assert "Answers file template locations other than the template root" in str(result.warnings[1])
    assert [w.message for w in given] == list(result.warnings)  # the Python warnings, once each
    assert (tmp_path / "ours" / ".copier-answers.yml").is_file()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        copier.run_copy(str(template), tmp_path / "theirs", vcs_ref="HEAD", quiet=True)
    categories = {w.category for w in caught}
    assert copier.errors.DirtyLocalWarning in categories
    assert DeprecationWarning in categories


def test_a_folder_inside_a_repository_at_head_copies_as_copier_copies_it(tmp_path: Path) -> None:
    """Copier's test_symlinks: the template is a folder of a repository, with ``vcs_ref=HEAD``."""
    src = tmp_path / "src"
    repo = build_tree(
        src / "repo", {"copier.yaml": "_preserve_symlinks: true\n", "target.txt": "target"}
    )
    (repo / "symlink.txt").symlink_to("target.txt")
    git(src, "init", "-q")
    git(src, "add", ".")
    git(src, "commit", "-qm", "hello world")
    build_tree(repo, {"draft.txt": "not committed\n"})
    theirs = tmp_path / "copier"
    copier_copy(str(repo), theirs, vcs_ref="HEAD")

    result = copy(str(repo), tmp_path / "ours", CopyOptions(defaults=True, vcs_ref="HEAD"))

    assert snapshot(tmp_path / "ours") == snapshot(theirs)
    assert (result.version.commit, result.version.recorded) == (None, None)


@pytest.mark.parametrize("state", ["no commit yet", "uncommitted changes at HEAD"])
def test_a_dirty_repository_is_copied_with_copiers_warning(tmp_path: Path, state: str) -> None:
    """Copier's test_dirty_local: the files are Copier's; ``_commit`` is HEAD's (or none),
    where Copier records a commit it made of the changes (docs/update.md)."""
    import copier

    files = {"copier.yml": "name:\n  default: x\n", "a.txt.jinja": "{{ name }}\n", "b.txt": "b"}
    template = build_tree(tmp_path / "tpl", {**ANSWERS_JINJA, **files})
    git(template, "init", "-q")
    if state != "no commit yet":
        git(template, "add", "copier.yml")
        git(template, "commit", "-qm", "first")
    theirs = tmp_path / "copier" / "dst"
    with pytest.warns(copier.errors.DirtyLocalWarning):
        copier.run_copy(str(template), theirs, defaults=True, quiet=True)

    with pytest.warns(DirtyLocalWarning):
        result = copy(str(template), tmp_path / "ours" / "dst", CopyOptions(defaults=True))

    ours = snapshot(tmp_path / "ours" / "dst")
    copiers = snapshot(theirs)
    answers = ".copier-answers.yml"
    assert {p: v for p, v in ours.items() if p != answers} == {
        p: v for p, v in copiers.items() if p != answers
    }
    head = None if state == "no commit yet" else git(template, "rev-parse", "--short", "HEAD")
    assert result.version.recorded == head
    assert ("_commit" in ours[answers][1].decode()) is (head is not None)
    assert git(template, "status", "--porcelain")  # still dirty: nothing was committed


def test_a_link_leaving_the_template_is_refused_as_copier_refuses_it(tmp_path: Path) -> None:
    import copier.errors

    (tmp_path / "outside.txt").write_text("not the template's\n")
    template = build_tree(
        tmp_path / "tpl", {"copier.yml": "_subdirectory: template\n", "template/a.txt": "a\n"}
    )
    (template / "template" / "out.txt").symlink_to("../../outside.txt")
    with pytest.raises(copier.errors.ForbiddenPathError):
        copier_copy(str(template), tmp_path / "copier")

    with pytest.raises(SymlinkError) as info:
        copy(str(template), tmp_path / "ours", CopyOptions(defaults=True))

    assert str(info.value) == (
        f'"{tmp_path / "outside.txt"}" is forbidden: the template {str(template)!r} has the '
        "symlink 'template/out.txt' pointing to '../../outside.txt', outside the template. A "
        "template's links may point anywhere inside it: point this one at a file or folder of "
        "the template, or remove it."
    )
    # Copier's class; named by where it leads, as Copier names one a template includes.
    assert isinstance(info.value, ForbiddenPathError)
    assert not (tmp_path / "ours").exists()


def test_an_absolute_link_leaving_a_git_template_is_refused_naming_the_link_as_copier(
    tmp_path: Path,
) -> None:
    """Copier's ``test_resolve_absolute_symlink_outside_template_root_raises_error``."""
    import copier.errors

    (tmp_path / "other").mkdir()
    outside = tmp_path / "other" / "outside.txt"
    outside.write_text("outside")
    template = build_tree(tmp_path / "tpl", {**ANSWERS_JINJA, "copier.yaml": "a: 1\n"})
    (template / "symlink.txt").symlink_to(outside)
    git(template, "init", "-q")
    git(template, "add", "-A")
    git(template, "commit", "-qm", "init")
    forbidden = re.escape('"symlink.txt" is forbidden')
    with pytest.raises(copier.errors.ForbiddenPathError, match=forbidden):
        copier_copy(str(template), tmp_path / "copier", overwrite=True)

    with pytest.raises(ForbiddenPathError, match=forbidden) as info:
        copy(str(template), tmp_path / "ours", CopyOptions(defaults=True, overwrite=True))

    assert f"to the absolute path {str(outside)!r}, outside the template" in str(info.value)
    assert not (tmp_path / "ours").exists()


def test_an_absolute_link_inside_a_git_template_says_the_relative_link_to_make(
    tmp_path: Path,
) -> None:
    template = build_tree(tmp_path / "tpl", {"copier.yaml": "a: 1\n", "real.txt": "real\n"})
    (template / "symlink.txt").symlink_to(template / "real.txt")
    git(template, "init", "-q")
    git(template, "add", "-A")
    git(template, "commit", "-qm", "init")

    with pytest.raises(SymlinkError) as info:
        copy(str(template), tmp_path / "ours", CopyOptions(defaults=True))

    assert not isinstance(info.value, ForbiddenPathError)
    assert "points inside the template (to 'real.txt')" in str(info.value)
    assert "`ln -sfn real.txt symlink.txt`" in str(info.value)
    assert not (tmp_path / "ours").exists()


def test_an_include_leaving_a_template_folder_names_where_it_leads_as_copier(
    tmp_path: Path,
) -> None:
    import copier.errors

    template = build_tree(
        tmp_path / "src" / "template", {"copier.yml": "!include ../outside/include.yml\n"}
    )
    build_tree(tmp_path / "src" / "outside", {"include.yml": "foo: bar\n"})
    named = re.escape(f'"{tmp_path / "src" / "outside" / "include.yml"}" is forbidden')
    with pytest.raises(copier.errors.ForbiddenPathError, match=named):
        copier_copy(str(template), tmp_path / "copier")

    with pytest.raises(ForbiddenPathError, match=named) as info:
        copy(str(template), tmp_path / "ours", CopyOptions(defaults=True))

    assert "copier.yml:1: `!include ../outside/include.yml` names a path outside" in str(info.value)
    assert not (tmp_path / "ours").exists()
