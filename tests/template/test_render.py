"""render_template against Copier: each fixture is copied by Copier and rendered by us."""

from __future__ import annotations

from pathlib import Path

import pytest

from template.oracle import (
    Fixture,
    describe,
    folders_of,
    render_ours,
    rendered_folders,
    run_copier,
    write_template,
)
from templsync._core.ignore import IgnoreRules
from templsync._core.tree import FileEntry, Mode, Tree
from templsync.errors import (
    ForbiddenPathError,
    SymlinkError,
    TemplateDeprecationWarning,
    YieldTagInFileError,
)
from templsync.template.jinja import TemplateRenderError, make_environment
from templsync.template.render import (
    DanglingLinkError,
    RenderConflictError,
    RenderedTree,
    SourceInfo,
    render_template,
)

BINARY = bytes(range(256)) + b"{{ not_rendered }}\0"

FIXTURES: dict[str, Fixture] = {
    "plain": Fixture({"README.md": "hello\n", "docs/a.txt": "a", "docs/deep/b.txt": "{{ x }}\n"}),
    "templated-names": Fixture(
        {"{{ slug }}.py.jinja": "NAME = '{{ slug }}'\n", "{{ slug }}-notes.txt": "{{ raw }}"},
        answers={"slug": "demo"},
    ),
    "nested-templated-folders": Fixture(
        {
            "{{ pkg }}/{{ sub }}/__init__.py.jinja": "# {{ pkg }}.{{ sub }}\n",
            "{{ pkg }}/plain.txt": "x",
            "{{ pkg }}/{{ sub }}/{{ sub }}_mod.py": "",
        },
        answers={"pkg": "app", "sub": "core"},
    ),
    "conditional-folder": Fixture(
        {
            "{% if docs %}docs{% endif %}/index.md.jinja": "# {{ name }}\n",
            "{% if docs %}docs{% endif %}/deep/x.txt": "x",
            "{% if not docs %}nodocs{% endif %}/why.txt": "no docs\n",
            "keep.txt": "",
        },
        answers={"docs": False, "name": "n"},
    ),
    "conditional-file": Fixture(
        {
            "{% if ci %}.gitlab-ci.yml{% endif %}.jinja": "stages: []\n",
            "{% if lint %}ruff.toml{% endif %}": "line-length = 100\n",
            "{% if not ci %}NO_CI{% endif %}.jinja": "no ci for {{ name }}\n",
        },
        answers={"ci": False, "lint": True, "name": "n"},
    ),
    "custom-suffix": Fixture(
        {"a.txt.tmpl": "{{ x }}\n", "b.txt.jinja": "{{ x }}\n", "c.tmpl": "c {{ x }}"},
        answers={"x": "X"},
        settings={"templates_suffix": ".tmpl"},
    ),
    "empty-suffix": Fixture(
        {"a.txt": "{{ x }}\n", "{{ x }}.md": "# {{ x }}", "bin.dat": BINARY},
        answers={"x": "X"},
        settings={"templates_suffix": ""},
    ),
    "binary-and-modes": Fixture(
        {
            "logo.png": BINARY,
            "run.sh.jinja": "#!/bin/sh\necho {{ x }}\n",
            "tool": "#!/bin/sh\n",
            "plain.txt": "p",
        },
        answers={"x": "X"},
        executables=frozenset({"run.sh.jinja", "tool"}),
        git=True,  # modes as Copier takes them from the git index of its clone
    ),
    "symlinks-followed": Fixture(
        {"real/a.txt": "a\n", "real/t.txt.jinja": "{{ x }}\n", "top.txt": "top"},
        answers={"x": "X"},
        symlinks={"link.txt": "real/a.txt", "linkdir": "real", "tl.jinja": "real/t.txt.jinja"},
    ),
    "symlinks-preserved": Fixture(
        {"real/a.txt": "a\n", "real/b.txt.jinja": "{{ x }}\n"},
        answers={"x": "X"},
        settings={"preserve_symlinks": True},
        symlinks={
            "link.txt": "real/a.txt",
            "linkdir": "real",
            "{{ x }}-link.jinja": "real/{{ x }}.txt",
            "{% if false %}gone{% endif %}": "real/a.txt",
            "real/back.jinja": "b.txt.jinja",
        },
    ),
    "exclude-negation": Fixture(
        {
            "docs/keep.md": "k",
            "docs/drop.md": "d",
            "app.log": "l",
            "logs/x.log": "l",
            "secret-{{ x }}.txt": "s",
            "src/ok.py": "",
            "src/cache.pyc": "",
            "copier.yaml.bak": "",
            "kept.txt.jinja": "{{ x }}",
            "README.md.jinja": "{{ x }}",
            "{{ x }}.cfg": "named",
        },
        answers={"x": "X"},
        settings={
            "exclude": [
                "copier.yml",
                ".git",
                "docs",
                "!docs/keep.md",
                "*.log",
                "secret-{{ x }}.txt",
                "*.pyc",
                "*.jinja",
                "README.md",
                "X.cfg",
            ]
        },
        git=True,  # with its own `_exclude`, a template must exclude `.git` from the clone itself
    ),
    "default-exclude": Fixture(
        {"a.pyc": "", "__pycache__/x.py": "", "~tmp": "", "ok.txt": "ok", "sub/.DS_Store": ""}
    ),
    "include-import": Fixture(
        {
            "inc/header.txt": "HEADER {{ name }}\n",
            "inc/macros.j2": "{% macro hi(who) %}hi {{ who }}{% endmacro %}",
            "main.txt.jinja": (
                "{% include 'inc/header.txt' %}{% from 'inc/macros.j2' import hi %}"
                "{{ hi(name) }}\n{% import 'inc/macros.j2' as m %}{{ m.hi('x') }}\n"
            ),
        },
        answers={"name": "N"},
    ),
    "whitespace": Fixture(
        {
            "final.txt.jinja": "line {{ x }}\n",
            "nofinal.txt.jinja": "no newline {{ x }}",
            "two.txt.jinja": "two\n\n",
            "crlf.txt.jinja": "a\r\nb {{ x }}\r\n",
            "crlf-plain.txt": "a\r\nb\r\n",
            "blocks.txt.jinja": "{% if true %}\nX\n{% endif %}\n{%- if true %} Y {% endif -%}\nZ",
            "empty.txt.jinja": "",
        },
        answers={"x": "X"},
    ),
    "trim-envops": Fixture(
        {"a.txt.jinja": "[[ x ]] {{ x }}\n[% if x %]\nyes\n[% endif %]\n"},
        answers={"x": "X"},
        settings={
            "envops": {
                "variable_start_string": "[[",
                "variable_end_string": "]]",
                "block_start_string": "[%",
                "block_end_string": "%]",
                "trim_blocks": True,
                "keep_trailing_newline": False,
            }
        },
    ),
    "strict-undefined": Fixture(
        {
            "{% if opt is defined %}opt{% endif %}.txt": "o",
            "a.txt.jinja": "{{ x }} {{ missing | default('d') }}\n",
            "{% yield i from nothing | default([]) %}{{ i }}{% endyield %}y.txt": "y",
        },
        answers={"x": "X"},
        settings={"envops": {"undefined": "jinja2.StrictUndefined"}},
    ),
    "filters": Fixture(
        {
            "conf.yml.jinja": "{{ {'a': [1, 2], 'b': name} | to_nice_yaml }}",
            "conf.json.jinja": "{{ {'a': name} | to_json }} {{ name | b64encode }}",
            "path.txt.jinja": "{{ pathjoin('a', name, 'c') }} {{ name | regex_replace('a', 'o') }}",
        },
        answers={"name": "banana"},
    ),
    "jinja2-time": Fixture(
        {"year.txt.jinja": "{% now 'utc', '%Y' %}\n"},
        settings={"jinja_extensions": ["jinja2_time.TimeExtension"]},
    ),
    "yield-names": Fixture(
        {
            "{% yield i from items.split(',') %}{{ i }}{% endyield %}.txt.jinja": "{{ i }}\n",
            "{% yield d from items.split(',') %}{{ d }}{% endyield %}/f.txt": "f",
        },
        answers={"items": "a,b,c"},
    ),
    "subdirectory": Fixture(
        {
            "tpl/a.txt.jinja": "{{ x }}\n{% include 'shared/inc.j2' %}{% include 'tpl/c.j2' %}",
            "tpl/{{ x }}/b.txt": "b",
            "tpl/c.j2": "C",
            "shared/inc.j2": "shared {{ x }}\n",
        },
        answers={"x": "X"},
        settings={"subdirectory": "tpl"},
    ),
    "templated-sibling": Fixture(
        {"README.md": "plain", "README.md.jinja": "templated {{ x }}", "only.txt": "o"},
        answers={"x": "X"},
    ),
    "answers-file": Fixture(
        {
            "{{ _copier_conf.answers_file }}.jinja": (
                "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"
                "{{ _copier_answers | to_nice_yaml -}}\n"
            ),
            "folder.txt.jinja": "{{ _folder_name }}\n",
        },
        answers={"x": "X", "multi": "a\nb", "n": 3, "flag": True},
    ),
    "odd-names": Fixture(
        {
            "{{ nested }}.txt": "n",
            "{{ ' ' }}space.txt": "s",
            ".jinja": "hidden {{ x }}",
            "a.tar.gz.jinja": "{{ x }}",
            "{{ x }}.md": "plain loses to the templated sibling",
            "X.md.jinja": "templated {{ x }}",
            "dir/./{{ '.' }}/f.txt": "dots",
        },
        answers={"x": "X", "nested": "p/q"},
    ),
    "suffix-without-dot": Fixture(
        {"a.txt_tmpl": "{{ x }}", "b_tmpl": "{{ x }}", "c.txt": "{{ x }}"},
        answers={"x": "X"},
        settings={"templates_suffix": "_tmpl"},
    ),
    "link-chains": Fixture(
        {"real/a.txt.jinja": "{{ x }}", "real/inner/b.txt": "b"},
        answers={"x": "X"},
        symlinks={
            "l1": "l2",
            "l2": "real/a.txt.jinja",
            "real/inner/up": "../a.txt.jinja",
            "dirlink": "real/inner",
            "dangling-but-excluded": "nowhere",
        },
        settings={"exclude": ["copier.yml", "dangling-*"]},
    ),
    "links-outside-the-subdirectory": Fixture(
        {
            "tpl/keep.txt": "k",
            "outside/dir/a.txt.jinja": "{{ x }}",
            "outside/dir/{% if false %}never{% endif %}.txt": "never",
            "outside/dir/deeper/b.txt": "b",
            "outside/file.txt": "f",
            "tpl/hidden/h.txt": "h",
        },
        answers={"x": "X"},
        symlinks={
            "tpl/dir": "../outside/dir",
            "tpl/chain": "hop",
            "tpl/hop": "../outside/file.txt",
            "tpl/deep/file.txt": "../../outside/file.txt",
            "tpl/via-link.txt": "dir/deeper/b.txt",
            "tpl/to-hidden": "hidden",
        },
        settings={"subdirectory": "tpl", "exclude": ["hidden"]},
    ),
    "empty-folders": Fixture(
        {
            "src/{% if x %}x.py{% endif %}": "x",
            "a/{% if x %}b{% endif %}/c.txt": "c",
            "{% if x %}gone{% endif %}/in/z.txt": "z",
            "{% yield p from pages %}{{ p }}{% endyield %}/{% if x %}f.md{% endif %}": "",
            "made-empty/v.txt": "its folder is made, it is excluded",
            "dropped/d.txt": "d",
            "tpl.jinja/in.txt": "in",
        },
        answers={"x": False, "pages": ["intro", "usage"]},
        folders=("empty", "deep/er", "{{ 'named' }}", "dropped/e", "{% if x %}no{% endif %}/e"),
        symlinks={"to-empty": "deep"},
        settings={"exclude": ["copier.yml", "made-empty/", "dropped"]},
    ),
    "yield-in-folders": Fixture(
        {
            "{% yield m from mods %}{{ m }}{% endyield %}/{{ m }}_a.py.jinja": "# {{ m }} a\n",
            "{% yield m from mods %}{{ m }}{% endyield %}/b.txt.jinja": "{{ m }} b\n",
            "{% yield m from mods %}{{ m }}{% endyield %}/"
            "{% yield t from [m + '1', m + '2'] %}{{ t }}{% endyield %}/{{ t }}.txt.jinja": (
                "{{ t }}"
            ),
            "{% yield m from mods %}{{ m }}{% endyield %}/{% if m == 'x' %}only-x{% endif %}/e": "",
        },
        answers={"mods": ["x", "y"]},
    ),
    "yield-and-conditions": Fixture(
        {
            "{% if docs %}docs{% endif %}/{% yield p from pages %}{{ p }}{% endyield %}.md.jinja": (
                "# {{ p }} of {{ pages | length }}\n"
            ),
            "{% yield m from mods %}{% if m != 'skip' %}{{ m }}{% endif %}{% endyield %}.py": "",
        },
        answers={"docs": True, "pages": ["intro", "usage"], "mods": ["a", "skip", "b"]},
    ),
}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_matches_copier(name: str, tmp_path: Path) -> None:
    fixture = FIXTURES[name]
    template = write_template(tmp_path / "template", fixture)
    dst = tmp_path / "project"
    expected = run_copier(template, dst)
    rendered = render_ours(fixture, dst, template=template)
    assert describe(rendered.tree) == describe(expected)
    assert rendered_folders(rendered) == folders_of(dst)
    assert set(rendered.sources) == set(rendered.tree)
    # Rendering the same inputs again gives an equal tree.
    assert render_ours(fixture, dst, template=template).tree == rendered.tree


