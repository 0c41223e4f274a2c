#!/usr/bin/env bash
# Nothing left behind: the daemon is killed mid-sync with every signal that ends a process
# (SIGKILL included), and afterwards no file under /dev/shm, /tmp, the state directory or
# $HOME holds a credential. The rclone config lives in an in-memory file that rclone
# inherits; SIGPIPE (a reader that went away, `| head -2`) never kills a run.
source "$(dirname "$0")/lib.sh"
start_s3rver

ws="$E2E_TMP/ws"
state="$E2E_TMP/state"
spec="$E2E_TMP/spec.yaml"
cwd="$E2E_TMP/cwd" # the daemon's working directory: where a core dump would land
export HOME="$E2E_TMP/home"
mkdir -p "$ws/big" "$cwd" "$HOME"
head -c 20000000 /dev/urandom >"$ws/big/blob.bin"
# Fresh values each run, so nothing but this run can hold them.
S3_SECRET="e2e-secret-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
CRYPT_PASS="e2e-crypt-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export S3_KEY=S3RVER S3_SECRET CRYPT_PASS
# write_spec TAG: the spec, pushing to a remote folder of its own for each TAG (s3rver keeps
# what an interrupted upload left, and would answer a second upload over it with errors).
write_spec() {
  cat >"$spec" <<YAML
name: e2e-secrets
metadata: {org: acme, project: web}
devcontainer: {image: {name: debian:bookworm}}
persistence:
  enabled: true
  mode: replicated
  default_remote: s3main
  remotes:
    s3main:
      type: s3
      bucket: testbucket
      options:
        provider: Other
        endpoint: http://127.0.0.1:$S3_PORT
        access_key_id: \${S3_KEY}
        secret_access_key: \${S3_SECRET}
    vault: {type: crypt, wrap_remote: s3main, wrap_path: vault, crypt: {password_env: CRYPT_PASS}}
  sync:
    - {name: big, path: $ws/big, remote_path: big-$1, direction: push-only, bwlimit: 2M}
    - {name: sealed, path: $ws/big, remote_path: sealed-$1, remote: vault, direction: push-only, bwlimit: 2M}
YAML
}
write_spec first
grep -qF -e "$S3_SECRET" -e "$CRYPT_PASS" "$spec" && fail "the spec itself holds a secret"
started="$E2E_TMP/started"
touch "$started"

# leftovers: files written since the suite started, anywhere a secret could land, that
# hold one. A file written before it started cannot hold values made up after that.
leftovers() {
  find /dev/shm /tmp "$state" "$HOME" -xdev -type f -newer "$started" -print0 2>/dev/null |
    xargs -0 -r grep -lsF -e "$S3_SECRET" -e "$CRYPT_PASS" || true
}

# start_daemon ARGS...: the daemon in the background in $cwd, with core dumps allowed.
start_daemon() {
  (
    cd "$cwd" && ulimit -c unlimited 2>/dev/null
    exec "$COLTEC_BIN" -c "$spec" --state-dir "$state" "$@"
  ) >>"$E2E_TMP/daemon.log" 2>&1 &
  DAEMON_PID=$!
  E2E_PIDS+=("$DAEMON_PID")
}

# While a sync runs: rclone reads the config through an inherited descriptor, the daemon
# holds it as an in-memory file, and no file holds a secret.
start_daemon --interval 3600
wait_for 60 has_rclone_child "$DAEMON_PID" sync || fail "no rclone sync started"
child=$(rclone_pids_under "$DAEMON_PID" sync | sed -n 1p) # sed reads it all: no SIGPIPE
cmdline=$(tr '\0' ' ' <"/proc/$child/cmdline" 2>/dev/null || true)
[[ $cmdline =~ --config\ /proc/self/fd/([0-9]+) ]] && pass "rclone gets --config /proc/self/fd/N" ||
  fail "rclone's command line: $cmdline"
