#!/usr/bin/env bash
# The image and the devcontainer feature in real containers, with podman (rootful, as root):
#   1. makes local base images debian:bookworm and debian:bookworm-slim with debootstrap
#      (no container registry needed; cached under .cache/container/, rebuilt weekly);
#   2. builds docker/Dockerfile: by default `--target prebuilt` from the release binary
#      (build/release/coltec-daemon, built by scripts/build.sh release if missing); with
#      --full-build the default target, whose builder stage compiles inside the container;
#   3. end-to-end in the image: workspace bind-mounted at /workspace, state on a named
#      volume, s3rver on the host's loopback (--network host), the daemon started by the
#      entrypoint through post-start.sh -> supervisord; first sync, local edits reaching the
#      bucket, `podman healthcheck run` healthy / unhealthy with the daemon stopped,
#      `podman stop` -> exit 143 with the last edits uploaded, and a new container on the
#      same volume restoring an empty workspace;
#   4. docker/devcontainer-feature/install.sh run in a bookworm image build as the
#      devcontainer CLI runs it, then the installed daemon: --version, --validate-only on
#      the example, and --once against a local-folder remote.
# Prints "SKIP: <reason>" and exits 0 when containers cannot run here (not root, no /proc as
# in a bare chroot, podman cannot be installed, or cannot start a container within 2 min);
# COLTEC_SKIP_CONTAINER_TEST=1 skips too. COLTEC_REQUIRE_CONTAINER_TEST=1 turns every SKIP
# into a failure (exit 1), for machines known to run containers, where a SKIP would hide a
# broken setup.
#
# Nothing outside the cache is configured: podman reads only the containers.conf,
# storage.conf and registries.conf this script writes (CONTAINERS_CONF,
# CONTAINERS_STORAGE_CONF, CONTAINERS_REGISTRIES_CONF), and keeps its images, containers
# and volumes in .cache/container/podman/ (COLTEC_CACHE moves .cache). The images stay
# there between runs (the next build reuses their layers); containers and volumes go.
#
# Usage: scripts/test-container.sh [--full-build]
# Environment: COLTEC_DEBIAN_MIRROR (debootstrap's mirror; default: debootstrap's own),
#   COLTEC_CONTAINER_BIN (the binary for the prebuilt target), E2E_KEEP=1 (keep temp files).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
started=$SECONDS

full_build=false
case "${1:-}" in
  "") ;;
  --full-build) full_build=true ;;
  *)
    echo "usage: scripts/test-container.sh [--full-build]" >&2
    exit 2
    ;;
esac

say() { printf '[test-container] %s\n' "$*" >&2; }
skip() {
  if [[ -n ${COLTEC_REQUIRE_CONTAINER_TEST:-} ]]; then
    say "FAIL: the container test cannot run, and COLTEC_REQUIRE_CONTAINER_TEST is set: $*"
    exit 1
  fi
  say "SKIP: $*"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
}

[[ -z ${COLTEC_SKIP_CONTAINER_TEST:-} ]] || skip "COLTEC_SKIP_CONTAINER_TEST is set"
[[ $(uname -s) == Linux ]] || skip "containers need Linux"
[[ $(id -u) -eq 0 ]] || skip "the container test runs rootful podman and needs root"
# podman, conmon and runc need /proc; a chroot without it fails in obscure ways (or, while
# installing podman's packages, worse), so say so first.
[[ -r /proc/self/stat ]] || skip "no /proc (a chroot without it?): podman cannot run containers here"
if ! scripts/deps.sh container; then
  skip "could not install podman, runc and debootstrap (scripts/deps.sh container failed)"
fi

cache=${COLTEC_CACHE:-$root/.cache}/container
mkdir -p "$cache"
# One run at a time per cache: the store, the base images and the names below are shared.
exec 8>"$cache/lock"
flock -w 1800 8 || {
  say "another scripts/test-container.sh has held $cache/lock for 30 minutes"
  exit 1
}

# --- podman, scoped to this cache --------------------------------------------------------
pm=$cache/podman
mkdir -p "$pm"
# Run-time state (locks, sockets, exit files) goes to a short path: podman 4.3 refuses a
# runroot over 50 characters when given as a flag, and through storage.conf such a path
# makes every attached `podman run` wait 20 s for conmon. Under /run it is also cleared on
# reboot, as podman expects.
run_base=/run
[[ -d $run_base && -w $run_base ]] || run_base=/tmp
pm_run=$run_base/coltec-ctr-$(sha256sum <<<"$pm" | cut -c1-8)
mkdir -p "$pm_run"
export CONTAINERS_CONF=$pm/containers.conf CONTAINERS_STORAGE_CONF=$pm/storage.conf \
  CONTAINERS_REGISTRIES_CONF=$pm/registries.conf
