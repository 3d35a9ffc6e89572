"""The packages' public names: all importable, each from the module the type checker sees, and
loaded only when first used."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGES = ["templsync", "templsync._core", "templsync._io"]


def type_checking_imports(package: str) -> dict[str, str]:
    """``name -> module`` of the imports under ``if TYPE_CHECKING:`` in the package's source."""
    source = Path(importlib.import_module(package).__file__ or "").read_text()
    found: dict[str, str] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom) and stmt.module
                found.update({alias.name: stmt.module for alias in stmt.names})
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_loads_from_the_module_the_type_checker_sees(package: str) -> None:
    module = importlib.import_module(package)
    seen_by_mypy = type_checking_imports(package)
    assert set(module.__all__) - {"__version__"} == set(seen_by_mypy)
    for name, source in seen_by_mypy.items():
        assert getattr(module, name) is getattr(importlib.import_module(source), name)
        assert name in dir(module)


@pytest.mark.parametrize("package", PACKAGES)
def test_an_unknown_name_is_an_attribute_error(package: str) -> None:
    module = importlib.import_module(package)
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = module.no_such_name


def test_importing_the_packages_loads_none_of_their_modules() -> None:
    code = (
        "import sys, templsync, templsync._core, templsync._io\n"
        "print(' '.join(m for m in sys.modules if m.startswith('templsync')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # templsync._lazy is the one small module behind every package's lazy names.
    assert set(done.stdout.split()) == {*PACKAGES, "templsync._lazy"}


def test_names_from_the_package_and_its_submodules_mix() -> None:
    from templsync import Tree, merge3
    from templsync._core import diff as diff_module

    merged = merge3(Tree.from_texts({}), Tree.from_texts({"a": "x\n"}), Tree.from_texts({}))
    assert merged.tree.paths() == Tree.from_texts({"a": "x\n"}).paths()
    assert diff_module.diff_trees is importlib.import_module("templsync").diff_trees
