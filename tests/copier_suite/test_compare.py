"""The comparison of a routed run with expected.toml, and expected.toml itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from copier_suite.compare import (
    Expected,
    check_baseline,
    compare,
    load_expected,
    main,
    markdown,
)

EXPECTED = Expected(
    baseline_fail=frozenset({"t::network"}),
    differences=(),
)


def report(outcomes: dict[str, str], reached: list[str]) -> dict[str, object]:
    return {"outcomes": outcomes, "reached": reached, "failures": {}}


def write_expected(path: Path, differences: str) -> Path:
    path.write_text('[baseline]\nfail = ["t::network"]\n' + differences, encoding="utf-8")
    return path


def test_the_figure_counts_routed_tests_that_pass_with_copier(tmp_path: Path) -> None:
    expected = load_expected(
        write_expected(
            tmp_path / "e.toml",
            '[[difference]]\nreason = "gap: not yet"\ntests = ["t::b"]\n',
        )
    )
    result = compare(
        report(
            {"t::a": "passed", "t::b": "failed", "t::network": "failed", "t::plain": "passed"},
            ["t::a", "t::b", "t::network"],
        ),
        expected,
    )
    assert result.routed == ("t::a", "t::b")
    assert result.passing == ("t::a",)
    assert result.expected_failures == {"gap: not yet": ("t::b",)}
    assert result.ok


def test_an_unlisted_failure_and_a_listed_pass_are_both_errors(tmp_path: Path) -> None:
    expected = load_expected(
        write_expected(
            tmp_path / "e.toml",
            '[[difference]]\nreason = "deliberate: on purpose"\ntests = ["t::fixed", "t::gone"]\n',
        )
    )
    result = compare(
        report({"t::new": "failed", "t::fixed": "passed"}, ["t::new", "t::fixed"]), expected
    )
    assert result.unexpected == ("t::new",)
    assert result.stale == ("t::fixed", "t::gone")
    assert not result.ok
    partial = compare(report({"t::fixed": "failed"}, ["t::fixed"]), expected, partial=True)
    assert partial.ok  # t::gone was not run


def test_the_baseline_must_be_as_recorded() -> None:
    assert check_baseline(report({"t::network": "failed", "t::x": "passed"}, []), EXPECTED) == []
    assert check_baseline(report({"t::network": "passed", "t::x": "failed"}, []), EXPECTED) == [
        "fails with Copier, not recorded: t::x",
        "recorded, passes with Copier: t::network",
    ]


@pytest.mark.parametrize(
    "differences",
    [
        '[[difference]]\nreason = "maybe: unknown kind"\ntests = ["t::a"]\n',
        '[[difference]]\nreason = "gap: twice"\ntests = ["t::a", "t::a"]\n',
        '[[difference]]\nreason = "gap: in the baseline"\ntests = ["t::network"]\n',
    ],
)
def test_a_malformed_expected_file_is_refused(tmp_path: Path, differences: str) -> None:
    with pytest.raises(ValueError, match=r"must start with|listed twice"):
        load_expected(write_expected(tmp_path / "e.toml", differences))


def test_the_project_expected_file_is_well_formed() -> None:
    expected = load_expected()
    assert expected.baseline_fail
    assert all(d.tests for d in expected.differences)


def test_the_docs_list_every_expected_difference() -> None:
    docs = Path(__file__).parents[2] / "docs" / "copier-compat.md"
    assert markdown(load_expected()) in docs.read_text(encoding="utf-8")


def test_main_exits_1_on_a_disagreement(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    path = tmp_path / "routed.json"
    path.write_text(json.dumps(report({"t::a": "failed"}, ["t::a"])), encoding="utf-8")
    expected = write_expected(tmp_path / "e.toml", "")
    assert main([str(path), "--expected", str(expected)]) == 1
    assert "UNEXPECTED FAILURE: t::a" in capsys.readouterr().out


def test_a_failure_that_passes_when_run_again_alone_is_flaky_not_an_error(
    tmp_path: Path,
) -> None:
    from copier_suite.compare import again

    expected = load_expected(write_expected(tmp_path / "e.toml", ""))
    first = compare(
        report(
            {"t::slow": "failed", "t::broken": "failed", "t::a": "passed"},
            ["t::slow", "t::broken", "t::a"],
        ),
        expected,
    )
    assert first.unexpected == ("t::broken", "t::slow")
    second = again(first, report({"t::slow": "passed", "t::broken": "failed"}, []))
    assert second.flaky == ("t::slow",)
    assert second.unexpected == ("t::broken",)
    assert second.passing == ("t::a", "t::slow")
    assert not second.ok
    assert again(first, report({"t::slow": "passed", "t::broken": "passed"}, [])).ok
    assert not again(first, report({}, [])).ok  # not run again: still unexpected
