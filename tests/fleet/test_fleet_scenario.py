"""One realistic fleet, end to end through the CLI: ``fleet status``, ``fleet update`` twice.

The template is the five-version one of :mod:`fleet.status_helpers` (1.0.0, 1.1.0, 1.2.0,
2.0.0, 2.1.0; seven commits). Its 27 instances, each a real git repository made from the
template at some version, are listed in :data:`WANT` with everything expected of them: their
status before any update, the outcome of a first ``fleet update``, the outcome of a second
one right after it. Some are plain copies, some have edits that merge cleanly or conflict,
some have uncommitted changes, one fails its tests, one has an update branch left over from an
earlier attempt, four are broken, three share a monorepo, and one was made from two templates.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fleet import fleet_helpers
from fleet.status_helpers import (
    APP_3,
    SUBJECTS_NEWEST_FIRST,
    commit_all,
    copied,
    git,
    hermetic_git,
    make_template,
    new_repo,
)
from templsync.cli.main import main
from templsync.fleet.registry import LastUpdate, load_fleet
from templsync.instance.copy import CopyOptions, copy
from templsync.instance.update import UpdateOptions, update
from testing.trees import build_tree

BRANCH = "templsync/update-2.1.0"
FLAKY_TESTS = "for n in $(seq 1 24); do echo check $n; done; echo FAILED test_greeting; exit 1"
PAST_TAG = "1.1.0-1-g"  # pricing records the commit after 1.1.0; its sha completes the name


@dataclass(frozen=True)
class Want:
    """One instance: where it is, and what every command should say of it."""

    location: str
    recorded: str | None
    """``_commit`` before any update (``PAST_TAG`` completed by the fixture)."""
    status: str
    behind: tuple[int, int] | None
    """(commits, versions) behind before any update; None when broken."""
    last_updated: str | None
    first: tuple[str, str | None]
    """The first ``fleet update``'s outcome and reason."""
    second: tuple[str, str | None]
    """The second's, right after it."""
    team: str | None = None


UPDATED = ("updated", None)
CURRENT = ("up to date", None)
DIRTY = ("skipped", "uncommitted changes")
UNRESOLVED = ("skipped", "unresolved conflicts")
STALE_ERROR = (
    "error",
    f"'git checkout -q -b {BRANCH}' failed: fatal: a branch named '{BRANCH}' already exists",
)
MAJOR = "major version behind"


def broken(why: str) -> tuple[str, str]:
    return ("skipped", f"broken: {why}")


