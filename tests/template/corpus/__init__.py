"""The Copier-oracle corpus: fixture templates that ``templsync copy`` must copy as Copier does.

- ``questions``: every question type, choices (list, dict, templated, with validators),
  multiselect, secrets, validators, ``when``, templated defaults, Copier's filters and context.
- ``settings``: ``_subdirectory`` (plain and templated), ``_exclude`` with negation,
  ``_skip_if_exists``, ``_templates_suffix`` (custom, empty), ``_answers_file``, ``_envops``,
  ``_jinja_extensions`` (jinja2-time, ContextHook, TemplateExtensionLoader), messages,
  multi-document ``copier.yml`` with ``!include``, ``_external_data``, ``_tasks``.
- ``files``: templated and conditional names, binary files, executable bits, symlinks (kept and
  followed), tags, pre-releases, ``--vcs-ref``, folder and ``git+file://`` sources, and the bundled
  example service template at three versions.
- ``walk``: links in ``_subdirectory`` pointing elsewhere in the template, an answers-file
  template in an excluded folder, empty folders.
- ``edges``: YAML quoting in the answers file, data cast from strings, odd names and bytes,
  ``--exclude``, ``--skip``, ``--answers-file``, ``--skip-tasks``, ``--pretend``, ``--data-file``,
  the filters that read this machine (the corpus copies with ``--trust``).

``CASES`` run in ``tests/template/test_corpus.py``. ``PENDING_CASES`` hold cases that do not yet
match Copier, each with the one-line reason; the test does not run them.
"""

from __future__ import annotations

from template.corpus import edges, files, questions, settings, walk
from template.corpus.build import Case

ALL_CASES: list[Case] = [
    *questions.CASES,
    *settings.CASES,
    *files.CASES,
    *walk.CASES,
    *edges.CASES,
]
PENDING_CASES: dict[str, str] = {
    "dirty-working-copy-at-head": (
        "on purpose (docs/update.md, Deliberate differences): Copier commits the uncommitted"
        " changes in a throwaway clone and records that commit's `git describe` (1.0.0-1-g<hash"
        " of a clock-dependent commit>), which no repository has; templsync copies the same files"
        " but records `_commit: 1.0.0`, which exists"
    ),
}
CASES: list[Case] = [case for case in ALL_CASES if case.name not in PENDING_CASES]

__all__ = ["ALL_CASES", "CASES", "PENDING_CASES", "Case"]
