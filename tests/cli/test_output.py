from __future__ import annotations

import click
import pytest

from templsync.cli.output import help_text, stderr, stdout, summary


def test_help_text_joins_paragraph_lines_and_keeps_examples() -> None:
    text = """
First line of a paragraph
continues here.

Example:

  templsync demo examples/demo
  templsync demo --json
"""
    assert help_text(text) == (
        "First line of a paragraph continues here.\n\nExample:\n\n\b\n"
        "  templsync demo examples/demo\n  templsync demo --json"
    )
    assert summary(text) == "First line of a paragraph"


def test_click_prints_examples_line_for_line_and_rewraps_prose() -> None:
    example = "  templsync copy gh:org/service-template my-service --data name=billing --defaults"
    prose = " ".join(["word"] * 40)
    command = click.Command("x", help=help_text(f"{prose}\n\nExample:\n\n{example}\n"))
    shown = command.get_help(click.Context(command, terminal_width=60))
    assert example in shown.splitlines() or f"  {example}" in shown.splitlines()
    assert all(len(line) <= 60 for line in shown.splitlines() if "word" in line)


def test_consoles_print_without_importing_rich_until_then(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, err = stdout(), stderr()
    out.print("[bold]to stdout[/]")
    err.print("to stderr", end="!\n")
    captured = capsys.readouterr()
    assert captured.out == "to stdout\n"
    assert captured.err == "to stderr!\n"
