#!/usr/bin/env bash
# Benchmark: what row-level security costs on a Citus cluster (issue #28), through the coordinator, with the
# coordinator's and the workers' CPU per transaction beside the throughput, in one run.
#
# A throwaway cluster (a coordinator and two workers on Unix sockets, scripts/lib/citus.sh, as LocalCluster
# starts them) with policies/workflow-platform-citus applied by `tenantwall apply`, 20,000 workflows of 50
# tenants. Every mode runs the same pgbench transaction (prepared, CLIENTS clients): BEGIN, the generated setter
# set_tenant_context(t) (SET LOCAL, carried to the worker), 10 primary-key lookups that name the tenant (one
# task each, on the tenant's shard: Citus's fast-path router), COMMIT. The modes differ in who asks and what
# the shards' policies are (each on a table of its own, colocated, the same rows):
#   bypass     a BYPASSRLS role on workflows: the baseline (no policy is applied anywhere)
#   generated  wf_app on workflows: the generated policies, as `tenantwall apply` writes them with the extension's
#              helpers (where the cluster can load it, else inline): the shards' policies call its C reader
#              itself, tenant_id = context_bigint('app.current_tenant_id') (Tenancy.shardPolicyReader)
#   plpgsql    wf_app on a table whose policy calls current_tenant_id(), the PL/pgSQL reader that inline helpers
#              generate (and the extension's did before): called once per shard query, CitusStatements.reader
#   sqlreader  wf_app on a table whose policy calls the reader as it was before, SQL over SQL (current_tenant_id()
#              -> context_bigint()): the planner inlines both, parsing and analysing their bodies again, at every
#              plan of every shard query
#   builtin    wf_app on a table whose policy is the hand-written one, with no tenantwall function in it:
#              USING (tenant_id = NULLIF(current_setting('app.current_tenant_id', true), '')::bigint)
#   column     wf_app on a table whose policy compares the tenant column with a constant, USING (tenant_id > 0):
#              what any predicate on the tenant column costs under RLS, with nothing read
#   true       wf_app on a table whose policy is USING (true): the cost of RLS itself, with no reader
#   shardsoff  wf_app on a table with the tenant policy on the coordinator and RLS disabled on every placement
# Rounds interleave the modes (the machine is shared: interleaving is what makes the ratios fair). Per mode:
# the median tps with its range over the rounds, the median of the per-round ratios to bypass with their range,
# the coordinator's and the workers' CPU per transaction (utime+stime of every process of the node, exited
# backends included, through the postmaster's cutime/cstime: /proc/<pid>/stat), the workers' kernel part of it
# (stime: socket and scheduler work for the round trips), and the workers' planning and
# execution time per shard query (pg_stat_statements with track_planning).
# Then, on the worker that holds tenant 3's shards, the shard query alone: a loop of LOOPS dynamic statements
# (each parsed, planned under the shard's policies and run, as the worker does with each task Citus sends),
# as each mode's role, interleaved rounds; µs per shard query, median and range. No coordinator, client or
# socket in the way: what the shard's policy adds to a query on the worker.
# With PERF_SECONDS set (and perf on the machine), last: each mode's pgbench again while `perf record` (cpu-clock,
# 2 kHz) samples the workers' backends for that many seconds; their CPU per transaction by shared object
# (postgres, the kernel, libc, citus.so, plpgsql.so, tenantwall.so): where what RLS adds on the workers is.
# Usage: [MODES="bypass generated …"] [PERF_SECONDS=8] scripts/bench-citus-cost.sh [rounds] [seconds] [clients] [loops]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}; seconds=${2:-3}; clients=${3:-2}; loops=${4:-5000}
source scripts/lib/citus.sh
bin=.build/debug/tenantwall; [ -x .build/release/tenantwall ] && bin=.build/release/tenantwall
[ -x "$bin" ] || swift build --product tenantwall >/dev/null
dir=$(mktemp -d); work=$(mktemp -d); trap 'citus_stop "$dir"; rm -rf "$work"' EXIT
chmod 755 "$dir"
citus_start "$dir" 2 "wf_owner wf_app wf_admin wf_support tw_bench_bypass" shared_buffers=128MB pg_stat_statements.track_planning=on
citus_db "$dir" bench
c=$dir/c
# The example with the extension's helpers where every node can load it (scripts/setup.sh installs it; Citus
# creates it on the workers), else as written (inline), with a note.
native=$(citus_psql "$c" bench -At -c "SELECT count(*) > 0 FROM pg_available_extensions WHERE name = 'tenantwall'")
mkdir "$work/spec"
if [ "$native" = t ]; then
  sed 's/^\(  helpers: \)inline /\1extension /' policies/workflow-platform-citus/workflow-platform-citus.yaml > "$work/spec/spec.yaml"
  grep -q '^  helpers: extension ' "$work/spec/spec.yaml" || { echo "the example's helpers line has moved: this script cannot switch it" >&2; exit 2; }
