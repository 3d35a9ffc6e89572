"""Nine ordinary instance commits, each back-ported on its own.

The only other back-port tool (retrocookie 0.4.3, for cookiecutter) gets one of these right as it
is and five when told to leave the short answers alone (``bench/bench_backport.py`` runs them
through both): it replaces short answers and numbers everywhere (``health.py`` ->
``health.p{{ use_docker }}``), values inside other words (``reorders``), misses derived spellings
(``orders-api``), replaces values in its context's order (a shorter one inside a longer one when
that comes first), and merges hunks on rendered text (an edit on the line after an ``{% if %}``, a
line whose template writes ``{{x}}`` and not ``{{ x }}``). Here each must come out right: the
template text is the one a person would write, and it renders the instance's change.
"""

from __future__ import annotations

from pathlib import Path

from backport.scenario import MAIN, commit_all, customize, make_instance, make_template
from instance.helpers import git
from templsync.backport.port import BackportResult, backport

BRANCH = "templsync/backport-orders"


def port(
    tmp_path: Path, files: dict[str, str | None], template_change: str | None = None
) -> tuple[Path, BackportResult]:
    """Back-port one instance commit of ``files``; ``template_change`` is a line the template
    adds to main.py.jinja meanwhile (its own change, above the ``{% if %}``)."""
    template = make_template(tmp_path / "template")
    instance = make_instance(template, tmp_path / "orders")
    if template_change is not None:
        main = template / "{{ project_slug }}" / "main.py.jinja"
        main.write_text(template_change + MAIN)
        commit_all(template, "template: its own change")
    customize(instance, files)
    result = backport(instance)
    assert result.commit is not None, result.checks
    assert all(check.verified for check in result.checks), result.checks
    return template, result


def shown(template: Path, path: str) -> str:
    return git(template, "show", f"{BRANCH}:{path}") + "\n"


def rendered_main() -> str:
    return (
        "from orders_api.routes import orders\n\n"
        'DB_URL = "postgres://db/orders_api"\n\n'
        "WORKERS = 2\n"
        'NAME = "orders_api"\n'
    )


def test_1_a_short_answer_is_never_replaced_not_even_in_file_names(tmp_path: Path) -> None:
    template, _ = port(tmp_path, {"health.py": "y = 'yes'  # use_docker answered y\n"})
    assert shown(template, "health.py") == "y = 'yes'  # use_docker answered y\n"
    assert "health.p{{ use_docker }}" not in git(template, "ls-tree", "-r", "--name-only", BRANCH)


def test_2_booleans_and_numbers_are_never_mapped_by_text(tmp_path: Path) -> None:
    template, _ = port(tmp_path, {"settings.py": "WORKERS = 2\nWITH_DB = True\nwith_db: true\n"})
    assert shown(template, "settings.py") == "WORKERS = 2\nWITH_DB = True\nwith_db: true\n"


def test_3_a_value_inside_another_word_stays_as_it_is(tmp_path: Path) -> None:
    template, _ = port(tmp_path, {"orders_api/jobs.py": "def reorders():\n    return 'reorders'\n"})
    assert shown(template, "{{ project_slug }}/jobs.py") == (
        "def reorders():\n    return 'reorders'\n"
    )


def test_4_derived_spellings_map_through_the_expressions_the_template_uses(
    tmp_path: Path,
) -> None:
    template, _ = port(tmp_path, {"Dockerfile": "LABEL name=orders-api\n"})
    assert shown(template, "Dockerfile.jinja") == (
        "LABEL name={{ project_slug | replace('_', '-') }}\n"
    )


def test_5_a_longer_value_wins_over_a_shorter_one_inside_it(tmp_path: Path) -> None:
    template, _ = port(tmp_path, {"run.py": "import orders_api.routes.orders\n"})
    assert shown(template, "run.py.jinja") == ("import {{ project_slug }}.routes.{{ resource }}\n")


def test_6_an_edit_on_the_line_after_an_if_is_merged_on_the_templates_own_lines(
    tmp_path: Path,
) -> None:
    edited = rendered_main().replace("db/orders_api", "db:5432/orders_api")
    template, _ = port(tmp_path, {"orders_api/main.py": edited}, template_change="import os\n")
    assert shown(template, "{{ project_slug }}/main.py.jinja") == "import os\n" + MAIN.replace(
        "db/{{ project_slug }}", "db:5432/{{ project_slug }}"
    )


def test_7_a_line_the_template_writes_with_its_own_spacing_keeps_it(tmp_path: Path) -> None:
    edited = rendered_main().replace('NAME = "orders_api"', 'NAME = "orders_api"  # service')
    template, _ = port(tmp_path, {"orders_api/main.py": edited}, template_change="import os\n")
    text = shown(template, "{{ project_slug }}/main.py.jinja")
    assert text.endswith('NAME = "{{project_slug}}"  # service\n')
    assert text.startswith("import os\n")


def test_8_an_edit_of_a_plain_file(tmp_path: Path) -> None:
    template, _ = port(tmp_path, {"README.md": "# Service\n\nRun it: `make run`.\n"})
    assert shown(template, "README.md") == "# Service\n\nRun it: `make run`.\n"


def test_9_a_new_file_in_a_templated_folder(tmp_path: Path) -> None:
    template, result = port(
        tmp_path, {"orders_api/routes/status.py": "from orders_api.routes import orders\n"}
    )
    (ported,) = result.files
    assert ported.template_path == "{{ project_slug }}/routes/status.py.jinja"
    assert shown(template, ported.template_path) == (
        "from {{ project_slug }}.routes import {{ resource }}\n"
    )
