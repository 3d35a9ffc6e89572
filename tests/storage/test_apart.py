"""A folder walked in a forked child: the same scan as a walk here, its errors raised here with
their message, and every way the child can fail made up for by walking here."""

from __future__ import annotations

import json
import marshal
import os
import signal
import subprocess
import sys
import time
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest

from storage.helpers import files
from templsync._core.ignore import IgnoreRules
from templsync.errors import InvalidPathError, ReadError
from templsync.progress import no_progress
from templsync.storage.apart import (
    Apart,
    WalkApart,
    can_fork,
    decode,
    encode,
    fork_walk,
    one_after_other,
)
from templsync.storage.changes import SEEN, SEEN_EXECUTABLE, Scan
from templsync.storage.localstore import LocalStore
from templsync.storage.model import Record, Side, Stat, SyncStrategy
from templsync.storage.records import Records
from templsync.storage.run import sync_paths
from testing.forked import call_unprivileged
from testing.trees import build_tree

RULES = IgnoreRules.of(["*.log", "build/", "!keep.log"])


def recorded(store: LocalStore) -> Records:
    """Records saying each file of ``store`` is as it is now (on the remote side)."""
    found = store.listing(RULES, no_progress)
    return Records.of({p: Record(s.size, "00" * 20, 0, s.mtime_ns) for p, s in found.items()})


def result_of(apart: Apart | None) -> Scan | None:
    assert apart is not None, "the fork failed"
    with apart:
        return apart.result()


def die() -> NoReturn:
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("killed")


@pytest.fixture
def edited(tmp_path: Path) -> tuple[LocalStore, Records]:
    """A folder recorded, then edited: changed sizes and mtimes, new files (names with spaces
    and accents), deletions, ignored files and folders, an executable left as recorded."""
    root = build_tree(
        tmp_path / "remote",
        {
            "same.txt": "same",
            "run.sh": "#!/bin/sh\n",
            "grown.txt": "short",
            "touched.txt": "1234",
            "gone.txt": "bye",
            "sub/dir/deep.txt": "deep",
            "sub/gone too.txt": "bye",
            "keep.log": "kept",
        },
    )
    (root / "run.sh").chmod(0o755)
    store = LocalStore(root)
    records = recorded(store)
    (root / "grown.txt").write_text("much longer now")
    os.utime(root / "touched.txt", ns=(0, 1_000_000_000))
    (root / "gone.txt").unlink()
    (root / "sub" / "gone too.txt").unlink()
    build_tree(
        root,
        {
            "new file.txt": "n",
            "café/ünïcode näme.md": "u",
            "sub/dir/new.txt": "n",
            "debug.log": "ignored",
            "build/out.bin": "ignored",
            "sub/build/x.txt": "ignored",
        },
    )
    return store, records


def test_a_walk_in_the_child_equals_the_walk_here(edited: tuple[LocalStore, Records]) -> None:
    store, records = edited
    known = records.known(Side.REMOTE)

    def walk() -> Scan:
        return store.scan(RULES, no_progress, known)

    here = walk()
    apart = result_of(fork_walk(walk))
    assert apart == here
    assert set(here.changed) == {
        "grown.txt",
        "touched.txt",
        "new file.txt",
        "café/ünïcode näme.md",
        "sub/dir/new.txt",
    }
    assert here.count == 9
    seen = {records.paths[i]: v for i, v in enumerate(here.seen)}
    assert seen == {
        "same.txt": SEEN,
        "run.sh": SEEN_EXECUTABLE,
        "grown.txt": 0,
        "touched.txt": 0,
        "gone.txt": 0,
        "sub/dir/deep.txt": SEEN,
        "sub/gone too.txt": 0,
        "keep.log": SEEN,
    }


def test_the_walk_runs_in_another_process() -> None:
    def pid() -> Scan:
        return Scan({"pid": Stat(os.getpid(), 0, "d" * 40, "etag", True)}, bytearray(b"\1"), 1)

    scan = result_of(fork_walk(pid))
    assert scan is not None
    assert scan.changed["pid"].size != os.getpid()
    assert scan.changed["pid"] == Stat(scan.changed["pid"].size, 0, "d" * 40, "etag", True)
    assert scan.seen == bytearray(b"\1")


