"""``_jinja_extensions`` entries: loaded from installed modules or from the template's own files.

Each test builds the template as a real folder, since extensions loaded from the template read
it from disk, and renders with the environment templsync builds for it.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path

import jinja2
import jinja2.environment
import jinja2.utils
import pytest

from templsync._io import read_tree
from templsync.errors import ExtensionNotFoundError
from templsync.template.extensions import ExtensionLoadError
from templsync.template.jinja import make_environment
from testing.trees import build_tree

LOADER = "copier_template_extensions.TemplateExtensionLoader"
IMPORT_STRING = "import_string"  # jinja2.environment does not re-export it, so read it by name
HOOK = """\
from copier_template_extensions import ContextHook


class Hook(ContextHook):
    def hook(self, context):
        context["who"] = {who!r}
"""


@pytest.fixture(autouse=True)
def jinja_import_string() -> Iterator[None]:
    """Each test starts from Jinja's own ``import_string``, whoever loaded extensions before."""
    saved = getattr(jinja2.environment, IMPORT_STRING)
    setattr(jinja2.environment, IMPORT_STRING, jinja2.utils.import_string)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        setattr(jinja2.environment, IMPORT_STRING, saved)


class Folder:
    """The template's folder, counting how often the environment asked for it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.calls = 0

    def __call__(self) -> Path:
        self.calls += 1
        return self.root


def environment(
    root: Path, files: Mapping[str, str], extensions: list[str]
) -> tuple[jinja2.Environment, Folder]:
    build_tree(root, files)
    folder = Folder(root)
    env = make_environment(
        envops={}, extensions=extensions, trusted=True, source=read_tree(root), folder=folder
    )
    return env, folder


def render(env: jinja2.Environment, text: str) -> str:
    return env.from_string(text).render({"_copier_conf": {}})


def load_error(root: Path, files: Mapping[str, str], extensions: list[str]) -> ExtensionLoadError:
    with pytest.raises(ExtensionLoadError) as caught:
        environment(root, files, extensions)
    return caught.value


def test_a_file_entry_loads_from_the_templates_folder(tmp_path: Path) -> None:
    env, folder = environment(
        tmp_path,
        {"extensions/context.py": HOOK.format(who="ada")},
        [LOADER, "extensions/context.py:Hook"],
    )

    assert render(env, "{{ who }}") == "ada"
    assert folder.calls == 1


def test_the_folder_is_made_only_for_an_extension_that_reads_it(tmp_path: Path) -> None:
    env, folder = environment(tmp_path, {"a.txt": "a"}, ["jinja2_time.TimeExtension"])

    assert "now" in env.extensions["jinja2_time.jinja2_time.TimeExtension"].tags
    assert folder.calls == 0


def test_two_folders_each_load_their_own_module(tmp_path: Path) -> None:
    """Same entry, same module name, two versions: neither reuses the other's module."""
    entries = [LOADER, "extensions/context.py:Hook"]
    one, _ = environment(
        tmp_path / "one", {"extensions/context.py": HOOK.format(who="one")}, entries
    )
    two, _ = environment(
        tmp_path / "two", {"extensions/context.py": HOOK.format(who="two")}, entries
    )

    assert (render(one, "{{ who }}"), render(two, "{{ who }}")) == ("one", "two")


def test_loading_puts_jinjas_import_function_back(tmp_path: Path) -> None:
    """The template loader replaces a process-wide function while it loads; not after."""
    environment(
        tmp_path,
        {"extensions/context.py": HOOK.format(who="x")},
        [LOADER, "extensions/context.py:Hook"],
    )

    assert getattr(jinja2.environment, IMPORT_STRING) is jinja2.utils.import_string


