"""What the hand-written schema file uses from the generated one, read from its source (never
imported here): a regeneration that would remove a class the manual file imports or extends is
refused before anything is written.

A name is used when the manual file imports it from a module named like the generated file
(``from .schemas_generated import ProductCreate``, ``from src.api.schemas_generated import ...``),
or reads it as an attribute of that module imported whole (``schemas_generated.ProductCreate``).
"""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from templsync.schema.model import SchemaError


def used_names(manual: str, output: str) -> set[str]:
    """The names the manual file's source uses from the generated module at ``output``."""
    stem = PurePosixPath(output).stem
    try:
        tree = ast.parse(manual)
    except SyntaxError:
        return set()
    names: set[str] = set()
    aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.module is not None and node.module.split(".")[-1] == stem:
                names.update(a.name for a in node.names if a.name != "*")
            elif node.module is None or node.level:
                for alias in node.names:  # from . import schemas_generated
                    if alias.name == stem:
                        aliases.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[-1] == stem:
                    aliases.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and ast.unparse(node.value) in aliases:
            names.add(node.attr)
    return names


def defined_names(text: str) -> set[str]:
    """The top-level names a module's source defines."""
    tree = ast.parse(text)
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


class ManualFileError(SchemaError):
    """The manual schema file uses generated classes a regeneration would remove."""

    def __init__(self, manual: str, missing: list[str]) -> None:
        self.missing = tuple(missing)
        super().__init__(
            f"{manual} uses {', '.join(missing)} from the generated file, which the models no "
            "longer produce (a model or field was removed or renamed). Update "
            f"{manual} first, or pass --force to regenerate anyway."
        )


def removed_names(manual: str, output: str, new_text: str) -> list[str]:
    """The names the manual source uses that ``new_text`` would no longer define."""
    return sorted(used_names(manual, output) - defined_names(new_text))
