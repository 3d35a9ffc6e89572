"""The back-port's laws: mapping a change of a render back and rendering the new template gives
the change (every hunk it maps, exactly); templatizing a project and copying the template gives
the project back."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from backport.reverse_helpers import environment, render, reverse
from templsync._core.tree import Tree
from templsync.backport.draft import draft_template
from templsync.backport.instantiate import MemorySource, answered_options, render_instance
from templsync.backport.reverse import split_lines

CONTEXT = {
    "project_slug": "orders_api",
    "resource": "orders",
    "project_name": "Orders API",
    "flag": True,
    "off": False,
}
WORDS = ["orders", "orders_api", "reorders", "Orders API", "ORDERS_API", "x", "{", "{{", "%}", "y"]
PLAIN = st.lists(st.sampled_from([*WORDS, " ", "_", "-", "=", "."]), min_size=1, max_size=6).map(
    lambda words: "".join(words) + "\n"
)
ENVOPS: list[dict[str, bool]] = [{}, {"trim_blocks": True, "lstrip_blocks": True}]
"""Copier's default Jinja options, and the ones templates most often set in `_envops`."""
TEMPLATE_LINES = [
    "name = {{ project_slug }}\n",
    "url = {{project_slug|replace('_', '-')}}/v1\n",
    "{{ project_name | upper }} and {{ resource }}\n",
    "plain words here\n",
    "orders stay literal\n",
    "{{ resource }}{{ project_slug }}\n",
]


@st.composite
def templates(draw: st.DrawFn) -> str:
    """Lines of literal text and expressions, some inside ifs (true and false) and loops."""
    out: list[str] = []
    for _ in range(draw(st.integers(1, 7))):
        kind = draw(st.sampled_from(["line", "line", "if", "for"]))
        body = draw(st.lists(st.sampled_from(TEMPLATE_LINES), min_size=1, max_size=2))
        if kind == "line":
            out.extend(body)
        elif kind == "if":
            condition = draw(st.sampled_from(["flag", "off"]))
            out += [f"{{% if {condition} %}}\n", *body, "{% endif %}\n"]
        else:
            out += ["{% for i in [1, 2] %}\n", *body, "{% endfor %}\n"]
    return "".join(out)


@st.composite
def edits(draw: st.DrawFn, lines: list[str]) -> list[str]:
    """Lines replaced (a word added or a line rewritten), inserted and deleted."""
    out = list(lines)
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["append", "insert", "delete", "rewrite"]))
        if not out:
            action = "insert"
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if action == "insert":
            out.insert(draw(st.integers(0, len(out))), draw(PLAIN))
        elif action == "delete":
            del out[at]
        elif action == "rewrite":
            out[at] = draw(PLAIN)
        else:
            line = out[at]
            out[at] = (
                line[:-1]
                + draw(st.sampled_from([" # note", " orders", "!", " {{x}}"]))
                + ("\n" if line.endswith("\n") else "")
            )
    return out


# No deadline on these laws: one example renders a template three or four times (the render, its
# origins, the round trip) and compiles each afresh, which on a machine busy with parallel tests
# can pass 200 ms without saying anything about the law (CI's profile sets none either).
@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_mapped_change_renders_back_to_the_change(data: st.DataObject) -> None:
    env = environment(**data.draw(st.sampled_from(ENVOPS)))
    source = data.draw(templates())
    before = render(env, source, CONTEXT)
    lines = split_lines(before)
    after = "".join(data.draw(edits(lines)))
    mapping = reverse(source, CONTEXT, after, env)
    expected = list(lines)
    for hunk in sorted(mapping.hunks, key=lambda h: h.rendered_start, reverse=True):
        if hunk.mapped:
            expected[hunk.rendered_start : hunk.rendered_end] = hunk.added
    assert render(env, mapping.text, CONTEXT) == "".join(expected)
    if not mapping.unmapped:
        assert render(env, mapping.text, CONTEXT) == after


@settings(deadline=None)
@given(templates(), st.sampled_from(ENVOPS))
def test_no_change_maps_to_no_change(source: str, options: dict[str, bool]) -> None:
    env = environment(**options)
    mapping = reverse(source, CONTEXT, render(env, source, CONTEXT), env)
    assert mapping.text == source
    assert mapping.hunks == ()


NAMES = st.sampled_from(["orders", "orders_api", "reorders", "src", "Orders", "x.jinja", "a b"])
CONTENT = st.lists(st.sampled_from([*WORDS, "\n", " ", "{#", "{%-", "éé"]), max_size=12).map(
    "".join
)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.lists(NAMES, min_size=1, max_size=3).map("/".join), CONTENT, max_size=5))
def test_a_templatized_project_renders_back_to_itself(files: dict[str, str]) -> None:
    paths = sorted(files)
    if any(b.startswith(a + "/") for a in paths for b in paths):
        return  # a path that is a file and a folder at once is no project
    project = Tree.from_texts(files)
    variables = [("project_slug", "orders_api"), ("resource", "orders")]
    draft = draft_template(project, variables)
    source = MemorySource("project", draft.tree)
    made = render_instance(
        source, source.resolve(), Path("project"), answered_options(dict(variables))
    )
    rendered = {p: e for p, e in made.rendered.tree.items() if p != made.rendered.answers_file}
    left = {p for p, _ in draft.left_out}
    assert rendered == {p: e for p, e in project.items() if p not in left}
