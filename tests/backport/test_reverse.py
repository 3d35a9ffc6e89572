"""Hunks of an instance's change turned back into template text through line origins.

Among them, the kinds of change another back-port tool gets wrong and that must come out right
here: the same expression written ``{{x}}`` or ``{{ x }}``, the line after an ``{% if %}``, a
derived spelling, an edit inside what an expression printed (reported, never guessed).
"""

from __future__ import annotations

from backport.reverse_helpers import environment, render, reverse

CONTEXT = {"project_slug": "orders_api", "project_name": "Orders API", "use_docker": True}
TEMPLATE = (
    "import os\n"
    "{% if use_docker %}\n"
    "DOCKER = True\n"
    "{% endif %}\n"
    'TITLE = "{{project_name}}"\n'
    "SLUG = \"{{ project_slug | replace('_', '-') }}\"\n"
    'RUN = "pip install"\n'
)


def edited(old: str, new: str) -> str:
    before = render(environment(), TEMPLATE, CONTEXT)
    assert old in before
    return before.replace(old, new)


def test_the_templates_own_spelling_of_an_expression_is_kept() -> None:
    mapping = reverse(TEMPLATE, CONTEXT, edited('TITLE = "Orders API"', 'TITLE = "Orders API"  #'))
    assert 'TITLE = "{{project_name}}"  #\n' in mapping.text
    assert not mapping.unmapped


def test_the_line_after_an_if_is_the_templates_line() -> None:
    mapping = reverse(TEMPLATE, CONTEXT, edited("DOCKER = True", "DOCKER = 1"))
    assert mapping.text == TEMPLATE.replace("DOCKER = True", "DOCKER = 1")
    (hunk,) = mapping.hunks
    assert (hunk.template_start, hunk.template_end) == (2, 3)


def test_new_text_takes_the_derived_spellings_the_template_uses() -> None:
    mapping = reverse(TEMPLATE, CONTEXT, edited("RUN", 'NAME = "orders-api"\nRUN'))
    assert "NAME = \"{{ project_slug | replace('_', '-') }}\"\n" in mapping.text


def test_an_edit_of_what_an_expression_printed_is_reported_not_guessed() -> None:
    mapping = reverse(TEMPLATE, CONTEXT, edited('TITLE = "Orders API"', 'TITLE = "Orders APIs"'))
    (hunk,) = mapping.unmapped
    assert "{{project_name}}" in (hunk.reason or "")
    assert hunk.added == ('TITLE = "Orders APIs"\n',)
    assert mapping.text == TEMPLATE


def test_a_line_of_a_block_tag_is_reported() -> None:
    before = render(environment(), TEMPLATE, CONTEXT)
    mapping = reverse(TEMPLATE, CONTEXT, before.replace("import os\n\n", "import os\n"))
    (hunk,) = mapping.unmapped
    assert "template line 2" in (hunk.reason or "")


def test_lines_printed_by_a_loop_are_reported() -> None:
    source = "{% for i in [1, 2] %}\nitem {{ i }}\n{% endfor %}\n"
    before = render(environment(), source, {})
    mapping = reverse(source, {}, before.replace("item 2", "item two"))
    (hunk,) = mapping.unmapped
    assert "prints several lines" in (hunk.reason or "")


def test_lines_inserted_around_a_false_if_are_placed_and_said() -> None:
    env = environment(trim_blocks=True)
    source = "a\n{% if use_docker %}\nDOCKER\n{% endif %}\nb\n"
    context = {**CONTEXT, "use_docker": False}
    before = render(env, source, context)
    assert before == "a\nb\n"
    mapping = reverse(source, context, "a\nnew\nb\n", env)
    (hunk,) = mapping.hunks
    assert hunk.mapped
    assert hunk.note is not None and "print nothing" in hunk.note
    assert render(env, mapping.text, context) == "a\nnew\nb\n"
    assert render(env, mapping.text, {**context, "use_docker": True}).count("new") == 1


def test_short_answers_booleans_and_numbers_are_never_mapped() -> None:
    source = "name = {{ slug }}\nflag = {{ use_y }}\n"
    context = {"slug": "health", "use_y": "y", "count": 1}
    mapping = reverse(source, context, "name = health\nflag = y\nhealth.py y 1\n")
    assert mapping.text == "name = {{ slug }}\nflag = {{ use_y }}\n{{ slug }}.py y 1\n"


def test_jinja_text_typed_in_the_instance_is_escaped() -> None:
    source = "a {{ name }}\n"
    mapping = reverse(source, {"name": "orders"}, "a orders {{ not_a_var }}\n")
    assert render(environment(), mapping.text, {"name": "orders"}) == "a orders {{ not_a_var }}\n"
    assert render(environment(), mapping.text, {"name": "bills"}) == "a bills {{ not_a_var }}\n"
