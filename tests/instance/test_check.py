"""``check``: current or behind, by how many versions and commits, against real repositories."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from instance.helpers import ANSWERS_JINJA, git, snapshot
from templsync._io.gitrepo import subject_line
from templsync._io.vcsurl import mirror_key
from templsync.instance.check import (
    CheckOptions,
    NotCheckableError,
    check,
)
from templsync.instance.copy import CopyOptions, copy
from templsync.instance.project import BaseVersionMissingError, NotAnInstanceError
from templsync.template.answers import AnswersFileError
from testing.trees import build_tree

QUESTIONS = "name:\n  type: str\n  default: demo\n"

# (files written, commit subject, tag or None), oldest first
HISTORY: list[tuple[dict[str, str], str, str | None]] = [
    (
        {"copier.yml": QUESTIONS, **ANSWERS_JINJA, "README.md.jinja": "# {{ name }}\n"},
        "Template 1.0.0",
        "1.0.0",
    ),
    ({"README.md.jinja": "# {{ name }}!\n"}, "Fix the README's title", None),
    ({"config.toml": "debug = false\n"}, "Add a config file", "1.1.0"),
    ({"app.py": "print('v2')\n"}, "Release 2.0.0", "v2.0.0"),
    ({"app.py": "print('next')\n"}, "Work after 2.0.0", None),
]
NEWEST_FIRST = ("Release 2.0.0", "Add a config file", "Fix the README's title")


def commit(repo: Path, files: dict[str, str], subject: str, tag: str | None = None) -> str:
    build_tree(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", subject)
    if tag is not None:
        git(repo, "tag", tag)
    return git(repo, "rev-parse", "HEAD")


def make_template(root: Path) -> Path:
    root.mkdir(parents=True)
    git(root, "init", "-q")
    for files, subject, tag in HISTORY:
        commit(root, files, subject, tag)
    return root


def make_instance(
    root: Path, src: str, ref: str, answers_file: str = ".copier-answers.yml"
) -> Path:
    """An instance as far as check reads one: its answers file."""
    return build_tree(root, {answers_file: f"_commit: {ref}\n_src_path: {src}\nname: demo\n"})


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return make_template(tmp_path / "tpl")


def test_an_instance_at_the_latest_tag_is_current(template: Path, tmp_path: Path) -> None:
    result = check(make_instance(tmp_path / "inst", str(template), "v2.0.0"))
    assert result.up_to_date
    assert result.commits == () and result.versions == ()
    assert (result.current_version, result.latest_version) == ("2.0.0", "2.0.0")
    assert result.current.commit == result.latest.commit == git(template, "rev-parse", "v2.0.0")


def test_behind_lists_the_missing_commits_newest_first_and_the_versions(
    template: Path, tmp_path: Path
) -> None:
    result = check(make_instance(tmp_path / "inst", str(template), "1.0.0"))
    assert not result.up_to_date
    assert (result.current_version, result.latest_version) == ("1.0.0", "2.0.0")
    assert result.latest.recorded == "v2.0.0"
    assert tuple(c.subject for c in result.commits) == NEWEST_FIRST
    expected = git(template, "log", "--format=%H", "1.0.0..v2.0.0").split()
    assert [c.sha for c in result.commits] == expected
    assert result.versions == ("v2.0.0", "1.1.0")
    assert result.src_path == str(template)
    assert result.answers_file == ".copier-answers.yml"


def test_a_recorded_commit_past_a_tag_counts_from_that_commit(
    template: Path, tmp_path: Path
) -> None:
    past = git(template, "describe", "--tags", "1.1.0~1")
    assert past.startswith("1.0.0-1-g")
    result = check(make_instance(tmp_path / "inst", str(template), past))
    assert result.current.recorded == past
    assert result.current_version == f"1.0.0.post1.dev0+{past.rsplit('-g', 1)[1]}"
    assert tuple(c.subject for c in result.commits) == NEWEST_FIRST[:2]
    assert result.versions == ("v2.0.0", "1.1.0")


def test_prereleases_count_only_when_asked(template: Path, tmp_path: Path) -> None:
    commit(template, {"app.py": "print('v2.1 beta')\n"}, "Start 2.1", "2.1.0a1")
    instance = make_instance(tmp_path / "inst", str(template), "v2.0.0")
    assert check(instance).up_to_date
    result = check(instance, CheckOptions(prereleases=True))
    assert not result.up_to_date
    assert result.latest_version == "2.1.0a1"
    assert result.versions == ("2.1.0a1",)
    assert tuple(c.subject for c in result.commits) == ("Start 2.1", "Work after 2.0.0")


def test_an_instance_on_a_prerelease_is_not_behind_the_stable_version_below_it(
    template: Path, tmp_path: Path
) -> None:
    commit(template, {"app.py": "print('v3 beta')\n"}, "Start 3", "3.0.0b1")
    result = check(make_instance(tmp_path / "inst", str(template), "3.0.0b1"))
    assert result.up_to_date
    assert (result.current_version, result.latest_version) == ("3.0.0b1", "2.0.0")
    assert result.commits == ()


def test_a_template_without_version_tags_compares_commits(tmp_path: Path) -> None:
    template = tmp_path / "tpl"
    template.mkdir()
    git(template, "init", "-q")
    first = commit(template, {"copier.yml": QUESTIONS}, "First")
    instance = make_instance(tmp_path / "inst", str(template), first[:7])
    assert check(instance).up_to_date
    commit(template, {"README.md": "hi\n"}, "Second")
    result = check(instance)
    assert not result.up_to_date
    assert result.versions == ()
    assert [c.subject for c in result.commits] == ["Second"]
    assert result.current_version == first[:7]
    assert result.latest.ref == "HEAD"


def test_a_deleted_tag_is_a_clear_error_naming_it_and_the_way_out(
    template: Path, tmp_path: Path
) -> None:
    instance = make_instance(tmp_path / "inst", str(template), "1.0.0")
    git(template, "tag", "-d", "1.0.0")
    with pytest.raises(BaseVersionMissingError) as caught:
        check(instance)
    message = str(caught.value)
    assert "`_commit: 1.0.0`" in message and str(template) in message
    assert "templsync update --base-ref REF" in message and "templsync recopy" in message


def test_a_commit_the_rewritten_history_lost_is_a_clear_error(
    template: Path, tmp_path: Path
) -> None:
    gone = "0123456789abcdef0123456789abcdef01234567"
    with pytest.raises(BaseVersionMissingError, match=f"`_commit: {gone}`"):
        check(make_instance(tmp_path / "inst", str(template), gone))


def test_no_recorded_commit_is_a_clear_error(template: Path, tmp_path: Path) -> None:
    instance = build_tree(tmp_path / "inst", {".copier-answers.yml": f"_src_path: {template}\n"})
    with pytest.raises(BaseVersionMissingError, match="records no `_commit`"):
        check(instance)


def test_a_missing_answers_file_says_so(tmp_path: Path) -> None:
    folder = build_tree(tmp_path / "plain", {"README.md": "hi\n"})
    with pytest.raises(NotAnInstanceError, match=r"\.copier-answers\.yml does not exist"):
        check(folder)


def test_a_corrupt_answers_file_names_the_file_and_line(tmp_path: Path) -> None:
    folder = build_tree(tmp_path / "inst", {".copier-answers.yml": "_commit: 1\nname: [oops\n"})
    with pytest.raises(AnswersFileError, match=r"\.copier-answers\.yml:\d+: .*not valid YAML"):
        check(folder)


def test_another_answers_file_is_read_with_answers_file(template: Path, tmp_path: Path) -> None:
    other = ".copier-answers.backend.yml"
    instance = make_instance(tmp_path / "inst", str(template), "1.1.0", answers_file=other)
    with pytest.raises(NotAnInstanceError, match=r"--answers-file: \.copier-answers\.backend"):
        check(instance)
    result = check(instance, CheckOptions(answers_file=other))
    assert result.answers_file == other
    assert result.current_version == "1.1.0" and not result.up_to_date


def test_a_relative_src_path_is_taken_from_the_instance_not_the_cwd(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = make_instance(tmp_path / "projects" / "inst", "../../tpl", "1.1.0")
    monkeypatch.chdir(build_tree(tmp_path / "elsewhere", {}))
    result = check(Path("..") / "projects" / "inst")
    assert result.src_path == "../../tpl"
    assert result.latest.commit == git(template, "rev-parse", "v2.0.0")
    assert instance.is_dir()


def test_a_plain_folder_template_cannot_be_checked(tmp_path: Path) -> None:
    folder = build_tree(tmp_path / "tpl", {"copier.yml": QUESTIONS})
    instance = make_instance(tmp_path / "inst", str(folder), "1.0.0")
    with pytest.raises(NotCheckableError, match="not a git repository"):
        check(instance)


def test_a_remote_template_is_mirrored_and_fetched_before_checking(
    template: Path, tmp_path: Path
) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(template), str(remote))
    url = f"file://{remote}"
    instance = make_instance(tmp_path / "inst", url, "v2.0.0")
    assert check(instance).up_to_date
    assert (Path(os.environ["TEMPLSYNC_CACHE_DIR"]) / "repos" / mirror_key(url)).is_dir()

    commit(template, {"app.py": "print('v3')\n"}, "Release 3.0.0", "3.0.0")
    git(template, "push", "-q", str(remote), "HEAD:refs/heads/main", "3.0.0")
    stale = check(instance, CheckOptions(refresh=False))
    assert stale.up_to_date and stale.latest_version == "2.0.0"
    fresh = check(instance)
    assert not fresh.up_to_date
    assert fresh.latest_version == "3.0.0" and fresh.versions == ("3.0.0",)
    assert [c.subject for c in fresh.commits] == ["Release 3.0.0", "Work after 2.0.0"]


def test_subject_lines_read_as_git_log_prints_them(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    message = "\n\n  Two lines  \nof subject \n\nBody.\n"
    build_tree(tmp_path, {"msg": message})
    git(repo, "commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", str(tmp_path / "msg"))

    def run(*args: str) -> bytes:
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, check=True).stdout

    message_bytes = run("cat-file", "commit", "HEAD").split(b"\n\n", 1)[1]
    shown = run("log", "-1", "--format=%s").decode().removesuffix("\n")
    assert shown == "  Two lines of subject"
    assert subject_line(message_bytes) == shown
    assert subject_line(b"caf\xe9 \xff\n") == "caf\ufffd \ufffd"


@pytest.mark.parametrize(
    ("ref", "prereleases"),
    [("1.0.0", False), ("1.1.0~1", False), ("v2.0.0", False), ("v2.0.0", True)],
)
def test_update_available_current_and_latest_match_copiers_get_update_data(
    template: Path, tmp_path: Path, ref: str, prereleases: bool
) -> None:
    from copier import run_copy
    from copier._main import get_update_data

    commit(template, {"app.py": "print('beta')\n"}, "Beta", "2.1.0b1")
    dst = tmp_path / "copier-made"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_copy(str(template), str(dst), vcs_ref=ref, defaults=True, quiet=True)
        expected = get_update_data(dst_path=dst, use_prereleases=prereleases)
    result = check(dst, CheckOptions(prereleases=prereleases))
    assert (not result.up_to_date, result.current_version, result.latest_version) == expected


def test_check_imports_no_jinja_and_renders_nothing(template: Path, tmp_path: Path) -> None:
    instance = make_instance(tmp_path / "inst", str(template), "1.0.0")
    code = (
        "import sys; from pathlib import Path; from templsync.instance.check import check; "
        f"r = check(Path({str(instance)!r})); assert not r.up_to_date; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'jinja2' "
        "or m.startswith(('templsync.template.render', 'templsync.instance.session'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _copied(template: Path, dst: Path, ref: str) -> Path:
    copy(str(template), dst, CopyOptions(vcs_ref=ref, defaults=True, quiet=True))
    git(dst, "init", "-q")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "from the template")
    return dst


def test_conflicts_dry_runs_the_update_and_writes_nothing(tmp_path: Path) -> None:
    template = tmp_path / "tpl"
    template.mkdir()
    git(template, "init", "-q")
    base = {"copier.yml": QUESTIONS, **ANSWERS_JINJA, "app.py": "one\ntwo\nthree\n"}
    commit(template, {**base, "notes.md": "notes\n"}, "First", "1.0.0")
    commit(template, {"app.py": "one\nTWO by the template\nthree\n"}, "Change app", "2.0.0")
    instance = _copied(template, tmp_path / "inst", "1.0.0")
    build_tree(instance, {"app.py": "one\ntwo by the instance\nthree\n", "notes.md": "mine\n"})
    before = snapshot(instance)

    assert check(instance).conflicts is None
    result = check(instance, CheckOptions(conflicts=True))
    assert not result.up_to_date
    assert result.conflicts == ("app.py",)
    assert snapshot(instance) == before


def test_conflicts_of_a_current_instance_are_none_to_find(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl")
    instance = _copied(template, tmp_path / "inst", "v2.0.0")
    result = check(instance, CheckOptions(conflicts=True))
    assert result.up_to_date and result.conflicts == ()
