"""``templsync schema``: Pydantic schemas generated from ORM models, kept in sync with hand edits.

``sync`` generates and merges (``--check`` for CI, ``--dry-run`` for the diff), ``status`` says
where things stand, ``validate`` imports and exercises the generated and manual files, ``watch``
regenerates when a model file changes, ``backup`` lists, restores and deletes backups. Every
command imports the schema package when it runs; Pydantic, pydantic-settings, the ORM and
watchfiles load only when the command needs them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from templsync.cli.options import dry_run_option, json_option, quiet_option
from templsync.cli.output import escape, help_text, print_json, print_json_line, stdout, summary

if TYPE_CHECKING:
    from templsync.schema.status import StatusResult
    from templsync.schema.sync import SyncResult
    from templsync.schema.watch import WatchEvent

F = TypeVar("F", bound=Callable[..., Any])

HELP = """Generate Pydantic schemas from ORM models and keep them in sync, hand edits kept.

Reads [tool.templsync.schema] in the nearest pyproject.toml (from the current folder upwards)
and TEMPLSYNC_SCHEMA_* variables: `models` (modules), `orm` (tortoise or sqlalchemy, detected
when absent), `output`, `manual`, backups and watching. For each model the generated file has
<Model>Create, <Model>Update and <Model>Response. Edits made by hand in the generated file are
kept when it is generated again (a three-way merge); see docs/schema-sync.md.

Example:

  templsync schema sync --check
"""


def register(app: click.Group) -> None:
    app.add_command(schema_group)


@click.group(name="schema", help=help_text(HELP), short_help=summary(HELP))
def schema_group() -> None:
    pass


def _directory_option(func: F) -> F:
    return click.option(
        "--directory",
        "-C",
        type=click.Path(path_type=Path, file_okay=False, exists=True),
        default=Path(),
        help="Look for the project from this folder upwards (default: here).",
    )(func)


def _missing_extra(error: ImportError) -> click.ClickException:
    return click.ClickException(
        f"templsync schema needs Pydantic, pydantic-settings and watchfiles ({error}). "
        "Install them: pip install 'templsync[schema]'."
    )


SYNC_HELP = """Generate the schemas and merge them into the generated file.

Nothing is imported when the model files and settings are as at the last sync. Otherwise the
models are imported (the project root on the import path) and the new file is merged with the
one on disk: hand edits are kept, conflicting ones are left as markers (exit 2). A backup is
written before the file changes. A class the manual schema file imports or extends that the
new generation would remove stops the sync (--force goes on).

Example:

  templsync schema sync --dry-run

  templsync schema sync --check   # in CI: exit 1 when the file is out of date
"""


@schema_group.command(name="sync", help=help_text(SYNC_HELP), short_help=summary(SYNC_HELP))
@click.option(
    "--force",
    is_flag=True,
    help="Generate even when nothing changed; replace a file templsync has no record of; "
    "write even when the manual file uses a class that goes away.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when the file is out of date.")
@dry_run_option("Print the diff of what would change; write nothing.")
@_directory_option
@quiet_option("Print errors only (exit 2: conflicts were left in the file).")
@json_option("Print one JSON document describing the sync.")
def sync_command(
    force: bool, check: bool, pretend: bool, directory: Path, quiet: bool, as_json: bool
) -> int:
    from templsync.errors import ConflictsLeft
    from templsync.schema.project import find_project
    from templsync.schema.sync import SyncOptions, sync

    if not (pretend or check):
        from templsync.cli.recover import recover_and_report

        recover_and_report(find_project(directory).root, quiet=quiet)
    try:
        result = sync(directory, SyncOptions(dry_run=pretend, check=check, force=force))
    except ImportError as e:
        raise _missing_extra(e) from e
    if as_json:
        print_json(_sync_dict(result, check=check))
    elif not quiet:
        _print_sync(result, pretend=pretend, check=check)
    if check:
        return 1 if result.out_of_date else 0
    if result.conflicts and result.written:
        if as_json:
            return 2
        raise ConflictsLeft([result.output])
    return 0


def _sync_dict(result: SyncResult, *, check: bool) -> dict[str, Any]:
    return {
        "root": str(result.root),
        "output": result.output,
        "modules": list(result.modules),
        "noChangePath": result.fast,
        "changed": result.changed,
        "written": result.written,
        "outOfDate": result.out_of_date if check else None,
        "conflicts": result.conflicts,
        "backup": result.backup,
        "models": result.models,
        "schemas": result.schemas,
        "diff": result.diff,
    }


def _print_sync(result: SyncResult, *, pretend: bool, check: bool) -> None:
    out = stdout()
    path = escape(result.output)
    if result.fast:
        out.print(f"{path} is up to date: the models and settings have not changed.")
        return
    if pretend:
        if result.diff:
            out.print(escape(result.diff), end="")
        verb = "would change" if result.changed else "would stay as it is"
        out.print(f"{path} {verb} ({result.models} models); nothing was written.")
        return
    if check:
        if result.changed:
            out.print(f"[red]out of date:[/] {path} differs from what `schema sync` writes.")
        else:
            out.print(f"{path} is up to date ({result.models} models).")
        return
    if result.changed:
        backup = f"; backup {escape(result.backup)}" if result.backup else ""
        marks = f", {result.conflicts} conflict(s) left as markers" if result.conflicts else ""
        out.print(
            f"[green]wrote[/] {path}: {result.schemas} schemas from {result.models} models"
            f"{marks}{backup}"
        )
    else:
        out.print(f"{path} is up to date ({result.models} models).")


STATUS_HELP = """Show where the schemas stand: last sync, models, files, backups, settings.

