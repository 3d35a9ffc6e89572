"""The limits of a render: every way a template can make too much stops, saying which limit."""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import dataclass

import jinja2.sandbox
import pytest

from templsync._core.tree import Tree
from templsync._io.alarm import MainThreadAlarm
from templsync.errors import UserError
from templsync.template.jinja import ANSIBLE_FILTERS, TemplateRenderError, make_environment
from templsync.template.limits import (
    TRUSTED,
    UNTRUSTED,
    Meter,
    RenderLimitError,
    RenderLimits,
    RenderStopped,
    format_size,
)
from templsync.template.render import render_template
from templsync.template.renderer import JinjaRenderer

MIB = 1024 * 1024
SMALL = RenderLimits(max_bytes=MIB, max_files=50, timeout=30.0)
BACKTRACKING = "{{ ('a' * 40 ~ 'b') | regex_search('(a+)+$') }}"
_RAISE = "If the template is meant to do that, run again with a higher limit:"


def _renderer(
    limits: RenderLimits = SMALL, *, trusted: bool = False, files: dict[str, str] | None = None
) -> JinjaRenderer:
    env = make_environment(
        envops={},
        extensions=[],
        trusted=trusted,
        source=Tree.from_texts(files or {}),
        limits=limits,
        alarm=MainThreadAlarm(),
    )
    return JinjaRenderer(env)


def test_unset_limits_take_the_defaults_of_the_templates_trust() -> None:
    assert RenderLimits().resolved(trusted=False) == UNTRUSTED
    assert RenderLimits().resolved(trusted=True) == TRUSTED
    assert RenderLimits(max_files=5).resolved(trusted=True) == RenderLimits(
        max_bytes=TRUSTED.max_bytes, max_files=5, timeout=TRUSTED.timeout
    )
    for field in ("max_bytes", "max_files", "timeout"):
        assert getattr(TRUSTED, field) > getattr(UNTRUSTED, field)


def test_the_time_between_renders_does_not_count() -> None:
    now = [0.0]
    meter = Meter(RenderLimits(timeout=10.0), trusted=False, clock=lambda: now[0])
    for _ in range(3):  # three renders of 4 seconds, an hour apart (a person answering)
        meter.start()
        now[0] += 4.0
        if meter.deadline < now[0]:
            with pytest.raises(RenderLimitError, match="ran for more than 10 seconds"):
                meter.tick()
            break
        meter.tick()
        meter.stop()
        now[0] += 3600.0
    else:
        pytest.fail("12 seconds of rendering passed the 10-second limit")


@dataclass(frozen=True)
class Hostile:
    """A template string that makes too much, and the start of what the error says it did."""

    source: str
    did: str


