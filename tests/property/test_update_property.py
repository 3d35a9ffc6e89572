"""``update`` never loses an instance's edit, whatever the template and the instance did.

Each example is a real template repository with two tagged versions of a few text files, an
instance copied at the first version, random changes on both sides (lines edited, inserted and
deleted, files deleted, renamed with or without edits, files added, sometimes at a path the other
side also uses), and ``update`` to the second version, conflicts inline or as ``.rej`` files.

Every line is unique (``b3`` in the base, ``t7`` added by the template, ``o5`` by the
instance), so the laws can be checked by looking lines up:

- every line the instance added is in the result: in a merged file, between conflict markers,
  or in a file kept as the instance had it next to its ``.rej``;
- every file the instance added still exists at its path;
- a file the instance deleted, which the template kept at the same path, stays deleted;
- what is on disk is the result's ``after`` tree;
- in a git instance, the inline conflicts left in files are exactly the index's unmerged paths.

The examples are derandomized (the same ones every run); the writer's fsyncs make a temp folder
on tmpfs worth taking where there is one.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pygit2
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pygit2.enums import FileMode

from instance.helpers import ANSWERS_JINJA
from templsync._core.ignore import IgnoreRules
from templsync._io.local import read_tree
from templsync.instance.copy import CopyOptions, copy
from templsync.instance.update import UpdateOptions, update

EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

# Files end in .txt and folders never do, so no file is ever the other side's folder.
PATHS = [f"{d}{n}" for d in ("", "d/", "d/e/", "x/") for n in ("a.txt", "b.txt", "c.txt")]
ANSWERS_FILE = ".copier-answers.yml"
CONFIG = {**ANSWERS_JINJA, "copier.yml": "name:\n  default: app\n"}

Files = dict[str, list[str]]

# The writer fsyncs every file and folder: on tmpfs that costs nothing.
FAST_TMP = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


@dataclass(frozen=True)
class Side:
    """One side's files after its changes, and where each came from (None: added)."""

    files: Files
    origin: Mapping[str, str | None]


@dataclass(frozen=True)
class History:
    base: Files
    theirs: Side
    ours: Side
    conflict: Literal["inline", "rej"]
    git: bool
    """Whether the instance is a git repository (its changes committed)."""


@st.composite
def edited(draw: st.DrawFn, lines: list[str], fresh: Iterator[str]) -> list[str]:
    """``lines`` after a few insertions, deletions and replacements."""
    result = list(lines)
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["insert", "insert", "delete", "replace"]))
        if op == "insert" or not result:
            result.insert(draw(st.integers(0, len(result))), next(fresh))
            continue
        at = draw(st.integers(0, len(result) - 1))
        if op == "delete":
            del result[at]
        else:
            result[at] = next(fresh)
    return result


@st.composite
def side_of(draw: st.DrawFn, base: Files, fresh: Iterator[str]) -> Side:
    """``base`` changed by one side: each file kept, edited, deleted or moved; files added."""
    files: Files = {}
    origin: dict[str, str | None] = {}

    def free() -> list[str]:
        return [p for p in PATHS if p not in base and p not in files]

    for path, lines in base.items():
        op = draw(st.sampled_from(["keep", "edit", "edit", "delete", "move", "move-edit"]))
        if op == "delete":
            continue
        target = path
        if op.startswith("move") and free():
            target = draw(st.sampled_from(free()))
        files[target] = draw(edited(lines, fresh)) if op.endswith("edit") else list(lines)
        origin[target] = path
    for _ in range(draw(st.integers(0, 2))):
        if free():
            # The other side may add a file at the same path: an add/add case.
            target = draw(st.sampled_from(free()))
            files[target] = [next(fresh) for _ in range(draw(st.integers(1, 4)))]
            origin[target] = None
    return Side(files, origin)


