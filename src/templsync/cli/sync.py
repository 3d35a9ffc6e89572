"""``templsync sync LOCAL REMOTE``: a folder and a remote location kept in sync, one way or both.

All printing of storage sync lives here: the progress bar (listing, hashing, transfers), the
summary line, the conflicts and how each was resolved, or one JSON document with ``--json``.
Exit codes: 0 in sync, 1 an error, 2 conflicts left (``--conflict manual``, or files that changed
during the run).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from templsync.cli.options import json_option
from templsync.cli.output import escape, help_text, print_json, stdout, summary
from templsync.cli.progress import late_progress

if TYPE_CHECKING:
    from templsync.storage.model import ConflictNote, SyncResult

HELP = """Keep the folder LOCAL and REMOTE (a folder or an fsspec URL) in sync, both ways.

REMOTE may be another folder, s3://bucket/prefix, sftp://user@host:port/path, gcs://..., or
any other fsspec URL. The last successful sync is the base of a three-way decision: a file changed
on one side is copied to the other, a deletion is carried over, and a file changed differently on
both sides is a conflict resolved by --conflict. A first run copies the files found on one side
only, records identical ones, and treats files that differ as conflicts. Every write is atomic;
the state records only what landed, so an interrupted run is resumed by the next one. Patterns in
LOCAL/.templsyncignore (gitignore syntax) are never synced.

Exit codes: 0 in sync, 1 an error, 2 conflicts left (--conflict manual).

Example:

  templsync sync ./templates s3://team-bucket/templates --dry-run

  templsync sync ./settings sftp://deploy@config.example.com:22/srv/settings --conflict manual