def test_a_user_error_in_the_child_is_raised_here_with_its_class_and_message() -> None:
    def unreadable() -> Scan:
        raise ReadError("cannot read the folder 'x' in '/r': Permission denied.")

    with pytest.raises(ReadError) as raised:
        result_of(fork_walk(unreadable))
    assert str(raised.value) == "cannot read the folder 'x' in '/r': Permission denied."


def a_bug() -> Scan:
    raise ZeroDivisionError("a bug")


def an_error_made_of_other_arguments() -> Scan:
    raise InvalidPathError("/x", "absolute")


def no_answer() -> Scan:
    os._exit(0)


def exit_code() -> Scan:
    os._exit(3)


def a_path_holding_a_nul() -> Scan:
    return Scan({"a\0b": Stat(1, 2, None, None, False)}, bytearray(), 1)


@pytest.mark.parametrize(
    "walk",
    [a_bug, an_error_made_of_other_arguments, die, no_answer, exit_code, a_path_holding_a_nul],
)
def test_a_child_that_gives_no_whole_answer_leaves_the_walk_to_the_parent(
    walk: Callable[[], Scan],
) -> None:
    assert result_of(fork_walk(walk)) is None


def column(*values: int) -> bytes:
    return array("q", values).tobytes()


def test_an_answer_is_columns_and_a_short_or_garbled_one_is_no_answer() -> None:
    whole = encode(
        ("scan", "a.txt\0b c", column(1, 2), column(3, -4), b"\0\1", {1: ("d", None)}, b"\1", 2)
    )
    assert decode(whole) == Scan(
        {"a.txt": Stat(1, 3), "b c": Stat(2, -4, "d", None, True)}, bytearray(b"\1"), 2
    )
    for cut in (0, 1, 8, len(whole) // 2, len(whole) - 1):
        assert decode(whole[:cut]) is None
    assert decode(whole + b"\0") is None
    assert decode(encode(("scan", "", b"", b"", b"", {}, b"\1\3", 2))) == Scan(
        {}, bytearray(b"\1\3"), 2
    )

    def framed(data: bytes) -> bytes:
        return len(data).to_bytes(8, "little") + data

    one, no = column(1), dict[int, object]()
    for garbled in (
        ("scan", "a", one, one, b"", no, b"", 1),  # a column too short
        ("scan", "a", column(1, 2), one, b"\0", no, b"", 1),  # a column too long
        ("scan", "a\0a", column(1, 2), column(1, 2), b"\0\0", no, b"", 2),  # a path twice
        ("scan", "a", one, one, b"\0", {1: ("d", None)}, b"", 1),  # no such row
        ("scan", "a", one, one, b"\0", {0: (1, None)}, b"", 1),  # not a digest
        ("scan", "a", one, one, b"\0", no, "not bytes", 1),
        ("scan", "a", one, one, b"\0", no, b""),
        ("error", "builtins", "ValueError", "a bug"),  # not a UserError
        ("error", "no.such.module", "ReadError", "x"),
        ("something else",),
    ):
        assert decode(framed(marshal.dumps(garbled))) is None, garbled
    with pytest.raises(ReadError, match=r"^gone$"):
        decode(framed(marshal.dumps(("error", "templsync.errors", "ReadError", "gone"))))


def test_leaving_early_kills_and_reaps_the_child() -> None:
    def forever() -> Scan:
        time.sleep(60)
        raise AssertionError("not killed")

    apart = fork_walk(forever)
    assert apart is not None
    pid = apart.pid
    assert pid is not None
    started = time.monotonic()
    with pytest.raises(KeyError), apart:
        raise KeyError("the parent's own walk failed")
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


@pytest.mark.parametrize(
    ("platform", "threads", "cores", "has_fork", "safe"),
    [
        ("linux", 1, 2, True, True),
        ("linux", 1, 64, True, True),
        ("darwin", 1, 2, True, False),
        ("win32", 1, 2, False, False),
        ("linux", 2, 2, True, False),
        ("linux", 1, 1, True, False),
        ("linux", 1, 2, False, False),
    ],
)
def test_a_child_is_forked_only_where_that_is_safe_and_of_use(
    platform: str, threads: int, cores: int, has_fork: bool, safe: bool
) -> None:
    assert can_fork(platform, threads, cores, has_fork=has_fork) is safe


THREAD_THEN_FORK = """
import threading
from templsync.storage.apart import can_fork, in_child
from templsync.storage.changes import Scan
alone = can_fork(cores=2)
stop = threading.Event()
thread = threading.Thread(target=stop.wait)
thread.start()
print(alone, can_fork(cores=2), in_child(lambda: Scan({}, bytearray(), 0)) is None)
stop.set()
"""


@pytest.mark.skipif(not can_fork(threads=1, cores=2), reason="no walker is forked here")
def test_no_child_while_another_thread_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-c", THREAD_THEN_FORK], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True", "False", "True"]


