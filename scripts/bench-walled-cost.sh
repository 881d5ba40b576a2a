#!/usr/bin/env bash
# Benchmark: what the walled form of a hypertable (issue #25) costs per statement inside the server, beside the
# RLS form, compressed and not (no client, socket or scheduler in the way). Builds the k8s-cost-monitor example
# (pod_metrics compressed after 7 days), with the admin role given no grant on pod_metrics (`ADMIN=1` keeps the
# example's grants: the wall's admin-mode branch, see docs/bench.md), with `tenantwall bench --keep`, which builds the RLS form,
# the walled form and a compressed walled copy on the same rows; then times N executions of each hypertable
# query in a server-side loop (plpgsql PERFORM: a cached plan executed N times) per variant:
#   rls-base     the baseline role on the RLS hypertable, WHERE tenant_id = t
#   rls          the application role on the RLS hypertable (the policy supplies the tenant)
#   walled-base  the owner on the walled storage, WHERE tenant_id = t
#   walled       the application role through the walled view
#   comp-base    the owner on the compressed walled copy, WHERE tenant_id = t
#   comp         the application role through the compressed copy's view
# for the queries: point (a row by its key), range (the tenant's day of rows), bucket (time_bucket('1 hour')
# count and sum over that day), all in the day before the compression horizon (compressed in the copy).
# Rounds interleave the variants; prints each round's µs per statement and the medians with the extra µs and
# percent over the form's own baseline.
# Usage: scripts/bench-walled-cost.sh [rows] [executions] [rounds]   (PG_BINDIR picks the server, default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}; n=${2:-2000}; rounds=${3:-7}
source scripts/lib/pg.sh
[ -n "${PG_BINDIR:-}" ] && pg_bin() { echo "$PG_BINDIR"; }
swift build --product tenantwall >/dev/null 2>&1
spec=$(mktemp -d); cp policies/k8s-cost-monitor/*.yaml "$spec/"
python3 - "$spec/tables.yaml" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
import os
if not os.environ.get("ADMIN"):
    at = s.index("    hypertable:", s.index("- name: pod_metrics"))
    s = s[:at] + "    grants: {k8s_app: [select, insert, update, delete], k8s_reporting: [select]}\n" + s[at:]
open(p, "w").write(s)
PY
dir=$(mktemp -d); trap 'pg_stop "$dir"; rm -rf "$spec"' EXIT
pg_start "$dir" shared_buffers=512MB shared_preload_libraries=timescaledb timescaledb.telemetry_level=off
PGDATABASE=$(.build/debug/tenantwall bench --database "host=$PGHOST user=postgres dbname=postgres" --keep --spec "$spec" --rows "$rows" \
    --tenants 100 --workload hypertable-point --rounds 1 --seconds 0.1 | sed -n 's/^kept scratch database //p')
export PGDATABASE
tenant=$(psql -qAt -c "SELECT tenant_id FROM tenantwall_walled.pod_metrics GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
window="time >= now() - interval '8 days' - interval '1 day' AND time < now() - interval '8 days'"
declare -A relation=([rls-base]=public.pod_metrics [rls]=public.pod_metrics [walled-base]=tenantwall_walled.pod_metrics
  [walled]=tw_bench_walled.pod_metrics [comp-base]=tenantwall_walled.pod_metrics_compressed [comp]=tw_bench_walled.pod_metrics_compressed)
declare -A role=([rls-base]=tw_bench_base [rls]=tw_bench_app [walled-base]=tw_bench_owner [walled]=tw_bench_app [comp-base]=tw_bench_owner [comp]=tw_bench_app)
variants=(rls-base rls walled-base walled comp-base comp)
queries=(point range bucket)
{
  # The point keys: 200 rows of the tenant in the window, the same for every variant.
  echo "CREATE TABLE public.walled_cost_keys AS SELECT row_number() OVER () AS i, cluster_id, pod, time FROM public.pod_metrics
        WHERE tenant_id = '$tenant' AND $window LIMIT 200; GRANT SELECT ON public.walled_cost_keys TO PUBLIC;"
  for v in "${variants[@]}"; do
    t=""; [[ $v == *base ]] && t="tenant_id = '$tenant' AND "
    f=${v//-/_}
    cat <<EOF
CREATE FUNCTION public.cost_point_$f(n integer) RETURNS double precision LANGUAGE plpgsql AS \$f\$
DECLARE t0 timestamptz; cs uuid[]; ps text[]; ts timestamptz[]; m integer; k integer;
BEGIN
    SELECT array_agg(w.cluster_id ORDER BY i), array_agg(w.pod ORDER BY i), array_agg(w.time ORDER BY i) INTO cs, ps, ts FROM public.walled_cost_keys AS w;
    m := array_length(cs, 1);
    t0 := clock_timestamp();
    FOR j IN 1..n LOOP
        k := 1 + j % m;
        PERFORM * FROM ${relation[$v]} WHERE $t cluster_id = cs[k] AND pod = ps[k] AND time = ts[k];
    END LOOP;
    RETURN extract(epoch FROM clock_timestamp() - t0) * 1e6 / n;
END \$f\$;
CREATE FUNCTION public.cost_range_$f(n integer) RETURNS double precision LANGUAGE plpgsql AS \$f\$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
    FOR j IN 1..n LOOP PERFORM * FROM ${relation[$v]} WHERE $t $window ORDER BY time DESC; END LOOP;
    RETURN extract(epoch FROM clock_timestamp() - t0) * 1e6 / n;
END \$f\$;
CREATE FUNCTION public.cost_bucket_$f(n integer) RETURNS double precision LANGUAGE plpgsql AS \$f\$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
    FOR j IN 1..n LOOP PERFORM time_bucket(interval '1 hour', time), count(*), sum(cost_usd) FROM ${relation[$v]} WHERE $t $window GROUP BY 1 ORDER BY 1; END LOOP;
    RETURN extract(epoch FROM clock_timestamp() - t0) * 1e6 / n;
END \$f\$;
EOF
  done
  echo "GRANT USAGE ON SCHEMA public TO tw_bench_app, tw_bench_base, tw_bench_owner;"
} | psql -q -v ON_ERROR_STOP=1 >/dev/null
run() { psql -qAt -c "SET app.current_tenant_id = '$tenant'" -c "SET ROLE ${role[$1]}" -c "$2" | tail -1; }
# Every variant must see the same rows, or it measures something else.
for q in range bucket; do
  for v in "${variants[@]}"; do
    t=""; [[ $v == *base ]] && t="tenant_id = '$tenant' AND "
    sql="SELECT count(*) FROM ${relation[$v]} WHERE $t $window"
    seen=$(run "$v" "$sql"); [[ -z ${expected:-} ]] && expected=$seen
    [[ $seen == "$expected" ]] || { echo "variant $v sees $seen rows, not $expected" >&2; exit 1; }
  done
done
echo "tenant $tenant: $expected rows in the window; $n executions per variant and round, $rounds rounds"
declare -A all
for r in $(seq 1 "$rounds"); do
  for q in "${queries[@]}"; do
    count=$n; [[ $q != point ]] && count=$(( n / 10 ))
    line="round $r $q:"
    for v in "${variants[@]}"; do
      us=$(run "$v" "SELECT round(public.cost_${q}_${v//-/_}($count)::numeric, 2)")
      all[$q.$v]+="$us "; line+=" $v $us"
    done
    echo "$line µs"
  done
done
for q in "${queries[@]}"; do
  for v in "${variants[@]}"; do
    m=$(printf '%s\n' ${all[$q.$v]} | median)
    base=${v%-base}-base; base=$(printf '%s\n' ${all[$q.$base]} | median)
    awk -v q="$q" -v v="$v" -v m="$m" -v b="$base" 'BEGIN { printf "median %-6s %-11s %9.2f µs  (%+.2f µs, %+.1f%% over its baseline)\n", q, v, m, m - b, 100 * (m / b - 1) }'
  done
done
