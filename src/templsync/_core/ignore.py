"""Ignore rules with gitignore semantics: negation, ``dir/``, ``/anchored`` and ``**`` patterns.

Each caller passes its own defaults; :func:`IgnoreRules.extend` adds a project's own patterns after
them, so a project can re-include (``!pattern``) what a default ignores. As in git, a file inside an
ignored folder cannot be re-included: the walk never enters that folder.

Patterns are matched as git matches them (``dir.c`` and ``wildmatch.c``): each pattern is tested
against one path at a time, the last pattern that matches decides, and a pattern never matches a
path because it matched one of the path's folders. ``pathspec``'s ``GitIgnoreSpec`` was used here
before; its patterns also match every path below a matching folder, which gave answers git does not
give (``a/**`` ignored the folder ``a`` itself; ``!x`` re-included ``x/b`` when ``**/b`` ignored
it). ``tests/core/test_ignore.py`` checks these rules against git itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from templsync._core.paths import parent_dirs

if TYPE_CHECKING:
    from templsync._core.tree import Tree

_POSIX_CLASSES = {
    "alnum": "a-zA-Z0-9",
    "alpha": "a-zA-Z",
    "blank": " \\t",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "\\x21-\\x7e",
    "lower": "a-z",
    "print": "\\x20-\\x7e",
    "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    "space": " \\t\\n\\r\\f\\v",
    "upper": "A-Z",
    "xdigit": "0-9A-Fa-f",
}


@dataclass(frozen=True)
class _Pattern:
    """One compiled gitignore line."""

    regex: re.Pattern[str] | None  # None: a malformed pattern, which git never matches
    negated: bool
    dir_only: bool
    basename: bool  # no slash in the pattern: matched against the last path component

    @classmethod
    def parse(cls, line: str) -> _Pattern | None:
        """Compile one line; None for a blank line or a comment."""
        line = _trim_trailing_spaces(line.rstrip("\r"))
        if not line or line.startswith("#"):
            return None
        negated = line.startswith("!")
        if negated:
            line = line[1:]
        dir_only = line.endswith("/")
        if dir_only:
            line = line[:-1]
        if not line:
            return None
        basename = "/" not in line
        if line.startswith("/"):
            line = line[1:]
        source = _translate(line, pathname=not basename)
        regex = re.compile(source, re.DOTALL) if source is not None else None
        return cls(regex, negated, dir_only, basename)


def _trim_trailing_spaces(line: str) -> str:
    """Drop trailing spaces, except one escaped with a backslash (as git does)."""
    end = len(line)
    while end and line[end - 1] == " ":
        backslashes = len(line[: end - 1]) - len(line[: end - 1].rstrip("\\"))
        if backslashes % 2:
            break
        end -= 1
    return line[:end]


def _translate(pattern: str, *, pathname: bool) -> str | None:
    """The regex for a wildmatch pattern (None when git would reject the pattern).

    With ``pathname`` (a pattern holding a slash), ``*``, ``?`` and ``[...]`` never match ``/``,
    ``**/`` matches any number of folders, and a final ``/**`` matches everything inside.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            at_boundary = (i == 0 or pattern[i - 1] == "/") and (j == n or pattern[j] == "/")
            if not pathname:
                out.append(".*")
            elif j - i >= 2 and at_boundary:
                if j == n:
                    out.append(".*")
                else:
                    out.append("(?:.*/)?")
                    j += 1  # the slash belongs to "**/"
            else:
                out.append("[^/]*")
            i = j
        elif c == "?":
            out.append("[^/]" if pathname else ".")
            i += 1
        elif c == "[":
            parsed = _bracket(pattern, i + 1)
            if parsed is None:
                return None
            regex, i = parsed
            out.append(("(?!/)" if pathname else "") + regex)
        elif c == "\\":
            if i + 1 == n:
                return None
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _bracket(pattern: str, i: int) -> tuple[str, int] | None:
    """Translate the ``[...]`` class whose body starts at ``i``: (regex, index after ``]``)."""
    n = len(pattern)
    negated = i < n and pattern[i] in "!^"
    if negated:
        i += 1
    parts: list[str] = []
    first = True
    while True:
        if i >= n:
            return None  # no closing bracket: git matches nothing
        c = pattern[i]
        if c == "]" and not first:
            i += 1
            break
        first = False
        if c == "\\":
            if i + 1 >= n:
                return None
            c = pattern[i + 1]
            i += 2
        elif c == "[" and pattern.startswith("[:", i):
            end = pattern.find(":]", i + 2)
            if end != -1:
                name = pattern[i + 2 : end]
                if name not in _POSIX_CLASSES:
                    return None
                parts.append(_POSIX_CLASSES[name])
                i = end + 2
                continue
            i += 1
        else:
            i += 1
        if i + 1 < n and pattern[i] == "-" and pattern[i + 1] != "]":
            high = pattern[i + 1]
            i += 2
            if high == "\\":
                if i >= n:
                    return None
                high = pattern[i]
                i += 1
            if c <= high:
                parts.append(f"{re.escape(c)}-{re.escape(high)}")
            continue
        parts.append(re.escape(c))
    body = "".join(parts)
    if negated:
        return f"[^{body}]", i
    return (f"[{body}]" if body else "(?!)"), i


