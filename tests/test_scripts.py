"""``scripts/pytest.sh`` (what ``scripts/test.sh`` ends with) runs the tests in parallel, one
pytest-xdist worker per core, unless its arguments choose how."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

PYTEST_SH = Path(__file__).resolve().parents[1] / "scripts" / "pytest.sh"

PROBE = """
import os
from pathlib import Path


def test_probe() -> None:
    Path(os.environ["PROBE_OUT"]).write_text(os.environ.get("PYTEST_XDIST_WORKER", "none"))
"""


@pytest.mark.parametrize(
    ("args", "worker"),
    [
        ((), "gw"),
        (("-n", "0"), "none"),
        (("-p", "no:xdist"), "none"),
    ],
)
def test_the_tests_run_in_workers_unless_told_otherwise(
    tmp_path: Path, args: tuple[str, ...], worker: str
) -> None:
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE)
    out = tmp_path / "worker.txt"
    env = {**os.environ, "PROBE_OUT": str(out)}
    env.pop("PYTEST_XDIST_WORKER", None)  # this test may itself run in a worker
    done = subprocess.run(
        [str(PYTEST_SH), "-q", "-p", "no:cacheprovider", *args, str(probe)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert out.read_text().startswith(worker)
