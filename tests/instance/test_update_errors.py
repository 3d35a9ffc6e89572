"""``update`` refuses bad input before writing anything, with a message that says what to do.

Every refusal is checked the same way: the error's class and message, and the instance's folder
(its ``.git`` included) byte for byte the same before and after.
"""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Callable
from pathlib import Path

import pygit2
import pytest
from pygit2.enums import FileMode

from instance.helpers import ANSWERS_JINJA, git, tagged_repo
from templsync._io.sources import SourceNotFoundError
from templsync.errors import UserError
from templsync.instance.copy import CopyOptions, copy
from templsync.instance.project import BaseVersionMissingError, NotAnInstanceError
from templsync.instance.update import (
    DirtyInstanceError,
    DowngradeError,
    RefusedAnswerError,
    UpdateOptions,
    update,
)
from templsync.template.answering import QuestionPrompt
from templsync.template.answers import AnswersFileError

V1 = {
    **ANSWERS_JINJA,
    "copier.yml": "name:\n  type: str\n  default: my-app\n",
    "README.md.jinja": "# {{ name }}\n\nfirst\nsecond\nthird\n",
    "keep.txt": "kept\n",
}
V2 = {"README.md.jinja": "# {{ name }}\n\nfirst\nsecond, improved\nthird\n"}
V3 = {
    "copier.yml": (
        "name:\n  type: str\n  default: my_app\n"
        "  validator: \"{% if not name.isidentifier() %}'{{ name }}' is not an identifier"
        '{% endif %}"\n'
    ),
    "README.md.jinja": "# {{ name }}\n\nfirst\nsecond, improved again\nthird\n",
}
OURS = "# my-app\n\nfirst\nsecond\nthird\nour line\n"


def everything(root: Path) -> dict[str, bytes]:
    """Every file under ``root``, ``.git`` included, with its bytes."""
    found: dict[str, bytes] = {}
    for current, _, names in os.walk(root):
        for name in names:
            path = Path(current) / name
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def commit(dst: Path, message: str) -> None:
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", message)


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return tagged_repo(tmp_path / "template", {"v1": V1, "v2": V2, "v3": V3})


def make_instance(template: Path, dst: Path, version: str = "v1") -> Path:
    """The template copied at ``version``, committed, then the instance's edit committed."""
    copy(str(template), dst, CopyOptions(vcs_ref=version, defaults=True))
    git(dst, "init", "-q")
    commit(dst, "made from the template")
    readme = dst / "README.md"
    readme.write_text(readme.read_text() + "our line\n")
    commit(dst, "our line")
    return dst


@pytest.fixture
def instance(template: Path, tmp_path: Path) -> Path:
    return make_instance(template, tmp_path / "project")


def refused(
    dst: Path, error: type[UserError], match: str, options: UpdateOptions, root: Path | None = None
) -> UserError:
    """Update, expecting ``error``; nothing under ``root`` (default: ``dst``) may change."""
    watched = root or dst
    before = everything(watched)
    with pytest.raises(error, match=match) as raised:
        update(dst, options)
    assert everything(watched) == before, "the refused update wrote something"
    return raised.value


DEFAULTS = UpdateOptions(defaults=True, vcs_ref="v2")


# --- the answers file --------------------------------------------------------------------------


def test_a_missing_answers_file(instance: Path) -> None:
    (instance / ".copier-answers.yml").unlink()
    commit(instance, "no answers file")
    err = refused(instance, NotAnInstanceError, r"\.copier-answers\.yml does not exist", DEFAULTS)
    assert "not a project made from a template" in str(err)


def test_a_missing_answers_file_names_the_others(instance: Path) -> None:
    (instance / ".copier-answers.yml").rename(instance / ".copier-answers.app.yml")
    commit(instance, "answers file renamed")
    refused(instance, NotAnInstanceError, r"--answers-file: \.copier-answers\.app\.yml", DEFAULTS)
    options = UpdateOptions(defaults=True, vcs_ref="v2", answers_file=".copier-answers.app.yml")
    result = update(instance, options)
    assert result.answers_file == ".copier-answers.app.yml"
    assert (instance / "README.md").read_text() == OURS.replace("second\n", "second, improved\n")
    assert "_commit: v2" in (instance / ".copier-answers.app.yml").read_text()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("_commit: v1\n_src_path: [unclosed\n", r"\.copier-answers\.yml.*YAML"),
        ("- _commit: v1\n- name: app\n", r"\.copier-answers\.yml.*mapping"),
        ("just a sentence\n", r"\.copier-answers\.yml.*mapping"),
    ],
    ids=["invalid-yaml", "a-list", "a-string"],
)
def test_a_corrupt_answers_file(instance: Path, text: str, match: str) -> None:
    (instance / ".copier-answers.yml").write_text(text)
    commit(instance, "answers file broken")
    refused(instance, AnswersFileError, match, DEFAULTS)


