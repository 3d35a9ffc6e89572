"""``_exclude`` matched as Copier 9 matches it, which is not quite as git matches ignore files.

Copier hands the patterns (normalized to NFD) to ``pathspec`` and asks about each rendered path
on its own: a pattern matches a path when it matches the path or any folder above it, and the
last pattern that matches decides. So, unlike git, ``!docs/keep.md`` brings back a file inside
an excluded ``docs`` folder. Each pattern is compiled by :class:`IgnoreRules`, which matches one
path exactly as git does.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from templsync._core.ignore import IgnoreRules
from templsync._core.tree import parent_dirs


@dataclass(frozen=True)
class CopierExclude:
    """Compiled ``_exclude`` patterns: (one-pattern rules, negated) in order."""

    rules: tuple[tuple[IgnoreRules, bool], ...] = ()

    @classmethod
    def of(cls, patterns: Iterable[str]) -> CopierExclude:
        rules: list[tuple[IgnoreRules, bool]] = []
        for raw in patterns:
            pattern = unicodedata.normalize("NFD", raw)
            negated = pattern.startswith("!")
            one = IgnoreRules.of([pattern[1:] if negated else pattern])
            if one:
                rules.append((one, negated))
        return cls(tuple(rules))

    def matches(self, path: str) -> bool:
        """Whether the rendered path ``path`` is excluded."""
        if not self.rules:
            return False
        path = path.strip("/")
        folders = list(parent_dirs(path))
        for rule, negated in reversed(self.rules):
            if rule.matches(path) or any(rule.matches(d, is_dir=True) for d in folders):
                return not negated
        return False
