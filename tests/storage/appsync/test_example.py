"""``examples/storage_app.py``: the seed's three examples, run as ``docs/storage-app.md`` and
``scripts/demo.sh`` show them, against a local storage root."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from storage.helpers import files

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "storage_app.py"
DOC = Path(__file__).resolve().parents[3] / "docs" / "storage-app.md"


def run_example(folder: Path, *steps: str) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), str(folder), *steps],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_the_three_examples_run_and_print_what_the_doc_says(tmp_path: Path) -> None:
    out = run_example(tmp_path / "demo")
    stamp = re.search(r"home\.conflict-local-(\d{8}T\d{6}Z)\.html", out)
    assert stamp is not None
    doc = DOC.read_text()
    [shown] = re.findall(r"```text\n(== environment\n.*?)```", doc, flags=re.DOTALL)
    assert out == shown.replace("<stamp>", stamp.group(1))
    app, storage = files(tmp_path / "demo/app"), files(tmp_path / "demo/storage")
    assert app == storage
    assert app["settings/database.yml"].startswith(b"url: postgresql://db.internal/shop")
    assert app["templates/about.html"] == b"<p>About us</p>\n"
    assert app["templates/home.html"] == b'{% extends "base.html" %}<h2>{{ greeting }}</h2>\n'
    assert app[f"templates/home.conflict-local-{stamp.group(1)}.html"] == (
        b"<h1>{{ greeting }}!</h1>\n"
    )


def test_one_example_at_a_time(tmp_path: Path) -> None:
    out = run_example(tmp_path / "demo", "environment")
    assert out.startswith("== environment\n") and "== deployment" not in out
    assert files(tmp_path / "demo/app")["settings/app.yml"] == b"name: shop\ngreeting: Hello\n"
