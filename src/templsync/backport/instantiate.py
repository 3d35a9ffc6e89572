"""A template version rendered with given answers, in memory, nothing asked, no task run.

This is the one render behind ``verify --dry-run``, ``templatize --check`` and ``backport``'s
round trip: :func:`templsync.instance.session.open_session` answered from ``data``, the
questions' defaults for the rest, rendered into a Tree: the files ``templsync copy --defaults``
would write. :class:`MemorySource` serves a template held as a Tree (made or changed in memory,
never written) as a template source with one version, so a template can be checked before a
single file of it is on disk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from packaging.version import Version

from templsync._core.tree import Tree, normalize_path
from templsync._io.sources import ResolvedVersion, TemplateSource
from templsync.instance.session import Rendered, Session, SessionOptions, open_session

__all__ = ["Instantiated", "MemorySource", "answered_options", "render_instance"]


@dataclass(frozen=True)
class MemorySource:
    """A template held in memory: ``files`` is its one version (a folder's, without versions)."""

    src_path: str
    files: Tree

    def versions(self, *, prereleases: bool = False) -> list[tuple[Version, str]]:
        return []

    def resolve(self, ref: str | None = None, *, prereleases: bool = False) -> ResolvedVersion:
        return ResolvedVersion(ref=None, commit=None, recorded=None, version=None)

    def tree(self, version: ResolvedVersion, subdirectory: str | None = None) -> Tree:
        if subdirectory is None:
            return self.files
        prefix = normalize_path(subdirectory) + "/"
        return Tree({p[len(prefix) :]: e for p, e in self.files.items() if p.startswith(prefix)})

    def empty_folders(self, version: ResolvedVersion) -> frozenset[str]:
        return frozenset()


@dataclass(frozen=True)
class Instantiated:
    """A render with given answers, and the session that made it (its renderer and context)."""

    session: Session
    rendered: Rendered


def answered_options(
    data: Mapping[str, object],
    *,
    trust: bool = False,
    answers_file: str | None = None,
    exclude: tuple[str, ...] = (),
    cache_dir: Path | None = None,
) -> SessionOptions:
    """Session options that answer from ``data``, then the defaults, and never ask."""
    return SessionOptions(
        data=MappingProxyType(dict(data)),
        defaults=True,
        trust=trust,
        skip_tasks=True,
        quiet=True,
        overwrite=True,
        answers_file=answers_file,
        exclude=exclude,
        cache_dir=cache_dir,
    )


def render_instance(
    source: TemplateSource,
    version: ResolvedVersion,
    dst: Path,
    options: SessionOptions,
) -> Instantiated:
    """``version`` of ``source`` rendered for the folder ``dst`` (its name is ``_folder_name``).

    Raises what a copy raises before it writes: a missing answer, a render error, trust needed.
    """
    session = open_session(source, version, dst, options, operation="copy")
    session.answer()
    return Instantiated(session, session.render_tree())
