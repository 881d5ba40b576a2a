#!/usr/bin/env bash
# The whole test suite: unit tests (golden SQL, diagnostics, quoting) and integration tests against a real
# PostgreSQL 15 that the tests start themselves in a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --build-tests
log=$(mktemp); trap 'rm -f "$log"' EXIT
# The suite is XCTest; Swift Testing would only add a "0 tests" line.
status=0
swift test --disable-swift-testing "$@" 2>&1 | tee "$log" || status=$?
summary=$(grep -E "Executed [0-9]+ tests?" "$log" | tail -1 || true)
total=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
failed=$(sed -nE 's/.* ([0-9]+) failures?.*/\1/p' <<<"$summary")
skipped=$(sed -nE 's/.* ([0-9]+) tests? skipped.*/\1/p' <<<"$summary")
if [ -n "$total" ]; then
  echo "$(( total - ${failed:-0} - ${skipped:-0} )) passed, ${failed:-0} failed, ${skipped:-0} skipped"
fi
exit "$status"
