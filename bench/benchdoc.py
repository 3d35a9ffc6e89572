"""What the benchmarks share: timing a command as a process, and writing a figures block.

Each benchmark owns one block of ``docs/benchmarks.md`` between ``<!-- bench:NAME:start -->`` and
``<!-- bench:NAME:end -->``; :func:`write_block` replaces the block's text and leaves the rest of
the file alone. The first run, before the markers exist, appends the benchmark's section (its
heading and the prose on how to read it) with the block at its end.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"


def time_process(
    command: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> float:
    """Wall seconds of ``command`` as a fresh process, start-up included; failing stops the run.

    An exit code other than 0 stops the benchmark with the command's stderr: a figure for a
    command that did not do its work would be a wrong figure.
    """
    start = time.perf_counter()
    done = subprocess.run(
        list(command),
        cwd=cwd,
        env=None if env is None else dict(env),
        check=False,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(
            f"{' '.join(command)} exited with {done.returncode}:\n{done.stderr}{done.stdout}"
        )
    return seconds


def markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"


def write_block(name: str, table: str, section: str, doc: Path = DOC) -> None:
    """Put ``table`` between ``name``'s markers in ``doc``; append ``section`` + block if absent.

    ``section`` is Markdown (a ``##`` heading and the prose on how to read the figures) that is
    written only once, when the markers are not in the file yet; later runs keep whatever the
    section's prose has become and replace the block alone.
    """
    start, end = markers(name)
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    block = f"{start}\n{table}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section.strip("\n") + "\n\n" + block + "\n"
    doc.parent.mkdir(exist_ok=True)
    tmp = doc.with_name(f".{doc.name}.{os.getpid()}")
    tmp.write_text(text)
    tmp.replace(doc)
