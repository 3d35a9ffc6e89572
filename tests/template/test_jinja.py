"""The Jinja environment: Copier's defaults, trust, extensions, the in-memory loader."""

from __future__ import annotations

import datetime
from pathlib import Path, PurePosixPath

import jinja2
import pytest
from jinja2.sandbox import SandboxedEnvironment

from template.oracle import Fixture, describe, render_ours, run_copier, write_template
from templsync._core.tree import FileEntry, Tree
from templsync.errors import (
    ConfigFileError,
    ExtensionNotFoundError,
    UnsafeTemplateError,
    UserError,
)
from templsync.template.extensions import ExtensionLoadError
from templsync.template.jinja import (
    MemoryBytecodeCache,
    TemplateRenderError,
    make_environment,
)
from templsync.template.questions import StringRenderer
from templsync.template.render import render_template
from templsync.template.renderer import JinjaRenderer


def _renderer(**files: str) -> JinjaRenderer:
    env = make_environment(envops={}, extensions=[], trusted=False, source=Tree.from_texts(files))
    return JinjaRenderer(env)


def test_renderer_fits_the_string_renderer_protocol() -> None:
    renderer: StringRenderer = _renderer()
    assert renderer.render("{{ a }}-{{ b | default('d') }}", {"a": 1}) == "1-d"


def test_copier_defaults() -> None:
    render = _renderer().render
    assert render("x\n", {}) == "x\n"  # keep_trailing_newline
    assert render("{{ missing }}|{{ missing | default('u') }}", {}) == "|u"  # jinja2.Undefined
    assert render("{{ d | to_nice_yaml }}", {"d": {"b": [1], "a": "x"}}) == "a: x\nb:\n- 1\n"
    assert render("{{ d | to_json }}", {"d": {"p": PurePosixPath("a/b")}}) == '{"p": "a/b"}'
    assert render("{{ t | to_json }}", {"t": datetime.date(2024, 1, 2)}) == '"2024-01-02"'
    assert render("{{ 'x' | b64encode }} {{ 'a.b' | regex_escape }}", {}) == "eA== a\\.b"
    assert render("{{ pathjoin('a', 'b') }} {{ pathjoin('a', 'b', mode='windows') }}", {}) == (
        "a/b a\\b"
    )


def test_envops_can_turn_off_keep_trailing_newline() -> None:
    env = make_environment(envops={"keep_trailing_newline": False}, extensions=[], trusted=False)
    assert JinjaRenderer(env).render("x\n", {}) == "x"


def test_every_template_renders_in_a_sandbox_as_in_copier(tmp_path: Path) -> None:
    for trusted in (False, True):
        env = make_environment(envops={}, extensions=[], trusted=trusted)
        assert isinstance(env, SandboxedEnvironment)
        with pytest.raises(
            TemplateRenderError, match="attribute '__class__' of 'str' object is unsafe"
        ):
            JinjaRenderer(env).render("{{ ''.__class__.__mro__ }}", {})
    # Copier sandboxes trusted templates too: an unsafe attribute is undefined, so empty.
    fixture = Fixture({"out.txt.jinja": "[{{ ''.__class__ }}]"})
    copied = run_copier(write_template(tmp_path / "t", fixture), tmp_path / "copier")
    assert copied["out.txt"].content() == b"[]"
    ours = render_ours(fixture, tmp_path / "ours", trusted=True)
    assert ours.tree["out.txt"].content() == b"[]"


def test_extensions_need_trust() -> None:
    with pytest.raises(UnsafeTemplateError) as info:
        make_environment(envops={}, extensions=["jinja2_time.TimeExtension"], trusted=False)
    assert isinstance(info.value, UserError)
    assert info.value.features == ("jinja_extensions",)
    assert str(info.value) == (
        "Template uses potentially unsafe feature: jinja_extensions. The template's "
        "`_jinja_extensions` setting runs code from the template, so it needs trust. If you "
        "trust this template, run again with `--trust` (or add it to the `trust:` list of "
        "Copier's settings.yml)."
    )


def test_trusted_extension_from_pypi_works() -> None:
    env = make_environment(envops={}, extensions=["jinja2_time.TimeExtension"], trusted=True)
    year = JinjaRenderer(env).render("{% now 'utc', '%Y' %}", {})
    assert year == str(datetime.datetime.now(datetime.UTC).year)


def test_missing_extension_and_bad_undefined_are_clear_errors() -> None:
    with pytest.raises(ExtensionLoadError, match="'no_such_module' is not installed") as info:
        make_environment(envops={}, extensions=["no_such_module.Ext"], trusted=True)
    assert isinstance(info.value, ExtensionNotFoundError)  # Copier's class, and its words:
    assert "No module named 'no_such_module'" in str(info.value)
    with pytest.raises(ConfigFileError, match=r"Unsupported envops\.undefined value specified"):
        make_environment(
            envops={"undefined": "jinja2.ChainableUndefined"}, extensions=[], trusted=False
        )