VALUE = "makes a value of about"
HOSTILE: dict[str, Hostile] = {
    # one operation that makes a huge value from small inputs: refused before it runs
    "star": Hostile("{{ 'x' * 10**9 }}", f"{VALUE} 953.7 MiB with `*`"),
    "star-list": Hostile("{{ [0] * 10**8 }}", f"{VALUE} 6.0 GiB with `*`"),
    "percent-width": Hostile("{{ '%999999999s' % 1 }}", f"{VALUE} 953.7 MiB with `%`"),
    "percent-star": Hostile("{{ '%*s' % (10**9, 'x') }}", f"{VALUE} 953.7 MiB with `%`"),
    "percent-precision": Hostile("{{ '%.99999999f' % 1 }}", f"{VALUE} 95.4 MiB with `%`"),
    "format-filter": Hostile("{{ '%999999999d' | format(1) }}", f"{VALUE} 953.7 MiB with the"),
    "str-format": Hostile("{{ '{:>999999999}'.format(1) }}", f"{VALUE} 953.7 MiB with `format`"),
    "str-format-nested": Hostile(
        "{{ '{0:{1}}'.format('x', 10**9) }}", f"{VALUE} 953.7 MiB with `format`"
    ),
    "str-format-map": Hostile(
        "{{ '{a:>999999999}'.format_map({'a': 1}) }}", f"{VALUE} 953.7 MiB with `format_map`"
    ),
    "center-filter": Hostile("{{ 'x' | center(10**9) }}", f"{VALUE} 953.7 MiB with the filter"),
    "center-method": Hostile("{{ 'x'.center(10**9) }}", f"{VALUE} 953.7 MiB with `center`"),
    "ljust": Hostile("{{ 'x'.ljust(10**9) }}", f"{VALUE} 953.7 MiB with `ljust`"),
    "zfill": Hostile("{{ '1'.zfill(10**9) }}", f"{VALUE} 953.7 MiB with `zfill`"),
    "expandtabs": Hostile("{{ '\t\t'.expandtabs(10**9) }}", f"{VALUE} 1.9 GiB with `expandtabs`"),
    "replace-method": Hostile(
        "{{ ('x' * 1000).replace('', 'y' * 100000) }}", f"{VALUE} 95.5 MiB with `replace`"
    ),
    "replace-filter": Hostile(
        "{{ ('x' * 1000) | replace('x', 'y' * 100000) }}", f"{VALUE} 95.4 MiB with the filter"
    ),
    "translate": Hostile(
        "{{ ('x' * 1000).translate({120: 'y' * 100000}) }}", f"{VALUE} 95.4 MiB with `translate`"
    ),
    "join-filter": Hostile(
        "{{ range(1000) | join('y' * 100000) }}", f"{VALUE} 95.4 MiB with the filter `join`"
    ),
    "join-method-iterator": Hostile(
        "{{ ('y' * 100000).join(range(1000) | map('string')) }}", f"{VALUE} 95.4 MiB with `join`"
    ),
    "indent": Hostile("{{ ('x\\n' * 1000) | indent(10**6) }}", f"{VALUE} 954.6 MiB with the"),
    "wordwrap": Hostile(
        "{{ ('a ' * 1000) | wordwrap(1, wrapstring='x' * 10**6) }}", f"{VALUE} 1.9 GiB with the"
    ),
    "comment": Hostile("{{ 'x' | comment(prefix_count=10**9) }}", f"{VALUE} 4.7 GiB with the"),
    "urlize": Hostile(
        "{{ ('a.com ' * 1000) | urlize(target='x' * 10**6) }}", f"{VALUE} 2.8 GiB with the"
    ),
    "regex-replace": Hostile(
        "{{ ('x' * 1000) | regex_replace('', 'y' * 10**5) }}", f"{VALUE} 95.5 MiB with the"
    ),
    "batch-fill": Hostile("{{ [1] | batch(10**9, 'x') | list }}", f"{VALUE} 2.8 GiB with the"),
    "slice": Hostile("{{ [1] | slice(10**8) | list }}", f"{VALUE} 2.6 GiB with the filter"),
    "list-of-a-string": Hostile(
        "{{ ('x' * 100000) | list | length }}", f"{VALUE} 6.6 MiB with the filter `list`"
    ),
    "pretty-json": Hostile(
        "{{ [[[1]]] | to_nice_json(indent=10**8) }}", f"{VALUE} 3.6 GiB with the filter"
    ),
    "lipsum": Hostile("{{ lipsum(n=10**7) }}", f"{VALUE} 15.1 GiB with `generate_lorem_ipsum`"),
    # a value that doubles in a loop: stopped at the first step past the limit
    "doubling-tilde": Hostile(
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        f"{VALUE} 2 MiB with `~`",
    ),
    "doubling-plus": Hostile(
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
        "{% set ns.s = ns.s + ns.s %}{% endfor %}",
        f"{VALUE} 2 MiB with `+`",
    ),
    "doubling-list-extend": Hostile(
        "{% set l = [0] %}{% for i in range(40) %}{% set _ = l.extend(l) %}{% endfor %}",
        f"{VALUE} 2 MiB with `extend`",
    ),
    "doubling-list-plus": Hostile(
        "{% set ns = namespace(l=[0]) %}{% for i in range(40) %}"
        "{% set ns.l = ns.l + ns.l %}{% endfor %}",
        f"{VALUE} 2 MiB with `+`",
    ),
    "growing-dict": Hostile(
        "{% set d = {} %}{% for i in range(100000) %}{% set _ = d.update({i: i}) %}{% endfor %}",
        f"{VALUE} 1.0 MiB with `update`",
    ),
    # "billion laughs": lists of lists sharing one list, small to build, huge as text
    "laughs-output": Hostile(
        "{% set a = ['xxxxxxxxxx'] * 10 %}{% set b = [a,a,a,a,a,a,a,a,a,a] %}"
        "{% set c = [b,b,b,b,b,b,b,b,b,b] %}{% set d = [c,c,c,c,c,c,c,c,c,c] %}"
        "{% set e = [d,d,d,d,d,d,d,d,d,d] %}{{ e }}",
        "makes a value of more than 1 MiB to output",
    ),
    "laughs-to-json": Hostile(
        "{% set a = ['xxxxxxxxxx'] * 10 %}{% set b = [a,a,a,a,a,a,a,a,a,a] %}"
        "{% set c = [b,b,b,b,b,b,b,b,b,b] %}{% set d = [c,c,c,c,c,c,c,c,c,c] %}"
        "{% set e = [d,d,d,d,d,d,d,d,d,d] %}"
        "{{ e | to_json | length }}",
        "makes a value of more than 1 MiB with the filter `to_json`",
    ),
    "laughs-tilde": Hostile(
        "{% set a = ['xxxxxxxxxx'] * 10 %}{% set b = [a,a,a,a,a,a,a,a,a,a] %}"
        "{% set c = [b,b,b,b,b,b,b,b,b,b] %}{% set d = [c,c,c,c,c,c,c,c,c,c] %}"
        "{% set e = [d,d,d,d,d,d,d,d,d,d] %}"
        "{{ ('' ~ e) | length }}",
        "makes a value of more than 1 MiB with `~`",
    ),
    # a filter's or a call's result output as it is: measured when the filter or call made it
    "laughs-filter-output": Hostile(
        "{% set a = ['xxxxxxxxxx'] * 10 %}{% set b = [a,a,a,a,a,a,a,a,a,a] %}"
        "{% set c = [b,b,b,b,b,b,b,b,b,b] %}{% set d = [c,c,c,c,c,c,c,c,c,c] %}"
        "{% set e = [d,d,d,d,d,d,d,d,d,d] %}{{ e | list }}",
        "makes a value of more than 1 MiB with the filter `list`",
    ),
    "laughs-call-output": Hostile(
        "{% set a = ['xxxxxxxxxx'] * 10 %}{% set b = [a,a,a,a,a,a,a,a,a,a] %}"
        "{% set c = [b,b,b,b,b,b,b,b,b,b] %}{% set d = [c,c,c,c,c,c,c,c,c,c] %}"
        "{% set e = [d,d,d,d,d,d,d,d,d,d] %}{{ e.copy() }}",
        "makes a value of more than 1 MiB with a call",
    ),
    # output that grows as it is made: stopped while it grows
    "nested-loops-output": Hostile(
        "{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxx{% endfor %}{% endfor %}",
        "renders more than 1 MiB of text",
    ),
    "macro-block": Hostile(
        "{% macro m() %}{% for i in range(100000) %}{% for j in range(1000) %}xxxxxxxx"
        "{% endfor %}{% endfor %}{% endmacro %}{{ m() | length }}",
        f"{VALUE} 1.0 MiB in a block",
    ),
    "set-block": Hostile(
        "{% set s %}{% for i in range(100000) %}{% for j in range(1000) %}xxxxxxxx{% endfor %}"
        "{% endfor %}{% endset %}",
        f"{VALUE} 1.0 MiB in a block",
    ),
    "filter-block": Hostile(
        "{% filter upper %}{% for i in range(100000) %}{% for j in range(1000) %}xxxxxxxx"
        "{% endfor %}{% endfor %}{% endfilter %}",
        f"{VALUE} 1.0 MiB in a block",
    ),
}


