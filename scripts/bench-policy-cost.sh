#!/usr/bin/env bash
# Benchmark: what a tenant policy costs per statement inside the server, with no client, socket or scheduler
# in the way. Builds the built-in bench dataset (tenantwall bench --keep) in a throwaway server, copies `items`
# under several policies, and times N primary-key lookups in a server-side loop (plpgsql PERFORM: a cached
# plan executed N times, so each iteration is one executor start, scan and end):
#   baseline   a BYPASSRLS role, WHERE tenant_id = <variable> AND id = i
#   constant   RLS with  tenant_id = '<uuid>'                  (RLS itself, nothing to evaluate)
#   initplan   RLS with  tenant_id = (SELECT '<uuid>'::uuid)   (the InitPlan alone)
#   setting    RLS with  tenant_id = (SELECT current_setting(…)::uuid)
#   generated  tenantwall's own policy on items (the built-in dataset's helpers: extension: the native reader)
#   inline     the same policy on the SQL helpers, items as the bench's inline role  (InitPlan + NULLIF + cast)
#   native     RLS with  tenant_id = tenantwall.context_uuid(…)  (the extension's C reader, called directly)
#   byname     RLS with  tenant_id = tenantwall.context_uuid_by_name(…)  (the C route parallel workers take:
#              the setting read by name, each new value parsed once; the other design the issue asked for)
#   nativesub  RLS with  tenant_id = (SELECT tenantwall.context_uuid(…))  (the C reader in an InitPlan)
#   signed     RLS with  tenant_id = tenantwall.verified_uuid()  (a token verified once by verify_token)
#   required   RLS with  tenant_id = tenantwall.required_tenant_id(…)  (tenancy.missing_context: error: the wrapper
#              `tenantwall generate` writes, COALESCE of the native reader and the raising function, taken from
#              its output for a spec like the built-in one with missing_context: error)
# Rounds interleave the variants; prints each round's µs per lookup and the medians with the extra µs over
# the baseline. Usage: scripts/bench-policy-cost.sh [lookups] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}; rounds=${2:-7}
source scripts/lib/pg.sh
dir=$(mktemp -d); trap 'pg_stop "$dir"' EXIT
bench_dataset "$dir" 200000
tenant=00000000-0000-4000-8000-000000000000
role_of() { case $1 in baseline) echo tw_bench_base ;; inline) echo tw_bench_inline ;; *) echo tw_bench_app ;; esac; }
variants=(baseline constant initplan setting generated inline native byname nativesub signed required)
# A token for the signed variant, from a key of this run's own (the HMAC's padded keys, as signing_keys holds them).
read -r keys token < <(python3 - "$tenant" <<'PY'
import base64, hashlib, hmac, json, os, sys, time
key = os.urandom(32); k = key.ljust(64, b"\0")
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
h = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()); p = b64(json.dumps({"tenant_id": sys.argv[1], "exp": time.time() + 86400}).encode())
sig = b64(hmac.new(key, f"{h}.{p}".encode(), hashlib.sha256).digest())
print("\\x" + bytes(x ^ 0x36 for x in k).hex() + bytes(x ^ 0x5c for x in k).hex(), f"{h}.{p}.{sig}")
PY
)
# The missing_context: error wrapper, exactly as generate writes it for this dataset's tenancy.
spec=$(mktemp -d)
cat > "$spec/bench.yaml" <<'YAML'
tenancy: {column: tenant_id, type: uuid, helper_schema: tenantwall, helpers: extension, missing_context: error}
roles: {owner: tw_bench_owner, app: tw_bench_app, admin: tw_bench_admin}
tables:
  - {name: items, isolation: tenant, columns: {tenant_id: uuid, id: bigint}, primary_key: [tenant_id, id], grants: {tw_bench_app: [select]}}
YAML
required_sql=$(.build/release/tenantwall generate --spec "$spec" --stdout | python3 -c '
import re, sys
sql = sys.stdin.read()
for name in ("missing_tenant_context", "required_tenant_id"):
    start = sql.index("CREATE OR REPLACE FUNCTION \"tenantwall\".\"%s\"" % name)
    tag = re.search(r"\$tw\d*\$", sql[start:]).group(0)
    body = sql.index(tag, start) + len(tag)
    print(sql[start:sql.index(tag, body) + len(tag)] + ";")
')
rm -rf "$spec"
{
  echo "$required_sql"
  declare -A policy=(
    [constant]="tenant_id = '$tenant'::uuid"
    [initplan]="tenant_id = (SELECT '$tenant'::uuid)"
    [setting]="tenant_id = (SELECT current_setting('app.current_tenant_id')::uuid)")
  policy[native]="tenant_id = tenantwall.context_uuid('app.current_tenant_id')"
  policy[byname]="tenant_id = tenantwall.context_uuid_by_name('app.current_tenant_id')"
  policy[nativesub]="tenant_id = (SELECT tenantwall.context_uuid('app.current_tenant_id'))"
  policy[signed]="tenant_id = tenantwall.verified_uuid()"
  policy[required]="tenant_id = tenantwall.required_tenant_id('public.cost_required')"
  # The built-in dataset runs on the extension (helpers: extension, schema tenantwall): its C readers are there.
  echo "GRANT USAGE ON SCHEMA tenantwall TO tw_bench_app;"
  echo "GRANT EXECUTE ON FUNCTION tenantwall.verify_token(text, bytea[], text[], boolean) TO tw_bench_app;"
  for v in constant initplan setting native byname nativesub signed required; do cat <<EOF
CREATE TABLE public.cost_$v (LIKE public.items INCLUDING ALL);
INSERT INTO public.cost_$v SELECT * FROM public.items;
ALTER TABLE public.cost_$v ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON public.cost_$v FOR SELECT TO tw_bench_app USING (${policy[$v]});
GRANT SELECT ON public.cost_$v TO tw_bench_app;
EOF
  done
  for v in "${variants[@]}"; do
    table=items; [[ $v != baseline && $v != generated && $v != inline ]] && table=cost_$v
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
  echo "GRANT USAGE ON SCHEMA public TO tw_bench_app, tw_bench_base, tw_bench_inline; VACUUM ANALYZE;"
} | psql -q -v ON_ERROR_STOP=1 >/dev/null
verify() { [[ $1 == signed ]] && echo "SELECT tenantwall.verify_token('$token', ARRAY['$keys'::bytea], '{tenant_id}', true)" || echo "SELECT 1"; }
# Every variant must see exactly the tenant's rows, or it measures an empty scan.
expected=$(psql -qAt -c "SELECT count(*) FROM public.items WHERE tenant_id = '$tenant'")
for v in "${variants[@]}"; do
  role=$(role_of "$v")
  table=items; [[ $v != baseline && $v != generated && $v != inline ]] && table=cost_$v
  where=""; [[ $v == baseline ]] && where="WHERE tenant_id = '$tenant'"
  seen=$(psql -qAt -c "SET app.current_tenant_id = '$tenant'" -c "SET ROLE $role" -c "$(verify "$v")" -c "SELECT count(*) FROM public.$table $where" | tail -1)
  [[ $seen == "$expected" ]] || { echo "variant $v sees $seen rows, not the tenant's $expected" >&2; exit 1; }
done
declare -A all
for r in $(seq 1 "$rounds"); do
  line="round $r:"
  for v in "${variants[@]}"; do
    role=$(role_of "$v")
    us=$(psql -qAt -c "SET app.current_tenant_id = '$tenant'" -c "SET ROLE $role" -c "$(verify "$v")" \
      -c "SELECT round(public.cost_$v($n)::numeric, 3)" | tail -1)
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
