"""The reverse mapping's word rules: which values are mapped, whole words, longest first, and
escaping that renders back to the text."""

from __future__ import annotations

import jinja2.sandbox
import pytest
from hypothesis import given
from hypothesis import strategies as st

from templsync.backport.words import Delimiters, Spelling, find_spellings, is_meant, to_template

ENV = jinja2.sandbox.SandboxedEnvironment(keep_trailing_newline=True)
SLUG = Spelling("orders_api", "{{ project_slug }}", "project_slug")
RESOURCE = Spelling("orders", "{{ resource }}", "resource")


@pytest.mark.parametrize(
    "value", ["y", "n", "1", "no", "yes", "True", "off", "42", "3.14", "-1e5", "ab", " abc", True]
)
def test_booleans_numbers_and_short_answers_are_never_mapped(value: object) -> None:
    assert not is_meant(value)


@pytest.mark.parametrize("value", ["orders", "api", "Orders API", "v2-service", "x_1"])
def test_names_are_mapped(value: str) -> None:
    assert is_meant(value)


def found(text: str, *spellings: Spelling) -> list[str]:
    return [text[m.start : m.end] for m in find_spellings(text, spellings)]


def test_whole_words_only() -> None:
    assert found("reorders orders list_orders orders-x orders2 ordersRouter", RESOURCE) == [
        "orders",
        "orders",
        "orders",
        "orders",
    ]
    assert found("myOrders OrdersRouter reOrders", Spelling("Orders", "e", "v")) == [
        "Orders",
        "Orders",
        "Orders",
    ]
    assert found("ORDERSAPI ORDERS_API", Spelling("ORDERS", "e", "v")) == ["ORDERS"]


def test_the_longest_spelling_wins_and_is_not_searched_again() -> None:
    matches = find_spellings("orders_api orders", [RESOURCE, SLUG])
    assert [m.spelling.variable for m in matches] == ["project_slug", "resource"]
    assert to_template("import orders_api.orders", [RESOURCE, SLUG], Delimiters())[0] == (
        "import {{ project_slug }}.{{ resource }}"
    )


def test_a_longer_spelling_that_is_not_a_whole_word_gives_way_to_a_shorter_one() -> None:
    assert found("orders_apix", RESOURCE, SLUG) == ["orders"]


def test_jinja_text_is_escaped() -> None:
    text = "a {{ b }} {% if %} {# c #} {{{ {"
    escaped = Delimiters().escape(text)
    assert "{{ b }}" not in escaped
    assert ENV.from_string(escaped).render() == text


def test_a_brace_before_an_expression_never_opens_a_block() -> None:
    template, _ = to_template("{orders}", [RESOURCE], Delimiters())
    assert ENV.from_string(template).render(resource="orders") == "{orders}"


def test_custom_delimiters_are_escaped() -> None:
    env = jinja2.sandbox.SandboxedEnvironment(
        variable_start_string="[[",
        variable_end_string="]]",
        block_start_string="[%",
        block_end_string="%]",
    )
    delimiters = Delimiters.of(env)
    text = "[[ x ]] [% y %] {{ z }}"
    assert env.from_string(delimiters.escape(text)).render() == text


_TEXT = st.text(alphabet=st.sampled_from(list("{}%#-_ ao\nrdes'\\")), max_size=60)


@given(_TEXT)
def test_escaped_text_renders_to_itself(text: str) -> None:
    assert ENV.from_string(Delimiters().escape(text)).render() == text


@given(st.lists(st.sampled_from(["orders", "orders_api", "re", "{", "{{", "%", " ", "_", "x"])))
def test_template_text_renders_back_to_the_text(words: list[str]) -> None:
    text = "".join(words)
    template, _ = to_template(text, [RESOURCE, SLUG], Delimiters())
    rendered = ENV.from_string(template).render(resource="orders", project_slug="orders_api")
    assert rendered == text