else
  echo "the tenantwall extension is not installed on this server: generated runs with inline helpers (PL/pgSQL reader)" >&2
  cp policies/workflow-platform-citus/workflow-platform-citus.yaml "$work/spec/spec.yaml"
fi
"$bin" apply --spec "$work/spec" --database "host=$c user=postgres dbname=bench" >/dev/null

citus_psql "$c" bench >/dev/null <<'SQL'
SET citus.multi_task_query_log_level = 'off';
INSERT INTO tenants (id, slug) SELECT g, 't' || g FROM generate_series(1, 50) AS g;
INSERT INTO workflows (tenant_id, id, name, definition) OVERRIDING SYSTEM VALUE
SELECT 1 + g % 50, g, 'workflow ' || g, '{}' FROM generate_series(1, 20000) AS g;
CREATE ROLE tw_bench_bypass LOGIN BYPASSRLS;
GRANT USAGE ON SCHEMA tenantwall TO tw_bench_bypass;
GRANT EXECUTE ON FUNCTION tenantwall.set_tenant_context(bigint) TO tw_bench_bypass;
GRANT SELECT ON workflows TO tw_bench_bypass;
-- The PL/pgSQL reader, as inline helpers generate it (with the extension's helpers it calls the C reader).
-- The 0.4.0 reader: a SQL function over a SQL function, both inlined (and re-analysed) at every plan.
CREATE FUNCTION tenantwall.bench_context_bigint(setting text) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(pg_catalog.current_setting(setting, true), '')::pg_catalog.int8 $$;
CREATE FUNCTION tenantwall.bench_sql_reader() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT tenantwall.bench_context_bigint('app.current_tenant_id') $$;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['bench_plpgsql', 'bench_sqlreader', 'bench_builtin', 'bench_column', 'bench_true', 'bench_shardsoff'] LOOP
        EXECUTE format('CREATE TABLE %I (LIKE workflows INCLUDING DEFAULTS INCLUDING INDEXES)', t);
        EXECUTE format('ALTER TABLE %I OWNER TO wf_owner', t);
        PERFORM create_distributed_table(t, 'tenant_id', colocate_with => 'workflows');
        EXECUTE format('INSERT INTO %I SELECT * FROM workflows', t);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY bench ON %I FOR SELECT TO wf_app USING (%s)', t,
                       CASE t WHEN 'bench_true' THEN 'true' WHEN 'bench_sqlreader' THEN 'tenant_id = tenantwall.bench_sql_reader()'
                              WHEN 'bench_builtin' THEN $b$tenant_id = NULLIF(pg_catalog.current_setting('app.current_tenant_id', true), '')::pg_catalog.int8$b$
                              WHEN 'bench_column' THEN 'tenant_id > 0'
                              ELSE 'tenant_id = tenantwall.current_tenant_id()' END);
        EXECUTE format('GRANT SELECT ON %I TO wf_app', t);
    END LOOP;
END $$;
-- The worker-side loop: parse, plan and run the shard query n times, as the worker does with each task.
CREATE FUNCTION public.bench_shard_loop(shard regclass, n integer) RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz := pg_catalog.clock_timestamp();
    query text := pg_catalog.format('SELECT name FROM %s WHERE tenant_id = 3 AND id = 52', shard);
    got text;
