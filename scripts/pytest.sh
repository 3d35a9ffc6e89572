#!/usr/bin/env bash
# Run pytest from .venv (made by scripts/venv.sh dev) with the arguments given, in parallel:
# one pytest-xdist worker per core, unless the arguments choose otherwise (-n N,
# --numprocesses N, --dist MODE, or -p no:xdist to run every test in this one process).
set -euo pipefail
cd "$(dirname "$0")/.."
parallel=(-n auto)
previous=""
for arg in "$@"; do
    case "$arg" in
        -n | -n[0-9]* | -nauto | -nlogical | --numprocesses | --numprocesses=* | --dist | --dist=* | -pno:xdist)
            parallel=()
            ;;
        no:xdist) [ "$previous" = "-p" ] && parallel=() ;;
    esac
    previous="$arg"
done
exec .venv/bin/pytest "${parallel[@]}" "$@"
