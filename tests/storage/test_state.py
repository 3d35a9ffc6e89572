"""The state file: round trip, damage refused, racy mtimes, kept texts pruned."""

from __future__ import annotations

from pathlib import Path

import pytest

from templsync._core.tree import blob_digest
from templsync.storage import codec
from templsync.storage.model import RACY, Record
from templsync.storage.state import StateError, StateFile, records_after, unracy

R = Record(3, blob_digest(b"abc"), 10, 20, "etag")


def test_a_state_round_trips_with_odd_names(tmp_path: Path) -> None:
    names = ["a b.txt", "caf\u00e9/x", "cafe\u0301/x", "tab\there", "A", "a"]
    state = StateFile(tmp_path, "/l", "s3://b/p")
    state.save(dict.fromkeys(names, R), {R.digest: b"abc", "0" * 40: b"unused"})
    loaded = state.load()
    assert loaded.records == dict.fromkeys(names, R)
    assert loaded.texts == {R.digest: b"abc"}
    assert [p.name for p in state.texts_dir.iterdir()] == [R.digest]


@pytest.mark.parametrize("path", ["", "/abs", "a//b", "a/", "../x", "a/./b", "a/../b", "nul\0"])
def test_a_bad_path_in_the_state_is_refused(path: str) -> None:
    data = codec.encode({"ok": R}, [], local="l", remote="r").replace(
        b'"ok"', repr(path).replace("'", '"').encode()
    )
    with pytest.raises(ValueError):
        codec.decode(data)


def test_a_damaged_state_says_what_to_do(tmp_path: Path) -> None:
    state = StateFile(tmp_path, "l", "r")
    state.path.write_bytes(b'{"version": 1, "paths": ["a"], "sizes": []}')
    with pytest.raises(StateError, match="--resync"):
        state.load()


def test_only_landed_paths_change_the_records() -> None:
    other = Record(1, blob_digest(b"x"), 1, 1)
    assert records_after({"a": R, "b": R}, {"a": None, "c": other}) == {"b": R, "c": other}


def test_a_record_listed_too_close_to_its_mtime_is_racy() -> None:
    assert unracy(R, listed_at_ns=11, window_ns=(5, 0)).local_mtime_ns == RACY
    assert unracy(R, listed_at_ns=11, window_ns=(5, 0)).remote_mtime_ns == 20
    assert unracy(R, listed_at_ns=100, window_ns=(5, 5)) is R
