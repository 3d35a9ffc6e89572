"""A template's submodules read at the commits it records: from the local repository, from their
URLs (in place, or mirrored in the cache and fetched), nested, and said clearly when missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gitrepo_helpers import commit, git, make_repo

from templsync._core.tree import Tree
from templsync._io.gitmirror import default_cache_dir, mirror_path
from templsync._io.sources import resolve_source
from templsync._io.submodules import MAX_DEPTH, SubmoduleError
from templsync._io.vcsurl import submodule_url
from templsync.errors import DirtyLocalWarning


def add_submodule(superproject: Path, url: str, path: str) -> str:
    """``git submodule add`` (local URLs allowed) and commit; the new commit's sha."""
    git(superproject, "-c", "protocol.file.allow=always", "submodule", "add", "-q", url, path)
    git(superproject, "commit", "-q", "-m", f"submodule {path}")
    return git(superproject, "rev-parse", "HEAD")


def gitlink(superproject: Path, path: str, sha: str, url: str | None) -> None:
    """A gitlink recorded by hand (no checkout), listed in .gitmodules with ``url``."""
    git(superproject, "update-index", "--add", "--cacheinfo", f"160000,{sha},{path}")
    (superproject / path).mkdir(parents=True, exist_ok=True)  # as a checkout shows it
    if url is not None:
        git(superproject, "config", "-f", ".gitmodules", f"submodule.{path}.path", path)
        git(superproject, "config", "-f", ".gitmodules", f"submodule.{path}.url", url)
        git(superproject, "add", ".gitmodules")
    git(superproject, "commit", "-q", "-m", f"gitlink {path}")


def files(tree: Tree) -> dict[str, bytes]:
    return {path: entry.content() for path, entry in tree.items()}


def read(spec: str, ref: str = "HEAD") -> Tree:
    source = resolve_source(spec)
    return source.tree(source.resolve(ref))


# git's own cases for relative submodule URLs (t/t0060-path-utils.sh, test_submodule_relative_url)
@pytest.mark.parametrize(
    ("base", "url", "expected"),
    [
        ("../foo/bar", "../sub/a/b/c", "../foo/sub/a/b/c"),
        ("foo/bar", "../submodule", "foo/submodule"),
        ("foo", "../submodule", "submodule"),
        ("/usr/src/git", "../submodule", "/usr/src/submodule"),
        ("/usr/src/git/", "./submodule", "/usr/src/git/submodule"),
        ("ssh://hostname/repo", "../subrepo", "ssh://hostname/subrepo"),
        ("ssh://hostname:22/repo", "../subrepo", "ssh://hostname:22/subrepo"),
        ("user@host:path/to/repo", "../subrepo", "user@host:path/to/subrepo"),
        ("user@host:repo", "../subrepo", "user@host:subrepo"),
        ("file:///tmp/repo", "../subrepo", "file:///tmp/subrepo"),
        ("helper:://hostname/repo", "../subrepo", "helper:://hostname/subrepo"),
        ("https://github.com/o/t.git", "../../other/lib.git", "https://github.com/other/lib.git"),
        ("https://github.com/o/t.git", "https://example.com/x.git", "https://example.com/x.git"),
    ],
)
def test_relative_urls_resolve_as_git_resolves_them(base: str, url: str, expected: str) -> None:
    assert submodule_url(url, base) == expected


def test_a_url_with_nothing_left_to_drop_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot strip one component"):
        submodule_url("../../x", "foo")


def test_a_local_templates_submodule_comes_from_its_git_folder(workdir: Path) -> None:
    """The submodule's own repository is gone: git's copy in .git/modules is enough."""
    lib = make_repo(workdir / "lib", {"lib.txt": "lib 1\n"})
    template = make_repo(workdir / "template", {"a.txt": "a\n"})
    add_submodule(template, "../lib", "vendor/lib")
    git(template, "tag", "v1")
    shutil.rmtree(lib)
    shutil.rmtree(template / "vendor/lib")  # the checkout too: only .git/modules/vendor/lib

    assert files(read(str(template), "v1")) == {
        "a.txt": b"a\n",
        ".gitmodules": (template / ".gitmodules").read_bytes(),
        "vendor/lib/lib.txt": b"lib 1\n",
    }


def test_each_version_has_its_submodules_commit(workdir: Path) -> None:
    lib = make_repo(workdir / "lib", {"lib.txt": "lib 1\n"})
    template = make_repo(workdir / "template", {"a.txt": "a\n"})
    add_submodule(template, str(lib), "lib")
    git(template, "tag", "v1")
    commit(lib, {"lib.txt": "lib 2\n"})
    git(template / "lib", "pull", "-q", "origin", "main")
    commit(template, {}, "lib 2")
    git(template, "tag", "v2")

    assert read(str(template), "v1")["lib/lib.txt"].content() == b"lib 1\n"
    assert read(str(template), "v2")["lib/lib.txt"].content() == b"lib 2\n"
    assert read(str(template), "v1") != read(str(template), "v2")


