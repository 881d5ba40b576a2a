#!/usr/bin/env bash
# Benchmark: `tenantwall verify` on a spec of N tenant tables (default 50) with 3 probe tenants, on the
# embedded server (started, spec applied, verified, removed). Release build; R runs; prints each run's
# checks, time and checks per second, then the median. Usage: scripts/bench-verify.sh [tables] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
tables=${1:-50}; runs=${2:-5}
swift build -c release --product tenantwall >/dev/null 2>&1
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
{
  printf 'roles: {owner: bench_owner, app: bench_app, admin: bench_admin, readonly: [bench_bi]}\ntables:\n'
  for i in $(seq 1 "$tables"); do
    printf '  - name: t%03d\n    isolation: tenant\n    columns: {tenant_id: uuid, id: {type: uuid, default: gen_random_uuid()}, created_at: timestamptz, body: text}\n' "$i"
    printf '    primary_key: [tenant_id, id]\n    indexes: [{columns: [tenant_id, created_at desc]}]\n'
  done
} > "$dir/spec.yaml"
ms=()
for r in $(seq 1 "$runs"); do
  out=$(.build/release/tenantwall verify --embedded --spec "$dir/spec.yaml" --tenants 3 --format json)
  line=$(python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["summary"]["checks"], r["durationMilliseconds"], r["summary"]["failed"])' <<<"$out")
  read -r checks duration failed <<<"$line"
  ms+=("$duration")
  echo "run $r: $checks checks in $duration ms ($(( checks * 1000 / (duration > 0 ? duration : 1) )) checks/s), $failed failed"
done
median=$(printf '%s\n' "${ms[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "median: $median ms for $tables tables, 3 tenants ($(( checks * 1000 / median )) checks/s); the verify run only, not server start or apply"
