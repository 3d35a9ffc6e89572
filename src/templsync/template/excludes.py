"""``_exclude`` matched as Copier 9 matches it, which is not quite as git matches ignore files.

Copier hands the patterns (normalized to NFD) to ``pathspec`` and asks about each rendered path
on its own: a pattern matches a path when it matches the path or any folder above it, and the
last pattern that matches decides. So, unlike git, ``!docs/keep.md`` brings back a file inside
an excluded ``docs`` folder. One exception, from pathspec's translation: a pattern ending in
``/*`` matches the path itself only (``docs/*`` excludes ``docs/a.md`` but not ``docs/sub/b.md``).
Each pattern is compiled by :class:`IgnoreRules`, which matches one path exactly as git does.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from templsync._core.ignore import IgnoreRules
from templsync._core.tree import parent_dirs


@dataclass(frozen=True)
class CopierExclude:
    """Compiled ``_exclude`` patterns in order: (one-pattern rules, negated, path itself only)."""

    rules: tuple[tuple[IgnoreRules, bool, bool], ...] = ()

    @classmethod
    def of(cls, patterns: Iterable[str]) -> CopierExclude:
        rules: list[tuple[IgnoreRules, bool, bool]] = []
        for raw in patterns:
            pattern = unicodedata.normalize("NFD", raw)
            negated = pattern.startswith("!")
            body = pattern[1:] if negated else pattern
            one = IgnoreRules.of([body])
            if one:
                rules.append((one, negated, body.rstrip(" ").endswith("/*")))
        return cls(tuple(rules))

    def matches(self, path: str) -> bool:
        """Whether the rendered path ``path`` is excluded."""
        if not self.rules:
            return False
        path = path.strip("/")
        folders = list(parent_dirs(path))
        for rule, negated, itself_only in reversed(self.rules):
            if rule.matches(path) or (
                not itself_only and any(rule.matches(d, is_dir=True) for d in folders)
            ):
                return not negated
        return False