"""

_STAGES = {
    "list-local": "listing local files",
    "list-remote": "listing remote files",
    "hash": "comparing contents",
    "transfer": "syncing",
}


def register(app: click.Group) -> None:
    app.add_command(sync_command)


@click.command(name="sync", help=help_text(HELP), short_help=summary(HELP))
@click.argument("local", type=click.Path(path_type=Path, file_okay=False))
@click.argument("remote")
@click.option(
    "--direction",
    type=click.Choice(["pull", "push", "both"]),
    default="both",
    show_default=True,
    help="pull: remote changes land locally; push: local changes land remotely.",
)
@click.option(
    "--conflict",
    type=click.Choice(["remote-wins", "local-wins", "newest-wins", "manual", "backup-both"]),
    default="newest-wins",
    show_default=True,
    help="How a file changed on both sides is resolved (manual: left untouched, exit 2; "
    "backup-both: the loser kept as NAME.conflict-<side>-<timestamp>.EXT).",
)
@click.option(
    "--merge-text",
    is_flag=True,
    help="Merge concurrent edits of text files line by line when the base is known.",
)
@click.option("--dry-run", "-n", is_flag=True, help="Show the whole plan; change nothing.")
@click.option(
    "--backup-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Keep every overwritten or deleted file here (DIR/local/..., DIR/remote/...).",
)
@click.option(
    "--max-delete",
    type=click.FloatRange(0, 100),
    default=50.0,
    show_default=True,
    metavar="PCT",
    help="Abort, changing nothing, when a run would delete more than PCT%% of either side.",
)
@click.option("--force", is_flag=True, help="Go past --max-delete.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Parallel transfers.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0, min_open=True),
    default=30.0,
    show_default=True,
    metavar="S",
)
@click.option("--retries", type=click.IntRange(0, 20), default=2, show_default=True, metavar="N")
@click.option(
    "--retry-delay",
    type=click.FloatRange(0),
    default=0.5,
    show_default=True,
    metavar="S",
    help="Wait before a retry, doubled after each.",
)
@click.option("--include", multiple=True, metavar="PATTERN", help="Sync only matching files.")
@click.option("--exclude", multiple=True, metavar="PATTERN", help="Never sync matching files.")
@click.option("--checksum", is_flag=True, help="Compare contents even when size and mtime match.")
@click.option(
    "--resync",
    is_flag=True,
    help="Rebuild the state from the two sides as they are (no deletions; differing files are "
    "conflicts).",
)
@click.option(
    "--state-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where the last-sync state lives (default: templsync's cache folder).",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(0),
    default=3600.0,
    show_default=True,
    metavar="S",
    help="Take over a lock older than this.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print errors and conflicts only.")
@json_option("Print one JSON document describing what was (or would be) done.")
def sync_command(
    local: Path,
    remote: str,
    direction: str,
    conflict: str,
    merge_text: bool,
    dry_run: bool,
    backup_dir: Path | None,
    max_delete: float,
    force: bool,
    jobs: int,
    timeout: float,
    retries: int,
    retry_delay: float,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    checksum: bool,
    resync: bool,
    state_dir: Path | None,
    lock_timeout: float,
    quiet: bool,
    as_json: bool,
) -> int:
    from templsync.cli.output import collected_warnings, print_warnings
    from templsync.storage.model import ConflictStrategy, SyncDirection, SyncStrategy
    from templsync.storage.run import sync_paths

    strategy = SyncStrategy(
        direction=SyncDirection(direction),
        conflict_strategy=ConflictStrategy(conflict),
        dry_run=dry_run,
        max_concurrent=jobs,
        timeout=timeout,
        retry_attempts=retries,
        retry_delay=retry_delay,
        merge_text=merge_text,
        checksum=checksum,
        resync=resync,
        max_delete=max_delete,
        force=force,
        backup_dir=backup_dir,
        include=include,
        exclude=exclude,
        state_dir=state_dir,
        lock_timeout=lock_timeout,
    )
    with (
        collected_warnings(quiet=quiet or as_json) as warned,
        late_progress(_STAGES, show=not (quiet or as_json)) as bar,
    ):
        result = sync_paths(local, remote, strategy, progress=bar)
    if as_json:
        print_json(result_dict(result))
    else:
        print_warnings(warned, quiet=quiet)
        _report(result, quiet=quiet)
    return 2 if result.unresolved else 0


def _report(result: SyncResult, *, quiet: bool) -> None:
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
            if result.dry_run or len(paths) <= 20:
                for path in paths:
                    out.print(f"{escape(label)}: {escape(path)}")
    for note in result.conflicts:
        if note.resolution in ("manual", "left") or not quiet:
            what = {
                "manual": "[yellow]left untouched[/]",
                "left": "[yellow]changed during the run, left for the next one[/]",
            }.get(note.resolution, escape(note.resolution))
            out.print(f"conflict ({escape(note.kind.value)}): {escape(note.path)}: {what}")
    if not quiet:
        out.print(summary_line(result))


def summary_line(result: SyncResult) -> str:
    """One line: copied each way, deleted each way, conflicts by resolution, backups, bytes."""
    resolved: dict[str, int] = {}
    for note in result.conflicts:
        resolved[note.resolution] = resolved.get(note.resolution, 0) + 1
    how = ", ".join(f"{n} {k}" for k, n in sorted(resolved.items()))
    parts = [
        f"{len(result.pushed)} pushed",
        f"{len(result.pulled)} pulled",
        *([f"{len(result.merged)} merged"] if result.merged else []),
        f"{len(result.deleted_local)} deleted locally",
        f"{len(result.deleted_remote)} deleted remotely",
        f"{len(result.conflicts)} conflict(s)" + (f" ({how})" if how else ""),
        *([f"{len(result.backed_up)} backed up"] if result.backed_up else []),
        f"{_size(result.bytes_sent)} sent, {_size(result.bytes_received)} received",
    ]
    head = "dry run: " if result.dry_run else ("in sync: " if result.in_sync else "")
    return head + ", ".join(parts)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    value = n / 1024
    for unit in ("KiB", "MiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def conflict_dict(conflict: ConflictNote) -> dict[str, Any]:
    """A conflict as ``--json`` prints it (``templsync sync`` and ``templsync storage``)."""
    return {
        "path": conflict.path,
        "kind": conflict.kind.value,
        "local_mtime": conflict.local_mtime,
        "remote_mtime": conflict.remote_mtime,
        "resolution": conflict.resolution,
    }


def result_dict(result: SyncResult) -> dict[str, Any]:
    return {
        "dry_run": result.dry_run,
        "in_sync": result.in_sync,
        "pushed": list(result.pushed),
        "pulled": list(result.pulled),
        "merged": list(result.merged),
        "deleted_local": list(result.deleted_local),
        "deleted_remote": list(result.deleted_remote),
        "conflicts": [conflict_dict(c) for c in result.conflicts],
        "backed_up": list(result.backed_up),
        "bytes_sent": result.bytes_sent,
        "bytes_received": result.bytes_received,
    }
