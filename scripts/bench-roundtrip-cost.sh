#!/usr/bin/env bash
# Benchmark: what the context statement costs against any other statement, and where the end-to-end pattern's
# cost goes (set the tenant context and look up a row in one pipelined round trip, one implicit transaction).
# pgbench, prepared statements, on the built-in bench dataset in a throwaway server on a Unix socket; the
# variants take turns in interleaved rounds:
#   lookup          a BYPASSRLS role: the lookup alone, WHERE tenant_id = $1 AND id = $2   (the baseline)
#   lookup+select   the same, with a trivial `SELECT $1::uuid` pipelined before it  (any second statement)
#   rls             the application role: the lookup under the policies, the tenant a role default (no setter)
#   select+rls      the trivial statement pipelined before the lookup under the policies
#   setter+rls      set_tenant_context($1) pipelined before the lookup under the policies  (the pattern)
#   set_config+rls  set_config(…, true) in its place  (the setter's own cost over the built-in)
#   reader+rls      a statement that calls one of the extension's C functions and writes nothing: the tenant
#                   reader, compared with $1 (what calling a C function costs a statement, with no setting written)
#   held+rls        the setter of tenancy.context_store: backend (0.6.0) in its place: the tenant held in the
#                   backend for the transaction, shown by the setting, which is not written (sql/held.c)
# Each run counts its transactions (pgbench) and the server's CPU time for them: the CPU of the backends
# that served it, which the postmaster collects when they exit (/proc/<postmaster>/stat, cutime + cstime;
# autovacuum is off, so nothing else exits meanwhile). CPU per transaction is what a statement costs the
# server whatever else runs on the machine; throughput (tps) is shown too but moves with the machine's load.
# Prints each round, the medians, and a statement's own cost: its variant's CPU per transaction minus that of
# the lookup under the policies (rls), and the setter's cost as a multiple of the trivial statement's (median
# of the per-round ratios with their range, and a bootstrap 95% interval).
# Usage: scripts/bench-roundtrip-cost.sh [seconds per turn] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-3}; rounds=${2:-5}
source scripts/lib/pg.sh
dir=$(mktemp -d); work=$(mktemp -d); trap 'pg_stop "$dir"; rm -rf "$work"' EXIT
bench_dataset "$dir" 100000 autovacuum=off
tenant=00000000-0000-4000-8000-000000000000
# The roles log in only on this throwaway server; the rls variants take their tenant from a role default.
psql -q -v ON_ERROR_STOP=1 -c "ALTER ROLE tw_bench_app LOGIN" -c "ALTER ROLE tw_bench_base LOGIN" \
  -c "ALTER ROLE tw_bench_app SET app.current_tenant_id = '$tenant'" -c "GRANT USAGE ON SCHEMA public TO tw_bench_app, tw_bench_base"
# The held setter as apply generates it for context_store: backend (HelperStatements), beside the dataset's own.
psql -q -v ON_ERROR_STOP=1 -c "CREATE FUNCTION public.set_tenant_context_held(tenant uuid) RETURNS void LANGUAGE sql VOLATILE
  AS \$\$ SELECT tenantwall.hold_context_uuid('app.current_tenant_id', tenant) \$\$" -c "GRANT EXECUTE ON FUNCTION public.set_tenant_context_held(uuid) TO tw_bench_app"
read -r low high < <(psql -qAt -F' ' -c "SELECT min(id), max(id) FROM public.items WHERE tenant_id = '$tenant'")
postmaster=$(head -1 "$dir/data/postmaster.pid")
lookup_base='SELECT * FROM public.items WHERE tenant_id = :t::uuid AND id = :id;'
lookup_rls='SELECT * FROM public.items WHERE id = :id;'
declare -A first=([lookup]="" [lookup+select]='SELECT :t::uuid;' [rls]="" [select+rls]='SELECT :t::uuid;'
                  [setter+rls]='SELECT tenantwall.set_tenant_context(:t::uuid);'
                  [set_config+rls]="SELECT set_config('app.current_tenant_id', :t, true);"
                  [reader+rls]="SELECT tenantwall.context_uuid('app.current_tenant_id') = :t::uuid;"
                  [held+rls]='SELECT public.set_tenant_context_held(:t::uuid);')