WANT: dict[str, Want] = {
    # plain copies at every version, updated without a word
    "billing": Want(
        "billing", "2.0.0", "1 version behind", (1, 1), "2024-03-01", UPDATED, CURRENT, "payments"
    ),
    "legacy": Want(
        "legacy", "1.0.0", f"{MAJOR} (4 versions behind)", (6, 4), "2023-06-01", UPDATED, CURRENT
    ),
    "inventory": Want(
        "inventory", "1.1.0", f"{MAJOR} (3 versions behind)", (5, 3), "2023-07-02", UPDATED, CURRENT
    ),
    "pricing": Want(
        "pricing", PAST_TAG, f"{MAJOR} (3 versions behind)", (4, 3), "2023-07-03", UPDATED, CURRENT
    ),
    "shipping": Want(
        "shipping", "1.2.0", f"{MAJOR} (2 versions behind)", (3, 2), "2023-08-04", UPDATED, CURRENT
    ),
    # edits that merge cleanly
    "search": Want(
        "search", "2.0.0", "1 version behind", (1, 1), "2024-03-02", UPDATED, CURRENT, "discovery"
    ),
    "orders": Want(
        "orders", "1.0.0", f"{MAJOR} (4 versions behind)", (6, 4), "2023-06-05", UPDATED, CURRENT
    ),
    "accounts": Want(
        "accounts", "1.2.0", f"{MAJOR} (2 versions behind)", (3, 2), "2023-08-06", UPDATED, CURRENT
    ),
    "notify": Want("notify", "2.0.0", "1 version behind", (1, 1), "2024-03-07", UPDATED, CURRENT),
    # edits that conflict
    "clash": Want(
        "clash",
        "2.0.0",
        "1 version behind",
        (1, 1),
        "2024-03-08",
        ("conflicts", "1 file in conflict"),
        UNRESOLVED,
        "payments",
    ),
    "portal": Want(
        "portal",
        "1.1.0",
        f"{MAJOR} (3 versions behind)",
        (5, 3),
        "2023-07-09",
        ("conflicts", "2 files in conflict"),
        UNRESOLVED,
    ),
    # uncommitted changes: a tracked file edited, an untracked file, a staged change
    "reports": Want("reports", "2.0.0", "uncommitted changes", (1, 1), "2024-03-10", DIRTY, DIRTY),
    "scratch": Want("scratch", "1.2.0", "uncommitted changes", (3, 2), "2023-08-11", DIRTY, DIRTY),
    "staging": Want("staging", "2.0.0", "uncommitted changes", (1, 1), "2024-03-12", DIRTY, DIRTY),
    # an earlier update left conflicts that nobody resolved (its answers say 2.1.0 already)
    "ledger": Want(
        "ledger",
        "2.1.0",
        "unresolved conflicts",
        (0, 0),
        "2023-08-13",
        UNRESOLVED,
        UNRESOLVED,
        "payments",
    ),
    # current
    "current": Want("current", "2.1.0", "up to date", (0, 0), "2024-04-14", CURRENT, CURRENT),
    "analytics": Want("analytics", "2.1.0", "up to date", (0, 0), "2024-04-15", CURRENT, CURRENT),
    # its tests fail: the update stays uncommitted, so the second run finds it dirty
    "flaky": Want(
        "flaky",
        "2.0.0",
        "1 version behind",
        (1, 1),
        "2024-03-16",
        ("tests failed", f"`{FLAKY_TESTS}` exited with 1"),
        DIRTY,
    ),
    # an earlier attempt left the update branch behind
    "stale": Want(
        "stale", "2.0.0", "1 version behind", (1, 1), "2024-03-17", STALE_ERROR, STALE_ERROR
    ),
    # broken
    "corrupt": Want(
        "corrupt",
        None,
        "broken: unreadable answers file",
        None,
        None,
        broken("unreadable answers file"),
        broken("unreadable answers file"),
    ),
    "gone": Want(
        "gone",
        None,
        "broken: folder not found",
        None,
        None,
        broken("folder not found"),
        broken("folder not found"),
    ),
    "lost": Want(
        "lost",
        "0.9.0",
        "broken: _commit 0.9.0 is not in the template",
        None,
        "2024-03-20",
        broken("_commit 0.9.0 is not in the template"),
        broken("_commit 0.9.0 is not in the template"),
    ),
    "foreign": Want(
        "foreign",
        "v1.0.0",
        "broken: made from another template",
        None,
        "2024-03-21",
        broken("made from another template"),
        broken("made from another template"),
    ),
    # three services of one monorepo (whose own README has an uncommitted edit)
    "api": Want(
        "platform/services/api",
        "1.2.0",
        f"{MAJOR} (2 versions behind)",
        (3, 2),
        "2024-03-22",
        UPDATED,
        CURRENT,
        "platform",
    ),
    "web": Want(
        "platform/services/web",
        "2.0.0",
        "1 version behind",
        (1, 1),
        "2024-03-22",
        UPDATED,
        CURRENT,
        "platform",
    ),
    "worker": Want(
        "platform/services/worker",
        "2.1.0",
        "up to date",
        (0, 0),
        "2024-03-22",
        CURRENT,
        CURRENT,
        "platform",
    ),
    # made from two templates: ours writes .copier-answers.service.yml
    "combo": Want("combo", "2.0.0", "1 version behind", (1, 1), "2024-03-23", UPDATED, CURRENT),
}
FIRST_UPDATED = [name for name, want in WANT.items() if want.first == UPDATED]
SERVICE_ANSWERS = ".copier-answers.service.yml"
SEARCH_HEADER = "# The search service: queries go through the gateway.\n"
ORDERS_DESCRIPTION = 'description = "Orders, from cart to invoice"\n'
README_ACCOUNTS = "# accounts\n\nOwned by the ledger team.\n"