def test_an_answers_file_without_src_path(instance: Path) -> None:
    answers = instance / ".copier-answers.yml"
    answers.write_text("".join(x for x in answers.read_text().splitlines(True) if "_src" not in x))
    commit(instance, "no _src_path")
    refused(instance, AnswersFileError, r"no `_src_path`.*Add `_src_path: <template>`", DEFAULTS)


# --- the template and its versions -------------------------------------------------------------


def recorded_commit(dst: Path, commit: str) -> None:
    answers = dst / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("_commit: v1", f"_commit: {commit}"))
    git(dst, "commit", "-qam", f"records {commit}")


@pytest.mark.parametrize("gone", ["tag-deleted", "unknown-sha"])
def test_a_recorded_commit_the_template_no_longer_has(
    instance: Path, template: Path, tmp_path: Path, gone: str
) -> None:
    """The message points to --base-ref and recopy; --base-ref then updates as usual.

    Copier cannot update such an instance at all (it needs the old version to diff against).
    """
    import copier

    if gone == "tag-deleted":
        git(template, "tag", "-d", "v1")
    else:
        recorded_commit(instance, "0123456789abcdef0123456789abcdef01234567")
    err = refused(instance, BaseVersionMissingError, "no longer has", DEFAULTS)
    assert "--base-ref" in str(err)
    assert "templsync recopy" in str(err)

    twin = tmp_path / "copier"
    git(tmp_path, "clone", "-q", str(instance), str(twin))
    # Copier has no way round it: its update needs the recorded version
    with warnings.catch_warnings(), pytest.raises(ValueError, match="Unknown revision"):
        warnings.simplefilter("ignore")
        copier.run_update(str(twin), defaults=True, overwrite=True, quiet=True, vcs_ref="v2")

    v1 = git(template, "rev-list", "-n1", "v2~1")
    result = update(instance, UpdateOptions(defaults=True, vcs_ref="v2", base_ref=v1))
    assert result.clean
    assert result.from_version.commit == v1
    assert (instance / "README.md").read_text() == OURS.replace("second\n", "second, improved\n")
    assert "_commit: v2" in (instance / ".copier-answers.yml").read_text()


def test_an_answers_file_without_commit(instance: Path) -> None:
    answers = instance / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("_commit: v1\n", ""))
    commit(instance, "no _commit")
    err = refused(instance, BaseVersionMissingError, "records no `_commit`", DEFAULTS)
    assert "--base-ref" in str(err)
    result = update(instance, UpdateOptions(defaults=True, vcs_ref="v2", base_ref="v1"))
    assert (instance / "README.md").read_text() == OURS.replace("second\n", "second, improved\n")
    assert result.clean


def test_an_unknown_base_ref(instance: Path) -> None:
    options = UpdateOptions(defaults=True, vcs_ref="v2", base_ref="no-such-ref")
    refused(instance, UserError, "no-such-ref", options)


def test_an_unreachable_template(instance: Path, template: Path) -> None:
    template.rename(template.with_name("moved-away"))
    err = refused(instance, SourceNotFoundError, "does not exist", DEFAULTS)
    assert str(template) in str(err)


def test_an_unknown_new_version(instance: Path) -> None:
    refused(instance, UserError, "v9", UpdateOptions(defaults=True, vcs_ref="v9"))


# --- the instance ------------------------------------------------------------------------------


DIRTY: dict[str, Callable[[Path], object]] = {
    "untracked": lambda dst: (dst / "scratch.txt").write_text("not committed\n"),
    "modified": lambda dst: (dst / "keep.txt").write_text("kept, and edited\n"),
    "deleted": lambda dst: (dst / "keep.txt").unlink(),
    "staged": lambda dst: (
        (dst / "keep.txt").write_text("staged\n"),
        git(dst, "add", "keep.txt"),
    ),
}


@pytest.mark.parametrize("change", list(DIRTY))
def test_a_dirty_instance_is_refused_unless_allowed(instance: Path, change: str) -> None:
    DIRTY[change](instance)
    err = refused(instance, DirtyInstanceError, "uncommitted changes", DEFAULTS)
    assert "--allow-dirty" in str(err)
    before = everything(instance)
    result = update(instance, UpdateOptions(defaults=True, vcs_ref="v2", allow_dirty=True))
    assert result.clean
    readme = (instance / "README.md").read_text()
    assert readme == OURS.replace("second\n", "second, improved\n")
    # the uncommitted change survives the update
    after = everything(instance)
    for path in ("scratch.txt", "keep.txt"):
        assert after.get(path) == before.get(path)


