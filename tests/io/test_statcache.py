from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from templsync._core.ignore import IgnoreRules
from templsync._core.tree import blob_digest
from templsync._io import StatCache, default_cache_path, read_tree
from templsync._io.statcache import RACY_WINDOW_NS
from templsync.errors import ChangedDuringRunError
from testing.trees import build_tree

AN_HOUR_NS = 3600 * 10**9


def age(path: Path, ns: int = AN_HOUR_NS) -> int:
    """Set ``path``'s mtime to ``ns`` in the past (out of the racy window); return that mtime."""
    mtime = time.time_ns() - ns
    os.utime(path, ns=(mtime, mtime))
    return mtime


def rewrite_in_place(path: Path, data: bytes, mtime: int) -> None:
    """Change the content without changing size, inode or mtime: only a re-read could notice."""
    assert len(data) == path.stat().st_size
    with path.open("r+b") as f:
        f.write(data)
    os.utime(path, ns=(mtime, mtime))


def test_a_cached_read_does_not_read_unchanged_files_again(workdir: Path) -> None:
    build_tree(workdir, {"a": "old!", "b": "bbbb"})
    mtime = age(workdir / "a")
    age(workdir / "b")
    cache = StatCache()
    first = read_tree(workdir, cache=cache)
    assert len(cache) == 2

    rewrite_in_place(workdir / "a", b"new!", mtime)
    again = read_tree(workdir, cache=cache)

    # The stat signature did not change, so the digest came from the cache, not from the file ...
    assert again["a"].digest == first["a"].digest == blob_digest(b"old!")
    assert read_tree(workdir)["a"].digest == blob_digest(b"new!")
    # ... and the lazy loader notices the content it finds is not the one the tree describes.
    with pytest.raises(ChangedDuringRunError):
        again["a"].content()


def test_a_racy_fresh_file_is_hashed_again(workdir: Path) -> None:
    build_tree(workdir, {"fresh": "old!"})
    cache = StatCache()
    read_tree(workdir, cache=cache)
    assert "fresh" not in cache  # mtime within the racy window: not trusted, not stored

    mtime = (workdir / "fresh").stat().st_mtime_ns
    rewrite_in_place(workdir / "fresh", b"new!", mtime)

    assert read_tree(workdir, cache=cache)["fresh"].digest == blob_digest(b"new!")


def test_the_racy_window_is_about_two_seconds(workdir: Path) -> None:
    build_tree(workdir, {"just-inside": "x", "just-outside": "y"})
    age(workdir / "just-inside", RACY_WINDOW_NS - 10**9)
    age(workdir / "just-outside", RACY_WINDOW_NS + 10**9)
    cache = StatCache()

    read_tree(workdir, cache=cache)

    assert "just-outside" in cache
    assert "just-inside" not in cache


def test_any_stat_change_makes_a_file_hashed_again(workdir: Path) -> None:
    build_tree(workdir, {"size": "1234", "mtime": "abcd", "mode": "wxyz", "inode": "same"})
    for name in ("size", "mtime", "mode", "inode"):
        age(workdir / name)
    cache = StatCache()
    read_tree(workdir, cache=cache)

    (workdir / "size").write_text("12345")
    age(workdir / "size")
    rewrite_in_place(workdir / "mtime", b"ABCD", time.time_ns() - 2 * AN_HOUR_NS)
    mtime = (workdir / "mode").stat().st_mtime_ns
    rewrite_in_place(workdir / "mode", b"WXYZ", mtime)
    (workdir / "mode").chmod(0o755)
    mtime = (workdir / "inode").stat().st_mtime_ns
    # An editor's save: a new file renamed over the old one. The old inode stays linked elsewhere
    # so the file system cannot hand its number to the new file.
    (workdir / "inode").rename(workdir / "kept")
    (workdir / "new").write_text("SAME")
    os.utime(workdir / "new", ns=(mtime, mtime))
    (workdir / "new").rename(workdir / "inode")

    tree = read_tree(workdir, cache=cache)

    assert tree == read_tree(workdir)
    assert tree["mtime"].digest == blob_digest(b"ABCD")
    assert tree["inode"].digest == blob_digest(b"SAME")


