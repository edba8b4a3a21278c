#!/usr/bin/env bash
# Đảng số on this machine with demo data, in one command:
#   bash scripts/run-demo.sh
# installs what is missing (scripts/setup.sh), migrates the database (SQLite under var/ unless
# DATABASE_URL says otherwise), loads the demo data once (`dangso demo`, which prints the
# logins) and serves http://127.0.0.1:8000.
#
# The demo turns off the second sign-in factor (DANGSO_MFA_REQUIRED=0) so that a visitor can
# click around with the printed logins; the UI then shows a "Demo mode" banner. To keep TOTP on,
# run: DANGSO_MFA_REQUIRED=1 bash scripts/run-demo.sh
# Idempotent: run it again to restart the server; the data is kept.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DANGSO_MFA_REQUIRED="${DANGSO_MFA_REQUIRED:-0}"

bash scripts/setup.sh
.venv/bin/dangso migrate --noinput -v 1
if compgen -G "src/dangso/locale/*/LC_MESSAGES/*.po" >/dev/null \
  || compgen -G "src/dangso/*/locale/*/LC_MESSAGES/*.po" >/dev/null; then
  echo "==> Compiling translations"
  (cd src/dangso && ../../.venv/bin/dangso compilemessages -v 0)
fi
echo "==> Demo data"
.venv/bin/dangso demo
echo "==> Data-quality check of the demo records"
.venv/bin/dangso check-members
.venv/bin/dangso find-duplicates
echo
echo "==> Đảng số: http://127.0.0.1:8000  (Ctrl+C to stop)"
if [[ "$DANGSO_MFA_REQUIRED" == "0" ]]; then
  echo "    Demo mode: the second sign-in factor (TOTP) is off."
fi
exec .venv/bin/dangso runserver 127.0.0.1:8000
