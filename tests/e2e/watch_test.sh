#!/usr/bin/env bash
# Event-driven sync with real inotify, real rclone and a local-folder remote: a write reaches
# the remote without waiting for the interval, excluded paths trigger nothing, a burst of
# 1,000 writes leads to a bounded number of runs, and an idle push-only workspace launches
# no rclone at all.
source "$(dirname "$0")/lib.sh"

ws="$E2E_TMP/ws"
remote="$E2E_TMP/remote"
spec="$E2E_TMP/spec.yaml"
mkdir -p "$ws/code/node_modules" "$remote"
make_files "$ws/code" 10
local_spec "$spec" e2e-watch "$remote" \
  "{name: code, path: $ws/code, remote_path: code, direction: push-only, interval: 3600, exclude: ['node_modules/**', '*.log']}"
runs() { grep -c "sync started action=code" "$E2E_TMP/daemon.log" || true; }

daemon -c "$spec" --state-dir "$E2E_TMP/state" --debounce-ms 200 --max-delay-ms 2000
wait_for 20 grep -q "sync finished action=code" "$E2E_TMP/daemon.log" || fail "first pass"
grep -q "watching local folders watches=" "$E2E_TMP/daemon.log" && pass "start-up reports the watches in use" || fail "no watch count"

t0=$(date +%s%N)
echo "hello" >"$ws/code/new.txt"
wait_for 10 test -f "$remote/code/new.txt" && pass "a write reached the remote in $((($(date +%s%N) - t0) / 1000000)) ms (interval is 3600 s)" ||
  fail "write not synced"

before=$(runs)
echo x >"$ws/code/node_modules/dep.js"
echo x >"$ws/code/debug.log"
sleep 1.5  # longer than debounce: a run would have started
[[ $(runs) == "$before" ]] && pass "excluded paths trigger nothing" || fail "excluded path triggered a run"

before=$(runs)
for i in $(seq 1 1000); do echo "$i" >"$ws/code/burst$((i % 50)).txt"; done
wait_for 20 test -f "$remote/code/burst49.txt" || fail "burst not synced"
sleep 1
n=$(($(runs) - before))
((n >= 1 && n <= 5)) && pass "1,000 writes led to $n runs" || fail "1,000 writes led to $n runs"

# Idle: no rclone launches at all (push-only, no changes, reconcile far away).
before=$(runs)
launched=0
for _ in $(seq 1 30); do
  has_rclone_child "$DAEMON_PID" && launched=1
  sleep 0.1
done
((launched == 0)) && [[ $(runs) == "$before" ]] && pass "idle push-only workspace launched no rclone" || fail "rclone ran while idle"

kill -TERM "$DAEMON_PID"
wait_rc "$DAEMON_PID" 10
[[ $WAIT_RC == 143 ]] && pass "stopped with 143" || fail "stop rc=$WAIT_RC"

# A fresh container: the local folder does not exist yet. The first run restores it from the
# remote, and from then on it is watched like any other.
rm -rf "$ws/code"
daemon -c "$spec" --state-dir "$E2E_TMP/state2" --debounce-ms 200 --max-delay-ms 2000
wait_for 20 grep -q "now watching a folder that was missing" "$E2E_TMP/daemon.log" &&
  pass "the restored folder is watched" || fail "restored folder not watched"
[[ -f $ws/code/new.txt ]] && pass "the folder was restored from the remote" || fail "not restored"
echo "after restore" >"$ws/code/after.txt"
wait_for 10 test -f "$remote/code/after.txt" && pass "a write after the restore reached the remote" || fail "write after restore not synced"
kill -TERM "$DAEMON_PID"
wait_rc "$DAEMON_PID" 10
finish
