#!/usr/bin/env bash
# Copier 9.19.1's own test suite, run against templsync (docs/copier-compat.md).
#
#   scripts/copier-suite.sh               Copier's tests with copier.run_copy, run_update and
#                                         run_recopy served by templsync, held against
#                                         tests/copier_suite/expected.toml
#   scripts/copier-suite.sh --baseline    first run them with plain Copier too, and check that
#                                         the tests failing there are the ones expected.toml
#                                         records under [baseline]
#   scripts/copier-suite.sh -- ARGS...    only the tests pytest ARGS select (e.g.
#                                         tests/test_copy.py, or tests -k update); tests not
#                                         run are not compared
#
# The Copier sdist and the reports live in .copier-suite/, the suite's own virtualenv in
# .venv-copier-suite/ (both gitignored); like scripts/venv.sh, it is set up again only when
# pyproject.toml, the suite's constraints or the sdist change. COPIER_SUITE_JOBS sets
# pytest-xdist's workers (default: auto).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
root=$PWD

version=9.19.1
work=$root/.copier-suite
venv=$root/.venv-copier-suite
suite=$root/tests/copier_suite
python="${PYTHON:-python3}"

baseline=""
if [ "${1:-}" = "--baseline" ]; then
    baseline=1
    shift
fi
selection=(tests)
partial=()
if [ "${1:-}" = "--" ]; then
    shift
    selection=("$@")
    partial=(--partial)
fi

# The sdist, with Copier's tests; its copier/ is removed, so the tests import the installed one.
mkdir -p "$work"
sdist=$work/copier-$version.tar.gz
tree=$work/copier-$version
if [ ! -f "$sdist" ]; then
    "$python" -m pip download --quiet --disable-pip-version-check --no-binary :all: --no-deps \
        -d "$work" "copier==$version"
fi
if [ ! -d "$tree/tests" ]; then
    rm -rf "$tree"
    tar -xzf "$sdist" -C "$work"
    rm -rf "$tree/copier"
fi

# A separate virtualenv: Copier from its sdist, the test dependencies Copier's tests import
# (pinned by the suite's constraints, at Copier's own pins), and templsync from this checkout.
if ! "$venv/bin/python" -c "import sys; assert sys.version_info >= (3, 11)" 2>/dev/null; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
fi
stamp=$venv/.templsync-copier-suite
want="$(cat pyproject.toml "$suite/constraints.txt" "$sdist" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -c "$suite/constraints.txt" "$sdist" \
        pytest pytest-xdist pytest-gitconfig pytest-cov pexpect inline-snapshot -e .
    echo "$want" > "$stamp"
fi
# Every Python process of the virtualenv imports copier_suite.hook when it starts: with
# TEMPLSYNC_COPIER_SUITE_ROUTE set, that routes Copier to templsync, in the pytest workers and
# in the copier commands the tests start alike. copier_suite is reached through a folder of its
# own, so the other folders of tests/ do not become top-level packages.
mkdir -p "$work/path"
ln -sfn "$suite" "$work/path/copier_suite"
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
printf '%s\nimport copier_suite.hook\n' "$work/path" > "$site/templsync_copier_suite.pth"

run() {  # run NAME ROUTE: the selected tests; the report in $work/NAME.json, the log beside it
    local name=$1 route=$2 code=0
    rm -f "$work/$name.json" "$work/$name.reached"
    # test_tools.py checks Copier's own tooling (its type checks, through poethepoet).
    (cd "$tree" && TEMPLSYNC_COPIER_SUITE_ROUTE=$route \
        TEMPLSYNC_COPIER_SUITE_LOG=$work/$name.reached TEMPLSYNC_CACHE_DIR=$work/cache \
        "$venv/bin/python" -m pytest -p copier_suite.plugin \
        --copier-suite-report="$work/$name.json" -p no:cacheprovider \
        -n "${COPIER_SUITE_JOBS:-auto}" -q --no-header -r N --tb=short \
        --ignore=tests/test_tools.py "${selection[@]}") >"$work/$name.log" 2>&1 || code=$?
    echo "$name: $(tail -n 1 "$work/$name.log") (log: ${work#"$root"/}/$name.log)"
    if [ "$code" -gt 1 ] || [ ! -s "$work/$name.json" ]; then
        echo "copier-suite: pytest stopped with exit code $code; see $work/$name.log" >&2
        exit 1
    fi
}

check=()
if [ -n "$baseline" ]; then
    run baseline ""
    check=(--baseline "$work/baseline.json")
fi
run routed 1
status=0
: >"$work/unexpected.txt"
(cd "$work/path" && "$venv/bin/python" -m copier_suite.compare "$work/routed.json" \
    "${check[@]}" "${partial[@]}" --write-unexpected "$work/unexpected.txt") || status=$?
# A test that failed unexpectedly runs once more, alone and one at a time (a few only): one
# that passes then failed under load (prompt tests time key presses) and is reported as flaky.
mapfile -t unexpected <"$work/unexpected.txt"
if [ "$status" -ne 0 ] && [ ${#unexpected[@]} -gt 0 ] && [ ${#unexpected[@]} -le 10 ]; then
    selection=("${unexpected[@]}")
    COPIER_SUITE_JOBS=0 run again 1
    status=0
    (cd "$work/path" && "$venv/bin/python" -m copier_suite.compare "$work/routed.json" \
        "${check[@]}" "${partial[@]}" --again "$work/again.json") || status=$?
fi
echo "copier-suite: $((SECONDS - start)) s"
exit $status
