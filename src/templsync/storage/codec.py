"""The state file's format: JSON, one column per field, so 100,000 paths load in one pass.

::

    {"version": 1, "local": "<LOCAL as given>", "remote": "<REMOTE as given>",
     "paths": [...], "sizes": [...], "digests": [...],
     "local_mtimes": [...], "remote_mtimes": [...], "etags": [... or null],
     "texts": [digest, ...]}

``digests`` are git blob ids; mtimes are nanoseconds (``-1``: racy, hash it next time);
``texts`` lists the digests whose content is kept beside the file (``<name>.texts/<digest>``)
as the base of ``--merge-text``. :func:`decode` refuses anything malformed with ``ValueError``
(or a subclass): a damaged state is never half-used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import cast

from templsync.storage.model import Record

# Empty, absolute, "." or ".." parts, a doubled or trailing slash, a NUL.
_BAD_PATH = re.compile(r"\A\Z|\A/|//|/\Z|\x00|(?:\A|/)\.{1,2}(?:/|\Z)")

VERSION = 1


def encode(records: Mapping[str, Record], texts: list[str], *, local: str, remote: str) -> bytes:
    paths = sorted(records)
    rows = [records[p] for p in paths]
    return json.dumps(
        {
            "version": VERSION,
            "local": local,
            "remote": remote,
            "paths": paths,
            "sizes": [r.size for r in rows],
            "digests": [r.digest for r in rows],
            "local_mtimes": [r.local_mtime_ns for r in rows],
            "remote_mtimes": [r.remote_mtime_ns for r in rows],
            "etags": [r.etag for r in rows],
            "texts": sorted(texts),
        },
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8", "surrogatepass")


def decode(data: bytes) -> tuple[dict[str, Record], list[str]]:
    """The records and the kept text digests of a state file."""
    raw = json.loads(data.decode("utf-8", "surrogatepass"))
    if raw["version"] != VERSION:
        raise ValueError(f"unknown state version {raw['version']!r}")
    columns = [
        raw[k] for k in ("paths", "sizes", "digests", "local_mtimes", "remote_mtimes", "etags")
    ]
    if len({len(c) for c in columns}) != 1 or not all(isinstance(c, list) for c in columns):
        raise ValueError("the state's columns differ in length")
    paths, sizes, digests, local_mtimes, remote_mtimes, etags = columns
    # Checked column by column, in C where possible: loading is a fixed cost of every run.
    if not all(isinstance(p, str) and not _BAD_PATH.search(p) for p in paths):
        raise ValueError("a path in the state is not a normalized relative path")
    ints = (*sizes, *local_mtimes, *remote_mtimes)
    if not all(type(n) is int for n in ints):
        raise ValueError("a size or mtime in the state is not a number")
    _check_digests(digests)
    if not all(e is None or isinstance(e, str) for e in etags):
        raise ValueError("an etag in the state is not text")
    records = dict(
        zip(paths, map(Record, sizes, digests, local_mtimes, remote_mtimes, etags), strict=True)
    )
    texts = raw["texts"]
    if not isinstance(texts, list):
        raise ValueError("bad text digests")
    _check_digests(texts)
    return records, texts


def _check_digests(digests: list[object]) -> None:
    if not all(isinstance(d, str) for d in digests):
        raise ValueError("a digest in the state is not text")
    text = cast("list[str]", digests)
    if text and (set(map(len, text)) != {40} or not "".join(text).isalnum()):
        raise ValueError("a digest in the state is not 40 hex digits")
    bytes.fromhex("".join(text))
