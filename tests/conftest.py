from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw new examples on every local run, to keep finding bugs; CI (.ci/run sets
# TEMPLSYNC_HYPOTHESIS_PROFILE=ci) draws the same ones every time, so its verdict is repeatable;
# it sets no deadline, since the tests run in parallel and one slow example on a busy machine says
# nothing about the code.
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("TEMPLSYNC_HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def hermetic_git(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test sees a git with no user or system configuration but a fixed identity."""
    home = tmp_path_factory.mktemp("home")
    saved = dict(os.environ)
    os.environ.update(
        {
            "HOME": str(home),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
            "GIT_AUTHOR_NAME": "Test Author",
            "GIT_AUTHOR_EMAIL": "author@example.com",
            "GIT_COMMITTER_NAME": "Test Committer",
            "GIT_COMMITTER_EMAIL": "committer@example.com",
            "TEMPLSYNC_CACHE_DIR": str(home / "cache"),
        }
    )
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n")
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def public_dir() -> Iterator[Path]:
    """A folder anyone may enter, outside pytest's private temp root: for calls made as the
    ``nobody`` user (``testing.forked.call_unprivileged``)."""
    path = Path(tempfile.mkdtemp(prefix="templsync-test-"))
    path.chmod(0o755)
    yield path
    for folder, dirs, _ in os.walk(path):
        for name in dirs:
            (Path(folder) / name).chmod(0o755)
    shutil.rmtree(path)
