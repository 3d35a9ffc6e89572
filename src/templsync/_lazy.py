"""Package namespaces whose public names load their modules on first use (PEP 562).

A package ``__init__`` lists, per defining module, the names it re-exports; ``import
templsync.instance`` then costs nothing, and ``templsync.instance.copy`` imports Jinja only
when someone asks for it. Type checkers see the same names through an ``if TYPE_CHECKING:``
import block beside the table.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, sources: Mapping[str, tuple[str, ...]], namespace: dict[str, Any]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose globals are ``namespace``."""
    module_of = {name: module for module, names in sources.items() for name in names}

    def __getattr__(name: str) -> object:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # the next lookup finds it without calling __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *module_of})

    return __getattr__, __dir__
