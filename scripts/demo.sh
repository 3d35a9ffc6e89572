#!/usr/bin/env bash
# Set up .venv, then run templsync's main job on the bundled example:
#   1. build the example service template as a git repository with three tagged versions,
#   2. `templsync copy` a service from its first version (1.0.0) and commit it,
#   3. customize the service (edit two files, delete one the template later changes), commit,
#   4. `templsync check`: how far behind the template it is,
#   5. `templsync update`: merge the latest version (2.0.0) in, keeping the customizations,
#   6. `templsync diff --stat`: what the service still changes in its template's files,
#   7. an app's settings, templates and cache pulled from a storage root (docs/storage-app.md).
# Everything it makes goes to .example/ in this checkout; running it again starts afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh

work=.example
mkdir -p "$work"
template="$PWD/$work/template-repo"  # absolute: the answers file records it as given
instance="$work/orders-service"
templsync=.venv/bin/templsync
.venv/bin/python examples/make_template_repo.py "$template" >/dev/null
rm -rf "$instance"

git_() {
    git -C "$instance" -c user.name=demo -c user.email=demo@example.com \
        -c commit.gpgsign=false "$@"
}

echo "== templsync copy $template $instance --vcs-ref 1.0.0"
"$templsync" copy "$template" "$instance" --vcs-ref 1.0.0 --defaults --quiet \
    --data project_name="Orders Service" --data port=8080
cat "$instance/.copier-answers.yml"
git_ init -q
git_ add -A
git_ commit -q -m "Orders Service from the template, 1.0.0"

echo
echo "== customize the service (README, settings; delete CONTRIBUTING.md) and commit"
printf '\n## On call\n\nThe orders team: #orders-oncall.\n' >> "$instance/README.md"
printf '\n# Orders keep their own timeout.\nORDER_TIMEOUT_SECONDS = 30\n' \
    >> "$instance/orders_service/settings.py"
rm "$instance/CONTRIBUTING.md"
git_ add -A
git_ commit -q -m "Customize the service"

echo
echo "== templsync check $instance   (exit 1: behind)"
"$templsync" check "$instance" || true

echo
echo "== templsync update $instance"
"$templsync" update "$instance" --defaults
echo
git_ status --short

echo
echo "== templsync diff $instance --stat   (the service's own changes, kept)"
"$templsync" diff "$instance" --stat

echo
echo "== storage: an app's settings, templates and cache pulled from production's storage"
echo "   (examples/storage_app.py: the FastBlocks sync example, storage root $work/storage-app/storage)"
.venv/bin/python examples/storage_app.py "$work/storage-app" environment
