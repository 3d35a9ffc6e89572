"""The sandbox: what a template may reach, trusted or not (docs/sandbox.md says why)."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

import pytest

from template.oracle import Fixture, render_ours, run_copier, write_template
from templsync._core.tree import Tree
from templsync.errors import UserError
from templsync.template.jinja import TemplateRenderError, make_environment
from templsync.template.renderer import JinjaRenderer
from templsync.template.sandbox import HostAccessError

DOC = Path(__file__).parents[2] / "docs" / "sandbox.md"
_TRUST = "If you trust this template, run again with `--trust`."


def _render(source: str, *, trusted: bool = False, **context: object) -> str:
    env = make_environment(envops={}, extensions=[], trusted=trusted)
    return JinjaRenderer(env).render(source, context)


def _documented(section: str) -> set[str]:
    """The names in backticks on the table rows of ``section`` of docs/sandbox.md."""
    text = DOC.read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[2] for line in body.splitlines() if line.startswith("| ")]
    return {name for row in rows for name in re.findall(r"`([^`]+)`", row)}


def test_every_filter_test_and_global_is_in_the_documented_table() -> None:
    env = make_environment(envops={}, extensions=[], trusted=False)
    names = set(env.filters) | {f"is {t}" for t in env.tests} | {f"{g}()" for g in env.globals}
    assert names == _documented("Filters, tests and globals")


HOST_FILTERS = [  # the filter, a call of it, what it reads
    ("fileglob", "{{ '/*' | fileglob }}", "reads this machine's files"),
    ("realpath", "{{ '.' | realpath }}", "reads this machine's files (it follows their links)"),
    ("expanduser", "{{ '~' | expanduser }}", "reads this machine's home folders"),
    ("expandvars", "{{ '$HOME' | expandvars }}", "reads this machine's environment variables"),
    (
        "relpath",
        "{{ 'a' | relpath('/') }}",
        "reads this machine's working folder (given a relative path)",
    ),
]


@pytest.mark.parametrize(
    ("name", "source", "reads"), HOST_FILTERS, ids=[h[0] for h in HOST_FILTERS]
)
def test_untrusted_templates_may_not_read_this_machine(name: str, source: str, reads: str) -> None:
    with pytest.raises(HostAccessError) as info:
        _render(source)
    assert isinstance(info.value, UserError)
    assert str(info.value) == (
        f"the template string {source!r} (line 1) uses the filter `{name}`, which {reads}; "
        f"untrusted templates may not. {_TRUST}"
    )


def test_a_host_filter_is_refused_where_it_is_called_only() -> None:
    source = "{% if false %}{{ '~' | expanduser }}{% endif %}ok"
    assert _render(source) == "ok"
    with pytest.raises(HostAccessError, match=r"^the template file 'f.txt' \(line 2\) uses"):
        env = make_environment(
            envops={},
            extensions=[],
            trusted=False,
            source=Tree.from_texts({"f.txt": "a\n{{ '$HOME' | expandvars }}"}),
        )
        JinjaRenderer(env).render_file("f.txt", {})


def test_relpath_between_absolute_paths_reads_nothing_and_is_allowed() -> None:
    assert _render("{{ '/a/b/c' | relpath('/a') }}") == "b/c"


def test_trusted_templates_read_this_machine_as_in_copier(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("")
    os.environ["TEMPLSYNC_SANDBOX_TEST"] = "set"
    source = (
        "{{ '~' | expanduser }}|{{ '$TEMPLSYNC_SANDBOX_TEST' | expandvars }}|"
        "{{ (root ~ '/*.txt') | fileglob }}|{{ (root ~ '/.') | realpath }}"
    )
    assert _render(source, trusted=True, root=str(tmp_path)) == (
        f"{Path.home()}|set|['{tmp_path}/x.txt']|{tmp_path.resolve()}"
    )
    fixture = Fixture({"out.txt.jinja": source.replace("root", f"'{tmp_path}'")})
    copied = run_copier(write_template(tmp_path / "t", fixture), tmp_path / "copier")
    ours = render_ours(fixture, tmp_path / "ours", trusted=True)
    assert ours.tree["out.txt"].content() == copied["out.txt"].content()


ESCAPES = {
    "mro": ("{{ ''.__class__.__mro__ }}", "attribute '__class__' of 'str' object is unsafe"),
    "subclasses": (
        "{{ ().__class__.__base__.__subclasses__() }}",
        "attribute '__class__' of 'tuple' object is unsafe",
    ),
    "format-attribute": (
        "{{ '{0.__class__.__mro__}'.format(1) }}",
        "'__class__' of 'int' object is unsafe",
    ),
    "format-map": (
        "{{ '{a.__class__.__mro__}'.format_map({'a': 1}) }}",
        "'__class__' of 'int' object is unsafe",
    ),
    "format-stored": (
        "{% set f = '{0.__class__.__mro__}'.format %}{{ f(1) }}",
        "'__class__' of 'int' object is unsafe",
    ),
    "function-globals": ("{{ now.__globals__.os }}", "attribute '__globals__'"),
    "copier-conf-path-parser": (
        "{{ _copier_conf.src_path.parser.os }}",
        "attribute 'parser'",  # unsafe from Python 3.13 on, where paths have one
    ),
    "cycler-init": ("{{ cycler.__init__.__globals__ }}", "attribute '__init__'"),
    "joiner-init": ("{{ joiner.__init__.__globals__ }}", "attribute '__init__'"),
    "namespace-init": ("{{ namespace.__init__.__globals__ }}", "attribute '__init__'"),
    "lipsum-globals": ("{{ lipsum.__globals__.os }}", "attribute '__globals__'"),
    "dict-class": ("{{ dict.__class__.__subclasses__() }}", "attribute '__class__'"),
    "range-cap": (
        "{{ range(10**9) }}",
        "OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).",
    ),
    "include-outside": ("{% include '/etc/passwd' %}", "no template file '/etc/passwd'"),
    "include-up": ("{% include '../../../../etc/passwd' %}", "no template file"),
}


@pytest.mark.parametrize("trusted", [False, True], ids=["untrusted", "trusted"])
@pytest.mark.parametrize("escape", ESCAPES, ids=str)
def test_known_sandbox_escapes_are_refused_trusted_or_not(escape: str, trusted: bool) -> None:
    source, message = ESCAPES[escape]
    context = {
        "now": lambda: None,
        "_copier_conf": {"src_path": PurePosixPath("/t")},
    }
    with pytest.raises(TemplateRenderError, match=re.escape(message)):
        _render(source, trusted=trusted, **context)


def test_the_harmless_globals_work() -> None:
    source = (
        "{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}"
        "{% set j = joiner('+') %}{{ j() }}1{{ j() }}2"
        "{% set ns = namespace(n=1) %}{% set ns.n = ns.n + 1 %}{{ ns.n }}"
        "{{ dict(a=1) }}{{ lipsum(1, false, 2, 3) | length > 0 }}{{ pathjoin('a', 'b') }}"
    )
    assert _render(source) == "aba1+22{'a': 1}Truea/b"


def test_time_and_random_filters_are_never_frozen_into_the_compiled_template_cache(
    tmp_path: Path,
) -> None:
    from templsync._io.jinjacache import DiskBytecodeCache

    files = Tree.from_texts(
        {"f.jinja": "{{ 999999999999999999999999999999999 | ans_random | hash('sha512') }}"}
    )
    cache = DiskBytecodeCache(tmp_path / "cache")
    secrets, answers = set(), set()
    for _ in range(3):  # each run a new environment, sharing the compiled templates on disk
        env = make_environment(
            envops={}, extensions=[], trusted=False, source=files, bytecode_cache=cache
        )
        secrets.add(JinjaRenderer(env).render_file("f.jinja", {}))
        # a question's default is a template string, its compiled code cached on disk too
        # (a filter binds tighter than **: the parentheses make it a draw below 10**30)
        answers.add(JinjaRenderer(env).render("{{ (10**30) | ans_random }}", {}))
    assert len(list((tmp_path / "cache").glob("*.jinjac"))) == 2  # the file's and the string's
    assert len(secrets) == 3
    assert len(answers) == 3
    env = make_environment(envops={}, extensions=[], trusted=False)
    assert _render("{{ [1, 2, 3] | shuffle(seed=1) | length }}{{ '%Y' | strftime }}") == (
        f"3{JinjaRenderer(env).render('{{ now().year }}', {'now': _now})}"
    )


def _now() -> object:
    import datetime

    return datetime.datetime.now()
