"""Trees: immutable mappings of relative POSIX paths to file entries.

A :class:`Tree` is what every source (a folder, a git commit, a rendered template, a remote store)
turns into, and what every job diffs and merges. Entries are compared by content digest and mode;
content itself is loaded only when someone asks for it.

The digest is git's blob id (SHA-1 of ``b"blob <size>\\0" + content``), so a Tree read from git
objects needs no content to be read at all, and digests agree with ``git hash-object``.
"""

from __future__ import annotations

import enum
import posixpath
from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, ValuesView
from dataclasses import dataclass, field

# Defined in modules of their own (a folder walk uses them without building the classes below)
# and re-exported here, with the trees they serve, for the modules that import them from here.
from templsync._core.blob import blob_digest as blob_digest  # noqa: PLC0414  # re-export
from templsync._core.paths import parent_dirs as parent_dirs  # noqa: PLC0414  # re-export
from templsync.errors import InvalidPathError, SymlinkError, SymlinkOutsideError

ContentLoader = Callable[[], bytes]

_MAX_SYMLINK_HOPS = 40


class Mode(enum.IntEnum):
    """File modes, numbered as git numbers them."""

    REGULAR = 0o100644
    EXECUTABLE = 0o100755
    SYMLINK = 0o120000

    @property
    def label(self) -> str:
        return {Mode.REGULAR: "file", Mode.EXECUTABLE: "executable", Mode.SYMLINK: "symlink"}[self]


_KEY_SUFFIX = {Mode.EXECUTABLE: "+x", Mode.SYMLINK: "+l"}


@dataclass(frozen=True, eq=False)
class FileEntry:
    """One file: its digest, its mode and a way to get its bytes.

    Two entries are equal when digest and mode are equal, wherever their content lives.
    For a symlink, the content is the link's target.
    """

    digest: str
    mode: Mode
    loader: ContentLoader = field(repr=False)

    @classmethod
    def from_bytes(cls, data: bytes, mode: Mode = Mode.REGULAR) -> FileEntry:
        digest = blob_digest(data)
        return cls(digest, mode, _Constant(data, digest))

    @classmethod
    def symlink(cls, target: str) -> FileEntry:
        return cls.from_bytes(target.encode("utf-8", "surrogateescape"), Mode.SYMLINK)

    def content(self) -> bytes:
        return self.loader()

    def verified_content(self) -> bytes | None:
        """The content if it still matches the digest, else None.

        Content held in memory since it was hashed (:meth:`from_bytes`) is not hashed again:
        bytes cannot change. Any other loader's content is hashed and compared.
        """
        loader = self.loader
        if isinstance(loader, _Constant) and loader.digest == self.digest:
            return loader.data
        data = loader()
        return data if blob_digest(data) == self.digest else None

    def with_mode(self, mode: Mode) -> FileEntry:
        return FileEntry(self.digest, mode, self.loader)

    @property
    def is_symlink(self) -> bool:
        return self.mode is Mode.SYMLINK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FileEntry):
            return NotImplemented
        return self.digest == other.digest and self.mode == other.mode

    def __hash__(self) -> int:
        return hash((self.digest, self.mode))


@dataclass(frozen=True, slots=True)
class _Constant:
    data: bytes
    digest: str  # blob_digest(data), computed by FileEntry.from_bytes (the only maker)

    def __call__(self) -> bytes:
        return self.data


def normalize_path(path: str) -> str:
    """Return ``path`` as a normalized relative POSIX path, or raise :class:`InvalidPathError`."""
    if not path:
        raise InvalidPathError(path, "the path is empty")
    if "\0" in path:
        raise InvalidPathError(path, "the path contains a NUL character")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":" and path[0].isalpha()):
        raise InvalidPathError(path, "the path is absolute")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise InvalidPathError(path, "the path contains '..'")
    if not parts:
        raise InvalidPathError(path, "the path names the root itself")
    return "/".join(parts)


