"""The schema settings: ``[tool.templsync.schema]`` in ``pyproject.toml``, with
``TEMPLSYNC_SCHEMA_*`` variables over it, read and checked by pydantic-settings.

Keys (every one optional but ``models``): ``models`` (module names), ``orm`` (``tortoise`` or
``sqlalchemy``; detected from the model files when absent), ``output``, ``manual``,
``backup_dir``, ``max_backups``, ``watch_debounce_seconds``, ``auto_sync_enabled``,
``watch_enabled``, ``backup_enabled``, ``environment`` (``production`` turns auto-sync and
watching off), ``tortoise_app`` (the app label the Tortoise models' references use), and
``[tool.templsync.schema.options.<Model>]`` tables of per-model options. A list given as a
variable is JSON (``["app.models"]``) or comma-separated (``app.models,app.more``).
Unknown keys in the table are refused, so a misspelt key is not silently ignored.

This module imports pydantic-settings: only a run that generates, validates or reports loads it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from templsync.schema.model import ModelOptions, SchemaError
from templsync.schema.project import ENV_PREFIX, Project

_TABLE: ContextVar[dict[str, Any] | None] = ContextVar("templsync_schema_table", default=None)


class ModelOptionsSetting(BaseModel):
    """``[tool.templsync.schema.options.<Model>]``."""

    model_config = ConfigDict(extra="forbid")

    exclude: list[str] = Field(default_factory=list)
    include: list[str] | None = None
    read_only: list[str] = Field(default_factory=list)
    extra: dict[str, str] = Field(default_factory=dict)

    def value(self) -> ModelOptions:
        return ModelOptions(
            exclude=tuple(self.exclude),
            include=None if self.include is None else tuple(self.include),
            read_only=tuple(self.read_only),
            extra=tuple(self.extra.items()),
        )


class SchemaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    models: Annotated[list[str], NoDecode] = Field(default_factory=list)
    orm: Literal["tortoise", "sqlalchemy"] | None = None
    output: str = "src/api/schemas_generated.py"
    manual: str | None = None
    backup_dir: str = ".templsync/schema/backups"
    max_backups: int = Field(default=10, ge=0)
    watch_debounce_seconds: float = Field(default=2.0, ge=0)
    auto_sync_enabled: bool = True
    watch_enabled: bool = True
    backup_enabled: bool = True
    environment: str = "development"
    tortoise_app: str = "models"
    options: dict[str, ModelOptionsSetting] = Field(default_factory=dict)

    @field_validator("models", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, InitSettingsSource(settings_cls, _TABLE.get() or {}))

    @property
    def production(self) -> bool:
        return self.environment.strip().lower() == "production"

    @property
    def auto_sync(self) -> bool:
        return self.auto_sync_enabled and not self.production

    @property
    def watching(self) -> bool:
        return self.watch_enabled and not self.production

    def model_options(self) -> dict[str, ModelOptions]:
        return {name: opts.value() for name, opts in sorted(self.options.items())}

    def shown(self) -> dict[str, object]:
        """The settings in force, as plain data (``status``)."""
        data = self.model_dump(mode="json")
        data["auto_sync"], data["watching"] = self.auto_sync, self.watching
        return data


@contextmanager
def _table(project: Project) -> Iterator[None]:
    token = _TABLE.set(dict(project.table))
    try:
        yield
    finally:
        _TABLE.reset(token)


def load_settings(project: Project) -> SchemaSettings:
    """The settings in force for ``project``; a :class:`SchemaError` names what is wrong."""
    where = str(project.pyproject) if project.pyproject else "the TEMPLSYNC_SCHEMA_* variables"
    try:
        with _table(project):
            settings = SchemaSettings()
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in e.errors()
        )
        raise SchemaError(f"the schema settings in {where} are not valid: {problems}.") from e
    except json.JSONDecodeError as e:
        raise SchemaError(
            f"{ENV_PREFIX}MODELS is not a JSON list: {e}. Use JSON or comma-separated names."
        ) from e
    if not settings.models:
        raise SchemaError(
            "no model modules are configured. Add to pyproject.toml:\n"
            "  [tool.templsync.schema]\n"
            '  models = ["app.models"]\n'
            f"or set {ENV_PREFIX}MODELS=app.models."
        )
    return settings
