"""Templates with git submodules, copied and updated beside Copier 9.19.1.

Copier checks the template out with ``git submodule update --init --recursive``, so each
submodule's files at the recorded commit are part of the template (its ``.git`` file is
excluded by default). templsync must copy, and update to, the same files.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import plumbum
import pytest

from instance.helpers import ANSWERS_JINJA, copier_copy, git, snapshot
from instance.update_scenarios import commit_all, folder_state, twin
from templsync.cli.main import main as templsync_main
from templsync.instance.update import UpdateOptions, update
from testing.trees import build_tree

HOOK = """\
from copier_template_extensions import ContextHook


class Shared(ContextHook):
    def hook(self, context):
        context["shared"] = "from the shared submodule"
"""


@pytest.fixture(autouse=True)
def local_submodules() -> Iterator[None]:
    """Copier clones submodules with git, which refuses local paths unless allowed.

    Copier runs git through plumbum, whose environment is a copy of ``os.environ`` made when
    plumbum was first imported (maybe by an earlier test), so the setting goes there.
    """
    allow = {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "protocol.file.allow",
        "GIT_CONFIG_VALUE_0": "always",
    }
    with plumbum.local.env(**allow):
        yield


def repo(root: Path, files: dict[str, str]) -> Path:
    build_tree(root, files)
    git(root, "init", "-q")
    commit_all(root, "first")
    return root


def add_submodule(superproject: Path, url: str, path: str) -> None:
    git(superproject, "-c", "protocol.file.allow=always", "submodule", "add", "-q", url, path)
    commit_all(superproject, f"submodule {path}")


def make_template(root: Path) -> Path:
    """A template with two submodules, one of them holding a submodule of its own, and an
    extension loaded from a submodule's file."""
    repo(root / "inner", {"inner.txt": "inner {{ name }}\n"})
    outer = repo(root / "outer", {"outer.txt.jinja": "outer {{ name }}\n"})
    add_submodule(outer, "../inner", "deps/inner")
    repo(root / "shared", {"context.py": HOOK, "README.md": "shared\n"})
    template = repo(
        root / "template",
        {
            **ANSWERS_JINJA,
            "copier.yml": (
                "_jinja_extensions:\n"
                "  - copier_template_extensions.TemplateExtensionLoader\n"
                "  - shared/context.py:Shared\n"
                "name: demo\n"
            ),
            "a.txt.jinja": "{{ shared }}\n",
        },
    )
    add_submodule(template, "../outer", "vendor/outer")
    add_submodule(template, str(root / "shared"), "shared")
    git(template, "tag", "v1")
    return template


@pytest.mark.parametrize("spelling", ["path", "url"])
def test_copy_has_the_submodules_files_as_copier_does(tmp_path: Path, spelling: str) -> None:
    template = make_template(tmp_path / "src")
    src = str(template) if spelling == "path" else f"git+file://{template}"

    expected = copier_copy(src, tmp_path / "copier")
    code = templsync_main(["copy", src, str(tmp_path / "ours"), "--defaults", "--trust", "--quiet"])

    assert code == 0
    assert snapshot(tmp_path / "ours") == {
        p: (e.mode.label, e.content()) for p, e in expected.items()
    }
    assert (tmp_path / "ours/vendor/outer/deps/inner/inner.txt").read_text() == "inner {{ name }}\n"
    assert (tmp_path / "ours/a.txt").read_text() == "from the shared submodule\n"


def test_update_moves_a_submodule_to_its_new_commit_as_copier_does(tmp_path: Path) -> None:
    template = make_template(tmp_path / "src")
    ours = tmp_path / "ours"
    assert templsync_main(["copy", str(template), str(ours), "--defaults", "--trust", "-q"]) == 0
    git(ours, "init", "-q")
    commit_all(ours, "made from the template")
    theirs = twin(ours, tmp_path / "theirs")
    build_tree(tmp_path / "src/inner", {"inner.txt": "inner, version 2\n"})
    commit_all(tmp_path / "src/inner", "inner 2")
    git(tmp_path / "src/outer/deps/inner", "pull", "-q", "origin", "main")
    commit_all(tmp_path / "src/outer", "outer moves to inner 2")
    git(template / "vendor/outer", "pull", "-q", "origin", "main")
    commit_all(template, "the new outer")
    git(template, "tag", "v2")

    result = update(ours, UpdateOptions(defaults=True, trust=True))
    import copier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_update(str(theirs), defaults=True, overwrite=True, unsafe=True, quiet=True)

    assert result.conflicts == ()
    assert (ours / "vendor/outer/deps/inner/inner.txt").read_text() == "inner, version 2\n"
    assert folder_state(ours) == folder_state(theirs)


def test_a_submodule_that_cannot_be_had_stops_the_copy_with_its_path_and_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = repo(tmp_path / "template", {"copier.yml": "name: x\n"})
    lib = repo(tmp_path / "lib", {"lib.txt": "lib\n"})
    add_submodule(template, str(lib), "lib")
    git(template, "tag", "v1")
    git(tmp_path, "clone", "-q", "--bare", str(template), str(tmp_path / "remote.git"))
    git(lib, "commit", "-q", "--amend", "-m", "history rewritten")  # the recorded commit is gone
    git(lib, "reflog", "expire", "--expire=now", "--all")
    git(lib, "gc", "-q", "--prune=now")

    code = templsync_main(
        ["copy", f"git+file://{tmp_path}/remote.git", str(tmp_path / "out"), "--defaults"]
    )

    assert code == 1
    err = capsys.readouterr().err
    assert f"the template's submodule 'lib' ({lib})" in err
    assert "which that repository does not have" in err
    assert not (tmp_path / "out").exists()
