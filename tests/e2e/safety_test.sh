#!/usr/bin/env bash
# Fault injection for data safety (README "Reliability"): every scenario checks that the
# union of files on both sides loses nothing (sha256 before and after).
source "$(dirname "$0")/lib.sh"

root="$E2E_TMP"
state="$root/state"
run() { "$COLTEC_BIN" -c "$root/spec.yaml" --state-dir "$state" "$@"; }
# spec NAME DIRECTION [extra YAML for the path]: one action on a local-folder remote.
spec() {
  mkdir -p "$root/remote"
  local_spec "$root/spec.yaml" "e2e-safety-$1" "$root/remote" \
    "{name: $1, path: $root/ws/$1, remote_path: $1, direction: $2 ${3:-}}"
}
# union NAME: every distinct file content on either side (deduplicated).
union() { (tree_sums "$root/ws/$1" 2>/dev/null; tree_sums "$root/remote/$1" 2>/dev/null) | awk '{print $1}' | sort -u; }
# keeps NAME BEFORE: every content in BEFORE still exists somewhere.
keeps() { comm -23 <(echo "$2") <(union "$1") | matches . && return 1 || return 0; }

# 1. Fresh container, push-only: empty local, populated remote -> restored, remote intact.
spec s1 push-only
mkdir -p "$root/ws/s1" "$root/remote/s1"
make_files "$root/remote/s1" 20
before=$(union s1)
expect_rc 0 "1: fresh container push-only" run --once
diff <(tree_sums "$root/remote/s1") <(tree_sums "$root/ws/s1") >/dev/null && pass "1: local restored from remote" || fail "1: local not restored"
keeps s1 "$before" && pass "1: nothing lost (20 files checked)" || fail "1: files lost"
grep -q "restored from the remote" "$E2E_TMP/last.err" && pass "1: the log says what was restored" || fail "1: no restore log line"

# 2. Same for bidirectional, first run (local folder missing entirely).
spec s2 bidirectional
mkdir -p "$root/remote/s2"
make_files "$root/remote/s2" 20
before=$(union s2)
expect_rc 0 "2: fresh container bidirectional" run --once
diff <(tree_sums "$root/remote/s2") <(tree_sums "$root/ws/s2") >/dev/null && pass "2: local restored, sides equal" || fail "2: sides differ"
keeps s2 "$before" && pass "2: nothing lost" || fail "2: files lost"

# 3. Local root emptied / deleted while the daemon runs -> refused, remote intact.
spec s3 push-only
mkdir -p "$root/ws/s3"
make_files "$root/ws/s3" 10
daemon -c "$root/spec.yaml" --state-dir "$state" --interval 3600 --debounce-ms 100
wait_for 20 grep -q "sync finished action=s3" "$E2E_TMP/daemon.log" || fail "3: first pass"
before=$(union s3)
rm -rf "$root/ws/s3"
mkdir -p "$root/ws/s3"
kill -USR1 "$DAEMON_PID"
wait_for 20 grep -q "refusing to mirror" "$E2E_TMP/daemon.log" && pass "3: emptied root refused" || fail "3: not refused"
[[ $(find "$root/remote/s3" -type f | wc -l) == 10 ]] && pass "3: remote intact (10 files)" || fail "3: remote lost files"
"$COLTEC_BIN" -c "$root/spec.yaml" --state-dir "$state" status >"$E2E_TMP/status.out" 2>&1 && fail "3: status healthy" || pass "3: status unhealthy"
kill -TERM "$DAEMON_PID"; wait_rc "$DAEMON_PID" 10
keeps s3 "$before" && pass "3: nothing lost" || fail "3: files lost"