variants=(lookup lookup+select rls select+rls setter+rls set_config+rls reader+rls held+rls)
for v in "${variants[@]}"; do
  query=$lookup_rls; [[ $v == lookup* ]] && query=$lookup_base
  printf '\\set id random(%s, %s)\n\\startpipeline\n%s\n%s\n\\endpipeline\n' "$low" "$high" "${first[$v]}" "$query" > "$work/$v.sql"
done
user_of() { [[ $1 == lookup* ]] && echo tw_bench_base || echo tw_bench_app; }
# Every variant must see the tenant's rows and only them, or it times an empty lookup.
expected=$(psql -qAt -c "SELECT count(*) FROM public.items WHERE tenant_id = '$tenant'")
seen=$(psql -U tw_bench_app -qAt -c "SELECT count(*) FROM public.items")
[[ $seen == "$expected" ]] || { echo "the application role sees $seen rows, not the tenant's $expected" >&2; exit 1; }
# The server's collected child CPU, in clock ticks.
children_cpu() { awk '{ sub(/^.*\) /, ""); print $14 + $15 }' "/proc/$postmaster/stat"; }
tick_us=$((1000000 / $(getconf CLK_TCK)))
echo "PostgreSQL $(psql -qAt -c 'SHOW server_version'), $(nproc) cores, $(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -1)"
declare -A tps_all cpu_all
for r in $(seq 1 "$rounds"); do
  line="round $r:"
  for v in "${variants[@]}"; do
    before=$(children_cpu)
    out=$("$(pg_bin)/pgbench" -n -M prepared -c 2 -j 2 -T "$secs" -U "$(user_of "$v")" -D t="$tenant" -f "$work/$v.sql" 2>&1)
    sleep 0.3  # the backends exit and are collected
    after=$(children_cpu)
    grep -q 'failed transactions: [1-9]' <<<"$out" && { echo "$v: failed transactions" >&2; exit 1; }
    n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
    tps=$(awk '/^tps/ { printf "%.0f", $3; exit }' <<<"$out")
    cpu=$(awk -v d=$((after - before)) -v t="$tick_us" -v n="$n" 'BEGIN { printf "%.3f", d * t / n }')
    tps_all[$v]+="$tps "; cpu_all[$v]+="$cpu "
    line+=" $v $tps tps ${cpu}µs"
  done
  echo "$line"
done
base=$(printf '%s\n' ${tps_all[lookup]} | median)
for v in "${variants[@]}"; do
  m=$(printf '%s\n' ${tps_all[$v]} | median); c=$(printf '%s\n' ${cpu_all[$v]} | median)
  awk -v v="$v" -v m="$m" -v b="$base" -v c="$c" 'BEGIN { printf "median %-15s %8d tps (%+.1f%% against the lookup alone)  %7.3f µs server CPU/transaction\n", v, m, (m - b) * 100 / b, c }'
done
python3 - "${cpu_all[rls]}" "${cpu_all[select+rls]}" "${cpu_all[setter+rls]}" "${cpu_all[set_config+rls]}" "${cpu_all[reader+rls]}" "${cpu_all[held+rls]}" <<'PY'
import random, statistics, sys
rls, trivial, setter, setconfig, reader, held = ([float(x) for x in a.split()] for a in sys.argv[1:7])
def cost(v): return [x - b for x, b in zip(v, rls)]
for name, v in (("trivial statement", trivial), ("set_tenant_context", setter), ("set_config", setconfig), ("a C call", reader), ("held setter", held)):
    print(f"statement {name:<18} {statistics.median(cost(v)):6.3f} µs server CPU/transaction over the lookup under the policies")
random.seed(28)
for name, v in (("set_tenant_context", setter), ("set_config", setconfig), ("a C call", reader), ("held setter", held)):
    ratios = sorted(c / t for c, t in zip(cost(v), cost(trivial)))
    idx = range(len(rls))
    boot = []
    for _ in range(2000):
        pick = random.choices(idx, k=len(rls))
        t = statistics.median(trivial[i] - rls[i] for i in pick)
        boot.append(statistics.median(v[i] - rls[i] for i in pick) / t if t > 0 else float("inf"))
    boot.sort()
    whole = sorted(x / t for x, t in zip(v, trivial))
    print(f"ratio {name:<18} {statistics.median(ratios):.3f}x the trivial statement's cost (range {ratios[0]:.3f}-{ratios[-1]:.3f}; "
          f"bootstrap 95% {boot[49]:.3f}-{boot[1949]:.3f}); its whole transaction {statistics.median(whole):.3f}x select+rls")
PY