def test_strict_undefined() -> None:
    env = make_environment(
        envops={"undefined": "jinja2.StrictUndefined"}, extensions=[], trusted=False
    )
    with pytest.raises(TemplateRenderError, match="'nope' is undefined"):
        JinjaRenderer(env).render("{{ nope }}", {})


def test_loader_serves_the_tree_and_follows_links() -> None:
    tree = Tree(
        {
            "inc/a.txt": FileEntry.from_bytes(b"A{{ x }}"),
            "link": FileEntry.symlink("inc"),
            "main": FileEntry.from_bytes(b"{% include 'link/a.txt' %}!"),
        }
    )
    env = make_environment(envops={}, extensions=[], trusted=False, source=tree)
    assert JinjaRenderer(env).render_file("main", {"x": 1}) == "A1!"
    with pytest.raises(TemplateRenderError, match="no template file 'nope'"):
        JinjaRenderer(env).render("{% include 'nope' %}", {})


def test_each_source_is_compiled_once_per_render() -> None:
    reads: list[str] = []

    def counted(path: str, data: bytes) -> FileEntry:
        def load() -> bytes:
            reads.append(path)
            return data

        return FileEntry(FileEntry.from_bytes(data).digest, FileEntry.from_bytes(data).mode, load)

    files = {f"f{i}.txt.jinja": counted(f"f{i}", b"{% include 'm.j2' %}{{ n }}") for i in range(20)}
    tree = Tree({**files, "m.j2": counted("m.j2", b"{% macro x() %}{% endmacro %}M")})
    env = make_environment(envops={}, extensions=[], trusted=False, source=tree)
    rendered = render_template(tree, {"n": 1}, env=env)
    assert rendered.tree["f3.txt"].content() == b"M1"
    assert reads.count("m.j2") == 1  # compiled once; copied as a plain file without reading it
    assert all(reads.count(f"f{i}") == 1 for i in range(20))


def test_context_hook_extension_matches_copier(tmp_path: Path) -> None:
    fixture = Fixture(
        {"hello.txt.jinja": "{{ greeting }}\n"},
        answers={"name": "Ada"},
        settings={"jinja_extensions": ["template.context_hooks.Greeting"]},
    )
    dst = tmp_path / "project"
    expected = run_copier(write_template(tmp_path / "t", fixture), dst)
    assert describe(render_ours(fixture, dst).tree) == describe(expected)
    assert expected["hello.txt"].content() == b"hello Ada\n"


def test_jinja_errors_are_user_errors() -> None:
    with pytest.raises(UserError):
        _renderer().render("{% for %}", {})
    assert issubclass(TemplateRenderError, UserError)
    assert not issubclass(TemplateRenderError, jinja2.TemplateError)


@pytest.mark.parametrize(
    "envops",
    [
        {},
        {"line_statement_prefix": "%", "line_comment_prefix": "##"},
        {"variable_start_string": "[[", "variable_end_string": "]]"},
        {"keep_trailing_newline": False, "trim_blocks": True},
    ],
)
def test_strings_without_jinja_syntax_render_as_jinja_renders_them(
    envops: dict[str, object],
) -> None:
    env = make_environment(envops=envops, extensions=[], trusted=False)
    renderer = JinjaRenderer(env)
    for text in ["plain.txt", "% set a = 1", "a ## b", "[[ 1 ]]", "{{ 1 }}", "x\n", "{# c #}y"]:
        assert renderer.render(text, {}) == env.from_string(text).render(), text


def test_compiled_files_are_reused_across_renders_and_never_stale() -> None:
    v1 = Tree.from_texts({"a.txt.jinja": "one {{ x }}", "b.txt.jinja": "same {{ x }}"})
    v2 = Tree.from_texts({"a.txt.jinja": "two {{ x }}", "b.txt.jinja": "same {{ x }}"})
    env = make_environment(envops={}, extensions=[], trusted=False)
    assert isinstance(env.bytecode_cache, MemoryBytecodeCache)
    first = render_template(v1, {"x": 1}, env=env).tree
    second = render_template(v2, {"x": 1}, env=env).tree
    assert first.texts() == {"a.txt": b"one 1", "b.txt": b"same 1"}
    assert second.texts() == {"a.txt": b"two 1", "b.txt": b"same 1"}
    assert render_template(v1, {"x": 2}, env=env).tree.texts()["a.txt"] == b"one 2"
