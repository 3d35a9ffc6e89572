"""Remote templates mirrored once into a cache folder, fetched only when asked to.

Each remote URL has one bare mirror clone (``git clone --mirror``) under
``<cache>/repos/<sha256 of the URL>``; the cache is ``$TEMPLSYNC_CACHE_DIR`` or the platform's
user cache folder for templsync. Cloning and fetching are the only git subprocesses templsync
runs (they need git's transports and credential helpers); both go through :func:`run_git`,
which raises one error type. Everything else reads the mirror with pygit2.

A clone is made in a staging folder next to its final place and renamed into place, so an
interrupted clone never leaves a half-made mirror that looks usable; a concurrent process that
finished first wins, and ours is dropped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from platformdirs import user_cache_dir

from templsync._io.vcsurl import mirror_key, strip_credentials
from templsync.errors import UserError

CACHE_DIR_ENV = "TEMPLSYNC_CACHE_DIR"


class GitCommandError(UserError):
    """A git command (clone, fetch) failed, or git is not installed; ``detail`` is git's own."""

    def __init__(self, message: str, detail: str = "") -> None:
        self.detail = detail
        super().__init__(message)


def default_cache_dir() -> Path:
    """``$TEMPLSYNC_CACHE_DIR``, else the platform's user cache folder for templsync."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    return Path(user_cache_dir("templsync", appauthor=False))


def mirror_path(url: str, cache_dir: Path) -> Path:
    """Where the mirror of ``url`` lives under ``cache_dir``."""
    return cache_dir / "repos" / mirror_key(url)


def run_git(*args: str, cwd: Path | None = None) -> str:
    """Run ``git args`` without prompting for anything; its output, or :class:`GitCommandError`."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "LC_ALL": "C"}
    git = shutil.which("git")
    if git is None:
        raise GitCommandError(
            "git is not installed or not on PATH; templsync needs it to fetch remote templates."
        )
    try:
        done = subprocess.run(
            [git, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
    except OSError as err:
        raise GitCommandError(f"cannot run git: {err}") from err
    if done.returncode != 0:
        shown = " ".join(strip_credentials(a) for a in args)
        detail = done.stderr.strip() or done.stdout.strip() or f"exit code {done.returncode}"
        raise GitCommandError(f"'git {shown}' failed: {detail}", detail)
    return done.stdout


def is_mirror(path: Path) -> bool:
    """Whether ``path`` looks like a finished bare repository."""
    return (path / "objects").is_dir() and (path / "HEAD").is_file()


def ensure_mirror(url: str, cache_dir: Path) -> tuple[Path, bool]:
    """The mirror of ``url``, cloned first if there is none; and whether it was just cloned."""
    mirror = mirror_path(url, cache_dir)
    if is_mirror(mirror):
        return mirror, False
    if mirror.exists():  # what an interrupted clone or removal left: not usable, so start again
        shutil.rmtree(mirror, ignore_errors=True)
    mirror.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(
        prefix=mirror.name + ".clone.", dir=mirror.parent, ignore_cleanup_errors=True
    ) as staging:
        staged = Path(staging) / "repo.git"
        try:
            run_git("clone", "--mirror", "--quiet", "--", url, str(staged))
        except GitCommandError as err:
            reason = err.detail.removeprefix("fatal: ").splitlines()[0] if err.detail else str(err)
            raise GitCommandError(
                f"cannot get the template {strip_credentials(url)!r}: {reason}. Check the URL "
                "and that you can reach it.",
                err.detail,
            ) from err
        try:
            staged.rename(mirror)
        except OSError as err:
            if not is_mirror(mirror):  # else another process made it first: use theirs
                raise GitCommandError(
                    f"cannot store the mirror of {url!r} in {mirror}: {err}"
                ) from err
    return mirror, True


def fetch(mirror: Path) -> None:
    """Bring every ref of ``mirror`` up to date with its remote."""
    run_git("--git-dir", str(mirror), "fetch", "--prune", "--quiet", "origin")