fd=${BASH_REMATCH[1]:-x}
[[ $(readlink "/proc/$child/fd/$fd" 2>/dev/null) == /memfd:coltec-rclone-config* ]] &&
  pass "that descriptor is an in-memory file" || fail "fd $fd: $(readlink "/proc/$child/fd/$fd")"
grep -qF "$S3_SECRET" "/proc/$child/fd/$fd" 2>/dev/null && pass "rclone can read the config" ||
  fail "the config rclone sees lacks the secret"
[[ -z $(leftovers) ]] && pass "no file holds a secret while syncs run" ||
  fail "files with a secret: $(leftovers)"
kill -TERM "$DAEMON_PID"
wait_rc "$DAEMON_PID" 30

# Every signal that ends a process, mid-transfer. (SIGTERM/SIGINT stop cleanly; the rest
# end the daemon without any handler of ours running; its rclone dies with it.)
for sig in KILL QUIT SEGV ABRT USR2 ALRM TERM INT; do
  write_spec "$sig"
  start_daemon --interval 3600 --shutdown-grace 0.5
  if ! wait_for 60 has_rclone_child "$DAEMON_PID" sync; then
    fail "SIG$sig: no rclone sync started"
    continue
  fi
  children=$(rclone_pids_under "$DAEMON_PID")
  kill "-$sig" "$DAEMON_PID"
  wait_rc "$DAEMON_PID" 30
  [[ $WAIT_RC != timeout && $WAIT_RC != 0 ]] && pass "SIG$sig ends the daemon (rc=$WAIT_RC)" ||
    fail "SIG$sig: rc=$WAIT_RC"
  gone=1
  for p in $children; do wait_gone "$p" 10 || gone=0; done
  ((gone)) && pass "SIG$sig: no rclone outlives the daemon" || fail "SIG$sig: rclone survived"
  found=$(leftovers)
  [[ -z $found ]] && pass "SIG$sig: no file holds a secret" || fail "SIG$sig left a secret in: $found"
done
[[ -z $(find "$cwd" -name 'core*') ]] && pass "no core dump was written" ||
  fail "core dumps: $(find "$cwd" -name 'core*')"

# SIGPIPE never kills a run: the daemon goes on, and stops cleanly when asked.
write_spec PIPE
start_daemon --interval 3600 --shutdown-grace 0.5
wait_for 60 has_rclone_child "$DAEMON_PID" sync || fail "no rclone sync started"
kill -PIPE "$DAEMON_PID"
sleep 1 # a fixed wait on purpose: nothing happening is the expected outcome
if kill -0 "$DAEMON_PID" 2>/dev/null && has_rclone_child "$DAEMON_PID" sync; then
  pass "SIGPIPE does not stop the daemon or its sync"
else
  fail "SIGPIPE ended the run"
  tail -n 5 "$E2E_TMP/daemon.log" >&2
fi
kill -TERM "$DAEMON_PID"
wait_rc "$DAEMON_PID" 30
[[ $WAIT_RC == 143 ]] && pass "after SIGPIPE, SIGTERM still stops it (143)" || fail "rc=$WAIT_RC"

# A reader that goes away: `--once --dry-run | head -2` is an ordinary thing to type.
(cd "$cwd" && "$COLTEC_BIN" -c "$spec" --state-dir "$state" --once --dry-run 2>&1 | head -2 >/dev/null
  echo "${PIPESTATUS[0]}" >"$E2E_TMP/pipe.rc")
[[ $(cat "$E2E_TMP/pipe.rc") == 0 ]] && pass "--once --dry-run | head -2 ends normally (rc=0)" ||
  fail "--once --dry-run | head -2: rc=$(cat "$E2E_TMP/pipe.rc")"
found=$(leftovers)
[[ -z $found ]] && pass "no file holds a secret after all runs" || fail "secret left in: $found"
grep -qF -e "$S3_SECRET" -e "$CRYPT_PASS" "$E2E_TMP/daemon.log" && fail "a secret is in the log" ||
  pass "no secret in the daemon's log"

finish
