#!/usr/bin/env bash
# Benchmark: what the signed binding costs per transaction against the context binding, inside the server,
# with no client, socket or scheduler in the way. The shape of issue #28: take the tenant (a signed token, or
# the tenant id), one primary-key lookup, commit. Each variant is a plpgsql procedure that runs N such
# transactions (COMMIT inside the loop, so each iteration is a real transaction start and commit), as the
# application role, on tables and helpers written by `tenantwall apply` from one spec per binding:
#   context    binding: context, set_tenant_context(<tenant uuid>)    (the C setter; the C reader in the policy)
#   signed     binding: signed,  set_tenant_context(<token>)          (0.4.0: verified in C, keys cached per backend;
#              the same token every transaction, as a user's next request on the same connection: the backend's
#              memo of tokens it verified under the current keys answers, and exp and retired_at are checked)
#   signednew  the same, with a token this backend has not seen in every transaction (1,000 tokens in turn,
#              more than the memo holds): the whole check, base64, HMAC-SHA256 and the JSON claims, each time
#   held       binding: context, context_store: backend (0.6.0): the tenant held in the backend, not written
#              into the setting (sql/held.c); its ratio to context is what the held context saves a transaction
#   signed03   binding: signed,  the 0.3.0 setter: a plpgsql SECURITY DEFINER wrapper reading the keys through
#              SPI for verify_token (what the issue measured at 2.38-2.89x; kept here as the reference)
# Both databases hold the same rows (ROWS, 100 tenants). Rounds interleave the variants; prints each round's
# backend CPU µs per transaction, the medians, and each signed variant's ratio to context: the ratio of the medians,
# the median of the per-round ratios with its range and a paired bootstrap 95% interval (rounds resampled), and a
# bootstrap 95% interval of the ratio of medians.
# Usage: scripts/bench-transaction-cost.sh [transactions] [rounds] [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5000}; rounds=${2:-7}; rows=${3:-200000}
source scripts/lib/pg.sh
bin=.build/debug/tenantwall; [ -x .build/release/tenantwall ] && bin=.build/release/tenantwall
[ -x "$bin" ] || swift build --product tenantwall >/dev/null
dir=$(mktemp -d); spec=$(mktemp -d); trap 'pg_stop "$dir"; rm -rf "$spec"' EXIT
pg_start "$dir" shared_buffers=256MB
tenant=00000000-0000-4000-8000-000000000007
secret=tenantwall-bench-transaction-secret-0123456789

for binding in context signed held; do
  mkdir -p "$spec/$binding"
  tenancy="binding: $binding"
  [[ $binding == held ]] && tenancy="binding: context, context_store: backend"
  cat > "$spec/$binding/bench.yaml" <<YAML
tenancy: {column: tenant_id, type: uuid, helper_schema: tenantwall, helpers: extension, $tenancy, claim: tenant_id}
roles: {owner: tw_tx_owner, app: tw_tx_app, admin: tw_tx_admin}
tables:
  - {name: items, isolation: tenant, columns: {tenant_id: uuid, id: bigint, name: text}, primary_key: [tenant_id, id], grants: {tw_tx_app: [select]}}
YAML
  psql -qc "CREATE DATABASE tx_$binding" >/dev/null
  "$bin" apply --spec "$spec/$binding" --database "host=$PGHOST user=postgres dbname=tx_$binding" >/dev/null
  psql -q -d "tx_$binding" -v ON_ERROR_STOP=1 >/dev/null <<SQL
INSERT INTO public.items (tenant_id, id, name)
SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(g % 100), 12, '0'))::uuid, g / 100 + 1, 'item ' || g FROM generate_series(0, $rows - 1) AS g;
VACUUM ANALYZE public.items;
SQL
done