@dataclass(frozen=True)
class _Run:
    """Consecutive patterns of one sign (all ignore, or all re-include), as four regexes: a path
    matches the run when any of its patterns matches, and then they all give the same answer."""

    negated: bool
    names: re.Pattern[str] | None  # basename patterns, files and folders alike
    paths: re.Pattern[str] | None  # patterns with a slash, matched against the whole path
    dir_names: re.Pattern[str] | None  # ``name/``: folders only
    dir_paths: re.Pattern[str] | None

    @classmethod
    def of(cls, patterns: list[_Pattern]) -> _Run:
        def joined(basename: bool, dir_only: bool) -> re.Pattern[str] | None:
            sources = [
                p.regex.pattern
                for p in patterns
                if p.regex is not None and p.basename is basename and p.dir_only is dir_only
            ]
            if not sources:
                return None
            return re.compile("|".join(f"(?:{s})" for s in sources), re.DOTALL)

        return cls(
            patterns[0].negated,
            joined(True, False),
            joined(False, False),
            joined(True, True),
            joined(False, True),
        )

    def matches(self, path: str, name: str, *, is_dir: bool) -> bool:
        if self.names is not None and self.names.fullmatch(name):
            return True
        if self.paths is not None and self.paths.fullmatch(path):
            return True
        if not is_dir:
            return False
        if self.dir_names is not None and self.dir_names.fullmatch(name):
            return True
        return self.dir_paths is not None and self.dir_paths.fullmatch(path) is not None


def _runs(patterns: tuple[_Pattern, ...]) -> tuple[_Run, ...]:
    """``patterns`` cut into runs of one sign, the last run first (the last match decides)."""
    runs: list[list[_Pattern]] = []
    for pattern in patterns:
        if runs and runs[-1][0].negated is pattern.negated:
            runs[-1].append(pattern)
        else:
            runs.append([pattern])
    return tuple(_Run.of(run) for run in reversed(runs))


@dataclass(frozen=True)
class IgnoreRules:
    patterns: tuple[str, ...] = ()
    _compiled: tuple[_Pattern, ...] = field(init=False, repr=False, compare=False)
    _runs: tuple[_Run, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compiled = tuple(
            p for p in (_Pattern.parse(line) for line in self.patterns) if p is not None
        )
        object.__setattr__(self, "_compiled", compiled)
        object.__setattr__(self, "_runs", _runs(compiled))

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
        name = path.rpartition("/")[2]
        for run in self._runs:
            if run.matches(path, name, is_dir=is_dir):
                return not run.negated
        return False

    def ignores(self, path: str) -> bool:
        """Whether the file at ``path`` is ignored, itself or through one of its folders."""
        if not self._compiled:
            return False
        if any(self.matches(d, is_dir=True) for d in parent_dirs(path)):
            return True
        return self.matches(path)

    def filter(self, tree: Tree) -> Tree:
        """The part of ``tree`` these rules do not ignore."""
        if not self._compiled:
            return tree
        from templsync._core.tree import Tree  # noqa: PLC0415  # a folder walk needs no Tree

        return Tree._trusted({p: e for p, e in tree.items() if not self.ignores(p)})
