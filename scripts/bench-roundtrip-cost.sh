#!/usr/bin/env bash
# Benchmark: where the end-to-end pattern's cost goes (set the tenant context and look up a row in one
# pipelined round trip, one implicit transaction). pgbench, prepared statements, on the built-in bench
# dataset in a throwaway server on a Unix socket; the variants take turns in interleaved rounds:
#   lookup          a BYPASSRLS role: the lookup alone, WHERE tenant_id = $1 AND id = $2   (the baseline)
#   lookup+select   the same, with a trivial `SELECT $1::uuid` pipelined before it  (any second statement)
#   rls             the application role: the lookup under the policies, the tenant a role default (no setter)
#   setter+rls      set_tenant_context($1) pipelined before the lookup under the policies  (the pattern)
#   set_config+rls  set_config(…, true) in its place  (the setter's own cost over the built-in)
# Prints each round's transactions per second and the medians with the change against the baseline.
# Usage: scripts/bench-roundtrip-cost.sh [seconds per turn] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-3}; rounds=${2:-5}
source scripts/lib/pg.sh
dir=$(mktemp -d); work=$(mktemp -d); trap 'pg_stop "$dir"; rm -rf "$work"' EXIT
bench_dataset "$dir" 100000
tenant=00000000-0000-4000-8000-000000000000
# The roles log in only on this throwaway server; the rls variant takes its tenant from a role default.
psql -q -v ON_ERROR_STOP=1 -c "ALTER ROLE tw_bench_app LOGIN" -c "ALTER ROLE tw_bench_base LOGIN" \
  -c "ALTER ROLE tw_bench_app SET app.current_tenant_id = '$tenant'" -c "GRANT USAGE ON SCHEMA public TO tw_bench_app, tw_bench_base"
read -r low high < <(psql -qAt -F' ' -c "SELECT min(id), max(id) FROM public.items WHERE tenant_id = '$tenant'")
lookup_base='SELECT * FROM public.items WHERE tenant_id = :t::uuid AND id = :id;'
lookup_rls='SELECT * FROM public.items WHERE id = :id;'
declare -A first=([lookup]="" [lookup+select]='SELECT :t::uuid;' [rls]="" [setter+rls]='SELECT tenantwall.set_tenant_context(:t::uuid);'
                  [set_config+rls]="SELECT set_config('app.current_tenant_id', :t, true);")
variants=(lookup lookup+select rls setter+rls set_config+rls)
for v in "${variants[@]}"; do
  query=$lookup_rls; [[ $v == lookup* ]] && query=$lookup_base
  printf '\\set id random(%s, %s)\n\\startpipeline\n%s\n%s\n\\endpipeline\n' "$low" "$high" "${first[$v]}" "$query" > "$work/$v.sql"
done
user_of() { [[ $1 == lookup* ]] && echo tw_bench_base || echo tw_bench_app; }
# Every variant must see the tenant's rows and only them, or it times an empty lookup.
expected=$(psql -qAt -c "SELECT count(*) FROM public.items WHERE tenant_id = '$tenant'")
seen=$(psql -U tw_bench_app -qAt -c "SELECT count(*) FROM public.items")
[[ $seen == "$expected" ]] || { echo "the application role sees $seen rows, not the tenant's $expected" >&2; exit 1; }
declare -A all
for r in $(seq 1 "$rounds"); do
  line="round $r:"
  for v in "${variants[@]}"; do
    tps=$("$(pg_bin)/pgbench" -n -M prepared -c 2 -j 2 -T "$secs" -U "$(user_of "$v")" -D t="$tenant" -f "$work/$v.sql" 2>&1 |
          awk '/failed transactions: [1-9]/ { print "failed" > "/dev/stderr"; exit 1 } /^tps/ { printf "%.0f", $3 }')
    all[$v]+="$tps "; line+=" $v $tps"
  done
  echo "$line tps"
done
base=$(printf '%s\n' ${all[lookup]} | median)
for v in "${variants[@]}"; do
  m=$(printf '%s\n' ${all[$v]} | median)
  awk -v v="$v" -v m="$m" -v b="$base" 'BEGIN { printf "median %-15s %8d tps  (%+.1f%% throughput against the lookup alone)\n", v, m, (m - b) * 100 / b }'
done
