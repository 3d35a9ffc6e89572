"""The render's limits and the sandbox from the command line: exit 1, nothing written, flags.

Every command that renders a template takes ``--max-render-bytes``, ``--max-files`` and
``--render-timeout`` (or their environment variables), and a template past a limit, or an
untrusted one reading this machine, stops before anything is written.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from instance.helpers import ANSWERS_JINJA, git, snapshot, tagged_repo
from templsync.cli.main import main
from testing.trees import build_tree

LIMIT_FLAGS = ("--max-render-bytes", "--max-files", "--render-timeout")
RENDERING = [
    ["copy"],
    ["update"],
    ["recopy"],
    ["check"],
    ["diff"],
    ["fleet", "status"],
    ["fleet", "update"],
]
BOMB_YML = "payload:\n  type: str\n  default: \"{{ 'x' * 368000000 }}\"\n"
"""A few bytes of ``copier.yml`` whose answers file would be 351 MB."""
TWO_MIB = "{% for i in range(2048) %}{{ 'x' * 1023 }}\n{% endfor %}"
_RAISE = "If the template is meant to do that, run again with a higher limit:"


@pytest.mark.parametrize("command", RENDERING, ids=" ".join)
def test_every_rendering_command_takes_the_limit_flags(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--help"]) == 0
    shown = capsys.readouterr().out
    for flag in LIMIT_FLAGS:
        assert flag in shown


def test_a_tiny_copier_yml_that_would_make_351_mb_stops_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = build_tree(tmp_path / "tpl", {"copier.yml": BOMB_YML, **ANSWERS_JINJA})
    assert len(BOMB_YML) < 400
    dst = tmp_path / "out"
    assert main(["copy", str(template), str(dst), "--defaults", "-q"]) == 1
    assert not dst.exists()
    assert capsys.readouterr().err.strip() == (
        "error: the template string \"{{ 'x' * 368000000 }}\" (line 1) makes a value of about "
        "351.0 MiB with `*`, past the limit of 64 MiB for an untrusted template; rendering "
        f"stopped there. {_RAISE} `--max-render-bytes 256M` (or set TEMPLSYNC_MAX_RENDER_BYTES)."
    )


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--max-render-bytes", "1M"], {}),
        ([], {"TEMPLSYNC_MAX_RENDER_BYTES": "1M"}),
        (["--max-render-bytes", "1048576"], {}),
    ],
    ids=["flag", "environment", "bytes"],
)
def test_the_text_limit_is_set_by_a_flag_or_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], env: dict[str, str]
) -> None:
    template = build_tree(tmp_path / "tpl", {"big.txt.jinja": TWO_MIB, "small.txt": "x"})
    os.environ.update(env)
    dst = tmp_path / "out"
    assert main(["copy", str(template), str(dst), "-q", *args]) == 1
    assert not dst.exists()
    assert capsys.readouterr().err.strip() == (
        "error: the template file 'big.txt.jinja' renders more than 1 MiB of text, past the "
        f"limit of 1 MiB for an untrusted template; rendering stopped there. {_RAISE} "
        "`--max-render-bytes 4M` (or set TEMPLSYNC_MAX_RENDER_BYTES)."
    )
    assert main(["copy", str(template), str(dst), "-q", *args, "--max-render-bytes", "4M"]) == 0
    assert (dst / "big.txt").stat().st_size == 2048 * 1024


def test_the_files_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = build_tree(tmp_path / "tpl", {f"f{i}.txt": "x" for i in range(4)})
    dst = tmp_path / "out"
    assert main(["copy", str(template), str(dst), "-q", "--max-files", "3"]) == 1
    assert not dst.exists()
    assert capsys.readouterr().err.strip() == (
        "error: the template makes more than 3 files and folders (the last: 'f3.txt'), past the "
        f"limit of 3 for an untrusted template; rendering stopped there. {_RAISE} "
        "`--max-files 12` (or set TEMPLSYNC_MAX_FILES)."
    )
    assert main(["copy", str(template), str(dst), "-q", "--max-files", "4"]) == 0


def test_the_time_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loops = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    template = build_tree(tmp_path / "tpl", {"slow.txt.jinja": loops})
    dst = tmp_path / "out"
    start = time.monotonic()
    assert main(["copy", str(template), str(dst), "-q", "--render-timeout", "0.5"]) == 1
    assert time.monotonic() - start < 10
    assert not dst.exists()
    # the loop's own check and the timer race: the timer may go off where no line is known
    said = capsys.readouterr().err.strip().replace(" (line 1)", "")
    assert said == (
        "error: the template file 'slow.txt.jinja' ran for more than 0.5 seconds, past "
        f"the limit of 0.5 seconds for an untrusted template; rendering stopped there. {_RAISE} "
        "`--render-timeout 2` (or set TEMPLSYNC_RENDER_TIMEOUT)."
    )


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--max-render-bytes", "lots", "'lots' is not a size; examples: 200M, 2G, 500000"),
        ("--max-render-bytes", "0", "'0' is not a positive size"),
        ("--max-files", "0", "0 is not in the range x>=1"),
        ("--render-timeout", "-1", "-1.0 is not in the range x>0"),
    ],
)
def test_a_bad_limit_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, value: str, says: str
) -> None:
    assert main(["copy", str(tmp_path), str(tmp_path / "out"), flag, value]) == 1
    assert says in capsys.readouterr().err


def test_an_untrusted_template_reading_this_machine_stops_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = build_tree(
        tmp_path / "tpl", {"env.txt.jinja": "token={{ '$HOME' | expandvars }}\n", "a.txt": "a"}
    )
    dst = tmp_path / "out"
    assert main(["copy", str(template), str(dst), "-q"]) == 1
    assert not dst.exists()
    assert capsys.readouterr().err.strip() == (
        "error: the template file 'env.txt.jinja' (line 1) uses the filter `expandvars`, which "
        "reads this machine's environment variables; untrusted templates may not. If you trust "
        "this template, run again with `--trust`."
    )
    assert main(["copy", str(template), str(dst), "-q", "--trust"]) == 0
    assert (dst / "env.txt").read_text() == f"token={os.environ['HOME']}\n"


PASSWD_FILTERS = {  # a template file that tries to read /etc/passwd by a filter; what it reads
    "fileglob": ("{{ '/etc/passw*' | fileglob }}", "this machine's files"),
    "realpath": ("{{ '/etc/passwd' | realpath }}", "this machine's files (it follows their links)"),
    "expanduser": ("{{ '~root/../etc/passwd' | expanduser }}", "this machine's home folders"),
}
PASSWD_ESCAPES = {  # ... by an include or a global's internals: what the error says
    "include": ("{% include '/etc/passwd' %}", "no template file '/etc/passwd' to include"),
    "include-up": (
        "{% include '../../../../../../etc/passwd' %}",
        "no template file '../../../../../../etc/passwd' to include",
    ),
    "import": ("{% import '/etc/passwd' as p %}", "no template file '/etc/passwd' to include"),
    "extends": ("{% extends '/etc/passwd' %}", "no template file '/etc/passwd' to include"),
    "lipsum-globals": (
        "{{ lipsum.__globals__['os'].popen('cat /etc/passwd').read() }}",
        "access to attribute '__globals__' of 'function' object is unsafe.",
    ),
    "cycler-builtins-open": (
        "{{ cycler.__init__.__globals__.__builtins__.open('/etc/passwd').read() }}",
        "access to attribute '__init__' of 'type' object is unsafe.",
    ),
    "subclasses": (
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "access to attribute '__class__' of 'str' object is unsafe.",
    ),
    "format-globals": (
        "{{ '{0.__init__.__globals__}'.format(cycler) }}",
        "access to attribute '__init__' of 'type' object is unsafe.",
    ),
}


def _copy_reading_passwd(tmp_path: Path, source: str, *flags: str) -> None:
    template = build_tree(tmp_path / "tpl", {"a.txt": "a", "passwd.txt.jinja": source})
    dst = tmp_path / "out"
    assert main(["copy", str(template), str(dst), "-q", *flags]) == 1
    assert not dst.exists()


@pytest.mark.parametrize("case", PASSWD_FILTERS, ids=str)
def test_an_untrusted_template_reading_etc_passwd_by_a_filter_stops_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    source, reads = PASSWD_FILTERS[case]
    _copy_reading_passwd(tmp_path, source)
    assert capsys.readouterr() == (
        "",
        f"error: the template file 'passwd.txt.jinja' (line 1) uses the filter `{case}`, which "
        f"reads {reads}; untrusted templates may not. If you trust this template, run again "
        "with `--trust`.\n",
    )


@pytest.mark.parametrize("trust", [False, True], ids=["untrusted", "trusted"])
@pytest.mark.parametrize("case", PASSWD_ESCAPES, ids=str)
def test_a_template_reading_etc_passwd_by_includes_or_globals_stops_trusted_or_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, trust: bool
) -> None:
    source, says = PASSWD_ESCAPES[case]
    _copy_reading_passwd(tmp_path, source, *(["--trust"] if trust else []))
    assert capsys.readouterr() == (
        "",
        f"error: cannot render the template passwd.txt.jinja, line 1: {says}\n",
    )


def test_a_path_name_that_yields_too_many_files_stops_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "{% yield i from range(100000) %}f{{ i }}{% endyield %}.txt"
    template = build_tree(tmp_path / "tpl", {"a.txt": "a", name: "x"})
    dst = tmp_path / "out"
    assert main(["copy", str(template), str(dst), "-q", "--max-files", "1000"]) == 1
    assert not dst.exists()
    assert capsys.readouterr().err.strip() == (
        f"error: the path name {name!r} yields more than 1,000 names, each a file or folder, "
        f"past the limit of 1,000 for an untrusted template; rendering stopped there. {_RAISE} "
        "`--max-files 4000` (or set TEMPLSYNC_MAX_FILES)."
    )


def test_one_long_step_is_stopped_by_the_render_timeout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A regular expression backtracking for hours: no loop of the template's own to check
    the time in, so the timer stops it."""
    source = "{{ ('a' * 40 ~ 'b') | regex_search('(a+)+$') }}"
    template = build_tree(tmp_path / "tpl", {"a.txt": "a", "slow.txt.jinja": source})
    dst = tmp_path / "out"
    start = time.monotonic()
    assert main(["copy", str(template), str(dst), "-q", "--render-timeout", "0.5"]) == 1
    assert time.monotonic() - start < 10
    assert not dst.exists()
    said = capsys.readouterr().err.strip().replace(" (line 1)", "")
    assert said == (
        "error: the template file 'slow.txt.jinja' ran for more than 0.5 seconds, past "
        f"the limit of 0.5 seconds for an untrusted template; rendering stopped there. {_RAISE} "
        "`--render-timeout 2` (or set TEMPLSYNC_RENDER_TIMEOUT)."
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project copied at 1.0.0 of a template whose 2.0.0 renders 2 MiB."""
    template = tagged_repo(
        tmp_path / "tpl",
        {
            "1.0.0": {"copier.yml": "name: demo\n", **ANSWERS_JINJA, "a.txt.jinja": "{{ name }}"},
            "2.0.0": {"big.txt.jinja": TWO_MIB},
        },
    )
    dst = tmp_path / "project"
    assert main(["copy", str(template), str(dst), "--defaults", "-q", "--vcs-ref", "1.0.0"]) == 0
    git(dst, "init", "-q")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "copied")
    return dst


def test_an_update_past_a_limit_changes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(project)
    assert main(["update", str(project), "--defaults", "-q", "--max-render-bytes", "1M"]) == 1
    assert "the template file 'big.txt.jinja' renders more than 1 MiB" in capsys.readouterr().err
    assert snapshot(project) == before
    assert git(project, "status", "--porcelain") == ""
    assert main(["update", str(project), "--defaults", "-q", "--max-render-bytes", "3M"]) == 0
    assert (project / "big.txt").stat().st_size == 2048 * 1024


def test_diff_recopy_and_check_pass_the_limits_on(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["update", str(project), "--defaults", "-q"]) == 0
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "updated")
    capsys.readouterr()
    assert main(["diff", str(project), "--max-render-bytes", "1M"]) == 1
    assert "'big.txt.jinja' renders more than 1 MiB" in capsys.readouterr().err
    assert main(["diff", str(project), "--exit-code"]) == 0
    assert main(["recopy", str(project), "--defaults", "-q", "--max-render-bytes", "1M"]) == 1
    assert "'big.txt.jinja' renders more than 1 MiB" in capsys.readouterr().err
    assert main(["recopy", str(project), "--defaults", "-q"]) == 0
    git(project, "reset", "-q", "--hard", "HEAD~1")  # back at 1.0.0
    capsys.readouterr()
    assert main(["check", str(project), "--conflicts", "--max-render-bytes", "1M"]) == 2
    assert "'big.txt.jinja' renders more than 1 MiB" in capsys.readouterr().err
    assert main(["check", str(project), "--conflicts", "-q"]) == 1  # behind, no conflicts


@pytest.fixture
def fleet(project: Path) -> Path:
    registry = project.parent / "templsync-fleet.toml"
    registry.write_text(
        f'template = "{project.parent / "tpl"}"\n\n[[instance]]\nname = "p"\nlocation = "project"\n'
    )
    return registry


def test_the_fleet_passes_the_limits_to_every_instance(
    fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["fleet", "status", "--fleet", str(fleet), "--conflicts", "--json"]
    assert main([*args, "--max-render-bytes", "1M"]) == 0
    (instance,) = json.loads(capsys.readouterr().out)["instances"]
    assert "'big.txt.jinja' renders more than 1 MiB" in instance["conflicts_error"]
    args = ["fleet", "update", "--fleet", str(fleet), "--dry-run", "--json"]
    assert main([*args, "--max-render-bytes", "1M"]) == 1
    (outcome,) = json.loads(capsys.readouterr().out)["instances"]
    assert outcome["outcome"] == "error"
    assert "'big.txt.jinja' renders more than 1 MiB" in outcome["reason"]
    assert main(args) == 0
    (outcome,) = json.loads(capsys.readouterr().out)["instances"]
    assert outcome["outcome"] == "updated"
