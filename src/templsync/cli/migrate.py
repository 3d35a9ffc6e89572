"""``templsync migrate``: a plain reference project's changes as migration files.

``generate`` records the template's changes since its last migration, ``init`` makes a new
project from the template, ``apply`` brings a project's pending migrations in (merging where the
project drifted), ``status`` lists applied and pending migrations and drifted files.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click

from templsync.cli.options import dry_run_option, json_option, quiet_option
from templsync.cli.output import escape, help_text, print_json, stderr, stdout, summary
from templsync.cli.progress import late_progress

if TYPE_CHECKING:
    from templsync.migrate.apply import ApplyResult
    from templsync.migrate.build import Changes
    from templsync.migrate.generate import GenerateResult, MoveChooser
    from templsync.migrate.status import StatusResult

F = TypeVar("F", bound=Callable[..., Any])

HELP = """Record a reference project's changes as migration files, and apply them to projects.

A template is a plain project folder. `generate` compares its files with what its migrations
(in migrations/<timestamp>_<name>/) add up to and writes the difference as a new migration;
`init` starts a project with every migration applied; `apply` brings an existing project's
pending migrations in, merging where the project's files changed; `status` shows where a project
stands. Files matched by .migrateignore (gitignore syntax) and the defaults (migrations/, .git/,
node_modules/, .env*, __pycache__/, .venv/, ...) are never part of a migration.

Example:

  templsync migrate generate add-ci -t templates/service

  templsync migrate init services/billing -t templates/service --yes

  templsync migrate apply services/billing --dry-run
"""


def register(app: click.Group) -> None:
    app.add_command(migrate_group)


@click.group(name="migrate", help=help_text(HELP), short_help=summary(HELP))
def migrate_group() -> None:
    pass


def _strict_option(func: F) -> F:
    return click.option(
        "--strict",
        is_flag=True,
        help="Stop on a malformed migration instead of warning and skipping it.",
    )(func)


def _project_options(func: F) -> F:
    """PATH (the project, default: here) and --template, for the commands that read a project."""
    func = click.option(
        "--template",
        "-t",
        type=click.Path(path_type=Path),
        default=None,
        help="The template folder (default: the one applied-migrations.json names).",
    )(func)
    return click.argument("path", type=click.Path(path_type=Path, file_okay=False), default=".")(
        func
    )


_STAGES = {
    "migrations": "reading migrations",
    "files": "writing files",
    "apply": "applying migrations",
}


def _warn(message: str) -> None:
    stderr().print(f"[yellow]warning:[/] {escape(message)}")


def _ignore(_message: str) -> None:
    pass


def _warner(quiet: bool) -> Callable[[str], None]:
    """Where the migrations' warnings go: stderr, or nowhere with ``--quiet``."""
    return _ignore if quiet else _warn


GENERATE_HELP = """Record the template's changes since its last migration as a new migration.

The template is the folder PATH (default: here).
The last known state is every migration in PATH/migrations replayed in order. A deleted file that
looks moved is recorded as a move: on a terminal you are asked ("Was X moved/renamed?"),
otherwise --moves auto pairs files by similarity (--move-threshold) and --moves none records
deletions and new files. With no changes, nothing is written.

Example:

  templsync migrate generate rename-settings -t templates/service --moves auto --dry-run
"""


@migrate_group.command(
    name="generate", help=help_text(GENERATE_HELP), short_help=summary(GENERATE_HELP)
)
@click.argument("name", default="migration", required=False)
@click.option(
    "--template",
    "-t",
    "--path",
    "-p",
    "path",
    type=click.Path(path_type=Path, file_okay=False),
    default=".",
    help="The template folder (default: here; --path and -p are its older names).",
)
@click.option(
    "--moves",
    type=click.Choice(["ask", "auto", "none"]),
    default=None,
    help="How deleted files that look moved are recorded (default: ask on a terminal, else auto).",
)
@click.option(
    "--move-threshold",
    type=click.FloatRange(0.0, 1.0),
    default=0.5,
    show_default=True,
    help="How similar two files must be to count as a move.",
)
@_strict_option
@dry_run_option("Show the migration that would be written; write nothing.")
@quiet_option()
@json_option("Print one JSON document describing the migration written.")
def generate_command(
    name: str,
    path: Path,
    moves: str | None,
    move_threshold: float,
    strict: bool,
    pretend: bool,
    quiet: bool,
    as_json: bool,
) -> int:
    from templsync._io.journal import present_error
    from templsync._io.journaldir import JOURNAL_DIR
    from templsync.cli.recover import recover_and_report
    from templsync.migrate.generate import GenerateOptions, generate
    from templsync.migrate.initialize import check_template

    check_template(path)
    if not pretend:
        recover_and_report(path, quiet=quiet)
    elif (path / JOURNAL_DIR).exists():
        raise present_error(path)  # a dry run writes nothing, recovery included
    policy = moves or ("ask" if sys.stdin.isatty() and not as_json else "auto")
    chooser: MoveChooser | Literal["auto", "none"] = (
        ask_move if policy == "ask" else "none" if policy == "none" else "auto"
    )
    options = GenerateOptions(name, chooser, move_threshold, strict, dry_run=pretend)
    with late_progress(_STAGES, show=not as_json and not quiet) as bar:
        result = generate(path, options, warn=_warner(quiet), progress=bar)
    if as_json:
        print_json(_generate_dict(result))
    elif quiet:
        pass
    elif result.migration is None:
        stdout().print("No changes since the last migration: nothing written.")
    else:
        counts = ", ".join(f"{n} {k}" for k, n in result.counts().items() if n)
        verb = "would write" if pretend else "wrote"
        stdout().print(
            f"[green]{verb}[/] {escape(str(result.folder))} ({counts})"
            + ("; nothing was written" if pretend else "")
        )
    return 0


