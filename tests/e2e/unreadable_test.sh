#!/usr/bin/env bash
# Files and folders the daemon cannot read, and names a line-based list cannot hold as they
# are, with real rclone, real inotify and a local-folder remote. Root reads a mode-000 file,
# so the daemon runs as `nobody` (setpriv, util-linux, part of every Debian); as any other
# user it runs as that user. Push-only: an unreadable file and folder are skipped with a
# warning naming each, everything else is pushed, their remote copies stay, and once readable
# they sync. The watcher's quick upload carries a name ending in '\r' and one with a line
# break at once (the interval is an hour). Bidirectional: an unreadable new file and an
# unreadable edit are skipped with a warning, the rest syncs, the remote copy stays.
source "$(dirname "$0")/lib.sh"

as_user=()
if ((EUID == 0)); then
  if ! setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
    echo "SKIP: running as root and cannot drop privileges with setpriv (util-linux)"
    exit 0
  fi
  as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
# The unprivileged daemon must reach its binary and our scratch folder.
if ! "${as_user[@]}" test -x "$COLTEC_BIN"; then
  echo "SKIP: $COLTEC_BIN cannot be run by an unprivileged user"
  exit 0
fi
chmod 755 "$E2E_TMP"
work="$E2E_TMP/work"
ws="$work/ws"
remote="$work/remote"
spec="$work/spec.yaml"
CR=$'\r'
NL=$'\n'
mkdir -p "$ws/code/ok" "$ws/code/bad" "$ws/two/bad2" "$remote/code/bad" "$remote/two/bad2" "$work/home"
echo a >"$ws/code/a.txt"
echo c >"$ws/code/ok/c.txt"
echo "local secret" >"$ws/code/secret[1]*"
echo d >"$ws/code/bad/d.txt"
echo "remote secret" >"$remote/code/secret[1]*"
echo "remote d" >"$remote/code/bad/d.txt"
echo x >"$ws/two/x.txt"
echo "new unreadable" >"$ws/two/secret2"
echo "shared v1" >"$ws/two/shared.txt"
echo "remote r" >"$remote/two/bad2/r.txt"
local_spec "$spec" e2e-unreadable "$remote" \
  "{name: code, path: $ws/code, remote_path: code, direction: push-only, interval: 3600}" \
  "{name: two, path: $ws/two, remote_path: two, direction: bidirectional, interval: 3600}"
((EUID == 0)) && chown -R nobody:nogroup "$work"
chmod 000 "$ws/code/secret[1]*" "$ws/code/bad" "$ws/two/secret2" "$ws/two/bad2"

"${as_user[@]}" env HOME="$work/home" "$COLTEC_BIN" -c "$spec" --state-dir "$work/state" \
  --debounce-ms 200 --max-delay-ms 2000 >"$E2E_TMP/daemon.log" 2>&1 &
DAEMON_PID=$!
E2E_PIDS+=("$DAEMON_PID")
logged() { matches -F -- "$1" "$E2E_TMP/daemon.log"; }

wait_for 30 logged "sync finished action=code" && pass "push-only: the run finished" ||
  fail "push-only: no finished run"
[[ -f $remote/code/a.txt && -f $remote/code/ok/c.txt ]] &&
  pass "push-only: the readable files were pushed" || fail "push-only: readable files missing"
logged "cannot read the file secret[1]*" && pass "push-only: the unreadable file is named" ||
  fail "push-only: no warning naming the file"
logged "cannot read the folder bad" && pass "push-only: the unreadable folder is named" ||
  fail "push-only: no warning naming the folder"
[[ $(cat "$remote/code/secret[1]*") == "remote secret" && $(cat "$remote/code/bad/d.txt") == "remote d" ]] &&
  pass "push-only: the remote copies of what was skipped are kept" ||
  fail "push-only: a skipped path's remote copy changed"
! logged "sync failed action=code" && pass "push-only: no run failed" || fail "push-only: a run failed"
grep -rqF --include=health.json "cannot read the file secret[1]*" "$work/state" &&
  pass "push-only: health.json carries the warning" || fail "push-only: not in health.json"

# The quick upload (interval 3600 s): names ending in CR or holding a line break.
echo cr >"$ws/code/cr$CR"
echo nl >"$ws/code/two${NL}lines"
wait_for 15 test -f "$remote/code/cr$CR" && pass "quick upload: a name ending in CR reached the remote" ||
  fail "quick upload: the CR name did not reach the remote"
wait_for 15 test -f "$remote/code/two${NL}lines" &&
  pass "quick upload: a name with a line break reached the remote" ||
  fail "quick upload: the line-break name did not reach the remote"
[[ $(cat "$remote/code/cr$CR" 2>/dev/null) == cr ]] && pass "quick upload: the CR file has its bytes" ||
  fail "quick upload: wrong content"

# Readable again: the next change syncs it.
chmod 644 "$ws/code/secret[1]*"
echo "local secret v2" >"$ws/code/secret[1]*"
wait_for 15 grep -qx "local secret v2" "$remote/code/secret[1]*" &&
  pass "push-only: once readable the file syncs" || fail "push-only: the repaired file never synced"

# Bidirectional: the first run saw an unreadable new file and an unreadable folder.
wait_for 30 logged "sync finished action=two" && pass "two-way: the run finished" ||
  fail "two-way: no finished run"
[[ -f $remote/two/x.txt && -f $remote/two/shared.txt ]] && pass "two-way: the readable files were uploaded" ||
  fail "two-way: readable files missing"
logged "cannot read the file secret2" && pass "two-way: the unreadable file is named" ||
  fail "two-way: no warning naming the file"
logged "cannot read the local folder bad2" && pass "two-way: the unreadable folder is named" ||
  fail "two-way: no warning naming the folder"
[[ -f $remote/two/bad2/r.txt && ! -e $remote/two/secret2 ]] &&
  pass "two-way: nothing under the unreadable folder was deleted" || fail "two-way: remote changed"
# An edit nobody can read: never uploaded, the remote's copy stays, later runs still work.
echo "shared v2, unreadable" >"$ws/two/shared.txt"
chmod 000 "$ws/two/shared.txt"
wait_for 15 logged "cannot read the file shared.txt" && pass "two-way: the unreadable edit is named" ||
  fail "two-way: no warning for the unreadable edit"
[[ $(cat "$remote/two/shared.txt") == "shared v1" ]] && pass "two-way: the remote copy was not overwritten" ||
  fail "two-way: the remote copy changed"
echo y >"$ws/two/y.txt"
wait_for 15 test -f "$remote/two/y.txt" && pass "two-way: later changes still sync" ||
  fail "two-way: a later change did not sync"
! logged "sync failed action=two" && pass "two-way: no run failed" || fail "two-way: a run failed"

kill -TERM "$DAEMON_PID"
wait_rc "$DAEMON_PID" 10
[[ $WAIT_RC == 143 ]] && pass "stopped with 143" || fail "stop rc=$WAIT_RC"
((E2E_FAILS == 0)) || tail -n 60 "$E2E_TMP/daemon.log" >&2
# Let the cleanup remove what the unprivileged daemon made unreadable.
chmod -R u+rwX "$work" 2>/dev/null || true
finish
