#!/usr/bin/env bash
# The whole test suite: setup, lint, types, Django checks, then pytest on SQLite (with the
# browser tests) and again on PostgreSQL.
#
# PostgreSQL: if DATABASE_URL is set to a postgres:// URL, that server is used (pytest-django
# creates and drops its own test_<name> database there). Otherwise a throwaway PostgreSQL 15
# cluster is started under /tmp on a free port and always removed afterwards.
#
# Every step runs even when an earlier one fails; the summary at the end says which failed, and
# the exit status is non-zero if any did. Works from any directory.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PG_BIN="${DANGSO_PG_BIN:-/usr/lib/postgresql/15/bin}"
CALLER_DATABASE_URL="${DATABASE_URL:-}"
unset DATABASE_URL
LOG_DIR="$(mktemp -d /tmp/dangso-test.XXXXXX)"
PG_DIR=""
SUITE_START=$(date +%s.%N)

declare -a SUMMARY=()
FAILED=0

elapsed() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

# step NAME COMMAND...: run one step, keep its outcome and time for the summary.
step() {
  local name=$1
  shift
  local start status
  start=$(date +%s.%N)
  echo
  echo "==> $name"
  if "$@"; then status="ok"; else status="FAILED"; FAILED=1; fi
  SUMMARY+=("$(printf '%-26s %-7s %6ss%s' "$name" "$status" "$(elapsed "$start")" "${STEP_NOTE:+  $STEP_NOTE}")")
  STEP_NOTE=""
}

# pytest_pass NAME LOGFILE ARGS...: pytest with its own summary line kept for the final summary.
pytest_pass() {
  local log=$1
  shift
  local rc=0
  .venv/bin/python -m pytest -q "$@" 2>&1 | tee "$log" || rc=$?
  STEP_NOTE="$(grep -E '^(=+ )?[0-9]+ (passed|failed|error|skipped|deselected)|no tests ran' "$log" \
    | tail -n 1 | sed -E 's/^=+ //; s/ =+$//')"
  return "$rc"
}

stop_postgres() {
  if [[ -n "$PG_DIR" && -d "$PG_DIR" ]]; then
    if [[ -f "$PG_DIR/data/postmaster.pid" ]]; then
      as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_DIR"
  fi
}

cleanup() {
  stop_postgres
  rm -rf "$LOG_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# PostgreSQL refuses to run as root: as root, run its binaries as the postgres OS user.
as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  .venv/bin/python - <<'EOF'
import socket
for port in range(55432, 55532):
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
else:
    raise SystemExit("no free port between 55432 and 55531")
EOF
}

start_postgres() {
  if [[ ! -x "$PG_BIN/initdb" ]]; then
    echo "PostgreSQL 15 is not installed at $PG_BIN (apt-get install postgresql-15)." >&2
    return 1
  fi
  PG_DIR="$(mktemp -d /tmp/dangso-pg.XXXXXX)"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$PG_DIR"
  local port
  port="$(free_port)"
  as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; return 1; }
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -o \
    "-k $PG_DIR -h 127.0.0.1 -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$PG_DIR/server.log"; return 1; }
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "Throwaway PostgreSQL cluster on 127.0.0.1:$port (data in $PG_DIR)"
}

postgres_pass() {
  if [[ "$CALLER_DATABASE_URL" == postgres* ]]; then
    export DATABASE_URL="$CALLER_DATABASE_URL"
    echo "Using DATABASE_URL from the environment"
  else
    start_postgres || return 1
  fi
  local rc=0
  pytest_pass "$LOG_DIR/pytest-postgresql.log" -m "not browser" || rc=$?
  unset DATABASE_URL
  stop_postgres
  PG_DIR=""
  return "$rc"
}

compile_messages() {
  (cd src/dangso && ../../.venv/bin/dangso compilemessages -v 0)
}

have_catalogues() {
  compgen -G "src/dangso/locale/*/LC_MESSAGES/*.po" >/dev/null \
    || compgen -G "src/dangso/*/locale/*/LC_MESSAGES/*.po" >/dev/null
}

# DANGSO_SKIP_SETUP=1: use the virtualenv as it is (a second checkout sharing one .venv).
if [[ "${DANGSO_SKIP_SETUP:-0}" != "1" ]]; then
  step "setup" bash scripts/setup.sh
fi
if [[ ! -x .venv/bin/python ]]; then
  echo "Setup failed: no virtualenv at $ROOT/.venv" >&2
  exit 1
fi
step "ruff check" .venv/bin/ruff check --output-format concise .
step "ruff format --check" .venv/bin/ruff format --check .
step "mypy" .venv/bin/mypy
step "import-linter" .venv/bin/lint-imports --no-cache
if have_catalogues; then
  step "compilemessages" compile_messages
fi
step "dangso check" .venv/bin/dangso check
step "makemigrations --check" .venv/bin/dangso makemigrations --check --dry-run
step "pytest SQLite" pytest_pass "$LOG_DIR/pytest-sqlite.log"
step "pytest PostgreSQL" postgres_pass

echo
echo "==> Summary ($(elapsed "$SUITE_START")s in all)"
printf '%s\n' "${SUMMARY[@]}"
if ((FAILED)); then
  echo "FAILED: see the steps marked FAILED above."
  exit 1
fi
echo "All steps passed."