BEGIN
    FOR i IN 1..n LOOP
        EXECUTE query INTO got;
    END LOOP;
    IF got IS NULL THEN
        RAISE EXCEPTION 'no row in %', shard;
    END IF;
    RETURN extract(epoch FROM pg_catalog.clock_timestamp() - started) * 1e6 / n;
END $$;
GRANT EXECUTE ON FUNCTION public.bench_shard_loop(regclass, integer) TO PUBLIC;
SELECT count(*) FROM run_command_on_placements('bench_shardsoff', 'ALTER TABLE %s NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY');
ANALYZE;
SQL

# The walled tables wall: a tenant sees its 400 rows, none of another's (true and shardsoff are the ablations
# that do not: they measure what RLS costs, not a wall).
for t in workflows bench_plpgsql bench_sqlreader bench_builtin; do
  got=$(psql -X -At -h "$c" -U wf_app bench -c BEGIN -c "SELECT tenantwall.set_tenant_context(3)" -c "SET LOCAL citus.multi_task_query_log_level = off" \
        -c "SELECT count(*) || '/' || count(*) FILTER (WHERE tenant_id <> 3) FROM $t" -c COMMIT | sed -n 's/^\([0-9]*\/[0-9]*\)$/\1/p')
  [ "$got" = "400/0" ] || { echo "$t: tenant 3 saw $got rows (expected 400/0)" >&2; exit 1; }
done

# The transaction: a tenant, its context, 10 lookups of its own workflows (id = 50k + t - 1).
for t in workflows bench_plpgsql bench_sqlreader bench_builtin bench_column bench_true bench_shardsoff; do
  { echo '\set t random(1, 50)'; echo 'BEGIN;'; echo 'SELECT tenantwall.set_tenant_context(:t);'
    for i in $(seq 1 10); do echo "\\set i 50 * random(1, 399) + :t - 1"; echo "SELECT name FROM $t WHERE tenant_id = :t AND id = :i;"; done
    echo 'COMMIT;'; } > "$work/$t.sql"
done

# A node's CPU in clock ticks: the postmaster and its exited children (cutime, cstime) and its live children;
# node_ticks NODE sys: the kernel's part alone (stime, cstime).
node_ticks() {
  local pm; pm=$(head -1 "$1/data/postmaster.pid")
  local own='$14 + $15 + $16 + $17' child='$14 + $15'
  [ "${2:-}" = sys ] && own='$15 + $17' child='$15'
  { awk "{print $own}" "/proc/$pm/stat"
    for p in $(pgrep -P "$pm"); do awk "{print $child}" "/proc/$p/stat" 2>/dev/null || true; done; } | awk '{s += $1} END {print s}'
}
workers_ticks() { echo $(( $(node_ticks "$dir/w1" "${1:-}") + $(node_ticks "$dir/w2" "${1:-}") )); }
tick_us=$((1000000 / $(getconf CLK_TCK)))
modes=${MODES:-"bypass generated plpgsql sqlreader builtin column true shardsoff"}
declare -A role=([bypass]=tw_bench_bypass [generated]=wf_app [plpgsql]=wf_app [sqlreader]=wf_app [builtin]=wf_app [column]=wf_app [true]=wf_app
                 [shardsoff]=wf_app)
declare -A table=([bypass]=workflows [generated]=workflows [plpgsql]=bench_plpgsql [sqlreader]=bench_sqlreader [builtin]=bench_builtin [column]=bench_column
                  [true]=bench_true [shardsoff]=bench_shardsoff)
