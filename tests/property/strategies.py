"""Hypothesis strategies for related versions of texts and Trees.

Texts are lines from a small alphabet, so that lines repeat and the diff has real choices to
make; a version is derived from another by random edits (insert, delete, replace lines, switch
line endings, drop or add the final newline). Trees hold nested paths, text, binary files,
executables and symlinks; a side is derived from the base by editing, deleting, renaming,
changing the mode or the type of files and by adding files, some of them at paths the other side
may also use, so that add/add, rename and file/directory cases come up. ``LINKS`` trees hold
mostly symlinks between a few names, so that merged links can loop or leave the root.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from templsync._core.tree import FileEntry, Mode, Tree, check_symlink, parent_dirs
from templsync.errors import SymlinkError

WORDS = [b"a", b"b", b"c", b"d", b"e", b"def f():", b"    return 1", b""]
DIRS = ["", "", "d/", "e/", "d/e/", "x/"]
NAMES = ["x", "y", "z.txt", "README", "e"]

# --- texts -------------------------------------------------------------------------------------


@st.composite
def texts(draw: st.DrawFn, max_lines: int = 10) -> bytes:
    """A text of repeated lines, LF or CRLF or mixed, with or without a final newline."""
    words = draw(st.lists(st.sampled_from(WORDS), max_size=max_lines))
    eol = draw(st.sampled_from([b"\n", b"\n", b"\r\n", None]))
    lines = [
        w + (eol if eol is not None else draw(st.sampled_from([b"\n", b"\r\n"]))) for w in words
    ]
    if lines and draw(st.integers(0, 3)) == 0:
        lines[-1] = lines[-1].rstrip(b"\r\n")
    return b"".join(lines)


def _eol_of(lines: list[bytes]) -> bytes:
    crlf = sum(line.endswith(b"\r\n") for line in lines)
    return b"\r\n" if crlf * 2 > len(lines) else b"\n"


@st.composite
def edited(draw: st.DrawFn, text: bytes, max_edits: int = 4) -> bytes:
    """``text`` after a few random line edits (possibly none)."""
    lines = text.splitlines(keepends=True)
    eol = _eol_of(lines)
    for _ in range(draw(st.integers(0, max_edits))):
        op = draw(st.sampled_from(["insert", "insert", "delete", "replace", "eol", "final"]))
        if op == "insert":
            at = draw(st.integers(0, len(lines)))
            if at == len(lines) and lines and not lines[-1].endswith(b"\n"):
                lines[-1] += eol
            lines.insert(at, draw(st.sampled_from(WORDS)) + eol)
        elif not lines:
            continue
        elif op == "delete":
            del lines[draw(st.integers(0, len(lines) - 1))]
        elif op == "replace":
            at = draw(st.integers(0, len(lines) - 1))
            ending = lines[at][len(lines[at].rstrip(b"\r\n")) :]
            lines[at] = draw(st.sampled_from(WORDS)) + ending
        elif op == "eol":
            at = draw(st.integers(0, len(lines) - 1))
            body = lines[at].rstrip(b"\r\n")
            if body != lines[at]:
                lines[at] = body + (b"\n" if lines[at].endswith(b"\r\n") else b"\r\n")
        elif lines[-1].endswith(b"\n"):
            lines[-1] = lines[-1].rstrip(b"\r\n")
        else:
            lines[-1] += eol
    return b"".join(lines)


@st.composite
def text_versions(draw: st.DrawFn) -> tuple[bytes, bytes, bytes]:
    """(base, ours, theirs): two independent edits of one base."""
    base = draw(texts())
    return base, draw(edited(base)), draw(edited(base))


@st.composite
def unique_line_versions(draw: st.DrawFn) -> tuple[bytes, bytes, bytes]:
    """(base, ours, theirs) in which no line repeats and the sides only add fresh lines.

    Each side deletes base lines, inserts lines of its own and replaces base lines by lines of
    its own; the lines that survive keep their order. Then every diff between two of the texts
    has exactly one alignment.
    """
    eol = draw(st.sampled_from([b"\n", b"\r\n"]))
    base = [b"base %d" % i + eol for i in range(draw(st.integers(0, 8)))]

    def side(name: bytes) -> bytes:
        lines = list(base)
        fresh = (name + b" %d" % i + eol for i in range(100))
        for _ in range(draw(st.integers(0, 4))):
            op = draw(st.sampled_from(["insert", "delete", "replace"]))
            if op == "insert":
                lines.insert(draw(st.integers(0, len(lines))), next(fresh))
            elif lines and op == "delete":
                del lines[draw(st.integers(0, len(lines) - 1))]
            elif lines:
                lines[draw(st.integers(0, len(lines) - 1))] = next(fresh)
        return b"".join(lines)

    return b"".join(base), side(b"ours"), side(b"theirs")


# --- trees -------------------------------------------------------------------------------------


def _binary(draw: st.DrawFn) -> bytes:
    return b"\0" + draw(st.binary(max_size=6))


@st.composite
def entries(draw: st.DrawFn) -> FileEntry:
    kind = draw(st.sampled_from(["text", "text", "text", "exec", "binary", "symlink"]))
    if kind == "binary":
        return FileEntry.from_bytes(_binary(draw))
    if kind == "symlink":
        return FileEntry.symlink(draw(st.sampled_from(["x", "../x", "d/y", "z.txt", "e"])))
    mode = Mode.EXECUTABLE if kind == "exec" else Mode.REGULAR
    return FileEntry.from_bytes(draw(texts()), mode)


paths = st.builds(lambda d, n: d + n, st.sampled_from(DIRS), st.sampled_from(NAMES))


@st.composite
def link_entries(draw: st.DrawFn) -> FileEntry:
    """Mostly symlinks between a few names, up and down folders, so that merged links can loop
    or leave the root."""
    if draw(st.integers(0, 3)) == 0:
        return FileEntry.from_bytes(draw(texts(max_lines=2)))
    targets = ["a", "b", "c", "../a", "../b", "d/a", "d", "e/c", "..", "../.."]
    return FileEntry.symlink(draw(st.sampled_from(targets)))


link_paths = st.builds(
    lambda d, n: d + n, st.sampled_from(["", "d/", "d/e/"]), st.sampled_from(["a", "b", "c"])
)


@dataclass(frozen=True)
class Flavour:
    """What a generated tree holds: its files' entries and paths."""

    entries: st.SearchStrategy[FileEntry]
    paths: st.SearchStrategy[str]


