"""The state file's format: a small JSON header, then the records column by column, then a
checksum. 100,000 paths load in about 35 ms (docs/storage-sync.md, "The state").

Layout (integers little-endian)::

    b"TSYNCST" + version byte (2)
    u32 header length, then the header: JSON {"local": LOCAL as given, "remote": REMOTE as
        given, "count": number of paths, "paths_bytes": length of the paths block,
        "with_etags": whether there is an etags block, "etags_bytes": its length,
        "texts": [digest, ...]}
    paths          the paths, NUL-separated UTF-8 (surrogates passed through)
    sizes          count int64
    local_mtimes   count int64 (-1: racy, hash it next time)
    remote_mtimes  count int64
    digests        count x 20 bytes (git blob ids)
    etags          NUL-separated UTF-8, an empty one for none (only when the header says so)
    u32 CRC-32 of everything before it

``texts`` lists the digests whose content is kept beside the file (``<name>.texts/<digest>``)
as the base of ``--merge-text``. Version 1 (columnar JSON) is still read. :func:`decode`
refuses anything malformed with ``ValueError`` (or a subclass): a damaged state is never
half-used.
"""

from __future__ import annotations

import json
import re
import sys
from array import array
from binascii import crc32
from collections.abc import Collection
from typing import cast

from templsync.storage.records import DIGEST_BYTES, Records, ints

MAGIC = b"TSYNCST"
VERSION = 2

_BAD_PATH = re.compile(r"\A\Z|\A/|//|/\Z|\x00|(?:\A|/)\.{1,2}(?:/|\Z)")


def join_paths(paths: Collection[str]) -> str:
    """``paths`` joined by NUL, as a state file and a forked walker's answer carry them.
    Raises ``ValueError`` for a path holding a NUL (never from a listing: it would split)."""
    joined = "\0".join(paths)
    if joined.count("\0") != max(len(paths) - 1, 0):
        raise ValueError("a path holds a NUL character")
    return joined


def encode(records: Records, texts: list[str], *, local: str, remote: str) -> bytes:
    paths = join_paths(records.paths).encode("utf-8", "surrogatepass")
    etags = b""
    if records.etags is not None:
        etags = "\0".join(e or "" for e in records.etags).encode("utf-8", "surrogatepass")
    header = json.dumps(
        {
            "local": local,
            "remote": remote,
            "count": len(records),
            "paths_bytes": len(paths),
            "with_etags": records.etags is not None,
            "etags_bytes": len(etags),
            "texts": sorted(texts),
        },
        ensure_ascii=True,
    ).encode()
    parts = [
        MAGIC,
        bytes([VERSION]),
        len(header).to_bytes(4, "little"),
        header,
        paths,
        _column(records.sizes),
        _column(records.local_mtimes),
        _column(records.remote_mtimes),
        records.digests,
        etags,
    ]
    checksum = 0
    for part in parts:  # part by part: the state is joined once, checksum included
        checksum = crc32(part, checksum)
    return b"".join([*parts, checksum.to_bytes(4, "little")])


