#!/usr/bin/env bash
# Benchmark: generating the SQL for a spec of N tables (default 1000). Release build, warm-up run, then
# R timed runs; prints each run and the median. Usage: scripts/bench-generate.sh [tables] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
tables=${1:-1000}; runs=${2:-7}
swift build -c release --product tenantwall >/dev/null 2>&1
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
{
  printf 'roles: {owner: bench_owner, app: bench_app, admin: bench_admin, readonly: [bench_bi]}\ntables:\n'
  for i in $(seq 1 "$tables"); do
    printf '  - name: t%04d\n    isolation: tenant\n    columns: {tenant_id: uuid, id: uuid, created_at: timestamptz, body: text}\n' "$i"
    printf '    primary_key: [tenant_id, id]\n    indexes: [{columns: [tenant_id, created_at desc], include: [body]}]\n'
  done
} > "$dir/spec.yaml"
bin=.build/release/tenantwall
"$bin" generate --stdout --spec "$dir/spec.yaml" > "$dir/out.sql"
echo "spec: $tables tables, $(wc -l < "$dir/spec.yaml") lines of YAML -> $(wc -l < "$dir/out.sql") lines of SQL"
times=()
for r in $(seq 1 "$runs"); do
  start=$(date +%s%N); "$bin" generate --stdout --spec "$dir/spec.yaml" > /dev/null; end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 )); times+=("$ms"); echo "run $r: ${ms} ms"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "median: ${median} ms over $runs runs (whole process: start, YAML parse, validation, generation, output)"
