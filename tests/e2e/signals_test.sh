#!/usr/bin/env bash
# Signals against real rclone runs on a local-folder remote: SIGTERM during a long push
# (exit 143, no rclone left, the next run completes), SIGKILL of the daemon (its rclone dies
# with it), SIGTERM while a two-way run pulls a 20 MB file (the download is staged, so no
# truncated file ever sits under the real name, and the next run finishes it without a
# conflict copy), SIGHUP with a broken spec (old spec kept) and SIGUSR1 (run now).
source "$(dirname "$0")/lib.sh"

ws="$E2E_TMP/ws"
remote="$E2E_TMP/remote"
state="$E2E_TMP/state"
spec="$E2E_TMP/spec.yaml"
mkdir -p "$ws/push" "$ws/bidi" "$remote/bidi"
head -c 20000000 /dev/urandom >"$ws/push/big.bin"
write_spec() {
  local_spec "$spec" e2e-signals "$remote" \
    "{name: push, path: $ws/push, remote_path: push, direction: push-only, bwlimit: 4M}" \
    "{name: bidi, path: $ws/bidi, remote_path: bidi, direction: bidirectional, bwlimit: 4M}"
}
write_spec
run() { "$COLTEC_BIN" -c "$spec" --state-dir "$state" "$@"; }

# 1. SIGTERM during a long push.
daemon -c "$spec" --state-dir "$state" --only push --shutdown-grace 1
wait_for 20 has_rclone_child "$DAEMON_PID" sync || fail "no rclone sync started"
sleep 1
kill -TERM "$DAEMON_PID"
wait_rc "$DAEMON_PID" 15; rc=$WAIT_RC
[[ $rc == 143 ]] && pass "SIGTERM mid-transfer exits 143" || fail "rc=$rc"
[[ -z $(pgrep -f "^rclone .*$ws/push") ]] && pass "no rclone left after SIGTERM" || fail "rclone survived"
expect_rc 0 "next run completes the push" run --once --only push
cmp -s "$ws/push/big.bin" "$remote/push/big.bin" && pass "remote copy is complete" || fail "remote copy differs"

# 2. SIGKILL of the daemon: its rclone must not outlive it (parent-death signal).
head -c 20000000 /dev/urandom >"$ws/push/big2.bin"
daemon -c "$spec" --state-dir "$state" --only push
# Kill it mid-transfer: wait for the real sync, not the pre-check before it.
wait_for 20 has_rclone_child "$DAEMON_PID" sync || fail "no rclone sync started"
children=$(rclone_pids_under "$DAEMON_PID" sync)
[[ -n $children ]] || fail "no rclone sync to watch"
kill -KILL "$DAEMON_PID"
gone=1
for p in $children; do wait_gone "$p" 5 || gone=0; done
((gone)) && pass "rclone died with the SIGKILLed daemon" || fail "rclone outlived the daemon"
expect_rc 0 "restart after SIGKILL completes (no stale lock)" run --once --only push
cmp -s "$ws/push/big2.bin" "$remote/push/big2.bin" && pass "push completed after restart" || fail "push incomplete"

# 3. SIGTERM while a two-way run pulls a 20 MB file: no truncated copy may ever win.
echo seed >"$ws/bidi/seed.txt"
expect_rc 0 "two-way first run" run --once --only bidi
head -c 20000000 /dev/urandom >"$remote/bidi/pulled.bin"
good=$(sha256sum <"$remote/bidi/pulled.bin")
daemon -c "$spec" --state-dir "$state" --only bidi --shutdown-grace 0.5
staged() {
  local f
  for f in "$ws"/bidi/.coltec-sync/staging-*/pulled.bin; do [[ -s $f ]] && return 0; done
  return 1
}
wait_for 30 staged || fail "pull did not start"
[[ ! -e $ws/bidi/pulled.bin ]] && pass "the download in progress is not under the real name" || fail "a partial file is in place"
kill -TERM "$DAEMON_PID"
wait_rc "$DAEMON_PID" 15; rc=$WAIT_RC
[[ $rc == 143 ]] && pass "SIGTERM during a two-way run exits 143" || fail "rc=$rc: $(tail -5 "$E2E_TMP/daemon.log")"
[[ -z $(pgrep -f "^rclone .*$ws/bidi") ]] && pass "no rclone left" || fail "rclone survived"
[[ ! -e $ws/bidi/pulled.bin ]] || [[ $(sha256sum <"$ws/bidi/pulled.bin") == "$good" ]] &&
  pass "no truncated file after the stop" || fail "a truncated pulled.bin is in place"
for i in 1 2; do expect_rc 0 "two-way run $i after the interruption" run --once --only bidi; done
[[ $(sha256sum <"$ws/bidi/pulled.bin") == "$good" ]] && pass "the complete file arrived" || fail "pulled.bin differs"
[[ $(sha256sum <"$remote/bidi/pulled.bin") == "$good" ]] && pass "the remote copy is untouched" || fail "remote copy changed"
ls -A "$ws/bidi" "$remote/bidi" | matches conflict && fail "a conflict copy appeared: $(ls "$ws/bidi")" || pass "no conflict copy"
compgen -G "$ws/bidi/.coltec-sync/staging-*" >/dev/null && fail "staging left behind" || pass "staging cleaned up"

# 4. SIGHUP with a broken spec keeps the old one; SIGUSR1 runs every action now.
daemon -c "$spec" --state-dir "$state" --interval 3600
wait_for 30 grep -q "sync finished action=bidi" "$E2E_TMP/daemon.log" || fail "daemon first pass"
cp "$spec" "$spec.good"
echo "persistence: [broken" >"$spec"
kill -HUP "$DAEMON_PID"
wait_for 10 grep -q "keeping the old one" "$E2E_TMP/daemon.log" && pass "bad reload keeps the old spec" || fail "no reload message"
cp "$spec.good" "$spec"
before=$(grep -c "sync started" "$E2E_TMP/daemon.log")
kill -USR1 "$DAEMON_PID"
wait_for 20 count_at_least $((before + 2)) "sync finished" "$E2E_TMP/daemon.log" && pass "SIGUSR1 ran every action" || fail "SIGUSR1"
kill -INT "$DAEMON_PID"
wait_rc "$DAEMON_PID" 15; rc=$WAIT_RC
[[ $rc == 130 ]] && pass "SIGINT exits 130" || fail "SIGINT rc=$rc"

finish
