"""The answers file: Copier's ``_copier_answers`` and ``to_nice_yaml``, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from template.fixtures_config.oracle import copier_copy, git, make_template, ours
from templsync.errors import UserError
from templsync.template.answers import (
    ANSWERS_HEADER,
    AnswersFileError,
    dump_answers,
    read_answers,
    to_nice_yaml,
)

TYPES = """\
name: {type: str, default: Demo App}
count: {type: int, default: "{{ 2 + 1 }}"}
ratio: {type: float, default: 0.5}
enabled: {type: bool, default: yes}
config_json: {type: json, default: '{"a": [1, 2], "b": null}'}
config_yaml: {type: yaml, default: "x: 1\\ny: [a, b]"}
where: {type: path, default: src/app}
inferred_int: 3
inferred_list: [1, "two", {three: 3}]
inferred_none: null
slug: {default: "{{ name|lower|replace(' ', '-') }}"}
unicode: "héllo wörld ✓"
Capital: {type: str, default: "sorted before the underscore keys"}
long_text: {type: str, default: "line one\\nline two\\n"}
quoted: {type: str, default: "yes"}
number_text: {type: str, default: "0123"}
"""

CHOICES = """\
_secret_questions: [token]
language: {type: str, choices: [python, go], default: go}
db:
  type: str
  choices: {PostgreSQL: pg, SQLite: sqlite}
  default: pg
features:
  type: str
  multiselect: true
  choices: [api, cli, web]
  default: [web, api]
ci: {type: bool, default: false}
ci_provider: {type: str, when: "{{ ci }}", default: github}
password: {type: str, secret: true, default: s3cret}
token: {type: str, default: abc}
port: {type: int, default: 8000, validator: "{% if port < 1024 %}too low{% endif %}"}
"""

INCLUDES = """\
---
_exclude: [a]
one: 1
---
!include 'common/*.yml'
---
_exclude: [b]
one: 2
"""

ODD = """\
released: {type: yaml, default: 2020-01-01}
long: {type: str, default: "LONG"}
special: {type: str, default: "a: b # c, 'quoted' and \\"double\\""}
picks:
  type: str
  multiselect: true
  choices: [a, b, c]
  default: "{{ ['c', 'a'] }}"
