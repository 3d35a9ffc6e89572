"""``_tasks`` during ``update``, with Copier 9.19.1 as the oracle.

Copier's update writes the new version over the project, runs the tasks there, then puts the
project's own changes back; ours runs them on a scratch copy with the new version written over
it, merges what they changed as the template's side, and writes once. Each case copies the
template's first version (its tasks run, as in a real project), commits, edits and commits, then
updates one twin with Copier and the other with us: the trees (``.git`` aside) and ``git status``
must be the same, except where the case states Copier's result and why.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest
import yaml

from instance.helpers import ANSWERS_JINJA, git
from instance.update_scenarios import (
    Files,
    Template,
    TemplateStore,
    commit_all,
    expected_entry,
    folder_state,
    twin,
    write_files,
)
from templsync._core.tree import FileEntry, Tree
from templsync._io.scratch import ScratchChanges
from templsync.instance.copy import CopyOptions, copy
from templsync.instance.tasks import TaskError
from templsync.instance.update import UpdateOptions, UpdateResult, update
from templsync.instance.updatetasks import fold_task_changes

SETUP_V1 = '#!/bin/sh\necho "setup v1" >> setup.log\nrm -- "$0"\n'
SETUP_V2 = '#!/bin/sh\necho "setup v2" >> setup.log\nrm -- "$0"\n'
CONFIG = "first\nsecond\nthird\nfourth\nfifth\n"
ON_UPDATE = "{{ _copier_operation == 'update' }}"


def config(tasks: Sequence[object], extra: Mapping[str, object] | None = None) -> str:
    settings = {"name": {"type": "str", "default": "app"}, **(extra or {}), "_tasks": list(tasks)}
    return yaml.safe_dump(settings)


def template(
    name: str,
    tasks: Sequence[object],
    v1: Files,
    v2: Files,
    *,
    settings: Mapping[str, object] | None = None,
    v2_config: str | None = None,
) -> Template:
    """Two versions: ``v1`` with ``tasks`` (and ``settings``), then ``v2``'s changes (and
    ``copier.yml``)."""
    first = {**ANSWERS_JINJA, "copier.yml": config(tasks, settings), **v1}
    second = {**v2, **({"copier.yml": v2_config} if v2_config is not None else {})}
    return Template(name, (("v1", first), ("v2", second)))


SELF_DELETING = template(
    "self-deleting",
    ["sh setup.sh"],
    {"setup.sh": SETUP_V1, "app.txt": "app v1\n"},
    {"setup.sh": SETUP_V2, "app.txt": "app v2\n"},
)
"""A setup script that deletes itself: run by the copy, shipped again (changed) by v2."""

READS_CONFIG = template(
    "reads-config",
    ["cat config.txt > seen.txt"],
    {"config.txt": CONFIG},
    {"config.txt": CONFIG.replace("second", "second from v2")},
)
"""A task that reads a template file the instance edited where v2 changes it too."""

LOCK = template(
    "lock",
    ["cat deps.txt > deps.lock", "echo locked >> deps.lock"],
    {"deps.txt": "alpha==1\nbeta==1\ngamma==1\n"},
    {"deps.txt": "alpha==2\nbeta==1\ngamma==1\n"},
)
"""A task that makes a lock file (no template file) from a template file."""

SKIPPED = template(
    "skipped",
    [{"command": "echo 'added by a task' >> settings.txt", "when": ON_UPDATE}],
    {"settings.txt": "debug = false\n", "app.txt": "app v1\n"},
    {"settings.txt": "debug = true\n", "app.txt": "app v2\n"},
    settings={"_skip_if_exists": ["settings.txt"]},
)
"""A task that edits a ``_skip_if_exists`` file the instance keeps as it is."""

FAILING = template(
    "failing",
    [],
    {"app.txt": "app v1\n", "config.txt": CONFIG},
    {"app.txt": "app v2\n", "config.txt": CONFIG.replace("third", "third, v2")},
    v2_config=config(["exit 3"]),
)
"""A task, new in v2, that fails (Copier's old copy, which runs v1's tasks, goes well)."""

UPDATE_ONLY = template(
    "update-only",
    [{"command": "echo made > made.txt", "when": ON_UPDATE}],
    {"app.txt": "app v1\n"},
    {"app.txt": "app v2\n"},
)
"""A task that runs on updates only, so its file is new to the instance."""

EXCLUDE_KEEP = {"_exclude": ["copier.yml", ".git", ".keep"]}  # .git: see test_dot_git.py
FOLDER_TASK = "test -d data && echo yes > saw-data.txt; mkdir -p logs/archive"
FOLDERS = template(
    "folders",
    [],
    {"app.txt": "app v1\n"},
    {"app.txt": "app v2\n", "data/.keep": ""},
    settings=EXCLUDE_KEEP,
    v2_config=config([FOLDER_TASK], EXCLUDE_KEEP),
)
"""v2 makes an empty folder (its one file is excluded), and has a task that looks for it and
makes another. (Were the task in v1 too, Copier's old copy would make that folder as well, and
Copier removes at its end the empty folders both its copies have.)"""

MIGRATIONS = [
    {"command": "echo before >> order.log", "when": "{{ _stage == 'before' }}"},
    {"command": "echo after >> order.log"},
]
ORDERED = template(
    "ordered",
    ["echo task >> order.log"],
    {"app.txt": "app v1\n"},
    {"app.txt": "app v2\n"},
    v2_config=config(["echo task >> order.log"], {"_migrations": MIGRATIONS}),
)
"""Migrations before and after updating, and a task, each writing to the same file."""


@dataclass(frozen=True)
class Case:
    id: str
    template: Template
    edits: Files = field(default_factory=dict)
    conflict: Literal["inline", "rej"] = "inline"
    skip_tasks: bool = False
    expect: Files = field(default_factory=dict)
    """What some paths hold after our update (``None``: absent)."""
    copier: Files = field(default_factory=dict)
    """Where Copier's tree differs from ours: its content (``None``: Copier has no file)."""
    why: str = ""
    same_status: bool = True