def ask_move(path: str, suggested: str | None, candidates: Sequence[str]) -> str | None:
    """Ask at the terminal whether ``path`` was moved, then where to (the suggestion first)."""
    import questionary  # prompt_toolkit is slow to import; only a terminal needs it

    moved = questionary.confirm(f"Was {path} moved/renamed?", default=suggested is not None).ask()
    if moved is None:  # Ctrl-C
        raise KeyboardInterrupt
    if not moved:
        return None
    choices = [suggested, *(c for c in candidates if c != suggested)] if suggested else candidates
    answer = questionary.select(f"Where did {path} go?", choices=list(choices)).ask()
    if answer is None:
        raise KeyboardInterrupt
    return str(answer)


def _generate_dict(result: GenerateResult) -> dict[str, Any]:
    migration = result.migration
    return {
        "written": migration is not None and not result.dry_run,
        "dryRun": result.dry_run,
        "folder": str(result.folder) if result.folder else None,
        "name": migration.name if migration else None,
        "counts": result.counts(),
        "entries": [
            {"type": e.kind.value, "path": e.path, "oldPath": e.old_path}
            for e in (migration.entries if migration else ())
        ],
    }


INIT_HELP = """Create a new project from the template, every migration applied.

The project is made at TARGET: the template's migrations are applied in order, or its files are
copied when it has none.
TARGET must not exist or be empty. You are asked to confirm; --yes skips the question (and is
required when no terminal is there to ask). The project gets applied-migrations.json, which
`templsync migrate apply` reads later.

Example:

  templsync migrate init services/billing -t templates/service --yes
"""


