"""A template's ``_migrations``, chosen, rendered and run for one update as Copier 9.19.1 does.

Which migrations apply is Copier's ``Template.migration_tasks``, read from the *new* template
version's ``copier.yml``:

- none at all unless both versions read as PEP 440 versions;
- an entry with a ``version`` applies when ``from < version <= to``; one without applies to
  every update;
- the current form (``command``, ``when``, ``working_directory``) runs in both stages, its
  ``when`` defaulting to ``{{ _stage == "after" }}`` (in the template's own ``_envops``
  delimiters), so a bare command runs after updating;
- the legacy form (``version`` with ``before``/``after`` lists; Copier's ``DeprecationWarning``)
  gives that stage's list, always run, from the instance's root.

Each migration carries the variables ``stage``, ``version_from`` and ``version_to`` (the
versions as ``_commit`` records them), ``version_pep440_from`` and ``version_pep440_to``, and,
once an entry with a ``version`` applied, ``version_current`` and ``version_pep440_current``.
As in Copier, those last two stay set for the entries that follow, even entries without a
``version``. Templates see them as ``_stage``, ``_version_from``, ...; the command's environment
as ``STAGE``, ``VERSION_FROM``, ..., with ``COPIER_OPERATION`` (``update``). ``when``, the
command and ``working_directory`` render with the template's context in the ``migrate`` phase;
before updating that context has no answers (Copier has not read them yet: ``_copier_answers``
holds only ``_commit`` and ``_src_path``), after updating it has the update's answers.
Commands are numbered within their stage, counting those whose ``when`` is false.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from packaging.version import InvalidVersion, Version

from templsync._io.sources import ResolvedVersion
from templsync._warned import give
from templsync.errors import TemplateDeprecationWarning
from templsync.instance.session import Session
from templsync.instance.tasks import Command, CommandRunner, TaskError, run_command
from templsync.template.config import Migration, TemplateSettings
from templsync.template.context import template_context
from templsync.template.questions import cast_to_bool
from templsync.template.yamlload import TemplateConfigError

__all__ = [
    "MigrationTask",
    "Stage",
    "migrate",
    "migration_commands",
    "migration_tasks",
    "run_migrations",
]

Stage = Literal["before", "after"]


@dataclass(frozen=True)
class MigrationTask:
    """One migration chosen for a stage, not yet rendered (Copier's ``Task``)."""

    command: str | tuple[str, ...]
    variables: Mapping[str, object]
    """``stage``, ``version_from``, ...: ``_stage`` in templates, ``STAGE`` in the environment."""
    when: str | bool
    working_directory: str = "."


def migration_tasks(
    settings: TemplateSettings,
    stage: Stage,
    from_version: ResolvedVersion,
    to_version: ResolvedVersion,
) -> tuple[MigrationTask, ...]:
    """The migrations of ``settings`` (the new version's) that apply to this update's ``stage``.

    Raises :class:`TemplateConfigError` for an entry whose ``version`` is not a PEP 440
    version, or a legacy entry without one.
    """
    old, new = from_version.version, to_version.version
    if old is None or new is None:
        return ()
    variables: dict[str, object] = {
        "stage": stage,
        "version_from": from_version.recorded,
        "version_to": to_version.recorded,
        "version_pep440_from": old,
        "version_pep440_to": new,
    }
    start = settings.envops.get("variable_start_string", "{{")
    end = settings.envops.get("variable_end_string", "}}")
    after_only = f'{start} _stage == "after" {end}'
    tasks: list[MigrationTask] = []
    for number, migration in enumerate(settings.migrations, start=1):
        if migration.is_legacy:
            give(
                TemplateDeprecationWarning(
                    "This migration configuration is deprecated. Please switch to the new format."
                ),
                stacklevel=2,
            )
            current = _version(migration, number)
            if new >= current > old:
                variables = _with_current(variables, migration, current)
                commands = migration.before if stage == "before" else migration.after
                tasks.extend(MigrationTask(c, variables, True) for c in commands)
            continue
        assert migration.command is not None  # not legacy
        if migration.version is not None:
            current = _version(migration, number)
            if not new >= current > old:
                continue
            variables = _with_current(variables, migration, current)
        when = after_only if migration.when is None else migration.when
        tasks.append(MigrationTask(migration.command, variables, when, migration.working_directory))
    return tuple(tasks)


def migration_commands(
    session: Session,
    stage: Stage,
    from_version: ResolvedVersion,
    to_version: ResolvedVersion,
) -> tuple[Command, ...]:
    """The commands ``stage`` runs when ``session`` (the new version) updates ``from_version``.

    Each is rendered with the stage's context; those whose ``when`` is false are left out but
    keep their number.
    """
    tasks = migration_tasks(session.config.settings, stage, from_version, to_version)
    context = _stage_context(session, stage)
    render = session.renderer.render
    commands: list[Command] = []
    for index, task in enumerate(tasks, start=1):
        extra = {f"_{name}": value for name, value in task.variables.items()}
        extra["_copier_operation"] = session.operation
        values = {**context, **extra}
        when = task.when
        if not cast_to_bool(render(when, values) if isinstance(when, str) else when):
            continue
        if isinstance(task.command, str):
            args: str | tuple[str, ...] = render(task.command, values)
        else:
            args = tuple(render(part, values) for part in task.command)
        # Copier keeps the folder as a Path before rendering it (so "sub/" is "sub").
        folder = render(str(Path(task.working_directory)), values)
        env = {name[1:].upper(): str(value) for name, value in extra.items()}
        commands.append(Command(args, (session.dst / folder).absolute(), env, index, len(tasks)))
    return tuple(commands)


def run_migrations(
    commands: tuple[Command, ...],
    *,
    pretend: bool,
    on_task: Callable[[Command], None] | None = None,
    run_task: CommandRunner = run_command,
) -> None:
    """Run ``commands`` in order (with ``pretend``, only tell ``on_task`` about them).

    The first that fails, or cannot start, raises :class:`TaskError` and the rest do not run.
    """
    for command in commands:
        if on_task is not None:
            on_task(command)
        if pretend:
            continue
        what = f"migration {command.index} of {command.total} ({command.shown})"
        try:
            status = run_task(command)
        except TaskError as err:
            cause = err.__cause__
            reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else err
            raise TaskError(
                f"{what} could not start: {reason}. {_stopped(command)} Check the template's "
                "`_migrations`.",
                command=command.args,
            ) from err
        if status:
            raise TaskError(
                f"{what} failed with exit code {status}. {_stopped(command)}",
                command=command.args,
                returncode=status,
            )


def migrate(
    session: Session,
    stage: Stage,
    from_version: ResolvedVersion,
    to_version: ResolvedVersion,
    pretend: bool,
    *,
    on_task: Callable[[Command], None] | None = None,
    run_task: CommandRunner = run_command,
) -> tuple[Command, ...]:
    """Render and run ``stage``'s migrations; return the commands run (or, pretending, listed)."""
    commands = migration_commands(session, stage, from_version, to_version)
    run_migrations(commands, pretend=pretend, on_task=on_task, run_task=run_task)
    return commands


def _version(migration: Migration, number: int) -> Version:
    if migration.version is None:
        raise TemplateConfigError(
            f"`_migrations` entry {number} has `before`/`after` commands but no `version`. "
            "Give it the template version it migrates to, or use the `command` form."
        )
    try:
        return Version(migration.version)
    except InvalidVersion as err:
        raise TemplateConfigError(
            f"`_migrations` entry {number}: version {migration.version!r} is not a PEP 440 "
            "version (such as 1.2.0 or v1.2.0)."
        ) from err


def _with_current(
    variables: Mapping[str, object], migration: Migration, current: Version
) -> dict[str, object]:
    return {**variables, "version_current": migration.version, "version_pep440_current": current}


def _stage_context(session: Session, stage: Stage) -> dict[str, object]:
    """The context migrations render with: Copier's ``Worker`` at that point of its update.

    Before updating, Copier's worker has asked nothing yet: no answers, no metadata, no
    external data, and ``_copier_answers`` is the new version's ``_commit`` and ``_src_path``.
    """
    if stage == "after":
        return session.context("migrate")
    metadata = session.metadata
    recorded = {k: metadata[k] for k in ("_commit", "_src_path") if metadata[k] is not None}
    return template_context(
        {},
        conf=session.conf,
        metadata={},
        copier_answers=recorded,
        external_data={},
        folder_name=session.dst.absolute().name,
        phase="migrate",
    )


def _stopped(command: Command) -> str:
    if command.env.get("STAGE") == "before":
        return (
            "The update stopped before writing any file of the new template version; the "
            "migrations after it did not run."
        )
    return "The update's files were written and its tasks ran; the migrations after it did not run."