def test_source_map_names_template_paths(tmp_path: Path) -> None:
    rendered = render_ours(FIXTURES["templated-names"], tmp_path / "p")
    assert dict(rendered.sources) == {
        "demo.py": SourceInfo("{{ slug }}.py.jinja", templated=True),
        "demo-notes.txt": SourceInfo("{{ slug }}-notes.txt", templated=False),
    }
    sub = render_ours(FIXTURES["subdirectory"], tmp_path / "p")
    assert sub.sources["a.txt"] == SourceInfo("tpl/a.txt.jinja", templated=True)


def _render(files: dict[str, str], **context: object) -> Tree:
    tree = Tree.from_texts(files)
    env = make_environment(envops={}, extensions=[], trusted=False, source=tree)
    return render_template(tree, context, env=env).tree


@pytest.mark.parametrize("name", ["{{ up }}/x.txt", "a/{{ up }}/{{ up }}/x.txt", "{{ abs }}"])
def test_path_escaping_destination_is_an_error(name: str) -> None:
    with pytest.raises(ForbiddenPathError) as info:
        _render({name: "x"}, up="..", abs="/etc/passwd")
    assert str(info.value) == (
        f'"{info.value.path}" is forbidden: the template file {name!r} renders to a path outside '
        "the destination folder. Check the answers used in its name."
    )


