"""What a destination folder already holds at the paths a copy would write (and only there).

A copy never reads the whole destination (it may hold a ``.git`` or a ``node_modules``): each
path the rendered tree has is looked at with one ``lstat``, and hashed when it is a file.

What is found is a mapping, not a :class:`~templsync._core.tree.Tree`: it is what a plan's writes
replace, so a symlink there is read as the link it is, wherever it points, even outside the
folder (Copier replaces such a link too). It is never followed: the writer replaces a link and
never writes through one.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from functools import partial
from pathlib import Path
from types import MappingProxyType

from templsync._core.tree import FileEntry, Mode
from templsync._io.hashing import hash_file, load_checked, read_error
from templsync.errors import UserError

__all__ = ["PathClashError", "read_paths"]


class PathClashError(UserError):
    """The destination has a folder where the template has a file, or a file where a folder."""


def read_paths(root: Path, paths: Iterable[str]) -> Mapping[str, FileEntry]:
    """The entries of ``root`` at ``paths`` that exist (files, executables, symlinks), by path.

    Raises :class:`PathClashError` when a path is a folder, or a folder on the way to it is a
    file or a symlink.
    """
    entries: dict[str, FileEntry] = {}
    if not root.exists():
        return MappingProxyType(entries)
    for rel in paths:
        full = str(root / rel)
        try:
            st = os.lstat(full)
        except FileNotFoundError:
            continue
        except NotADirectoryError:
            raise _clash(root, rel) from None
        except OSError as err:
            raise read_error(rel, err) from err
        if stat.S_ISLNK(st.st_mode):
            target = os.fsdecode(Path(full).readlink())
            entries[rel] = FileEntry.symlink(target)
        elif stat.S_ISREG(st.st_mode):
            digest, st = hash_file(full, rel)
            mode = Mode.EXECUTABLE if st.st_mode & 0o100 else Mode.REGULAR
            entries[rel] = FileEntry(digest, mode, partial(load_checked, full, rel, digest))
        else:
            raise PathClashError(
                f"{root / rel} is a folder (or not a regular file), but the template "
                "has a file there. Move it away, or copy into another folder."
            )
    return MappingProxyType(entries)


def _clash(root: Path, rel: str) -> PathClashError:
    return PathClashError(
        f"the template writes {rel!r}, but in {root} a file stands where one of its folders "
        "would be. Move it away, or copy into another folder."
    )
