"""Migrations generated step by step replay to the template's files, and apply without losing a
project's own edits.

Each example edits a template folder through 20 random steps (files added, changed, deleted and
moved, with or without changes; text with LF or CRLF endings, with or without a final newline,
empty files, binary files, unicode names, nested folders) and generates a migration after each
one (``moves="auto"``). Every unique line is a token: ``t017`` from the template, ``o003`` from
the project; a few lines (``x``, ``y``, the empty line) repeat, so the diffs have choices to
make. Then:

- ``init`` into a new folder gives the final files byte for byte, and records every migration;
- ``apply`` on a copy of the template taken at step ``k`` reaches the final files byte for byte;
- ``apply`` on a copy taken at step ``j`` and then edited (files added, changed, deleted; lines
  inserted, deleted, replaced) keeps the copy's edits. With D the paths the copy changed and T
  the paths any later migration changed:

  * a path in D but not in T ends as the copy had it (added and changed files byte for byte,
    deleted ones still deleted);
  * a path in neither ends as it was at step ``j`` (the template never changed it);
  * when D and T do not meet, nothing conflicts and the result is the final files with the
    copy's edits on top;
  * every token the copy added is still in some file: merged, between conflict markers, in a
    file a conflict kept as the copy had it, or in the file a migration moved it to;
  * a file left with conflict markers holds every token the conflicting migration added to it,
    and the record lists the conflicting migration with its conflicts; later ones wait.

Ignored files (``.env``, ``node_modules/``) are in the template and in every copy; they are never
part of a migration and ``apply`` leaves them alone.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from templsync.migrate.applied import read_record
from templsync.migrate.apply import ApplyOptions, MigrationOutcome, apply_migrations
from templsync.migrate.generate import GenerateOptions, generate
from templsync.migrate.initialize import init_project
from templsync.migrate.status import migration_status
from templsync.migrate.store import APPLIED_FILE

from .migrate_helpers import (
    FAST_TMP,
    Clock,
    Files,
    copy_project,
    listing,
    migration_names,
    project_files,
    read_files,
    sync_files,
    write_files,
)

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

STEPS = 20
# File names never equal a folder name, so no file is ever another file's folder.
DIRS = ["", "", "d/", "d/ñ/", "日本/"]
NAMES = ["a.txt", "b.md", "ü.txt", "c", "bin.dat", "Ω mega.txt"]
COMMON = [b"x", b"y", b""]
IGNORED = {".env": b"SECRET=1\n", "node_modules/m/index.js": b"module.exports = 1\n"}
TOKEN = re.compile(rb"[to]\d{3}")


class Tokens:
    """Unique line tokens: ``t000, t001, ...`` for the template, ``o000, ...`` for a copy."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.count = 0

    def __call__(self) -> bytes:
        self.count += 1
        return f"{self.prefix}{self.count:03d}".encode()


def tokens_of(data: bytes, prefix: bytes) -> set[bytes]:
    return {t for t in TOKEN.findall(data) if t.startswith(prefix)}


def new_text(data: st.DataObject, fresh: Tokens) -> bytes:
    eol = data.draw(st.sampled_from([b"\n", b"\r\n"]))
    count = data.draw(st.integers(0, 4))
    lines = [
        (fresh() if data.draw(st.booleans()) else data.draw(st.sampled_from(COMMON))) + eol
        for _ in range(count)
    ]
    if lines and data.draw(st.integers(0, 3)) == 0:
        lines[-1] = lines[-1].rstrip(b"\r\n")
    return b"".join(lines)


def new_content(data: st.DataObject, fresh: Tokens) -> bytes:
    kind = data.draw(st.sampled_from(["text", "text", "empty", "binary"]))
    if kind == "empty":
        return b""
    if kind == "binary":
        return b"\x00" + fresh() + b"\xff\x00"
    return new_text(data, fresh)


def edited_text(data: st.DataObject, text: bytes, fresh: Tokens) -> bytes:
    """``text`` after 1-3 line edits: insert, delete, replace, switch endings, final newline."""
    lines = text.splitlines(keepends=True)
    eol = b"\r\n" if lines and lines[0].endswith(b"\r\n") else b"\n"
    for _ in range(data.draw(st.integers(1, 3))):
        op = data.draw(st.sampled_from(["insert", "insert", "delete", "replace", "eol", "final"]))
        if op == "insert":
            at = data.draw(st.integers(0, len(lines)))
            if at == len(lines) and lines and not lines[-1].endswith(b"\n"):
                lines[-1] += eol
            lines.insert(at, fresh() + eol)
        elif not lines:
            continue
        elif op == "delete":
            del lines[data.draw(st.integers(0, len(lines) - 1))]
        elif op == "replace":
            at = data.draw(st.integers(0, len(lines) - 1))
            ending = lines[at][len(lines[at].rstrip(b"\r\n")) :]
            lines[at] = fresh() + ending
        elif op == "eol":
            eol = b"\n" if eol == b"\r\n" else b"\r\n"
            lines = [ln.rstrip(b"\r\n") + eol if ln.endswith(b"\n") else ln for ln in lines]
        elif lines[-1].endswith(b"\n"):
            lines[-1] = lines[-1].rstrip(b"\r\n")
        else:
            lines[-1] += eol
    return b"".join(lines)