MIXED = Flavour(entries(), paths)  # text, executables, binary files, a few symlinks
LINKS = Flavour(link_entries(), link_paths)  # mostly symlinks


def valid_tree(files: dict[str, FileEntry]) -> Tree:
    """A Tree of ``files`` minus what a Tree refuses: a file where another path needs a folder
    (the file goes), and symlinks that leave the root or loop."""
    folders = {parent for path in files for parent in parent_dirs(path)}
    kept = {p: e for p, e in files.items() if p not in folders}
    changed = True
    while changed:
        changed = False
        for path in sorted(kept):
            if kept[path].is_symlink:
                try:
                    check_symlink(path, kept)
                except SymlinkError:
                    del kept[path]
                    changed = True
    return Tree(kept)


@st.composite
def trees(draw: st.DrawFn, flavour: Flavour = MIXED) -> Tree:
    return valid_tree(draw(st.dictionaries(flavour.paths, flavour.entries, max_size=6)))


@st.composite
def edited_entry(draw: st.DrawFn, entry: FileEntry, flavour: Flavour = MIXED) -> FileEntry:
    if entry.is_symlink or b"\0" in entry.content():
        return draw(flavour.entries)
    return FileEntry.from_bytes(draw(edited(entry.content())), entry.mode)


@st.composite
def side_of(draw: st.DrawFn, base: Tree, flavour: Flavour = MIXED) -> Tree:
    """One side's version of ``base``."""
    files: dict[str, FileEntry] = {}
    for path, entry in base.items():
        action = draw(
            st.sampled_from(
                ["keep", "keep", "edit", "edit", "delete", "rename", "rename+edit", "mode", "type"]
            )
        )
        if action == "keep":
            files[path] = entry
        elif action == "edit":
            files[path] = draw(edited_entry(entry, flavour))
        elif action == "delete":
            continue
        elif action in ("rename", "rename+edit"):
            new_path = draw(flavour.paths)
            new = draw(edited_entry(entry, flavour)) if action == "rename+edit" else entry
            files[new_path] = new
        elif action == "mode":
            if entry.is_symlink:
                files[path] = entry
            else:
                other = Mode.REGULAR if entry.mode is Mode.EXECUTABLE else Mode.EXECUTABLE
                files[path] = entry.with_mode(other)
        else:
            files[path] = draw(flavour.entries)
    for _ in range(draw(st.integers(0, 2))):
        files[draw(flavour.paths)] = draw(flavour.entries)
    return valid_tree(files)


@st.composite
def tree_versions(draw: st.DrawFn, flavour: Flavour = MIXED) -> tuple[Tree, Tree, Tree]:
    """(base, ours, theirs): two independent sides of one base."""
    base = draw(trees(flavour))
    return base, draw(side_of(base, flavour)), draw(side_of(base, flavour))
