#!/usr/bin/env bash
# Benchmark: what a tenant policy costs per statement inside the server, with no client, socket or scheduler
# in the way. Builds the built-in bench dataset (tenantwall bench --keep) in a throwaway server, copies `items`
# under several policies, and times N primary-key lookups in a server-side loop (plpgsql PERFORM: a cached
# plan executed N times, so each iteration is one executor start, scan and end):
#   baseline   a BYPASSRLS role, WHERE tenant_id = <variable> AND id = i
#   constant   RLS with  tenant_id = '<uuid>'                  (RLS itself, nothing to evaluate)
#   initplan   RLS with  tenant_id = (SELECT '<uuid>'::uuid)   (the InitPlan alone)
#   setting    RLS with  tenant_id = (SELECT current_setting(…)::uuid)
#   generated  tenantwall's own policy on items                (InitPlan + NULLIF + cast)
# Rounds interleave the variants; prints each round's µs per lookup and the medians with the extra µs over
# the baseline. Usage: scripts/bench-policy-cost.sh [lookups] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}; rounds=${2:-7}
source scripts/lib/pg.sh
swift build -c release --product tenantwall >/dev/null 2>&1
dir=$(mktemp -d); trap 'pg_stop "$dir"' EXIT
pg_start "$dir" shared_buffers=256MB
db=$(.build/release/tenantwall bench --database "host=$PGHOST user=postgres dbname=postgres" --keep --rows 200000 --tenants 100 \
      --workload point --rounds 1 --seconds 0.1 | sed -n 's/^kept scratch database //p')
export PGDATABASE=$db
tenant=00000000-0000-4000-8000-000000000000
{
  declare -A policy=(
    [constant]="tenant_id = '$tenant'::uuid"
    [initplan]="tenant_id = (SELECT '$tenant'::uuid)"
    [setting]="tenant_id = (SELECT current_setting('app.current_tenant_id')::uuid)")
  for v in constant initplan setting; do cat <<EOF
CREATE TABLE public.cost_$v (LIKE public.items INCLUDING ALL);
INSERT INTO public.cost_$v SELECT * FROM public.items;
ALTER TABLE public.cost_$v ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON public.cost_$v FOR SELECT TO tw_bench_app USING (${policy[$v]});
GRANT SELECT ON public.cost_$v TO tw_bench_app;
EOF
  done
  for v in baseline constant initplan setting generated; do
    table=items; [[ $v == constant || $v == initplan || $v == setting ]] && table=cost_$v
    where="id = i"; [[ $v == baseline ]] && where="tenant_id = t AND id = i"
    cat <<EOF
CREATE FUNCTION public.cost_$v(n integer) RETURNS double precision LANGUAGE plpgsql AS \$f\$
DECLARE t0 timestamptz := clock_timestamp(); t uuid := '$tenant';
BEGIN
    FOR i IN 1..n LOOP PERFORM * FROM public.$table WHERE $where; END LOOP;
    RETURN extract(epoch FROM clock_timestamp() - t0) * 1e6 / n;
END \$f\$;
EOF
  done
  echo "GRANT USAGE ON SCHEMA public TO tw_bench_app, tw_bench_base; VACUUM ANALYZE;"
} | psql -q -v ON_ERROR_STOP=1 >/dev/null
variants=(baseline constant initplan setting generated)
declare -A all
for r in $(seq 1 "$rounds"); do
  line="round $r:"
  for v in "${variants[@]}"; do
    role=tw_bench_app; [[ $v == baseline ]] && role=tw_bench_base
    us=$(psql -qAt -c "SET app.current_tenant_id = '$tenant'" -c "SET ROLE $role" -c "SELECT round(public.cost_$v($n)::numeric, 3)")
    all[$v]+="$us "
    line+=" $v $us"
  done
  echo "$line µs/lookup"
done
base=$(printf '%s\n' ${all[baseline]} | median)
for v in "${variants[@]}"; do
  m=$(printf '%s\n' ${all[$v]} | median)
  awk -v v="$v" -v m="$m" -v b="$base" 'BEGIN { printf "median %-9s %6.3f µs/lookup  (%+.3f µs over the baseline)\n", v, m, m - b }'
done
