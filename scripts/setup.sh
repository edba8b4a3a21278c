#!/usr/bin/env bash
# Install everything Đảng số needs on a Debian 12 machine: system packages, then a
# virtualenv under .venv with the project and its development tools.
# Idempotent: safe to run again. Set DANGSO_SKIP_APT=1 to skip the system packages.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  gettext                      # compilemessages (Vietnamese catalogue)
  postgresql postgresql-contrib  # server for the test cluster and production; unaccent, pg_trgm
  chromium                     # headless browser for end-to-end tests (Playwright drives /usr/bin/chromium)
  fonts-noto-core fonts-dejavu-core  # fonts covering Vietnamese for browser and printed forms
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
  wrk                          # HTTP load generator for bench/portal_load.py
)

if [[ "${DANGSO_SKIP_APT:-0}" != "1" ]]; then
  missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    echo "==> Installing system packages: ${missing[*]}"
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [[ ! -x .venv/bin/python ]]; then
  echo "==> Creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.dangso-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
  echo "==> Installing Python packages"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[dev]"
  touch "$stamp"
fi
echo "==> Setup done"