def test_a_dirty_file_outside_a_monorepo_instance_is_not_its_business(
    template: Path, tmp_path: Path
) -> None:
    top = tmp_path / "mono"
    (top / "services").mkdir(parents=True)
    copy(str(template), top / "services" / "api", CopyOptions(vcs_ref="v1", defaults=True))
    git(top, "init", "-q")
    commit(top, "monorepo")
    (top / "elsewhere.txt").write_text("uncommitted, outside the instance\n")
    update(top / "services" / "api", DEFAULTS)
    (top / "services" / "api" / "stray.txt").write_text("uncommitted, inside\n")
    git(top, "add", "-A")
    git(top, "commit", "-qm", "updated")
    (top / "services" / "api" / "stray.txt").write_text("changed\n")
    refused(top / "services" / "api", DirtyInstanceError, "uncommitted", DEFAULTS, root=top)


def test_a_downgrade_is_refused_unless_allowed(template: Path, tmp_path: Path) -> None:
    dst = make_instance(template, tmp_path / "project", version="v2")
    options = UpdateOptions(defaults=True, vcs_ref="v1")
    err = refused(dst, DowngradeError, "v2 and v1 is older", options)
    assert "--allow-downgrade" in str(err)
    result = update(dst, UpdateOptions(defaults=True, vcs_ref="v1", allow_downgrade=True))
    assert result.to_version.recorded == "v1"
    assert "_commit: v1" in (dst / ".copier-answers.yml").read_text()
    assert (dst / "README.md").read_text() == OURS


def test_an_answer_the_new_version_no_longer_accepts(instance: Path, tmp_path: Path) -> None:
    """v3 validates ``name``; the recorded ``my-app`` fails: the error names the question.

    Copier drops the refused answer and takes v3's default without a word (the project's
    name changes); ours stops until --data or the prompt gives a new answer.
    """
    import copier

    twin = tmp_path / "copier"
    git(tmp_path, "clone", "-q", str(instance), str(twin))
    options = UpdateOptions(defaults=True, vcs_ref="v3")
    err = refused(instance, RefusedAnswerError, r"question 'name'", options)
    assert "'my-app' is not an identifier" in str(err)
    assert "--data name=VALUE" in str(err)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_update(str(twin), defaults=True, overwrite=True, quiet=True, vcs_ref="v3")
    assert (twin / "README.md").read_text().startswith("# my_app\n")

    asked: list[str] = []

    def ask(prompt: QuestionPrompt) -> object:
        asked.append(prompt.name)
        return "from_prompt"

    pretend = update(instance, UpdateOptions(vcs_ref="v3", pretend=True), ask=ask)
    assert asked == ["name"]
    assert pretend.answers.values["name"] == "from_prompt"
    result = update(instance, UpdateOptions(defaults=True, vcs_ref="v3", data={"name": "my_app"}))
    assert result.answers.values["name"] == "my_app"
    assert (instance / "README.md").read_text().startswith("# my_app\n")


def test_an_untagged_commit_whose_short_sha_reads_as_a_version(tmp_path: Path) -> None:
    """``_commit: 1234567`` (no tag reached the commit: git describe gave its short sha) is no
    version, so updating to ``v2`` is no downgrade, whatever digits the sha holds."""
    root = tmp_path / "template"
    repo = pygit2.init_repository(str(root), initial_head="main")
    signature = pygit2.Signature("Template", "template@example.com", 0, 0)

    def commit(files: dict[str, str], message: str, parents: list[pygit2.Oid]) -> pygit2.Oid:
        index = pygit2.Index()
        for path, content in files.items():
            index.add(pygit2.IndexEntry(path, repo.create_blob(content.encode()), FileMode.BLOB))
        tree = index.write_tree(repo)
        return repo.create_commit(None, signature, signature, message, tree, parents)

    first = {**V1, "copier.yml": "name:\n  default: app\n"}
    untagged = next(
        oid
        for oid in (commit(first, f"first #{i}", []) for i in itertools.count())
        if str(oid)[:7].isdigit()
    )
    tagged = commit({**first, "README.md.jinja": V2["README.md.jinja"]}, "v2", [untagged])
    repo.create_reference("refs/heads/main", tagged)
    repo.create_reference("refs/tags/v2", tagged)
    dst = tmp_path / "project"
    copy(str(root), dst, CopyOptions(vcs_ref=str(untagged), defaults=True))
    git(dst, "init", "-q")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "made from an untagged commit")
    assert f"_commit: {str(untagged)[:7]}\n" in (dst / ".copier-answers.yml").read_text()

    result = update(dst, UpdateOptions(defaults=True))

    assert result.from_version.version is None
    assert result.to_version.recorded == "v2"
    assert "second, improved" in (dst / "README.md").read_text()