@dataclass(frozen=True)
class Built:
    """The fleet on disk: the registry's folder (every instance under it) and the template."""

    root: Path
    template: Path
    pricing: str
    """What pricing records: the commit after 1.1.0, as ``git describe`` names it."""

    def recorded(self, name: str) -> str | None:
        return self.pricing if name == "pricing" else WANT[name].recorded


def at(day: str) -> str:
    return f"{day}T10:00:00+00:00"


def made(
    template: Path,
    folder: Path,
    ref: str,
    day: str,
    *,
    edits: dict[str, str] | None = None,
    rewrites: tuple[tuple[str, str, str], ...] = (),
) -> Path:
    """An instance copied at ``ref`` into a new repository, edited, committed on ``day``.

    ``edits`` are whole files; ``rewrites`` are ``(path, old, new)`` replacements in the copy.
    """
    new_repo(copied(template, folder, ref, folder.name))
    build_tree(folder, edits or {})
    for path, old, new in rewrites:
        text = (folder / path).read_text()
        assert old in text, (folder, path)
        (folder / path).write_text(text.replace(old, new))
    commit_all(folder, "From the template", at(day))
    return folder


def build_updatable(root: Path, template: Path) -> str:
    """Plain copies and copies with edits that merge cleanly; what pricing records."""
    for name in ("billing", "legacy", "inventory", "shipping"):
        made(template, root / name, WANT[name].recorded or "", WANT[name].last_updated or "")
    pricing = made(template, root / "pricing", "1.2.0~1", "2023-07-03")
    recorded = (pricing / ".copier-answers.yml").read_text().split("_commit: ")[1].split()[0]

    top = "import tomllib\n"
    made(
        template,
        root / "search",
        "2.0.0",
        "2024-03-02",
        rewrites=(("app/main.py", top, SEARCH_HEADER + top),),
    )
    project = "[project]\n"
    made(
        template,
        root / "orders",
        "1.0.0",
        "2023-06-05",
        edits={"orders/models.py": "ORDER = 'order'\n"},
        rewrites=(("pyproject.toml", project, project + ORDERS_DESCRIPTION),),
    )
    accounts = made(template, root / "accounts", "1.2.0", "2023-08-06")
    (accounts / "migrations/0001_init.py").unlink()
    build_tree(accounts, {"README.md": README_ACCOUNTS})
    commit_all(accounts, "Our README; our own migrations", at("2023-08-06"))
    notify = made(
        template, root / "notify", "2.0.0", "2024-03-07", edits={"settings.toml": "debug = 1\n"}
    )
    (notify / "README.md").unlink()
    commit_all(notify, "No README", at("2024-03-07"))
    return recorded


def build_stuck(root: Path, template: Path) -> None:
    """Copies an update cannot finish or will not start: conflicts, uncommitted changes."""
    made(template, root / "clash", "2.0.0", "2024-03-08", edits={"app/main.py": "print('clash')\n"})
    made(
        template,
        root / "portal",
        "1.1.0",
        "2023-07-09",
        edits={"app/main.py": "print('portal')\n"},
        rewrites=(("pyproject.toml", "0.100", "0.105"),),
    )
    build_tree(made(template, root / "reports", "2.0.0", "2024-03-10"), {"app/main.py": "x\n"})
    build_tree(made(template, root / "scratch", "1.2.0", "2023-08-11"), {"NOTES.txt": "todo\n"})
    staging = made(template, root / "staging", "2.0.0", "2024-03-12")
    build_tree(staging, {"settings.toml": "debug = true\n"})
    git(staging, "add", "settings.toml")
    ledger = made(
        template, root / "ledger", "1.2.0", "2023-08-13", edits={"app/main.py": "print(1)\n"}
    )
    left = update(ledger, UpdateOptions(defaults=True))
    assert [c.path for c in left.conflicts] == ["app/main.py"]


