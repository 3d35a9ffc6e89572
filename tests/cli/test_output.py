from __future__ import annotations

from templsync.cli.output import help_text


def test_help_text_joins_paragraph_lines_and_keeps_examples() -> None:
    text = """
First line of a paragraph
continues here.

Example:

  templsync demo examples/demo
  templsync demo --json
"""
    assert help_text(text) == (
        "First line of a paragraph continues here.\n\nExample:\n\n"
        "  templsync demo examples/demo\n  templsync demo --json"
    )
