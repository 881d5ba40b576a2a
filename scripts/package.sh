#!/usr/bin/env bash
# Builds the release artifacts from this checkout, for machines without a Swift toolchain:
#   dist/tenantwall-<version>-linux-<arch>.tar.gz   bin/tenantwall, share/tenantwall/sql (the extension), README
#   dist/tenantwall_<version>_<debarch>.deb         /usr/bin/tenantwall, /usr/share/tenantwall/sql, Depends from ldd
#   dist/SHA256SUMS
# The binary links the Swift runtime and libpg_query (PostgreSQL 18 grammar) statically; what remains are
# Debian libraries (libpq5, libc6, libstdc++6, libgcc-s1, OpenSSL through libpq).
#
#   scripts/package.sh           build the artifacts
#   scripts/package.sh --check   build, then install both as a user would, with no Swift toolchain in sight,
#                                and run --version, check, generate and audit from each (plus dpkg-deb --info,
#                                lintian when installed, and startup times against the development build)
set -euo pipefail
cd "$(dirname "$0")/.."
check=no; [ "${1:-}" = "--check" ] && check=yes
scripts/setup.sh >/dev/null

version=$(sed -nE 's/.*static let version = "([^"]+)".*/\1/p' Sources/MigrateCLI/BuildInfo.swift)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
git diff --quiet 2>/dev/null || commit="$commit-dirty"
arch=$(uname -m); debarch=$(dpkg --print-architecture)
name="tenantwall-$version-linux-$arch"
mkdir -p dist

# The commit goes into the binary for this build only; the file is restored however the build ends.
cp Sources/MigrateCLI/BuildInfo.swift .build-buildinfo.swift
trap 'mv -f .build-buildinfo.swift Sources/MigrateCLI/BuildInfo.swift' EXIT
sed -i -E "s/static let commit = \"[^\"]*\"/static let commit = \"$commit\"/" Sources/MigrateCLI/BuildInfo.swift
echo "building tenantwall $version ($commit), release, Swift runtime linked statically" >&2
build_log=$(mktemp)
if ! swift build -c release --static-swift-stdlib --scratch-path .build-release --product tenantwall >"$build_log" 2>&1; then
  grep -E 'error' "$build_log" >&2 || tail -20 "$build_log" >&2; echo "release build failed" >&2; exit 2
fi
rm -f "$build_log"
mv -f .build-buildinfo.swift Sources/MigrateCLI/BuildInfo.swift; trap - EXIT
binary=.build-release/release/tenantwall
strip -o "dist/tenantwall.stripped" "$binary"

# Tarball.
stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/bin" "$stage/$name/share/tenantwall/sql"
install -m 755 dist/tenantwall.stripped "$stage/$name/bin/tenantwall"
cp -r sql/Makefile sql/tenantwall.control sql/tenantwall.c sql/tenantwall--*.sql "$stage/$name/share/tenantwall/sql/"
cat > "$stage/$name/README" <<EOF
tenantwall $version (commit $commit): tenant isolation for multi-tenant PostgreSQL that you can prove.

  bin/tenantwall --help           the commands (check, generate, plan, apply, migrate, status, verify, audit, ...)
  share/tenantwall/sql            the tenantwall extension: make -C share/tenantwall/sql install (needs PGXS)

Runs on Debian 12 / Ubuntu 22.04+ x86_64 with libpq5 installed (apt-get install libpq5).
Exit codes: 0 ok, 1 findings or differences, 2 usage or tool error (migrate: 3 lock not acquired).
EOF
tar -C "$stage" -czf "dist/$name.tar.gz" "$name"