def test_environments_built_at_once_keep_their_own_folders(tmp_path: Path) -> None:
    """A fleet's threads: each environment resolves its file entries in its own folder."""
    entries = [LOADER, "extensions/context.py:Hook"]
    for n in range(6):
        build_tree(tmp_path / str(n), {"extensions/context.py": HOOK.format(who=str(n))})
    start = threading.Barrier(6)
    seen: dict[int, str] = {}

    def build(n: int) -> None:
        root = tmp_path / str(n)
        start.wait()
        env = make_environment(
            envops={}, extensions=entries, trusted=True, source=read_tree(root), folder=lambda: root
        )
        seen[n] = render(env, "{{ who }}")

    threads = [threading.Thread(target=build, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert seen == {n: str(n) for n in range(6)}


def test_a_missing_module_says_to_install_it(tmp_path: Path) -> None:
    err = load_error(tmp_path, {}, ["no_such_module.Ext"])

    assert str(err) == (
        "cannot load the Jinja extension 'no_such_module.Ext' (`_jinja_extensions`): the Python "
        "module 'no_such_module' is not installed (No module named 'no_such_module'). Install it "
        "alongside templsync (in the same Python environment), then run again."
    )
    assert isinstance(err, ExtensionNotFoundError)  # Copier's class, which its message matches


def test_a_module_the_extension_imports_is_named_with_its_file(tmp_path: Path) -> None:
    files = {"extensions/context.py": "import os\nimport not_installed_dependency\n"}
    err = load_error(tmp_path, files, [LOADER, "extensions/context.py:Hook"])

    assert "it imports the Python module 'not_installed_dependency', which is not installed" in str(
        err
    )
    assert "(extensions/context.py, line 2)" in str(err)
    assert "Install it alongside templsync" in str(err)


def test_a_file_entry_the_template_lacks_names_the_file(tmp_path: Path) -> None:
    err = load_error(tmp_path, {"a.txt": "a"}, [LOADER, "extensions/context.py:Hook"])

    assert str(err) == (
        "cannot load the Jinja extension 'extensions/context.py:Hook' (`_jinja_extensions`): the "
        "template has no file 'extensions/context.py'. The path is relative to the template's "
        "top folder; check it in `_jinja_extensions`."
    )


def test_a_file_entry_needs_the_template_loader_before_it(tmp_path: Path) -> None:
    files = {"extensions/context.py": HOOK.format(who="x")}
    err = load_error(tmp_path, files, ["extensions/context.py:Hook", LOADER])

    assert f"such entries are loaded by {LOADER}" in str(err)
    assert "Install" not in str(err)


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (
            "import re\n\n1 / 0\n",
            "ZeroDivisionError: division by zero (extensions/context.py, line 3)",
        ),
        ("def broken(:\n", "SyntaxError: invalid syntax (extensions/context.py, line 1)"),
        ("from os import no_such_name\n", "ImportError: cannot import name 'no_such_name'"),
    ],
)
def test_an_error_in_the_extensions_module_names_file_and_line(
    tmp_path: Path, code: str, said: str
) -> None:
    err = load_error(
        tmp_path, {"extensions/context.py": code}, [LOADER, "extensions/context.py:Hook"]
    )

    assert "its module failed to load: " + said in str(err)
    assert "report it to the template's maintainers" in str(err)
    assert "Install" not in str(err)


def test_a_name_the_module_lacks_is_said(tmp_path: Path) -> None:
    files = {"extensions/context.py": HOOK.format(who="x")}
    err = load_error(tmp_path, files, [LOADER, "extensions/context.py:Nope"])

    assert (
        "the module 'copier_template_extensions.context' (extensions/context.py) has no 'Nope'"
        in str(err)
    )
    assert "Install" not in str(err)
    with pytest.raises(ExtensionLoadError, match=r"the module 'jinja2\.ext' .* has no 'Nope'"):
        environment(tmp_path, {}, ["jinja2.ext.Nope"])


def test_an_extension_that_fails_when_it_starts_is_said(tmp_path: Path) -> None:
    code = (
        "from jinja2.ext import Extension\n\n\nclass Hook(Extension):\n"
        "    def __init__(self, environment):\n        raise RuntimeError('no config')\n"
    )
    err = load_error(
        tmp_path, {"extensions/context.py": code}, [LOADER, "extensions/context.py:Hook"]
    )

    assert (
        "it failed when it started: RuntimeError: no config (extensions/context.py, line 6)"
        in str(err)
    )


def test_a_name_that_is_not_an_extension_is_said(tmp_path: Path) -> None:
    with pytest.raises(ExtensionLoadError, match="which is not a Jinja extension class"):
        environment(tmp_path, {}, ["os.path.join"])


def test_without_a_folder_an_extension_that_needs_one_is_told_so(tmp_path: Path) -> None:
    build_tree(tmp_path, {"extensions/context.py": HOOK.format(who="x")})
    with pytest.raises(ExtensionLoadError, match="folder on disk is not available"):
        make_environment(
            envops={},
            extensions=[LOADER, "extensions/context.py:Hook"],
            trusted=True,
            source=read_tree(tmp_path),
        )