def test_copier_also_refuses_an_escaping_path(tmp_path: Path) -> None:
    import copier.errors

    fixture = Fixture({"{{ up }}/x.txt": "x"}, answers={"up": ".."})
    template = write_template(tmp_path / "template", fixture)
    with pytest.raises(copier.errors.ForbiddenPathError):
        run_copier(template, tmp_path / "deep" / "project")
    with pytest.raises(ForbiddenPathError):
        render_ours(fixture, tmp_path / "deep" / "project")


def test_syntax_error_names_file_and_line() -> None:
    with pytest.raises(TemplateRenderError) as info:
        _render({"ok.txt": "fine", "src/bad.py.jinja": "a\nb\n{{ x + }}\nc\n"})
    assert info.value.name == "src/bad.py.jinja"
    assert info.value.line == 3
    assert str(info.value).startswith("cannot render the template src/bad.py.jinja, line 3: ")


def test_error_in_an_included_file_names_that_file() -> None:
    with pytest.raises(TemplateRenderError) as info:
        _render({"main.jinja": "{% include 'inc.txt' %}", "inc.txt": "x\n{{ 1 + }}"})
    assert (info.value.name, info.value.line) == ("inc.txt", 2)


def test_error_in_a_path_names_the_path() -> None:
    with pytest.raises(TemplateRenderError) as info:
        _render({"dir/{{ x +}}.txt": "x"})
    assert info.value.name == "path dir/{{ x +}}.txt"


