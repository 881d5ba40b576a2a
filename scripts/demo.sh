#!/usr/bin/env bash
# The main job on the embedded default: installs what is missing, builds, starts a throwaway local PostgreSQL
# and, for every example spec in policies/, generates the SQL, applies it, re-plans, and checks isolation.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .build/debug/tenantwall demo "$@"