The model modules are "in sync" when their files (and every project file imported with them)
hash as they did at the last sync, and the settings are the same.

Example:

  templsync schema status --json
"""


@schema_group.command(name="status", help=help_text(STATUS_HELP), short_help=summary(STATUS_HELP))
@_directory_option
@quiet_option()
@json_option("Print one JSON document with the status.")
def status_command(directory: Path, quiet: bool, as_json: bool) -> int:
    try:
        from templsync.schema.status import schema_status

        result = schema_status(directory)
    except ImportError as e:
        raise _missing_extra(e) from e
    if as_json:
        print_json(_status_dict(result))
    elif not quiet:
        _print_status(result)
    return 0


def _status_dict(result: StatusResult) -> dict[str, Any]:
    return {
        "root": str(result.root),
        "pyproject": str(result.pyproject) if result.pyproject else None,
        "lastSync": result.last_sync,
        "modules": list(result.modules),
        "inSync": result.in_sync,
        "changedSources": list(result.changed_sources),
        "settingsChanged": result.settings_changed,
        "generated": vars(result.generated),
        "manual": vars(result.manual) if result.manual else None,
        "backups": [vars(b) for b in result.backups],
        "settings": result.settings,
    }


def _print_status(result: StatusResult) -> None:
    out = stdout()
    out.print(f"project:        {escape(str(result.root))}")
    out.print(f"last sync:      {escape(result.last_sync or 'never')}")
    state = "[green]in sync[/]" if result.in_sync else "[yellow]changed since the last sync[/]"
    out.print(f"models:         {escape(', '.join(result.modules))} ({state})")
    for path in result.changed_sources:
        out.print(f"  changed:      {escape(path)}")
    if result.settings_changed:
        out.print("  the settings changed since the last sync")
    generated = result.generated
    if generated.exists:
        notes = [n for n, on in (("hand edited", generated.hand_edited),) if on]
        if generated.conflict_markers:
            notes.append("[red]conflict markers left[/]")
        shown = f" ({', '.join(notes)})" if notes else ""
        out.print(f"generated file: {escape(generated.path)}{shown}")
    else:
        out.print(f"generated file: {escape(generated.path)} (missing)")
    if result.manual:
        there = "" if result.manual.exists else " (missing)"
        out.print(f"manual file:    {escape(result.manual.path)}{there}")
    out.print(f"backups:        {len(result.backups)}")
    for backup in result.backups[-3:]:
        out.print(f"  {escape(backup.name)}")
    out.print("settings:")
    for key, value in result.settings.items():
        out.print(f"  {key} = {escape(repr(value))}")


VALIDATE_HELP = """Check the generated and manual schema files the way the application uses them.