def test_strict_undefined_names_file_and_line() -> None:
    tree = Tree.from_texts({"a.txt.jinja": "ok\n{{ missing }}\n"})
    env = make_environment(
        envops={"undefined": "jinja2.StrictUndefined"}, extensions=[], trusted=False, source=tree
    )
    with pytest.raises(TemplateRenderError) as info:
        render_template(tree, {}, env=env)
    assert (info.value.name, info.value.line) == ("a.txt.jinja", 2)
    assert "'missing' is undefined" in str(info.value)


def test_yield_in_file_content_is_an_error() -> None:
    with pytest.raises(YieldTagInFileError, match="yield tag is allowed in path names only"):
        _render({"a.jinja": "{% yield i from [1] %}{{ i }}{% endyield %}"})


def test_two_files_rendering_to_one_path_with_different_content() -> None:
    with pytest.raises(RenderConflictError, match=r"both render to 'x\.txt'"):
        _render({"{{ a }}.txt": "1", "{{ b }}.txt": "2"}, a="x", b="x")
    assert _render({"{{ a }}.txt": "1", "x.txt": "1"}, a="x") == Tree.from_texts({"x.txt": "1"})


def test_binary_templated_file_is_an_error_with_a_suffix() -> None:
    tree = Tree({"logo.png.jinja": FileEntry.from_bytes(b"\xff\xfe\0")})
    env = make_environment(envops={}, extensions=[], trusted=False, source=tree)
    with pytest.raises(TemplateRenderError, match=r"logo\.png\.jinja.*not UTF-8"):
        render_template(tree, {}, env=env)


