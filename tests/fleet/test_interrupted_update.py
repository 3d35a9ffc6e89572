"""``fleet update`` stopped at any moment (its whole process group killed, as a CI cancel does,
or sent SIGINT, as Ctrl-C does) and run again ends exactly where an uninterrupted run ends: the
registry's bytes, each instance's branches, HEAD, files and answers file. Nothing half-done
stays: no empty update branch, no mark, no journal.

The kills fall at random moments (a seeded random, so a failure can be replayed) of a run over
20 small instances, each its own repository, updated two at a time; some runs are killed twice
or three times before the run that finishes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from instance.helpers import ANSWERS_JINJA, git, tagged_repo
from templsync._io.journaldir import JOURNAL_DIR
from templsync.cli.main import main
from templsync.fleet import resume

SEED = 20240613
INSTANCES = 20
KILLS = 20
REGISTRY = "templsync-fleet.toml"

V1 = {
    **ANSWERS_JINJA,
    "copier.yml": "name:\n  type: str\n  default: svc\n",
    "README.md.jinja": "# {{ name }}\n\nfirst\nsecond\n",
    "app/main.py": "print('v1')\n",
    "old.txt": "to be removed\n",
}
V2 = {
    "README.md.jinja": "# {{ name }}\n\nfirst\nsecond, improved\n",
    "app/main.py": "print('v2')\n",
    "app/extra.py": "EXTRA = 1\n",
}

State = dict[str, object]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template at 1.0.0 and 2.0.0, and a fleet of 20 instances at 1.0.0, each committed."""
    root = tmp_path_factory.mktemp("pristine")
    home = root / "home"
    home.mkdir()
    saved = dict(os.environ)
    os.environ.update(hermetic(home))
    try:
        template = tagged_repo(root / "template", {"1.0.0": V1})
        (template / "old.txt").unlink()
        for path, text in V2.items():
            (template / path).parent.mkdir(parents=True, exist_ok=True)
            (template / path).write_text(text)
        git(template, "add", "-A")
        git(template, "commit", "-q", "-m", "version 2")
        git(template, "tag", "2.0.0")
        fleet = root / "fleet"
        first = fleet / "instances" / "i00"
        args = ["copy", str(template), str(first), "-r", "1.0.0", "--defaults", "-q"]
        assert main(args) == 0
        git(first, "init", "-q")
        git(first, "add", "-A")
        git(first, "commit", "-q", "-m", "made from the template")
        lines = [f'template = "{template}"\n']
        for n in range(INSTANCES):
            name = f"i{n:02d}"
            if n:
                shutil.copytree(first, fleet / "instances" / name, symlinks=True)
            lines.append(f'\n[[instance]]\nname = "{name}"\nlocation = "instances/{name}"\n')
        (fleet / REGISTRY).write_text("".join(lines))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return fleet


def hermetic(home: Path) -> dict[str, str]:
    """The environment of every git and templsync process here; commit dates fixed (today, so
    the registry's dates agree), so the same update makes the same commit in every run."""
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0).isoformat()
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n")
    return {
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_AUTHOR_NAME": "Test Author",
        "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_COMMITTER_NAME": "Test Committer",
        "GIT_COMMITTER_EMAIL": "committer@example.com",
        "GIT_AUTHOR_DATE": noon,
        "GIT_COMMITTER_DATE": noon,
        "TEMPLSYNC_CACHE_DIR": str(home / "cache"),
    }


def fresh_copy(pristine: Path, where: Path) -> Path:
    shutil.copytree(pristine, where, symlinks=True)
    return where


def start(fleet: Path) -> subprocess.Popen[bytes]:
    """``templsync fleet update`` on ``fleet``, in a process group of its own."""
    command = [sys.executable, "-m", "templsync", "fleet", "update", "--jobs", "2", "--json"]
    return subprocess.Popen(
        [*command, "--fleet", str(fleet / REGISTRY)],
        cwd=fleet,
        env={**os.environ, **hermetic(fleet.parent / "home")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def finish(fleet: Path) -> dict[str, str]:
    """Run the update to its end; each instance's outcome."""
    process = start(fleet)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, (err.decode(), out.decode())
    return {i["name"]: i["outcome"] for i in json.loads(out)["instances"]}


def kill_at(fleet: Path, seconds: float, how: signal.Signals) -> bool:
    """Start the update and send its process group ``how`` after ``seconds``; False when it
    finished first."""
    process = start(fleet)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, how)
        process.communicate(timeout=120)
        return True
    process.communicate()
    return False


def fleet_state(fleet: Path) -> State:
    """The registry's bytes and, for each instance, its branches, HEAD, status and files."""
    state: State = {"registry": (fleet / REGISTRY).read_bytes()}
    for folder in sorted((fleet / "instances").iterdir()):
        files = {}
        for current, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if d != ".git"]
            for name in names:
                path = Path(current) / name
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
        state[folder.name] = {
            "branches": git(folder, "for-each-ref", "--format=%(refname) %(objectname)"),
            "head": git(folder, "rev-parse", "--symbolic-full-name", "HEAD"),
            "commit": git(folder, "rev-parse", "HEAD"),
            "status": git(folder, "status", "--porcelain", "--ignored", "--untracked-files=all"),
            "files": files,
            "leftovers": [
                p.name for p in (folder / ".git" / resume.MARK, folder / JOURNAL_DIR) if p.exists()
            ],
        }
    return state


@pytest.mark.slow
def test_a_fleet_update_killed_at_random_moments_then_run_again_ends_as_one_never_killed(
    pristine: Path, tmp_path: Path
) -> None:
    (tmp_path / "home").mkdir()
    hermetic(tmp_path / "home")
    reference = fresh_copy(pristine, tmp_path / "reference")
    began = time.monotonic()
    assert set(finish(reference).values()) == {"updated"}
    took = time.monotonic() - began
    expected = fleet_state(reference)
    heads = {git(f, "branch", "--show-current") for f in (reference / "instances").iterdir()}
    assert heads == {"templsync/update-2.0.0"}
    assert set(finish(reference).values()) == {"up to date"}  # again: nothing to do
    assert fleet_state(reference) == expected

    rng = random.Random(SEED)
    kills = trial = 0
    while kills < KILLS:
        trial += 1
        fleet = fresh_copy(pristine, tmp_path / f"trial{trial}")
        for _ in range(rng.randint(1, 3)):
            how = rng.choice((signal.SIGKILL, signal.SIGKILL, signal.SIGINT))  # a kill, Ctrl-C
            kills += kill_at(fleet, rng.uniform(0.1, took), how)
        outcomes = finish(fleet)
        assert set(outcomes.values()) <= {"updated", "up to date"}, outcomes
        assert fleet_state(fleet) == expected, f"trial {trial} (seed {SEED})"
        shutil.rmtree(fleet)
