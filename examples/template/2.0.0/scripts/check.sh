#!/usr/bin/env sh
# Lint, type-check and test: what CI runs.
set -eu
ruff check .
ruff format --check .
mypy .
exec python -m pytest "$@"