# The key, as signing_keys holds it (HMAC's padded keys), and a token for the tenant, valid for a day.
# Also 1,000 distinct tokens for the same tenant (their exp differ by a second), for signednew.
tokens=$(mktemp)
read -r inner outer token < <(python3 - "$secret" "$tenant" "$tokens" <<'PY'
import base64, hashlib, hmac, json, sys, time
key = sys.argv[1].encode(); k = key.ljust(64, b"\0")
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def mint(exp):
    h = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()); p = b64(json.dumps({"tenant_id": sys.argv[2], "exp": exp}).encode())
    return f"{h}.{p}." + b64(hmac.new(key, f"{h}.{p}".encode(), hashlib.sha256).digest())
now = int(time.time()) + 86400
with open(sys.argv[3], "w") as out:
    for i in range(1000):
        out.write(f"{i + 1}\t{mint(now + i)}\n")
print("\\x" + bytes(x ^ 0x36 for x in k).hex(), "\\x" + bytes(x ^ 0x5c for x in k).hex(), mint(now))
PY
)
psql -q -d tx_signed -v ON_ERROR_STOP=1 >/dev/null <<SQL
INSERT INTO tenantwall.signing_keys (id, inner_key, outer_key) VALUES ('bench', '$inner', '$outer');
CREATE TABLE public.bench_tokens (i integer PRIMARY KEY, token text NOT NULL);
GRANT SELECT ON public.bench_tokens TO tw_tx_app;
-- The 0.3.0 setter, exactly as 0.3.0's generate wrote it for this spec (kept under another name).
CREATE FUNCTION tenantwall.set_tenant_context_03(token text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS \$tw\$ BEGIN PERFORM "tenantwall"."verify_token"(token, ARRAY(SELECT k.inner_key OPERATOR(pg_catalog.||) k.outer_key FROM "tenantwall"."signing_keys" AS k WHERE k.retired_at IS NULL OR k.retired_at OPERATOR(pg_catalog.>) pg_catalog.now() ORDER BY k.id), '{"tenant_id"}'::text[], false); END \$tw\$;
REVOKE ALL ON FUNCTION tenantwall.set_tenant_context_03(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenantwall.set_tenant_context_03(text) TO tw_tx_app;
SQL
psql -q -d tx_signed -c "\\copy public.bench_tokens FROM '$tokens'"
rm -f "$tokens"

declare -A db=([context]=tx_context [signed]=tx_signed [signednew]=tx_signed [signed03]=tx_signed [held]=tx_held)
# Every variant takes its argument from an array of 1,000 (args[i % 1000 + 1]), so the loop itself costs the
# same in each: signednew's are 1,000 distinct tokens, the others' 1,000 copies of one value.
declare -A setter=([context]="tenantwall.set_tenant_context(args[i % 1000 + 1]::uuid)" [signed]="tenantwall.set_tenant_context(args[i % 1000 + 1])"
                   [signednew]="tenantwall.set_tenant_context(args[i % 1000 + 1])" [signed03]="tenantwall.set_tenant_context_03(args[i % 1000 + 1])"
                   [held]="tenantwall.set_tenant_context(args[i % 1000 + 1]::uuid)")
declare -A distinct=([context]=false [signed]=false [signednew]=true [signed03]=false [held]=false)
declare -A arg=([context]=$tenant [signed]=$token [signednew]=$token [signed03]=$token [held]=$tenant)
variants=(context held signed signednew signed03)
for d in tx_context tx_held; do
  psql -q -d $d -c "CREATE TABLE public.bench_tokens (i integer PRIMARY KEY, token text NOT NULL)" -c "GRANT SELECT ON public.bench_tokens TO tw_tx_app"
done
for v in "${variants[@]}"; do
  psql -q -d "${db[$v]}" -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE PROCEDURE public.tx_$v(n integer, arg text, INOUT us double precision DEFAULT NULL)
LANGUAGE plpgsql AS \$f\$
DECLARE
    args text[] := CASE WHEN ${distinct[$v]} THEN ARRAY(SELECT t.token FROM public.bench_tokens AS t ORDER BY t.i)
                        ELSE pg_catalog.array_fill(arg, ARRAY[1000]) END;
    t0 timestamptz := clock_timestamp();
BEGIN
    FOR i IN 1..n LOOP
        PERFORM ${setter[$v]};
        PERFORM * FROM public.items WHERE id = i % 2000 + 1;
        COMMIT;
    END LOOP;
    us := extract(epoch FROM clock_timestamp() - t0) * 1e6 / n;
END \$f\$;
GRANT USAGE ON SCHEMA public TO tw_tx_app;
SQL
done

# A run's cost is the backend's own CPU time per transaction (on-CPU nanoseconds from /proc/<pid>/schedstat,
# read by the backend itself before and after, as the superuser): what other processes on a shared machine do
# changes the wall clock, not this.
cpu_ns="SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)"
run() { psql -qAt -d "${db[$1]}" -c "$cpu_ns" -c "SET ROLE tw_tx_app" -c "CALL public.tx_$1($2, '${arg[$1]}')" -c "RESET ROLE" -c "$cpu_ns" |
        awk -v n="$2" 'NR == 1 { first = $1 } END { printf "%.4f\n", ($1 - first) / 1000 / n }'; }
# Every variant's lookup must find exactly the tenant's one row (100 tenants share each id), or it measures an
# empty or an unfiltered lookup.
for v in "${variants[@]}"; do
  literal="'${arg[$v]}'"
  call=${setter[$v]/args\[i % 1000 + 1\]/$literal}
  [[ ${distinct[$v]} == true ]] && call=${setter[$v]/args\[i % 1000 + 1\]/(SELECT token FROM public.bench_tokens WHERE i = 7)}
  seen=$(psql -qAt -d "${db[$v]}" -c "SET ROLE tw_tx_app" -c "BEGIN" -c "SELECT $call" \
    -c "SELECT count(*) || ':' || min(tenant_id::text) FROM public.items WHERE id = 7" -c "COMMIT" | sed -n 2p)
  [[ $seen == "1:$tenant" ]] || { echo "variant $v sees '$seen' for id 7, not the tenant's one row" >&2; exit 1; }
  run "$v" 100 >/dev/null
done
echo "PostgreSQL $(psql -qAt -c 'SHOW server_version'), $(nproc) cores, $(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -1)"
echo "$n one-lookup transactions per variant and round, $rounds rounds, $rows rows"
declare -A all
for r in $(seq 1 "$rounds"); do
  line="round $r:"
  for v in "${variants[@]}"; do
    us=$(run "$v" "$n")
    us=$(printf '%.3f' "$us")
    all[$v]+="$us "
    line+=" $v $us"
  done
  echo "$line µs CPU/transaction"
done
for v in "${variants[@]}"; do
  m=$(printf '%s\n' ${all[$v]} | median)
  printf 'median %-9s %7.3f µs CPU/transaction\n' "$v" "$m"
done
for v in signed signednew signed03 held; do
  python3 - "$v" "${all[context]}" "${all[$v]}" <<'PY'
import random, statistics, sys
name, base, cand = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
ratios = sorted(c / b for b, c in zip(base, cand))
random.seed(28)
boot = sorted(statistics.median(random.choices(cand, k=len(cand))) / statistics.median(random.choices(base, k=len(base))) for _ in range(2000))
# The rounds interleave the variants, so a round's ratio compares runs seconds apart: resampling rounds
# (pairs kept together) gives the interval of the median per-round ratio, which the machine's drift between
# rounds does not widen.
paired = sorted(statistics.median(random.choices(ratios, k=len(ratios))) for _ in range(2000))
print(f"ratio {name:<9} {statistics.median(cand) / statistics.median(base):.3f}x context (median of per-round ratios {statistics.median(ratios):.3f}x, "
      f"range {ratios[0]:.3f}-{ratios[-1]:.3f}, paired bootstrap 95% {paired[49]:.3f}-{paired[1949]:.3f}; "
      f"ratio of medians, bootstrap 95% {boot[49]:.3f}-{boot[1949]:.3f})")
PY
done