@pytest.mark.parametrize("trusted", [False, True], ids=["untrusted", "trusted"])
@pytest.mark.parametrize("case", HOSTILE, ids=str)
def test_a_template_that_makes_too_much_stops_saying_which_limit(case: str, trusted: bool) -> None:
    hostile = HOSTILE[case]
    kind = "a trusted" if trusted else "an untrusted"
    with pytest.raises(RenderLimitError) as info:
        _renderer(trusted=trusted).render(hostile.source, {})
    assert isinstance(info.value, UserError)
    message = str(info.value)
    shown = hostile.source if len(hostile.source) <= 60 else hostile.source[:57] + "..."
    assert message.startswith(f"the template string {shown!r}")
    assert f" {hostile.did}" in message
    assert message.endswith(
        f", past the limit of 1 MiB for {kind} template; rendering stopped there. {_RAISE} "
        "`--max-render-bytes 4M` (or set TEMPLSYNC_MAX_RENDER_BYTES)."
    )


def test_each_limit_stops_before_the_value_is_made_not_after() -> None:
    """Memory stays bounded: the refused values are never made, a growing file is stopped."""
    for source in (
        "{{ 'x' * 10**9 }}",
        "{{ 'x' | center(10**9) }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxx{% endfor %}{% endfor %}",
        "{% set s %}{% for i in range(100000) %}{% for j in range(1000) %}xxxxxxxx{% endfor %}"
        "{% endfor %}{% endset %}",
    ):
        tracemalloc.start()
        try:
            with pytest.raises(RenderLimitError):
                _renderer().render(source, {})
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 8 * MIB, (source, format_size(peak))


