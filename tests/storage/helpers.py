"""Helpers for storage-sync tests: folders read back as ``{path: bytes}``, runs of the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from templsync.cli.main import main


def files(root: Path) -> dict[str, bytes]:
    """Every regular file under ``root`` as ``{relative path: content}`` (empty when missing)."""
    found: dict[str, bytes] = {}
    if not root.exists():
        return found
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def folders(root: Path) -> set[str]:
    return {
        Path(folder).relative_to(root).as_posix()
        for folder, _dirs, _names in os.walk(root)
        if Path(folder) != root
    }


def set_mtime(path: Path, seconds: float) -> None:
    os.utime(path, (seconds, seconds))


def run_cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """``templsync ARGS`` through the real CLI entry: exit code, stdout, stderr."""
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, dict[str, Any]]:
    code, out, err = run_cli(capsys, *args, "--json")
    assert out, err
    data: dict[str, Any] = json.loads(out)
    return code, data
