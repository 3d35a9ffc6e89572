"""Ignore rules with gitignore semantics (via ``pathspec``): negation, ``dir/`` and ``/anchored``.

Each caller passes its own defaults; :func:`IgnoreRules.extend` adds a project's own patterns after
them, so a project can re-include (``!pattern``) what a default ignores. As in git, a file inside an
ignored folder cannot be re-included: the walk never enters that folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pathspec

from templsync._core.tree import Tree, parent_dirs


@dataclass(frozen=True)
class IgnoreRules:
    patterns: tuple[str, ...] = ()
    _spec: pathspec.GitIgnoreSpec = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_spec", pathspec.GitIgnoreSpec.from_lines(self.patterns))

    @classmethod
    def of(cls, *groups: Iterable[str]) -> IgnoreRules:
        """Rules from pattern groups (later groups win), skipping blanks and ``#`` comments."""
        lines = [line.rstrip("\n") for group in groups for line in group]
        return cls(tuple(line for line in lines if line.strip() and not line.startswith("#")))

    def extend(self, patterns: Iterable[str]) -> IgnoreRules:
        return IgnoreRules.of(self.patterns, patterns)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def matches(self, path: str, *, is_dir: bool = False) -> bool:
        """Whether ``path`` itself is ignored (its folders are not looked at)."""
        if not self.patterns:
            return False
        return self._spec.match_file(path + "/" if is_dir else path)

    def ignores(self, path: str) -> bool:
        """Whether the file at ``path`` is ignored, itself or through one of its folders."""
        if not self.patterns:
            return False
        if any(self.matches(d, is_dir=True) for d in parent_dirs(path)):
            return True
        return self.matches(path)

    def filter(self, tree: Tree) -> Tree:
        """The part of ``tree`` these rules do not ignore."""
        if not self.patterns:
            return tree
        return Tree._trusted({p: e for p, e in tree.items() if not self.ignores(p)})
