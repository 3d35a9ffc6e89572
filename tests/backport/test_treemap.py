"""An instance's whole change mapped back through a real render's source map and line origins,
then checked by rendering the new template: templated folder names, new files, deletions,
renames, plain files, a file a ``{% yield %}`` name renders several times."""

from __future__ import annotations

from pathlib import Path

from templsync._core.tree import Tree
from templsync.backport.baserender import base_of
from templsync.backport.instantiate import MemorySource, answered_options, render_instance
from templsync.backport.roundtrip import CheckedMapping, check_round_trip
from templsync.backport.treemap import Action, TreeMapping, map_changes

ANSWERS = {"project_slug": "orders_api", "use_docker": False, "workers": 2, "flag": "y"}
TEMPLATE = {
    "copier.yml": (
        "project_slug: {type: str, default: demo}\n"
        "use_docker: {type: bool, default: false}\n"
        "workers: {type: int, default: 1}\n"
        "flag: {type: str, default: n}\n"
        "items: {type: yaml, default: [a, b]}\n"
    ),
    "{{ project_slug }}/main.py.jinja": (
        "import {{project_slug}}.app\n"
        "{% if use_docker %}\n"
        "DOCKER = True\n"
        "{% endif %}\n"
        "WORKERS = {{ workers }}\n"
        "NAME = \"{{ project_slug | replace('_', '-') }}\"\n"
    ),
    "{{ project_slug }}/app.py": "APP = 1\n",
    "README.md": "# Service\n",
    "docs/{% yield item from items %}{{ item }}{% endyield %}.md.jinja": "{{ item }}\n",
}


def run(tmp_path: Path, edit: dict[str, str | None]) -> tuple[TreeMapping, CheckedMapping]:
    source = MemorySource(str(tmp_path), Tree.from_texts(TEMPLATE))
    made = render_instance(source, source.resolve(), tmp_path, answered_options(ANSWERS))
    base = base_of(made.session, made.rendered)
    before = base.rendered
    files = dict(before.items())
    for path, text in edit.items():
        if text is None:
            files.pop(path, None)
        else:
            files[path] = Tree.from_texts({path: text})[path]
    after = Tree(files)
    mapping = map_changes(base, before, after)

    def render(tree: Tree) -> Tree:
        again = MemorySource(str(tmp_path), tree)
        return render_instance(
            again, again.resolve(), tmp_path, answered_options(ANSWERS)
        ).rendered.tree

    return mapping, check_round_trip(mapping, base.template, before, after, render)


def test_an_edit_in_a_templated_file_under_a_templated_folder(tmp_path: Path) -> None:
    new_main = (
        'import orders_api.app\n\n\nWORKERS = 2\nNAME = "orders-api"\nTIMEOUT = 30  # orders_api\n'
    )
    mapping, checked = run(tmp_path, {"orders_api/main.py": new_main})
    (ported,) = mapping.files
    assert ported.template_path == "{{ project_slug }}/main.py.jinja"
    text = checked.tree["{{ project_slug }}/main.py.jinja"].content().decode()
    assert text.endswith("TIMEOUT = 30  # {{ project_slug }}\n")
    assert text.startswith("import {{project_slug}}.app\n")
    assert all(c.verified for c in checked.checks)


def test_numbers_and_short_answers_stay_text(tmp_path: Path) -> None:
    mapping, checked = run(tmp_path, {"health.py": "WORKERS = 2\nflag = 'y'\n"})
    (ported,) = mapping.files
    assert ported.template_path == "health.py"
    assert not ported.templated
    assert checked.tree["health.py"].content() == b"WORKERS = 2\nflag = 'y'\n"


def test_a_new_file_in_a_templated_folder_goes_into_the_templates_folder(tmp_path: Path) -> None:
    mapping, checked = run(
        tmp_path,
        {"orders_api/routes.py": "from orders_api import app\n", "orders_api/plain.py": "x = 1\n"},
    )
    targets = {p.path: p.template_path for p in mapping.files}
    assert targets == {
        "orders_api/plain.py": "{{ project_slug }}/plain.py",
        "orders_api/routes.py": "{{ project_slug }}/routes.py.jinja",
    }
    assert checked.tree["{{ project_slug }}/routes.py.jinja"].content() == (
        b"from {{ project_slug }} import app\n"
    )
    assert all(c.verified for c in checked.checks)


def test_deleted_and_renamed_files(tmp_path: Path) -> None:
    mapping, checked = run(
        tmp_path,
        {"README.md": None, "orders_api/app.py": None, "orders_api/application.py": "APP = 1\n"},
    )
    actions = {p.path: (p.action, p.template_path) for p in mapping.files}
    assert actions == {
        "README.md": (Action.DELETE, "README.md"),
        "orders_api/application.py": (Action.RENAME, "{{ project_slug }}/application.py"),
    }
    assert "README.md" not in checked.tree
    assert "{{ project_slug }}/app.py" not in checked.tree
    assert all(c.verified for c in checked.checks)


def test_a_file_of_a_name_rendered_several_times_is_not_mapped(tmp_path: Path) -> None:
    mapping, checked = run(tmp_path, {"docs/a.md": "a changed\n"})
    (ported,) = mapping.files
    assert ported.reason is not None and "yield" in ported.reason
    assert [c.verified for c in checked.checks] == [False]
    assert checked.tree == Tree.from_texts(TEMPLATE)


def test_a_change_the_render_does_not_give_back_is_taken_out(tmp_path: Path) -> None:
    # A new file at a path the template's `_exclude` leaves out: mapped, but never rendered.
    mapping, checked = run(tmp_path, {"build/__pycache__/x.pyc": "cache\n"})
    assert mapping.files[0].reason is None
    assert checked.dropped == frozenset({"build/__pycache__/x.pyc"})
    (check,) = checked.checks
    assert not check.verified and "renders no" in (check.why or "")
    assert checked.tree == Tree.from_texts(TEMPLATE)


def test_a_template_in_a_subdirectory_maps_into_it(tmp_path: Path) -> None:
    files = {
        "copier.yml": "_subdirectory: tpl\nproject_slug: {type: str, default: orders_api}\n",
        "tpl/{{ project_slug }}/app.py.jinja": "NAME = '{{ project_slug }}'\n",
        "tpl/README.md": "# Service\n",
    }
    source = MemorySource(str(tmp_path), Tree.from_texts(files))
    options = answered_options({"project_slug": "orders_api"})
    made = render_instance(source, source.resolve(), tmp_path, options)
    base = base_of(made.session, made.rendered)
    assert base.subdirectory == "tpl"
    after = base.rendered.replace(
        dict(
            Tree.from_texts(
                {
                    "orders_api/app.py": "NAME = 'orders_api'\nDEBUG = False\n",
                    "orders_api/health.py": "OK = 'orders_api'\n",
                    "CHANGES.md": "orders_api 1.0\n",
                }
            ).items()
        )
    )
    mapping = map_changes(base, base.rendered, after)
    targets = {p.path: p.template_path for p in mapping.files}
    assert targets == {
        "CHANGES.md": "tpl/CHANGES.md.jinja",
        "orders_api/app.py": "tpl/{{ project_slug }}/app.py.jinja",
        "orders_api/health.py": "tpl/{{ project_slug }}/health.py.jinja",
    }
    assert mapping.tree["tpl/{{ project_slug }}/app.py.jinja"].content() == (
        b"NAME = '{{ project_slug }}'\nDEBUG = False\n"
    )
