#!/usr/bin/env bash
# The whole test suite: unit tests (golden SQL, diagnostics, quoting) and integration tests against a real
# PostgreSQL 15 that the tests start themselves in a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --build-tests
swift test "$@"
