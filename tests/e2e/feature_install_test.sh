#!/usr/bin/env bash
# The devcontainer feature's install.sh, run on this machine without touching it: every
# file goes under DESTDIR in a temp folder, the binary is the one under test, apt-get and
# dpkg-query are stand-ins that record what they were asked. Checks the installed layout,
# that the installed tools run (coltec-validate on the example, coltec-post-start finding
# its supervisord.conf through the symlink), the packaged-feature layout (binary beside
# install.sh), option errors, and that the feature's json, install.sh and Dockerfile agree.
source "$(dirname "$0")/lib.sh"

src=$COLTEC_SOURCE_DIR
feature=$src/docker/devcontainer-feature
install_sh=$feature/install.sh

# Stand-ins: dpkg-query reports every package missing unless FAKE_INSTALLED=1; apt-get
# records its arguments. Never the real ones.
fakebin=$E2E_TMP/fakebin
mkdir -p "$fakebin"
cat >"$fakebin/dpkg-query" <<'EOF'
#!/usr/bin/env bash
[[ ${FAKE_INSTALLED:-0} == 1 ]] && { printf 'install ok installed'; exit 0; }
exit 1
EOF
cat >"$fakebin/apt-get" <<EOF
#!/usr/bin/env bash
printf '%s\n' "\$*" >>"$E2E_TMP/apt.log"
EOF
chmod +x "$fakebin"/*
fake_path=$fakebin:$PATH

# run_install DESCRIPTION WANT_RC VAR=VALUE...: install.sh with a clean option set.
run_install() {
  local what=$1 want=$2
  shift 2
  expect_rc "$want" "$what" env -u DEBURL -u BINARYPATH -u INSTALLPREFIX -u INSTALLPACKAGES \
    -u DESTDIR -u _REMOTE_USER PATH="$fake_path" "$@" bash "$install_sh"
}

# --- install from a binary into a staged prefix --------------------------------------------
root=$E2E_TMP/root
prefix=/opt/coltec
run_install "install.sh with BINARYPATH, INSTALLPREFIX and DESTDIR" 0 \
  DESTDIR="$root" INSTALLPREFIX="$prefix" BINARYPATH="$COLTEC_BIN" INSTALLPACKAGES=false
[[ ! -e $E2E_TMP/apt.log ]] && pass "installPackages=false: no apt-get" || fail "apt-get ran: $(cat "$E2E_TMP/apt.log")"
p=$root$prefix
[[ -x $p/bin/coltec-daemon ]] && pass "bin/coltec-daemon installed" || fail "no $p/bin/coltec-daemon"
cmp -s "$p/bin/coltec-daemon" "$COLTEC_BIN" && pass "it is the binary under test" || fail "installed binary differs"
[[ $(readlink "$p/bin/coltec-validate") == coltec-daemon ]] && pass "bin/coltec-validate -> coltec-daemon" ||
  fail "coltec-validate: $(readlink "$p/bin/coltec-validate")"
[[ $(readlink -f "$p/bin/coltec-post-start") == "$p/share/coltec-daemon/post-start.sh" ]] &&
  pass "bin/coltec-post-start -> share/coltec-daemon/post-start.sh" || fail "coltec-post-start link"
for f in post-start.sh supervisord.conf workspace-spec.schema.json examples/workspace-spec.example.yaml; do
  [[ -f $p/share/coltec-daemon/$f ]] && pass "share/coltec-daemon/$f installed" || fail "no share/coltec-daemon/$f"
done
[[ -x $p/share/coltec-daemon/post-start.sh ]] && pass "post-start.sh is executable" || fail "post-start.sh mode"
cmp -s "$p/share/coltec-daemon/post-start.sh" "$src/docker/post-start.sh" && pass "post-start.sh is docker/post-start.sh" ||
  fail "post-start.sh differs"
[[ $(stat -c %a "$root/var/lib/coltec-daemon") == 700 ]] && pass "state directory staged with mode 0700" ||
  fail "state directory: $(stat -c %a "$root/var/lib/coltec-daemon" 2>&1)"
[[ ! -e /var/lib/coltec-daemon || -e $root/var/lib/coltec-daemon ]] && pass "nothing written outside DESTDIR" ||
  fail "state directory outside DESTDIR"
grep -q "installed coltec-daemon" "$E2E_TMP/last.err" && pass "reports what it installed" || fail "no report"

expect_rc 0 "installed coltec-validate checks the installed example" \
  "$p/bin/coltec-validate" --file "$p/share/coltec-daemon/examples/workspace-spec.example.yaml"
expect_rc 0 "installed coltec-daemon --version" "$p/bin/coltec-daemon" --version

# coltec-post-start reached through its bin/ symlink finds the supervisord.conf installed
# beside post-start.sh (stand-in supervisord/supervisorctl record the -c path).
cat >"$fakebin/supervisord" <<EOF
#!/usr/bin/env bash
printf '%s\n' "\$@" >"$E2E_TMP/supervisord.args"
EOF
cat >"$fakebin/supervisorctl" <<'EOF'
#!/usr/bin/env bash
[[ $3 == pid ]] && exit 7
echo "coltec-daemon RUNNING pid 1, uptime 0:00:03"
EOF
chmod +x "$fakebin"/*
PATH=$fake_path COLTEC_CONFIG="$p/share/coltec-daemon/examples/workspace-spec.example.yaml" \
  COLTEC_DAEMON_BIN="$p/bin/coltec-daemon" COLTEC_FORCE_START=1 COLTEC_SUPERVISOR_DIR="$E2E_TMP/sv" \
  expect_rc 0 "coltec-post-start via the symlink" timeout "$(patient 30)" "$p/bin/coltec-post-start"
[[ $(cat "$E2E_TMP/supervisord.args" 2>/dev/null) == "$(printf '%s\n' -c "$p/share/coltec-daemon/supervisord.conf")" ]] &&
  pass "post-start started supervisord with the installed supervisord.conf" ||
  fail "supervisord args: $(cat "$E2E_TMP/supervisord.args" 2>&1)"
rm -f "$fakebin/supervisord" "$fakebin/supervisorctl"

# _REMOTE_USER owns the state directory.
if id -u nobody >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
  run_install "install.sh with _REMOTE_USER=nobody" 0 DESTDIR="$E2E_TMP/root2" \
    BINARYPATH="$COLTEC_BIN" INSTALLPACKAGES=false _REMOTE_USER=nobody
  [[ $(stat -c %U "$E2E_TMP/root2/var/lib/coltec-daemon") == nobody ]] &&
    pass "state directory belongs to _REMOTE_USER" || fail "state directory owner"
fi

# --- packages: only the missing ones, with apt-get -------------------------------------------
if [[ $(id -u) -eq 0 ]]; then
  rm -f "$E2E_TMP/apt.log"
  run_install "install.sh installs missing packages" 0 DESTDIR="$E2E_TMP/root3" BINARYPATH="$COLTEC_BIN"
  want_pkgs=$(sed -n 's/^packages=(\(.*\))$/\1/p' "$install_sh")
  grep -qx "update -qq" "$E2E_TMP/apt.log" && pass "apt-get update" || fail "no apt-get update"
  grep -qx "install -y -qq --no-install-recommends $want_pkgs" "$E2E_TMP/apt.log" &&
    pass "apt-get install --no-install-recommends $want_pkgs" || fail "apt-get calls: $(cat "$E2E_TMP/apt.log")"
fi
rm -f "$E2E_TMP/apt.log"
run_install "nothing missing: no apt-get" 0 FAKE_INSTALLED=1 DESTDIR="$E2E_TMP/root4" BINARYPATH="$COLTEC_BIN"
[[ ! -e $E2E_TMP/apt.log ]] && pass "all packages present: apt-get not called" || fail "apt-get: $(cat "$E2E_TMP/apt.log")"

# --- the packaged feature: binary and support files beside install.sh --------------------
pkg=$E2E_TMP/packaged
mkdir -p "$pkg"
cp "$feature/devcontainer-feature.json" "$install_sh" "$src/docker/post-start.sh" \
  "$src/docker/supervisord.conf" "$src/schema/workspace-spec.schema.json" \
  "$src/schema/examples/workspace-spec.example.yaml" "$pkg/"
cp "$COLTEC_BIN" "$pkg/coltec-daemon"
install_sh=$pkg/install.sh
run_install "packaged feature installs the binary beside install.sh" 0 DESTDIR="$E2E_TMP/root5" INSTALLPACKAGES=false
cmp -s "$E2E_TMP/root5/usr/local/bin/coltec-daemon" "$COLTEC_BIN" && pass "default prefix /usr/local" ||
  fail "no $E2E_TMP/root5/usr/local/bin/coltec-daemon"
[[ -f $E2E_TMP/root5/usr/local/share/coltec-daemon/supervisord.conf ]] && pass "support files found beside install.sh" ||
  fail "support files missing"
rm "$pkg/coltec-daemon"
run_install "no binary source is an error" 1 DESTDIR="$E2E_TMP/root6" INSTALLPACKAGES=false
grep -q "nothing to install" "$E2E_TMP/last.err" && pass "says what to set" || fail "message: $(cat "$E2E_TMP/last.err")"
install_sh=$feature/install.sh

# --- option errors -----------------------------------------------------------------------
run_install "relative installPrefix is refused" 1 DESTDIR="$E2E_TMP/root7" INSTALLPREFIX=opt \
  BINARYPATH="$COLTEC_BIN" INSTALLPACKAGES=false
run_install "missing binaryPath is refused" 1 DESTDIR="$E2E_TMP/root7" BINARYPATH="$E2E_TMP/none" \
  INSTALLPACKAGES=false
run_install "a non-https debUrl is refused" 1 DESTDIR="$E2E_TMP/root7" DEBURL="ftp://example.invalid/x.deb" \
  INSTALLPACKAGES=false

# --- json, install.sh and Dockerfile agree -------------------------------------------------
if python3 - "$feature/devcontainer-feature.json" "$feature/install.sh" >"$E2E_TMP/json.out" 2>&1 <<'PY'; then
import json, re, sys
f = json.load(open(sys.argv[1]))
sh = open(sys.argv[2]).read()
assert f["id"] == "coltec-daemon", f["id"]
assert re.fullmatch(r"\d+\.\d+\.\d+", f["version"]), f["version"]
for name in f["options"]:
    assert "${" + name.upper() in sh or "$" + name.upper() in sh, f"option {name} unused by install.sh"
state = re.search(r"^state_dir=(\S+)", sh, re.M).group(1)
assert f["containerEnv"]["COLTEC_STATE_DIR"] == state, "containerEnv vs install.sh"
assert any(m["target"] == state for m in f["mounts"]), "no volume on the state directory"
assert f["postStartCommand"] == "coltec-post-start"
PY
  pass "feature json: every option used by install.sh, state dir and mount agree"
else
  fail "feature json: $(cat "$E2E_TMP/json.out")"
fi
feature_pkgs=$(sed -n 's/^packages=(\(.*\))$/\1/p' "$feature/install.sh")
docker_pkgs=$(sed -n '/^FROM .* AS runtime/,$p' "$src/docker/Dockerfile" |
  sed -n '/apt-get install/,/rm -rf/p' | tr -s ' \\\n' '\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' |
  grep -vxE 'apt-get|install|rm|rf|-y' | sort | tr '\n' ' ')
[[ $docker_pkgs == "$(tr ' ' '\n' <<<"$feature_pkgs" | sort | tr '\n' ' ')" ]] &&
  pass "Dockerfile runtime and install.sh install the same packages" ||
  fail "Dockerfile: $docker_pkgs / install.sh: $feature_pkgs"

finish
