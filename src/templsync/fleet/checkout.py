"""Where an instance of a fleet is on disk: a folder, or a clone of its git URL in the cache.

A location is spelled as the registry writes it: a path relative to the registry's folder (or
absolute, or starting with ``~``), or a git URL in any form templsync reads. A URL is cloned
once into ``<cache>/fleet/<key>`` (one clone per URL and branch), in a staging folder renamed
into place, so an interrupted clone is never taken for a finished one.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from templsync._io.gitmirror import GitCommandError, default_cache_dir, run_git
from templsync._io.vcsurl import expand_url, mirror_key, strip_credentials
from templsync.errors import UserError

if TYPE_CHECKING:
    from templsync.fleet.registry import Fleet, FleetEntry


class CheckoutError(UserError):
    """An instance's folder is missing, or its git URL could not be cloned."""


def is_remote(spelling: str) -> bool:
    """Whether a template or location spelling is a URL (``gh:``, ``git@``, ``https://``, ...)
    rather than a local path (even one ending in ``.git``)."""
    if expand_url(spelling) is None:
        return False
    return "://" in spelling or spelling.startswith(("git@", "gh:", "gl:", "git+"))


def resolve_location(base: Path, spelling: str) -> Path:
    """A path spelling (``~`` expanded) made absolute against ``base``, symlinks resolved."""
    path = Path(spelling).expanduser()
    return (path if path.is_absolute() else base / path).resolve()


def local_checkout(entry: FleetEntry, fleet: Fleet, cache_dir: Path | None) -> Path:
    """The folder of ``entry``: its path resolved against the registry's folder, or, for a git
    URL, a clone in ``<cache>/fleet/<key>`` made on first use (``cache_dir`` default:
    ``$TEMPLSYNC_CACHE_DIR`` or the user cache). :class:`CheckoutError` when it cannot be had."""
    if not is_remote(entry.location):
        path = resolve_location(fleet.path.parent, entry.location)
        if not path.is_dir():
            raise CheckoutError(
                f"instance {entry.name!r}: {entry.location!r} is not a folder ({path}). Fix its "
                f"location in {fleet.path}, or remove it: `templsync fleet remove {entry.name}`."
            )
        return path
    url = expand_url(entry.location) or entry.location
    cache = cache_dir if cache_dir is not None else default_cache_dir()
    key = mirror_key(url if entry.branch is None else f"{url}#{entry.branch}")
    return _clone(entry, url, cache / "fleet" / key)


def _clone(entry: FleetEntry, url: str, dest: Path) -> Path:
    if (dest / ".git").exists():
        return dest
    if dest.exists():  # what an interrupted clone left behind
        shutil.rmtree(dest, ignore_errors=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(
        prefix=dest.name + ".clone.", dir=dest.parent, ignore_cleanup_errors=True
    ) as staging:
        staged = Path(staging) / "checkout"
        branch = ("--branch", entry.branch) if entry.branch else ()
        try:
            run_git("clone", "--quiet", *branch, "--", url, str(staged))
        except GitCommandError as err:
            reason = err.detail.removeprefix("fatal: ").splitlines()[0] if err.detail else str(err)
            raise CheckoutError(
                f"instance {entry.name!r}: cannot clone {strip_credentials(url)!r}: {reason}. "
                "Check the URL (and branch) and that you can reach it."
            ) from err
        try:
            staged.rename(dest)
        except OSError as err:
            if not (dest / ".git").exists():  # else another process cloned it first
                raise CheckoutError(f"cannot store the clone of {url!r} in {dest}: {err}") from err
    return dest
