"""Copier as the oracle for ``_migrations``: its choice of migrations, and the commands it runs.

:func:`copier_tasks` asks Copier's own ``Template.migration_tasks`` which migrations apply,
with the template's configuration and both versions given as values (no clone, no git).
:data:`RECORDER` is a script that migrations run: it appends its arguments, the environment
variables migrations get and its working folder to the JSON-lines file named in ``log-path``
next to it (not an environment variable: Copier's tasks get the environment plumbum saw when
it was imported).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any, Literal

import yaml
from copier._template import Template

from templsync._core.tree import FileEntry, Tree
from templsync._io.sources import ResolvedVersion, version_of
from templsync.instance.migrations import MigrationTask
from templsync.template.config import TemplateSettings, load_config

RECORDER = """\
import json, os, sys
names = sorted(k for k in os.environ if k.startswith(("STAGE", "VERSION_", "COPIER_")))
record = {
    "args": sys.argv[1:],
    "env": {k: os.environ[k] for k in names},
    "cwd": os.getcwd(),
}
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "log-path"), encoding="utf-8") as named:
    path = named.read()
with open(path, "a", encoding="utf-8") as log:
    log.write(json.dumps(record) + "\\n")
"""

Normal = tuple[object, dict[str, object], object, str]
"""A task as both tools can give it: command, variables, condition, working folder."""


def version(recorded: str | None) -> ResolvedVersion:
    """A template version as ``_commit`` records it (a tag, or ``git describe`` past one)."""
    parsed = None if recorded is None else version_of(recorded)
    return ResolvedVersion(recorded, None, recorded, parsed)


def config_text(config: dict[str, Any]) -> str:
    """``config`` as the text of a ``copier.yml``."""
    return yaml.safe_dump(config, sort_keys=False)


def settings_of(config: dict[str, Any]) -> TemplateSettings:
    """``config`` written as ``copier.yml`` and read by templsync."""
    text = config_text(config)
    return load_config(Tree({"copier.yml": FileEntry.from_bytes(text.encode())})).settings


def copier_tasks(
    config: dict[str, Any],
    stage: Literal["before", "after"],
    old: ResolvedVersion,
    new: ResolvedVersion,
) -> list[Normal]:
    """What Copier 9.19.1's ``Template.migration_tasks`` gives for this configuration."""
    template = Template(url="/nonexistent/new")
    template.__dict__.update(_raw_config=config, version=new.version, commit=new.recorded)
    previous = Template(url="/nonexistent/old")
    previous.__dict__.update(version=old.version, commit=old.recorded)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        tasks = template.migration_tasks(stage, previous)
    return [(t.cmd, dict(t.extra_vars), t.condition, str(t.working_directory)) for t in tasks]


def normal(tasks: tuple[MigrationTask, ...]) -> list[Normal]:
    """Our tasks in the form of :func:`copier_tasks` (a list command as a list)."""
    return [
        (
            t.command if isinstance(t.command, str) else list(t.command),
            dict(t.variables),
            t.when,
            str(Path(t.working_directory)),
        )
        for t in tasks
    ]


def log_to(recorder: Path, log: Path) -> Path:
    """Make ``recorder`` append to ``log`` from now on; return ``log``."""
    (recorder.parent / "log-path").write_text(str(log), encoding="utf-8")
    return log


def read_log(path: Path) -> list[dict[str, Any]]:
    """The records the recorder wrote, in order ([] when none ran)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