def test_exclude_and_skip_if_exists_are_carried() -> None:
    tree = Tree(
        {"a.txt": FileEntry.from_bytes(b"a", Mode.EXECUTABLE), "b.txt": FileEntry.from_bytes(b"b")}
    )
    env = make_environment(envops={}, extensions=[], trusted=False, source=tree)
    rendered = render_template(
        tree, {}, env=env, exclude=IgnoreRules(("b.txt",)), skip_if_exists=["a.txt"]
    )
    assert rendered.tree == Tree({"a.txt": FileEntry.from_bytes(b"a", Mode.EXECUTABLE)})
    assert rendered.skip_if_exists == ("a.txt",)


def test_dangling_link_is_an_error_unless_excluded(tmp_path: Path) -> None:
    fixture = Fixture({"a.txt": "a"}, symlinks={"broken": "missing.txt"})
    template = write_template(tmp_path / "template", fixture)
    with pytest.raises(FileNotFoundError):  # Copier fails reading through the link
        run_copier(template, tmp_path / "p")
    with pytest.raises(DanglingLinkError) as info:
        render_ours(fixture, tmp_path / "p")
    assert str(info.value) == (
        "the template's symlink 'broken' points to 'missing.txt', which does not exist. "
        "Fix the link or add it to `_exclude`."
    )


def test_a_file_rendering_where_a_folder_is_names_the_template_file() -> None:
    with pytest.raises(RenderConflictError) as info:
        _render({"{{ a }}": "file", "x/y.txt": "in folder"}, a="x")
    assert str(info.value) == (
        "the template file 'x/y.txt' renders to 'x/y.txt': 'x' is a file, so it cannot also be "
        "a folder holding 'x/y.txt'. Make the rendered names differ."
    )


def test_a_preserved_link_rendering_outside_names_the_template_links() -> None:
    tree = Tree({"link.jinja": FileEntry.symlink("{{ n }}")})
    env = make_environment(envops={}, extensions=[], trusted=False, source=tree)
    with pytest.raises(SymlinkError) as info:
        render_template(tree, {"n": "../x"}, env=env, preserve_symlinks=True)
    assert str(info.value) == (
        "\"link\" is forbidden: the symlink points to '../x', which leaves the project root. "
        "Replace it with a link inside the project or add it to the ignore rules. The "
        "template's symlinks: 'link.jinja'."
    )


ANSWERS_NAME = "{{ _copier_conf.answers_file }}.jinja"


def _render_answers(files: dict[str, str], *exclude: str) -> RenderedTree:
    tree = Tree.from_texts(files)
    env = make_environment(envops={}, extensions=[], trusted=False, source=tree)
    context = {"_copier_conf": {"answers_file": ".copier-answers.yml"}}
    return render_template(tree, context, env=env, exclude=IgnoreRules(exclude))


@pytest.mark.parametrize("root_name", [ANSWERS_NAME, ".copier-answers.yml.jinja"])
@pytest.mark.parametrize("exclude", [(), ("vendor",)])
def test_the_answers_file_named_at_the_root_wins_over_one_in_a_folder(
    root_name: str, exclude: tuple[str, ...]
) -> None:
    # Copier keeps the one its walk meets last (the file system's order); the root one here.
    # The one in a folder is Copier's deprecated spelling, warned of as Copier warns.
    with pytest.warns(TemplateDeprecationWarning, match="^vendor/other/.*are deprecated"):
        rendered = _render_answers(
            {root_name: "root", f"vendor/other/{ANSWERS_NAME}": "vendored", "a.txt": "a"},
            *exclude,
        )
    assert rendered.tree.texts() == {".copier-answers.yml": b"root", "a.txt": b"a"}
    assert rendered.sources[".copier-answers.yml"].path == root_name
    # The vendored template's folders are made unless excluded, as Copier makes them.
    assert rendered.folders == (frozenset() if exclude else {"vendor", "vendor/other"})


