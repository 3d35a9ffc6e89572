"""The empty folders of a render, made in an instance's folder as Copier makes them.

A Tree holds files only; a render also names the folders it makes that hold no file
(:attr:`~templsync.template.render.RenderedTree.folders`). Which of them a command makes:

- ``copy`` and ``recopy``: every one the destination lacks, as Copier's copy does; a file or
  symlink standing where one goes refuses the copy before anything is written;
- ``update``: the ones the new version makes and the recorded version did not make at all (as
  an empty folder or as one holding files), when the instance lacks them: Copier's update copies
  the new version over the instance, so they appear there. A folder both versions make is left
  as the instance has it: made by the copy or the last update, or removed by the instance on
  purpose (kept removed, as a deleted file is). The writer still removes a folder the update
  empties of files. (Copier's update also removes every folder of both versions that is empty
  at its end, the template's empty folders included; templsync does not.) Where the instance
  has a file (or the update writes one), the folder is left out.

Each folder costs one ``lstat``; the writer makes them (:class:`~templsync._core.plan.Plan`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from templsync._core.tree import Tree, parent_dirs
from templsync._io.hashing import read_error
from templsync.instance.existing import PathClashError
from templsync.instance.session import Rendered

__all__ = ["missing_folders", "new_folders"]


def missing_folders(root: Path, folders: Iterable[str], *, clash: bool = True) -> tuple[str, ...]:
    """The ``folders`` that ``root`` does not have yet, sorted.

    When something other than a folder (a file, a symlink) is at one of them or on the way to
    it, raises :class:`PathClashError`, or with ``clash=False`` leaves that folder out.
    """
    missing: list[str] = []
    for rel in sorted(folders):
        try:
            st = os.lstat(root / rel)
        except FileNotFoundError:
            missing.append(rel)
            continue
        except NotADirectoryError:
            if clash:
                raise _clash(root, rel) from None
            continue
        except OSError as err:
            raise read_error(rel, err) from err
        if clash and not stat.S_ISDIR(st.st_mode):
            raise _clash(root, rel)
    return tuple(missing)


def new_folders(root: Path, base: Rendered, theirs: Rendered, after: Tree) -> tuple[str, ...]:
    """What an update makes: folders ``theirs`` makes and ``base`` did not, that ``root`` lacks,
    with no file of ``after`` (the instance's files once updated) at or above them."""
    if not theirs.folders:
        return ()
    made_before = set(base.folders)
    made_before.update(d for p in base.tree for d in parent_dirs(p))
    wanted = [
        folder
        for folder in theirs.folders - made_before
        if folder not in after and not any(d in after for d in parent_dirs(folder))
    ]
    return missing_folders(root, wanted, clash=False) if wanted else ()


def _clash(root: Path, rel: str) -> PathClashError:
    return PathClashError(
        f"the template makes the folder {rel!r}, but in {root} a file (or a symlink) stands "
        "there or on the way to it. Move it away, or copy into another folder."
    )
