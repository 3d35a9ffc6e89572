"""A migration folder is data: a symlink, fifo, socket or device anywhere in it (the folder, its
``migration.json`` or ``migrate.ts``, a ``__files`` subfolder or content) stops every migrate
command with an error naming it, with or without ``--strict``, and nothing is written. No link is
followed, so no file of the machine can be copied into a project. ``migrations/`` itself may be a
link only to a folder inside the template."""

from __future__ import annotations

import json
import os
import socket
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from templsync.cli.main import main
from testing.alarm import time_limit

from .migrate_helpers import write_files
from .test_errors import every_command, two_migrations

HOSTILE = "2030-01-01T00-00-00_hostile"
SECRET = b"a secret of this machine\n"
STOLEN = {"format": 1, "entries": {"stolen.txt": {"type": "new", "path": "stolen.txt"}}}
DEEP = {"format": 1, "entries": {"deep/stolen.txt": {"type": "new", "path": "deep/stolen.txt"}}}
LEGACY = 'export const migration = { "stolen.txt": { type: "new", path: "stolen.txt" } };\n'

Snapshot = dict[str, object]


def snapshot(root: Path) -> Snapshot:
    """Every path under ``root`` as it is, links and special files included, none followed."""
    out: Snapshot = {}
    for folder, dirs, names in os.walk(root):
        for name in (*dirs, *names):
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                out[rel] = ("link", str(path.readlink()))
            elif stat.S_ISDIR(mode):
                out[rel] = "folder"
            elif stat.S_ISREG(mode):
                out[rel] = path.read_bytes()
            else:
                out[rel] = ("special", stat.S_IFMT(mode))
    return out


@pytest.fixture
def no_hang() -> Iterator[None]:
    """A read that blocks (a fifo opened without O_NONBLOCK) fails the test instead of hanging."""
    with time_limit(60):
        yield


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def make_socket(path: Path) -> None:
    here = Path.cwd()
    os.chdir(path.parent)  # bound by its name: a socket's full path has a length limit
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(path.name)
    finally:
        os.chdir(here)


def make_device(path: Path) -> None:
    try:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # as /dev/null
    except PermissionError:
        pytest.skip("this user may not make device files")


