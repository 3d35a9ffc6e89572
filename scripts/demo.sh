#!/usr/bin/env bash
# Set up .venv, then run templsync's main job on the bundled example:
#   1. build the example service template as a git repository with three tagged versions,
#   2. `templsync copy` a new service from it (the highest version, answers from --data/--defaults),
#   3. the engine's three-way merge on examples/demo (base, ours, theirs).
# Everything it makes goes to .example/ in this checkout; running it again starts afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh

work=.example
mkdir -p "$work"
template="$work/template-repo"
instance="$work/orders-service"
.venv/bin/python examples/make_template_repo.py "$template" >/dev/null
rm -rf "$instance"

echo "== templsync copy $template $instance"
.venv/bin/templsync copy "$template" "$instance" --defaults \
    --data project_name="Orders Service" --data port=8080
echo
echo "== $instance/.copier-answers.yml"
cat "$instance/.copier-answers.yml"
echo
echo "== templsync demo examples/demo (three-way merge of base, ours, theirs)"
exec .venv/bin/templsync demo examples/demo --no-diff "$@"
