"""The registry file: read, written back with its comments, found, and its errors' lines."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from instance.helpers import git
from templsync._core.tree import Mode
from templsync._io.journaldir import JOURNAL_DIR
from templsync.errors import ChangedDuringRunError
from templsync.fleet.registry import (
    REGISTRY_FILE,
    CheckoutError,
    Fleet,
    FleetEntry,
    FleetEntryExistsError,
    FleetEntryNotFoundError,
    FleetFileError,
    RegistryNotFoundError,
    find_registry,
    load_fleet,
    local_checkout,
    new_fleet,
)
from templsync.fleet.registry_save import render_fleet, replace_registry, save_fleet
from testing.trees import build_tree

COMMENTED = """\
# The payments template's fleet.
template = "."  # this folder
test_command = "pytest -q"

# The canary: updated first.
[[instance]]
name = "billing"  # owned by payments
location = "../services/billing"
team = "payments"
wave = 1

# Second wave.
[[instance]]
name = "ledger"
location = "../services/ledger"
wave = "late"
answers_file = ".copier-answers.ledger.yml"

# Tools.
[[instance]]
name = "cli"
location = "https://example.com/org/cli.git"
test_command = "make test"
branch = "develop"

# Retired instances are listed in RETIRED.md.
"""


def registry(folder: Path, text: str) -> Path:
    build_tree(folder, {REGISTRY_FILE: text})
    return folder / REGISTRY_FILE


def test_load_reads_every_field(tmp_path: Path) -> None:
    fleet = load_fleet(registry(tmp_path, COMMENTED))
    assert fleet.template == "."
    assert fleet.test_command == "pytest -q"
    assert fleet.template_location() == str(tmp_path.resolve())
    assert fleet.entries == (
        FleetEntry("billing", "../services/billing", team="payments", wave=1),
        FleetEntry(
            "ledger", "../services/ledger", wave="late", answers_file=".copier-answers.ledger.yml"
        ),
        FleetEntry(
            "cli", "https://example.com/org/cli.git", test_command="make test", branch="develop"
        ),
    )
    assert fleet.entry("ledger").answers_path == ".copier-answers.ledger.yml"
    assert fleet.entry("billing").answers_path == ".copier-answers.yml"


def test_a_url_template_is_kept_as_written(tmp_path: Path) -> None:
    fleet = load_fleet(registry(tmp_path, 'template = "gh:org/service-template"\n'))
    assert fleet.template_location() == "gh:org/service-template"
    assert fleet.entries == ()


def test_saving_the_fleet_as_read_changes_no_byte(tmp_path: Path) -> None:
    path = registry(tmp_path, COMMENTED)
    save_fleet(load_fleet(path))
    assert path.read_text() == COMMENTED


def test_round_trip_keeps_comments_and_order_and_adds_at_the_end(tmp_path: Path) -> None:
    path = registry(tmp_path, COMMENTED)
    fleet = load_fleet(path).with_entries([FleetEntry("search", "../services/search", wave=2)])
    save_fleet(fleet)
    text = path.read_text()
    assert text.startswith(
        COMMENTED.removesuffix("\n# Retired instances are listed in RETIRED.md.\n")
    )
    assert text.endswith(
        '\n[[instance]]\nname = "search"\nlocation = "../services/search"\nwave = 2\n'
        "\n# Retired instances are listed in RETIRED.md.\n"
    )
    assert load_fleet(path) == fleet
    assert not (tmp_path / JOURNAL_DIR).exists()


@pytest.mark.parametrize(
    ("removed", "gone", "kept"),
    [
        ("billing", ["# The canary", "billing"], ["# Second wave.", "# Tools.", "# The payments"]),
        ("ledger", ["# Second wave.", "ledger"], ["# The canary", "# Tools.", "# Retired"]),
        ("cli", ["# Tools.", "make test"], ["# The canary", "# Second wave.", "# Retired"]),
    ],
)
def test_removing_an_entry_takes_the_comment_above_it(
    tmp_path: Path, removed: str, gone: list[str], kept: list[str]
) -> None:
    path = registry(tmp_path, COMMENTED)
    fleet = load_fleet(path).without(removed)
    save_fleet(fleet)
    text = path.read_text()
    assert load_fleet(path) == fleet
    assert [g for g in gone if g in text] == []
    assert [k for k in kept if k not in text] == []
    assert "\n\n\n" not in text


def test_removing_every_entry_keeps_the_settings_and_the_closing_comment(tmp_path: Path) -> None:
    path = registry(tmp_path, COMMENTED)
    fleet = load_fleet(path)
    for entry in fleet.entries:
        fleet = fleet.without(entry.name)
    save_fleet(fleet)
    assert path.read_text() == (
        '# The payments template\'s fleet.\ntemplate = "."  # this folder\n'
        'test_command = "pytest -q"\n\n# Retired instances are listed in RETIRED.md.\n'
    )


def test_changed_values_are_rewritten_in_place(tmp_path: Path) -> None:
    path = registry(tmp_path, COMMENTED)
    fleet = load_fleet(path)
    billing = FleetEntry("billing", "../services/billing", wave=3, branch="main")
    changed = Fleet(fleet.path, fleet.template, None, (billing, *fleet.entries[1:]))
    save_fleet(changed)
    text = path.read_text()
    assert 'name = "billing"  # owned by payments\nlocation = "../services/billing"\n' in text
    assert 'wave = 3\nbranch = "main"\n\n# Second wave.' in text
    assert "team" not in text and 'test_command = "pytest -q"' not in text
    assert load_fleet(path) == changed


def test_a_new_registry_has_a_header_and_reads_back(tmp_path: Path) -> None:
    fleet = new_fleet(tmp_path / "tpl" / REGISTRY_FILE, ".", "pytest").with_entries(
        [FleetEntry("a", "../a", team="core"), FleetEntry("b", "../b", wave=1)]
    )
    save_fleet(fleet)
    text = fleet.path.read_text()
    assert text.startswith("# templsync fleet registry")
    assert '\ntemplate = "."\ntest_command = "pytest"\n\n[[instance]]\nname = "a"\n' in text
    assert '\nteam = "core"\n\n[[instance]]\nname = "b"' in text
    assert load_fleet(fleet.path) == fleet


def test_previous_gives_the_layout_to_keep(tmp_path: Path) -> None:
    old = registry(tmp_path / "old", COMMENTED)
    fleet = load_fleet(old)
    moved = Fleet(tmp_path / "new" / REGISTRY_FILE, fleet.template, None, fleet.entries[:1])
    save_fleet(moved, previous=old)
    text = moved.path.read_text()
    assert text.startswith("# The payments template's fleet.\n")
    assert "# The canary" in text and "ledger" not in text
    assert old.read_text() == COMMENTED


def test_a_registry_edited_while_saving_is_not_overwritten(tmp_path: Path) -> None:
    path = registry(tmp_path, COMMENTED)
    read = path.read_bytes()
    new = render_fleet(load_fleet(path).without("cli"), read.decode()).encode()
    path.write_text(COMMENTED + "# edited by hand\n")  # after it was read, before it is written
    with pytest.raises(ChangedDuringRunError):
        replace_registry(path, (read, Mode.REGULAR), new)
    assert path.read_text().endswith("# edited by hand\n")
    replace_registry(path, (path.read_bytes(), Mode.REGULAR), new)
    assert path.read_bytes() == new


def test_entry_names_close_matches(tmp_path: Path) -> None:
    fleet = load_fleet(registry(tmp_path, COMMENTED))
    with pytest.raises(FleetEntryNotFoundError, match=r"no instance is named 'biling'.*'billing'"):
        fleet.entry("biling")
    with pytest.raises(FleetEntryNotFoundError, match="Its instances: billing, ledger, cli"):
        fleet.entry("zzz")
    with pytest.raises(FleetEntryNotFoundError, match="fleet discover"):
        new_fleet(tmp_path / "x.toml", ".").entry("a")


def test_a_name_can_be_added_once(tmp_path: Path) -> None:
    fleet = load_fleet(registry(tmp_path, COMMENTED))
    with pytest.raises(FleetEntryExistsError, match=r"'ledger'.*--name"):
        fleet.with_entries([FleetEntry("ledger", "elsewhere")])


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('template = "."\n[[instance]\nname = "a"\n', 2, "not valid TOML"),
        (
            'template = "."\n\n[[instance]]\nname = "a"\nlocation = 3\n',
            5,
            "location must be a string, not an integer",
        ),
        (
            'template = "."\n[[instance]]\nname = "a"\nlocation = "a"\nwave = true\n',
            5,
            "wave must be an integer or a name",
        ),
        (
            'template = "."\n[[instance]]\nname = "a"\nlocation = "a"\nwave = 1.5\n',
            5,
            "not a number",
        ),
        (
            'template = "."\n[[instance]]\nname = "a"\nlocation = "a"\n\n'
            '[[instance]]\nname = "a"\nlocation = "b"\n',
            7,
            "'a' is used twice (also on line 3)",
        ),
        ('template = "."\n[[instance]]\nname = "a"\nlocaton = "a"\n', 4, "unknown key 'locaton'"),
        ('template = "."\n[[instance]]\nname = "a"\n', 2, "has no location"),
        ('template = "."\ntest_comand = "x"\n', 2, "unknown setting 'test_comand'"),
        ('test_command = "x"\n', 1, "no template"),
        ('template = ["."]\n', 1, "template must be a string, not an array"),
        ('template = "."\ninstance = "x"\n', 2, "list of [[instance]] tables"),
        ('template = "."\n[[instance]]\nname = ""\nlocation = "a"\n', 3, "cannot be empty"),
    ],
)
def test_invalid_registry_errors_name_the_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = registry(tmp_path, text)
    with pytest.raises(FleetFileError) as caught:
        load_fleet(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in str(caught.value)


def test_find_registry_in_the_template_folder_or_from_fleet(tmp_path: Path) -> None:
    path = registry(tmp_path / "tpl", 'template = "."\n')
    assert find_registry(tmp_path / "tpl") == path
    assert find_registry(tmp_path, tmp_path / "tpl") == path
    assert find_registry(tmp_path, path) == path
    with pytest.raises(RegistryNotFoundError, match="templsync fleet discover"):
        find_registry(tmp_path)
    with pytest.raises(RegistryNotFoundError, match="--fleet"):
        find_registry(tmp_path, tmp_path / "missing.toml")


def test_local_checkout_resolves_against_the_registry_folder(tmp_path: Path) -> None:
    build_tree(tmp_path / "services" / "billing", {"README.md": "x"})
    fleet = load_fleet(registry(tmp_path / "tpl", COMMENTED))
    assert (
        local_checkout(fleet.entry("billing"), fleet, None)
        == (tmp_path / "services" / "billing").resolve()
    )
    with pytest.raises(CheckoutError, match=r"'ledger'.*not a folder.*fleet remove ledger"):
        local_checkout(fleet.entry("ledger"), fleet, None)


def test_a_git_url_location_is_cloned_into_the_cache_once(tmp_path: Path) -> None:
    origin = build_tree(tmp_path / "origin", {".copier-answers.yml": "_src_path: x\n"})
    git(origin, "init", "-q")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "one")
    git(origin, "branch", "develop")
    url = origin.as_uri()
    fleet = new_fleet(tmp_path / "tpl" / REGISTRY_FILE, ".").with_entries(
        [FleetEntry("a", url), FleetEntry("b", url, branch="develop")]
    )
    cache = tmp_path / "cache"
    first = local_checkout(fleet.entry("a"), fleet, cache)
    assert first.parent == cache / "fleet"
    assert (first / ".copier-answers.yml").read_text() == "_src_path: x\n"
    (first / "marker").write_text("kept")
    assert local_checkout(fleet.entry("a"), fleet, cache) == first
    assert (first / "marker").exists()
    on_branch = local_checkout(fleet.entry("b"), fleet, cache)
    assert on_branch != first
    assert git(on_branch, "branch", "--show-current") == "develop"
    assert sorted(p.name for p in (cache / "fleet").iterdir()) == sorted(
        [first.name, on_branch.name]
    )


def test_the_cache_defaults_to_the_environment(tmp_path: Path) -> None:
    origin = build_tree(tmp_path / "origin", {"a": "x"})
    git(origin, "init", "-q")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "one")
    fleet = new_fleet(tmp_path / REGISTRY_FILE, ".").with_entries(
        [FleetEntry("a", origin.as_uri())]
    )
    checkout = local_checkout(fleet.entry("a"), fleet, None)
    assert checkout.parent == Path(os.environ["TEMPLSYNC_CACHE_DIR"]) / "fleet"


def test_an_unreachable_url_is_a_checkout_error(tmp_path: Path) -> None:
    fleet = new_fleet(tmp_path / REGISTRY_FILE, ".").with_entries(
        [FleetEntry("gone", (tmp_path / "nothing").as_uri())]
    )
    with pytest.raises(CheckoutError, match="instance 'gone': cannot clone"):
        local_checkout(fleet.entry("gone"), fleet, tmp_path / "cache")
    assert list((tmp_path / "cache" / "fleet").iterdir()) == []


def test_render_of_an_invalid_previous_file_names_its_line(tmp_path: Path) -> None:
    fleet = new_fleet(tmp_path / REGISTRY_FILE, ".")
    with pytest.raises(FleetFileError, match=r":2: not valid TOML"):
        render_fleet(fleet, 'template = "."\n[[x\n')