The generated file must parse and import, have Create, Update and Response classes for every
model, and each Response must validate an (unsaved) instance of its model. The manual file must
import and find every name it uses in the generated file, and a regeneration from the models
as they are now must keep those names. Exit 1 when a check fails.

Example:

  templsync schema validate --json
"""


@schema_group.command(
    name="validate", help=help_text(VALIDATE_HELP), short_help=summary(VALIDATE_HELP)
)
@_directory_option
@quiet_option("Print the failed checks only.")
@json_option("Print one JSON document with every check.")
def validate_command(directory: Path, quiet: bool, as_json: bool) -> int:
    try:
        from templsync.schema.validate import validate

        result = validate(directory)
    except ImportError as e:
        raise _missing_extra(e) from e
    if as_json:
        print_json(
            {"ok": result.ok, "checks": [vars(c) for c in result.checks], "root": str(result.root)}
        )
        return 0 if result.ok else 1
    out = stdout()
    for check in result.checks:
        if check.ok and not quiet:
            out.print(f"[green]ok[/]     {escape(check.name)}: {escape(check.detail)}")
        elif not check.ok:
            out.print(f"[red]failed[/] {escape(check.name)}: {escape(check.detail)}")
    if not quiet:
        failed = sum(not c.ok for c in result.checks)
        out.print(f"{len(result.checks) - failed} check(s) passed, {failed} failed")
    return 0 if result.ok else 1


WATCH_HELP = """Regenerate the schemas whenever a model file changes, until Ctrl-C.

Syncs once at start, then watches the model files (and every project file they import): after
a change, it waits until nothing changed for `watch_debounce_seconds` (2 by default), then
syncs, hand edits kept, and prints one line saying what it did. A regeneration that fails
(a model saved half-way) is reported and the watch goes on. Off when `watch_enabled = false` or
`environment = "production"`.

Example:

  templsync schema watch

  templsync schema watch --dry-run   # say what would change each time, write nothing

  templsync schema watch --json      # one JSON object a line per regeneration
"""


@schema_group.command(name="watch", help=help_text(WATCH_HELP), short_help=summary(WATCH_HELP))
@dry_run_option("Say what each regeneration would change; write nothing.")
@_directory_option
@quiet_option("Print only the regenerations that failed or left conflicts.")
@json_option(
    "Print one JSON object a line for each regeneration, and nothing else: `changed` (the "
    "files), `error`, `seconds` and `sync` (as `sync --json` prints it; the diff with --dry-run "
    "only)."
)
def watch_command(pretend: bool, directory: Path, quiet: bool, as_json: bool) -> int:
    from templsync.cli.recover import recover_and_report
    from templsync.schema.project import find_project

    if not pretend:
        recover_and_report(find_project(directory).root, quiet=quiet or as_json)
    try:
        from templsync.schema.watch import watch

        if not (quiet or as_json):
            stdout().print("watching the model files; Ctrl-C stops")
        report = (
            partial(_print_event_json, pretend=pretend)
            if as_json
            else partial(_print_event, quiet=quiet)
        )
        watch(directory, report, dry_run=pretend)
    except ImportError as e:
        raise _missing_extra(e) from e
    except KeyboardInterrupt:
        if not (quiet or as_json):
            stdout().print("stopped")
    return 0


def _print_event_json(event: WatchEvent, *, pretend: bool) -> None:
    result = None if event.result is None else _sync_dict(event.result, check=False)
    if result is not None and not pretend:
        del result["diff"]
    print_json_line(
        {
            "changed": list(event.changed),
            "error": event.error,
            "seconds": round(event.seconds, 3),
            "sync": result,
        }
    )


def _print_event(event: WatchEvent, *, quiet: bool) -> None:
    import time

    stamp = time.strftime("%H:%M:%S")
    why = f"{', '.join(event.changed)} changed: " if event.changed else "start: "
    took = f" ({event.seconds:.2f} s)"
    if event.error is not None:
        stdout().print(f"{stamp} {escape(why)}[red]failed[/]: {escape(event.error)}{took}")
        return
    result = event.result
    if result is None or (quiet and not result.conflicts):
        return
    if result.conflicts:
        what = f"[yellow]{result.conflicts} conflict(s) left in[/] {escape(result.output)}"
    elif result.changed and result.written:
        what = f"[green]wrote[/] {escape(result.output)} ({result.schemas} schemas)"
    elif result.changed:
        what = f"{escape(result.output)} would change"
    else:
        what = f"{escape(result.output)} is up to date"
    stdout().print(f"{stamp} {escape(why)}{what}{took}")


BACKUP_HELP = """List, restore and delete backups of the generated file.

