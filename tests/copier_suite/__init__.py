"""Copier 9.19.1's own test suite, run against templsync (``scripts/copier-suite.sh``).

- :mod:`.hook` (imported at start-up by every Python process of the suite's virtualenv) routes
  ``copier.run_copy``, ``run_update`` and ``run_recopy`` to :mod:`.routing` when the suite runs
  routed, in the pytest processes and in the ``copier`` commands the tests start alike;
- :mod:`.routing` serves those calls through templsync's Python API, translating Copier's
  keyword arguments, and :mod:`.translate` turns templsync's errors and warnings into Copier's
  classes of the same name;
- :mod:`.plugin` (``pytest -p copier_suite.plugin``) writes each test's outcome and whether it
  reached a routed function;
- :mod:`.compare` holds that report against ``expected.toml``: the tests expected to fail
  routed though they pass with Copier, each with its reason.

See docs/copier-compat.md.
"""
