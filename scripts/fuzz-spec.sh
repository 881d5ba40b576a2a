#!/usr/bin/env bash
# A longer fuzz campaign of the spec checker than the one in the test suite: N mutated specs (default 5000)
# with a random seed (or TENANTWALL_FUZZ_SEED), up to 10 minutes. Prints the seed and every failing input;
# exit 1 when any variant crashed the checker, was located outside its file, took over a second, or was
# accepted but did not apply.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --build-tests >/dev/null
export TENANTWALL_FUZZ_COUNT=${1:-5000}
export TENANTWALL_FUZZ_SEED=${TENANTWALL_FUZZ_SEED:-$(( (RANDOM << 16) | RANDOM ))}
export TENANTWALL_FUZZ_SECONDS=${TENANTWALL_FUZZ_SECONDS:-600}
export TENANTWALL_FUZZ_APPLY=${TENANTWALL_FUZZ_APPLY:-300}   # accepted variants applied to an empty database
echo "seed $TENANTWALL_FUZZ_SEED, $TENANTWALL_FUZZ_COUNT variants (rerun with TENANTWALL_FUZZ_SEED=$TENANTWALL_FUZZ_SEED)"
swift test --skip-build --disable-swift-testing --filter SpecFuzzTests 2>&1 | grep -vE '^Test (Case|Suite) .*(started|passed)'