def edited(data: st.DataObject, content: bytes, fresh: Tokens) -> bytes:
    if b"\x00" in content or data.draw(st.integers(0, 5)) == 0:
        return new_content(data, fresh)
    return edited_text(data, content, fresh)


def free_path(data: st.DataObject, files: Files) -> str | None:
    free = [d + n for d in DIRS for n in NAMES if d + n not in files]
    return data.draw(st.sampled_from(free)) if free else None


def template_step(data: st.DataObject, files: Files, fresh: Tokens) -> Files:
    """``files`` after one or two random edits."""
    out = dict(files)
    for _ in range(data.draw(st.integers(1, 2))):
        op = data.draw(st.sampled_from(["add", "modify", "modify", "delete", "move"]))
        if op == "add" or not out:
            path = free_path(data, out)
            if path is not None:
                out[path] = new_content(data, fresh)
            continue
        path = data.draw(st.sampled_from(sorted(out)))
        if op == "modify":
            out[path] = edited(data, out[path], fresh)
        elif op == "delete":
            del out[path]
        else:
            target = free_path(data, out)
            if target is not None:
                content = out.pop(path)
                out[target] = edited(data, content, fresh) if data.draw(st.booleans()) else content
    return out


def drifted(data: st.DataObject, files: Files, fresh: Tokens) -> Files:
    """A copy's own edits: files added (at names the template never uses), changed, deleted."""
    out = dict(files)
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["add", "modify", "modify", "delete"]))
        if op == "add" or not out:
            path = data.draw(st.sampled_from(DIRS)) + f"own-{fresh.count + 1}.txt"
            out[path] = b"".join(fresh() + b"\n" for _ in range(data.draw(st.integers(1, 3))))
            continue
        path = data.draw(st.sampled_from(sorted(out)))
        if op == "delete":
            del out[path]
        elif b"\x00" in out[path]:
            out[path] = b"\x00" + fresh() + b"\x01"
        else:
            out[path] = edited_text(data, out[path], fresh)
    return out


