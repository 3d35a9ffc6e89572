"""Build the bundled example service template as a git repository with three tagged versions.

``examples/template/1.0.0/`` holds the first version whole; ``1.1.0/`` and ``2.0.0/`` hold only the
files each later version adds or changes, and ``REMOVED`` below the files it deletes. Every commit
has a fixed author, committer and date, so the repository (and its commit ids) is the same on every
machine and every run.

Run: python examples/make_template_repo.py [TARGET]
TARGET defaults to ``templsync-example-template`` in the temp folder. A TARGET this script built
before is rebuilt; any other non-empty folder is refused. The repository's path is printed last.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "template"
VERSIONS = ("1.0.0", "1.1.0", "2.0.0")
REMOVED: dict[str, tuple[str, ...]] = {"2.0.0": ("scripts/lint.sh",)}
DATES = {
    "1.0.0": "2024-01-15T10:00:00+00:00",
    "1.1.0": "2024-03-01T10:00:00+00:00",
    "2.0.0": "2024-06-03T10:00:00+00:00",
}
MARKER = "templsync-example"  # in .git: this script made the folder, so it may rebuild it
DEFAULT_TARGET = Path(tempfile.gettempdir()) / "templsync-example-template"


def git(repo: Path, *args: str, date: str = DATES["1.0.0"]) -> None:
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "templsync examples",
        "GIT_AUTHOR_EMAIL": "examples@templsync.invalid",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": "templsync examples",
        "GIT_COMMITTER_EMAIL": "examples@templsync.invalid",
        "GIT_COMMITTER_DATE": date,
    }
    command = ["git", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false", *args]
    done = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"git {' '.join(args)} failed: {done.stderr.strip()}")


def overlay(version: str, repo: Path) -> None:
    """Write the files of ``version`` over the work tree, keeping their executable bits."""
    folder = SOURCE / version
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            continue
        target = repo / path.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
        target.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)
    for rel in REMOVED.get(version, ()):
        (repo / rel).unlink()


def prepare(target: Path) -> None:
    if target.exists() and any(target.iterdir()):
        if not (target / ".git" / MARKER).exists():
            raise SystemExit(f"{target} is not empty and was not made by this script: pick another")
        shutil.rmtree(target)
    target.mkdir(parents=True, exist_ok=True)


def build(target: Path) -> Path:
    """Build the repository in ``target`` and return its path."""
    prepare(target)
    git(target, "init", "-q", "--initial-branch=main")
    (target / ".git" / MARKER).write_text("built by examples/make_template_repo.py\n")
    for version in VERSIONS:
        overlay(version, target)
        date = DATES[version]
        git(target, "add", "-A", date=date)
        git(target, "commit", "-q", "-m", f"Example service template {version}", date=date)
        git(target, "tag", version, date=date)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("target", nargs="?", type=Path, default=DEFAULT_TARGET)
    args = parser.parse_args(argv)
    print(build(args.target.absolute()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
