"""The one git helper of the benchmarks: a hermetic identity, no auto-gc, errors stop the run."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    done = subprocess.run(
        ["git", "-c", "gc.auto=0", "-C", str(repo), *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode:
        raise SystemExit(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def fast_import(repo: Path, stream: bytes) -> None:
    """Feed ``stream`` to ``git fast-import`` in ``repo`` (a history built in one process)."""
    done = subprocess.run(
        ["git", "-C", str(repo), "fast-import", "--quiet"],
        input=stream,
        capture_output=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"git fast-import failed: {done.stderr.decode()}")