def test_a_trusted_template_has_higher_limits() -> None:
    source = "{{ ('x' * 2 * 1024 * 1024) | length }}"  # 2 MiB
    assert _renderer(RenderLimits(max_bytes=4 * MIB)).render(source, {}) == str(2 * MIB)
    with pytest.raises(RenderLimitError, match="past the limit of 64 MiB for an untrusted"):
        _renderer(RenderLimits()).render("{{ 'x' * 100 * 1024 * 1024 }}", {})
    trusted = _renderer(RenderLimits(), trusted=True)
    assert trusted.render("{{ ('x' * 100 * 1024 * 1024) | length }}", {}) == str(100 * MIB)
    with pytest.raises(RenderLimitError, match="past the limit of 1 GiB for a trusted"):
        trusted.render("{{ 'x' * 2 * 1024 * 1024 * 1024 }}", {})


def test_a_file_past_the_limit_is_named() -> None:
    renderer = _renderer(
        files={"big.txt.jinja": "{% for i in range(100000) %}{{ 'x' * 100 }}\n{% endfor %}"}
    )
    with pytest.raises(RenderLimitError) as info:
        renderer.render_file("big.txt.jinja", {})
    assert str(info.value).startswith(
        "the template file 'big.txt.jinja' renders more than 1 MiB of text, past the limit"
    )


def test_the_limit_holds_for_the_whole_render_not_each_file() -> None:
    files = {f"f{i}.txt.jinja": "{{ 'x' * 300000 }}" for i in range(4)}
    tree = Tree.from_texts(files)
    env = make_environment(envops={}, extensions=[], trusted=False, source=tree, limits=SMALL)
    with pytest.raises(RenderLimitError, match=r"^the template file 'f3.txt.jinja' renders more"):
        render_template(tree, {}, env=env)


