#!/usr/bin/env bash
# The Debian package: scripts/package.sh builds the release preset and the .deb; the
# package's metadata and contents are checked, it is installed with dpkg, the installed
# binaries run, and it is removed again. Also: the stripped release binary stays under
# 5 MB, and the runtime package lists of docker/Dockerfile and the devcontainer feature
# cover every library the package depends on.
# Needs root (dpkg -i); otherwise, or when a coltec-daemon is already installed, it skips.
# COLTEC_PACKAGE_BUILD_DIR=DIR packages an already configured build directory instead of
# building the release preset (the size check then does not apply).
source "$(dirname "$0")/lib.sh"

skip() {
  log "SKIP: $*"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
}

[[ $(id -u) -eq 0 ]] || skip "installing a .deb needs root"
for tool in dpkg dpkg-deb cpack; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
if dpkg-query -W -f='${Status}' coltec-daemon 2>/dev/null | matches 'ok installed'; then
  skip "a coltec-daemon package is already installed; not replacing it"
fi
for f in /usr/bin/coltec-daemon /usr/bin/coltec-validate; do
  [[ ! -e $f && ! -L $f ]] || skip "$f exists (not from our package); not overwriting it"
done

src=$COLTEC_SOURCE_DIR
installed=false
package_cleanup() {
  if $installed; then dpkg -r coltec-daemon >/dev/null 2>&1 || true; fi
  e2e_cleanup
}
trap package_cleanup EXIT

# --- build ---------------------------------------------------------------------------------
t0=$SECONDS
if [[ -n ${COLTEC_PACKAGE_BUILD_DIR:-} ]]; then
  deb=$("$src/scripts/package.sh" "$COLTEC_PACKAGE_BUILD_DIR" 2>"$E2E_TMP/package.err") || deb=""
else
  deb=$("$src/scripts/package.sh" 2>"$E2E_TMP/package.err") || deb=""
fi
if [[ -z $deb || ! -f $deb ]]; then
  fail "scripts/package.sh did not produce a .deb"
  tail -n 30 "$E2E_TMP/package.err" >&2
  finish
  exit
fi
pass "scripts/package.sh built $(basename "$deb") in $((SECONDS - t0)) s"
[[ -f $(dirname "$deb")/devcontainer-feature-coltec-daemon.tgz ]] &&
  pass "feature tarball written beside the .deb" || fail "no devcontainer-feature-coltec-daemon.tgz"

if [[ -z ${COLTEC_PACKAGE_BUILD_DIR:-} ]]; then
  rel=$src/build/release/coltec-daemon
  size=$(stat -c %s "$rel")
  echo "release binary size: $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1048576 }') MiB), .deb: $(stat -c %s "$deb") bytes"
  ((size < 5 * 1024 * 1024)) && pass "stripped release binary is under 5 MB ($size bytes)" ||
    fail "release binary is $size bytes, over 5 MB"
  file -b "$rel" | matches ', stripped' && pass "release binary is stripped" ||
    fail "release binary is not stripped: $(file -b "$rel")"
fi

# --- metadata and contents -----------------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == coltec-daemon ]] && pass "Package: coltec-daemon" || fail "Package: $(field Package)"
depends=$(field Depends)
log "Depends: $depends"
for want in rclone libc6 libstdc++6 libyaml-cpp libspdlog libfmt; do
  grep -q "\(^\|, \)$want" <<<"$depends" && pass "Depends names $want" || fail "Depends lacks $want"
done

# Every library package besides the base image's own must be installed by the Dockerfile's
# runtime stage and by the feature's install.sh (they cannot run dpkg-shlibdeps).
mapfile -t libs < <(tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/ .*//; s/|.*//' |
  grep '^lib' | grep -Ev '^(libc6|libstdc\+\+6|libgcc-s1)$' | sort -u)
