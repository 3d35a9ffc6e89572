"""``templsync storage templates|settings|cache``: an app's templates, settings and cache kept
in sync with its storage root, the command-line twins of ``await sync.templates()``,
``sync.settings()`` and ``sync.cache()``.

All printing of these commands lives here: the progress bar, a line per file, the conflicts, a
warning when the cache did not answer, the one-line summary, or one JSON document with
``--json``. Exit codes: 0 done, 1 an error (or settings files that do not parse, left out),
2 conflicts left (``--conflict manual``, or files that changed during the run).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from templsync.cli.options import json_option
from templsync.cli.output import escape, help_text, print_json, stderr, stdout, summary
from templsync.cli.progress import late_progress
from templsync.cli.sync import conflict_dict

if TYPE_CHECKING:
    from templsync.storage.appsync.config import StorageConfig
    from templsync.storage.appsync.results import FilesSync
    from templsync.storage.model import SyncStrategy

F = TypeVar("F", bound=Callable[..., Any])

HELP = """Sync an app's templates, settings and cache with its storage root.

The storage root is a folder or any fsspec URL (s3://bucket/prefix, sftp://host/path, ...),
given by --root or TEMPLSYNC_STORAGE_ROOT; each kind of file has a folder (bucket) under it.
Files sync as `templsync sync` syncs them: three-way against the last sync, conflicts resolved
by --conflict, every write atomic. The cache is Redis (--cache redis://HOST:6379/0 or
TEMPLSYNC_CACHE_URL), with keys APP:NAMESPACE:KEY.

Example:

  templsync storage templates templates --root s3://team-bucket/shop --dry-run

  templsync storage settings --root ./storage --direction pull --conflict remote-wins

  templsync storage cache refresh --cache redis://localhost:6379/0 --app shop
"""

TEMPLATES_HELP = """Sync template folders with BUCKET under the storage root.

Only files matching the patterns (default *.html, *.jinja, *.j2) are synced. One folder syncs
with the bucket itself, several with BUCKET/<folder name> each. Afterwards the cache entries
(APP:templates:NAME) and Jinja bytecode (APP:bccache:NAME) of every template that changed are
removed, so an app reading through the cache serves the new version; a cache that does not
answer is reported, and the files are synced anyway.

Exit codes: 0 done, 1 an error, 2 conflicts left (--conflict manual).

Example:

  templsync storage templates templates custom_templates --root ./storage --pattern '*.html'
"""

SETTINGS_HELP = """Sync the YAML settings files of FOLDER (default: settings) with BUCKET.

Only *.yml and *.yaml files are synced (--adapter NAME: only NAME.yml / NAME.yaml). Every such
file is parsed on both sides first: one that does not parse is left out of the sync, both ways,
and reported with its line and column (exit code 1); the rest is synced.

Exit codes: 0 done, 1 an error or files that do not parse, 2 conflicts left (--conflict manual).

Example:

  templsync storage settings config --adapter database --adapter cache --direction pull
"""

CACHE_HELP = """Refresh, invalidate, warm or clear the app's cache (Redis, given by --cache).

OPERATION is one of: refresh (empty the namespaces, then warm the templates), invalidate (remove
the --key entries, or every entry, of the namespaces; then warm unless --no-warm), warm (put
each template's source and compiled Jinja bytecode in the cache), clear (empty the namespaces).
Namespaces default to templates, bccache and responses; keys are APP:NAMESPACE:KEY. Templates
are the files of the TEMPLATES folders (default: templates) matching --pattern. A cache that
does not answer is reported (exit code 1).

Example:

  templsync storage cache refresh --cache redis://localhost:6379/0 --app shop

  templsync storage cache invalidate -N templates -N bccache --key base.html --no-warm
"""

_STAGES = {
    "list-local": "listing local files",
    "list-remote": "listing remote files",
    "hash": "comparing contents",
    "transfer": "syncing",
}


def register(app: click.Group) -> None:
    app.add_command(storage_group)


@click.group(name="storage", help=help_text(HELP), short_help=summary(HELP))
def storage_group() -> None:
    pass


def _where_options(func: F) -> F:
    for option in reversed(
        [
            click.option(
                "--root",
                envvar="TEMPLSYNC_STORAGE_ROOT",
                metavar="URL",
                help="The storage root: a folder or an fsspec URL "
                "(default: TEMPLSYNC_STORAGE_ROOT).",
            ),
            click.option(
                "--cache",
                "cache_url",
                envvar="TEMPLSYNC_CACHE_URL",
                metavar="URL",
                help="The cache: redis://HOST:PORT/DB (default: TEMPLSYNC_CACHE_URL; without "
                "one, no cache is told).",
            ),
            click.option(
                "--app",
                default="templsync",
                show_default=True,
                help="The app's name: the first part of every cache key.",
            ),
            click.option(
                "--state-dir",
                type=click.Path(path_type=Path, file_okay=False),
                help="Where the last-sync states live (default: templsync's cache folder).",
            ),
        ]
    ):
        func = option(func)
    return func


def _strategy_options(func: F) -> F:
    for option in reversed(
        [
            click.option(
                "--direction",
                type=click.Choice(["pull", "push", "both"]),
                default="both",
                show_default=True,
                help="pull: remote changes land locally; push: local changes land remotely.",
            ),
            click.option(
                "--conflict",
                type=click.Choice(
                    ["remote-wins", "local-wins", "newest-wins", "manual", "backup-both"]
                ),
                default="newest-wins",
                show_default=True,
                help="How a file changed on both sides is resolved.",
            ),
            click.option(
                "--backup",
                is_flag=True,
                help="Keep every file a sync overwrites or deletes (backup_on_conflict).",
            ),
            click.option(
                "--dry-run", "-n", is_flag=True, help="Say what would be done; do nothing."
            ),
            click.option(
                "--jobs",
                "-j",
                type=click.IntRange(1, 64),
                default=5,
                show_default=True,
                help="Transfers and folders at once (max_concurrent).",
            ),
            click.option(
                "--timeout",
                type=click.FloatRange(0, min_open=True),
                default=30.0,
                show_default=True,
                metavar="S",
            ),
            click.option(
                "--retries", type=click.IntRange(0, 20), default=2, show_default=True, metavar="N"
            ),
            click.option(
                "--retry-delay",
                type=click.FloatRange(0),
                default=0.5,
                show_default=True,
                metavar="S",
                help="Wait before a retry, doubled after each.",
            ),
            click.option("--quiet", "-q", is_flag=True, help="Print errors and conflicts only."),
            json_option("Print one JSON document describing what was (or would be) done."),
        ]
    ):
        func = option(func)
    return func


def _config(
    root: str | None, cache_url: str | None, app: str, state_dir: Path | None, timeout: float
) -> StorageConfig:
    from dataclasses import replace

    from templsync.storage.appsync.cache import MemoryCache, open_cache
    from templsync.storage.appsync.config import current

    return replace(
        current(),
        root=root,
        cache=open_cache(cache_url, timeout=timeout) if cache_url else MemoryCache(),
        app=app,
        state_dir=state_dir,
    )


def _strategy(
    direction: str,
    conflict: str,
    backup: bool,
    dry_run: bool,
    jobs: int,
    timeout: float,
    retries: int,
    retry_delay: float,
) -> SyncStrategy:
    from templsync.storage.model import ConflictStrategy, SyncDirection, SyncStrategy

    return SyncStrategy(
        direction=SyncDirection(direction),
        conflict_strategy=ConflictStrategy(conflict),
        dry_run=dry_run,
        backup_on_conflict=backup,
        max_concurrent=jobs,
        timeout=timeout,
        retry_attempts=retries,
        retry_delay=retry_delay,
    )


@storage_group.command(
    name="templates", help=help_text(TEMPLATES_HELP), short_help=summary(TEMPLATES_HELP)
)
@click.argument("folders", nargs=-1, type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--pattern",
    "patterns",
    multiple=True,
    metavar="GLOB",
    help="Sync files matching this (repeatable; default *.html, *.jinja, *.j2).",
)
@click.option("--bucket", default="templates", show_default=True, help="The folder under the root.")
@_where_options
@_strategy_options
def templates_command(
    folders: tuple[Path, ...],
    patterns: tuple[str, ...],
    bucket: str,
    root: str | None,
    cache_url: str | None,
    app: str,
    state_dir: Path | None,
    quiet: bool,
    as_json: bool,
    **strategy: Any,
) -> int:
    from templsync.storage.appsync.templates import sync_templates_blocking

    config = _config(root, cache_url, app, state_dir, strategy["timeout"])
    with late_progress(_STAGES, show=not (quiet or as_json)) as bar:
        result = sync_templates_blocking(
            template_paths=folders or None,
            patterns=patterns or None,
            strategy=_strategy(**strategy),
            storage_bucket=bucket,
            progress=bar,
            config=config,
        )
    cache = {
        "cache_invalidated": list(result.cache_invalidated),
        "bytecode_cleared": list(result.bytecode_cleared),
        "cache_reached": result.cache_reached,
        "cache_error": result.cache_error,
    }
    if as_json:
        print_json({**files_dict(result), **cache})
    else:
        _report_files(result, quiet=quiet)
        _warn_cache(result.cache_error)
        if not quiet:
            verb = "would invalidate" if result.dry_run else "invalidated"
            told = (
                f"{verb} {len(result.cache_invalidated)} cache entries and "
                f"{len(result.bytecode_cleared)} bytecode entries"
                if cache_url and result.cache_reached
                else "no cache told"
            )
            stdout().print(f"{_files_line(result)}; {told}")
    return 2 if result.unresolved else 0


@storage_group.command(
    name="settings", help=help_text(SETTINGS_HELP), short_help=summary(SETTINGS_HELP)
)
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--adapter",
    "adapters",
    multiple=True,
    metavar="NAME",
    help="Sync only NAME.yml / NAME.yaml (repeatable).",
)
@click.option("--bucket", default="settings", show_default=True, help="The folder under the root.")
@_where_options
@_strategy_options
def settings_command(
    folder: Path | None,
    adapters: tuple[str, ...],
    bucket: str,
    root: str | None,
    cache_url: str | None,
    app: str,
    state_dir: Path | None,
    quiet: bool,
    as_json: bool,
    **strategy: Any,
) -> int:
    from templsync.storage.appsync.settings import sync_settings_blocking

    config = _config(root, cache_url, app, state_dir, strategy["timeout"])
    with late_progress(_STAGES, show=not (quiet or as_json)) as bar:
        result = sync_settings_blocking(
            settings_path=folder,
            adapter_names=adapters or None,
            strategy=_strategy(**strategy),
            storage_bucket=bucket,
            progress=bar,
            config=config,
        )
    if as_json:
        print_json(
            {
                **files_dict(result),
                "adapters_affected": list(result.adapters_affected),
                "invalid": [
                    {
                        "side": i.side,
                        "path": i.path,
                        "line": i.line,
                        "column": i.column,
                        "problem": i.problem,
                    }
                    for i in result.invalid
                ],
            }
        )
    else:
        _report_files(result, quiet=quiet)
        for invalid in result.invalid:
            stderr().print(f"[red]not synced, does not parse:[/] {escape(str(invalid))}")
        if not quiet:
            affected = ", ".join(result.adapters_affected) or "none"
            stdout().print(f"{_files_line(result)}; adapters affected: {escape(affected)}")
    if result.unresolved:
        return 2
    return 1 if result.invalid else 0


@storage_group.command(name="cache", help=help_text(CACHE_HELP), short_help=summary(CACHE_HELP))
@click.argument("operation", type=click.Choice(["refresh", "invalidate", "warm", "clear"]))
@click.argument("templates", nargs=-1, type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--namespace",
    "-N",
    "namespaces",
    multiple=True,
    metavar="NAME",
    help="A namespace to work on (repeatable; default templates, bccache, responses).",
)
@click.option("--key", "keys", multiple=True, metavar="KEY", help="Only this key (repeatable).")
@click.option("--no-warm", is_flag=True, help="invalidate: do not warm the templates afterwards.")
@click.option(
    "--pattern",
    "patterns",
    multiple=True,
    metavar="GLOB",
    help="Templates to warm (repeatable; default *.html, *.jinja, *.j2).",
)
@click.option(
    "--cache",
    "cache_url",
    envvar="TEMPLSYNC_CACHE_URL",
    required=True,
    metavar="URL",
    help="The cache: redis://HOST:PORT/DB (default: TEMPLSYNC_CACHE_URL).",
)
@click.option(
    "--app", default="templsync", show_default=True, help="The first part of every cache key."
)
@click.option("--dry-run", "-n", is_flag=True, help="Say what would be done; change nothing.")
@click.option(
    "--timeout",
    type=click.FloatRange(0, min_open=True),
    default=5.0,
    show_default=True,
    metavar="S",
)
@click.option("--retries", type=click.IntRange(0, 20), default=2, show_default=True, metavar="N")
@click.option(
    "--retry-delay", type=click.FloatRange(0), default=0.5, show_default=True, metavar="S"
)
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
@json_option("Print one JSON document describing what was (or would be) done.")
def cache_command(
    operation: str,
    templates: tuple[Path, ...],
    namespaces: tuple[str, ...],
    keys: tuple[str, ...],
    no_warm: bool,
    patterns: tuple[str, ...],
    cache_url: str,
    app: str,
    dry_run: bool,
    timeout: float,
    retries: int,
    retry_delay: float,
    quiet: bool,
    as_json: bool,
) -> int:
    from dataclasses import replace

    from templsync.storage.appsync.cacheops import sync_cache_blocking
    from templsync.storage.model import SyncStrategy

    config = _config(None, cache_url, app, None, timeout)
    if templates:
        config = replace(config, template_paths=templates)
    if patterns:
        config = replace(config, template_patterns=patterns)
    result = sync_cache_blocking(
        operation=operation,
        namespaces=namespaces or None,
        keys=keys or None,
        warm_templates=not no_warm,
        strategy=SyncStrategy(
            dry_run=dry_run, timeout=timeout, retry_attempts=retries, retry_delay=retry_delay
        ),
        config=config,
    )
    if as_json:
        print_json(
            {
                "operation": result.operation,
                "namespaces": list(result.namespaces),
                "dry_run": result.dry_run,
                "invalidated_keys": list(result.invalidated_keys),
                "warmed_keys": list(result.warmed_keys),
                "cleared_namespaces": list(result.cleared_namespaces),
                "warm_errors": list(result.warm_errors),
                "cache_reached": result.cache_reached,
                "cache_error": result.cache_error,
            }
        )
    else:
        err = stderr()
        for problem in result.warm_errors:
            err.print(f"[yellow]not warmed:[/] {escape(problem)}")
        if result.cache_error:
            err.print(f"[red]error:[/] {escape(result.cache_error)}")
        if not quiet:
            counts = (
                len(result.invalidated_keys),
                len(result.warmed_keys),
                len(result.cleared_namespaces),
            )
            if result.dry_run:
                line = "dry run: {}: would invalidate {} key(s), warm {}, clear {} namespace(s)"
            else:
                line = "{}: {} key(s) invalidated, {} warmed, {} namespace(s) cleared"
            stdout().print(line.format(result.operation, *counts))
    return 0 if result.cache_reached else 1


def _warn_cache(error: str | None) -> None:
    if error:
        stderr().print(
            f"[yellow]warning:[/] {escape(error)}; the files were synced, the cache was not told."
        )


def _report_files(result: FilesSync, *, quiet: bool) -> None:
    out = stdout()
    if not quiet:
        verb = "would " if result.dry_run else ""
        for label, paths in (
            (f"{verb}push", result.pushed),
            (f"{verb}pull", result.pulled),
            (f"{verb}merge", result.merged),
            (f"{verb}delete locally", result.deleted_local),
            (f"{verb}delete remotely", result.deleted_remote),
        ):
            for path in paths:
                out.print(f"{escape(label)}: {escape(path)}")
    for note in result.conflicts:
        if note.resolution in ("manual", "left") or not quiet:
            out.print(
                f"conflict ({escape(note.kind.value)}): {escape(note.path)}: "
                f"{escape(note.resolution)}"
            )


def _files_line(result: FilesSync) -> str:
    head = "dry run: " if result.dry_run else ""
    return head + ", ".join(
        [
            f"{len(result.synced_items)} synced",
            f"{len(result.deleted)} deleted",
            f"{len(result.conflicts)} conflict(s)",
            *([f"{len(result.backed_up)} backed up"] if result.backed_up else []),
        ]
    )


def files_dict(result: FilesSync) -> dict[str, Any]:
    return {
        "dry_run": result.dry_run,
        "synced_items": list(result.synced_items),
        "pushed": list(result.pushed),
        "pulled": list(result.pulled),
        "merged": list(result.merged),
        "deleted_local": list(result.deleted_local),
        "deleted_remote": list(result.deleted_remote),
        "conflicts": [conflict_dict(c) for c in result.conflicts],
        "backed_up": list(result.backed_up),
        "folders": [{"local": f.local, "remote": f.remote} for f in result.folders],
    }