def test_an_answers_file_named_in_an_excluded_folder_is_still_the_answers_file() -> None:
    # Copier matches _exclude against the answers file's path, not the folder it is named in.
    with pytest.warns(TemplateDeprecationWarning):
        rendered = _render_answers({f"vendor/{ANSWERS_NAME}": "vendored", "a.txt": "a"}, "vendor")
    assert rendered.tree.texts() == {".copier-answers.yml": b"vendored", "a.txt": b"a"}


def test_two_answers_files_at_one_level_that_differ_clash() -> None:
    with pytest.raises(RenderConflictError, match=r"both render to '\.copier-answers\.yml'"):
        _render_answers({ANSWERS_NAME: "one", ".copier-answers.yml.jinja": "two"})
    with (
        pytest.warns(TemplateDeprecationWarning),
        pytest.raises(RenderConflictError, match=r"both render to '\.copier-answers\.yml'"),
    ):
        _render_answers({f"a/{ANSWERS_NAME}": "one", f"b/{ANSWERS_NAME}": "two"})
    with pytest.warns(TemplateDeprecationWarning) as given:
        same = _render_answers({f"a/{ANSWERS_NAME}": "same", f"b/{ANSWERS_NAME}": "same"})
    assert [str(w.message).split(":")[0] for w in given] == [
        f"a/{ANSWERS_NAME}",
        f"b/{ANSWERS_NAME}",
    ]
    assert same.tree.texts() == {".copier-answers.yml": b"same"}


def test_folders_made_are_those_no_file_implies() -> None:
    tree = Tree.from_texts(
        {
            "src/{% if x %}x.py{% endif %}": "",
            "src/pkg/{% if x %}y.py{% endif %}": "",
            "full/a.txt": "a",
            "full/sub/{% if x %}b{% endif %}": "",
            "{% if x %}gone{% endif %}/deep/c.txt": "c",
            "excluded/d.txt": "d",
            "{{ name }}/e/{% if x %}f{% endif %}": "",
        }
    )
    env = make_environment(envops={}, extensions=[], trusted=False, source=tree)
    rendered = render_template(
        tree, {"x": False, "name": "n"}, env=env, exclude=IgnoreRules(("excluded",))
    )
    assert rendered.tree.texts() == {"full/a.txt": b"a"}
    assert rendered.folders == {"src", "src/pkg", "full/sub", "n", "n/e"}


def test_a_folder_and_a_file_rendering_to_one_path_clash() -> None:
    with pytest.raises(RenderConflictError) as info:
        _render({"{{ a }}": "file", "x/{% if false %}y{% endif %}": ""}, a="x")
    assert str(info.value) == (
        "the template file '{{ a }}' renders to 'x', which a template folder renders to as "
        "well. Make the rendered names differ."
    )


def test_empty_folders_of_the_template_are_walked_in_the_subdirectory_only() -> None:
    tree = Tree.from_texts({"tpl/a.txt": "a"})
    env = make_environment(envops={}, extensions=[], trusted=False, source=tree)
    rendered = render_template(
        tree,
        {"n": "named"},
        env=env,
        subdirectory="tpl",
        empty_folders=["outside/empty", "tpl/empty", "tpl/{{ n }}/in"],
    )
    assert rendered.folders == {"empty", "named", "named/in"}


def test_a_preserved_link_out_of_the_subdirectory_is_refused_naming_it() -> None:
    # Copier writes the link as it is, pointing out of the project; a Tree cannot hold one.
    tree = Tree(
        {
            "tpl/.devcontainer": FileEntry.symlink("../.devcontainer"),
            ".devcontainer/a.json": FileEntry.from_bytes(b"{}"),
        }
    )
    env = make_environment(envops={}, extensions=[], trusted=False, source=tree)
    with pytest.raises(SymlinkError) as info:
        render_template(tree, {}, env=env, preserve_symlinks=True, subdirectory="tpl")
    assert str(info.value) == (
        "\".devcontainer\" is forbidden: the symlink points to '../.devcontainer', which leaves "
        "the project root. Replace it with a link inside the project or add it to the ignore "
        "rules. The template's symlinks: 'tpl/.devcontainer'."
    )
    assert isinstance(info.value, ForbiddenPathError)
    followed = render_template(tree, {}, env=env, subdirectory="tpl")
    assert followed.tree.texts() == {".devcontainer/a.json": b"{}"}
