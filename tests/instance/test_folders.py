"""The empty folders of a template in copy, recopy and update (``instance/folders.py``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from instance.helpers import ANSWERS_JINJA, copier_copy, git, snapshot, tagged_repo
from templsync.instance.copy import CopyOptions, copy
from templsync.instance.existing import PathClashError
from templsync.instance.recopy import recopy
from templsync.instance.update import UpdateOptions, update
from testing.trees import build_tree

V1 = {
    **ANSWERS_JINJA,
    "copier.yml": "x: false\n",
    "a.txt": "a\n",
    "src/{% if x %}x.py{% endif %}": "",  # every file renders to an empty name
    "kept/{% if x %}k{% endif %}": "",
}
V2 = {
    "new/{% if x %}n{% endif %}": "",
    "newdeep/a/{% if x %}b{% endif %}": "",
    "blocked/{% if x %}c{% endif %}": "",
}


def folders(root: Path) -> set[str]:
    """Every real folder under ``root`` but git's, relative."""
    found: set[str] = set()
    for folder, names, _files in os.walk(root):
        names[:] = [n for n in names if n != ".git"]
        found.update(Path(folder, n).relative_to(root).as_posix() for n in names)
    return found


def test_copy_into_an_existing_folder_makes_the_empty_folders_as_copier_does(
    tmp_path: Path,
) -> None:
    template = tagged_repo(tmp_path / "template", {"1.0.0": V1})
    ours = build_tree(tmp_path / "ours", {"mine.txt": "mine\n", "kept/own.txt": "own\n"})
    theirs = build_tree(tmp_path / "theirs", {"mine.txt": "mine\n", "kept/own.txt": "own\n"})
    copier_copy(str(template), theirs)

    result = copy(str(template), ours, CopyOptions(defaults=True))

    assert result.folders == ("src",)  # `kept` was there already
    assert folders(ours) == folders(theirs) == {"src", "kept"}
    assert snapshot(ours) == snapshot(theirs)


def test_pretend_names_the_folders_and_makes_none(tmp_path: Path) -> None:
    template = tagged_repo(tmp_path / "template", {"1.0.0": V1})
    dst = tmp_path / "project"
    result = copy(str(template), dst, CopyOptions(defaults=True, pretend=True))
    assert result.folders == ("kept", "src")
    assert not dst.exists()


def test_a_file_where_the_template_makes_a_folder_refuses_the_copy(tmp_path: Path) -> None:
    template = tagged_repo(tmp_path / "template", {"1.0.0": V1})
    dst = build_tree(tmp_path / "project", {"src": "a file\n"})
    with pytest.raises(PathClashError) as info:
        copy(str(template), dst, CopyOptions(defaults=True, overwrite=True))
    assert str(info.value) == (
        f"the template makes the folder 'src', but in {dst} a file (or a symlink) stands there "
        "or on the way to it. Move it away, or copy into another folder."
    )
    assert snapshot(dst) == {"src": ("file", b"a file\n")}


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    template = tagged_repo(tmp_path / "template", {"1.0.0": V1, "2.0.0": V2})
    dst = tmp_path / "project"
    copy(str(template), dst, CopyOptions(vcs_ref="1.0.0", defaults=True))
    assert folders(dst) == {"src", "kept"}
    git(dst, "init", "-q")
    (dst / "blocked").write_text("the instance's own file\n")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "made from the template")
    (dst / "kept").rmdir()  # removed on purpose (git does not see folders)
    return dst


def test_update_makes_the_new_versions_empty_folders_only(instance: Path) -> None:
    pretend = update(instance, UpdateOptions(defaults=True, pretend=True))
    assert pretend.plan.folders == ("new", "newdeep", "newdeep/a")
    assert folders(instance) == {"src"}

    result = update(instance, UpdateOptions(defaults=True))

    assert result.plan.folders == ("new", "newdeep", "newdeep/a")
    # `kept` stays removed, as a deleted file does; `blocked` is the instance's file.
    assert folders(instance) == {"src", "new", "newdeep", "newdeep/a"}
    assert (instance / "blocked").read_text() == "the instance's own file\n"


def test_recopy_makes_every_empty_folder_the_instance_lacks(instance: Path) -> None:
    (instance / "blocked").unlink()
    git(instance, "commit", "-qam", "no longer blocked")

    result = recopy(instance, CopyOptions(vcs_ref="2.0.0", defaults=True))

    assert result.folders == ("blocked", "kept", "new", "newdeep", "newdeep/a")
    assert folders(instance) == {"src", "kept", "new", "newdeep", "newdeep/a", "blocked"}