def build_the_rest(root: Path, template: Path) -> None:
    """Current copies, a failing test command, a left-over branch, broken ones, a monorepo,
    a copy made from two templates."""
    made(template, root / "current", "2.1.0", "2024-04-14")
    analytics = made(template, root / "analytics", "2.1.0", "2024-04-15")
    build_tree(analytics, {"analytics/report.py": "REPORT = 1\n"})
    commit_all(analytics, "Work that leaves the answers alone", at("2024-05-01"))
    made(template, root / "flaky", "2.0.0", "2024-03-16")
    git(made(template, root / "stale", "2.0.0", "2024-03-17"), "branch", BRANCH)

    made(
        template,
        root / "corrupt",
        "2.1.0",
        "2024-03-18",
        edits={".copier-answers.yml": "_commit: [\n"},
    )
    made(
        template,
        root / "lost",
        "2.1.0",
        "2024-03-20",
        rewrites=((".copier-answers.yml", "_commit: 2.1.0", "_commit: 0.9.0"),),
    )
    other = fleet_helpers.make_template(root.parent / "other-template", remote=None)
    made(other, root / "foreign", "v1.0.0", "2024-03-21")

    platform = new_repo(root / "platform")
    build_tree(platform, {"README.md": "# Platform\n"})
    for service in ("api", "web", "worker"):
        copied(template, platform / "services" / service, WANT[service].recorded or "", service)
    commit_all(platform, "Three services", at("2024-03-22"))
    build_tree(platform, {"README.md": "# Platform\n\nUncommitted.\n"})

    combo = new_repo(copied(other, root / "combo", "v1.0.0", "combo"))
    options = CopyOptions(
        vcs_ref="2.0.0", defaults=True, data={"name": "combo"}, answers_file=SERVICE_ANSWERS
    )
    copy(str(template), combo, options)
    commit_all(combo, "From two templates", at("2024-03-23"))


def write_registry(root: Path, template: Path) -> None:
    entries = []
    for name, want in WANT.items():
        extra = f'team = "{want.team}"\n' if want.team else ""
        if name == "flaky":
            extra += f'test_command = "{FLAKY_TESTS}"\n'
        if name == "combo":
            extra += f'answers_file = "{SERVICE_ANSWERS}"\n'
        if name == "stale":
            extra += (
                'last_update = { outcome = "updated", version = "2.0.0", date = "2024-03-17" }\n'
            )
        entries.append(f'[[instance]]\nname = "{name}"\nlocation = "{want.location}"\n{extra}')
    (root / "templsync-fleet.toml").write_text(
        f'# The service template\'s fleet.\ntemplate = "{template}"\n'
        'test_command = "test -f app/main.py"\n\n' + "\n".join(entries)
    )


def dates_today() -> set[str]:
    """Today's date in UTC (the registry's) and here (the commits')."""
    now = datetime.now(UTC)
    return {now.date().isoformat(), now.astimezone().date().isoformat()}


def run(*args: str, code: int) -> Any:
    """``templsync ARGS --json`` through the CLI: the JSON it printed (nothing on stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        assert main([*args, "--json"]) == code
    assert err.getvalue() == ""
    return json.loads(out.getvalue())


def fleet_status(root: Path) -> dict[str, dict[str, Any]]:
    data = run("fleet", "status", "--fleet", str(root), "--jobs", "2", code=0)
    assert data["latest"]["version"] == "2.1.0"
    assert [i["name"] for i in data["instances"]] == list(WANT)
    return {i["name"]: i for i in data["instances"]}


def fleet_update(root: Path, *args: str) -> Any:
    """``fleet update --jobs 2``: exit code 1, since some instances are not updated."""
    data = run("fleet", "update", "--fleet", str(root), "--jobs", "2", *args, code=1)
    assert (data["latest"], data["dry_run"], data["clean"]) == ("2.1.0", False, False)
    assert [i["name"] for i in data["instances"]] == list(WANT)
    return data


@dataclass(frozen=True)
class Run:
    """A copy of the fleet after a ``fleet update``, with what it printed."""

    root: Path
    data: Any
    today: set[str]
    """The date of the run (two when it crossed midnight)."""

    @property
    def outcomes(self) -> dict[str, dict[str, Any]]:
        return {i["name"]: i for i in self.data["instances"]}

    def folder(self, name: str) -> Path:
        return self.root / WANT[name].location


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A hermetic git for the module's fixtures (conftest's starts with each test)."""
    with hermetic_git(tmp_path_factory.mktemp("home")):
        yield