@migrate_group.command(name="init", help=help_text(INIT_HELP), short_help=summary(INIT_HELP))
@click.argument("target", type=click.Path(path_type=Path))
@click.option(
    "--template",
    "-t",
    type=click.Path(path_type=Path),
    default=".",
    help="The template folder (default: here).",
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@_strict_option
@dry_run_option("Show what would be created; write nothing (nothing is asked).")
@quiet_option()
@json_option("Print one JSON document describing the project created.")
def init_command(
    target: Path,
    template: Path,
    yes: bool,
    strict: bool,
    pretend: bool,
    quiet: bool,
    as_json: bool,
) -> int:
    from templsync.errors import UserError
    from templsync.migrate.initialize import check_target, check_template, init_project

    check_template(template)
    check_target(target, template)
    if not yes and not pretend:
        if not sys.stdin.isatty():
            raise UserError("no terminal to confirm on: pass --yes to create the project.")
        question = f"Create {target} from the template {template}?"
        if not click.confirm(question, default=True, err=True):
            stderr().print("Cancelled: nothing written.")
            return 1
    with late_progress(_STAGES, show=not as_json and not quiet) as bar:
        result = init_project(
            template, target, strict=strict, warn=_warner(quiet), progress=bar, dry_run=pretend
        )
    if as_json:
        print_json(
            {
                "target": str(result.target),
                "dryRun": pretend,
                "files": result.files,
                "applied": list(result.applied),
                "copied": result.copied,
            }
        )
        return 0
    if quiet:
        return 0
    how = "copied" if result.copied else f"{len(result.applied)} migration(s) applied"
    verb = "would create" if pretend else "created"
    stdout().print(
        f"[green]{verb}[/] {escape(str(target))}: {result.files} file(s), {escape(how)}"
        + ("; nothing was written" if pretend else "")
    )
    return 0


APPLY_HELP = """Apply a project's pending migrations, merging where its files changed.

The project is the folder PATH (default: here).
Each migration is merged into the project's files: where the project changed a file the
migration also changes, both changes are kept; where they touch the same lines, the file gets
conflict markers, the conflicts are listed, the exit code is 2 and the later migrations wait.
Each migration lands atomically together with its line in applied-migrations.json.

Example:

  templsync migrate apply services/billing --dry-run

  templsync migrate apply services/billing -t templates/service --to add-ci
"""


@migrate_group.command(name="apply", help=help_text(APPLY_HELP), short_help=summary(APPLY_HELP))
@_project_options
@click.option("--to", "to", metavar="NAME", help="Stop after this migration.")
@dry_run_option("Show what would change; write nothing.")
@_strict_option
@quiet_option("Print errors only (exit code 2: conflicts were left).")
@json_option("Print one JSON document describing each migration applied.")
def apply_command(
    path: Path,
    template: Path | None,
    to: str | None,
    pretend: bool,
    strict: bool,
    quiet: bool,
    as_json: bool,
) -> int:
    from templsync.cli.recover import recover_and_report
    from templsync.errors import ConflictsLeft
    from templsync.migrate.apply import ApplyOptions, apply_migrations

    if not pretend:
        recover_and_report(path, quiet=quiet)
    options = ApplyOptions(template, to, pretend, strict)
    with late_progress(_STAGES, show=not as_json and not quiet) as bar:
        result = apply_migrations(path, options, warn=_warner(quiet), progress=bar)
    if as_json:
        print_json(_apply_dict(result))
        return 2 if result.conflicts else 0
    if not quiet:
        _print_apply(result)
    if result.conflicts:
        raise ConflictsLeft(result.conflicts)
    return 0


def _apply_dict(result: ApplyResult) -> dict[str, Any]:
    return {
        "template": str(result.template),
        "dryRun": result.dry_run,
        "applied": [
            {
                "name": o.name,
                "changed": list(o.changed),
                "merged": list(o.merged),
                "conflicts": list(o.conflicts),
                "actions": dict(o.actions),
            }
            for o in result.outcomes
        ],
        "waiting": list(result.waiting),
    }


def _print_apply(result: ApplyResult) -> None:
    out = stdout()
    verb = "would apply" if result.dry_run else "applied"
    if not result.outcomes:
        out.print("No pending migrations: the project is up to date.")
    for outcome in result.outcomes:
        out.print(f"[green]{verb}[/] {escape(outcome.name)}: {len(outcome.changed)} file(s)")
        merged, conflicts = set(outcome.merged), set(outcome.conflicts)
        for path, action in sorted(outcome.actions):
            if path in conflicts:
                out.print(f"  [red]conflict[/]   {escape(path)}")
            else:
                out.print(f"  {'merged' if path in merged else action:<11}{escape(path)}")
    if result.waiting:
        out.print(f"{len(result.waiting)} migration(s) wait until the conflicts are resolved:")
        for name in result.waiting:
            out.print(f"  {escape(name)}")


STATUS_HELP = """Show a project's applied and pending migrations, and its drifted files.

The project is the folder PATH (default: here); drifted files are the ones that changed since the
last migration it applied.

Example:

  templsync migrate status services/billing --json
"""


@migrate_group.command(name="status", help=help_text(STATUS_HELP), short_help=summary(STATUS_HELP))
@_project_options
@_strict_option
@quiet_option("Print errors only.")
@json_option("Print one JSON document with applied, pending and drifted files.")
def status_command(
    path: Path, template: Path | None, strict: bool, quiet: bool, as_json: bool
) -> int:
    from templsync.migrate.status import migration_status

    result = migration_status(path, template, strict=strict, warn=_warner(quiet))
    if as_json:
        print_json(_status_dict(result))
    elif not quiet:
        _print_status(result)
    return 0


def _drift_dict(drift: Changes) -> dict[str, list[str]]:
    return {
        "added": list(drift.added),
        "deleted": list(drift.deleted),
        "modified": list(drift.modified),
    }


def _status_dict(result: StatusResult) -> dict[str, Any]:
    return {
        "template": str(result.template),
        "applied": [
            {
                "name": m.name,
                "appliedAt": m.applied_at,
                "conflicts": list(m.conflicts),
                "unresolved": list(result.unresolved.get(m.name, ())),
            }
            for m in result.applied
        ],
        "pending": list(result.pending),
        "unknown": list(result.unknown),
        "drift": _drift_dict(result.drift),
    }


def _print_status(result: StatusResult) -> None:
    out = stdout()
    out.print(f"template: {escape(str(result.template))}")
    out.print(f"applied: {len(result.applied)}")
    for m in result.applied:
        left = result.unresolved.get(m.name, ())
        mark = ""
        if left:
            mark = f" [red](conflicts unresolved in {escape(', '.join(left))})[/]"
        elif m.conflicts:
            mark = " (conflicts resolved)"
        out.print(f"  {escape(m.name)}{mark}")
    out.print(f"pending: {len(result.pending)}")
    for name in result.pending:
        out.print(f"  [yellow]{escape(name)}[/]")
    for name in result.unknown:
        out.print(f"  [red]not in the template:[/] {escape(name)}")
    drift = result.drift
    if not drift:
        out.print("no files changed since the last migration applied")
        return
    out.print("changed since the last migration applied:")
    for label, paths in (
        ("added", drift.added),
        ("deleted", drift.deleted),
        ("modified", drift.modified),
    ):
        for p in paths:
            out.print(f"  {label:<9}{escape(p)}")