@st.composite
def histories(draw: st.DrawFn) -> History:
    base_lines = (f"b{i}" for i in itertools.count())
    paths = draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=4, unique=True))
    base = {p: [next(base_lines) for _ in range(draw(st.integers(1, 6)))] for p in paths}
    theirs = draw(side_of(base, (f"t{i}" for i in itertools.count())))
    ours = draw(side_of(base, (f"o{i}" for i in itertools.count())))
    conflict: Literal["inline", "rej"] = draw(st.sampled_from(["inline", "rej"]))
    return History(base, theirs, ours, conflict, draw(st.booleans()))


def text(lines: list[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode()


def build_template(root: Path, versions: list[tuple[str, Files]]) -> Path:
    """A repository with one commit and one tag per version (no working tree checkout)."""
    repo = pygit2.init_repository(str(root), initial_head="main")
    signature = pygit2.Signature("Template", "template@example.com", 0, 0)
    parents: list[pygit2.Oid] = []
    for tag, files in versions:
        index = pygit2.Index()
        contents = {
            **{p: c.encode() for p, c in CONFIG.items()},
            **{p: text(f) for p, f in files.items()},
        }
        for path, data in contents.items():
            index.add(pygit2.IndexEntry(path, repo.create_blob(data), FileMode.BLOB))
        tree = index.write_tree(repo)
        commit = repo.create_commit("refs/heads/main", signature, signature, tag, tree, parents)
        repo.create_reference(f"refs/tags/{tag}", commit)
        parents = [commit]
    return root


def write_instance(dst: Path, history: History) -> pygit2.Repository | None:
    """Replace the copied files with the instance's side (committed, for a git instance)."""
    for path in history.base:
        (dst / path).unlink()
    for path, lines in history.ours.files.items():
        (dst / path).parent.mkdir(parents=True, exist_ok=True)
        (dst / path).write_bytes(text(lines))
    if not history.git:
        return None
    repo = pygit2.init_repository(str(dst), initial_head="main")
    repo.index.add_all()
    repo.index.write()
    signature = pygit2.Signature("Instance", "instance@example.com", 0, 0)
    repo.create_commit("HEAD", signature, signature, "ours", repo.index.write_tree(), [])
    return repo


@EXAMPLES
@given(histories())
def test_update_never_loses_an_instance_edit(history: History) -> None:
    with tempfile.TemporaryDirectory(dir=FAST_TMP) as tmp:
        template = build_template(
            Path(tmp) / "template", [("v1", history.base), ("v2", history.theirs.files)]
        )
        dst = Path(tmp) / "project"
        copy(str(template), dst, CopyOptions(vcs_ref="v1", defaults=True))
        repo = write_instance(dst, history)

        result = update(dst, UpdateOptions(vcs_ref="v2", defaults=True, conflict=history.conflict))

        on_disk = read_tree(dst, IgnoreRules.of([".git"]))
        for c in result.conflicts:
            event(f"conflict {c.kind}")
        for ch in result.changes:
            event(f"change {ch.action}")
        assert {p: e.digest for p, e in on_disk.items()} == {
            p: e.digest for p, e in result.after.items()
        }
        found = {line for e in on_disk.values() for line in e.content().decode().splitlines()}
        ours_added = {
            line for lines in history.ours.files.values() for line in lines if line[0] == "o"
        }
        assert ours_added <= found, f"lost: {sorted(ours_added - found)}"
        for path, origin in history.ours.origin.items():
            if origin is None:
                assert path in on_disk, f"the instance's own {path} is gone"
        theirs_kept = {p for p, o in history.theirs.origin.items() if o == p}
        for path in history.base.keys() - history.ours.origin.values():
            if path in theirs_kept and path not in history.ours.files:
                assert path not in on_disk, f"{path}, deleted by the instance, came back"
        assert (dst / ANSWERS_FILE).read_text().count("_commit: v2") == 1
        if repo is not None and history.conflict == "inline":
            repo.index.read()
            conflicts = repo.index.conflicts
            unmerged = (
                set() if conflicts is None else {next(e for e in c if e).path for c in conflicts}
            )
            assert unmerged == {c.path for c in result.conflicts if c.path in on_disk}
