"""copier.yml read from a Tree: settings with Copier's defaults, questions in order, errors."""

from __future__ import annotations

import posixpath
import warnings
from pathlib import Path

import pytest

from template.fixtures_config.oracle import make_template
from templsync._core.tree import Tree
from templsync.errors import (
    ForbiddenPathError,
    InvalidTypeError,
    OldTemplateWarning,
    UnknownSettingWarning,
    UnsupportedVersionError,
    UserError,
)
from templsync.template.config import (
    DEFAULT_EXCLUDE,
    Migration,
    Task,
    TemplateConfigError,
    TemplateSettings,
    load_config,
)
from templsync.template.questions import MISSING
from templsync.template.yamlload import ForbiddenIncludeError


def config_of(text: str, **files: str) -> Tree:
    return Tree.from_texts(
        {"copier.yml": text, **{k.replace("__", "/"): v for k, v in files.items()}}
    )


def test_no_config_file_means_defaults_and_no_questions() -> None:
    config = load_config(Tree.from_texts({"README.md": "x"}))
    assert config.settings == TemplateSettings()
    assert config.questions == ()
    assert config.path is None


def test_defaults_follow_copier() -> None:
    settings = load_config(config_of("a: 1\n")).settings
    assert settings.exclude == DEFAULT_EXCLUDE
    assert settings.templates_suffix == ".jinja"
    assert settings.answers_file == ".copier-answers.yml"
    assert dict(settings.envops) == {"keep_trailing_newline": True}
    assert settings.preserve_symlinks is False
    assert settings.subdirectory == ""


def test_questions_in_file_order_simplified_and_full() -> None:
    config = load_config(config_of("zeta: 1\nalpha: {type: str, help: Hi}\nmid: [1, 2]\n"))
    assert [q.name for q in config.questions] == ["zeta", "alpha", "mid"]
    assert config.question("zeta").type == "int"
    assert config.question("zeta").default == 1
    assert config.question("alpha").default is MISSING
    assert config.question("alpha").help == "Hi"
    assert config.question("mid").type == "yaml"


def test_every_setting_is_read() -> None:
    text = """\
_subdirectory: template
_exclude: ["*.bak", "!keep.bak"]
_skip_if_exists: [".env"]
_templates_suffix: ""
_answers_file: ".answers/{{ name }}.yml"
_envops: {block_start_string: "[%", keep_trailing_newline: false}
_jinja_extensions: [jinja2_time.TimeExtension]
_tasks:
  - "echo hi"
  - [git, init]
  - {command: make, when: "{{ ci }}", working_directory: sub}
_migrations:
  - {version: v2, command: ./m.sh, when: "{{ _stage == 'before' }}"}
  - "echo after"
  - {version: v1, before: [a], after: [b, [c, d]]}
_message_before_copy: before
_message_after_copy: "Done {{ name }}"
_message_before_update: bu
_message_after_update: au
_preserve_symlinks: true
_min_copier_version: "9.0.0"
_external_data: {shared: data/shared.yml}
_secret_questions: [token]
name: x
token: {default: t}
"""
    with warnings.catch_warnings():
        # Nothing to warn of: the legacy migration is warned of when it is used, as in Copier.
        warnings.simplefilter("error")
        config = load_config(config_of(text))
    s = config.settings
    assert s.subdirectory == "template"
    assert s.exclude == ("*.bak", "!keep.bak")
    assert s.skip_if_exists == (".env",)
    assert s.templates_suffix == ""
    assert s.answers_file == ".answers/{{ name }}.yml"
    assert dict(s.envops) == {"block_start_string": "[%", "keep_trailing_newline": False}
    assert s.jinja_extensions == ("jinja2_time.TimeExtension",)
    assert s.tasks == (
        Task("echo hi"),
        Task(("git", "init")),
        Task("make", "{{ ci }}", "sub"),
    )
    assert s.migrations == (
        Migration("./m.sh", "v2", "{{ _stage == 'before' }}"),
        Migration("echo after"),
        Migration(None, "v1", before=("a",), after=("b", ("c", "d"))),
    )
    assert s.migrations[2].is_legacy
    assert (s.message_before_copy, s.message_after_copy) == ("before", "Done {{ name }}")
    assert (s.message_before_update, s.message_after_update) == ("bu", "au")
    assert s.preserve_symlinks is True
    assert s.min_copier_version == "9.0.0"
    assert dict(s.external_data) == {"shared": "data/shared.yml"}
    assert config.secret_questions == {"token"}
    assert config.question("token").secret


