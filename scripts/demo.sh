#!/usr/bin/env bash
# Set up .venv and run templsync's engine on the bundled example (base, ours, theirs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh
exec .venv/bin/templsync demo examples/demo "$@"
