#!/usr/bin/env bash
# Benchmark: `tenantwall audit --database` on a catalog of N tables (default 500) with 4 policies each
# (2,000 policies), built in a throwaway PostgreSQL. Release build, warm-up, then R timed runs of the whole
# process (connect, read the catalog, parse every policy, run every rule); prints each run and the median, and
# the median without the rules that read the solver's judgement of each effective predicate (issue #31).
# Usage: scripts/bench-audit.sh [tables] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/pg.sh
tables=${1:-500}; runs=${2:-7}
swift build -c release --product tenantwall >/dev/null 2>&1
bin_check=.build/release/tenantwall; [ -x "$bin_check" ] || { echo "release build failed" >&2; exit 2; }
work=$(mktemp -d); chmod 755 "$work"; trap 'pg_stop "$work/pg"; rm -rf "$work"' EXIT
pg_start "$work/pg"
createdb bench
psql -q -d bench -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE bench_app NOLOGIN;
DO \$\$
BEGIN
  FOR i IN 1..$tables LOOP
    EXECUTE format('CREATE TABLE t%s (tenant_id uuid NOT NULL, id bigint, body text, PRIMARY KEY (tenant_id, id))', i);
    EXECUTE format('ALTER TABLE t%s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', i);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON t%s TO bench_app', i);
    EXECUTE format('CREATE POLICY s ON t%s FOR SELECT TO bench_app USING (tenant_id = (SELECT NULLIF(current_setting(''app.tenant'', true), '''')::uuid))', i);
    EXECUTE format('CREATE POLICY i ON t%s FOR INSERT TO bench_app WITH CHECK (tenant_id = (SELECT NULLIF(current_setting(''app.tenant'', true), '''')::uuid))', i);
    EXECUTE format('CREATE POLICY u ON t%s FOR UPDATE TO bench_app USING (tenant_id = (SELECT NULLIF(current_setting(''app.tenant'', true), '''')::uuid))', i);
    EXECUTE format('CREATE POLICY d ON t%s FOR DELETE TO bench_app USING (tenant_id = (SELECT NULLIF(current_setting(''app.tenant'', true), '''')::uuid))', i);
  END LOOP;
END \$\$;
SQL
echo "catalog: $(psql -Atd bench -c 'select count(*) from pg_class where relkind = $$r$$ and relnamespace = $$public$$::regnamespace') tables, $(psql -Atd bench -c 'select count(*) from pg_policy') policies"
bin=.build/release/tenantwall
"$bin" audit --database "host=$PGHOST dbname=bench user=postgres" --format json > "$work/out.json" || true
echo "findings: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"])' "$work/out.json")"
# pgrls, when installed (pip install pgrls, or PGRLS=/path/to/pgrls), runs in the same rounds, interleaved.
pgrls=${PGRLS:-$(command -v pgrls || true)}
url="postgresql://postgres@/bench?host=$PGHOST"
ms=(); other=()
for r in $(seq 1 "$runs"); do
  t0=$(now_ms); "$bin" audit --database "host=$PGHOST dbname=bench user=postgres" --format json >/dev/null || true; t1=$(now_ms)
  ms+=($((t1 - t0))); line="run $r: tenantwall $((t1 - t0)) ms"
  if [ -n "$pgrls" ]; then
    t0=$(now_ms); "$pgrls" lint --database-url "$url" >/dev/null 2>&1 || true; t1=$(now_ms)
    other+=($((t1 - t0))); line="$line, pgrls $((t1 - t0)) ms"
  fi
  echo "$line"
done
median_ms=$(printf '%s\n' "${ms[@]}" | median)
echo "median: tenantwall $median_ms ms over $runs runs (whole process, every rule)"
# The solver's share: the same runs with the rules that read its judgement off (the judgement is then never made).
printf 'rules:\n  TW106: off\n  TW107: off\n  TW108: off\n  TW110: off\n  TW138: off\n' > "$work/no-solver.yaml"
plain=()
for r in $(seq 1 "$runs"); do
  t0=$(now_ms); "$bin" audit --database "host=$PGHOST dbname=bench user=postgres" --config "$work/no-solver.yaml" --format json >/dev/null || true; t1=$(now_ms)
  plain+=($((t1 - t0)))
done
echo "median without the solver's rules: $(printf '%s\n' "${plain[@]}" | median) ms (the effective predicates' judgement costs the difference)"
if [ -n "$pgrls" ]; then
  other_ms=$(printf '%s\n' "${other[@]}" | median)
  echo "median: pgrls $other_ms ms ($("$pgrls" --version 2>&1 | tail -1)); tenantwall is $(python3 -c "print(f'{$other_ms / max($median_ms, 1):.1f}')")x faster"
else
  echo "pgrls not installed (pip install pgrls, or PGRLS=…): no comparison"
fi