def test_subdirectory_drops_the_default_excludes() -> None:
    assert load_config(config_of("_subdirectory: tpl\n")).settings.exclude == ()
    assert load_config(config_of("_subdirectory: .\n")).settings.exclude == DEFAULT_EXCLUDE


def test_null_templates_suffix_is_the_default() -> None:
    assert load_config(config_of("_templates_suffix: null\n")).settings.templates_suffix == ".jinja"


def test_unknown_setting_is_a_warning_with_its_line() -> None:
    with pytest.warns(UnknownSettingWarning) as caught:
        config = load_config(config_of("a: 1\n_colour: blue\n"))
    assert [str(w.message) for w in caught] == [
        "copier.yml:2: unknown setting '_colour' is ignored."
    ]
    assert [q.name for q in config.questions] == ["a"]


def test_old_major_version_warns_and_too_new_is_an_error() -> None:
    with pytest.warns(OldTemplateWarning) as caught:
        config = load_config(config_of("_min_copier_version: '8.0'\n"))
    assert [str(w.message) for w in caught] == [
        "This template was designed for Copier 8.0, but templsync follows Copier 9.19.1. "
        "You could find some incompatibilities."
    ]
    assert config.settings.min_copier_version == "8.0"
    with pytest.raises(UnsupportedVersionError) as info:
        load_config(config_of("a: 1\n_min_copier_version: '9.20'\n"))
    assert str(info.value) == (
        "copier.yml:2: This template requires Copier version >= 9.20 (setting "
        "'_min_copier_version'), while templsync follows Copier 9.19.1. Use a version of the "
        "template made for an older Copier (--vcs-ref)."
    )
    with pytest.raises(TemplateConfigError, match="must be a version number"):
        load_config(config_of("_min_copier_version: 'soon'\n"))


def test_multi_document_merge_and_include_globs() -> None:
    tree = config_of(
        "---\n_exclude: [a]\none: 1\n_skip_if_exists: [x]\n"
        "---\n!include 'common/*.yml'\n"
        "---\n_exclude: [b]\none: 2\n",
        common__b_q="not included: does not end in .yml",
        **{
            "common__a.yml": "two: {type: int}\n---\n_exclude: [c]\n",
            "common__z.yml": "three: 3\n",
            "common__deep__x.yml": "deep: 1\n",
        },
    )
    config = load_config(tree)
    assert [q.name for q in config.questions] == ["one", "two", "three"]
    assert config.question("one").default == 2  # the last document wins
    assert config.settings.exclude == ("a", "c", "b")  # lists are concatenated
    assert config.settings.skip_if_exists == ("x",)


def test_include_with_double_star_reaches_folders() -> None:
    tree = config_of("!include '**/q*.yml'\n", **{"a__b__q1.yml": "q1: 1\n", "q2.yml": "q2: 2\n"})
    assert [q.name for q in load_config(tree).questions] == ["q1", "q2"]


def test_copier_yaml_is_read_too() -> None:
    tree = Tree.from_texts({"copier.yaml": "a: 1\n"})
    assert load_config(tree).path == "copier.yaml"


def test_both_config_files_is_an_error() -> None:
    tree = Tree.from_texts({"copier.yml": "a: 1\n", "copier.yaml": "b: 2\n"})
    with pytest.raises(TemplateConfigError, match=r"copier\.yaml, copier\.yml"):
        load_config(tree)


def test_both_config_files_is_an_error_in_copier_too(tmp_path: Path) -> None:
    import copier
    from copier.errors import MultipleConfigFilesError

    src = make_template(tmp_path / "tpl", "a: 1\n", {"copier.yaml": "b: 2\n"})
    with pytest.raises(MultipleConfigFilesError):
        copier.run_copy(str(src), tmp_path / "dst", defaults=True, quiet=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb: [unclosed\nc: 3\n", "copier.yml:3: invalid YAML: expected ',' or ']'"),
        ("a: 1\n  b: 2\n", "copier.yml:2: invalid YAML: mapping values are not allowed here"),
        ("a: {secret: true}\n", "copier.yml:1: question 'a': Secret question requires a default"),
        ("x: 1\nnow: 1\n", "copier.yml:2: question 'now': 'now' is reserved"),
        ("a: {help: [1]}\n", "copier.yml:1: question 'a': 'help' must be a string"),
        ("- a\n- b\n", "copier.yml: document 1 is a str, not a mapping"),
        ("_exclude: 3\n", "copier.yml:1: setting '_exclude' must be a list of strings"),
        ("_tasks: [{when: x}]\n", "copier.yml:1: setting '_tasks' must be a list of commands"),
    ],
)
def test_errors_name_file_line_and_question(text: str, message: str) -> None:
    with pytest.raises(TemplateConfigError) as info:
        load_config(config_of(text))
    assert str(info.value).startswith(message)
    assert isinstance(info.value, UserError)


