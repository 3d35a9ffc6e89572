"""Template URL spellings, expanded as Copier expands them (``copier._vcs.get_repo``).

Pure functions over strings: nothing here looks at the disk or the network. Whether a spelling
that is not a URL names a git repository, a bundle or a plain folder is decided by the caller.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit, urlunsplit

_GIT_PREFIX = ("git@", "git://", "git+", "https://github.com/", "https://gitlab.com/")
_GIT_POSTFIX = ".git"
_OTHER_SCHEMES = ("https://", "http://", "ssh://", "file://")
_ALIASES = {"gh:": "https://github.com", "gl:": "https://gitlab.com"}
_REPLACEMENTS = [
    pattern
    for alias, replacement in _ALIASES.items()
    for pattern in (
        (re.compile(rf"^{alias}/?(.*\.git)$"), rf"{replacement}/\1"),
        (re.compile(rf"^{alias}/?(.*)$"), rf"{replacement}/\1.git"),
    )
]


def expand_url(spec: str) -> str | None:
    """The git URL ``spec`` spells, or None when it is not spelled as a URL.

    ``gh:owner/repo`` is ``https://github.com/owner/repo.git``, ``gl:`` the same on GitLab,
    ``git+`` is dropped, and an ``https://`` URL gains ``.git``: exactly Copier's rules. As in
    Copier, anything ending in ``.git`` counts as a URL, even a local path (the caller checks
    whether it exists). Beyond Copier, any ``https://``, ``http://``, ``ssh://`` or ``file://``
    URL counts, as it is (Copier takes other hosts' URLs only when they end in ``.git`` or start
    with ``git+``, and reads the rest as local paths that do not exist).
    """
    url = spec
    for pattern, replacement in _REPLACEMENTS:
        url = pattern.sub(replacement, url)
    if url.endswith(_GIT_POSTFIX) or url.startswith(_GIT_PREFIX):
        if url.startswith("git+"):
            return url[4:]
        if url.startswith("https://") and not url.endswith(_GIT_POSTFIX):
            return url + _GIT_POSTFIX
        return url
    if url.startswith(_OTHER_SCHEMES):
        return url
    return None


def submodule_url(url: str, base: str) -> str:
    """A submodule's URL from ``.gitmodules``, resolved against ``base`` as git resolves it.

    Only ``./`` and ``../`` URLs are relative; each ``../`` drops the last component of ``base``
    (the superproject's URL or path), down to the host of a ``host:path`` URL. This is git's
    ``relative_url`` (``remote.c``). Raises ValueError when ``base`` has no component left to
    drop.
    """
    if not url.startswith(("./", "../")):
        return url
    remote = base.removesuffix("/")
    relative = _local_not_ssh(remote) and not remote.startswith("/")
    if relative and not remote.startswith(("./", "../")):
        remote = "./" + remote
    colon = False
    while True:
        if url.startswith("../"):
            url = url[3:]
            remote, dropped_host = _chop_last(remote, relative=relative)
            colon = colon or dropped_host
        elif url.startswith("./"):
            url = url[2:]
        else:
            break
    resolved = f"{remote}{':' if colon else '/'}{url}"
    if url.endswith("/"):
        resolved = resolved[:-1]
    return resolved.removeprefix("./")


def _local_not_ssh(url: str) -> bool:
    """git's ``url_is_local_not_ssh``: no colon, or a slash before the first colon."""
    colon, slash = url.find(":"), url.find("/")
    return colon < 0 or 0 <= slash < colon


def _chop_last(remote: str, *, relative: bool) -> tuple[str, bool]:
    """``remote`` without its last component; whether the cut was at a ``host:`` colon."""
    slash = remote.rfind("/")
    if slash >= 0:
        return remote[:slash], False
    colon = remote.rfind(":")
    if colon >= 0:
        return remote[:colon], True
    if relative or remote == ".":
        raise ValueError(f"cannot strip one component off the URL {remote!r}")
    return ".", False


def strip_credentials(url: str) -> str:
    """``url`` without a ``user:password@`` part, so secrets never reach the cache layout."""
    parts = urlsplit(url)
    if parts.netloc and "@" in parts.netloc:
        return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    return url


def mirror_key(url: str) -> str:
    """A stable folder name for the mirror of ``url`` (the same with or without credentials)."""
    return hashlib.sha256(strip_credentials(url).encode("utf-8")).hexdigest()
