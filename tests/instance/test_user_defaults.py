"""Defaults from outside the template against Copier: ``user_defaults`` and the ``defaults:`` of
Copier's settings file (Copier's ``test_user_defaults``, ``test_user_defaults_updated`` and
``test_copy_with_defaults``)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from instance.helpers import ANSWERS_JINJA, git, snapshot, tagged_repo, worktree_snapshot
from templsync.cli.main import main
from templsync.instance.copy import CopyOptions, copy
from templsync.instance.update import UpdateOptions, update
from templsync.template.usersettings import load_settings
from testing.trees import build_tree

FOUR = {
    "copier.yaml": (
        "a_string:\n  default: lorem ipsum\n  type: str\n"
        "a_number:\n  default: 12345\n  type: int\n"
        "a_boolean:\n  default: true\n  type: bool\n"
        "a_list:\n  default:\n    - one\n    - two\n    - three\n  type: json\n"
    ),
    "user_data.txt.jinja": (
        "A string: {{ a_string }}\nA number: {{ a_number }}\nA boolean: {{ a_boolean }}\n"
        'A list: {{ ", ".join(a_list) }}\n'
    ),
    "extra.txt.jinja": "{{ extra | default('none') }}\n",
    **ANSWERS_JINJA,
}
USER = {
    "a_string": "foo",
    "a_number": 42,
    "a_boolean": False,
    "a_list": ["four", "five", "six"],
    "extra": "not a question, but in the context",
}


def copier_run(kind: str, *args: Any, **kw: Any) -> None:
    import copier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(copier, kind)(*args, defaults=True, overwrite=True, quiet=True, **kw)


@pytest.mark.parametrize(
    ("user_defaults", "data"),
    [({}, {}), (USER, {}), (USER, {"a_string": "yosemite", "a_number": 1})],
)
def test_user_defaults_replace_the_templates_and_data_wins(
    tmp_path: Path, user_defaults: dict[str, Any], data: dict[str, Any]
) -> None:
    template = build_tree(tmp_path / "tpl", FOUR)
    theirs, ours = tmp_path / "copier", tmp_path / "ours"
    copier_run("run_copy", str(template), theirs, user_defaults=user_defaults, data=data)

    copy(str(template), ours, CopyOptions(defaults=True, user_defaults=user_defaults, data=data))

    assert snapshot(ours) == snapshot(theirs)
    expected = "foo" if user_defaults and not data else "yosemite" if data else "lorem ipsum"
    assert (ours / "user_data.txt").read_text().startswith(f"A string: {expected}\n")


Case = tuple[
    dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any], str, str
]
"""user_defaults and data on copy, then on update; the settings file's defaults; the results."""


@pytest.mark.parametrize(
    "case",
    [
        ({"a_string": "foo"}, {"a_string": "foobar"}, {}, {}, {}, "foo", "foo"),
        ({}, {}, {}, {}, {"a_string": "bar"}, "bar", "bar"),
        ({"a_string": "foo"}, {"a_string": "foobar"}, {}, {}, {"a_string": "bar"}, "foo", "foo"),
        (
            {"a_string": "foo"},
            {"a_string": "foobar"},
            {"a_string": "yosemite"},
            {},
            {"a_string": "bar"},
            "yosemite",
            "yosemite",
        ),
        (
            {"a_string": "foo"},
            {"a_string": "foobar"},
            {"a_string": "yosemite"},
            {"a_string": "red rocks"},
            {"a_string": "bar"},
            "yosemite",
            "red rocks",
        ),
    ],
)
def test_recorded_answers_win_over_user_and_settings_defaults_on_update(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    case: Case,
) -> None:
    initial, updated, data_initial, data_updated, settings, before, after = case
    files = {
        "copier.yaml": "a_string:\n  default: lorem ipsum\n  type: str\n",
        "user_data.txt.jinja": "A string: {{ a_string }}\n",
        **ANSWERS_JINJA,
    }
    template = tagged_repo(tmp_path / "tpl", {"v1": files})
    settings_file = tmp_path / "settings.yml"
    settings_file.write_text(f"defaults: {json.dumps(settings)}")
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings_file))
    from_file = load_settings(settings_file).defaults
    theirs, ours = tmp_path / "copier", tmp_path / "ours"

    copier_run("run_copy", str(template), theirs, user_defaults=initial, data=data_initial)
    options = CopyOptions(
        defaults=True, user_defaults=initial, data=data_initial, settings_defaults=from_file
    )
    copy(str(template), ours, options)
    assert snapshot(ours) == snapshot(theirs)
    assert (ours / "user_data.txt").read_text() == f"A string: {before}\n"
    for dst in (theirs, ours):
        git(dst, "init", "-q")
        git(dst, "add", "-A")
        git(dst, "commit", "-qm", "copied")

    copier_run("run_update", str(theirs), user_defaults=updated, data=data_updated)
    update(
        ours,
        UpdateOptions(
            defaults=True, user_defaults=updated, data=data_updated, settings_defaults=from_file
        ),
    )

    assert worktree_snapshot(ours) == worktree_snapshot(theirs)
    assert (ours / "user_data.txt").read_text() == f"A string: {after}\n"


def test_the_settings_files_defaults_are_rendered_and_seen_in_copier_conf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = build_tree(
        tmp_path / "tpl",
        {
            "copier.yml": "project_name: foo\nslug: '{{ project_name }}-x'\n",
            "result.txt.jinja": "{{ project_name }} {{ slug }} "
            "{{ _copier_conf.settings.defaults.project_name }}",
        },
    )
    settings_file = tmp_path / "settings.yml"
    settings_file.write_text("defaults:\n  project_name: bar\n  slug: '{{ project_name }}-y'\n")
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings_file))
    theirs, ours = tmp_path / "copier", tmp_path / "ours"
    copier_run("run_copy", str(template), theirs)

    assert main(["copy", str(template), str(ours), "--defaults", "--quiet"]) == 0

    assert snapshot(ours) == snapshot(theirs)
    assert (ours / "result.txt").read_text() == "bar bar-y bar"
