from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import copier
import pytest
import yaml
from copier._template import Template
from copier._vcs import get_repo
from gitrepo_helpers import bare_clone, commit, git, make_repo, make_versioned
from packaging.version import Version
from platformdirs import user_cache_dir

from templsync._core.ignore import IgnoreRules
from templsync._io import read_tree
from templsync._io.gitmirror import GitCommandError, default_cache_dir, mirror_path
from templsync._io.gitrepo import GitRepoError, RefNotFoundError
from templsync._io.sources import (
    FolderSource,
    GitSource,
    NoVersionsError,
    SourceNotFoundError,
    resolve_source,
    version_of,
)
from templsync._io.vcsurl import expand_url, mirror_key
from templsync.errors import DirtyLocalWarning, InvalidPathError
from testing.trees import build_tree

ANSWERS_TEMPLATE = {
    "{{ _copier_conf.answers_file }}.jinja": (
        "# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml -}}"
    ),
    "copier.yml": "name:\n  type: str\n  default: demo\n",
}


def make_template(path: Path) -> Path:
    """A versioned template repository Copier can copy (see ``make_versioned``)."""
    return make_versioned(path, ANSWERS_TEMPLATE)


def copier_answers(
    src: str, dst: Path, ref: str | None = None, prereleases: bool = False
) -> dict[str, object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_copy(
            src, dst, vcs_ref=ref, defaults=True, quiet=True, use_prereleases=prereleases
        )
    loaded = yaml.safe_load((dst / ".copier-answers.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.mark.parametrize(
    "spec",
    [
        "gh:copier-org/copier",
        "gh:/copier-org/copier",
        "gh:copier-org/copier.git",
        "gl:group/sub/project",
        "gl:group/project.git",
        "git@github.com:copier-org/copier.git",
        "git@gitlab.example.com:owner/repo",
        "git://example.com/repo",
        "git+https://mywebsiteisagitrepo.example.com/",
        "git+ssh://git@example.com/owner/repo",
        "git+file:///srv/templates/one",
        "https://github.com/copier-org/copier",
        "https://gitlab.com/owner/repo",
        "https://example.com/owner/repo.git",
        "ssh://git@example.com/owner/repo.git",
        "file:///srv/templates/one.git",
    ],
)
def test_url_spellings_expand_as_copiers_get_repo(spec: str) -> None:
    assert expand_url(spec) == get_repo(spec)


def test_paths_are_not_urls(workdir: Path) -> None:
    # Copier's get_repo looks at the disk for these; for paths that do not exist it says None.
    for spec in ("some/folder", str(workdir / "nothing"), "~/x"):
        assert expand_url(spec) is get_repo(spec) is None


def test_other_hosts_urls_are_taken_as_they_are_beyond_copier() -> None:
    # Copier reads these as local paths (that do not exist) and fails.
    for spec in ("https://example.com/plain", "http://h/r", "ssh://h/r", "file:///srv/t"):
        assert get_repo(spec) is None
        assert expand_url(spec) == spec


def test_mirror_key_ignores_credentials() -> None:
    assert mirror_key("https://user:secret@example.com/r.git") == mirror_key(
        "https://example.com/r.git"
    )
    assert mirror_key("https://example.com/a.git") != mirror_key("https://example.com/b.git")


def test_a_plain_folder_is_read_as_it_is(workdir: Path) -> None:
    root = build_tree(workdir / "tpl", {"a.txt": "a", "sub/b.txt": "b"})

    source = resolve_source(str(root))

    assert isinstance(source, FolderSource)
    assert source.src_path == str(root)
    assert source.versions() == []
    version = source.resolve()
    assert (version.commit, version.recorded, version.version) == (None, None, None)
    assert source.tree(version) == read_tree(root)
    assert source.tree(version, "sub") == read_tree(root / "sub")
    assert source.empty_folders(version) == frozenset()
    (root / "sub" / "empty").mkdir()
    assert source.empty_folders(version) == {"sub/empty"}
    with pytest.raises(NoVersionsError, match="is a folder, not a git repository"):
        source.resolve("v1")
    with pytest.raises(InvalidPathError):
        source.tree(version, "../outside")


def test_a_folder_inside_a_repository_is_read_as_it_is_or_at_a_ref(workdir: Path) -> None:
    """Copier reads such a folder as it is, whatever ``--vcs-ref`` says; ``HEAD`` means that
    here too, and another ref reads the folder from that commit (docs/update.md)."""
    path = make_repo(workdir / "t", {"tpl/a": "a", "tpl/sub/b": "b", "other": "o"})
    git(path, "tag", "v1")
    commit(path, {"tpl/a": "a2"})
    build_tree(path, {"tpl/a": "draft"})

    source = resolve_source(str(path / "tpl"))

    assert isinstance(source, FolderSource)
    assert source.versions() == []
    for ref in (None, "HEAD"):
        version = source.resolve(ref)
        assert (version.commit, version.recorded) == (None, None)
        assert source.tree(version) == read_tree(path / "tpl")
    at_v1 = source.resolve("v1")
    assert (at_v1.commit, at_v1.recorded) == (git(path, "rev-parse", "v1"), None)
    assert {p: e.content() for p, e in source.tree(at_v1).items()} == {"a": b"a", "sub/b": b"b"}
    assert list(source.tree(at_v1, "sub")) == ["b"]
    with pytest.raises(RefNotFoundError):
        source.resolve("v9")


def test_a_missing_source_is_a_clear_error(workdir: Path) -> None:
    with pytest.raises(SourceNotFoundError, match="no template given"):
        resolve_source(" ")
    with pytest.raises(SourceNotFoundError) as info:
        resolve_source(str(workdir / "nope"))
    assert str(info.value).startswith(f"the template {str(workdir / 'nope')!r} does not exist")

    with pytest.raises(
        GitCommandError,
        match=re.escape(
            "cannot get the template 'file:///no/such/repo.git': '/no/such/repo.git' does not "
            "appear to be a git repository. Check the URL and that you can reach it."
        ),
    ):
        resolve_source("file:///no/such/repo.git")


@pytest.mark.parametrize(
    ("ref", "prereleases", "expected"),
    [
        (None, False, "1.1.0"),
        (None, True, "2.0.0a1"),
        ("v1.0.0", False, "v1.0.0"),
        ("HEAD", False, None),
        ("main", False, None),
    ],
)
def test_local_repository_records_what_copier_records(
    workdir: Path, ref: str | None, prereleases: bool, expected: str | None
) -> None:
    path = make_template(workdir / "tpl")
    source = resolve_source(str(path))
    assert isinstance(source, GitSource)

    version = source.resolve(ref, prereleases=prereleases)
    answers = copier_answers(str(path), workdir / "dst", ref, prereleases)

    assert answers["_commit"] == version.recorded
    assert answers["_src_path"] == source.src_path == str(path)
    if expected is not None:
        assert version.recorded == expected
        assert version.version == Version(expected)
    assert version.recorded == git(path, "describe", "--tags", "--always", version.commit or "")
    assert not version.dirty
    (path / "hollow").mkdir()  # git keeps no folder: Copier's clone has none either
    assert source.empty_folders(version) == frozenset()


def test_versions_read_as_copiers(workdir: Path) -> None:
    path = make_template(workdir / "tpl")
    git(path, "tag", "2.1")
    commit(path, {"later": "1"})
    commit(path, {"later": "2"})
    source = resolve_source(str(path))

    for ref in ("v1.0.0", "1.1.0", "2.0.0a1", "2.1", "HEAD"):
        template = Template(url=str(path), ref=ref)
        try:
            assert source.resolve(ref).version == template.version, ref
        finally:
            template._cleanup()
    assert source.resolve("HEAD").version == Version(
        f"2.1.post2.dev0+{git(path, 'rev-parse', '--short', 'HEAD')}"
    )


def test_version_of_a_description() -> None:
    assert version_of("v1.2.3-4-gabc1234") == Version("1.2.3.post4.dev0+abc1234")
    assert version_of("1.0") == Version("1.0")
    assert version_of("abc1234") is None
    assert version_of("release-2-gabc1234") is None


def test_a_tree_is_the_files_copier_copies(workdir: Path) -> None:
    path = make_template(workdir / "tpl")
    source = resolve_source(str(path))
    version = source.resolve("v1.0.0")

    tree = source.tree(version)
    copier_answers(str(path), workdir / "dst", "v1.0.0")

    copied = read_tree(workdir / "dst", IgnoreRules(("/.copier-answers.yml",)))
    assert {p: e for p, e in tree.items() if p not in ANSWERS_TEMPLATE} == dict(copied.items())
    assert tree["version.txt"].content() == b"1.0.0\n"


def test_a_dirty_repository_at_head_includes_its_changes_as_copier_does(workdir: Path) -> None:
    path = make_repo(workdir / "tpl", ANSWERS_TEMPLATE)
    build_tree(path, {"draft.txt": "not committed\n"})
    source = resolve_source(str(path))

    version = source.resolve()
    answers = copier_answers(str(path), workdir / "dst")

    assert version.ref == "HEAD"
    assert version.dirty
    with pytest.warns(DirtyLocalWarning, match="Dirty template changes included"):
        tree = source.tree(version)
    assert tree["draft.txt"].content() == b"not committed\n"
    assert (workdir / "dst/draft.txt").read_text() == "not committed\n"
    # Copier records its throw-away commit of the changes; we record HEAD, which exists.
    assert version.recorded == git(path, "rev-parse", "--short", "HEAD")
    assert isinstance(answers["_commit"], str)
    # At a tag, Copier leaves the changes out, and so do we.
    git(path, "tag", "v1")
    tagged = source.resolve()
    assert not tagged.dirty
    assert "draft.txt" not in source.tree(tagged)


def test_a_repository_with_no_commit_is_its_working_tree_as_copier_reads_it(
    workdir: Path,
) -> None:
    """Copier copies the files (with a warning) and records the sha of a commit it made of
    them, which no repository has; we record no ``_commit``, as for a folder."""
    path = build_tree(workdir / "tpl", {**ANSWERS_TEMPLATE, "a.txt": "a\n"})
    git(path, "init", "-q")
    git(path, "add", "copier.yml")  # staged or not: both count
    source = resolve_source(str(path))

    version = source.resolve()
    with pytest.warns(DirtyLocalWarning):
        tree = source.tree(version)
    with pytest.warns(copier.errors.DirtyLocalWarning):
        copier.run_copy(str(path), workdir / "dst", defaults=True, quiet=True)

    assert (version.ref, version.commit, version.recorded, version.dirty) == (
        "HEAD",
        None,
        None,
        True,
    )
    copied = read_tree(workdir / "dst", IgnoreRules(("/.copier-answers.yml",)))
    assert {p: e for p, e in tree.items() if p not in ANSWERS_TEMPLATE} == dict(copied.items())
    with pytest.raises(GitRepoError, match="no commits yet, so it has no ref 'v1'"):
        source.resolve("v1")


def test_a_missing_ref_in_a_local_repository_is_an_error(workdir: Path) -> None:
    source = resolve_source(str(make_template(workdir / "tpl")))

    with pytest.raises(RefNotFoundError, match="has no tag, branch or commit 'v7'"):
        source.resolve("v7")


def test_home_relative_paths_are_expanded(workdir: Path) -> None:
    make_repo(Path.home() / "templates/t")

    source = resolve_source("~/templates/t")

    assert isinstance(source, GitSource)
    assert source.src_path == "~/templates/t"


def _fetch_head(mirror: Path) -> Path:
    return mirror / "FETCH_HEAD"


@pytest.mark.parametrize("scheme", ["git+file://", "file://"])
def test_a_remote_is_mirrored_once_and_fetched_only_when_needed(workdir: Path, scheme: str) -> None:
    origin = make_template(workdir / "origin")
    remote = bare_clone(origin, workdir / "remote.git")
    spec = scheme + str(remote)
    url = spec.removeprefix("git+")
    mirror = mirror_path(url, Path(os.environ["TEMPLSYNC_CACHE_DIR"]))

    first = resolve_source(spec)
    assert isinstance(first, GitSource)
    assert first.mirror == mirror
    assert first.resolve().recorded == "1.1.0"
    assert not _fetch_head(mirror).exists()  # a fresh mirror is not fetched

    again = resolve_source(spec)
    assert again.resolve("v1.0.0").recorded == "v1.0.0"
    assert again.resolve(git(origin, "rev-parse", "HEAD")).commit == git(
        origin, "rev-parse", "HEAD"
    )
    assert not _fetch_head(mirror).exists()  # every ref asked for was there

    sha = commit(origin, {"new.txt": "new"})
    git(origin, "tag", "v3.0.0")
    git(origin, "push", "-q", str(remote), "main", "v3.0.0")
    assert again.resolve().recorded == "1.1.0"  # the default does not fetch
    assert not _fetch_head(mirror).exists()
    assert again.resolve("v3.0.0").commit == sha  # a missing ref fetches once
    assert _fetch_head(mirror).exists()
    assert again.tree(again.resolve("v3.0.0"))["new.txt"].content() == b"new"

    os.utime(_fetch_head(mirror), ns=(0, 0))
    again.resolve("v3.0.0")
    assert _fetch_head(mirror).stat().st_mtime_ns == 0  # present now: no fetch

    commit(origin, {"newer.txt": "newer"})
    git(origin, "tag", "v4.0.0")
    git(origin, "push", "-q", str(remote), "main", "v4.0.0")
    refreshed = resolve_source(spec, refresh=True)
    assert _fetch_head(mirror).stat().st_mtime_ns != 0
    assert refreshed.resolve().recorded == "v4.0.0"

    with pytest.raises(RefNotFoundError, match=re.escape(f"the template {spec!r} has no tag")):
        refreshed.resolve("v9")


def test_a_remote_records_what_copier_records(workdir: Path) -> None:
    origin = make_template(workdir / "origin")
    commit(origin, {"after.txt": "after"})
    remote = bare_clone(origin, workdir / "remote.git")
    spec = f"git+file://{remote}"
    os.environ["COPIER_CACHE_DIR"] = str(workdir / "copier-cache")

    source = resolve_source(spec, cache_dir=workdir / "cache")
    for ref in (None, "HEAD", "v1.0.0"):
        version = source.resolve(ref)
        answers = copier_answers(spec, workdir / f"dst-{ref}", ref)
        assert answers["_commit"] == version.recorded
        assert answers["_src_path"] == spec
    assert (workdir / "cache/repos" / mirror_key(f"file://{remote}")).is_dir()


def test_a_git_bundle_is_mirrored(workdir: Path) -> None:
    origin = make_template(workdir / "origin")
    bundle = workdir / "t.bundle"
    git(origin, "bundle", "create", str(bundle), "--all")

    source = resolve_source(str(bundle))

    assert source.resolve().recorded == "1.1.0"
    assert source.src_path == str(bundle)


def test_a_file_that_is_not_a_bundle_is_a_value_error_as_in_copier(workdir: Path) -> None:
    import copier

    build_tree(workdir, {"notes.txt": "not a bundle"})
    with pytest.raises(ValueError):  # Copier's test_project_not_found
        copier.run_copy(str(workdir / "notes.txt"), workdir / "copier", quiet=True)

    with pytest.raises(SourceNotFoundError, match="is a file, not a git bundle") as info:
        resolve_source(str(workdir / "notes.txt"), cache_dir=workdir / "cache")
    assert isinstance(info.value, ValueError)
    assert "notes.txt" in str(info.value)
    assert not (workdir / "cache").exists()  # nothing mirrored


def test_a_local_bare_repository_is_read_in_place(workdir: Path) -> None:
    origin = make_template(workdir / "origin")
    bare = bare_clone(origin, workdir / "tpl.git")

    source = resolve_source(str(bare))
    answers = copier_answers(str(bare), workdir / "dst")

    assert isinstance(source, GitSource)
    assert source.mirror is None
    version = source.resolve()
    assert answers["_commit"] == version.recorded == "1.1.0"
    assert not version.dirty
    assert not (Path(os.environ["TEMPLSYNC_CACHE_DIR"]) / "repos").exists()


def test_the_cache_defaults_to_the_platform_cache_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_cache_dir() == Path(os.environ["TEMPLSYNC_CACHE_DIR"])
    monkeypatch.delenv("TEMPLSYNC_CACHE_DIR")
    assert default_cache_dir() == Path(user_cache_dir("templsync", appauthor=False))


def test_a_half_made_mirror_is_made_again(workdir: Path) -> None:
    remote = bare_clone(make_template(workdir / "origin"), workdir / "remote.git")
    spec = f"file://{remote}"
    mirror = mirror_path(spec, workdir / "cache")
    build_tree(mirror, {"objects/leftover": "from an interrupted clone"})

    source = resolve_source(spec, cache_dir=workdir / "cache")

    assert source.resolve().recorded == "1.1.0"
    assert not (mirror / "objects/leftover").exists()
