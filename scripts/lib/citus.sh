# Shell helpers for Citus benchmarks: a throwaway coordinator and workers, each on its own Unix socket directory
# under DIR, all on port 5432, as LocalCluster (Sources/LocalPostgres) starts them: the workers admit the
# cluster's roles only from the OS user the backends run as (peer with a user map), as pg_hba on a real cluster
# admits them only from the coordinator.
# citus_start DIR WORKERS "ROLE…" [extra postgres -c settings…]: nodes in DIR/c (coordinator), DIR/w1, DIR/w2…
# citus_db DIR DB: creates DB with citus on every node and registers the workers. citus_stop DIR.
citus_bin() { "$(command -v pg_config)" --bindir; }
citus_as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
citus_node_start() {
  local dir=$1 hba=$2 ident=$3; shift 3
  mkdir -p "$dir"; [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  citus_as "$(citus_bin)/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
  if [ -n "$hba" ]; then
    printf '%s\n' "$hba" | citus_as tee "$dir/data/pg_hba.conf" >/dev/null
    printf '%s\n' "$ident" | citus_as tee "$dir/data/pg_ident.conf" >/dev/null
  fi
  local opts="-c listen_addresses='' -k $dir -c shared_preload_libraries=citus,pg_stat_statements -c wal_level=logical"
  opts="$opts -c max_worker_processes=32 -c citus.node_conninfo=sslmode=disable -c citus.local_hostname=$dir"
  for o in "$@"; do opts="$opts -c $o"; done
  citus_as "$(citus_bin)/pg_ctl" -D "$dir/data" -o "$opts" -l "$dir/log" -w start >/dev/null
}
citus_start() {
  local dir=$1 workers=$2 roles=$3; shift 3
  local me; me=$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)
  local ident="cluster $me postgres" r
  for r in $roles; do ident="$ident
cluster $me $r"; done
  [ "$(id -un)" != "$me" ] && ident="$ident
cluster $(id -un) postgres"
  citus_node_start "$dir/c" "" "" "$@"
  local i; for i in $(seq 1 "$workers"); do
    citus_node_start "$dir/w$i" "local all all peer map=cluster" "$ident" "$@"
  done
  CITUS_WORKERS=$workers; export CITUS_WORKERS
}
citus_psql() { local node=$1 db=$2; shift 2; psql -X -q -v ON_ERROR_STOP=1 -h "$node" -U postgres -d "$db" "$@"; }
citus_db() {
  local dir=$1 db=$2 node
  for node in "$dir/c" "$dir"/w*; do
    citus_psql "$node" postgres -c "CREATE DATABASE $db" 
    citus_psql "$node" "$db" -c "CREATE EXTENSION citus" -c "CREATE EXTENSION pg_stat_statements"
  done
  citus_psql "$dir/c" "$db" -c "SELECT citus_set_coordinator_host('$dir/c', 5432)" >/dev/null
  for node in "$dir"/w*; do citus_psql "$dir/c" "$db" -c "SELECT citus_add_node('$node', 5432)" >/dev/null; done
}
citus_stop() {
  local node; for node in "$1/c" "$1"/w*; do
    [ -d "$node/data" ] && citus_as "$(citus_bin)/pg_ctl" -D "$node/data" -m fast -w stop >/dev/null 2>&1
  done
  rm -rf "$1"
}