results=$work/results; : > "$results"
echo "Citus $(citus_psql "$c" bench -At -c "SELECT extversion FROM pg_extension WHERE extname = 'citus'") on $(citus_psql "$c" bench -At -c 'SHOW server_version'), 2 workers; $clients clients, $rounds rounds of ${seconds}s, $(nproc) cores"
printf '%-5s %-10s %9s %14s %14s %14s %12s %12s\n' round mode tps "coord µs/tx" "workers µs/tx" "of it kernel" "plan µs/q" "exec µs/q"
for r in $(seq 1 "$rounds"); do
  for m in $modes; do
    for n in "$dir"/w*; do citus_psql "$n" bench -c 'SELECT pg_stat_statements_reset()' >/dev/null; done
    c0=$(node_ticks "$c"); w0=$(workers_ticks); k0=$(workers_ticks sys)
    out=$(pgbench -n -M prepared -c "$clients" -j "$clients" -T "$seconds" -h "$c" -U "${role[$m]}" -f "$work/${table[$m]}.sql" bench 2>&1)
    sleep 0.5   # the backends exit and are reaped: their CPU moves to the postmaster's cutime
    c1=$(node_ticks "$c"); w1=$(workers_ticks); k1=$(workers_ticks sys)
    tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")
    [ -n "$tx" ] && [ "$tx" -gt 0 ] && ! grep -q 'number of failed transactions: [1-9]' <<<"$out" || { echo "$m failed: $out" >&2; exit 1; }
    pe=$(for n in "$dir"/w*; do citus_psql "$n" bench -At -F' ' -c "SELECT coalesce(sum(calls), 0), coalesce(sum(total_plan_time), 0), coalesce(sum(total_exec_time), 0)
                                                  FROM pg_stat_statements WHERE query LIKE 'SELECT name FROM public.${table[$m]}_%'"; done |
         awk '{c += $1; p += $2; e += $3} END {printf "%.1f %.1f", p * 1000 / c, e * 1000 / c}')
    read -r plan exec <<<"$pe"
    coord=$(( (c1 - c0) * tick_us / tx )); workers=$(( (w1 - w0) * tick_us / tx )); kernel=$(( (k1 - k0) * tick_us / tx ))
    printf '%-5s %-10s %9.0f %14s %14s %14s %12s %12s\n' "$r" "$m" "$tps" "$coord" "$workers" "$kernel" "$plan" "$exec"
    echo "$r $m $tps $coord $workers $plan $exec $kernel" >> "$results"
  done
done