def test_a_remote_templates_submodule_is_mirrored_and_fetched_when_it_lacks_the_commit(
    workdir: Path,
) -> None:
    lib = make_repo(workdir / "remote/lib", {"lib.txt": "lib 1\n"})
    template = make_repo(workdir / "remote/template", {"a.txt": "a\n"})
    add_submodule(template, "../lib", "lib")
    git(template, "tag", "v1")
    url = f"file://{template}"

    assert read(url, "v1")["lib/lib.txt"].content() == b"lib 1\n"
    # resolved against the template's URL, and mirrored
    assert mirror_path(f"file://{lib}", default_cache_dir()).is_dir()

    commit(lib, {"lib.txt": "lib 2\n"})
    git(template / "lib", "pull", "-q", "origin", "main")
    commit(template, {}, "lib 2")
    git(template, "tag", "v2")

    assert read(url, "v2")["lib/lib.txt"].content() == b"lib 2\n"  # both mirrors fetched
    assert read(url, "v1")["lib/lib.txt"].content() == b"lib 1\n"


def test_nested_submodules_resolve_against_their_own_superproject(workdir: Path) -> None:
    inner = make_repo(workdir / "inner", {"inner.txt": "inner\n"})
    outer = make_repo(workdir / "outer", {"outer.txt": "outer\n"})
    add_submodule(outer, "../inner", "deps/inner")
    template = make_repo(workdir / "template", {"a.txt": "a\n"})
    add_submodule(template, "../outer", "outer")
    assert inner.is_dir()
    shutil.rmtree(template / "outer")  # no checkout: read from the URLs, each relative

    tree = read(f"file://{template}")

    assert tree["outer/outer.txt"].content() == b"outer\n"
    assert tree["outer/deps/inner/inner.txt"].content() == b"inner\n"
    assert "outer/.gitmodules" in tree


def test_a_dirty_checkout_takes_the_commit_its_submodule_is_at(workdir: Path) -> None:
    lib = make_repo(workdir / "lib", {"lib.txt": "lib 1\n"})
    template = make_repo(workdir / "template", {"a.txt": "a\n"})
    add_submodule(template, str(lib), "lib")
    commit(template / "lib", {"lib.txt": "lib, not committed in the template\n"})

    source = resolve_source(str(template))
    version = source.resolve("HEAD")
    assert version.dirty  # the submodule moved
    with pytest.warns(DirtyLocalWarning):
        tree = source.tree(version)
    assert tree["lib/lib.txt"].content() == b"lib, not committed in the template\n"


def test_an_unreachable_submodule_names_its_path_and_url(workdir: Path) -> None:
    template = make_repo(workdir / "template", {"a.txt": "a\n"})
    other = make_repo(workdir / "other")
    gitlink(template, "vendor/x", git(other, "rev-parse", "HEAD"), "https://127.0.0.1:9/x.git")

    with pytest.raises(SubmoduleError) as caught:
        read(str(template))

    assert caught.value.path == "vendor/x"
    assert str(caught.value).startswith(
        "the template's submodule 'vendor/x' (https://127.0.0.1:9/x.git): cannot get it: "
    )
    assert "Check its URL in .gitmodules" in str(caught.value)


@pytest.mark.parametrize("spelling", ["path", "file URL"])
def test_a_commit_the_submodules_repository_lacks_is_said(workdir: Path, spelling: str) -> None:
    lib = make_repo(workdir / "lib")
    elsewhere = make_repo(workdir / "elsewhere", {"x": "not in lib\n"})
    sha = git(elsewhere, "rev-parse", "HEAD")
    template = make_repo(workdir / "template", {"a.txt": "a\n"})
    url = str(lib) if spelling == "path" else f"file://{lib}"
    gitlink(template, "lib", sha, url)

    with pytest.raises(SubmoduleError) as caught:
        read(str(template))

    assert str(caught.value) == (
        f"the template's submodule 'lib' ({url}): the template records its commit {sha}, which "
        "that repository does not have. Push the commit there, or record a commit it has."
    )


def test_a_gitlink_that_gitmodules_does_not_list_is_said(workdir: Path) -> None:
    template = make_repo(workdir / "template", {"a.txt": "a\n"})
    other = make_repo(workdir / "other")
    sha = git(other, "rev-parse", "HEAD")
    gitlink(template, "sub", sha, None)

    with pytest.raises(SubmoduleError, match=r"^the template's submodule 'sub': it records commit"):
        read(str(template))


def test_submodules_nested_too_deep_are_refused(workdir: Path) -> None:
    """Each commit holds the previous one as a submodule: a chain deeper than MAX_DEPTH."""
    repo = make_repo(workdir / "chain", {"a.txt": "a\n"})
    for _ in range(MAX_DEPTH + 1):
        git(repo, "rm", "-q", "--cached", "--ignore-unmatch", "self")
        gitlink(repo, "self", git(repo, "rev-parse", "HEAD"), str(repo))

    with pytest.raises(SubmoduleError, match="nested 9 submodules deep"):
        read(str(repo))