def test_the_cache_forgets_files_that_are_gone_or_ignored(workdir: Path) -> None:
    build_tree(workdir, {"a": "a", "b": "b", "c.log": "c"})
    for name in ("a", "b", "c.log"):
        age(workdir / name)
    cache = StatCache()
    read_tree(workdir, cache=cache)
    assert len(cache) == 3

    (workdir / "b").unlink()
    read_tree(workdir, IgnoreRules.of(["*.log"]), cache=cache)

    assert "a" in cache
    assert "b" not in cache
    assert "c.log" not in cache


def test_the_cache_round_trips_through_a_file(workdir: Path) -> None:
    root = build_tree(workdir / "root", {"a": "old!", "dir/b": "bbb"})
    mtime = age(root / "a")
    age(root / "dir" / "b")
    cache = StatCache()
    read_tree(root, cache=cache)
    assert cache.dirty
    path = workdir / "cache" / "statcache.json"
    cache.save(path)
    assert not cache.dirty

    loaded = StatCache.load(path)
    rewrite_in_place(root / "a", b"new!", mtime)

    assert len(loaded) == 2
    assert read_tree(root, cache=loaded)["a"].digest == blob_digest(b"old!")
    assert not loaded.dirty  # nothing new learned: no need to save again
    assert sorted(p.name for p in path.parent.iterdir()) == ["statcache.json"]  # no temp left


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"[]",
        b'{"version": 1}',
        b'{"version": 99, "paths": [], "ints": [], "digests": ""}',
        b'{"version": 1, "paths": ["a"], "ints": [1, 2, 3], "digests": ["' + b"0" * 40 + b'"]}',
        b'{"version": 1, "paths": ["a"], "ints": [1, 2, 3, 4], "digests": ["' + b"z" * 40 + b'"]}',
        b'{"version": 1, "paths": ["a"], "ints": [1, 2, 3, 4], "digests": ["' + b"0" * 39 + b'"]}',
        b'{"version": 1, "paths": ["a"], "ints": [1, 2, 3, 4], "digests": [12]}',
        b'{"version": 1, "paths": ["a"], "ints": [1, 2, 3, 4], "digests": "' + b"0" * 40 + b'"}',
        b'{"version": 1, "paths": [["a"]], "ints": [1, 2, 3, 4], "digests": ["'
        + b"0" * 40
        + b'"]}',
        b"[" * 100_000,  # nested too deeply to parse
    ],
)
def test_a_damaged_cache_file_is_an_empty_cache(workdir: Path, content: bytes) -> None:
    path = workdir / "cache.json"
    path.write_bytes(content)

    assert len(StatCache.load(path)) == 0


def test_a_missing_cache_file_is_an_empty_cache(workdir: Path) -> None:
    assert len(StatCache.load(workdir / "missing.json")) == 0


def test_default_cache_path_is_under_the_cache_dir(workdir: Path) -> None:
    root = workdir / "project"
    root.mkdir()
    (workdir / "alias").symlink_to("project")

    path = default_cache_path(root)

    assert path.parent == Path(os.environ["TEMPLSYNC_CACHE_DIR"]) / "statcache"
    assert path.suffix == ".json"
    assert default_cache_path(workdir / "alias") == path  # the resolved root names the file
    assert default_cache_path(workdir) != path


def test_a_cache_walked_for_another_root_is_still_correct(workdir: Path) -> None:
    one = build_tree(workdir / "one", {"a": "one"})
    two = build_tree(workdir / "two", {"a": "two"})
    age(one / "a")
    age(two / "a")
    cache = StatCache()

    read_tree(one, cache=cache)
    tree = read_tree(two, cache=cache)

    assert tree["a"].content() == b"two"
