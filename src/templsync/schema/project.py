"""Where a project's schema settings come from, read without Pydantic (the no-change path).

The project is the nearest folder, from the current one upwards, whose ``pyproject.toml`` has a
``[tool.templsync.schema]`` table; without one, the current folder (settings then come from
``TEMPLSYNC_SCHEMA_*`` variables alone). Its root is put on the import path when the model
modules are imported. :func:`settings_key` fingerprints everything the settings are made of
(the table and the variables) and the generator's own source, so a run can tell, with no import
of Pydantic, that the last generation was made the same way.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from templsync.schema.model import SchemaError

PYPROJECT = "pyproject.toml"
ENV_PREFIX = "TEMPLSYNC_SCHEMA_"
STATE_DIR = ".templsync/schema"
_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Project:
    root: Path
    pyproject: Path | None = None
    table: Mapping[str, object] = field(default_factory=dict)

    def path(self, relative: str) -> Path:
        return self.root / relative

    def relative(self, setting: str, name: str) -> str:
        """A path setting as a POSIX path relative to the root; refused when it leaves it."""
        path = Path(setting)
        full = (path if path.is_absolute() else self.root / path).resolve()
        root = self.root.resolve()
        if not full.is_relative_to(root):
            raise SchemaError(
                f"`{name}` ({setting}) is outside the project {root}: schema sync writes only "
                "inside the folder of the pyproject.toml it reads."
            )
        return full.relative_to(root).as_posix()


def find_project(start: Path) -> Project:
    """The project whose settings apply in ``start`` (see the module's docstring)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / PYPROJECT
        if not candidate.is_file():
            continue
        table = _schema_table(candidate)
        if table is not None:
            return Project(folder, candidate, table)
    return Project(start)


def _schema_table(path: Path) -> dict[str, object] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise SchemaError(f"cannot read {path}: {e.strerror or e}") from e
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise SchemaError(f"{path} is not valid TOML: {e}. Fix it.") from e
    tool = data.get("tool")
    templsync = tool.get("templsync") if isinstance(tool, dict) else None
    schema = templsync.get("schema") if isinstance(templsync, dict) else None
    if schema is None:
        return None
    if not isinstance(schema, dict):
        raise SchemaError(f"{path}: [tool.templsync.schema] must be a table.")
    return schema


def env_settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The ``TEMPLSYNC_SCHEMA_*`` variables, by their lowercase setting name."""
    environ = os.environ if environ is None else environ
    return {k[len(ENV_PREFIX) :].lower(): v for k, v in environ.items() if k.startswith(ENV_PREFIX)}


def generator_digest() -> str:
    """The SHA-256 of the schema package's modules, in name order (about twenty small files)."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def settings_key(project: Project, environ: Mapping[str, str] | None = None) -> str:
    """A fingerprint of what the settings are made of, and of the generator itself (the schema
    package's source: a templsync that generates differently generates again)."""
    data = {
        "table": project.table,
        "env": env_settings(environ),
        "generator": generator_digest(),
    }
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
