"""What ``templsync migrate`` refuses: malformed migrations (a warning naming the file and the
reason, that migration skipped; ``--strict`` makes it an error), two migrations with one
timestamp, a target that is not empty, paths that leave the project, edited ``__files`` contents
and permission errors. On every refusal nothing is written."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from templsync.cli.main import main
from templsync.migrate.apply import ApplyOptions, apply_migrations
from templsync.migrate.generate import GenerateOptions, generate
from templsync.migrate.initialize import init_project
from testing.forked import call_unprivileged

from .migrate_helpers import Clock, listing, project_files, write_files

BROKEN = "2030-01-01T00-00-00_broken"
BROKEN_FILE = f"migrations/{BROKEN}/migration.json"
FIRST = {"README.md": b"# Service\n", "app/main.py": b"print('hi')\n"}
SECOND = {"README.md": b"# Service\n\nRun it.\n", "app/main.py": b"print('hi')\n"}


def entries(**entry: object) -> str:
    return json.dumps({"format": 1, "entries": {"x": entry}})


MALFORMED = {
    "invalid JSON": ("{not json", "not valid JSON (line 1, column 2"),
    "not an object": ("[1, 2]", "the document must be a JSON object"),
    "no format": ('{"entries": {}}', 'no "format" field'),
    "a newer format": ('{"format": 2, "entries": {}}', "format 2 is not one this templsync reads"),
    "entries not an object": ('{"format": 1, "entries": []}', "entries must be an object"),
    "unknown type": (entries(type="gone"), "has type 'gone'"),
    "absolute path": (entries(type="delete", path="/etc/passwd"), "the path is absolute"),
    "parent path": (entries(type="delete", path="../up.txt"), "the path contains '..'"),
    "moved out": (
        entries(type="moved", oldPath="README.md", newPath="app/../../x"),
        "unsafe newPath: the path contains '..'",
    ),
    "missing __files": (
        entries(type="new", path="b.txt"),
        "__files/b.txt.template does not exist",
    ),
    "bad digest": (entries(type="delete", path="b.txt", digest="xyz"), "digest 'xyz'"),
    "line 0": (
        entries(type="modify", path="README.md", diffs=[{"operation": "delete", "startLine": 0}]),
        "lines count from 1",
    ),
    "unknown mode": (entries(type="delete", path="b.txt", mode="sticky"), "mode 'sticky'"),
}


def two_migrations(template: Path) -> Path:
    """``template`` made with two migrations: ``first`` then ``second``."""
    clock = Clock()
    write_files(template, FIRST)
    generate(template, GenerateOptions(name="first"), now=clock)
    write_files(template, SECOND)
    generate(template, GenerateOptions(name="second"), now=clock)
    return template


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return two_migrations(tmp_path / "tpl")


def every_command(tmp_path: Path, project: Path, template: Path) -> list[list[str]]:
    """The four migrate commands, each with what it reads: a new target, the project, the
    template."""
    return [
        ["init", str(tmp_path / "new"), "-t", str(template), "--yes"],
        ["apply", str(project), "-t", str(template)],
        ["generate", "next", "-p", str(template)],
        ["status", str(project), "-t", str(template)],
    ]


def break_with(template: Path, name: str, files: dict[str, bytes]) -> None:
    write_files(template / "migrations" / name, files)


@pytest.mark.parametrize(("document", "reason"), MALFORMED.values(), ids=list(MALFORMED))
def test_a_malformed_migration_is_skipped_with_a_warning_and_strict_refuses_it(
    template: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    document: str,
    reason: str,
) -> None:
    break_with(template, BROKEN, {"migration.json": document.encode()})
    project = tmp_path / "project"

    assert main(["migrate", "init", str(project), "-t", str(template), "--yes"]) == 0

    err = capsys.readouterr().err
    assert f"warning: {BROKEN_FILE}: " in err and reason in err
    assert f"migration {BROKEN} skipped" in err and "--strict" in err
    assert project_files(project) == SECOND
    record = json.loads((project / "applied-migrations.json").read_text())
    assert BROKEN not in [m["name"] for m in record["appliedMigrations"]]

    (project / "README.md").write_bytes(b"# Ours\n")
    before = listing(tmp_path)
    for command in every_command(tmp_path, project, template):
        assert main(["migrate", *command, "--strict"]) == 1, command
        err = capsys.readouterr().err
        assert f"error: {BROKEN_FILE}: " in err and reason in err, command
        assert listing(tmp_path) == before, command


@pytest.mark.parametrize(
    "case",
    [
        ({"notes.txt": b"no migration here"}, f"migrations/{BROKEN}/", "has no migration.json"),
        (
            {"migration.json": b'{"format": 1, "entries": {"\xff": 1}}'},
            BROKEN_FILE,
            "not UTF-8",
        ),
    ],
    ids=["no migration.json", "not UTF-8"],
)
def test_a_folder_that_holds_no_readable_migration_is_skipped(
    template: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: tuple[dict[str, bytes], str, str],
) -> None:
    files, where, reason = case
    break_with(template, BROKEN, files)
    target = tmp_path / "svc"
    assert main(["migrate", "init", str(target), "-t", str(template), "--yes"]) == 0
    err = capsys.readouterr().err
    assert f"{where}: " in err and reason in err
    assert project_files(target) == SECOND


def test_a_folder_not_named_like_a_migration_is_skipped(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    break_with(template, "latest", {"migration.json": b'{"format": 1, "entries": {}}'})
    target = tmp_path / "svc"
    assert main(["migrate", "init", str(target), "-t", str(template), "--yes"]) == 0
    err = capsys.readouterr().err
    assert "migrations/latest/: the folder name is not <YYYY-MM-DDTHH-mm-ss>_<name>" in err
    assert project_files(target) == SECOND
    assert main(["migrate", "init", str(tmp_path / "strict"), "-t", str(template), "--strict"]) == 1
    assert not (tmp_path / "strict").exists()


def test_two_migrations_with_one_timestamp_are_always_an_error(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    assert main(["migrate", "init", str(project), "-t", str(template), "--yes"]) == 0
    first = sorted((template / "migrations").iterdir())[0]
    twin = first.with_name(first.name.split("_")[0] + "_twin")
    shutil.copytree(first, twin)
    (template / "README.md").write_bytes(b"# Changed\n")
    capsys.readouterr()
    before = listing(tmp_path)

    for command in every_command(tmp_path, project, template):
        assert main(["migrate", *command]) == 1, command
        err = capsys.readouterr().err
        assert repr(first.name) in err and repr(twin.name) in err, command
        assert "have the same timestamp" in err and "Rename one of them" in err, command
        assert listing(tmp_path) == before, command


def test_a_target_that_is_not_empty_is_refused(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "svc"
    write_files(target, {"keep.txt": b"mine\n"})
    assert main(["migrate", "init", str(target), "-t", str(template), "--yes"]) == 1
    assert f"{str(target)!r} is not empty" in capsys.readouterr().err
    assert listing(target) == {"keep.txt": b"mine\n"}


def test_a_link_that_leaves_the_project_is_refused_and_nothing_is_written(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    assert main(["migrate", "init", str(project), "-t", str(template), "--yes"]) == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / "app").rename(project / "app-old")
    (project / "app").symlink_to("../outside")
    write_files(template, {"app/extra.py": b"x = 1\n"})
    assert main(["migrate", "generate", "third", "-p", str(template)]) == 0
    capsys.readouterr()
    before = listing(tmp_path)

    assert main(["migrate", "apply", str(project), "-t", str(template)]) == 1

    assert "\"app\" is forbidden: the symlink points to '../outside', which leaves" in (
        capsys.readouterr().err
    )
    assert listing(tmp_path) == before
    assert list(outside.iterdir()) == []


def test_an_edited_files_content_is_an_error_naming_it(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stored = next((template / "migrations").glob("*_first/__files/app/main.py.template"))
    stored.write_bytes(b"print('edited')\n")
    target = tmp_path / "svc"

    assert main(["migrate", "init", str(target), "-t", str(template), "--yes"]) == 1

    err = capsys.readouterr().err
    assert stored.relative_to(template).as_posix() + ": not the content its entry records" in err
    assert not target.exists()


def readable_by_anyone(root: Path) -> None:
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            (Path(folder) / name).chmod(0o755)
        for name in files:
            (Path(folder) / name).chmod(0o644)


def test_permission_errors_name_the_path_and_write_nothing(public_dir: Path) -> None:
    template = two_migrations(public_dir / "tpl")
    project = public_dir / "project"
    init_project(template, project, now=Clock())
    (template / "README.md").write_bytes(b"# Service, third edition\n")
    generate(template, GenerateOptions(name="third"), now=Clock())
    readable_by_anyone(public_dir)
    before = listing(public_dir)

    # the project's folder may not be written by nobody: apply says where, writes nothing
    outcome = call_unprivileged(lambda: apply_migrations(project, ApplyOptions(template=template)))
    assert "Permission denied" in outcome and str(project) in outcome, outcome
    assert listing(public_dir) == before

    # the parent of a new project may not be written: init says where
    outcome = call_unprivileged(lambda: init_project(template, project / "app" / "new"))
    assert "Permission denied" in outcome and str(project / "app") in outcome, outcome
    assert listing(public_dir) == before

    # a migration nobody may read: the error names it
    third = next((template / "migrations").glob("*_third"))
    (third / "migration.json").chmod(0o600)
    writable = public_dir / "writable"
    writable.mkdir(mode=0o777)
    writable.chmod(0o777)
    outcome = call_unprivileged(lambda: init_project(template, writable / "new"))
    assert "Permission denied" in outcome and str(third / "migration.json") in outcome, outcome
    assert list(writable.iterdir()) == []
