"""One generation: the configured model modules imported through their ORM's adapter, read
into values and rendered into the module's text, with the files it was made from.

The adapter is the one ``orm`` names, or, when absent, the one the model files show: a file
that imports ``tortoise`` means Tortoise, ``sqlalchemy`` or ``sqlmodel`` SQLAlchemy. The files a
generation depends on are every project file imported while the models were read (the model
modules, and the enums and helpers they import), so a change to any of them makes the next run
generate again.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from templsync.schema.adapter import Adapter, Loaded
from templsync.schema.imports import project_imports
from templsync.schema.model import SchemaError
from templsync.schema.project import Project
from templsync.schema.render import render_module
from templsync.schema.state import file_digest

if TYPE_CHECKING:
    from templsync.schema.settings import SchemaSettings

_TORTOISE = re.compile(r"^\s*(from|import)\s+tortoise\b", re.MULTILINE)
_SQLALCHEMY = re.compile(r"^\s*(from|import)\s+(sqlalchemy|sqlmodel)\b", re.MULTILINE)


@dataclass(frozen=True)
class Generation:
    text: str
    loaded: Loaded
    orm: str
    sources: Mapping[str, str]  # project-relative path -> SHA-256


def module_files(root: Path, module: str) -> list[Path]:
    """The files of a module under ``root`` (a package: its ``.py`` files), found without
    importing it."""
    base = root.joinpath(*module.split("."))
    if base.with_suffix(".py").is_file():
        return [base.with_suffix(".py")]
    if (base / "__init__.py").is_file():
        return sorted(base.glob("*.py"))
    return []


def detect_orm(root: Path, modules: list[str]) -> str:
    found: set[str] = set()
    absent = [m for m in modules if not module_files(root, m)]
    for module in modules:
        for file in module_files(root, module):
            text = file.read_text(encoding="utf-8", errors="replace")
            if _TORTOISE.search(text):
                found.add("tortoise")
            if _SQLALCHEMY.search(text):
                found.add("sqlalchemy")
    if len(found) == 1:
        return found.pop()
    if absent and not found:
        names = ", ".join(absent)
        raise SchemaError(
            f"the model module(s) {names} are not files under {root} (a module `a.b` is "
            "a/b.py or the package a/b/), so the ORM cannot be told from their imports. Check "
            '`models` in [tool.templsync.schema], or set `orm` to "tortoise" or "sqlalchemy" '
            "when the models are installed elsewhere."
        )
    what = "both Tortoise and SQLAlchemy" if found else "neither Tortoise nor SQLAlchemy"
    raise SchemaError(
        f"the model modules ({', '.join(modules)}) import {what}: set `orm` in "
        '[tool.templsync.schema] to "tortoise" or "sqlalchemy".'
    )


def adapter_for(project: Project, settings: SchemaSettings) -> Adapter:
    orm = settings.orm or detect_orm(project.root, settings.models)
    try:
        if orm == "tortoise":
            module = importlib.import_module("templsync.schema.tortoise")
            adapter: Adapter = module.TortoiseAdapter(settings.tortoise_app)
        else:
            module = importlib.import_module("templsync.schema.sqlalchemy")
            adapter = module.SQLAlchemyAdapter()
    except ImportError as e:
        package = "tortoise-orm" if orm == "tortoise" else "sqlalchemy"
        raise SchemaError(
            f"the {orm} adapter needs {package}, which is not installed here ({e}). Install it "
            "in the environment templsync runs in (the project's own)."
        ) from e
    return adapter


def generate(project: Project, settings: SchemaSettings) -> Generation:
    """Import the models (afresh), read them and render the module."""
    adapter = adapter_for(project, settings)
    with project_imports(project.root) as imported:
        loaded = adapter.load(settings.models)
    text = render_module(loaded.models, settings.models, settings.model_options())
    files = set(imported)
    for module in settings.models:
        files.update(module_files(project.root, module))
    sources: dict[str, str] = {}
    root = project.root.resolve()
    for file in sorted(files):
        resolved = file.resolve()
        recorded = file_digest(resolved)
        if recorded is not None and resolved.is_relative_to(root):
            sources[resolved.relative_to(root).as_posix()] = recorded
    return Generation(text, loaded, adapter.name, sources)
