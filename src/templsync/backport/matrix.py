"""``verify --matrix FILE``: several answer sets, each a test instance of its own.

The file is either a YAML list of mappings (``- {project_name: billing, use_docker: true}``),
whose values keep their YAML types, or plain lines of ``NAME=VALUE`` words (``project_name=billing
use_docker=true``), one answer set per line, whose values are strings as ``--data`` gives them
(quote a value with spaces as a shell would). Empty lines and lines starting with ``#`` are
skipped. A file that reads as neither, or holds no answer set, is an error naming the line.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from templsync._limits import LimitError
from templsync._yaml import safe_load
from templsync.errors import UserError

__all__ = ["MatrixError", "parse_matrix", "read_matrix"]


class MatrixError(UserError):
    """A ``--matrix`` file that cannot be read as answer sets."""


def read_matrix(path: Path) -> tuple[dict[str, object], ...]:
    """The answer sets of the file at ``path`` (see the module's documentation)."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise MatrixError(f"cannot read the matrix file {path}: {err.strerror or err}") from err
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise MatrixError(f"the matrix file {path} is not UTF-8 text.") from err
    return parse_matrix(text, str(path))


def parse_matrix(text: str, where: str) -> tuple[dict[str, object], ...]:
    """The answer sets in ``text``; ``where`` names the file in messages."""
    try:
        loaded = safe_load(text)
    except (yaml.YAMLError, LimitError):
        loaded = None
    sets = _from_yaml(loaded, where) if isinstance(loaded, list) else _from_lines(text, where)
    if not sets:
        raise MatrixError(
            f"the matrix file {where} holds no answer set. Write one per line "
            "(NAME=VALUE NAME=VALUE) or a YAML list of mappings."
        )
    return sets


def _from_yaml(items: list[object], where: str) -> tuple[dict[str, object], ...]:
    sets: list[dict[str, object]] = []
    for number, found in enumerate(items, 1):
        item = {} if found is None else found
        if not isinstance(item, dict) or not all(isinstance(k, str) for k in item):
            raise MatrixError(
                f"{where}: item {number} of the list is not a mapping of question names to "
                "answers. Write each answer set as {name: value, ...}."
            )
        sets.append(dict(item))
    return tuple(sets)


def _from_lines(text: str, where: str) -> tuple[dict[str, object], ...]:
    sets: list[dict[str, object]] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            words = shlex.split(stripped)
        except ValueError as err:
            raise MatrixError(f"{where}, line {number}: {err}. Check its quotes.") from err
        answers: dict[str, object] = {}
        for word in words:
            name, sep, value = word.partition("=")
            if not sep or not name:
                raise MatrixError(
                    f"{where}, line {number}: {word!r} is not NAME=VALUE. Example line: "
                    "project_name=billing use_docker=true"
                )
            answers[name] = value
        sets.append(answers)
    return tuple(sets)