Example:

  templsync schema backup list
"""


@schema_group.group(name="backup", help=help_text(BACKUP_HELP), short_help=summary(BACKUP_HELP))
def backup_group() -> None:
    pass


def _backup_settings(directory: Path) -> tuple[Any, Any]:
    from templsync.schema.project import find_project
    from templsync.schema.settings import load_settings

    try:
        project = find_project(directory)
        return project, load_settings(project)
    except ImportError as e:
        raise _missing_extra(e) from e


LIST_HELP = """List the backups of the generated file, oldest first.

Example:

  templsync schema backup list --json
"""


@backup_group.command(name="list", help=help_text(LIST_HELP), short_help=summary(LIST_HELP))
@_directory_option
@quiet_option()
@json_option("Print one JSON list of the backups.")
def backup_list_command(directory: Path, quiet: bool, as_json: bool) -> int:
    from templsync.schema.backups import list_backups

    project, settings = _backup_settings(directory)
    backups = list_backups(project, settings.backup_dir)
    if as_json:
        print_json([vars(b) for b in backups])
        return 0
    if quiet:
        return 0
    out = stdout()
    if not backups:
        out.print(f"no backups in {escape(settings.backup_dir)}")
    for b in backups:
        out.print(f"{escape(b.name)}  {escape(b.created)}  {escape(b.output)}  {escape(b.reason)}")
    return 0


RESTORE_HELP = """Put a backup of the generated file back (the current file is backed up first).

The base the file was merged from comes back with it, so the next sync keeps its hand edits.

Example:

  templsync schema backup restore --name schema_backup_20250121_120000
"""


@backup_group.command(
    name="restore", help=help_text(RESTORE_HELP), short_help=summary(RESTORE_HELP)
)
@click.option("--name", required=True, help="The backup's name (see `schema backup list`).")
@dry_run_option("Say what would be restored; write nothing.")
@_directory_option
@quiet_option()
def backup_restore_command(name: str, pretend: bool, directory: Path, quiet: bool) -> int:
    from datetime import UTC, datetime

    from templsync.cli.recover import recover_and_report
    from templsync.schema.backups import restore

    project, settings = _backup_settings(directory)
    if not pretend:
        recover_and_report(project.root, quiet=quiet)
    output = project.relative(settings.output, "output")
    done = restore(
        project,
        name,
        backup_dir=settings.backup_dir,
        max_backups=settings.max_backups,
        output=output,
        now=datetime.now(UTC),
        dry_run=pretend,
    )
    if not quiet:
        saved = f" (the file it replaced: {escape(done.saved_as)})" if done.saved_as else ""
        verb = "would restore" if pretend else "restored"
        stdout().print(f"[green]{verb}[/] {escape(name)} to {escape(output)}{saved}")
    return 0


DELETE_HELP = """Delete one backup of the generated file.

Example:

  templsync schema backup delete --name schema_backup_20250121_120000
"""


@backup_group.command(name="delete", help=help_text(DELETE_HELP), short_help=summary(DELETE_HELP))
@click.option("--name", required=True, help="The backup's name (see `schema backup list`).")
@dry_run_option("Say what would be deleted; delete nothing.")
@_directory_option
@quiet_option()
def backup_delete_command(name: str, pretend: bool, directory: Path, quiet: bool) -> int:
    from templsync.cli.recover import recover_and_report
    from templsync.schema.backups import delete

    project, settings = _backup_settings(directory)
    if not pretend:
        recover_and_report(project.root, quiet=quiet)
    delete(project, settings.backup_dir, name, dry_run=pretend)
    if not quiet:
        verb = "would delete" if pretend else "deleted"
        stdout().print(f"[green]{verb}[/] {escape(name)}")
    return 0