def test_numbers_with_too_many_digits_are_refused_at_once() -> None:
    start = time.monotonic()
    with pytest.raises(RenderStopped) as info:
        _renderer().render("{{ 10 ** 10000000 }}", {})
    assert time.monotonic() - start < 1
    assert str(info.value) == (
        "the template string '{{ 10 ** 10000000 }}' (line 1) computes a number of about "
        "10,000,000 digits with `**`; the sandbox allows numbers of up to 100,000 digits. "
        "Compute a smaller number."
    )


def test_a_number_squared_again_and_again_stops_at_the_digits_limit() -> None:
    """Small numbers multiply unchecked; the product grows past that and is checked again."""
    source = (
        "{% set ns = namespace(n=3) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}"
        "{% endfor %}{{ ns.n }}"
    )
    with pytest.raises(RenderStopped, match=r"computes a number of about [\d,]+ digits with `\*`"):
        _renderer().render(source, {})
    assert _renderer().render("{{ 3 * 4 }} {{ 2**63 * 2**63 }} {{ 7 % 3 + 1.5 }}", {}) == (
        f"12 {2**126} 2.5"
    )


@pytest.mark.parametrize(
    "source",
    [
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{% macro m(n) %}{% for i in range(n) %}{{ m(n) if false }}{% endfor %}{% endmacro %}"
        "{% for i in range(100000) %}{% for j in range(100000) %}{{ m(1) }}{% endfor %}"
        "{% endfor %}",
        "{% for x in range(100000) | map('string') %}{% for y in range(100000) %}"
        "{% if x == y %}{% endif %}{% endfor %}{% endfor %}",
        BACKTRACKING,  # one long step, between the checks: only the alarm stops it
    ],
    ids=["empty-loops", "macro-calls", "filtered-loop", "regex-backtracking"],
)
def test_a_render_that_runs_too_long_stops(source: str) -> None:
    start = time.monotonic()
    with pytest.raises(RenderLimitError) as info:
        _renderer(RenderLimits(timeout=0.5)).render(source, {})
    assert time.monotonic() - start < 5
    assert "ran for more than 0.5 seconds, past the limit of 0.5 seconds for an untrusted" in str(
        info.value
    )
    assert str(info.value).endswith("`--render-timeout 2` (or set TEMPLSYNC_RENDER_TIMEOUT).")


FEW_FILES = RenderLimits(max_files=50)


@pytest.mark.parametrize(
    ("files", "folders", "last"),
    [
        (
            {"{% yield i from range(100000) | list * 10 %}{{ i }}{% endyield %}.txt": "x"},
            (),
            "the path name '{% yield i from range(100000) | list * 10 %}{{ i }}{% endyield %}"
            ".txt' yields more than 50 names, each a file or folder",
        ),
        (
            {
                "{% yield i from range(30) %}d{{ i }}{% endyield %}/"
                "{% yield j from range(30) %}f{{ j }}{% endyield %}.txt": "x"
            },
            (),
            "the template makes more than 50 files and folders (the last: 'd1/f20.txt')",
        ),
        (
            {f"f{i:03d}.txt": "x" for i in range(100)},
            (),
            "the template makes more than 50 files and folders (the last: 'f050.txt')",
        ),
        (
            {"a.txt": "x"},
            tuple(f"d{i:02d}" for i in range(60)),
            "the template makes more than 50 files and folders (the last: 'd49')",
        ),
    ],
    ids=["yield-a-million", "nested-yields", "many-files", "many-empty-folders"],
)
def test_a_template_that_makes_too_many_files_stops(
    files: dict[str, str], folders: tuple[str, ...], last: str
) -> None:
    tree = Tree.from_texts(files)
    env = make_environment(envops={}, extensions=[], trusted=False, source=tree, limits=FEW_FILES)
    with pytest.raises(RenderLimitError) as info:
        render_template(tree, {}, env=env, empty_folders=folders)
    assert str(info.value) == (
        f"{last}, past the limit of 50 for an untrusted template; rendering stopped there. "
        f"{_RAISE} `--max-files 200` (or set TEMPLSYNC_MAX_FILES)."
    )