def touched(states: list[Files], since: int) -> set[str]:
    """The paths some migration after step ``since`` changed, added or deleted."""
    paths: set[str] = set()
    for before, after in zip(states[since:], states[since + 1 :], strict=False):
        paths |= {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    return paths


def write_record(project: Path, names: list[str]) -> None:
    rows = ",".join(f'{{"name": "{n}", "appliedAt": "2024-01-01T00:00:00Z"}}' for n in names)
    document = f'{{"version": "1", "template": "../template", "appliedMigrations": [{rows}]}}\n'
    (project / APPLIED_FILE).write_text(document, encoding="utf-8")


@dataclass
class History:
    """A template edited step by step, with a migration generated after each step."""

    root: Path
    template: Path
    clock: Clock
    states: list[Files] = field(default_factory=list)  # the template's files after each step
    names_at: list[list[str]] = field(default_factory=list)  # the migrations up to each step

    @property
    def names(self) -> list[str]:
        return self.names_at[-1]

    @property
    def final(self) -> Files:
        return self.states[-1]


def build_history(data: st.DataObject, root: Path, copies: dict[str, int]) -> History:
    """Edit a new template through ``STEPS`` steps, generating a migration after each one; at the
    step given for each name in ``copies``, copy the template to ``root / name`` with a record of
    the migrations made so far."""
    history = History(root, root / "template", Clock())
    template, fresh = history.template, Tokens("t")
    write_files(template, IGNORED)
    files: Files = {}
    moved = binary = 0
    for step in range(STEPS + 1):
        new = template_step(data, files, fresh)
        if step == 0 and not new:
            new = {"a.txt": b"t000\n"}
        sync_files(template, files, new)
        files = new
        before = listing(template / "migrations")
        result = generate(template, GenerateOptions(name=f"step {step}"), now=history.clock)
        if result.migration is None:
            assert step > 0
            assert history.final == files
            assert listing(template / "migrations") == before  # nothing written
        else:
            assert result.folder is not None
            assert result.folder.name == result.migration.name
            moved += result.counts()["moved"]
            binary += sum(e.whole for e in result.migration.entries if e.kind != "new")
        history.states.append(dict(files))
        history.names_at.append(migration_names(template))
        for name, at in copies.items():
            if step == at:
                copy_project(template, root / name)
                write_record(root / name, history.names)
    event(f"moved entries: {min(moved, 3)}{'+' if moved >= 3 else ''}")
    event(f"whole-content changes: {min(binary, 1)}{'+' if binary >= 1 else ''}")
    assert project_files(template) == {**history.final, **IGNORED}
    return history


@EXAMPLES
@given(st.data())
def test_generated_migrations_init_and_apply(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory(dir=FAST_TMP) as tmp:
        clean_at = data.draw(st.integers(0, STEPS), label="clean copy at step")
        drift_at = data.draw(st.integers(0, STEPS), label="drifted copy at step")
        history = build_history(data, Path(tmp), {"clean": clean_at, "drifted": drift_at})
        check_init(history)
        check_clean_apply(history, clean_at)
        check_drifted_apply(data, history, drift_at)


def check_init(history: History) -> None:
    """``init`` into a new folder reproduces the final files byte for byte and records every
    migration."""
    target = history.root / "init"
    init = init_project(history.template, target, now=history.clock)
    assert init.applied == tuple(history.names)
    assert not init.copied
    assert project_files(target) == history.final
    record = read_record(target)
    assert record is not None
    assert [m.name for m in record.applied] == history.names


def check_clean_apply(history: History, at: int) -> None:
    """``apply`` on an unchanged copy taken at step ``at`` reaches the final files."""
    clean = history.root / "clean"
    applied = apply_migrations(clean, ApplyOptions(template=history.template), now=history.clock)
    assert applied.conflicts == ()
    assert applied.waiting == ()
    assert [o.name for o in applied.outcomes] == history.names[len(history.names_at[at]) :]
    assert project_files(clean) == {**history.final, **IGNORED}
    record = read_record(clean)
    assert record is not None
    assert [m.name for m in record.applied] == history.names
    status = migration_status(clean, history.template)
    assert status.pending == ()
    assert not status.drift


def check_drifted_apply(data: st.DataObject, history: History, at: int) -> None:
    """``apply`` on a copy taken at step ``at`` and then edited keeps the copy's edits."""
    project, template, states = history.root / "drifted", history.template, history.states
    base = states[at]
    ours = drifted(data, base, Tokens("o"))
    sync_files(project, base, ours)
    names, done = history.names, history.names_at[at]
    d_paths = {p for p in base.keys() | ours.keys() if base.get(p) != ours.get(p)}
    t_paths = touched(states, at)

    status = migration_status(project, template)
    assert status.pending == tuple(names[len(done) :])
    drift = status.drift
    assert set(drift.added) | set(drift.deleted) | set(drift.modified) == d_paths

    before = listing(project)
    options = ApplyOptions(template=template, dry_run=True)
    dry = apply_migrations(project, options, now=history.clock)
    assert listing(project) == before  # a dry run writes nothing
    result = apply_migrations(project, ApplyOptions(template=template), now=history.clock)
    assert [o.name for o in result.outcomes] == [o.name for o in dry.outcomes]
    after = project_files(project)

    assert {p: after[p] for p in IGNORED} == IGNORED
    for path in d_paths - t_paths:
        assert after.get(path) == ours.get(path), path
    for path in (base.keys() | states[-1].keys()) - d_paths - t_paths:
        assert after.get(path) == base.get(path), path
    if not d_paths & t_paths:
        assert result.conflicts == ()
        expected = {p: c for p, c in states[-1].items() if p not in d_paths}
        expected |= {p: ours[p] for p in d_paths if p in ours}
        assert after == {**expected, **IGNORED}

    kept = b"\n".join(after.values())
    for content in ours.values():
        for token in tokens_of(content, b"o"):
            assert token in kept, token

    record = read_record(project)
    assert record is not None
    outcomes = {o.name: o for o in result.outcomes}
    assert [m.name for m in record.applied] == [*done, *outcomes]
    event("drifted copy: " + ("conflicts" if result.conflicts else "merged"))
    event("drift meets later migrations" if d_paths & t_paths else "drift apart")
    if not result.conflicts:
        assert result.waiting == ()
        assert [m.name for m in record.applied] == names
        return
    check_conflicts(history, after, result.outcomes[-1])
    assert result.conflicts == result.outcomes[-1].conflicts
    assert record.applied[-1].conflicts == result.conflicts
    assert result.waiting == tuple(names[len(done) + len(result.outcomes) :])


def check_conflicts(history: History, after: Files, last: MigrationOutcome) -> None:
    """A file left with conflict markers holds every token the conflicting migration added."""
    step = next(i for i, n in enumerate(history.names_at) if n and n[-1] == last.name)
    states = history.states
    template_before = b"\n".join(states[step - 1].values()) if step else b""
    for path in last.conflicts:
        content = after.get(path, b"")
        if b"<<<<<<< project" not in content:
            continue
        assert f">>>>>>> {last.name}".encode() in content
        theirs = states[step].get(path, b"")
        for token in tokens_of(theirs, b"t") - tokens_of(template_before, b"t"):
            assert token in content, (path, token)


def test_files_written_by_helpers_round_trip(tmp_path: Path) -> None:
    files = {"a.txt": b"x\r\n", "日本/ü.txt": b"", "d/ñ/bin.dat": b"\x00t001\xff"}
    write_files(tmp_path, files)
    assert read_files(tmp_path) == files
    sync_files(tmp_path, files, {"a.txt": b"y"})
    assert read_files(tmp_path) == {"a.txt": b"y"}
    assert sorted(listing(tmp_path)) == ["a.txt"]
