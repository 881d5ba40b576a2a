#!/usr/bin/env bash
# Benchmark: applying N small migration files (default 1000) to an empty database with tenantwall migrate,
# against (a) `psql -1` on the same SQL concatenated into one file (the floor) and (b) Sqitch deploying the
# same changes (apt: sqitch libdbd-pg-perl; skipped if absent). Rounds interleave the three tools, each on a
# fresh database, on a server with default durability (fsync and synchronous_commit on). Then times
# `tenantwall status` on the N applied files. Usage: scripts/bench-migrate.sh [files] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/pg.sh
files=${1:-1000}; rounds=${2:-3}
swift build -c release --product tenantwall >/dev/null 2>&1
bin=$PWD/.build/release/tenantwall
work=$(mktemp -d); chmod 755 "$work"; trap 'pg_stop "$work/pg"; rm -rf "$work"' EXIT
pg_start "$work/pg"

mkdir -p "$work/migrations" "$work/sqitch/deploy"
printf '%%syntax-version=1.0.0\n%%project=bench\n\n' > "$work/sqitch/sqitch.plan"
printf '[core]\n\tengine = pg\n\tplan_file = sqitch.plan\n\ttop_dir = .\n' > "$work/sqitch/sqitch.conf"
for i in $(seq 1 "$files"); do
  sql="CREATE TABLE t$i (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, body text);
CREATE INDEX t${i}_tenant ON t$i (tenant_id);"
  printf '%s\n' "$sql" > "$work/migrations/$(printf 'V%05d__table_%d.sql' "$i" "$i")"
  printf 'BEGIN;\n%s\nCOMMIT;\n' "$sql" > "$work/sqitch/deploy/c$i.sql"
  printf '%s\n' "$sql" >> "$work/all.sql"
  printf 'c%d 2026-01-01T00:00:00Z Bench <bench@example.com> # table %d\n' "$i" "$i" >> "$work/sqitch/sqitch.plan"
done
have_sqitch=0; command -v sqitch >/dev/null && have_sqitch=1
declare -a tw floor sq
for r in $(seq 1 "$rounds"); do
  createdb "tw$r"; createdb "floor$r"; createdb "sq$r"
  t0=$(now_ms); "$bin" migrate --migrations "$work/migrations" --database "host=$PGHOST dbname=tw$r user=postgres" >/dev/null; t1=$(now_ms)
  tw+=($((t1 - t0)))
  t0=$(now_ms); psql -q -1 -v ON_ERROR_STOP=1 -d "floor$r" -f "$work/all.sql" >/dev/null; t1=$(now_ms)
  floor+=($((t1 - t0)))
  if [ $have_sqitch = 1 ]; then
    t0=$(now_ms); (cd "$work/sqitch" && sqitch --quiet deploy "db:pg:sq$r" >/dev/null); t1=$(now_ms)
    sq+=($((t1 - t0)))
  fi
  echo "round $r: tenantwall ${tw[-1]} ms, psql -1 ${floor[-1]} ms${sq:+, sqitch ${sq[-1]} ms}"
done
m_tw=$(printf '%s\n' "${tw[@]}" | median); m_floor=$(printf '%s\n' "${floor[@]}" | median)
echo "median over $rounds rounds, $files files: tenantwall $m_tw ms, psql -1 $m_floor ms ($(awk -v a="$m_tw" -v b="$m_floor" 'BEGIN{printf "%.2f", a/b}')x the floor)"
if [ $have_sqitch = 1 ]; then
  m_sq=$(printf '%s\n' "${sq[@]}" | median)
  echo "sqitch $m_sq ms: tenantwall is $(awk -v a="$m_sq" -v b="$m_tw" 'BEGIN{printf "%.1f", a/b}')x faster"
else
  echo "sqitch not installed (apt-get install sqitch libdbd-pg-perl): comparison skipped"
fi
st=()
for i in 1 2 3 4 5; do
  t0=$(now_ms); "$bin" status --migrations "$work/migrations" --database "host=$PGHOST dbname=tw1 user=postgres" >/dev/null; t1=$(now_ms)
  st+=($((t1 - t0)))
done
echo "status on $files applied files: median $(printf '%s\n' "${st[@]}" | median) ms over 5 runs (${st[*]})"
