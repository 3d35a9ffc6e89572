#!/usr/bin/env bash
# Set up .venv with the dev dependencies and the servers the tests start (scripts/servers.sh),
# then lint, type-check and run the whole test suite, in parallel (one worker per core) unless
# the arguments say otherwise (see scripts/pytest.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh dev
scripts/servers.sh
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy --strict src tests bench
exec scripts/pytest.sh "$@"
