"""Hold a routed run of Copier's suite against ``expected.toml``; exit 1 when they disagree.

``python -m copier_suite.compare REPORT [--expected FILE] [--baseline REPORT]``

- A *routed* test is one that reached ``run_copy``, ``run_update`` or ``run_recopy`` (the
  report's ``reached``) and passes with plain Copier: the tests ``expected.toml``'s
  ``[baseline] fail`` lists (they fail with Copier itself on the machine it was recorded on)
  are left out. The figure is how many routed tests pass with templsync too.
- Every test that fails routed must be listed under one ``[[difference]]`` of
  ``expected.toml`` (or in the baseline); a listed test that passes (or is gone) is an error
  too, so the list stays true as gaps are fixed.
- With ``--baseline REPORT`` (a run of plain Copier), the tests that fail there must be exactly
  the recorded ``[baseline] fail``.
- With ``--partial`` (a run of some tests only), tests that were not run are not compared.
- ``--write-unexpected FILE`` writes the unexpected failures' ids, one a line, for a second
  run of them alone; ``--again REPORT`` (that run) counts an unexpected failure that passed
  there as flaky: printed, not an error. A test failing twice, or one listed in expected.toml
  that passes, still fails the comparison.

``python -m copier_suite.compare --markdown`` prints the expected differences as
docs/copier-compat.md lists them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

EXPECTED = Path(__file__).with_name("expected.toml")
KINDS = ("deliberate", "internals", "gap")
HEADINGS = {
    "deliberate": "Deliberate differences (documented choices of templsync)",
    "internals": "Tests that patch or read Copier's internals",
    "gap": "Known gaps (to fix; remove the tests from expected.toml when they pass)",
}
"""How a reason starts: a documented deliberate difference, a test that patches or reads
Copier's internals, or a known gap of templsync."""

FAILED = "failed"


@dataclass(frozen=True)
class Difference:
    """Tests expected to fail routed, and why (``<kind>: <one line>``)."""

    reason: str
    tests: tuple[str, ...]

    @property
    def kind(self) -> str:
        return self.reason.partition(":")[0]


@dataclass(frozen=True)
class Expected:
    """``expected.toml``: the baseline's failures and the expected differences."""

    baseline_fail: frozenset[str]
    differences: tuple[Difference, ...]

    def reason_of(self) -> dict[str, str]:
        return {test: d.reason for d in self.differences for test in d.tests}


def load_expected(path: Path = EXPECTED) -> Expected:
    """Read and check ``expected.toml``: known kinds, every test listed once."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    baseline = frozenset(data["baseline"]["fail"])
    differences = tuple(
        Difference(str(d["reason"]), tuple(d["tests"])) for d in data.get("difference", [])
    )
    seen: dict[str, str] = {}
    for difference in differences:
        if difference.kind not in KINDS:
            raise ValueError(f"{path}: reason {difference.reason!r} must start with one of {KINDS}")
        for test in difference.tests:
            if test in seen or test in baseline:
                raise ValueError(f"{path}: {test} is listed twice")
            seen[test] = difference.reason
    return Expected(baseline, differences)


@dataclass(frozen=True)
class Comparison:
    """A routed run held against the expectations."""

    routed: tuple[str, ...]
    passing: tuple[str, ...]
    expected_failures: Mapping[str, tuple[str, ...]]
    """Reason -> the routed tests that failed as expected."""
    unexpected: tuple[str, ...]
    """Tests that failed and are listed nowhere."""
    stale: tuple[str, ...]
    """Listed tests that passed, or are not in the run."""
    flaky: tuple[str, ...] = ()
    """Unexpected failures that passed when run again alone (see :func:`again`)."""

    @property
    def ok(self) -> bool:
        return not self.unexpected and not self.stale


def compare(
    report: Mapping[str, object], expected: Expected, *, partial: bool = False
) -> Comparison:
    """``report`` (a routed run) held against ``expected``: see the module's documentation."""
    outcomes = report["outcomes"]
    reached = report["reached"]
    assert isinstance(outcomes, dict) and isinstance(reached, list)
    reason_of = expected.reason_of()
    if partial:
        reason_of = {test: reason for test, reason in reason_of.items() if test in outcomes}
    failed = {test for test, outcome in outcomes.items() if outcome == FAILED}
    routed = sorted(set(reached) - expected.baseline_fail)
    by_reason: dict[str, list[str]] = {}
    for test in sorted(failed & reason_of.keys()):
        by_reason.setdefault(reason_of[test], []).append(test)
    return Comparison(
        routed=tuple(routed),
        passing=tuple(t for t in routed if t not in failed),
        expected_failures={r: tuple(ts) for r, ts in by_reason.items()},
        unexpected=tuple(sorted(failed - reason_of.keys() - expected.baseline_fail)),
        stale=tuple(sorted(reason_of.keys() - failed)),
    )