def test_an_unsupported_question_type_is_copiers_invalid_type_error() -> None:
    with pytest.raises(InvalidTypeError) as info:
        load_config(config_of("a: 1\nb: {type: colour}\n"))
    assert str(info.value).startswith('copier.yml:2: Unsupported type "colour" in question "b"')
    assert isinstance(info.value, TypeError)


def test_a_type_templated_with_the_envops_delimiters_is_checked_once_rendered() -> None:
    config = load_config(
        config_of(
            '_envops: {block_start_string: "[%", block_end_string: "%]"}\n'
            'q: {type: "[% if true %]int[% endif %]", default: "0"}\n'
        )
    )
    assert config.questions[0].type == "[% if true %]int[% endif %]"
    with pytest.raises(InvalidTypeError):
        load_config(config_of('q: {type: "[% if true %]int[% endif %]", default: "0"}\n'))


def test_broken_included_file_is_named() -> None:
    tree = config_of("!include 'inc.yml'\n", **{"inc.yml": "a: 1\nb: [\n"})
    with pytest.raises(TemplateConfigError, match=r"^inc\.yml:3: invalid YAML"):
        load_config(tree)


def test_question_lines_come_from_included_files() -> None:
    tree = config_of("a: 1\n---\n!include 'inc.yml'\n", **{"inc.yml": "\n\nb: {type: nope}\n"})
    with pytest.raises(
        InvalidTypeError, match=r'^inc\.yml:3: Unsupported type "nope" in question "b"'
    ):
        load_config(tree)


def test_too_new_min_version_is_refused_by_copier_too(tmp_path: Path) -> None:
    import copier
    from copier.errors import UnsupportedVersionError

    src = make_template(tmp_path / "tpl", "_min_copier_version: '9.20'\na: 1\n")
    with pytest.raises(UnsupportedVersionError):
        copier.run_copy(str(src), tmp_path / "dst", defaults=True, quiet=True)
    load_config(config_of("_min_copier_version: '9.19.1'\n"))  # exactly ours: accepted


def test_an_include_outside_the_template_is_an_error_naming_it_as_in_copier(
    tmp_path: Path,
) -> None:
    import copier
    import copier.errors

    src = tmp_path / "template"  # a folder: Copier reads a git template from a clone
    src.mkdir()
    (src / "copier.yml").write_text("!include ../outside/include.yml\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "include.yml").write_text("foo: bar\n")
    with pytest.raises(copier.errors.ForbiddenPathError, match=r"outside/include\.yml"):
        copier.run_copy(str(src), tmp_path / "dst", defaults=True, quiet=True)

    for pattern in ("../outside/include.yml", "sub/../../x.yml", "..", "../*.yml"):
        with pytest.raises(ForbiddenIncludeError) as info:
            load_config(config_of(f"a: 1\n---\n!include '{pattern}'\n"))
        assert str(info.value).startswith(
            f'"{posixpath.normpath(pattern)}" is forbidden: copier.yml:3: `!include {pattern}` '
            "names a path outside the template."
        )
        assert isinstance(info.value, ForbiddenPathError)  # as Copier's class is named


def test_an_include_through_a_folder_and_back_stays_inside_as_in_copier(tmp_path: Path) -> None:
    import copier

    files = {"sub/keep.txt": "x", "inc.yml": "name: included\n", "out.txt.jinja": "{{ name }}"}
    src = make_template(tmp_path / "tpl", "!include sub/../inc.yml\n", files)
    copier.run_copy(str(src), tmp_path / "dst", defaults=True, quiet=True)
    assert (tmp_path / "dst" / "out.txt").read_text() == "included"

    config = load_config(config_of("!include sub/../inc.yml\n", **{"inc.yml": "name: included\n"}))
    assert config.question("name").default == "included"
