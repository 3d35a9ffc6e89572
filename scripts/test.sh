#!/usr/bin/env bash
# Set up .venv with the dev dependencies, then lint, type-check and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh dev
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy --strict src tests bench
exec .venv/bin/pytest "$@"