# runc rather than crun (crun cannot set RLIMIT_NPROC on some hosts and does not support
# hybrid cgroup v1/v2 hierarchies); no default ulimits; cgroupfs, since there may be no
# systemd; events to a file rather than the journal.
cat >"$CONTAINERS_CONF" <<EOF
# Written by scripts/test-container.sh; used only through CONTAINERS_CONF.
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$pm_run/tmp"

[network]
network_config_dir = "$pm/networks"
EOF
# No registry is searched or pulled from: every image comes from this script.
cat >"$CONTAINERS_REGISTRIES_CONF" <<'EOF'
# Written by scripts/test-container.sh; used only through CONTAINERS_REGISTRIES_CONF.
unqualified-search-registries = []
short-name-mode = "permissive"
EOF
write_storage_conf() {
  cat >"$CONTAINERS_STORAGE_CONF" <<EOF
# Written by scripts/test-container.sh; used only through CONTAINERS_STORAGE_CONF.
[storage]
driver = "$1"
graphroot = "$pm/storage-$1"
runroot = "$pm_run/$1"
EOF
}

# A probe image: the host's /bin/true and the libraries it loads, nothing else (made once
# per store). Every podman call here is bounded: a podman that cannot start /bin/true in
# probe_s will not run the test either, and a hang must be a SKIP, not a stuck CI run (a
# loaded machine needs a few seconds).
probe_s=120
pm_probe() { timeout -k 10 "$probe_s" podman "$@"; }
probe_ok() {
  local dir f out="" rc=0
  if ! pm_probe image exists localhost/coltec-probe:latest >/dev/null 2>&1; then
    dir=$(mktemp -d)
    for f in /bin/true $(ldd /bin/true | grep -o '/[^ ]*'); do
      cp --parents -L "$f" "$dir/"
    done
    out=$(tar -C "$dir" -c . | pm_probe import -q - localhost/coltec-probe:latest 2>&1 >/dev/null) || rc=$?
    rm -rf "$dir"
    if ((rc != 0)); then
      # Without the image, `podman run` would only add a failed pull from "localhost" and
      # hide why (in a chroot, for one: "remount /, flags: 0x44000: invalid argument").
      probe_error="podman import: $(grep -v '^$' <<<"$out" | tail -n 3 | tr '\n' ' ')"
      return 1
    fi
  fi
  out+=$(pm_probe run --rm --network none localhost/coltec-probe:latest /bin/true 2>&1) || rc=$?
  ((rc != 0)) || return 0
  ((rc != 124 && rc != 137)) || out+=$'\n'"podman run did not finish within $probe_s s"
  probe_error=$(grep -v '^$' <<<"$out" | tail -n 3 | tr '\n' ' ')
  return 1
}
probe_error=""
driver=""
for d in overlay vfs; do
  write_storage_conf "$d"
  if probe_ok; then
    driver=$d
    break
  fi
  say "podman with the $d storage driver cannot run a container: $probe_error"
done
[[ -n $driver ]] || skip "podman cannot start a container on this machine: $probe_error"
say "podman $(podman version -f '{{.Client.Version}}'), runtime runc, storage $driver in $pm"

