"""The state file: round trip, damage refused, racy mtimes, kept texts pruned."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from templsync._core.tree import blob_digest
from templsync.storage import codec
from templsync.storage.model import RACY, Record
from templsync.storage.records import Landed, Records, ints
from templsync.storage.state import StateError, StateFile

R = Record(3, blob_digest(b"abc"), 10, 20, "etag")


def test_a_state_round_trips_with_odd_names(tmp_path: Path) -> None:
    names = ["a b.txt", "caf\u00e9/x", "cafe\u0301/x", "tab\there", "A", "a"]
    state = StateFile(tmp_path, "/l", "s3://b/p")
    state.save(dict.fromkeys(names, R), {R.digest: b"abc", "0" * 40: b"unused"})
    loaded = state.load()
    assert loaded.records == dict.fromkeys(names, R)
    assert loaded.texts == {R.digest: b"abc"}
    assert [p.name for p in state.texts_dir.iterdir()] == [R.digest]


BAD_PATHS = ["", "/abs", "a//b", "a/", "../x", "a/./b", "a/../b", "..", "x/.."]


@pytest.mark.parametrize("path", BAD_PATHS)
def test_a_bad_path_in_the_state_is_refused(path: str) -> None:
    records = Records([path, "ok"], ints([1, 2]), bytes(40), ints([1, 2]), ints([1, 2]))
    data = codec.encode(records, [], local="l", remote="r")
    with pytest.raises(ValueError, match="normalized"):
        codec.decode(data)


def test_a_path_with_a_nul_is_never_written() -> None:
    with pytest.raises(ValueError, match="NUL"):
        codec.encode(Records.of({"a\0b": R}), [], local="l", remote="r")


@pytest.mark.parametrize("path", [*BAD_PATHS, "nul\0"])
def test_a_bad_path_in_a_version_1_state_is_refused(path: str) -> None:
    with pytest.raises(ValueError):
        codec.decode(_version_1({path: R}))


def test_a_version_1_state_is_read_then_replaced(tmp_path: Path) -> None:
    state = StateFile(tmp_path, "/l", "s3://b/p")
    state.legacy_path.write_bytes(_version_1({"a": R, "b/c": Record(1, R.digest, 5, 6)}))
    loaded = state.load()
    assert dict(loaded.records) == {"a": R, "b/c": Record(1, R.digest, 5, 6)}
    state.save(loaded.records, {})
    assert not state.legacy_path.exists()
    assert dict(state.load().records) == {"a": R, "b/c": Record(1, R.digest, 5, 6)}


@pytest.mark.parametrize("at", [0, 7, 12, 40, -30, -1])
def test_a_flipped_byte_anywhere_is_refused(at: int) -> None:
    data = bytearray(codec.encode(Records.of({"a": R, "b": R}), [R.digest], local="l", remote="r"))
    data[at] ^= 0x20
    with pytest.raises(ValueError):
        codec.decode(bytes(data))


def test_a_truncated_state_is_refused() -> None:
    data = codec.encode(Records.of({"a": R, "b": R}), [], local="l", remote="r")
    for end in (0, 5, 12, len(data) // 2, len(data) - 1):
        with pytest.raises(ValueError):
            codec.decode(data[:end])


def test_a_damaged_state_says_what_to_do(tmp_path: Path) -> None:
    state = StateFile(tmp_path, "l", "r")
    state.path.write_bytes(b'{"version": 1, "paths": ["a"], "sizes": []}')
    with pytest.raises(StateError, match="--resync"):
        state.load()


def test_only_landed_paths_change_the_records() -> None:
    other = Record(1, blob_digest(b"x"), 1, 1)
    landed = Landed()
    landed.add("a", None)
    landed.add("c", other)
    landed.add("d", other)
    landed.add("d", None)
    after = Records.of({"a": R, "b": R, "e": R}).after(landed)
    assert dict(after) == {"b": R, "e": R, "c": other}
    assert list(after) == ["c", "b", "e"]  # the last row took the place of "a"


@pytest.mark.parametrize("seed", range(20))
def test_records_after_many_landings_match_a_plain_mapping(seed: int) -> None:
    """Rows dropped and moved into their place, rows added and replaced: the records read as
    the mapping a plain dict of the same landings gives, row by row and through the state."""
    rng = random.Random(seed)
    names = [f"d{i % 7}/f{i}" for i in range(60)]

    def record() -> Record:
        etag = rng.choice([None, f"e{rng.randrange(9)}"])
        digest = blob_digest(str(rng.random()).encode())
        return Record(rng.randrange(99), digest, rng.randrange(9), rng.randrange(9), etag)

    model = {name: record() for name in rng.sample(names, rng.randrange(len(names)))}
    records = Records.of(model)
    for _ in range(3):
        landed = Landed()
        for name in rng.choices(names, k=rng.randrange(40)):
            new = record() if rng.random() < 0.6 else None
            landed.add(name, new)
            if new is None:
                model.pop(name, None)
            else:
                model[name] = new
        records = records.after(landed)
        assert dict(records) == model
        assert all(records.paths[records.index[p]] == p for p in model)
        assert len(records.index) == len(records.paths) == len(records)
        assert dict(codec.decode(codec.encode(records, [], local="l", remote="r"))[0]) == model


def test_a_path_landed_gone_then_back_is_kept() -> None:
    other = Record(1, blob_digest(b"x"), 1, 1)
    landed = Landed()
    landed.add("a", None)
    landed.add("a", other)
    assert dict(Records.of({"a": R}).after(landed)) == {"a": other}


def test_landed_mtimes_close_to_the_listing_are_saved_racy() -> None:
    landed = Landed()
    landed.add("new", Record(1, R.digest, 10, 20))
    after = Records.of({"old": Record(1, R.digest, 10, 20)}).after(landed, 11, (5, 0))
    assert after["new"] == Record(1, R.digest, RACY, 20)
    assert after["old"] == Record(1, R.digest, 10, 20)


def test_records_without_etags_store_none_and_gain_them_when_one_lands() -> None:
    plain = Record(1, R.digest, 1, 1)
    records = Records.of({"a": plain})
    assert records.etags is None
    landed = Landed()
    landed.add("b", R)
    after = records.after(landed)
    assert after.etags == [None, "etag"]
    assert dict(codec.decode(codec.encode(after, [], local="l", remote="r"))[0]) == {
        "a": plain,
        "b": R,
    }


def _version_1(records: dict[str, Record]) -> bytes:
    rows = list(records.values())
    return json.dumps(
        {
            "version": 1,
            "local": "l",
            "remote": "r",
            "paths": list(records),
            "sizes": [r.size for r in rows],
            "digests": [r.digest for r in rows],
            "local_mtimes": [r.local_mtime_ns for r in rows],
            "remote_mtimes": [r.remote_mtime_ns for r in rows],
            "etags": [r.etag for r in rows],
            "texts": [],
        }
    ).encode()
