"""The README's library example does what the README says it does."""

from __future__ import annotations

import re
from pathlib import Path

from templsync import MergeResult

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_library_example_runs_and_its_comments_are_true() -> None:
    [block] = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)  # the README's own code, nothing else
    result = namespace["result"]
    assert isinstance(result, MergeResult)
    assert result.tree["src/app.py"].content() == b"A\nb\nC\n"
    assert result.conflicts == ()
    assert "app.py" not in result.tree