# 4. 80 % of local files deleted -> refused by the delete cap; with force -> trash.
spec s4 push-only
mkdir -p "$root/ws/s4"
make_files "$root/ws/s4" 10
expect_rc 0 "4: initial push" run --once
before=$(union s4)
rm -f "$root/ws/s4"/d[0-7]/*
expect_rc 3 "4: 80% deletion refused (exit 3)" run --once
grep -q "would delete 8 files of 10" "$E2E_TMP/last.err" && pass "4: says how many deletes" || fail "4: message"
[[ $(find "$root/remote/s4" -type f | wc -l) == 10 ]] && pass "4: nothing deleted" || fail "4: deleted anyway"
expect_rc 0 "4: --force-deletes" run --once --force-deletes
[[ $(find "$root/remote/s4" -type f | wc -l) == 2 ]] && pass "4: forced sync deleted 8" || fail "4: forced count"
[[ $(find "$root/remote/.coltec-trash/s4" -type f | wc -l) == 8 ]] && pass "4: deleted files are in the trash" || fail "4: trash"
(tree_sums "$root/remote/.coltec-trash/s4"; union s4) >/dev/null
comm -23 <(echo "$before") <( (union s4; tree_sums "$root/remote/.coltec-trash" | awk '{print $1}') | sort -u) | matches . &&
  fail "4: files lost" || pass "4: nothing lost (trash included)"

# 6c. Misspelled remote path on a pull-only action -> local files untouched.
spec s6c pull-only
mkdir -p "$root/ws/s6c" "$root/remote/s6c"
make_files "$root/ws/s6c" 5
before=$(union s6c)
expect_rc 3 "6c: pull from an empty remote folder refused" run --once
keeps s6c "$before" && [[ $(find "$root/ws/s6c" -type f | wc -l) == 5 ]] && pass "6c: local untouched" || fail "6c: local lost"

# 8. rclone missing from PATH -> clear error, exit 2, nothing touched.
spec s8 push-only
mkdir -p "$root/ws/s8"
make_files "$root/ws/s8" 3
PATH=/nonexistent expect_rc 2 "8: rclone missing" "$COLTEC_BIN" -c "$root/spec.yaml" --state-dir "$state" --once
grep -q "rclone is not installed" "$E2E_TMP/last.err" && pass "8: says rclone is missing" || fail "8: message"
[[ ! -e $root/remote/s8 ]] && pass "8: nothing touched" || fail "8: remote touched"

# 9. State directory not writable -> clear error at start-up.
if [[ $(id -u) != 0 ]]; then
  mkdir -p "$root/ro" && chmod 500 "$root/ro"
  expect_rc 2 "9: state dir not writable" "$COLTEC_BIN" -c "$root/spec.yaml" --state-dir "$root/ro/x" --once
else
  echo file >"$root/notadir"
  expect_rc 2 "9: state dir not creatable" "$COLTEC_BIN" -c "$root/spec.yaml" --state-dir "$root/notadir/x" --once
fi
grep -qi "state" "$E2E_TMP/last.err" && pass "9: error names the state directory" || fail "9: message"

# 11. SIGTERM with unflushed local changes -> flushed within the grace, exit 143.
spec s11 push-only
mkdir -p "$root/ws/s11"
make_files "$root/ws/s11" 3
daemon -c "$root/spec.yaml" --state-dir "$state" --interval 3600 --debounce-ms 60000 --max-delay-ms 60000
wait_for 20 grep -q "sync finished action=s11" "$E2E_TMP/daemon.log" || fail "11: first pass"
sleep 0.5  # let the watcher settle after the first pass
echo late >"$root/ws/s11/late.txt"
sleep 0.5  # the change is seen but the 60 s debounce keeps it pending
kill -TERM "$DAEMON_PID"
wait_rc "$DAEMON_PID" 15; rc=$WAIT_RC
[[ $rc == 143 ]] && pass "11: exit 143" || fail "11: rc=$rc"
[[ -f $root/remote/s11/late.txt ]] && pass "11: pending change flushed on SIGTERM" || fail "11: change not flushed"

# 12. Two daemons on the same workspace -> the second refuses (exit 4).
daemon -c "$root/spec.yaml" --state-dir "$state" --interval 3600
wait_for 20 grep -q "daemon started" "$E2E_TMP/daemon.log"
expect_rc 4 "12: second daemon refuses" "$COLTEC_BIN" -c "$root/spec.yaml" --state-dir "$state"
grep -q "pid $DAEMON_PID" "$E2E_TMP/last.err" && pass "12: names the holder pid" || fail "12: message"
kill -TERM "$DAEMON_PID"; wait_rc "$DAEMON_PID" 10

finish
