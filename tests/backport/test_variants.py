"""``templatize``'s case variants: each spelling is what its expression renders."""

from __future__ import annotations

import jinja2.sandbox
import pytest

from templsync.backport.variants import case_variants, spellings_of


@pytest.mark.parametrize(
    ("value", "texts"),
    [
        ("orders_api", ["orders_api", "orders-api", "ORDERS_API", "Orders Api", "OrdersApi"]),
        (
            "Orders API",
            ["Orders API", "orders_api", "orders-api", "ORDERS_API", "Orders Api", "OrdersApi"],
        ),
        ("orders", ["orders", "ORDERS", "Orders"]),
        ("Orders", ["Orders", "ORDERS", "orders"]),
        ("a-b_cd", ["a-b_cd"]),
    ],
)
def test_the_variants_of_a_value(value: str, texts: list[str]) -> None:
    variants = case_variants("name", value)
    assert [v.text for v in variants] == texts
    env = jinja2.sandbox.SandboxedEnvironment()
    for variant in variants:
        assert env.from_string(variant.expression).render(name=value) == variant.text


def test_a_value_as_given_wins_over_another_variables_derived_spelling() -> None:
    chosen = {s.text: s for s in spellings_of([("name", "Orders API"), ("slug", "orders_api")])}
    assert chosen["orders_api"].expression == "{{ slug }}"
    assert chosen["Orders API"].expression == "{{ name }}"
    assert chosen["orders-api"].variable == "name"  # derived on both sides: the first given