CASES = [
    Case(
        "self-deleting setup script",
        SELF_DELETING,
        expect={"setup.sh": None, "setup.log": "setup v1\nsetup v2\n", "app.txt": "app v2\n"},
    ),
    Case(
        "self-deleting setup script, --skip-tasks",
        SELF_DELETING,
        skip_tasks=True,
        expect={"setup.sh": None, "setup.log": "setup v1\n", "app.txt": "app v2\n"},
    ),
    Case(
        "a task reads a file left with conflicts",
        READS_CONFIG,
        edits={"config.txt": CONFIG.replace("second", "second, mine")},
        expect={"seen.txt": CONFIG.replace("second", "second from v2")},
    ),
    Case(
        "a task reads a file left with conflicts, --conflict rej",
        READS_CONFIG,
        edits={"config.txt": CONFIG.replace("second", "second, mine")},
        conflict="rej",
        expect={
            "seen.txt": CONFIG.replace("second", "second from v2"),
            "config.txt": CONFIG.replace("second", "second, mine"),
        },
        copier={"config.txt": CONFIG.replace("second", "second from v2")},
        why="with --conflict rej ours keeps the instance's file and writes the template's hunk "
        "to the .rej file; Copier writes the template's file and the instance's hunk",
        same_status=False,  # so config.txt is modified in Copier's, unchanged in ours
    ),
    Case(
        "a task makes a lock file from a template file",
        LOCK,
        edits={"deps.txt": "alpha==1\nbeta==1\ngamma==1\ndelta==1\n"},
        expect={
            "deps.txt": "alpha==2\nbeta==1\ngamma==1\ndelta==1\n",
            "deps.lock": "alpha==2\nbeta==1\ngamma==1\nlocked\n",
        },
    ),
    Case(
        "before-migrations, tasks, after-migrations, in Copier's order",
        ORDERED,
        expect={"order.log": "task\nbefore\ntask\nafter\n"},
    ),
    Case(
        "a task that runs on updates only makes a new file",
        UPDATE_ONLY,
        expect={"made.txt": "made\n"},
        copier={"made.txt": None},
        why="Copier's old copy runs the task too, so made.txt is in its base and not in the "
        "project: Copier takes it for a file the project deleted, and deletes it",
        same_status=False,  # made.txt is untracked in ours
    ),
    Case(
        "a task finds the new version's empty folder and makes one",
        FOLDERS,
        expect={"saw-data.txt": "yes\n"},
    ),
    Case(
        "a task edits a _skip_if_exists file the instance keeps",
        SKIPPED,
        edits={"settings.txt": "debug = false\nmine = 1\n"},
        expect={"settings.txt": "debug = false\nmine = 1\nadded by a task\n"},
    ),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TemplateStore:
    return TemplateStore(tmp_path_factory.mktemp("templates"))


def make_instance(store: TemplateStore, template: Template, edits: Files, top: Path) -> Path:
    """Copied at the first version with its tasks run, committed; edited, committed."""
    options = CopyOptions(vcs_ref=template.first, defaults=True, trust=True, quiet=True)
    copy(str(store.path(template)), top, options)
    git(top, "init", "-q")
    commit_all(top, "made from the template")
    write_files(top, edits)
    commit_all(top, "the instance's changes")
    return top


def run_copier(dst: Path, *, conflict: Literal["inline", "rej"], skip_tasks: bool) -> None:
    import copier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_update(
            str(dst),
            defaults=True,
            overwrite=True,
            unsafe=True,
            quiet=True,
            conflict=conflict,
            skip_tasks=skip_tasks,
        )


def run_ours(dst: Path, case: Case) -> UpdateResult:
    options = UpdateOptions(
        defaults=True, trust=True, quiet=True, conflict=case.conflict, skip_tasks=case.skip_tasks
    )
    return update(dst, options)


def comparable(files: Mapping[str, tuple[str, bytes]]) -> dict[str, object]:
    """``files`` with every ``.rej`` file's text left out: each tool writes its own hunks."""
    return {p: "a .rej file" if p.endswith(".rej") else e for p, e in files.items()}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_tasks_during_update_as_copier(case: Case, store: TemplateStore, tmp_path: Path) -> None:
    dst = make_instance(store, case.template, case.edits, tmp_path / "ours")
    other = twin(dst, tmp_path / "copier")

    run_ours(dst, case)
    run_copier(other, conflict=case.conflict, skip_tasks=case.skip_tasks)

    ours = folder_state(dst)
    for path, content in case.expect.items():
        assert ours.files.get(path) == (None if content is None else expected_entry(content)), path
    expected = dict(ours.files)
    for path, content in case.copier.items():
        if content is None:
            expected.pop(path, None)
        else:
            expected[path] = expected_entry(content)
    theirs = folder_state(other)
    assert comparable(theirs.files) == comparable(expected), case.why or "Copier's tree is ours"
    assert theirs.dirs == ours.dirs
    if case.same_status:
        assert git(other, "status", "--porcelain") == git(dst, "status", "--porcelain")


def scratch_folders() -> list[Path]:
    """What is left in the scratch folder of the tests' cache (``TEMPLSYNC_CACHE_DIR``)."""
    base = Path(os.environ["TEMPLSYNC_CACHE_DIR"]) / "scratch"
    return sorted(base.iterdir()) if base.exists() else []


def test_a_failing_task_writes_nothing_where_copier_leaves_the_new_version(
    store: TemplateStore, tmp_path: Path
) -> None:
    import copier

    dst = make_instance(
        store, FAILING, {"config.txt": CONFIG.replace("third", "third, mine")}, tmp_path / "ours"
    )
    other = twin(dst, tmp_path / "copier")
    before = folder_state(dst)

    with pytest.raises(TaskError, match=r"task 1 of 1 \(exit 3\) failed.*update wrote nothing"):
        run_ours(dst, Case("failing", FAILING))
    with pytest.raises(copier.errors.TaskError):
        run_copier(other, conflict="inline", skip_tasks=False)

    assert folder_state(dst) == before
    assert git(dst, "status", "--porcelain") == ""
    assert scratch_folders() == []
    # Copier stops after writing the new version over the project, the project's own edit
    # (config.txt) overwritten and not put back: `git checkout .` is the way back.
    assert git(other, "diff", "--name-only").splitlines() == [
        ".copier-answers.yml",
        "app.txt",
        "config.txt",
    ]
    assert (other / "config.txt").read_text() == CONFIG.replace("third", "third, v2")


def task_template(store: TemplateStore, name: str, task: str, files: Files) -> Template:
    """v1 with ``files``; v2 changes app.txt and runs ``task`` when updating."""
    tasks = [{"command": task, "when": ON_UPDATE}]
    return Template(
        name,
        (
            ("v1", {**ANSWERS_JINJA, "copier.yml": config(tasks), "app.txt": "v1\n", **files}),
            ("v2", {"app.txt": "v2\n"}),
        ),
    )


GIT_TASK = (
    "git ls-files > tracked.txt && git describe --tags > described.txt && git add -A && "
    "git commit -qm 'made by a task' && git tag from-task && git config templsync.probe yes"
)


def test_tasks_see_the_instances_git_history_and_keep_their_git_changes_to_themselves(
    store: TemplateStore, tmp_path: Path
) -> None:
    template = task_template(store, "git-task", GIT_TASK, {})
    dst = make_instance(store, template, {"mine.txt": "mine\n"}, tmp_path / "ours")
    git(dst, "tag", "release-1")
    tracked = git(dst, "ls-files")
    head = git(dst, "rev-parse", "HEAD")

    run_ours(dst, Case("git", template))

    assert (dst / "tracked.txt").read_text() == tracked + "\n"
    assert (dst / "described.txt").read_text() == "release-1\n"
    assert git(dst, "rev-parse", "HEAD") == head
    assert git(dst, "tag") == "release-1"
    assert "probe" not in (dst / ".git" / "config").read_text()
    assert sorted(line.strip() for line in git(dst, "status", "--porcelain").splitlines()) == [
        "?? described.txt",
        "?? tracked.txt",
        "M .copier-answers.yml",
        "M app.txt",
    ]


def test_files_git_ignores_are_there_for_tasks_and_not_carried_back(
    store: TemplateStore, tmp_path: Path
) -> None:
    task = "cat local.log > seen.txt && mkdir -p .venv && echo new > .venv/new && rm local.log"
    template = task_template(store, "ignored", task, {".gitignore": ".venv/\n*.log\n"})
    dst = make_instance(store, template, {}, tmp_path / "ours")
    write_files(dst, {"local.log": "kept by git's ignore rules\n", ".venv/old": "old\n"})

    run_ours(dst, Case("ignored", template))

    assert (dst / "seen.txt").read_text() == "kept by git's ignore rules\n"
    assert (dst / "local.log").exists()
    assert sorted(p.name for p in (dst / ".venv").iterdir()) == ["old"]


def test_in_a_monorepo_the_tasks_see_the_instances_folder_and_the_outer_ignore_rules(
    store: TemplateStore, tmp_path: Path
) -> None:
    template = task_template(store, "in-monorepo", "git ls-files > tracked.txt; echo x > x.tmp", {})
    top = tmp_path / "top"
    dst = top / "services" / "api"
    write_files(top, {".gitignore": "*.tmp\n", "README.md": "a monorepo\n"})
    copy(str(store.path(template)), dst, CopyOptions(vcs_ref="v1", defaults=True, trust=True))
    git(top, "init", "-q")
    commit_all(top, "a monorepo")

    run_ours(dst, Case("monorepo", template))

    assert (dst / "tracked.txt").read_text().splitlines() == [
        ".copier-answers.yml",
        "app.txt",
    ]
    assert not (dst / "x.tmp").exists()


def test_tasks_run_in_the_scratch_copy_which_keeps_the_projects_name(
    store: TemplateStore, tmp_path: Path
) -> None:
    task = "pwd -P > where.txt && echo '{{ _copier_conf.dst_path }}' >> where.txt && " + (
        "echo '{{ _folder_name }}' >> where.txt"
    )
    template = task_template(store, "where", task, {})
    dst = make_instance(store, template, {}, tmp_path / "project")

    run_ours(dst, Case("where", template))

    cwd, dst_path, name = (dst / "where.txt").read_text().splitlines()
    assert Path(cwd) == Path(dst_path).resolve() != dst.resolve()
    assert name == Path(cwd).name == "project"
    assert not Path(cwd).exists()
    assert scratch_folders() == []


def test_files_tasks_add_keep_their_mode_and_symlinks_stay_links(
    store: TemplateStore, tmp_path: Path
) -> None:
    task = "printf 'echo hi\\n' > tool.sh && chmod +x tool.sh && ln -s app.txt link.txt"
    template = task_template(store, "modes", task, {})
    dst = make_instance(store, template, {}, tmp_path / "ours")

    run_ours(dst, Case("modes", template))

    assert os.access(dst / "tool.sh", os.X_OK)
    assert (dst / "link.txt").is_symlink()
    assert (dst / "link.txt").readlink() == Path("app.txt")


def test_pretend_lists_the_tasks_runs_none_and_copies_nothing(
    store: TemplateStore, tmp_path: Path
) -> None:
    template = task_template(store, "pretend", "echo ran > ran.txt", {})
    dst = make_instance(store, template, {}, tmp_path / "ours")
    before = folder_state(dst)

    result = update(dst, UpdateOptions(defaults=True, trust=True, pretend=True))

    assert [c.shown for c in result.tasks] == ["echo ran > ran.txt"]
    assert [c.cwd for c in result.tasks] == [dst.absolute()]
    assert folder_state(dst) == before
    assert not (Path(os.environ["TEMPLSYNC_CACHE_DIR"]) / "scratch").exists()


def test_no_copy_is_made_when_no_task_runs(store: TemplateStore, tmp_path: Path) -> None:
    template = task_template(store, "never", "echo ran > ran.txt", {})
    never = Template(
        "never-runs",
        tuple(
            (tag, {**files, "copier.yml": config([{"command": "exit 1", "when": False}])})
            if "copier.yml" in files
            else (tag, files)
            for tag, files in template.versions
        ),
    )
    dst = make_instance(store, never, {}, tmp_path / "ours")

    result = run_ours(dst, Case("never", never))

    assert result.tasks == ()
    assert (dst / "app.txt").read_text() == "v2\n"
    assert not (Path(os.environ["TEMPLSYNC_CACHE_DIR"]) / "scratch").exists()


def test_outside_git_the_tasks_changes_land_but_what_gitignore_names(
    store: TemplateStore, tmp_path: Path
) -> None:
    task = "echo made > made.txt && mkdir -p .venv && echo x > .venv/x"
    template = task_template(store, "no-git", task, {".gitignore": ".venv/\n"})
    dst = tmp_path / "ours"
    copy(str(store.path(template)), dst, CopyOptions(vcs_ref="v1", defaults=True, trust=True))

    run_ours(dst, Case("no-git", template))

    assert (dst / "made.txt").read_text() == "made\n"
    assert not (dst / ".venv").exists()
    assert not (dst / ".git").exists()


def entry(text: str) -> FileEntry:
    return FileEntry.from_bytes(text.encode())


def test_fold_gives_the_tasks_changes_to_the_template_and_to_the_base_off_the_renders() -> None:
    base = {"both.txt": entry("old"), "dropped.txt": entry("old"), "kept.cfg": entry("old")}
    ours = {**base, "both.txt": entry("mine"), "lock": entry("lock 1"), "kept.cfg": entry("mine")}
    theirs = {"both.txt": entry("new"), "kept.cfg": entry("mine"), "script.sh": entry("run")}
    changes = ScratchChanges(
        Tree(
            {
                "both.txt": entry("new, by a task"),
                "dropped.txt": entry("still here"),
                "kept.cfg": entry("mine, by a task"),
                "lock": entry("lock 2"),
                "made.txt": entry("made"),
            }
        ),
        frozenset({"script.sh"}),
    )

    new_base, new_theirs = fold_task_changes(
        changes,
        base=base,
        ours=ours,
        theirs=theirs,
        old_paths=frozenset({"both.txt", "dropped.txt", "kept.cfg"}),
        new_paths=frozenset({"both.txt", "kept.cfg", "script.sh"}),
        kept=frozenset({"kept.cfg"}),
    )

    assert new_theirs == {
        "both.txt": entry("new, by a task"),
        "kept.cfg": entry("mine, by a task"),
        "lock": entry("lock 2"),
        "made.txt": entry("made"),
    }
    assert new_base == {
        "both.txt": entry("old"),  # a template path: the merge keeps the instance's edit
        "dropped.txt": entry("old"),  # the template's deletion stands
        "kept.cfg": entry("mine"),  # the instance's, so the task's change lands as it is
        "lock": entry("lock 1"),
    }
