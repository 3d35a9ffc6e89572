"""Route Copier's entry points to templsync in any process, from its first import of Copier.

The suite's virtualenv has a ``.pth`` file that imports this module when Python starts. When
``TEMPLSYNC_COPIER_SUITE_ROUTE`` is set, :func:`install` puts an import hook in front of the
others: right after ``copier._main`` is executed, its ``run_copy``, ``run_update`` and
``run_recopy`` are replaced by :mod:`copier_suite.routing`'s. Everything that reaches them by
name afterwards gets templsync's: ``copier.run_copy`` (``copier.__getattr__`` reads
``copier._main``), ``from copier._main import run_copy`` and ``copier._cli``, which imports them
from ``copier._main`` once it has run. The pytest processes (xdist workers included) and the
``copier`` commands the tests start (``python -m copier``, the ``copier`` script) are routed
alike. Without the variable, this module does nothing and imports nothing.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from collections.abc import Sequence
from types import ModuleType

ROUTE_ENV = "TEMPLSYNC_COPIER_SUITE_ROUTE"
ROUTED_MODULE = "copier._main"


class _Loader(importlib.abc.Loader):
    """The real loader of ``copier._main``, then the routing installed on the module."""

    def __init__(self, real: importlib.abc.Loader) -> None:
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.real.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.real.exec_module(module)
        from copier_suite.routing import route

        route(module)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != ROUTED_MODULE:
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _Loader(spec.loader)
                return spec
        return None


def install() -> None:
    """Route Copier when the environment asks for it (see the module's documentation)."""
    if os.environ.get(ROUTE_ENV) and not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


install()