def link_to(target: Path | str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.symlink_to(target)

    return make


def hostile_migration(template: Path, document: object, files: dict[str, bytes]) -> Path:
    folder = template / "migrations" / HOSTILE
    data = document.encode() if isinstance(document, str) else json.dumps(document).encode()
    write_files(folder, {"migration.json" if document is not LEGACY else "migrate.ts": data})
    write_files(folder, files)
    return folder


def replace(path: Path, make: Callable[[Path], None]) -> None:
    if path.exists():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    make(path)


def content_link(template: Path, outside: Path) -> str:
    folder = hostile_migration(template, STOLEN, {})
    replace(folder / "__files/stolen.txt.template", link_to(outside / "secret.txt"))
    return f"migrations/{HOSTILE}/__files/stolen.txt.template"


def content_link_relative(template: Path, outside: Path) -> str:
    folder = hostile_migration(template, STOLEN, {})
    up = os.path.relpath(outside / "secret.txt", folder / "__files")
    replace(folder / "__files/stolen.txt.template", link_to(up))
    return f"migrations/{HOSTILE}/__files/stolen.txt.template"


def content_link_with_digest(template: Path, outside: Path) -> str:
    """A content the migration recorded with its digest (migrate generate wrote it), replaced."""
    stored = next((template / "migrations").glob("*_first/__files/app/main.py.template"))
    replace(stored, link_to(outside / "secret.txt"))
    return stored.relative_to(template).as_posix()


def subfolder_link(template: Path, outside: Path) -> str:
    write_files(outside / "deep", {"stolen.txt.template": SECRET})
    folder = hostile_migration(template, DEEP, {})
    (folder / "__files").mkdir()
    (folder / "__files/deep").symlink_to(outside / "deep")
    return f"migrations/{HOSTILE}/__files/deep"


def files_folder_link(template: Path, outside: Path) -> str:
    write_files(outside / "files", {"stolen.txt.template": SECRET})
    folder = hostile_migration(template, STOLEN, {})
    (folder / "__files").symlink_to(outside / "files")
    return f"migrations/{HOSTILE}/__files"


def document_link(template: Path, outside: Path) -> str:
    write_files(outside, {"migration.json": json.dumps(STOLEN).encode()})
    folder = hostile_migration(template, STOLEN, {"__files/stolen.txt.template": b"ok\n"})
    replace(folder / "migration.json", link_to(outside / "migration.json"))
    return f"migrations/{HOSTILE}/migration.json"


def legacy_link(template: Path, outside: Path) -> str:
    write_files(outside, {"migrate.ts": LEGACY.encode()})
    folder = hostile_migration(template, LEGACY, {"__files/stolen.txt.template": b"ok\n"})
    replace(folder / "migrate.ts", link_to(outside / "migrate.ts"))
    return f"migrations/{HOSTILE}/migrate.ts"


def folder_link(template: Path, outside: Path) -> str:
    write_files(
        outside / "evil",
        {"migration.json": json.dumps(STOLEN).encode(), "__files/stolen.txt.template": SECRET},
    )
    (template / "migrations" / HOSTILE).symlink_to(outside / "evil")
    return f"migrations/{HOSTILE}/"


def migrations_link_outside(template: Path, outside: Path) -> str:
    (template / "migrations").rename(outside / "migrations")
    (template / "migrations").symlink_to(outside / "migrations")
    return "migrations/"


def special_content(make: Callable[[Path], None]) -> Callable[[Path, Path], str]:
    def build(template: Path, outside: Path) -> str:
        folder = hostile_migration(template, STOLEN, {})
        replace(folder / "__files/stolen.txt.template", make)
        return f"migrations/{HOSTILE}/__files/stolen.txt.template"

    return build


def fifo_document(template: Path, outside: Path) -> str:
    folder = hostile_migration(template, STOLEN, {"__files/stolen.txt.template": b"ok\n"})
    replace(folder / "migration.json", make_fifo)
    return f"migrations/{HOSTILE}/migration.json"


HOSTILE_CASES: dict[str, tuple[Callable[[Path, Path], str], str]] = {
    "content a link to a host file": (content_link, "a symlink"),
    "content a relative link out of the template": (content_link_relative, "a symlink"),
    "content with a digest a link": (content_link_with_digest, "a symlink"),
    "__files subfolder a link": (subfolder_link, "a symlink"),
    "__files a link": (files_folder_link, "a symlink"),
    "migration.json a link": (document_link, "a symlink"),
    "migrate.ts a link": (legacy_link, "a symlink"),
    "migration folder a link": (folder_link, "a symlink"),
    "content a fifo": (special_content(make_fifo), "a fifo"),
    "migration.json a fifo": (fifo_document, "a fifo"),
    "content a socket": (special_content(make_socket), "a socket"),
    "content a device": (special_content(make_device), "a device"),
}


@pytest.mark.usefixtures("no_hang")
@pytest.mark.parametrize(("build", "what"), HOSTILE_CASES.values(), ids=list(HOSTILE_CASES))
def test_a_link_or_special_file_in_a_migration_stops_every_command(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    build: Callable[[Path, Path], str],
    what: str,
) -> None:
    template = two_migrations(tmp_path / "tpl")
    project = tmp_path / "project"
    assert main(["migrate", "init", str(project), "-t", str(template), "--yes"]) == 0
    outside = tmp_path / "outside"
    write_files(outside, {"secret.txt": SECRET})
    file = build(template, outside)
    capsys.readouterr()
    before = snapshot(tmp_path)

    for command in every_command(tmp_path, project, template):
        for strict in ([], ["--strict"]):
            assert main(["migrate", *command, *strict]) == 1, (command, strict)
            err = capsys.readouterr().err
            assert f"error: {file}: is {what}; a migration holds only plain files" in err, err
            assert snapshot(tmp_path) == before, (command, strict)


def test_migrations_may_not_be_a_link_out_of_the_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = two_migrations(tmp_path / "tpl")
    project = tmp_path / "project"
    assert main(["migrate", "init", str(project), "-t", str(template), "--yes"]) == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    migrations_link_outside(template, outside)
    capsys.readouterr()
    before = snapshot(tmp_path)

    for command in every_command(tmp_path, project, template):
        assert main(["migrate", *command]) == 1, command
        err = capsys.readouterr().err
        assert "error: migrations/: is a symlink to" in err and "which leaves the template" in err
        assert snapshot(tmp_path) == before, command


def test_migrations_may_be_a_link_inside_the_template_and_other_links_beside_them_are_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = two_migrations(tmp_path / "tpl")
    (template / "migrations").rename(template / "history")
    (template / "migrations").symlink_to("history")
    (template / "history" / "README.md").symlink_to(tmp_path / "anywhere")  # not a migration
    target = tmp_path / "svc"

    assert main(["migrate", "init", str(target), "-t", str(template), "--yes"]) == 0

    assert (target / "README.md").read_bytes() == b"# Service\n\nRun it.\n"
    assert capsys.readouterr().err == ""