def test_errors_a_template_raises_are_the_templates_not_a_crash() -> None:
    for source, error in (
        ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "RecursionError: maximum recursion"),
        ("{{ range(10**9) }}", "OverflowError: Range too big."),
    ):
        with pytest.raises(TemplateRenderError, match=f"line 1: {error}"):
            _renderer().render(source, {})


def test_ordinary_templates_render_as_in_jinjas_own_sandbox() -> None:
    source = (
        "{% for x in items %}{{ loop.index }}={{ x | upper }}{{ ',' if not loop.last }}"
        "{% endfor %}|{{ '%-5s|' % 'ab' }}{{ '{:>4}'.format(7) }}|{{ items | join('+') }}|"
        "{{ ('ab' * 3) | center(10) }}|{% set t %}{{ 2 ** 10 }}{% endset %}{{ t ~ '!' }}"
        "{% macro m(a) %}<{{ a }}{{ caller() if caller }}>{% endmacro %}{{ m(1) }}"
        "{% call m(2) %}c{% endcall %}{% for a in [3, 1, 2] if a > 1 recursive %}{{ a }}"
        "{% else %}none{% endfor %}{{ {'k': [1, 2]} | to_nice_json(indent=2) }}"
        "{% for k, v in {'a': 1} | dictsort %}{{ k }}{{ v }}{{ loop.length }}{% endfor %}"
        "{{ items + ['c'] }}{{ [0] * 3 }}{{ '-' * 3 }}{{ 7 % 3 }}{{ 2 ** 3 }}"
        "{{ lipsum(1) | length > 9 }}"
    )
    plain = jinja2.sandbox.SandboxedEnvironment(
        extensions=[ANSIBLE_FILTERS], keep_trailing_newline=True
    )
    expected = plain.from_string(source).render(items=["a", "b"])
    assert _renderer().render(source, {"items": ["a", "b"]}) == expected
    assert _renderer(trusted=True).render(source, {"items": ["a", "b"]}) == expected


def test_the_alarm_goes_off_only_while_a_render_runs() -> None:
    import signal

    renderer = _renderer(RenderLimits(timeout=0.3))
    assert renderer.render("{{ 1 }}", {}) == "1"  # leaves the timer set: no call to the kernel
    time.sleep(0.5)  # the timer goes off between renders: dropped, nothing raised
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert renderer.render("{{ 2 }}", {}) == "2"
    with pytest.raises(RenderLimitError, match=r"ran for more than 0\.3 seconds"):
        renderer.render(BACKTRACKING, {})


def test_the_alarm_leaves_a_programs_own_sigalrm_handler_alone() -> None:
    """A program that handles SIGALRM keeps its handler and timer (its renders are checked in
    loops and calls only); once it puts the default back, the alarm installs its own again."""
    import signal

    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        # Far above a one-line render on a loaded machine; the two long renders still stop.
        renderer = _renderer(RenderLimits(timeout=2.0))
        assert renderer.render("{{ 1 }}", {}) == "1"
        assert 29.0 < signal.getitimer(signal.ITIMER_REAL)[0] <= 30.0  # its timer, not ours
        with pytest.raises(RenderLimitError, match=r"ran for more than 2 seconds"):
            renderer.render(
                "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                {},
            )  # the loops' own checks
        assert fired == []
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the default: it would end the process
        assert renderer.render("{{ 2 }}", {}) == "2"
        assert signal.getsignal(signal.SIGALRM) is not signal.SIG_DFL
        with pytest.raises(RenderLimitError, match=r"ran for more than 2 seconds"):
            renderer.render(BACKTRACKING, {})  # one long step: only the alarm stops it
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
