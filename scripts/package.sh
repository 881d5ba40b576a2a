#!/usr/bin/env bash
# Builds the release artifacts from this checkout, for machines without a Swift toolchain:
#   dist/tenantwall-<version>-linux-<arch>.tar.gz   bin/tenantwall, share/man/man1/tenantwall.1.gz,
#                                                   share/tenantwall/sql (the extension), README, LICENSE, NOTICE,
#                                                   share/doc/tenantwall/copyright
#   dist/tenantwall_<version>_<debarch>.deb         /usr/bin/tenantwall, /usr/share/man/man1/tenantwall.1.gz,
#                                                   /usr/share/tenantwall/sql, the DEP-5 copyright from
#                                                   scripts/package/, Depends from ldd; no lintian error or warning
#   dist/SHA256SUMS
# The binary links the Swift runtime and libpg_query (PostgreSQL 18 grammar) statically; what remains are
# Debian libraries (libpq5, libc6, libstdc++6, libgcc-s1, OpenSSL through libpq). The man page is the CLI's own
# help, written by swift-argument-parser's GenerateManual plugin.
#
#   scripts/package.sh           build the artifacts
#   scripts/package.sh --check   build, then install both as a user would, with no Swift toolchain in sight,
#                                and run --version, check, generate and audit from each, read the man page,
#                                run lintian (installed when missing; any error or warning fails the check),
#                                and time startup against the development build
set -euo pipefail
cd "$(dirname "$0")/.."
check=no; [ "${1:-}" = "--check" ] && check=yes
scripts/setup.sh >/dev/null

version=$(sed -nE 's/.*static let version = "([^"]+)".*/\1/p' Sources/MigrateCLI/BuildInfo.swift)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
git diff --quiet 2>/dev/null || commit="$commit-dirty"
arch=$(uname -m); debarch=$(dpkg --print-architecture)
name="tenantwall-$version-linux-$arch"
maintainer_name="tenantwall maintainers"; maintainer_email="maintainers@tenantwall.dev"
maintainer="$maintainer_name <$maintainer_email>"
# The changelog and the man page are dated from the commit, not the clock.
release_date=$(git log -1 --format=%cD 2>/dev/null || date -R)
release_day=$(git log -1 --format=%cs 2>/dev/null || date +%F)
mkdir -p dist

# The man page, from the CLI's own description of itself (--experimental-dump-help), by swift-argument-parser's
# GenerateManual plugin: one page, every subcommand in it. The plugin builds the package itself and cannot be
# given --static-swift-stdlib, so it runs on the development build that setup.sh has just brought up to date
# (nothing to rebuild; the page is the same for any build of this commit). --check compares the page with the
# packaged binary's subcommands.
manual_log=$(mktemp)
rm -rf .build/plugins/GenerateManual/outputs
if ! swift package plugin generate-manual --configuration debug --date "$release_day" \
       --authors "$maintainer_name<$maintainer_email>" >"$manual_log" 2>&1; then
  tail -20 "$manual_log" >&2; echo "generating the man page failed" >&2; exit 2
fi
manual=.build/plugins/GenerateManual/outputs/MigrateCLI/tenantwall.1
[ -f "$manual" ] || { cat "$manual_log" >&2; echo "GenerateManual wrote no $manual" >&2; exit 2; }
gzip -9n -c "$manual" > dist/tenantwall.1.gz
rm -f "$manual_log"

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
# As dh_strip does: no symbols, no .comment or .note sections.
strip --strip-unneeded --remove-section=.comment --remove-section=.note -o "dist/tenantwall.stripped" "$binary"

# Tarball.
stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/bin" "$stage/$name/share/tenantwall/sql" "$stage/$name/share/man/man1" "$stage/$name/share/doc/tenantwall"
install -m 755 dist/tenantwall.stripped "$stage/$name/bin/tenantwall"
install -m 644 dist/tenantwall.1.gz "$stage/$name/share/man/man1/tenantwall.1.gz"
install -m 644 LICENSE NOTICE "$stage/$name/"
install -m 644 scripts/package/copyright "$stage/$name/share/doc/tenantwall/copyright"
cp -r sql/Makefile sql/tenantwall.control sql/tenantwall.c sql/tenantwall--*.sql "$stage/$name/share/tenantwall/sql/"
cat > "$stage/$name/README" <<EOF
tenantwall $version (commit $commit): tenant isolation for multi-tenant PostgreSQL that you can prove.

  bin/tenantwall --help           the commands (check, generate, plan, apply, migrate, status, verify, audit, ...)
  share/man/man1/tenantwall.1.gz  the same as a man page: man -l share/man/man1/tenantwall.1.gz
  share/tenantwall/sql            the tenantwall extension: make -C share/tenantwall/sql install (needs PGXS)

Runs on Debian 12 / Ubuntu 22.04+ x86_64 with libpq5 installed (apt-get install libpq5).
Exit codes: 0 ok, 1 findings or differences, 2 usage or tool error (migrate: 3 lock not acquired).
Licensed under the Apache License, Version 2.0 (LICENSE, NOTICE); share/doc/tenantwall/copyright gives
the licences of what bin/tenantwall links in.
EOF
tar -C "$stage" -czf "dist/$name.tar.gz" "$name"