# Debian package: Depends from the libraries the binary names itself (ELF NEEDED), mapped to their packages.
deps=$(objdump -p dist/tenantwall.stripped | awk '/NEEDED/ {print $2}' | while read -r soname; do
  lib=$(ldd dist/tenantwall.stripped | awk -v s="$soname" '$1 == s {print $3}')
  if [ -n "$lib" ]; then dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true; fi
done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')
pkg="$stage/deb"
mkdir -p "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/share/tenantwall/sql" "$pkg/usr/share/doc/tenantwall"
install -m 755 dist/tenantwall.stripped "$pkg/usr/bin/tenantwall"
cp sql/Makefile sql/tenantwall.control sql/tenantwall.c sql/tenantwall--*.sql "$pkg/usr/share/tenantwall/sql/"
chmod 644 "$pkg/usr/share/tenantwall/sql/"*
gzip -9n -c > "$pkg/usr/share/doc/tenantwall/changelog.gz" <<EOF
tenantwall ($version) unstable; urgency=medium

  * Release $version, built from commit $commit.

 -- tenantwall maintainers <tenantwall@localhost>  $(date -R)
EOF
cat > "$pkg/usr/share/doc/tenantwall/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: tenantwall
Files: *
Copyright: the tenantwall authors
License: none-stated
 No licence has been chosen for this software yet.
EOF
cat > "$pkg/DEBIAN/control" <<EOF
Package: tenantwall
Version: $version
Architecture: $debarch
Maintainer: tenantwall maintainers <tenantwall@localhost>
Depends: $deps
Section: database
Priority: optional
Installed-Size: $(du -sk "$pkg/usr" | cut -f1)
Description: tenant isolation for multi-tenant PostgreSQL that you can prove
 Generates row-level security policies, helpers, grants and partition DDL from a
 YAML spec, runs migrations safely, audits databases and migration files, and
 verifies on a live database that no tenant can reach another's rows.
EOF
find "$pkg" -type d -exec chmod 755 {} +
deb="dist/tenantwall_${version}_$debarch.deb"
dpkg-deb --root-owner-group --build "$pkg" "$deb" >/dev/null
rm -f dist/tenantwall.stripped
(cd dist && sha256sum "$name.tar.gz" "$(basename "$deb")" > SHA256SUMS)
echo "dist/$name.tar.gz"; echo "$deb"; echo "dist/SHA256SUMS"

[ "$check" = yes ] || exit 0

# --- Install check: as a user on a machine with no Swift toolchain would.
fail() { echo "package check FAILED: $*" >&2; exit 1; }
(cd dist && sha256sum -c SHA256SUMS >/dev/null) || fail "SHA256SUMS do not match"
no_swift_env=(env -i HOME="$HOME" PATH=/usr/bin:/bin LANG=C.UTF-8)
try_binary() {  # $1: path to an installed tenantwall
  local bin=$1 out
  if ldd "$bin" | grep -qiE 'swift|Foundation|dispatch|pg_query'; then fail "$bin loads a Swift or libpg_query library: $(ldd "$bin" | grep -iE 'swift|Foundation|dispatch|pg_query')"; fi
  out=$("${no_swift_env[@]}" "$bin" --version) || fail "$bin --version"
  grep -q "tenantwall $version (commit $commit, PostgreSQL 18.6 grammar)" <<<"$out" || fail "unexpected version: $out"
  "${no_swift_env[@]}" "$bin" version --format json | grep -q "\"grammar\" : \"18.6\"" || fail "version --format json"
  for spec in policies/*/; do
    "${no_swift_env[@]}" "$bin" check --spec "$spec" >/dev/null || fail "check $spec"
    "${no_swift_env[@]}" "$bin" generate --spec "$spec" --stdout | grep -q "CREATE POLICY" || fail "generate $spec"
    "${no_swift_env[@]}" "$bin" audit --spec "$spec" --format sarif >/dev/null || fail "audit --spec $spec"
  done
  local migrations; migrations=$(mktemp -d)
  printf 'CREATE INDEX i ON t (a);\n' > "$migrations/V1__i.sql"
  local status=0; "${no_swift_env[@]}" "$bin" audit --migrations "$migrations" --fail-on warning >/dev/null || status=$?
  rm -rf "$migrations"
  [ "$status" = 1 ] || fail "audit --migrations should find TW501 (exit 1), got $status"
  echo "ok: $bin (no Swift library loaded; --version, check, generate, audit on every example)"
}
unpacked=$(mktemp -d); tar -C "$unpacked" -xzf "dist/$name.tar.gz"
try_binary "$unpacked/$name/bin/tenantwall"
root=$(mktemp -d); dpkg-deb -x "$deb" "$root"
try_binary "$root/usr/bin/tenantwall"
[ -f "$root/usr/share/tenantwall/sql/tenantwall.control" ] || fail ".deb lacks the extension files"
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
if command -v lintian >/dev/null; then
  echo "lintian:"; lintian --no-tag-display-limit "$deb" || true
fi
# Startup: the packaged binary against the development build, median of 21 runs each.
median_ms() {
  local times=() i start
  for i in $(seq 21); do start=$(date +%s%N); "$@" >/dev/null 2>&1; times+=($(( ($(date +%s%N) - start) / 1000 ))); done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f ms", a[int((NR+1)/2)]/1000}'
}
swift build --product tenantwall >/dev/null 2>&1 || true
echo "startup, median of 21: --version packaged $(median_ms "$unpacked/$name/bin/tenantwall" --version), development $(median_ms .build/debug/tenantwall --version);" \
     "check packaged $(median_ms "$unpacked/$name/bin/tenantwall" check --spec policies/workflow-platform), development $(median_ms .build/debug/tenantwall check --spec policies/workflow-platform)"
rm -rf "$unpacked" "$root"
echo "package check passed"