def decode(data: bytes) -> tuple[Records, list[str]]:
    """The records and the kept text digests of a state file."""
    if data[:1] == b"{":
        return _decode_v1(data)
    if data[: len(MAGIC)] != MAGIC or len(data) < len(MAGIC) + 9:
        raise ValueError("not a sync state")
    if data[len(MAGIC)] != VERSION:
        raise ValueError(f"unknown state version {data[len(MAGIC)]}")
    body, checksum = data[:-4], int.from_bytes(data[-4:], "little")
    if crc32(body) != checksum:
        raise ValueError("the state's checksum does not match its content")
    at = len(MAGIC) + 1
    size = int.from_bytes(body[at : at + 4], "little")
    header = json.loads(body[at + 4 : at + 4 + size])
    at += 4 + size
    count, paths_size, etags_size = header["count"], header["paths_bytes"], header["etags_bytes"]
    if not all(type(n) is int and n >= 0 for n in (count, paths_size, etags_size)):
        raise ValueError("bad sizes in the state's header")
    columns = 8 * count
    blocks = [paths_size, columns, columns, columns, DIGEST_BYTES * count, etags_size]
    if at + sum(blocks) != len(body):
        raise ValueError("the state's blocks do not add up to its length")
    parts = []
    for length in blocks:
        parts.append(body[at : at + length])
        at += length
    raw_paths, sizes, local_mtimes, remote_mtimes, digests, raw_etags = parts
    text = raw_paths.decode("utf-8", "surrogatepass")
    if count and not _normalized(text):
        raise ValueError("a path in the state is not a normalized relative path")
    paths = _split(text, count)
    etags: list[str | None] | None = None
    if header.get("with_etags"):
        etags = [e or None for e in _split(raw_etags.decode("utf-8", "surrogatepass"), count)]
    texts = _texts(header["texts"])
    return (
        Records(
            paths,
            _ints_of(sizes),
            digests,
            _ints_of(local_mtimes),
            _ints_of(remote_mtimes),
            etags=etags,
        ),
        texts,
    )


def _normalized(paths: str) -> bool:
    """Whether every one of the NUL-separated ``paths`` is relative and normalized: no empty,
    ``.`` or ``..`` part, no leading, doubled or trailing slash. Three substring scans of the
    whole block (a regex takes ten times as long: loading is a cost of every run)."""
    joined = "/" + paths.replace("\0", "/") + "/"
    return "//" not in joined and "/./" not in joined and "/../" not in joined


def _column(values: array[int]) -> bytes:
    if sys.byteorder == "little":
        return values.tobytes()
    swapped = array("q", values)
    swapped.byteswap()
    return swapped.tobytes()


def _ints_of(data: bytes) -> array[int]:
    values = ints()
    values.frombytes(data)
    if sys.byteorder != "little":
        values.byteswap()
    return values


def _split(text: str, count: int) -> list[str]:
    parts = text.split("\0") if count else []
    if len(parts) != count:
        raise ValueError("the state's paths and columns differ in length")
    return parts


def _texts(texts: object) -> list[str]:
    if not isinstance(texts, list):
        raise ValueError("bad text digests")
    _check_digests(texts)
    return cast("list[str]", texts)


def _decode_v1(data: bytes) -> tuple[Records, list[str]]:
    """Version 1: one JSON document, one list per column."""
    raw = json.loads(data.decode("utf-8", "surrogatepass"))
    if raw["version"] != 1:
        raise ValueError(f"unknown state version {raw['version']!r}")
    columns = [
        raw[k] for k in ("paths", "sizes", "digests", "local_mtimes", "remote_mtimes", "etags")
    ]
    if len({len(c) for c in columns}) != 1 or not all(isinstance(c, list) for c in columns):
        raise ValueError("the state's columns differ in length")
    paths, sizes, digests, local_mtimes, remote_mtimes, etags = columns
    if not all(isinstance(p, str) and not _BAD_PATH.search(p) for p in paths):
        raise ValueError("a path in the state is not a normalized relative path")
    if not all(type(n) is int for n in (*sizes, *local_mtimes, *remote_mtimes)):
        raise ValueError("a size or mtime in the state is not a number")
    _check_digests(digests)
    if not all(e is None or isinstance(e, str) for e in etags):
        raise ValueError("an etag in the state is not text")
    records = Records(
        paths,
        ints(sizes),
        bytes.fromhex("".join(digests)),
        ints(local_mtimes),
        ints(remote_mtimes),
        etags=etags if any(e is not None for e in etags) else None,
    )
    return records, _texts(raw["texts"])


def _check_digests(digests: list[object]) -> None:
    if not all(isinstance(d, str) for d in digests):
        raise ValueError("a digest in the state is not text")
    text = cast("list[str]", digests)
    if text and (set(map(len, text)) != {40} or not "".join(text).isalnum()):
        raise ValueError("a digest in the state is not 40 hex digits")
    bytes.fromhex("".join(text))