# Debian package: Depends from the libraries the binary names itself (ELF NEEDED), mapped to their packages.
deps=$(objdump -p dist/tenantwall.stripped | awk '/NEEDED/ {print $2}' | while read -r soname; do
  lib=$(ldd dist/tenantwall.stripped | awk -v s="$soname" '$1 == s {print $3}')
  if [ -n "$lib" ]; then dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true; fi
done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')
pkg="$stage/deb"; doc="$pkg/usr/share/doc/tenantwall"
mkdir -p "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/share/tenantwall/sql" "$pkg/usr/share/man/man1" "$doc" \
         "$pkg/usr/share/lintian/overrides"
install -m 755 dist/tenantwall.stripped "$pkg/usr/bin/tenantwall"
install -m 644 dist/tenantwall.1.gz "$pkg/usr/share/man/man1/tenantwall.1.gz"
install -m 644 sql/Makefile sql/tenantwall.control sql/tenantwall.c sql/tenantwall--*.sql "$pkg/usr/share/tenantwall/sql/"
# DEP-5: tenantwall is Apache-2.0; the file also gives what the binary links in statically, with their licences.
install -m 644 scripts/package/copyright "$doc/copyright"
install -m 644 scripts/package/lintian-overrides "$pkg/usr/share/lintian/overrides/tenantwall"
# A native package: the changelog is changelog.gz (no changelog.Debian.gz), compressed with gzip -9n.
gzip -9n -c > "$doc/changelog.gz" <<EOF
tenantwall ($version) unstable; urgency=medium

  * Release $version, built from commit $commit.

 -- $maintainer  $release_date
EOF
chmod 644 "$doc/changelog.gz"
cat > "$pkg/DEBIAN/control" <<EOF
Package: tenantwall
Version: $version
Architecture: $debarch
Maintainer: $maintainer
Depends: $deps
Section: database
Priority: optional
Installed-Size: $(du -sk "$pkg/usr" | cut -f1)
Description: tenant isolation for multi-tenant PostgreSQL that you can prove
 Generates row-level security policies, helpers, grants and partition DDL from a
 YAML spec, runs migrations safely, audits databases and migration files, and
 verifies on a live database that no tenant can reach another's rows.
EOF
(cd "$pkg" && find usr -type f -print0 | sort -z | xargs -0 md5sum) > "$pkg/DEBIAN/md5sums"
chmod 644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/md5sums"
find "$pkg" -type d -exec chmod 755 {} +
deb="dist/tenantwall_${version}_$debarch.deb"
dpkg-deb --root-owner-group --build "$pkg" "$deb" >/dev/null
rm -f dist/tenantwall.stripped dist/tenantwall.1.gz
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
for copyright in "$root/usr/share/doc/tenantwall/copyright" "$unpacked/$name/share/doc/tenantwall/copyright"; do
  grep -q '^License: Apache-2.0$' "$copyright" && grep -q '/usr/share/common-licenses/Apache-2.0' "$copyright" \
    || fail "$copyright does not state Apache-2.0"
done
check_manual() {  # $1: an installed tenantwall.1.gz, $2: the tenantwall beside it
  local page=$1 bin=$2 roff warnings sub
  [ -f "$page" ] || fail "no man page at $page"
  roff=$(zcat "$page") || fail "zcat $page"
  grep -qx '\.Dt TENANTWALL 1' <<<"$roff" || fail "$page is not the tenantwall(1) page (no .Dt TENANTWALL 1)"
  warnings=$(MANWIDTH=100 man --warnings -l "$page" 2>&1 >/dev/null) || fail "man -l $page"
  [ -z "$warnings" ] || fail "man -l $page warns: $warnings"
  grep -q '^SYNOPSIS' <<<"$(MANWIDTH=100 man -l "$page" 2>/dev/null)" || fail "man -l $page shows no SYNOPSIS"
  # Every subcommand the binary lists (two spaces in, under SUBCOMMANDS:) is an item of the page.
  for sub in $("${no_swift_env[@]}" "$bin" --help | sed -n '/^SUBCOMMANDS:/,/^$/p' | awk '/^  [^ ]/ {print $1}'); do
    grep -qx "\.It Em $sub" <<<"$roff" || fail "the man page lacks tenantwall $sub"
  done
  echo "ok: $page (man -l renders it without a warning; every subcommand in it)"
}
check_manual "$unpacked/$name/share/man/man1/tenantwall.1.gz" "$unpacked/$name/bin/tenantwall"
check_manual "$root/usr/share/man/man1/tenantwall.1.gz" "$root/usr/bin/tenantwall"
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
if ! command -v lintian >/dev/null; then
  echo "installing lintian" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends lintian >/dev/null
fi
# Errors (E:) and warnings (W:) fail the check; info (I:) and pedantic (P:) tags are shown, and so is each
# override (O:) with its reason (N:). Read from the output: lintian's --fail-on counts a shown override too.
echo "lintian $(lintian --print-version):"
lintian_out=$(lintian --display-info --pedantic --show-overrides --tag-display-limit 0 --fail-on none "$deb" 2>&1) \
  || fail "lintian did not run: $lintian_out"
grep -v 'running with root privileges' <<<"$lintian_out" || echo "  no tags"
if grep -qE '^[EW]: ' <<<"$lintian_out"; then fail "lintian reports errors or warnings"; fi
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
echo "package check passed in ${SECONDS}s"
