"""The state folder (``.templsync/schema/`` in the project): what the last generation was made of.

- ``last_generated.py``: the text last generated, byte for byte. It is the base of the next
  three-way merge: what changed from it to the file on disk are the hand edits, what changed
  from it to the new generation is the models' change.
- ``state.json``: when, from which modules and files (each file's SHA-256), with which settings
  (:func:`templsync.schema.project.settings_key`), into which output, with which content hash
  and schema classes. A run whose files and settings match it has nothing to generate.

Both are written by the one writer together with the output file, so they never disagree.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from templsync.schema.model import SchemaError
from templsync.schema.project import STATE_DIR, Project

STATE_FILE = f"{STATE_DIR}/state.json"
BASE_FILE = f"{STATE_DIR}/last_generated.py"
FORMAT = 1


@dataclass(frozen=True)
class State:
    output: str
    modules: tuple[str, ...]
    sources: Mapping[str, str]  # project-relative POSIX path -> SHA-256 of its bytes
    settings_key: str
    content_hash: str
    schemas: tuple[str, ...]
    synced_at: str
    orm: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)

    def render(self) -> bytes:
        data = {
            "format": FORMAT,
            "synced_at": self.synced_at,
            "output": self.output,
            "orm": self.orm,
            "modules": list(self.modules),
            "settings_key": self.settings_key,
            "content_hash": self.content_hash,
            "sources": dict(sorted(self.sources.items())),
            "schemas": list(self.schemas),
        }
        return (json.dumps(data, indent=2) + "\n").encode()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except OSError:
        return None


def read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise SchemaError(f"cannot read {path}: {e.strerror or e}") from e


def read_state(project: Project) -> State | None:
    """The recorded state, or None (never synced, or a state this version cannot read)."""
    raw = read_bytes(project.path(STATE_FILE))
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        if data.get("format") != FORMAT:
            return None
        return State(
            output=str(data["output"]),
            modules=tuple(str(m) for m in data["modules"]),
            sources={str(k): str(v) for k, v in data["sources"].items()},
            settings_key=str(data["settings_key"]),
            content_hash=str(data["content_hash"]),
            schemas=tuple(str(s) for s in data["schemas"]),
            synced_at=str(data["synced_at"]),
            orm=str(data.get("orm", "")),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # unreadable: the next sync generates afresh and writes a new one


def read_base(project: Project) -> bytes | None:
    return read_bytes(project.path(BASE_FILE))


def changed_sources(project: Project, state: State) -> list[str]:
    """The recorded source files whose content is no longer what the state says."""
    return [
        path
        for path, recorded in sorted(state.sources.items())
        if file_digest(project.path(path)) != recorded
    ]
