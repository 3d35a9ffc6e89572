"""The limits on untrusted input (``_limits``) and the YAML loader that keeps them (``_yaml``):
data at a limit loads as PyYAML's SafeLoader loads it, one step past is refused before anything
is built, and no parse ends in a RecursionError."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable

import pytest
import yaml

from templsync._limits import MAX_ALIAS_NODES, MAX_DEPTH, LimitError, check_depth, parse_within
from templsync._yaml import safe_load
from testing.alarm import time_limit

DEEP = "[" * 100_000


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def laughs(levels: int, width: int = 10) -> str:
    """The "billion laughs": each level a list of ``width`` aliases of the level below."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def test_yaml_nested_to_the_limit_loads_as_safe_loader_loads_it() -> None:
    text = nested(MAX_DEPTH)
    assert safe_load(text) == yaml.safe_load(text)
    block = "".join("  " * i + "- \n" for i in range(MAX_DEPTH - 1)) + "  " * (MAX_DEPTH - 1) + "x"
    assert safe_load(block) == yaml.safe_load(block)


@pytest.mark.parametrize(
    "text",
    [nested(MAX_DEPTH + 1), DEEP, "".join("  " * i + "- \n" for i in range(MAX_DEPTH + 1))],
    ids=["one level past", "100,000 levels", "block style"],
)
def test_yaml_nested_past_the_limit_is_refused(text: str) -> None:
    with pytest.raises(LimitError, match=f"is nested too deeply \\(more than {MAX_DEPTH} levels"):
        safe_load(text)


def test_an_alias_counts_at_its_full_depth() -> None:
    inner = nested(60)
    assert safe_load(f"a: &a {inner}\nb: {'[' * 39}*a{']' * 39}\n")["b"] is not None
    with pytest.raises(LimitError, match=r"nested too deeply .*at line 2"):
        safe_load(f"a: &a {inner}\nb: {'[' * 40}*a{']' * 40}\n")


def test_a_billion_laughs_is_refused_before_it_expands() -> None:
    with time_limit(10), pytest.raises(LimitError, match=f"more than {MAX_ALIAS_NODES:,} nodes"):
        safe_load(laughs(9))  # 10**10 strings once expanded


def test_aliases_within_the_cap_load_as_safe_loader_loads_them() -> None:
    text = laughs(3) + "base: &b {x: 1, y: [1, 2]}\nsvc: {<<: *b, z: 3}\n"  # 11,110 nodes
    assert safe_load(text) == yaml.safe_load(text)


@pytest.mark.parametrize("text", ["a: &a [*a]", "a: &a {b: [1, *a]}"])
def test_data_that_contains_itself_is_refused(text: str) -> None:
    with pytest.raises(LimitError, match="holds an alias inside the node it names"):
        safe_load(text)


def test_yaml_errors_stay_yaml_errors() -> None:
    with pytest.raises(yaml.YAMLError, match="found undefined alias"):
        safe_load("a: *nowhere")
    with pytest.raises(yaml.YAMLError, match="found duplicate anchor"):
        safe_load("a: &x 1\nb: &x 2\n")


@pytest.mark.parametrize(
    "parse",
    [lambda: json.loads(DEEP), lambda: tomllib.loads("a = " + DEEP)],
    ids=["json", "toml"],
)
def test_a_parse_that_runs_out_of_recursion_is_a_limit_error(parse: Callable[[], object]) -> None:
    with pytest.raises(LimitError, match="nested too deeply"):
        parse_within(parse)


def test_a_parsed_value_is_walked_for_its_depth() -> None:
    assert parse_within(lambda: json.loads(nested(MAX_DEPTH))) == json.loads(nested(MAX_DEPTH))
    with pytest.raises(LimitError):
        parse_within(lambda: json.loads(nested(MAX_DEPTH + 1)))
    assert parse_within(lambda: json.loads(nested(MAX_DEPTH + 1)), check=False)
    check_depth({"a": [{"b": ({"c": 1},)}]})
    with pytest.raises(LimitError):
        check_depth(json.loads('{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1)))


def test_a_large_file_may_merge_defaults_into_many_entries() -> None:
    """Aliases may add ten times the file's own nodes: growth in proportion, not by a power."""
    defaults = ", ".join(f"k{n}: {n}" for n in range(20))  # 41 nodes
    entries = "".join(f"e{n}: {{<<: *d, n: {n}}}\n" for n in range(3_000))  # 15,000 nodes
    text = f"defaults: &d {{{defaults}}}\n{entries}"  # the aliases add 123,000 nodes
    assert safe_load(text) == yaml.safe_load(text)
