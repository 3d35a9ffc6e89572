"""Line origins: which template line each rendered line came from, exactly or not at all."""

from __future__ import annotations

from backport.reverse_helpers import environment, origins, render
from templsync.backport.origins import PieceKind, render_origins

CONTEXT = {"name": "Orders", "flag": True, "items": [1, 2], "empty": ""}


def test_each_literal_and_expression_comes_with_its_line() -> None:
    env = environment()
    source = 'a\n{% if flag %}\ntitle = "{{ name }}"\n{% endif %}\nend\n'
    pieces = render_origins(env, source, CONTEXT, expected=render(env, source, CONTEXT))
    assert pieces is not None
    assert [[(p.kind, p.line, p.text) for p in line] for line in pieces] == [
        [(PieceKind.LITERAL, 1, "a\n")],
        [(PieceKind.LITERAL, 2, "\n")],
        [
            (PieceKind.LITERAL, 3, 'title = "'),
            (PieceKind.EXPRESSION, 3, "Orders"),
            (PieceKind.LITERAL, 3, '"\n'),
        ],
        [(PieceKind.LITERAL, 4, "\n")],
        [(PieceKind.LITERAL, 5, "end\n")],
    ]


def test_only_lines_printed_once_by_plain_template_lines_are_exact() -> None:
    source = (
        "plain {{ name }}\n"  # 1 exact
        "{% for i in items %}\n"  # 2
        "item {{ i }}\n"  # 3 printed twice: not exact
        "{% endfor %}\n"  # 4
        "{% include 'part.txt' %}\n"  # 5
        "{{- name }} glued\n"  # 6 whitespace control
        "{% if flag %}inline{% endif %}\n"  # 7 a block tag on the line
        "{# note #}kept\n"  # 8 a comment
        "last {{empty}}{{name}}\n"  # 9 exact, two expressions in a row
    )
    found = origins(environment(), source, CONTEXT)
    exact = [o.line for o in found if o.exact]
    assert exact == [0, 8]
    assert found[-1].parts[-2].source == "{{empty}}{{name}}"


def test_a_template_that_extends_another_has_no_origins() -> None:
    env = environment()
    source = "{% extends 'part.txt' %}"
    assert render_origins(env, source, {}, expected=render(env, source, {})) is None


def test_a_render_the_markers_would_change_has_no_origins() -> None:
    env = environment()
    source = "{% set x %}a{% endset %}{{ x | length }}\n{{ name | wordcount }}\n"
    pieces = render_origins(env, source, CONTEXT, expected=render(env, source, CONTEXT))
    assert pieces is not None  # set blocks are never instrumented inside
    assert render_origins(env, "x\ue000y", {}, expected="x\ue000y") is None


def test_trim_blocks_lines_map_exactly() -> None:
    env = environment(trim_blocks=True, lstrip_blocks=True)
    source = "a\n  {% if flag %}\n{{ name }} b\n{% endif %}\nc\n"
    found = origins(env, source, CONTEXT)
    assert [o.line for o in found] == [0, 2, 4]