class Tree(Mapping[str, FileEntry]):
    """An immutable mapping of normalized relative paths to :class:`FileEntry`.

    Building a Tree validates it: every path is relative and stays inside the root, no path is
    both a file and a folder, and every symlink points inside the tree without looping.
    """

    __slots__ = ("_entries", "_keys", "_symlinks")
    _entries: dict[str, FileEntry]
    _keys: dict[str, str] | None
    _symlinks: bool | None

    def __init__(self, entries: Mapping[str, FileEntry] | None = None) -> None:
        normalized: dict[str, FileEntry] = {}
        for raw, entry in (entries or {}).items():
            path = normalize_path(raw)
            if path in normalized:
                raise InvalidPathError(raw, "the path appears twice once normalized")
            normalized[path] = entry
        _check_structure(normalized)
        self._entries = normalized
        self._keys = None
        self._symlinks = None

    @classmethod
    def _trusted(cls, entries: dict[str, FileEntry]) -> Tree:
        """Wrap ``entries`` that are already known to be valid (the engine's own results)."""
        tree = cls.__new__(cls)
        tree._entries = entries
        tree._keys = None
        tree._symlinks = None
        return tree

    def keyed(self) -> dict[str, str]:
        """``path -> key``, one string per entry (digest, plus a mark for a non-regular mode).

        Two entries are equal exactly when their keys are; comparing strings whose hashes are
        cached is what lets two 10,000-file trees be compared in about a millisecond.
        """
        keys = self._keys
        if keys is None:
            regular, suffix = Mode.REGULAR, _KEY_SUFFIX
            keys = self._keys = {
                p: e.digest if e.mode is regular else e.digest + suffix[e.mode]
                for p, e in self._entries.items()
            }
        return keys

    def has_symlinks(self) -> bool:
        """Whether any entry is a symlink (computed once per Tree)."""
        found = self._symlinks
        if found is None:
            found = self._symlinks = any(e.mode is Mode.SYMLINK for e in self._entries.values())
        return found

    @classmethod
    def from_texts(cls, files: Mapping[str, str | bytes]) -> Tree:
        """Build a Tree of regular files from ``{path: text}``, mostly for examples and tests."""
        return cls(
            {
                p: FileEntry.from_bytes(c.encode("utf-8") if isinstance(c, str) else c)
                for p, c in files.items()
            }
        )

    def __getitem__(self, path: str) -> FileEntry:
        return self._entries[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, path: object) -> bool:
        return path in self._entries

    # The dict's own methods, not Mapping's generic ones: the engine walks 10,000s of entries.
    def get(self, path: str, default: FileEntry | None = None) -> FileEntry | None:  # type: ignore[override]  # Mapping.get's overloads; this one signature covers every use
        return self._entries.get(path, default)

    def items(self) -> ItemsView[str, FileEntry]:
        return self._entries.items()

    def keys(self) -> KeysView[str]:
        return self._entries.keys()

    def values(self) -> ValuesView[FileEntry]:
        return self._entries.values()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Tree):
            return self._entries == other._entries
        return NotImplemented

    def __hash__(self) -> int:
        return hash(frozenset(self._entries.items()))

    def __repr__(self) -> str:
        return f"Tree({len(self._entries)} entries)"

    def paths(self) -> list[str]:
        """The paths in sorted order."""
        return sorted(self._entries)

    def replace(
        self, updates: Mapping[str, FileEntry] | None = None, removals: frozenset[str] = frozenset()
    ) -> Tree:
        """Return a new Tree with ``updates`` set and ``removals`` removed (validated)."""
        merged = {p: e for p, e in self._entries.items() if p not in removals}
        merged.update(updates or {})
        return Tree(merged)

    def texts(self) -> dict[str, bytes]:
        """Every path's content, for tests and small trees."""
        return {p: e.content() for p, e in sorted(self._entries.items())}


def _check_structure(entries: Mapping[str, FileEntry]) -> None:
    for path in entries:
        for parent in parent_dirs(path):
            if parent in entries:
                raise InvalidPathError(
                    path, f"{parent!r} is a file, so it cannot also be a folder holding {path!r}"
                )
    for path, entry in entries.items():
        if entry.is_symlink:
            check_symlink(path, entries)


class AbsoluteSymlinkError(SymlinkError):
    """A symlink whose target is an absolute path.

    A Tree does not know where its root is on disk, so it cannot tell whether such a link stays
    inside; and once the files are moved or cloned elsewhere it points somewhere else. A reader
    that knows the root says more (:func:`templsync._io.local.explain_symlink`). ``link`` and
    ``target`` are the refused link and its target, as for every :class:`SymlinkError`;
    ``absolute_link`` is the link whose target is absolute (it or one it goes through).
    """

    def __init__(
        self, origin: str, link: str, target: str, via: str = "", *, origin_target: str
    ) -> None:
        self.absolute_link = link
        self.absolute_target = target
        super().__init__(
            f"symlink {origin!r} points to the absolute path {target!r}{via}. A project's "
            "symlinks must be relative: an absolute one points somewhere else once the project "
            "is moved or cloned. Replace it with a relative link, or add it to the ignore rules.",
            link=origin,
            target=origin_target,
        )


def symlink_target(path: str, entry: FileEntry) -> str:
    """Where the symlink at ``path`` points, as a path relative to the root (not normalized)."""
    return posixpath.join(
        posixpath.dirname(path), entry.content().decode("utf-8", "surrogateescape")
    )


def check_symlink(path: str, entries: Mapping[str, FileEntry]) -> None:
    """Raise :class:`SymlinkError` when the symlink at ``path`` leaves the root or loops.

    The target is resolved one component at a time, following every symlink met on the way as
    the operating system does, so a link cannot leave the root through another link to a folder
    higher up (``l -> d/../../x`` with ``d -> ../..``). Components that do not exist are taken
    as plain folders; a dangling link is allowed.
    """
    _Resolver(path, entries).follow(path, ())


@dataclass
class _Resolver:
    origin: str
    entries: Mapping[str, FileEntry]
    hops: int = 0

    def follow(self, link: str, chain: tuple[str, ...]) -> list[str]:
        """The components of the path the symlink ``link`` resolves to."""
        if link in chain:
            shown = " -> ".join([*chain, link])
            raise SymlinkError(f"symlink loop: {shown}. Break the loop by replacing one link.")
        self.hops += 1
        if self.hops > _MAX_SYMLINK_HOPS:
            raise SymlinkError(
                f"symlink {self.origin!r} goes through more than {_MAX_SYMLINK_HOPS} links."
            )
        raw_target = self.entries[link].content().decode("utf-8", "surrogateescape")
        via = f" (through the symlink {link!r})" if link != self.origin else ""
        if raw_target.startswith("/"):
            raise AbsoluteSymlinkError(
                self.origin, link, raw_target, via, origin_target=self._origin_target()
            )
        parts = link.split("/")[:-1]
        for name in raw_target.split("/"):
            if name in ("", "."):
                continue
            if name == "..":
                if not parts:
                    raise SymlinkOutsideError(
                        self.origin,
                        f"the symlink points to {raw_target!r}{via}, which leaves the project "
                        "root. Replace it with a link inside the project or add it to the ignore "
                        "rules.",
                        target=self._origin_target(),
                    )
                parts.pop()
                continue
            parts.append(name)
            entry = self.entries.get("/".join(parts))
            if entry is not None and entry.is_symlink:
                parts = self.follow("/".join(parts), (*chain, link))
        return parts

    def _origin_target(self) -> str:
        return self.entries[self.origin].content().decode("utf-8", "surrogateescape")
