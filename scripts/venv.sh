#!/usr/bin/env bash
# Create or refresh .venv with pinned dependencies: `scripts/venv.sh` (runtime) or `scripts/venv.sh dev`.
# Safe to run again: it reinstalls only when pyproject.toml or constraints.txt changed,
# recreates .venv when it is missing or broken, and byte-compiles src/ (see the end).
set -euo pipefail
cd "$(dirname "$0")/.."

extras="${1:-}"
python="${PYTHON:-python3}"
if ! .venv/bin/python -c "import sys; assert sys.version_info >= (3, 11)" 2>/dev/null; then
    rm -rf .venv
    "$python" -m venv .venv
fi

spec="."
[ "$extras" = "dev" ] && spec=".[dev]"
stamp=".venv/.templsync-installed-${extras:-runtime}"
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! .venv/bin/python -c "import templsync" 2>/dev/null; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e "$spec"
    echo "$want" > "$stamp"
fi

# The editable install runs templsync from src/, which pip does not byte-compile, and with
# PYTHONDONTWRITEBYTECODE=1 Python never writes the .pyc itself: every run would compile
# every module again (~50 ms). Compile them, as a real install does. Only changed files are
# recompiled, and Python ignores a .pyc whose source has changed since.
.venv/bin/python -m compileall -q src