opts: {type: yaml, default: "[x, y]"}
picked: {type: str, choices: "{{ opts }}", default: y}
unset: {type: str, default: "{{ UNSET }}", ask: false}
big: {default: 1.0e+3}
nested: {type: yaml, default: {k: [1, {deep: true}], "with space": null}}
empty: {type: str, default: ""}
""".replace("LONG", " ".join(["word"] * 30))

CASES: dict[str, tuple[str, dict[str, object], dict[str, str]]] = {
    "types": (TYPES, {}, {}),
    "types-with-data": (
        TYPES,
        {"name": "Other Name", "count": "7", "enabled": "no", "ratio": 2, "extra": 1},
        {},
    ),
    "choices": (CHOICES, {}, {}),
    "choices-hidden-data": (CHOICES, {"ci_provider": "gitlab", "password": "x"}, {}),
    "odd": (ODD, {}, {}),
    "odd-with-data": (ODD, {"picks": "[b]", "picked": "x", "unset": "given"}, {}),
    "choices-with-data": (
        CHOICES,
        {"features": ["cli", "api"], "ci": True, "db": "sqlite", "port": 2000},
        {},
    ),
    "includes": (
        INCLUDES,
        {},
        {"common/q.yml": 'two: {type: int, default: "{{ one * 2 }}"}\n'},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_answers_file_is_byte_identical_to_copiers(tmp_path: Path, case: str) -> None:
    copier_yml, data, extra = CASES[case]
    src = make_template(tmp_path / "tpl", copier_yml, extra)
    copied = copier_copy(src, tmp_path / "dst", data)
    answers, rendered = ours(src, data)
    assert rendered == copied.raw
    assert dict(answers.remembered) == {
        k: v for k, v in copied.recorded.items() if not k.startswith("_")
    }


def test_secrets_and_hidden_questions_stay_out_of_the_file(tmp_path: Path) -> None:
    src = make_template(tmp_path / "tpl", CHOICES)
    answers, rendered = ours(src, {})
    assert "password" not in answers.remembered
    assert "token" not in answers.remembered
    assert "ci_provider" not in answers.remembered
    assert answers.values["ci_provider"] == "github"  # when false: default still computed
    assert answers.secret == {"password", "token"}
    assert answers.hidden == {"ci_provider"}
    assert b"s3cret" not in rendered


def test_dump_answers_matches_the_template(tmp_path: Path) -> None:
    src = make_template(tmp_path / "tpl", CHOICES, tag=None)
    copied = copier_copy(src, tmp_path / "dst", {})
    assert dump_answers(copied.recorded) == copied.raw.decode()
    assert copied.raw.startswith(ANSWERS_HEADER.encode())
    assert "-g" not in str(copied.recorded["_commit"])  # no tag: an abbreviated commit id


def test_to_nice_yaml_sorts_keys_and_indents_by_four() -> None:
    assert to_nice_yaml({"b": [1, {"y": 2, "x": 1}], "a": "é"}) == (
        "a: é\nb:\n- 1\n-   x: 1\n    y: 2\n"
    )


def test_read_answers_from_copier(tmp_path: Path) -> None:
    src = make_template(tmp_path / "tpl", CHOICES)
    copied = copier_copy(src, tmp_path / "dst", {})
    recorded = read_answers(copied.raw, ".copier-answers.yml")
    assert recorded.src_path == str(src)
    assert recorded.commit == "v1.0"
    assert dict(recorded.answers) == {
        "ci": False,
        "db": "pg",
        "features": ["api", "web"],
        "language": "go",
        "port": 8000,
    }
    assert recorded.private == {}


def test_read_answers_keeps_other_private_keys_apart() -> None:
    recorded = read_answers(b"_src_path: gh:o/r\n_other: 1\nx: 2\n", "a.yml")
    assert recorded.commit is None
    assert recorded.private == {"_other": 1}
    assert recorded.answers == {"x": 2}
    assert read_answers(b"", "a.yml").answers == {}


def test_read_answers_invalid_yaml_names_file_and_line() -> None:
    with pytest.raises(AnswersFileError) as info:
        read_answers(b"a: 1\nb: [unclosed\n", ".copier-answers.yml")
    assert str(info.value).startswith(".copier-answers.yml:3: the answers file is not valid YAML")
    assert isinstance(info.value, UserError)


def test_read_answers_refuses_a_non_mapping() -> None:
    with pytest.raises(AnswersFileError, match=r"^x\.yml: the answers file holds a list"):
        read_answers(b"- a\n- b\n", "x.yml")


V1 = """\
a: {type: int, default: 1}
b: {type: str, choices: [x, y, z], default: x}
gone: {type: str, default: old}
when_later: {type: bool, default: true}
"""
V2 = """\
a: {type: int, default: 1}
b: {type: str, choices: [x, y], default: x}
c: {type: int, default: "{{ a * 2 }}"}
when_later: {type: bool, default: true, when: false}
"""


def test_update_keeps_recorded_answers_as_copier_does(tmp_path: Path) -> None:
    import copier

    src = make_template(tmp_path / "tpl", V1)
    dst = tmp_path / "dst"
    copier_copy(src, dst, {"a": 5, "b": "z"})
    git(dst, "init", "-q")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "v1")
    (src / "copier.yml").write_text(V2)
    git(src, "commit", "-q", "-am", "v2")
    git(src, "tag", "v2.0")
    copier.run_update(dst, defaults=True, unsafe=True, quiet=True, overwrite=True)
    raw = (dst / ".copier-answers.yml").read_bytes()

    recorded = read_answers(git(dst, "show", "HEAD:.copier-answers.yml").encode(), "x").answers
    assert recorded == {"a": 5, "b": "z", "gone": "old", "when_later": True}
    answers, rendered = ours(src, {}, previous=recorded)
    assert rendered == raw
    assert dict(answers.remembered) == {"a": 5, "b": "x", "c": 10}
