"""pytest plugin for Copier's suite: each test's outcome, and whether it reached a routed function.

Loaded with ``-p copier_suite.plugin``. Before each test it names the test in
``TEMPLSYNC_COPIER_SUITE_TEST``, in ``os.environ`` and in plumbum's copy of the environment (the
``copier`` commands the tests start through plumbum get theirs from it), so
:func:`copier_suite.routing.reached` can note the test in the reach log, in this process or in
a ``copier`` command it started. At the end, the process that ran the session (xdist's
controller) writes ``--copier-suite-report``: one JSON document with every test's outcome
(``passed``, ``failed``, ``skipped``, ``xfailed``, ``xpassed``), the tests that reached
``run_copy``, ``run_update`` or ``run_recopy``, and the first line of each failure.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Generator
from pathlib import Path

import pytest

from copier_suite.routing import LOG_ENV, TEST_ENV

_OUTCOMES: dict[str, str] = {}
_FAILURES: dict[str, str] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--copier-suite-report",
        metavar="PATH",
        help="Write each test's outcome and the routed tests to PATH (JSON).",
    )


def _set_test(nodeid: str | None) -> None:
    if nodeid is None:
        os.environ.pop(TEST_ENV, None)
    else:
        os.environ[TEST_ENV] = nodeid
    plumbum = sys.modules.get("plumbum")
    if plumbum is not None:
        env = plumbum.local.env
        if nodeid is None:
            env.pop(TEST_ENV, None)
        else:
            env[TEST_ENV] = nodeid


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    _set_test(item.nodeid)
    try:
        return (yield)
    finally:
        _set_test(None)


def outcome_of(report: pytest.TestReport, previous: str | None) -> str:
    """The test's outcome so far, with this phase's report (a failure in any phase wins)."""
    if previous == "failed":
        return previous
    if report.failed:
        return "failed"
    xfail = hasattr(report, "wasxfail")
    if report.skipped:
        return "xfailed" if xfail else "skipped"
    if report.when == "call":
        return "xpassed" if xfail else "passed"
    return previous or "passed"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _OUTCOMES[report.nodeid] = outcome_of(report, _OUTCOMES.get(report.nodeid))
    if report.failed and report.nodeid not in _FAILURES:
        crash = getattr(report.longrepr, "reprcrash", None)
        _FAILURES[report.nodeid] = str(getattr(crash, "message", report.longrepr))


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _OUTCOMES[report.nodeid] = "failed"


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = session.config.getoption("--copier-suite-report")
    if not path or hasattr(session.config, "workerinput"):
        return
    log = os.environ.get(LOG_ENV)
    reached: set[str] = set()
    if log and Path(log).exists():
        lines = Path(log).read_text(encoding="utf-8").splitlines()
        reached = {line.partition("\t")[0] for line in lines}
    report = {
        "outcomes": dict(sorted(_OUTCOMES.items())),
        "reached": sorted(reached),
        "failures": dict(sorted(_FAILURES.items())),
    }
    Path(path).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
