"""Compiled templates on disk: reused across environments, never across different settings."""

from __future__ import annotations

from pathlib import Path

from templsync._core.tree import Tree
from templsync._io.jinjacache import DiskBytecodeCache
from templsync.template.jinja import make_environment
from templsync.template.renderer import JinjaRenderer

SOURCE = "<< name >> {{ name }}\n"


def render(tree: Tree, cache: DiskBytecodeCache, **envops: object) -> str:
    env = make_environment(
        envops=envops, extensions=(), trusted=False, source=tree, bytecode_cache=cache
    )
    return env.get_template("README.md.jinja").render(name="svc")


def test_a_second_environment_loads_what_the_first_compiled(tmp_path: Path) -> None:
    tree = Tree.from_texts({"README.md.jinja": SOURCE})
    cache = DiskBytecodeCache(tmp_path / "jinja")
    assert render(tree, cache) == "<< name >> svc\n"
    [entry] = (tmp_path / "jinja").iterdir()
    stamp = entry.stat().st_mtime_ns
    assert render(tree, cache) == "<< name >> svc\n"
    assert [p.name for p in (tmp_path / "jinja").iterdir()] == [entry.name]
    assert entry.stat().st_mtime_ns == stamp  # loaded, not compiled and written again


def test_other_settings_never_reuse_the_compiled_code(tmp_path: Path) -> None:
    tree = Tree.from_texts({"README.md.jinja": SOURCE})
    cache = DiskBytecodeCache(tmp_path / "jinja")
    assert render(tree, cache) == "<< name >> svc\n"
    custom = {"variable_start_string": "<<", "variable_end_string": ">>"}
    assert render(tree, cache, **custom) == "svc {{ name }}\n"
    assert render(tree, cache) == "<< name >> svc\n"
    assert len(list((tmp_path / "jinja").iterdir())) == 2


def test_a_changed_source_is_compiled_again(tmp_path: Path) -> None:
    cache = DiskBytecodeCache(tmp_path / "jinja")
    assert render(Tree.from_texts({"README.md.jinja": SOURCE}), cache) == "<< name >> svc\n"
    changed = Tree.from_texts({"README.md.jinja": "v2 {{ name }}\n"})
    assert render(changed, cache) == "v2 svc\n"


def test_a_cache_folder_that_cannot_be_made_only_costs_a_compile(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    cache = DiskBytecodeCache(blocker / "jinja")
    tree = Tree.from_texts({"README.md.jinja": SOURCE})
    assert render(tree, cache) == "<< name >> svc\n"
    assert render(tree, cache) == "<< name >> svc\n"


def test_two_contents_of_one_file_each_keep_their_compiled_code(tmp_path: Path) -> None:
    # An update renders the recorded and the new version of a template: a file that differs
    # between them must not replace the other version's entry, or it compiles on every update.
    cache = DiskBytecodeCache(tmp_path / "jinja")
    old = Tree.from_texts({"README.md.jinja": SOURCE})
    new = Tree.from_texts({"README.md.jinja": "v2 {{ name }}\n"})
    assert render(old, cache) == "<< name >> svc\n"
    assert render(new, cache) == "v2 svc\n"
    entries = {entry.name: entry.stat().st_mtime_ns for entry in (tmp_path / "jinja").iterdir()}
    assert len(entries) == 2
    assert render(old, cache) == "<< name >> svc\n"
    assert render(new, cache) == "v2 svc\n"
    after = {entry.name: entry.stat().st_mtime_ns for entry in (tmp_path / "jinja").iterdir()}
    assert after == entries  # both loaded, neither compiled and written again


def test_a_template_string_is_compiled_once_as_a_file_is(tmp_path: Path) -> None:
    # Question defaults, path names and task commands are strings: they too load from the cache.
    cache = DiskBytecodeCache(tmp_path / "jinja")

    def render_string() -> str:
        env = make_environment(envops={}, extensions=(), trusted=False, bytecode_cache=cache)
        return JinjaRenderer(env).render("{{ name | upper }}-{{ 1 + 1 }}", {"name": "svc"})

    assert render_string() == "SVC-2"
    [entry] = (tmp_path / "jinja").iterdir()
    stamp = entry.stat().st_mtime_ns
    assert render_string() == "SVC-2"
    assert [p.name for p in (tmp_path / "jinja").iterdir()] == [entry.name]
    assert entry.stat().st_mtime_ns == stamp  # loaded, not compiled and written again
