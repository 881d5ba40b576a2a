# Shell helpers for benchmark scripts: a throwaway PostgreSQL in a temp dir on a Unix socket.
# pg_start DIR [extra postgres -c settings…] ; pg_stop DIR. Sets PGHOST, PGUSER for the caller.
pg_bin() { "$(command -v pg_config)" --bindir; }
pg_as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_start() {
  local dir=$1; shift
  mkdir -p "$dir"; [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  pg_as "$(pg_bin)/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
  local opts="-c listen_addresses='' -k $dir"
  for o in "$@"; do opts="$opts -c $o"; done
  pg_as "$(pg_bin)/pg_ctl" -D "$dir/data" -o "$opts" -l "$dir/log" -w start >/dev/null
  export PGHOST=$dir PGUSER=postgres
}
pg_stop() { pg_as "$(pg_bin)/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$1"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# bench_dataset DIR ROWS [SETTING=VALUE...]: starts a throwaway server in DIR (with the settings) and builds the
# built-in bench dataset there (tenantwall bench --keep, the release binary when built, else the debug one);
# exports PGDATABASE as the kept scratch database.
bench_dataset() {
  local bin=.build/release/tenantwall dir=$1 rows=$2; shift 2
  [ -x "$bin" ] || { bin=.build/debug/tenantwall; swift build --product tenantwall >/dev/null 2>&1; }
  pg_start "$dir" shared_buffers=256MB "$@"
  PGDATABASE=$("$bin" bench --database "host=$PGHOST user=postgres dbname=postgres" --keep --rows "$rows" --tenants 100 \
      --workload point --rounds 1 --seconds 0.1 | sed -n 's/^kept scratch database //p')
  export PGDATABASE
}
