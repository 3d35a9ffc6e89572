"""The project's modules imported for one run, and forgotten afterwards.

:func:`project_imports` puts the project root first on the import path for the block, and at its
end removes it again along with every module first imported during the block from a file under
the root: the next block (the next regeneration of ``schema watch``, the next test) imports the
model modules afresh from their files, and modules that were loaded before the block (an
application's own, already running) are left alone. No bytecode is written for them, so a
model file edited twice within a second is never read from a stale ``.pyc``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def project_imports(root: Path) -> Iterator[list[Path]]:
    """The block's imports from ``root``; the list it gives is filled, when the block ends, with
    the files of the modules first imported from under the root during the block."""
    root = root.resolve()
    files: list[Path] = []
    entry = str(root)
    before = set(sys.modules)
    added = entry not in sys.path
    if added:
        sys.path.insert(0, entry)
    saved_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    importlib.invalidate_caches()
    try:
        yield files
    finally:
        sys.dont_write_bytecode = saved_bytecode
        if added:
            sys.path.remove(entry)
        for name in sorted(set(sys.modules) - before):
            module = sys.modules[name]
            if _under(module, root):
                file = getattr(module, "__file__", None)
                if isinstance(file, str):
                    files.append(Path(file))
                del sys.modules[name]


def _under(module: object, root: Path) -> bool:
    file = getattr(module, "__file__", None)
    if not isinstance(file, str):
        paths = getattr(getattr(module, "__path__", None), "_path", None)  # namespace packages
        return isinstance(paths, list) and any(Path(p).is_relative_to(root) for p in paths)
    path = Path(file)
    if not path.is_relative_to(root):
        return False
    return not any(part in ("site-packages", "dist-packages") for part in path.parts)
