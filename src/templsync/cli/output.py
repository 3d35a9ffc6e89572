"""Where the CLI prints: results to stdout, messages and errors to stderr."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    """Machine-readable output: one JSON document on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False) + "\n")


def help_text(text: str) -> str:
    """Command help written as wrapped paragraphs, joined so the terminal wraps them itself.

    Lines indented by two spaces (examples) are kept as they are.
    """
    out: list[str] = []
    for line in text.strip("\n").splitlines():
        joinable = out and out[-1] and not out[-1].startswith("  ")
        if line and not line.startswith("  ") and joinable:
            out[-1] += " " + line
        else:
            out.append(line)
    return "\n".join(out)
