"""The answers file (``.copier-answers.yml``): what it records and how it is read.

In Copier the answers file is a template file the template author ships, typically
``{{ _copier_conf.answers_file }}.jinja`` holding::

    # Changes here will be overwritten by Copier; NEVER EDIT MANUALLY
    {{ _copier_answers|to_nice_yaml -}}

So byte-compatibility takes two pieces, both here: :func:`answers_context` gives exactly
Copier's ``_copier_answers`` mapping, and :func:`to_nice_yaml` is exactly the filter Copier's
Jinja environment has (from ``jinja2-ansible-filters``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from templsync._limits import LimitError
from templsync._yaml import safe_load
from templsync.errors import UserError
from templsync.template.answering import Answers

ANSWERS_HEADER = "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"
ANSWERS_TEMPLATE = ANSWERS_HEADER + "{{ _copier_answers|to_nice_yaml -}}\n"
"""The answers file template Copier's documentation gives template authors."""


class AnswersFileError(UserError):
    """The answers file of an instance cannot be read."""


@dataclass(frozen=True)
class RecordedAnswers:
    """An answers file as read: the template it came from, at which commit, and the answers."""

    path: str
    src_path: str | None
    commit: str | None
    answers: Mapping[str, object]
    """Question answers (keys not starting with ``_``), in file order."""
    private: Mapping[str, object]
    """Every other ``_`` key found, e.g. ``_copier_python``, kept as read."""
    src_path_value: object = None
    """``_src_path`` as YAML read it (a number, a list... when it is not text), for messages."""


def answers_context(answers: Answers, commit: str | None, src_path: str) -> dict[str, object]:
    """Copier's ``_copier_answers``: ``_commit`` (when known), ``_src_path``, then answers.

    The answers are those the answers file remembers (no secret, no question hidden by
    ``when: false``, nothing that is not JSON-like), in Copier's order.
    """
    result: dict[str, object] = {}
    if commit is not None:
        result["_commit"] = commit
    result["_src_path"] = src_path
    result.update(answers.remembered)
    return result


def to_nice_yaml(value: Any, indent: int = 4, *args: Any, **kwargs: Any) -> str:
    """The ``to_nice_yaml`` filter of ``jinja2-ansible-filters``, as Copier uses it.

    PyYAML's full ``Dumper`` with keys sorted, block style, Unicode kept, indent 4.
    """
    return str(
        yaml.dump(value, indent=indent, allow_unicode=True, default_flow_style=False, **kwargs)
    )


def dump_answers(context: Mapping[str, object]) -> str:
    """The answers file Copier writes from :data:`ANSWERS_TEMPLATE` for ``_copier_answers``."""
    return ANSWERS_HEADER + to_nice_yaml(dict(context))


def read_answers(data: bytes, path: str) -> RecordedAnswers:
    """Parse an answers file; invalid YAML, YAML past the limits of :mod:`templsync._limits` or
    anything but a mapping is an error naming it."""
    try:
        loaded = safe_load(data)
    except LimitError as err:
        raise AnswersFileError(
            f"{path}: the answers file {err}. Fix it, or remove it and copy the template again."
        ) from err
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise AnswersFileError(
            f"{path}{line}: the answers file is not valid YAML: {err.problem}. "
            "Fix it, or remove it and copy the template again."
        ) from err
    except yaml.YAMLError as err:
        raise AnswersFileError(f"{path}: the answers file is not valid YAML: {err}") from err
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise AnswersFileError(
            f"{path}: the answers file holds a {type(loaded).__name__}, not a mapping of "
            "answers. Fix it, or remove it and copy the template again."
        )
    src_path = loaded.get("_src_path")
    commit = loaded.get("_commit")
    return RecordedAnswers(
        path=path,
        src_path=None if src_path is None else str(src_path),
        commit=None if commit is None else str(commit),
        answers={str(k): v for k, v in loaded.items() if not str(k).startswith("_")},
        private={
            str(k): v
            for k, v in loaded.items()
            if str(k).startswith("_") and k not in ("_src_path", "_commit")
        },
        src_path_value=src_path,
    )
