"""Sample projects for the schema tests: the example model packages copied into a tmp folder,
read through an adapter, and the generated module written beside them and imported."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from templsync.schema.adapter import Adapter, Loaded
from templsync.schema.imports import project_imports
from templsync.schema.render import render_module

EXAMPLES = Path(__file__).parent / "examples"
RUFF = Path(sys.executable).parent / "ruff"


def make_project(root: Path, *examples: str) -> Path:
    """``root`` holding copies of the example packages (``shop_sa`` ...)."""
    root.mkdir(parents=True, exist_ok=True)
    for name in examples:
        shutil.copytree(EXAMPLES / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def load(root: Path, adapter: Adapter, modules: Sequence[str]) -> Loaded:
    with project_imports(root):
        return adapter.load(modules)


def generated(root: Path, adapter: Adapter, modules: Sequence[str]) -> tuple[Loaded, str]:
    """The models of ``modules`` and the module generated from them."""
    loaded = load(root, adapter, modules)
    return loaded, render_module(loaded.models, modules)


def import_text(root: Path, text: str, name: str = "schemas_generated") -> ModuleType:
    """``text`` written as ``root/<name>.py`` and imported (with the project importable)."""
    (root / f"{name}.py").write_text(text)
    with project_imports(root):
        return importlib.import_module(name)


def import_with(root: Path, text: str, *modules: str) -> list[ModuleType]:
    """The generated module (written from ``text``) and ``modules``, imported in one go, so
    they share the classes they both use (an enum)."""
    (root / "schemas_generated.py").write_text(text)
    with project_imports(root):
        return [importlib.import_module(m) for m in ("schemas_generated", *modules)]


def ruff_format_diff(text: str, where: Path) -> str:
    """What ``ruff format`` would change in ``text`` (empty: nothing), with ruff's defaults."""
    path = where / "formatted_check.py"
    path.write_text(text)
    done = subprocess.run(
        [str(RUFF), "format", "--isolated", "--diff", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout if done.returncode else ""


def configure(root: Path, models: Sequence[str], **settings: object) -> Path:
    """Write ``root/pyproject.toml``: ``[tool.templsync.schema]`` with ``models`` and more."""
    lines = ["[tool.templsync.schema]", f"models = {list(models)!r}".replace("'", '"')]
    for key, value in settings.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {str(value).lower()}")
        elif isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        else:
            lines.append(f"{key} = {value}")
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return root


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) with ``new`` in the file."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))
