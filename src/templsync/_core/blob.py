"""Git's blob id: the digest every tree, state and store of templsync gives a file's content.

The id is the SHA-1 of ``b"blob <size>\\0" + content``, as ``git hash-object`` computes it, so
digests agree with git's own objects. It lives apart from :mod:`~templsync._core.tree` so that
code hashing files (a folder's side of a storage sync) needs no tree classes built first.
"""

from __future__ import annotations

import hashlib


def blob_digest(data: bytes) -> str:
    """Return git's blob id for ``data``."""
    h = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    h.update(data)
    return h.hexdigest()
