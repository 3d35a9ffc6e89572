"""The spellings an instance's answers have in its template: what a reverse mapping looks for.

An answer is looked for by text only when it is meant as a name
(:func:`~templsync.backport.words.is_meant`). Its spellings are the ones the template actually
writes: every ``{{ … }}`` expression in its templated files and its path names that reads one
such answer and nothing else (``{{ project_slug }}``, ``{{ project_slug | replace('_', '-') }}``,
``{{ project_name | upper }}``) is rendered with the instance's answers, and the text it prints
(when that is meant as a name too) becomes a spelling of it, written as the template writes it
most often (without whitespace control). The answer itself is always a spelling (``{{ name }}``,
or the template's own way of writing it).

One text has one spelling: the bare variable wins, then the expression the template uses most,
then the shortest. Case variants the template never writes are never invented.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping

import jinja2
from jinja2 import nodes

from templsync.backport.words import Spelling, is_meant

__all__ = ["expressions", "template_spellings"]


def expressions(env: jinja2.Environment, text: str) -> list[tuple[str, str]]:
    """Every ``{{ … }}`` of ``text``: (its source as written, its expression stripped)."""
    found: list[tuple[str, str]] = []
    source: list[str] | None = None
    inner: list[str] = []
    try:
        for _, kind, value in env.lex(text):
            if kind == "variable_begin":
                source, inner = [value], []
            elif source is not None:
                source.append(value)
                if kind == "variable_end":
                    found.append(("".join(source), "".join(inner).strip()))
                    source = None
                else:
                    inner.append(value)
    except jinja2.TemplateSyntaxError:
        return found
    return found


def _reads(env: jinja2.Environment, inner: str) -> frozenset[str]:
    """The names an expression reads (none when it does not parse)."""
    try:
        tree = env.parse(f"{env.variable_start_string} {inner} {env.variable_end_string}")
    except jinja2.TemplateSyntaxError:
        return frozenset()
    return frozenset(n.name for n in tree.find_all(nodes.Name) if n.ctx == "load")


def template_spellings(
    env: jinja2.Environment,
    texts: Iterable[str],
    answers: Mapping[str, object],
    evaluate: Callable[[str], str],
) -> tuple[Spelling, ...]:
    """The spellings of ``answers`` that the template ``texts`` write (see the module).

    ``evaluate`` renders one expression's source with the instance's context.
    """
    meant = {name: value for name, value in answers.items() if not name.startswith("_")}
    meant = {name: value for name, value in meant.items() if is_meant(value)}
    uses: Counter[str] = Counter()
    written: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        if env.variable_start_string not in text:
            continue
        for source, inner in expressions(env, text):
            key = " ".join(inner.split())
            uses[key] += 1
            if not _whitespace_control(env, source):
                written[key][source] += 1
    start, end = env.variable_start_string, env.variable_end_string
    candidates: list[tuple[Spelling, bool, int]] = []
    for key, count in uses.items():
        names = _reads(env, key)
        if len(names) != 1 or not names <= meant.keys():
            continue
        (name,) = names
        source = written[key].most_common(1)[0][0] if written[key] else f"{start} {key} {end}"
        printed = _evaluated(evaluate, source)
        if printed is not None and is_meant(printed):
            candidates.append((Spelling(printed, source, name), key == name, count))
    for name, value in meant.items():
        source = written[name].most_common(1)[0][0] if written[name] else f"{start} {name} {end}"
        candidates.append((Spelling(str(value), source, name), True, uses[name]))
    chosen: dict[str, tuple[Spelling, bool, int]] = {}
    for spelling, bare, count in candidates:
        current = chosen.get(spelling.text)
        rank = (bare, count, -len(spelling.expression))
        if current is None or rank > (current[1], current[2], -len(current[0].expression)):
            chosen[spelling.text] = (spelling, bare, count)
    return tuple(spelling for spelling, _, _ in chosen.values())


def _evaluated(evaluate: Callable[[str], str], source: str) -> str | None:
    try:
        return evaluate(source)
    except Exception:  # an expression that fails for this instance is not one of its spellings
        return None


def _whitespace_control(env: jinja2.Environment, source: str) -> bool:
    start, end = env.variable_start_string, env.variable_end_string
    return source.startswith((f"{start}-", f"{start}+")) or source.endswith((f"-{end}", f"+{end}"))
