"""The contract between schema sync and an ORM: model modules in, :class:`ModelSpec` values out.

An adapter imports the modules it is given (the project root is already on the import path,
see :mod:`templsync.schema.project`), finds the model classes in them and reads each into a
:class:`ModelSpec` without a database. It also builds an instance of a model from field values
(``validate`` checks each Response schema against one). Exceptions raised by the user's modules
or by the ORM are translated here into :class:`ModelsError`, naming the module and the cause.
"""

from __future__ import annotations

import importlib
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Protocol

from templsync.schema.model import ModelsError, ModelSpec


@dataclass(frozen=True)
class Loaded:
    """What an adapter read: the models (sorted by module, then name) and their classes by name."""

    models: tuple[ModelSpec, ...]
    classes: Mapping[str, type]


class Adapter(Protocol):
    """One ORM. ``name`` is its ``orm`` setting (``tortoise``, ``sqlalchemy``)."""

    @property
    def name(self) -> str: ...

    def load(self, modules: Sequence[str]) -> Loaded:
        """Import ``modules`` and read the models they hold (defined there or imported)."""
        ...

    def instance(self, cls: type, values: Mapping[str, object]) -> object:
        """An unsaved instance of the model ``cls`` holding ``values`` (keyed by field name)."""
        ...


def import_modules(names: Sequence[str]) -> list[ModuleType]:
    """Import each module, translating what goes wrong into :class:`ModelsError`."""
    modules: list[ModuleType] = []
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as e:
            if e.name is not None and (name == e.name or name.startswith(f"{e.name}.")):
                raise ModelsError(
                    f"the model module {name!r} was not found. Check `models` in "
                    "[tool.templsync.schema] (dotted module names, importable from the project "
                    "root, the folder of its pyproject.toml)."
                ) from e
            raise ModelsError(f"importing the model module {name!r} failed: {_cause(e)}") from e
        except Exception as e:  # the user's code can raise anything while it is imported
            raise ModelsError(f"importing the model module {name!r} failed: {_cause(e)}") from e
    return modules


def _cause(error: BaseException) -> str:
    """``Type: message (file:line)``, at the innermost frame of the traceback."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


def module_classes(modules: Sequence[ModuleType]) -> list[type]:
    """The classes the modules hold, each once, in the order found (module by module)."""
    seen: dict[int, type] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and id(value) not in seen:
                seen[id(value)] = value
    return list(seen.values())


def sorted_models(models: Sequence[ModelSpec], modules: Sequence[str]) -> tuple[ModelSpec, ...]:
    """Models in a fixed order: by the first listed module that is or contains their own, then
    by their module, then by name."""

    def rank(spec: ModelSpec) -> tuple[int, str, str]:
        for i, name in enumerate(modules):
            if spec.module == name or spec.module.startswith(f"{name}."):
                return (i, spec.module, spec.name)
        return (len(modules), spec.module, spec.name)

    return tuple(sorted(models, key=rank))