def test_the_child_runs_no_atexit_handler_and_flushes_no_stdio(tmp_path: Path) -> None:
    script = """
import atexit, sys
from templsync.storage.apart import fork_walk
from templsync.storage.changes import Scan
atexit.register(lambda: print("atexit", flush=True))
sys.stdout.write("buffered\\n")
apart = fork_walk(lambda: Scan({}, bytearray(b"\\1"), 1))
with apart:
    assert apart.result() == Scan({}, bytearray(b"\\1"), 1)
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert out.stdout == "buffered\natexit\n"


def synced_pair(root: Path) -> tuple[Path, Path, SyncStrategy]:
    local = build_tree(root / "local", {"a.txt": "a", "sub/b.txt": "b", "c.txt": "c"})
    remote = build_tree(root / "remote", {"r.txt": "r"})
    strategy = SyncStrategy(state_dir=root / "state")
    sync_paths(local, remote, strategy, walk_apart=one_after_other)
    return local, remote, strategy


def test_a_sync_walking_apart_does_what_one_walking_in_turn_does(tmp_path: Path) -> None:
    outcomes = []
    for name, walk_apart in (("apart", fork_walk), ("in turn", one_after_other)):
        local, remote, strategy = synced_pair(tmp_path / name)
        (local / "a.txt").write_text("local edit")
        (remote / "c.txt").unlink()
        build_tree(remote, {"new/ü n.txt": "new"})
        result = sync_paths(local, remote, strategy, walk_apart=walk_apart)
        outcomes.append((result, files(local), files(remote)))
    assert outcomes[0] == outcomes[1]
    result, local_files, _ = outcomes[0]
    assert result.pushed == ("a.txt",) and result.deleted_local == ("c.txt",)
    assert local_files == {
        "a.txt": b"local edit",
        "sub/b.txt": b"b",
        "r.txt": b"r",
        "new/ü n.txt": b"new",
    }


def test_a_sync_whose_child_dies_walks_the_remote_itself(tmp_path: Path) -> None:
    local, remote, strategy = synced_pair(tmp_path)
    (local / "a.txt").write_text("local edit")
    asked: list[Callable[[], Scan]] = []

    def dying(walk: Callable[[], Scan]) -> Apart | None:
        asked.append(walk)
        return fork_walk(die)

    result = sync_paths(local, remote, strategy, walk_apart=dying)
    assert len(asked) == 1
    assert result.pushed == ("a.txt",)
    assert not result.deleted_local and not result.deleted_remote and not result.pulled
    assert (
        files(remote)
        == files(local)
        == {
            "a.txt": b"local edit",
            "sub/b.txt": b"b",
            "c.txt": b"c",
            "r.txt": b"r",
        }
    )


@pytest.mark.parametrize("side", ["local", "remote"])
def test_an_unreadable_folder_gives_the_message_a_walk_in_turn_gives(
    public_dir: Path, side: str
) -> None:
    local = build_tree(public_dir / "local", {"a.txt": "a"})
    remote = build_tree(public_dir / "remote", {"r.txt": "r"})
    build_tree(public_dir / side, {"locked/b.txt": "b"})
    state = public_dir / "state"
    state.mkdir()
    for path in (local, remote, state):
        path.chmod(0o777)
    (local / "a.txt").chmod(0o644)
    (remote / "r.txt").chmod(0o644)
    (public_dir / side / "locked").chmod(0o000)

    def run(walk_apart: WalkApart) -> str:
        return call_unprivileged(
            lambda: sync_paths(local, remote, SyncStrategy(state_dir=state), walk_apart=walk_apart)
        )

    apart, in_turn = run(fork_walk), run(one_after_other)
    (public_dir / side / "locked").chmod(0o755)
    assert apart == in_turn
    assert apart == (
        f"ReadError: cannot read the folder 'locked/' in '{public_dir / side}': Permission denied."
    )
    locked = {"locked/b.txt": b"b"}
    assert files(local) == {"a.txt": b"a", **(locked if side == "local" else {})}
    assert files(remote) == {"r.txt": b"r", **(locked if side == "remote" else {})}


def test_only_the_parent_reports_progress(tmp_path: Path) -> None:
    local = build_tree(tmp_path / "local", {f"l{i}": "" for i in range(5000)})
    remote = build_tree(tmp_path / "remote", {f"r{i}": "" for i in range(5000)})
    reports = tmp_path / "reports"

    def progress(stage: str, done: int, total: int) -> None:
        with reports.open("a") as out:
            out.write(f"{os.getpid()} {stage}\n")

    sync_paths(
        local,
        remote,
        SyncStrategy(state_dir=tmp_path / "state", dry_run=True),
        progress=progress,
        walk_apart=fork_walk,
    )
    lines = reports.read_text().splitlines()
    assert lines
    assert {line.split()[0] for line in lines} == {str(os.getpid())}


CLI_COUNTING_FORKS = """
import json, os, sys
from templsync.cli.main import main
forks = []
os.register_at_fork(after_in_parent=lambda: forks.append(os.getpid()))
code = main(sys.argv[1:])
print(json.dumps({"code": code, "forks": len(forks)}), file=sys.stderr)
"""


def cli_in_a_process_of_its_own(*args: str | Path) -> tuple[dict[str, object], int]:
    """``templsync ARGS --json`` in a fresh process (one thread: its sync may fork a walker):
    the JSON it prints, and how many times it forked."""
    done = subprocess.run(
        [sys.executable, "-c", CLI_COUNTING_FORKS, *map(str, args), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    ended = json.loads(done.stderr.splitlines()[-1])
    assert ended["code"] == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result, ended["forks"]


@pytest.mark.skipif(not can_fork(threads=1), reason="no walker is forked here")
def test_the_cli_walks_a_folder_remote_in_a_child_and_syncs_as_before(tmp_path: Path) -> None:
    local = build_tree(tmp_path / "local", {"a.txt": "a", "d/b.txt": "b", "gone.txt": "g"})
    remote = build_tree(tmp_path / "remote", {"r é.txt": "r", "skip.log": "ignored"})
    pair = (local, remote, "--state-dir", tmp_path / "state", "--exclude", "*.log")
    first, forks = cli_in_a_process_of_its_own("sync", *pair)
    assert forks == 1
    assert first["pushed"] == ["a.txt", "d/b.txt", "gone.txt"]
    assert first["pulled"] == ["r é.txt"]
    (local / "a.txt").write_text("local edit")
    (remote / "gone.txt").unlink()
    build_tree(remote, {"d/new one.txt": "n"})
    second, forks = cli_in_a_process_of_its_own("sync", *pair)
    assert forks == 1
    assert second["pushed"] == ["a.txt"]
    assert second["pulled"] == ["d/new one.txt"]
    assert second["deleted_local"] == ["gone.txt"]
    assert files(local) == {
        "a.txt": b"local edit",
        "d/b.txt": b"b",
        "d/new one.txt": b"n",
        "r é.txt": b"r",
    }
    assert files(remote) == {**files(local), "skip.log": b"ignored"}
