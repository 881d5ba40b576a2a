#!/usr/bin/env bash
# Installs what tenantwall needs on a fresh Debian machine (only what is missing), builds it, and installs the
# tenantwall extension into the local PostgreSQL. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libpq-dev libpg-query-dev postgresql-15 postgresql-server-dev-all postgresql-15-partman make gcc)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The extension's install script is generated from the same Swift source as the inline helpers.
SUDO=""; [ -w "$(pg_config --sharedir)/extension" ] || SUDO="sudo"
$SUDO make -s -C sql install >/dev/null

swift build "$@" 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