# --- base images -------------------------------------------------------------------------
# debian:bookworm: a debootstrap minbase, made the way the official image is (apt set up
# for containers, no service starts in package scripts, no package caches). -slim also
# drops documentation, man pages and translations, and tells dpkg not to install them.
base_dir=$cache/base
base_max_age_days=7
mkdir -p "$base_dir"
make_rootfs_tars() {
  local work rootfs mirror_args=() mirror
  work=$(mktemp -d "$cache/debootstrap.XXXXXX")
  rootfs=$work/rootfs
  [[ -z ${COLTEC_DEBIAN_MIRROR:-} ]] || mirror_args=("$COLTEC_DEBIAN_MIRROR")
  say "debootstrap --variant=minbase bookworm (a few minutes; log: $work/debootstrap.log)"
  if ! debootstrap --variant=minbase bookworm "$rootfs" "${mirror_args[@]}" >"$work/debootstrap.log" 2>&1; then
    tail -n 20 "$work/debootstrap.log" >&2
    say "debootstrap failed (log kept in $work)"
    return 1
  fi
  # The suites the official image lists: bookworm, -updates and -security, from the
  # mirror debootstrap used (security from its conventional sibling *-security).
  mirror=$(awk '$1 == "deb" { print $2; exit }' "$rootfs/etc/apt/sources.list")
  {
    echo "deb $mirror bookworm main"
    echo "deb $mirror bookworm-updates main"
    [[ $mirror != */debian ]] || echo "deb $mirror-security bookworm-security main"
  } >"$rootfs/etc/apt/sources.list"
  printf '#!/bin/sh\n# no service starts inside an image build\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
  local clean='rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true'
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<CONF
DPkg::Post-Invoke { "$clean"; };
APT::Update::Post-Invoke { "$clean"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CONF
  echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Acquire::GzipIndexes "true";' >"$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/log/* "$rootfs/etc/hostname"
  : >"$rootfs/etc/resolv.conf"
  : >"$rootfs/etc/machine-id"
  tar --numeric-owner -C "$rootfs" -cf "$work/bookworm.tar" .

  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'CONF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CONF
  find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  rm -rf "$rootfs"/usr/share/{man,groff,info,lintian,linda}/*
  tar --numeric-owner -C "$rootfs" -cf "$work/bookworm-slim.tar" .
  mv "$work/bookworm.tar" "$work/bookworm-slim.tar" "$base_dir/"
  rm -rf "$work"
}
fresh() { [[ -f $1 ]] && [[ -n $(find "$1" -mtime -"$base_max_age_days") ]]; }
if ! fresh "$base_dir/bookworm.tar" || ! fresh "$base_dir/bookworm-slim.tar"; then
  t0=$SECONDS
  make_rootfs_tars
  say "base root file systems made in $((SECONDS - t0)) s"
fi
# import_base TAG: imports $base_dir/TAG.tar as debian:TAG unless that tar is already in.
import_base() {
  local tar=$base_dir/$1.tar id have
  id=$(stat -c '%Y-%s' "$tar")
  have=$(podman image inspect -f '{{index .Labels "coltec.rootfs"}}' "localhost/debian:$1" 2>/dev/null || true)
  [[ $have != "$id" ]] || return 0
  podman import -q --change "LABEL coltec.rootfs=$id" --change 'CMD ["bash"]' "$tar" \
    "localhost/debian:$1" >/dev/null
  say "imported $tar as localhost/debian:$1"
}
import_base bookworm
import_base bookworm-slim

# --- the image -----------------------------------------------------------------------------
build_log=$cache/build.log
if $full_build; then
  target=runtime
  image=localhost/coltec-daemon:full
else
  target=prebuilt
  image=localhost/coltec-daemon:test
  bin=${COLTEC_CONTAINER_BIN:-$root/build/release/coltec-daemon}
  if [[ ! -x $bin ]]; then
    [[ -z ${COLTEC_CONTAINER_BIN:-} ]] || {
      say "COLTEC_CONTAINER_BIN=$bin is not an executable file"
      exit 1
    }
    say "no $bin; building the release preset (scripts/build.sh release)"
    scripts/build.sh release >&2
  fi
fi
# The context is the source tree (.dockerignore keeps build/ out, all but the release
# binary). Another binary is staged into a copy of the tree's relevant parts.
context=$root
if ! $full_build && [[ $bin != "$root/build/release/coltec-daemon" ]]; then
  context=$(mktemp -d "$cache/context.XXXXXX")
  cp -r docker schema scripts .dockerignore "$context/"
  mkdir -p "$context/build/release"
  cp "$bin" "$context/build/release/coltec-daemon"
fi
say "podman build --target $target -t $image (log: $build_log)"
t0=$SECONDS
# --format docker keeps HEALTHCHECK (the OCI format has no field for it); --network host
# lets the RUN steps reach the package archive.
if ! podman build --pull=never --network host --format docker -f docker/Dockerfile \
  --target "$target" -t "$image" "$context" >"$build_log" 2>&1; then
  tail -n 30 "$build_log" >&2
  say "podman build failed"
  exit 1
fi
build_s=$((SECONDS - t0))
[[ $context == "$root" ]] || rm -rf "$context"
image_bytes=$(podman image inspect -f '{{.Size}}' "$image")
say "built $image in ${build_s} s: $((image_bytes / 1000000)) MB"

# --- end to end in the image ---------------------------------------------------------------
# lib.sh: s3rver, rclone_s3, waits, pass/fail. COLTEC_BIN is the binary in the image (the
# suites' `daemon` helper, which runs it on the host, is not used here).
export COLTEC_BIN=${bin:-$root/build/release/coltec-daemon} COLTEC_SOURCE_DIR=$root
# shellcheck source=tests/e2e/lib.sh
source "$root/tests/e2e/lib.sh"
label=coltec-test-container
ctr_cleanup() {
  local ids
  ids=$(podman ps -aq --filter "label=$label" 2>/dev/null || true)
  # shellcheck disable=SC2086 # one id per word
  [[ -z $ids ]] || podman rm -f -t 0 $ids >/dev/null 2>&1 || true
  ids=$(podman volume ls -q --filter "label=$label" 2>/dev/null || true)
  # shellcheck disable=SC2086
  [[ -z $ids ]] || podman volume rm -f $ids >/dev/null 2>&1 || true
  # Images replaced by this run's builds; the layers of the tagged ones stay as the cache.
  podman image prune -f >/dev/null 2>&1 || true
  e2e_cleanup
}
trap ctr_cleanup EXIT
ctr_cleanup_leftovers() { # from a run that was killed before its trap
  local ids
  ids=$(podman ps -aq --filter "label=$label")
  # shellcheck disable=SC2086
  [[ -z $ids ]] || podman rm -f -t 0 $ids >/dev/null
  ids=$(podman volume ls -q --filter "label=$label")
  # shellcheck disable=SC2086
  [[ -z $ids ]] || podman volume rm -f $ids >/dev/null
}
ctr_cleanup_leftovers

start_s3rver
uid=1000 # vscode in the image
home=/home/vscode
sup_dir=$home/.cache/coltec-daemon/supervisor # post-start.sh's default in the image
conf=/usr/local/share/coltec-daemon/supervisord.conf
prefix=testbucket/e2e/ctr

# workspace DIR: a checkout as the container sees it: only .devcontainer/workspace-spec.yaml
# (the synced folders notes/ and context/ are not in git), owned by the container's user.
workspace() {
  mkdir -p "$1/.devcontainer"
  cat >"$1/.devcontainer/workspace-spec.yaml" <<SPEC
name: ctr-e2e
version: 1.0.0
metadata: {org: e2e, project: ctr, environment: test}
devcontainer:
  image: {name: coltec-daemon}
  user: vscode
  workspace_folder: /workspace
persistence:
  enabled: true
  mode: replicated
  default_remote: s3
  remotes:
    s3:
      type: s3
      bucket: testbucket
      options:
        provider: Other
        endpoint: http://127.0.0.1:$S3_PORT
        access_key_id: \${S3_KEY}
        secret_access_key: \${S3_SECRET}
  sync:
    - {name: notes, path: /workspace/notes, remote_path: "{org}/{project}/notes", direction: push-only, interval: 10}
    - {name: context, path: /workspace/context, remote_path: "{org}/{project}/context", direction: bidirectional, interval: 10}
SPEC
  chown -R "$uid:$uid" "$1"
}
# run_ctr NAME WORKSPACE: the image as a devcontainer would run it, in the background.
# A 5 s debounce (through COLTEC_DAEMON_ARGS, as a user would pass flags) keeps an edit
# made right before `podman stop` pending, so only the shutdown flush can upload it.
run_ctr() {
  podman run -d --name "$1" --label "$label" --network host --stop-timeout 15 \
    -e S3_KEY=S3RVER -e S3_SECRET=S3RVER -e COLTEC_LOG_FORMAT=json -e COLTEC_DAEMON_ARGS="--debounce-ms 5000" \
    -v "$2:/workspace" -v "$volume:$home/.local/share/coltec-daemon" "$image"
}
ctl() { podman exec -u vscode -e COLTEC_SUPERVISOR_DIR="$sup_dir" "$1" supervisorctl -c "$conf" "${@:2}"; }
# in_ctr NAME PATH: PATH inside the container, read from the host (podman mount).
in_ctr() { printf '%s%s\n' "$(podman mount "$1")" "$2"; }
daemon_log() { cat "$(in_ctr "$1" "$sup_dir/coltec-daemon.out.log")" 2>/dev/null; }
# synced NAME ACTION N: the daemon in NAME has logged at least N successful runs of ACTION.
synced() {
  local n
  n=$(daemon_log "$1" | grep '"msg":"sync finished"' | grep "\"action\":\"$2\"" | grep -c '"result":"ok"' || true)
  ((n >= $3))
}
# stops NAME: how many times the daemon has logged "stopping".
stops() { daemon_log "$1" | grep -c '"msg":"stopping: ' || true; }
# flushed_on_stop NAME ACTION N: a successful run of ACTION finished after the daemon logged
# "stopping" for the N-th time.
flushed_on_stop() {
  daemon_log "$1" | awk -v n="$3" '/"msg":"stopping: / { seen++; next } seen >= n' |
    grep '"msg":"sync finished"' | grep "\"action\":\"$2\"" | matches '"result":"ok"'
}
# same_as_bucket DIR ACTION: rclone check (sizes and hashes, both ways) finds no difference.
# The two-way engine's control folder (.coltec-sync: generation, claims, staging) is its own.
same_as_bucket() { rclone_s3 check "$1" "t:$prefix/$2" --exclude '/.coltec-sync/**' >/dev/null 2>&1; }
bucket_has() { [[ $(rclone_s3 cat "t:$prefix/$1" 2>/dev/null) == "$2" ]]; }
healthy() { podman healthcheck run "$1" >/dev/null 2>&1; }
exit_code() { podman inspect -f '{{.State.ExitCode}}' "$1"; }

volume=coltec-test-state
expect_rc 0 "podman volume create $volume" podman volume create --label "$label" "$volume"

# 1. First start: the entrypoint runs post-start.sh -> supervisord; the devcontainer's
# postStartCommand (coltec-post-start) runs at the same moment and must find it, not race it.
ws1=$E2E_TMP/ws1
workspace "$ws1"
make_files "$ws1/notes" 20 2000
make_files "$ws1/context" 10 500
chown -R "$uid:$uid" "$ws1"
c1=coltec-test-1
t_run_ns=$(date +%s%N)
expect_rc 0 "podman run the image (workspace bind mount, state volume, host network)" run_ctr "$c1" "$ws1"
expect_rc 0 "postStartCommand coltec-post-start while the entrypoint starts the daemon" \
  timeout 90 podman exec -u vscode -e S3_KEY=S3RVER -e S3_SECRET=S3RVER "$c1" coltec-post-start
matches -E "already running|started under supervisord" "$E2E_TMP/last.err" &&
  pass "coltec-post-start: $(tail -n 1 "$E2E_TMP/last.err")" || fail "coltec-post-start said: $(cat "$E2E_TMP/last.err")"
# since_run PATTERN...: ms from podman run to the first daemon log line matching every
# PATTERN, by the line's own "ts" (the same clock: one kernel), for the figures at the end.
since_run() {
  local line ts
  line=$(daemon_log "$c1" | { grep -F -- "$1" || true; } | { grep -F -- "${2:-}" || true; } | head -n 1)
  ts=$(sed -n 's/^{"ts":"\([^"]*\)".*/\1/p' <<<"$line")
  if [[ -n $ts ]]; then echo $((($(date -d "$ts" +%s%N) - t_run_ns) / 1000000)); else echo "?"; fi
}
if wait_for 120 synced "$c1" notes 1 && wait_for 120 synced "$c1" context 1; then
  started_ms=$(since_run '"msg":"daemon started"')
  notes_ms=$(since_run '"msg":"sync finished"' '"action":"notes"')
  context_ms=$(since_run '"msg":"sync finished"' '"action":"context"')
  if [[ $notes_ms == "?" || $context_ms == "?" ]]; then
    first_sync_ms="?"
  else
    first_sync_ms=$((notes_ms > context_ms ? notes_ms : context_ms))
  fi
  timeline="daemon started after $started_ms ms, notes synced $notes_ms ms, context synced $context_ms ms"
  pass "first sync of both actions finished $first_sync_ms ms after podman run (by the daemon's log)"
else
  first_sync_ms=""
  fail "no first sync within 120 s of podman run; the daemon's log:"
  daemon_log "$c1" | tail -n 20 >&2
  podman logs "$c1" 2>&1 | tail -n 20 >&2
fi
same_as_bucket "$ws1/notes" notes && pass "notes/ (20 files) is in the bucket" ||
  fail "notes/ differs from the bucket: $(rclone_s3 check "$ws1/notes" "t:$prefix/notes" 2>&1 | tail -n 3)"
same_as_bucket "$ws1/context" context && pass "context/ (10 files, two-way) is in the bucket" ||
  fail "context/ differs from the bucket: $(rclone_s3 check "$ws1/context" "t:$prefix/context" --exclude '/.coltec-sync/**' 2>&1 | tail -n 3)"
podman top "$c1" user pid ppid args >"$E2E_TMP/top" 2>&1 || true
sup_pids=$(awk '/supervisord/ { print $2 }' "$E2E_TMP/top")
[[ $(wc -w <<<"$sup_pids") == 1 ]] && pass "exactly one supervisord runs" ||
  fail "supervisord processes: '$sup_pids'; podman top: $(cat "$E2E_TMP/top")"
read -r d_user _ d_ppid < <(awk '$4 ~ /coltec-daemon$/ { print $1, $2, $3 }' "$E2E_TMP/top")
[[ ${d_user:-} == vscode && ${d_ppid:-} == "$sup_pids" ]] &&
  pass "the daemon runs as vscode, a child of supervisord" || fail "daemon process: $(grep coltec-daemon "$E2E_TMP/top")"

# 2. Edits reach the bucket: inside the container, from the host through the bind mount,
# and a remote change comes down into the bidirectional folder.
podman exec -u vscode "$c1" sh -c 'echo "edited in the container" >/workspace/notes/edit.txt'
wait_for 60 bucket_has notes/edit.txt "edited in the container" &&
  pass "an edit inside the container reaches the bucket" || fail "notes/edit.txt not in the bucket after 60 s"
echo "edited on the host" >"$ws1/context/host.txt"
chown "$uid:$uid" "$ws1/context/host.txt"
wait_for 60 bucket_has context/host.txt "edited on the host" &&
  pass "an edit on the host (bind mount) reaches the bucket (two-way)" || fail "context/host.txt not in the bucket after 60 s"
# Another container's daemon writes the file and then a new generation, which is what an
# idle daemon looks at every interval (a writer that is not coltec-daemon is caught by the
# hourly full comparison, --reconcile-every).
echo "from elsewhere" | rclone_s3 rcat "t:$prefix/context/remote.txt"
rclone_s3 touch "t:$prefix/context/.coltec-sync/gen-othercontainer"
wait_for 60 grep -qx "from elsewhere" "$ws1/context/remote.txt" &&
  pass "a remote change comes down into context/" || fail "context/remote.txt not pulled within 60 s"

# 3. The HEALTHCHECK (the image's own command, run by podman).
wait_for 60 healthy "$c1" && pass "podman healthcheck run: healthy" ||
  fail "not healthy: $(podman healthcheck run "$c1" 2>&1); status: $(podman exec "$c1" coltec-daemon status 2>&1 | head -n 12)"
expect_rc 0 "supervisorctl stop coltec-daemon" ctl "$c1" stop coltec-daemon
expect_rc 1 "podman healthcheck run with the daemon stopped: exit 1" podman healthcheck run "$c1"
matches -x unhealthy "$E2E_TMP/last.out" && pass "it says unhealthy" || fail "healthcheck said: $(cat "$E2E_TMP/last.out")"
expect_rc 0 "supervisorctl start coltec-daemon" ctl "$c1" start coltec-daemon
wait_for 60 healthy "$c1" && pass "healthy again after the restart" || fail "not healthy after the restart"

# 4. podman stop right after two edits: the daemon uploads them within the stop timeout
# (15 s; podman would SIGKILL after it and the exit code would be 137) and exits 143.
podman exec -u vscode "$c1" sh -c 'echo "last notes" >/workspace/notes/last.txt; echo "last context" >/workspace/context/last.txt'
stops_before=$(stops "$c1")
t0_ns=$(date +%s%N)
expect_rc 0 "podman stop (stop timeout 15 s)" podman stop "$c1"
stop_ms=$((($(date +%s%N) - t0_ns) / 1000000))
rc=$(exit_code "$c1")
if [[ $rc == 143 ]]; then pass "the container exited 143 (stopped in $stop_ms ms)"; else
  fail "exit code $rc after $stop_ms ms; its output and the daemon's last lines:"
  podman logs "$c1" 2>&1 | tail -n 10 >&2
  daemon_log "$c1" | tail -n 15 >&2
fi
podman logs "$c1" >"$E2E_TMP/c1.logs" 2>&1 || true
matches -F "coltec-daemon stopped (exit status 143)" "$E2E_TMP/c1.logs" &&
  pass "the entrypoint reports the daemon's exit status 143" || fail "logs: $(tail -n 5 "$E2E_TMP/c1.logs")"
first_line=$(daemon_log "$c1" | head -n 1)
last_line=$(daemon_log "$c1" | tail -n 1)
[[ -n $first_line ]] && matches -x -F "$first_line" "$E2E_TMP/c1.logs" && matches -x -F "$last_line" "$E2E_TMP/c1.logs" &&
  pass "podman logs shows the daemon's log, its first line and its last" ||
  fail "the daemon's log is not in podman logs; its last line: $last_line"
for a in notes context; do
  bucket_has "$a/last.txt" "last $a" && pass "the $a edit made just before the stop was uploaded" ||
    fail "$a/last.txt not in the bucket; the daemon's last lines: $(daemon_log "$c1" | tail -n 5)"
  flushed_on_stop "$c1" "$a" $((stops_before + 1)) && pass "$a: uploaded by the shutdown flush (a run after 'stopping')" ||
    fail "$a: no successful run after 'stopping' in the daemon's log"
done

# 4b. The same container started again (as after a host restart): supervisord's socket and
# pid file from the last run are still there.
expect_rc 0 "podman start the stopped container" podman start "$c1"
wait_for 90 healthy "$c1" && pass "healthy again after podman start (stale supervisord files handled)" ||
  fail "not healthy after podman start: $(podman logs --tail 5 "$c1" 2>&1)"
expect_rc 0 "podman stop it again" podman stop "$c1"
rc=$(exit_code "$c1")
[[ $rc == 143 ]] && pass "exit 143 again" || fail "exit code $rc after the restart"

# 5. A new container on the same state volume with a fresh checkout: the synced folders
# come back from the bucket, and nothing is lost on either side.
ws2=$E2E_TMP/ws2
workspace "$ws2"
c2=coltec-test-2
expect_rc 0 "podman run a new container on the same volume, empty workspace" run_ctr "$c2" "$ws2"
restored() { [[ $(tree_sums "$ws2/notes") == "$(tree_sums "$ws1/notes")" && $(tree_sums "$ws2/context") == "$(tree_sums "$ws1/context")" ]]; }
if wait_for 120 restored; then
  pass "notes/ and context/ restored, identical to the first workspace ($(find "$ws2/notes" "$ws2/context" -type f | wc -l) files)"
else
  fail "not restored within 120 s: $(diff <(tree_sums "$ws1/notes"; tree_sums "$ws1/context") <(tree_sums "$ws2/notes"; tree_sums "$ws2/context") | head -n 5)"
  daemon_log "$c2" | tail -n 20 >&2
fi
daemon_log "$c2" | matches '"msg":"restored from the remote"' && pass "the log says what was restored" ||
  fail "no 'restored from the remote' in the log"
[[ -z $(find "$ws2/notes" "$ws2/context" ! -uid "$uid") ]] && pass "restored files belong to uid $uid" ||
  fail "not owned by $uid: $(find "$ws2/notes" "$ws2/context" ! -uid "$uid" | head -n 3)"
wait_for 60 synced "$c2" context 1 && same_as_bucket "$ws1/notes" notes && same_as_bucket "$ws1/context" context &&
  pass "the bucket still holds everything" || fail "the bucket changed after the restore"
t0_ns=$(date +%s%N)
expect_rc 0 "podman stop the second container" podman stop "$c2"
stop2_ms=$((($(date +%s%N) - t0_ns) / 1000000))
rc=$(exit_code "$c2")
if [[ $rc == 143 ]]; then pass "the second container exited 143 (stopped in $stop2_ms ms)"; else
  fail "second container: exit code $rc after $stop2_ms ms; its output and the daemon's last lines:"
  podman logs "$c2" 2>&1 | tail -n 10 >&2
  daemon_log "$c2" | tail -n 15 >&2
fi

# --- the devcontainer feature in a bookworm image build ------------------------------------
# As the devcontainer CLI applies a feature: its folder (the packaged layout of
# scripts/package.sh: install.sh, json, support files and the binary) copied into the
# build and install.sh run as root with _REMOTE_USER set, on a base that has that user.
feature_bin=${bin:-}
if [[ -z $feature_bin ]]; then # --full-build: the binary the image was built with
  feature_bin=$E2E_TMP/coltec-daemon
  podman run --rm --no-healthcheck --network none --entrypoint cat "$image" /usr/local/bin/coltec-daemon >"$feature_bin"
  chmod 0755 "$feature_bin"
fi
fctx=$E2E_TMP/feature-context
mkdir -p "$fctx/coltec-daemon"
cp docker/devcontainer-feature/devcontainer-feature.json docker/devcontainer-feature/install.sh \
  docker/post-start.sh docker/supervisord.conf schema/workspace-spec.schema.json \
  schema/examples/workspace-spec.example.yaml "$fctx/coltec-daemon/"
install -m 0755 "$feature_bin" "$fctx/coltec-daemon/coltec-daemon"
cat >"$fctx/Containerfile" <<'CF'
FROM debian:bookworm
RUN useradd --create-home --uid 1000 --user-group --shell /bin/bash vscode
COPY coltec-daemon /tmp/dev-container-features/coltec-daemon
RUN cd /tmp/dev-container-features/coltec-daemon && chmod +x install.sh \
 && _REMOTE_USER=vscode ./install.sh
USER vscode
CF
fimage=localhost/coltec-feature:test
t0=$SECONDS
expect_rc 0 "feature install.sh in a debian:bookworm image build" \
  podman build --pull=never --network host -f "$fctx/Containerfile" -t "$fimage" "$fctx"
feature_build_s=$((SECONDS - t0))
cat "$E2E_TMP/last.out" "$E2E_TMP/last.err" >"$cache/feature-build.log"
# The base has none of the runtime packages; install.sh must have brought them with apt-get.
pkgs=$(sed -n 's/^packages=(\(.*\))$/\1/p' docker/devcontainer-feature/install.sh)
# shellcheck disable=SC2086 # the package list splits on blanks
if podman run --rm --network none debian:bookworm dpkg-query -W rclone >/dev/null 2>&1; then
  fail "debian:bookworm already has rclone: the package check below proves nothing"
elif podman run --rm --network none "$fimage" dpkg-query -W -f='${Status}\n' $pkgs 2>&1 |
  grep -cx 'install ok installed' | matches -x "$(wc -w <<<"$pkgs")"; then
  pass "install.sh installed $pkgs"
else
  fail "not all of $pkgs are installed in the feature image"
fi
frun() {
  podman run --rm --label "$label" --network none -e COLTEC_STATE_DIR=/var/lib/coltec-daemon \
    -v "$fvolume:/var/lib/coltec-daemon" -v "$fdata:/data" "$fimage" "$@"
}
fvolume=coltec-test-feature-state
podman volume create --label "$label" "$fvolume" >/dev/null
fdata=$E2E_TMP/feature-data
mkdir -p "$fdata/remote"
make_files "$fdata/local" 12 300
local_spec "$fdata/spec.yaml" feature-e2e /data/remote \
  "{name: files, path: /data/local, remote_path: files, direction: push-only}"
chown -R "$uid:$uid" "$fdata"
expect_rc 0 "installed coltec-daemon --version runs as vscode" frun coltec-daemon --version
matches -E '^coltec-daemon [0-9]' "$E2E_TMP/last.out" && pass "version: $(cat "$E2E_TMP/last.out")" ||
  fail "--version said: $(cat "$E2E_TMP/last.out")"
expect_rc 0 "coltec-daemon --validate-only on the installed example spec" \
  frun coltec-daemon --validate-only -c /usr/local/share/coltec-daemon/examples/workspace-spec.example.yaml
expect_rc 0 "coltec-validate (symlink) on the installed example" \
  frun coltec-validate --file /usr/local/share/coltec-daemon/examples/workspace-spec.example.yaml
expect_rc 0 "coltec-daemon --once against a local-folder remote" frun coltec-daemon --once -c /data/spec.yaml
[[ $(tree_sums "$fdata/local") == "$(tree_sums "$fdata/remote/files")" ]] &&
  pass "the --once push copied all 12 files" || fail "remote differs: $(find "$fdata/remote" -type f | wc -l) files"
expect_rc 0 "the state (health.json) landed on the feature's volume, writable by _REMOTE_USER" \
  frun test -s /var/lib/coltec-daemon/feature-e2e/health.json
expect_rc 0 "coltec-post-start is on PATH and finds its supervisord.conf" \
  frun sh -c 'test -f "$(dirname "$(readlink -f "$(command -v coltec-post-start)")")/supervisord.conf"'

# --- figures ---------------------------------------------------------------------------
say "image $image: $((image_bytes / 1000000)) MB ($image_bytes bytes), built in ${build_s} s (--target $target)"
[[ -z $first_sync_ms ]] || say "podman run -> first sync of both actions finished: ${first_sync_ms} ms ($timeline)"
say "podman stop with two pending edits: ${stop_ms} ms; feature image build: ${feature_build_s} s"
say "total: $((SECONDS - started)) s"
finish