echo
echo "Medians over $rounds rounds (range in brackets); ratio: the median of each round's tps against bypass's in that round"
printf '%-10s %20s %22s %16s %16s %16s %16s %12s\n' mode tps "ratio to bypass" "coord µs/tx" "workers µs/tx" "of it kernel" "plan µs/query" "exec µs/q"
med() { sort -n | awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%s [%s … %s]", m, a[1], a[NR]}'; }
for m in $modes; do
  col() { awk -v m="$m" -v k="$1" '$2 == m {print $k}' "$results"; }
  ratio=$(awk -v m="$m" '$2 == "bypass" {b[$1] = $3} $2 == m {r[$1] = $3} END {for (k in r) printf "%.3f\n", r[k] / b[k]}' "$results" | med)
  printf '%-10s %20s %22s %16s %16s %16s %16s %12s\n' "$m" "$(col 3 | awk '{printf "%.0f\n", $1}' | med)" "$ratio" "$(col 4 | med)" "$(col 5 | med)" "$(col 8 | med)" "$(col 6 | med)" "$(col 7 | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')"
done

# The shard query alone, on the worker that holds tenant 3's shards (colocated: the same worker for every table).
# CPU time when perf can count it (task-clock of the worker's postmaster and the backend it forks for the loop:
# the machine is shared, and a descheduled backend's wall time is not its cost), else wall time.
worker=$(citus_psql "$c" bench -At -c "SELECT nodename FROM pg_dist_placement JOIN pg_dist_node USING (groupid) WHERE shardid = get_shard_id_for_distribution_column('workflows', 3)")
postmaster=$(head -1 "$worker/data/postmaster.pid")
clock=wall; perf stat -x, -e task-clock -o /dev/null -- true 2>/dev/null && clock=cpu
echo
echo "On the worker, the shard query alone (tenant 3's shard, parse + plan + run, $loops per round): $clock µs per query"
shard_of() { citus_psql "$c" bench -At -c "SELECT shard_name('$1'::regclass, get_shard_id_for_distribution_column('$1', 3))"; }
loopres=$work/loop; : > "$loopres"
for r in $(seq 1 "$rounds"); do
  line="$r"
  for m in $modes; do
    shard=$(shard_of "${table[$m]}")
    loop=(psql -X -q -v ON_ERROR_STOP=1 -h "$worker" -U postgres -d bench -At -c "SET citus.override_table_visibility = off"
          -c "SET ROLE ${role[$m]}" -c "SET app.current_tenant_id = 3" -c "SELECT round(public.bench_shard_loop('$shard', $loops)::numeric, 2)")
    if [ "$clock" = cpu ]; then
      perf stat -x, -e task-clock -p "$postmaster" -o "$work/perf" -- "${loop[@]}" >/dev/null
      us=$(awk -F, -v n="$loops" '/task-clock/ {printf "%.2f", $1 * 1000 / n}' "$work/perf")
    else
      us=$("${loop[@]}")
    fi
    line="$line $m=$us"; echo "$r $m $us" >> "$loopres"
  done
  echo "round $line"
done
printf '%-10s %24s %22s\n' mode "µs per shard query" "added to bypass (µs)"
for m in $modes; do
  added=$(awk -v m="$m" '$2 == "bypass" {b[$1] = $3} $2 == m {r[$1] = $3} END {for (k in r) printf "%.2f\n", r[k] - b[k]}' "$loopres" | med)
  printf '%-10s %24s %22s\n' "$m" "$(awk -v m="$m" '$2 == m {print $3}' "$loopres" | med)" "$added"
done

# Where the workers' CPU goes, by shared object (PERF_SECONDS): the backends serving each mode's pgbench, found
# once it has connected (children of the workers' postmasters on this database), sampled for PERF_SECONDS.
if [ -n "${PERF_SECONDS:-}" ]; then
  if ! command -v perf >/dev/null 2>&1 || ! perf record -q -e cpu-clock -o /dev/null -- true >/dev/null 2>&1; then
    echo "perf cannot sample here (Debian's linux-perf, and kernel.perf_event_paranoid): the profile is left out" >&2
    exit 0
  fi
  echo
  echo "On the workers, by shared object (perf, cpu-clock at 2 kHz, ${PERF_SECONDS}s per mode): µs per transaction"
  printf '%-10s %8s %10s %10s %8s %8s %8s %8s %10s
' mode tps all postgres kernel libc citus plpgsql tenantwall
  for m in $modes; do
    pgbench -n -M prepared -c "$clients" -j "$clients" -T $((PERF_SECONDS + 3)) -h "$c" -U "${role[$m]}" -f "$work/${table[$m]}.sql" bench > "$work/perf.out" 2>&1 &
    bench_pid=$!
    sleep 2
    pids=$(for n in "$dir"/w*; do pgrep -P "$(head -1 "$n/data/postmaster.pid")" -f ' bench ' || true; done | paste -sd,)
    perf record -q -e cpu-clock -F 2000 -p "$pids" -o "$work/perf.data" -- sleep "$PERF_SECONDS" >/dev/null 2>&1 || true
    wait "$bench_pid"
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/perf.out")
    perf report -i "$work/perf.data" --no-children --sort dso -g none --stdio -n > "$work/perf.txt" 2>/dev/null || true
    grep '%' "$work/perf.txt" |
      awk -v m="$m" -v tps="$tps" -v secs="$PERF_SECONDS" '{n[$3] = $2; t += $2}
        END {us = 500 / (tps * secs); printf "%-10s %8.0f %10.0f %10.0f %8.0f %8.0f %8.0f %8.1f %10.1f\n", m, tps, t * us, n["postgres"] * us,
             n["[kernel.kallsyms]"] * us, n["libc.so.6"] * us, n["citus.so"] * us, n["plpgsql.so"] * us, n["tenantwall.so"] * us}' || true
  done
fi
