#!/usr/bin/env bash
# The whole suite: lint, then every test on SQLite, then every test again on PostgreSQL.
# Exits non-zero on any failure, including "no tests collected" (pytest exit code 5).
set -euo pipefail
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
scripts/system-deps.sh

echo "== ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
echo "== import-linter (the floors of shared/STYLE.md)"
"$VENV/bin/lint-imports"

workers="${TEST_WORKERS:-2}"
run_suite() {
  local label="$1"; shift
  echo "== pytest on $label"
  env "$@" "$PY" -m pytest -n "$workers" -p no:cacheprovider -q
}

run_suite sqlite DATABASE_URL=

pgdir=""
cleanup() { [ -n "$pgdir" ] && scripts/testpg.sh stop "$pgdir"; }
trap cleanup EXIT
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  pg_url="$TEST_DATABASE_URL"
else
  pgdir=$(mktemp -d /tmp/caredesk-pg.XXXXXX)
  pg_url=$(scripts/testpg.sh start "$pgdir")
fi
run_suite postgresql DATABASE_URL="$pg_url"
echo "== all suites passed"
