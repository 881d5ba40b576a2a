#!/usr/bin/env bash
# Benchmark: where a single-row INSERT's RLS cost goes, inside the server (no client, socket or scheduler in
# the way). Builds the built-in bench dataset (tenantwall bench --keep) in a throwaway server and times N
# single-row INSERTs in a server-side loop (plpgsql: a cached plan executed N times, each one executor start,
# partition routing, WITH CHECK, insert and end), in a transaction that is rolled back:
#   base-part    a BYPASSRLS role into the partitioned `events`          (no WITH CHECK)
#   true-part    RLS with  WITH CHECK (true)  on a partitioned copy      (the WITH CHECK machinery alone)
#   const-part   RLS with  WITH CHECK (tenant_id = '<uuid>')             (plus comparing a constant)
#   native-part  the generated policies on `events` (the native reader, called directly)
#   inline-part  the same policies on the SQL helpers (InitPlan + current_setting + cast)
#   base-flat, true-flat, const-flat, native-flat   the same on an unpartitioned copy
# Rounds interleave the variants; prints each round's µs per insert and the medians with the extra µs over
# the baseline of the same table shape. Usage: scripts/bench-insert-cost.sh [inserts] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}; rounds=${2:-7}
source scripts/lib/pg.sh
dir=$(mktemp -d); trap 'pg_stop "$dir"' EXIT
bench_dataset "$dir" 100000
tenant=00000000-0000-4000-8000-000000000000
# A time inside this month's partition, so every insert routes to a real partition, not the default.
at=$(psql -qAt -c "SELECT date_trunc('month', now()) + interval '1 day'")
variants=(base-part true-part const-part native-part inline-part base-flat true-flat const-flat native-flat)
table_of() { case $1 in base-part|native-part|inline-part) echo events ;; base-flat) echo ins_flat ;; *) echo "ins_${1/-/_}" ;; esac; }
role_of() { case $1 in base-*) echo tw_bench_base ;; inline-*) echo tw_bench_inline ;; *) echo tw_bench_app ;; esac; }
fn_of() { echo "ins_cost_${1/-/_}"; }
declare -A check=([true]="true" [const]="tenant_id = '$tenant'::uuid" [native]="tenant_id = tenantwall.current_tenant_id()")
{
  echo "CREATE TABLE public.ins_flat (LIKE public.events INCLUDING ALL);"
  for c in true const; do
    echo "CREATE TABLE public.ins_${c}_part (LIKE public.events INCLUDING ALL) PARTITION BY RANGE (at);"
    echo "CREATE TABLE public.ins_${c}_part_p PARTITION OF public.ins_${c}_part FOR VALUES FROM ('$at'::timestamptz - interval '1 day') TO ('$at'::timestamptz + interval '1 day');"
  done
  for c in true const native; do echo "CREATE TABLE public.ins_${c}_flat (LIKE public.events INCLUDING ALL);"; done
  for t in ins_true_part ins_const_part ins_true_flat ins_const_flat ins_native_flat; do
    c=${t#ins_}; c=${c%_*}
    echo "ALTER TABLE public.$t ENABLE ROW LEVEL SECURITY;"
    echo "CREATE POLICY p ON public.$t FOR INSERT TO tw_bench_app WITH CHECK (${check[$c]});"
    echo "GRANT INSERT ON public.$t TO tw_bench_app;"
  done
  echo "GRANT INSERT ON public.ins_flat TO tw_bench_base;"
  for v in "${variants[@]}"; do
    echo "CREATE FUNCTION public.$(fn_of "$v")(n integer) RETURNS double precision LANGUAGE plpgsql AS \$f\$"
    echo "DECLARE t0 timestamptz := clock_timestamp(); t uuid := '$tenant'; a timestamptz := '$at';"
    echo "BEGIN FOR i IN 1..n LOOP INSERT INTO public.$(table_of "$v") VALUES (t, a, i, 'k'); END LOOP;"
    echo "RETURN extract(epoch FROM clock_timestamp() - t0) * 1e6 / n; END \$f\$;"
  done
  echo "GRANT USAGE ON SCHEMA public TO tw_bench_app, tw_bench_base, tw_bench_inline;"
} | psql -q -v ON_ERROR_STOP=1 >/dev/null
run() { # variant count → µs per insert; the rows are rolled back
  psql -qAt -v ON_ERROR_STOP=1 -c "BEGIN" -c "SET LOCAL app.current_tenant_id = '$tenant'" -c "SET LOCAL ROLE $(role_of "$1")" \
    -c "SELECT round(public.$(fn_of "$1")($2)::numeric, 3)" -c "ROLLBACK"
}
# Every variant must insert: a refused WITH CHECK would time an error, not an insert.
for v in "${variants[@]}"; do run "$v" 1 >/dev/null || { echo "variant $v cannot insert" >&2; exit 1; }; done
declare -A all
for r in $(seq 1 "$rounds"); do
  line="round $r:"
  for v in "${variants[@]}"; do us=$(run "$v" "$n"); all[$v]+="$us "; line+=" $v $us"; done
  echo "$line µs/insert"
done
for v in "${variants[@]}"; do
  base=$(printf '%s\n' ${all[base-${v#*-}]} | median); m=$(printf '%s\n' ${all[$v]} | median)
  awk -v v="$v" -v m="$m" -v b="$base" \
    'BEGIN { printf "median %-12s %7.3f µs/insert  (%+.3f µs, %+.1f%% over the baseline of its shape)\n", v, m, m - b, (m - b) * 100 / b }'
done
