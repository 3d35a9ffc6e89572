"""``schema validate``: the generated and manual files checked the way the application uses them.

Checks, in order (each one a :class:`Check`; a failed one does not stop the others when they
can still run):

1. the generated file exists, holds no conflict markers and parses;
2. it imports (the project root on the import path, as the application has it);
3. every model has its Create, Update and Response classes, and every Response validates an
   unsaved ORM instance built from its model with a value of each field's type
   (``from_attributes``);
4. the manual file, when configured, imports, and every name it uses from the generated file is
   there;
5. a regeneration from the models as they are now would keep every name the manual file uses
   (``sync`` refuses one that would not).
"""

from __future__ import annotations

import ast
import datetime
import decimal
import importlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import TYPE_CHECKING, Any

from templsync.schema.adapter import Adapter, Loaded, import_modules
from templsync.schema.generate import adapter_for
from templsync.schema.imports import project_imports
from templsync.schema.manual import defined_names, removed_names, used_names
from templsync.schema.model import FieldSpec, Kind, ModelSpec, SchemaError
from templsync.schema.project import Project, find_project
from templsync.schema.render import VARIANTS, render_module
from templsync.schema.state import read_bytes

if TYPE_CHECKING:
    from templsync.schema.settings import SchemaSettings

_SAMPLES: dict[Kind, object] = {
    Kind.STR: "x",
    Kind.INT: 1,
    Kind.FLOAT: 1.5,
    Kind.DECIMAL: decimal.Decimal("1.00"),
    Kind.BOOL: True,
    Kind.DATE: datetime.date(2024, 1, 2),
    Kind.DATETIME: datetime.datetime(2024, 1, 2, 3, 4, 5),
    Kind.TIME: datetime.time(3, 4, 5),
    Kind.TIMEDELTA: datetime.timedelta(hours=1),
    Kind.UUID: uuid.UUID(int=1),
    Kind.JSON: {"key": [1, "two"]},
    Kind.BYTES: b"x",
}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class ValidateResult:
    root: Path
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def module_name(relative: str) -> str:
    """The dotted module name of a project file (``api/schemas.py`` -> ``api.schemas``)."""
    path = PurePosixPath(relative)
    parts = [*path.parent.parts, path.stem]
    if path.suffix != ".py" or not all(p.isidentifier() for p in parts):
        raise SchemaError(f"{relative} cannot be imported as a module: its path is not a name.")
    return ".".join(parts)


def validate(start: Path) -> ValidateResult:
    from templsync.schema.settings import load_settings  # noqa: PLC0415  # pydantic-settings

    project = find_project(start)
    settings = load_settings(project)
    output = project.relative(settings.output, "output")
    manual = project.relative(settings.manual, "manual") if settings.manual else None
    checks = _checks(project, settings, output, manual, adapter_for(project, settings))
    return ValidateResult(project.root, tuple(checks))


def _checks(
    project: Project, settings: SchemaSettings, output: str, manual: str | None, adapter: Adapter
) -> Iterator[Check]:
    data = read_bytes(project.path(output))
    if data is None:
        yield Check("generated file", False, f"{output} does not exist: run `schema sync`.")
        return
    text = data.decode("utf-8", "replace")
    if any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in text.splitlines()):
        yield Check("generated file", False, f"{output} has conflict markers left: resolve them.")
        return
    try:
        ast.parse(text, output)
    except SyntaxError as e:
        yield Check("generated file", False, f"{output}:{e.lineno}: {e.msg}")
        return
    yield Check("generated file", True, f"{output} parses")
    with project_imports(project.root):
        generated = _import(module_name(output))
        if isinstance(generated, str):
            yield Check("generated file imports", False, generated)
            return
        yield Check("generated file imports", True, module_name(output))
        try:
            loaded = adapter.load(settings.models)
        except SchemaError as e:
            yield Check("models", False, str(e))
            return
        yield from _responses(generated, loaded, adapter)
        if manual is not None:
            yield from _manual(project, manual, output, generated)
    if manual is not None:
        text = render_module(loaded.models, settings.models, settings.model_options())
        yield from _regeneration(project, manual, output, text)


def _import(name: str) -> ModuleType | str:
    """The module, or what went wrong importing it."""
    try:
        return import_modules([name])[0]
    except SchemaError as e:
        return str(e).replace("the model module", "the module")


def _responses(module: ModuleType, loaded: Loaded, adapter: Adapter) -> Iterator[Check]:
    for model in loaded.models:
        missing = [f"{model.name}{v}" for v in VARIANTS if not hasattr(module, f"{model.name}{v}")]
        if missing:
            yield Check(model.name, False, f"missing from the generated file: {', '.join(missing)}")
            continue
        response: Any = getattr(module, f"{model.name}Response")
        try:
            row = adapter.instance(loaded.classes[model.name], _sample(model))
            response.model_validate(row)
        except Exception as e:  # a ValidationError, or the ORM refusing the values
            yield Check(model.name, False, f"{model.name}Response: {type(e).__name__}: {e}")
        else:
            yield Check(model.name, True, f"{model.name}Response validates a {model.name}")


def _sample(model: ModelSpec) -> dict[str, object]:
    return {spec.name: _value(spec) for spec in model.fields}


def _value(spec: FieldSpec) -> object:
    if spec.kind is Kind.CHOICE:
        return spec.choices[0] if spec.choices else None
    if spec.kind is Kind.ENUM and spec.enum is not None:
        found: Any = importlib.import_module(spec.enum.module)
        for part in spec.enum.name.split("."):
            found = getattr(found, part)
        return next(iter(found))
    return _SAMPLES.get(spec.kind)


def _manual(project: Project, manual: str, output: str, generated: ModuleType) -> Iterator[Check]:
    data = read_bytes(project.path(manual))
    if data is None:
        yield Check("manual file", False, f"{manual} does not exist (the `manual` setting).")
        return
    imported = _import(module_name(manual))
    if isinstance(imported, str):
        yield Check("manual file imports", False, imported)
        return
    yield Check("manual file imports", True, module_name(manual))
    used = used_names(data.decode("utf-8", "replace"), output)
    absent = sorted(n for n in used if not hasattr(generated, n))
    if absent:
        yield Check(
            "manual file", False, f"{manual} uses names the file lacks: {', '.join(absent)}"
        )


def _regeneration(project: Project, manual: str, output: str, text: str) -> Iterator[Check]:
    data = read_bytes(project.path(manual))
    if data is None:
        return
    gone = removed_names(data.decode("utf-8", "replace"), output, text)
    if gone:
        yield Check(
            "next regeneration",
            False,
            f"a regeneration would remove {', '.join(gone)}, which {manual} uses: `schema sync` "
            "will refuse it until the manual file changes (or with --force).",
        )
    else:
        kept = len(used_names(data.decode("utf-8", "replace"), output) & defined_names(text))
        yield Check("next regeneration", True, f"keeps the {kept} name(s) {manual} uses")