# real_package NAME: NAME, or the installed package that Provides it (libspdlog1.10 provides
# the libspdlog1.10-fmt9 that dpkg-shlibdeps names; apt and dpkg-query want the real one).
real_package() {
  dpkg-query -W -f='${Package} ${Provides}\n' 2>/dev/null |
    awk -v n="$1" '{ for (i = 1; i <= NF; i++) { f = $i; sub(/,$/, "", f); if (f == n) { print $1; exit } } }'
}
for dep in "${libs[@]}"; do
  lib=$(real_package "$dep" || true)
  lib=${lib:-$dep}
  grep -q "[[:space:]]$lib\([[:space:]]\|$\)" "$src/docker/Dockerfile" &&
    pass "Dockerfile runtime installs $lib" || fail "Dockerfile runtime stage lacks $lib"
  grep -q "^packages=(.*[ (]${lib}[ )]" "$src/docker/devcontainer-feature/install.sh" &&
    pass "feature install.sh installs $lib" || fail "feature install.sh lacks $lib"
done

# Columns: mode owner/group size date time path [-> target].
dpkg-deb -c "$deb" | awk '{ $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print }' >"$E2E_TMP/contents"
for path in ./usr/bin/coltec-daemon ./usr/share/coltec-daemon/workspace-spec.schema.json \
  ./usr/share/coltec-daemon/examples/workspace-spec.example.yaml \
  ./usr/share/coltec-daemon/examples/supervisord.conf \
  ./usr/share/coltec-daemon/examples/post-start.sh \
  ./usr/share/coltec-daemon/examples/coltec-daemon.service \
  ./usr/share/doc/coltec-daemon/coltec-daemon.help.txt \
  ./usr/share/man/man1/coltec-daemon.1.gz; do
  grep -qx "$path" "$E2E_TMP/contents" && pass "package holds $path" || fail "package lacks $path"
done
grep -qx './usr/bin/coltec-validate -> coltec-daemon' "$E2E_TMP/contents" &&
  pass "package holds the coltec-validate -> coltec-daemon link" || fail "no coltec-validate link"

# --- install, use, remove ------------------------------------------------------------------
expect_rc 0 "dpkg -i" dpkg -i "$deb"
installed=true
version=$(field Version)
expect_rc 0 "installed coltec-daemon --version" /usr/bin/coltec-daemon --version
grep -qx "coltec-daemon $version" "$E2E_TMP/last.out" && pass "--version says $version" ||
  fail "--version: $(cat "$E2E_TMP/last.out")"
[[ $(readlink /usr/bin/coltec-validate) == coltec-daemon ]] &&
  pass "/usr/bin/coltec-validate -> coltec-daemon" || fail "coltec-validate link: $(readlink /usr/bin/coltec-validate)"
example=/usr/share/coltec-daemon/examples/workspace-spec.example.yaml
expect_rc 0 "coltec-validate --file on the installed example" /usr/bin/coltec-validate --file "$example"
expect_rc 0 "coltec-validate --schema with the installed schema" \
  /usr/bin/coltec-validate --file "$example" --schema /usr/share/coltec-daemon/workspace-spec.schema.json
expect_rc 0 "coltec-daemon --validate-only on the installed example" \
  /usr/bin/coltec-daemon --validate-only -c "$example"
cmp -s /usr/share/coltec-daemon/workspace-spec.schema.json "$src/schema/workspace-spec.schema.json" &&
  pass "installed schema is schema/workspace-spec.schema.json" || fail "installed schema differs"
grep -q "Exit codes" /usr/share/doc/coltec-daemon/coltec-daemon.help.txt &&
  pass "help text file holds --help" || fail "help text file lacks 'Exit codes'"
if man -l /usr/share/man/man1/coltec-daemon.1.gz 2>/dev/null | matches -- "--shutdown-grace"; then
  pass "man page renders the options"
else
  fail "man page does not render --shutdown-grace"
fi
[[ -x /usr/share/coltec-daemon/examples/post-start.sh ]] && pass "post-start.sh is executable" ||
  fail "post-start.sh is not executable"
if command -v systemd-analyze >/dev/null; then
  cp /usr/share/coltec-daemon/examples/coltec-daemon.service "$E2E_TMP/"
  expect_rc 0 "systemd-analyze verify on the installed unit" \
    systemd-analyze verify "$E2E_TMP/coltec-daemon.service"
fi

expect_rc 0 "dpkg -r" dpkg -r coltec-daemon
installed=false
[[ ! -e /usr/bin/coltec-daemon && ! -L /usr/bin/coltec-validate && ! -e /usr/share/coltec-daemon ]] &&
  pass "dpkg -r removed the binary, the link and the data" || fail "files left after dpkg -r"

finish