@pytest.fixture(scope="module")
def pristine(home: None, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The template and its fleet, built once; nothing writes to it."""
    base = tmp_path_factory.mktemp("scenario")
    template = make_template(base / "template")
    root = base / "fleet"
    recorded = build_updatable(root, template)
    build_stuck(root, template)
    build_the_rest(root, template)
    write_registry(root, template)
    return Built(root, template, recorded)


@pytest.fixture(scope="module")
def first(pristine: Built, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A copy of the fleet after one ``fleet update``."""
    root = Path(shutil.copytree(pristine.root, tmp_path_factory.mktemp("first") / "fleet"))
    before = dates_today()
    data = fleet_update(root)
    return Run(root, data, before | dates_today())


@pytest.fixture(scope="module")
def second(first: Run, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A copy of the fleet after the first update, updated again (the table in UPDATE.md)."""
    root = Path(shutil.copytree(first.root, tmp_path_factory.mktemp("second") / "fleet"))
    return Run(root, fleet_update(root, "--markdown", str(root / "UPDATE.md")), first.today)


# before any update ------------------------------------------------------------------------------


def test_the_status_of_every_instance(pristine: Built) -> None:
    found = fleet_status(pristine.root)
    for name, want in WANT.items():
        got = found[name]
        shown = got["last_updated"] and got["last_updated"][:10]
        behind = got["commits_behind"], got["versions_behind"]
        assert (got["status"], behind, got["template_version"], shown, got["team"]) == (
            want.status,
            want.behind or (None, None),
            pristine.recorded(name),
            want.last_updated,
            want.team,
        ), name
    assert pristine.pricing.startswith(PAST_TAG)
    past = pristine.pricing.removeprefix(PAST_TAG)
    assert found["pricing"]["version"] == f"1.1.0.post1.dev0+{past}"
    assert found["ledger"]["unmerged"] == ["app/main.py"]
    assert found["combo"]["answers_file"] == SERVICE_ANSWERS
    assert ".copier-answers.yml:2: the answers file is not valid YAML" in found["corrupt"]["detail"]
    assert found["foreign"]["detail"] == (
        ".copier-answers.yml records another template: _src_path is "
        f"{str(pristine.root.parent / 'other-template')!r}"
    )


def test_the_counts_and_the_changes_some_instance_lacks(pristine: Built) -> None:
    data = run("fleet", "status", "--fleet", str(pristine.root), "--jobs", "1", code=0)
    assert data["counts"] == {
        "broken": 4,
        "unresolved conflicts": 1,
        "uncommitted changes": 3,
        "major version behind": 8,
        "behind": 8,
        "up to date": 3,
    }
    assert data["since"] == "1.0.0"  # legacy and orders lack every change
    assert [c["subject"] for c in data["changes"]] == list(SUBJECTS_NEWEST_FIRST)


def test_markdown_has_a_row_per_instance(
    pristine: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "INSTANCES.md"
    assert main(["fleet", "status", "--fleet", str(pristine.root), "--markdown", str(table)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert table.read_text().splitlines()[6:] == [
        f"| {name} | {want.location} | {want.team or ''} | {want.last_updated or ''} "
        f"| {pristine.recorded(name) or ''} | {want.status} |"
        for name, want in WANT.items()
    ]


# the first update ------------------------------------------------------------------------------


def test_every_outcome_of_the_first_update(first: Run, pristine: Built) -> None:
    outcomes = first.outcomes
    assert {n: (i["outcome"], i["reason"]) for n, i in outcomes.items()} == {
        n: w.first for n, w in WANT.items()
    }
    assert first.data["counts"] == {
        "updated": 12,
        "up to date": 3,
        "conflicts": 2,
        "tests failed": 1,
        "skipped": 8,
        "error": 1,
    }
    ran = ("updated", "up to date", "conflicts", "tests failed")
    for name in WANT:
        got = outcomes[name]
        assert got["from_version"] == pristine.recorded(name), name
        assert got["to_version"] == ("2.1.0" if got["outcome"] in ran else None), name
        made_branch = got["outcome"] in ("updated", "conflicts", "tests failed")
        assert got["branch"] == (BRANCH if made_branch else None), name


def test_updated_instances_are_committed_on_the_update_branch(first: Run, pristine: Built) -> None:
    for name in FIRST_UPDATED:
        folder = first.folder(name)
        assert git(folder, "branch", "--show-current") == BRANCH, name
        assert git(folder, "status", "--porcelain", "--", ".") == "", name
        commit = first.outcomes[name]["commit"]
        assert commit == git(folder, "log", "-1", "--format=%H", "--", "."), name
        message = git(folder, "log", "-1", "--format=%B", commit).splitlines()
        assert message[0] == f"Update from the template {pristine.recorded(name)} to 2.1.0"
        commits = (WANT[name].behind or (0, 0))[0]
        brought = [line.split(" ", 2)[2] for line in message[3:]]
        assert brought == list(SUBJECTS_NEWEST_FIRST[:commits]), name
        answers = SERVICE_ANSWERS if name == "combo" else ".copier-answers.yml"
        assert "_commit: 2.1.0\n" in (folder / answers).read_text(), name


def test_edits_that_merge_cleanly_keep_both_sides(first: Run) -> None:
    root = first.root
    greeting = APP_3.replace("{{ name }}", "search")
    assert (root / "search/app/main.py").read_text() == SEARCH_HEADER + greeting
    assert (root / "orders/pyproject.toml").read_text() == (
        f'[project]\n{ORDERS_DESCRIPTION}name = "orders"\ndependencies = ["fastapi==0.110"]\n'
    )
    assert (root / "orders/orders/models.py").read_text() == "ORDER = 'order'\n"
    assert (root / "orders/settings.toml").read_text() == "debug = false\n"
    assert (root / "accounts/README.md").read_text() == README_ACCOUNTS
    assert not (root / "accounts/migrations/0001_init.py").exists()  # stays deleted
    assert (root / "accounts/docs/usage.md").read_text() == "# Usage\n"
    assert (root / "notify/settings.toml").read_text() == "debug = 1\n"
    assert not (root / "notify/README.md").exists()
    assert (root / "notify/app/main.py").read_text() == APP_3.replace("{{ name }}", "notify")
    assert (root / "legacy/.github/workflows/ci.yml").read_text() == "on: push\n"


def test_a_monorepo_gets_one_commit_per_service(first: Run, pristine: Built) -> None:
    platform = first.root / "platform"
    for commit, service in (("HEAD~1", "api"), ("HEAD", "web")):
        changed = git(platform, "show", "--name-only", "--format=", commit).splitlines()
        assert changed and all(p.startswith(f"services/{service}/") for p in changed), service
    assert git(platform, "log", "-1", "--format=%s", "HEAD~2") == "Three services"
    assert git(platform, "status", "--porcelain") == "M README.md"  # the repository's, left
    answers = "services/worker/.copier-answers.yml"
    assert (platform / answers).read_text() == (pristine.root / "platform" / answers).read_text()


def test_the_other_templates_answers_are_left_alone(first: Run, pristine: Built) -> None:
    answers = "combo/.copier-answers.yml"
    assert (first.root / answers).read_text() == (pristine.root / answers).read_text()
    assert "_commit: v1.0.0\n" in (first.root / answers).read_text()


def test_conflicts_are_left_as_markers_on_the_branch(first: Run) -> None:
    outcomes = first.outcomes
    assert outcomes["clash"]["conflicts"] == ["app/main.py"]
    assert outcomes["portal"]["conflicts"] == ["app/main.py", "pyproject.toml"]
    for name in ("clash", "portal"):
        folder = first.folder(name)
        assert git(folder, "branch", "--show-current") == BRANCH
        assert git(folder, "log", "-1", "--format=%s") == "From the template"
        assert outcomes[name]["commit"] is None
        for path in outcomes[name]["conflicts"]:
            text = (folder / path).read_text()
            assert "<<<<<<<" in text and "=======" in text and ">>>>>>>" in text, (name, path)
    clash = (first.root / "clash/app/main.py").read_text()
    assert "print('clash')" in clash and "Hello from clash!" in clash


def test_failed_tests_report_their_last_lines_and_commit_nothing(first: Run) -> None:
    flaky = first.outcomes["flaky"]
    last_20 = [f"check {n}" for n in range(6, 25)] + ["FAILED test_greeting"]
    assert flaky["test_output"].splitlines() == last_20
    assert flaky["commit"] is None
    folder = first.folder("flaky")
    assert git(folder, "log", "-1", "--format=%s") == "From the template"
    assert "_commit: 2.1.0\n" in (folder / ".copier-answers.yml").read_text()  # not committed
    assert git(folder, "diff", "--name-only").splitlines() == [".copier-answers.yml", "app/main.py"]


def test_instances_not_updated_are_untouched(first: Run, pristine: Built) -> None:
    for name in ("reports", "scratch", "staging", "ledger", "stale", "lost", "foreign", "current"):
        folder, before = first.folder(name), pristine.root / WANT[name].location
        assert git(folder, "branch", "--show-current") == "main", name
        assert git(folder, "rev-parse", "HEAD") == git(before, "rev-parse", "HEAD"), name
        status = git(folder, "status", "--porcelain")
        assert status == git(before, "status", "--porcelain"), name


def test_the_registry_records_each_attempt(first: Run) -> None:
    registry = first.root / "templsync-fleet.toml"
    entries = {e.name: e.last_update for e in load_fleet(registry).entries}
    billing = entries["billing"]
    assert billing is not None and billing.date in first.today
    assert {name: entry for name, entry in entries.items() if entry is not None} == {
        **dict.fromkeys(FIRST_UPDATED, LastUpdate("updated", "2.1.0", billing.date)),
        "clash": LastUpdate("conflicts"),
        "portal": LastUpdate("conflicts"),
        "flaky": LastUpdate("tests failed"),
        "stale": LastUpdate("error", "2.0.0", "2024-03-17"),  # the last good update kept
    }
    assert registry.read_text().startswith("# The service template's fleet.\n")


# the second update -----------------------------------------------------------------------------


def test_a_second_update_finds_the_updated_ones_up_to_date(second: Run, first: Run) -> None:
    assert {n: (i["outcome"], i["reason"]) for n, i in second.outcomes.items()} == {
        n: w.second for n, w in WANT.items()
    }
    assert second.data["counts"] == {
        "updated": 0,
        "up to date": 15,
        "conflicts": 0,
        "tests failed": 0,
        "skipped": 11,
        "error": 1,
    }
    for name in FIRST_UPDATED:
        assert (
            git(second.folder(name), "log", "-1", "--format=%H", "--", ".")
            == (first.outcomes[name]["commit"])
        ), name
    # Up to date and skipped are not recorded; the error is, the same as before.
    registry = load_fleet(second.root / "templsync-fleet.toml").entries
    before = load_fleet(first.root / "templsync-fleet.toml").entries
    assert [e.last_update for e in registry] == [e.last_update for e in before]
    rows = (second.root / "UPDATE.md").read_text().splitlines()[2:]
    assert [row.split(" | ")[:2] for row in rows] == [
        [f"| {name}", want.second[0]] for name, want in WANT.items()
    ]


def test_the_status_after_the_updates(second: Run) -> None:
    found = fleet_status(second.root)
    after = {
        **dict.fromkeys(FIRST_UPDATED, "up to date"),
        "clash": "unresolved conflicts",
        "portal": "unresolved conflicts",
        "flaky": "uncommitted changes",
    }
    assert {n: i["status"] for n, i in found.items()} == {
        n: after.get(n, w.status) for n, w in WANT.items()
    }
    for name in [*FIRST_UPDATED, "clash", "portal", "flaky"]:
        got = found[name]
        behind = got["template_version"], got["commits_behind"], got["versions_behind"]
        assert behind == ("2.1.0", 0, 0), name
    for name in FIRST_UPDATED:
        assert found[name]["last_updated"][:10] in second.today, name
    assert found["clash"]["unmerged"] == ["app/main.py"]
    assert found["portal"]["unmerged"] == ["app/main.py", "pyproject.toml"]
    assert found["worker"]["last_updated"][:10] == "2024-03-22"  # its answers untouched
