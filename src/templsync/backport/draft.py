"""A working project turned into a Copier template, in memory (``templatize``'s pure core).

Every whole-word occurrence of a variable's spellings (:mod:`templsync.backport.variants`) in a
file's text and in its file and folder names becomes the variable's expression; the rest of the
text is escaped (:mod:`templsync.backport.words`). The rules:

- only a file whose content got a variable is a template (``.jinja`` added to its name), and so is
  a file whose name already ends in ``.jinja`` (its text escaped, its name ``x.jinja.jinja``), so
  that it renders to itself; every other file is copied by Copier as it is (its name is still
  rendered, so literal delimiters in names are escaped);
- binary files, text that is not UTF-8 and symlinks are never templates (a symlink is kept as a
  link: ``_preserve_symlinks`` is set when there is one);
- what Copier would leave out of every copy (the default ``_exclude``: ``copier.yml``,
  ``__pycache__``, ``*.pyc``, ``.git``, ``~*``...) and the project's own answers file are left
  out, each with the reason;
- ``copier.yml`` gets one question per variable (type ``str``, the value as its default), and the
  answers file's template is added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from templsync._core.text import is_binary
from templsync._core.tree import FileEntry, Tree
from templsync.backport.variants import spellings_of
from templsync.backport.words import Delimiters, Spelling, to_template
from templsync.template.config import (
    DEFAULT_ANSWERS_FILE,
    DEFAULT_EXCLUDE,
    DEFAULT_TEMPLATES_SUFFIX,
)
from templsync.template.excludes import CopierExclude

__all__ = ["ANSWERS_TEMPLATE", "Draft", "DraftFile", "draft_template"]

ANSWERS_TEMPLATE = (
    "{{ _copier_conf.answers_file }}.jinja",
    "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"
    "{{ _copier_answers|to_nice_yaml -}}\n",
)
"""The answers file's template, as Copier's documentation writes it."""


@dataclass(frozen=True)
class DraftFile:
    """One project file in the template: where it went, and the variables it got."""

    source: str
    path: str
    variables: tuple[str, ...]
    templated: bool


@dataclass(frozen=True)
class Draft:
    """The template made from a project: its files, what each project file became, what was
    left out (path, why), and the spellings that were looked for."""

    tree: Tree
    files: tuple[DraftFile, ...]
    left_out: tuple[tuple[str, str], ...]
    spellings: tuple[Spelling, ...]

    def uses(self) -> dict[str, int]:
        """How many files each variable went into."""
        counts = {s.variable: 0 for s in self.spellings}
        for f in self.files:
            for name in f.variables:
                counts[name] += 1
        return counts


def _left_out(path: str) -> str | None:
    if path == DEFAULT_ANSWERS_FILE:
        return "the template's answers file is rendered at this path"
    if CopierExclude.of(DEFAULT_EXCLUDE).matches(path):
        return "Copier leaves it out of every copy (the default `_exclude`)"
    return None


def _text(entry: FileEntry) -> str | None:
    if entry.is_symlink:
        return None
    data = entry.content()
    if is_binary(data):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def draft_template(project: Tree, variables: Sequence[tuple[str, str]]) -> Draft:
    """The template of the files ``project`` with ``variables`` (name, value) put back."""
    spellings = spellings_of(variables)
    delimiters = Delimiters()
    suffix = DEFAULT_TEMPLATES_SUFFIX
    files: dict[str, FileEntry] = {}
    made: list[DraftFile] = []
    left: list[tuple[str, str]] = []
    for path, found in sorted(project.items()):
        entry = found
        why = _left_out(path)
        if why is not None:
            left.append((path, why))
            continue
        names = [to_template(part, spellings, delimiters) for part in path.split("/")]
        used = {m.spelling.variable for _, matches in names for m in matches}
        target = "/".join(name for name, _ in names)
        text = _text(found)
        templated = False
        if text is not None:
            content, matches = to_template(text, spellings, delimiters)
            templated = bool(matches) or path.endswith(suffix)
            if templated:
                used.update(m.spelling.variable for m in matches)
                entry = FileEntry.from_bytes(content.encode("utf-8"), entry.mode)
                target += suffix
        files[target] = entry
        made.append(DraftFile(path, target, tuple(sorted(used)), templated))
    files["copier.yml"] = FileEntry.from_bytes(
        _copier_yml(variables, links=any(e.is_symlink for e in files.values()))
    )
    name, text = ANSWERS_TEMPLATE
    files[name] = FileEntry.from_bytes(text.encode("utf-8"))
    return Draft(Tree(files), tuple(made), tuple(left), spellings)


def _copier_yml(variables: Sequence[tuple[str, str]], *, links: bool) -> bytes:
    head = "# A Copier template made by `templsync templatize`: one question per variable.\n"
    settings = "_preserve_symlinks: true\n\n" if links else ""
    questions = {name: {"type": "str", "default": value} for name, value in variables}
    body = yaml.safe_dump(questions, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return (head + settings + body).encode("utf-8")