def again(result: Comparison, second: Mapping[str, object]) -> Comparison:
    """``result`` with its unexpected failures that passed in ``second`` (a run of those
    tests alone) moved to ``flaky``: a test that fails only under load is not a difference."""
    outcomes = second["outcomes"]
    assert isinstance(outcomes, dict)
    passed = {t for t in result.unexpected if outcomes.get(t) not in (None, FAILED)}
    return dataclasses.replace(
        result,
        passing=tuple(sorted({*result.passing, *passed})),
        unexpected=tuple(t for t in result.unexpected if t not in passed),
        flaky=tuple(sorted(passed)),
    )


def check_baseline(
    report: Mapping[str, object], expected: Expected, *, partial: bool = False
) -> list[str]:
    """Where a run of plain Copier disagrees with the recorded ``[baseline] fail``."""
    outcomes = report["outcomes"]
    assert isinstance(outcomes, dict)
    failed = {test for test, outcome in outcomes.items() if outcome == FAILED}
    recorded = {t for t in expected.baseline_fail if not partial or t in outcomes}
    return [
        *(f"fails with Copier, not recorded: {t}" for t in sorted(failed - recorded)),
        *(f"recorded, passes with Copier: {t}" for t in sorted(recorded - failed)),
    ]


def summary(result: Comparison, report: Mapping[str, object]) -> list[str]:
    """The lines to print: the figure, the expected failures by kind, what disagrees."""
    failures = report.get("failures", {})
    assert isinstance(failures, dict)
    routed, passing = len(result.routed), len(result.passing)
    percent = 100 * passing / routed if routed else 0.0
    lines = [
        f"routed tests passing with Copier: {routed}; also passing with templsync: {passing} "
        f"({percent:.1f}%)"
    ]
    for kind in KINDS:
        groups = {r: ts for r, ts in result.expected_failures.items() if r.startswith(kind)}
        count = sum(len(ts) for ts in groups.values())
        lines.append(f"expected differences, {kind}: {count}")
        lines.extend(f"  {len(ts):4}  {r}" for r, ts in sorted(groups.items()))
    for test in result.unexpected:
        lines.append(f"UNEXPECTED FAILURE: {test}\n    {failures.get(test, '')}")
    for test in result.flaky:
        lines.append(f"flaky (failed, then passed when run again alone): {test}")
    for test in result.stale:
        lines.append(f"EXPECTED TO FAIL, BUT DID NOT (remove it from expected.toml): {test}")
    return lines


def markdown(expected: Expected) -> str:
    """The expected differences by kind and reason, each test function with its count."""
    lines: list[str] = []
    for kind in KINDS:
        groups = [d for d in expected.differences if d.kind == kind]
        count = sum(len(d.tests) for d in groups)
        lines += ["", f"### {HEADINGS[kind]}: {count}", ""]
        for difference in groups:
            functions: dict[str, int] = {}
            for test in difference.tests:
                name = test.removeprefix("tests/").partition("[")[0]
                functions[name] = functions.get(name, 0) + 1
            listed = ", ".join(
                f"`{name}`" + (f" ({n})" if n > 1 else "") for name, n in functions.items()
            )
            reason = difference.reason.partition(": ")[2]
            lines.append(f"- {reason} ({len(difference.tests)}): {listed}")
    return "\n".join(lines[1:]) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("report", type=Path, nargs="?", help="the routed run's report (JSON)")
    parser.add_argument("--markdown", action="store_true", help="print the differences only")
    parser.add_argument("--expected", type=Path, default=EXPECTED)
    parser.add_argument("--baseline", type=Path, help="a plain Copier run's report (JSON)")
    parser.add_argument("--partial", action="store_true", help="some tests only were run")
    parser.add_argument("--write-unexpected", type=Path, help="write the unexpected failures")
    parser.add_argument("--again", type=Path, help="a run of the unexpected failures alone")
    args = parser.parse_args(argv)
    expected = load_expected(args.expected)
    if args.markdown or args.report is None:
        print(markdown(expected), end="")
        return 0
    problems: list[str] = []
    if args.baseline is not None:
        baseline = json.loads(args.baseline.read_text())
        problems = check_baseline(baseline, expected, partial=args.partial)
        print("\n".join(problems or ["baseline: as recorded"]))
    report = json.loads(args.report.read_text())
    result = compare(report, expected, partial=args.partial)
    if args.again is not None:
        result = again(result, json.loads(args.again.read_text()))
    if args.write_unexpected is not None:
        args.write_unexpected.write_text("".join(f"{t}\n" for t in result.unexpected))
    print("\n".join(summary(result, report)))
    return 0 if result.ok and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
