#!/usr/bin/env bash
# Benchmark: what the change trail (audit_trail:) adds to a single-row write, inside the server (no client,
# socket or scheduler in the way). A throwaway server gets a two-table spec applied by tenantwall: `items`
# (no trail) and `trailed_items` (audit_trail: true), the same columns, the same policies. Each variant is a
# server-side loop (plpgsql: a cached plan executed N times) run as the application role with a tenant context,
# in a transaction that is rolled back (so the trail does not grow between rounds):
#   insert-plain   INSERT of one row into items
#   insert-trail   the same into trailed_items (the row trigger: to_jsonb, advisory lock, last entry, sha256, insert)
#   update-plain   UPDATE of one row by primary key in items (a row of the tenant's, 1000 held)
#   update-trail   the same in trailed_items
# Rounds interleave the variants; prints each round's µs per write, then the medians, the extra µs and the
# ratio trail/plain with its range over the rounds. Usage: scripts/bench-trail-cost.sh [writes] [rounds]
# Uses the debug build of tenantwall (swift build); PostgreSQL from pg_config (PG_BINDIR's pg_config if set).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5000}; rounds=${2:-7}
if [ -n "${PG_BINDIR:-}" ]; then export PATH="$PG_BINDIR:$PATH"; fi
source scripts/lib/pg.sh
bin=$(swift build --show-bin-path)/tenantwall
[ -x "$bin" ] || { echo "build tenantwall first (swift build)" >&2; exit 2; }
dir=$(mktemp -d); trap 'pg_stop "$dir"' EXIT
pg_start "$dir" shared_buffers=256MB
export PGDATABASE=postgres
spec="$dir/spec"; mkdir -p "$spec"
cat >"$spec/trail-bench.yaml" <<'YAML'
tenancy: {column: tenant_id, type: bigint, helper_schema: tenantwall}
roles: {owner: tb_owner, app: tb_app}
tables:
  - name: items
    isolation: tenant
    columns: {tenant_id: bigint, id: bigint, status: text, amount: numeric, note: text}
    primary_key: [tenant_id, id]
  - name: trailed_items
    isolation: tenant
    columns: {tenant_id: bigint, id: bigint, status: text, amount: numeric, note: text}
    primary_key: [tenant_id, id]
    audit_trail: {columns: [status, amount]}
YAML
"$bin" apply --spec "$spec" --database "host=$PGHOST user=postgres dbname=postgres" >/dev/null
server=$(psql -qAt -c "SHOW server_version")
variants=(insert-plain insert-trail update-plain update-trail)
table_of() { case $1 in *-plain) echo items ;; *) echo trailed_items ;; esac; }
fn_of() { echo "trail_cost_${1/-/_}"; }
{
  for t in items trailed_items; do
    echo "INSERT INTO public.$t SELECT 1 + g % 10, g, 'open', g, 'n' FROM generate_series(1, 10000) AS g;"
    echo "ANALYZE public.$t;"
  done
  for v in "${variants[@]}"; do
    t=$(table_of "$v")
    echo "CREATE FUNCTION public.$(fn_of "$v")(n integer) RETURNS double precision LANGUAGE plpgsql AS \$f\$"
    echo "DECLARE t0 timestamptz := clock_timestamp(); t bigint := 1;"
    case $v in
      insert-*) echo "BEGIN FOR i IN 1..n LOOP INSERT INTO public.$t VALUES (t, 100000 + i, 'open', i, 'n'); END LOOP;" ;;
      update-*) echo "BEGIN FOR i IN 1..n LOOP UPDATE public.$t SET amount = i WHERE tenant_id = t AND id = 10 * (1 + i % 1000); END LOOP;" ;;
    esac
    echo "RETURN extract(epoch FROM clock_timestamp() - t0) * 1e6 / n; END \$f\$;"
  done
} | psql -q -v ON_ERROR_STOP=1 >/dev/null
run() { # variant count → µs per write; everything is rolled back
  psql -qAt -v ON_ERROR_STOP=1 -c "BEGIN" -c "SET LOCAL ROLE tb_app" -c "SELECT tenantwall.set_tenant_context(1::bigint)" \
    -c "SELECT round(public.$(fn_of "$1")($2)::numeric, 3)" -c "ROLLBACK" | tail -n 1
}
# Every variant must write, and the trailed ones must be trailed: a refused write would time an error.
check() {
  psql -qAt -v ON_ERROR_STOP=1 -c "BEGIN" -c "SET LOCAL ROLE tb_app" -c "SELECT tenantwall.set_tenant_context(1::bigint)" \
    -c "SELECT public.$(fn_of "$1")(3)" -c "SELECT count(*) FROM tenantwall_trail.change_trail" -c "ROLLBACK" | tail -n 1
}
for v in "${variants[@]}"; do
  entries=$(check "$v") || { echo "variant $v cannot write" >&2; exit 1; }
  case $v in *-trail) want=3 ;; *) want=0 ;; esac
  [ "$entries" = "$want" ] || { echo "variant $v wrote $entries trail entries, expected $want" >&2; exit 1; }
done
declare -A all
for r in $(seq 1 "$rounds"); do
  line="round $r:"
  for v in "${variants[@]}"; do us=$(run "$v" "$n"); all[$v]+="$us "; line+=" $v $us"; done
  echo "$line µs/write"
done
echo "PostgreSQL $server, $(nproc) cores, $n writes per round, $rounds rounds"
for op in insert update; do
  plain=$(printf '%s\n' ${all[$op-plain]} | median); trail=$(printf '%s\n' ${all[$op-trail]} | median)
  ratios=$(paste -d' ' <(printf '%s\n' ${all[$op-trail]}) <(printf '%s\n' ${all[$op-plain]}) | awk '{printf "%.2f\n", $1 / $2}' | sort -n)
  awk -v op="$op" -v p="$plain" -v t="$trail" -v lo="$(echo "$ratios" | head -n1)" -v hi="$(echo "$ratios" | tail -n1)" \
    'BEGIN { printf "median %-6s plain %7.3f µs  trail %7.3f µs  (+%.3f µs, ratio %.2fx, per-round ratio %s-%s)\n", op, p, t, t - p, t / p, lo, hi }'
done
