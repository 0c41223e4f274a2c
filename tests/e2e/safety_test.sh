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

# 4. 80 % of local files deleted, one file added -> the delete cap holds the deletions back
# (exit 3) but the new file is uploaded; with force -> deleted, into the trash.
spec s4 push-only
mkdir -p "$root/ws/s4"
make_files "$root/ws/s4" 10
expect_rc 0 "4: initial push" run --once
before=$(union s4)
rm -f "$root/ws/s4"/d[0-7]/*
echo "written after the deletes" >"$root/ws/s4/new.txt"
expect_rc 3 "4: 80% deletion held back (exit 3)" run --once
grep -q "8 deletions held back: the local folder no longer has 8 of the remote's 10 files" "$E2E_TMP/last.err" &&
  pass "4: the log says how many deletions were held back" || fail "4: message: $(grep held "$E2E_TMP/last.err")"
grep -q "held-back" "$E2E_TMP/last.out" && pass "4: the summary says held-back" || fail "4: summary: $(cat "$E2E_TMP/last.out")"
[[ $(find "$root/remote/s4" -type f | wc -l) == 11 ]] && pass "4: nothing deleted, the new file uploaded" ||
  fail "4: remote has $(find "$root/remote/s4" -type f | wc -l) files, want 11"
cmp -s "$root/ws/s4/new.txt" "$root/remote/s4/new.txt" && pass "4: new.txt is byte-identical on the remote" || fail "4: new.txt"
run status >"$E2E_TMP/status.out" 2>&1 || true
sed -n '/needs attention/,$p' "$E2E_TMP/status.out" | matches "s4: 8 deletions held back" &&
  pass "4: status lists the held-back deletions under needs attention" || fail "4: status: $(cat "$E2E_TMP/status.out")"
python3 - "$state/e2e-safety-s4/health.json" <<'PY' && pass "4: health.json counts and names them" || fail "4: health.json"
import json, sys
a = json.load(open(sys.argv[1]))["actions"][0]
assert a["last_result"] == "held-back" and a["needs_attention"] and a["held_back_deletes"] == 8, a
assert len(a["held_back_files"]) == 8 and all(f.startswith("d") for f in a["held_back_files"]), a
PY
expect_rc 0 "4: --force-deletes" run --once --force-deletes
[[ $(find "$root/remote/s4" -type f | wc -l) == 3 ]] && pass "4: forced sync deleted 8" || fail "4: forced count"
[[ $(find "$root/remote/.coltec-trash/s4" -type f | wc -l) == 8 ]] && pass "4: deleted files are in the trash" || fail "4: trash"
(tree_sums "$root/remote/.coltec-trash/s4"; union s4) >/dev/null
comm -23 <(echo "$before") <( (union s4; tree_sums "$root/remote/.coltec-trash" | awk '{print $1}') | sort -u) | matches . &&
  fail "4: files lost" || pass "4: nothing lost (trash included)"

# 4b. The one-file case, push-only: the remote holds one file the local side lacks (a sync
# would delete 1 of 1, over the cap) and the local side has a new file -> uploaded anyway.
spec s4b push-only
mkdir -p "$root/ws/s4b" "$root/remote/s4b"
echo "only on the remote" >"$root/remote/s4b/old.txt"
echo "new local work" >"$root/ws/s4b/new.txt"
expect_rc 3 "4b: one-file push: deletion held back (exit 3)" run --once
cmp -s "$root/ws/s4b/new.txt" "$root/remote/s4b/new.txt" && pass "4b: the new file reached the remote" || fail "4b: new.txt not uploaded"
[[ -f $root/remote/s4b/old.txt ]] && pass "4b: the remote's file was not deleted" || fail "4b: old.txt deleted"
grep -q "1 deletion held back.*(old.txt)" "$E2E_TMP/last.err" && pass "4b: the log names old.txt" || fail "4b: log"

# 4c. The one-file case, pull-only: the remote has a new file and lacks one the local side
# holds -> the new file is pulled and the local one kept.
spec s4c pull-only
mkdir -p "$root/ws/s4c" "$root/remote/s4c"
echo "only here" >"$root/ws/s4c/mine.txt"
echo "from the remote" >"$root/remote/s4c/theirs.txt"
expect_rc 3 "4c: one-file pull: deletion held back (exit 3)" run --once
cmp -s "$root/remote/s4c/theirs.txt" "$root/ws/s4c/theirs.txt" && pass "4c: the new remote file was pulled" || fail "4c: theirs.txt not pulled"
[[ -f $root/ws/s4c/mine.txt ]] && pass "4c: the local file was kept" || fail "4c: mine.txt deleted"
grep -q "the remote no longer has 1 of the local folder's 1 file (mine.txt)" "$E2E_TMP/last.err" &&
  pass "4c: the log says what was held back" || fail "4c: log: $(grep held "$E2E_TMP/last.err")"

# 6c. An empty remote folder on a pull-only action (nothing pushed yet, or a misspelt path)
# -> nothing pulled, nothing deleted, exit 0, a warning naming the remote path.
spec s6c pull-only
mkdir -p "$root/ws/s6c" "$root/remote/s6c"
make_files "$root/ws/s6c" 5
before=$(union s6c)
expect_rc 0 "6c: pull from an empty remote folder ends without error" run --once
keeps s6c "$before" && [[ $(find "$root/ws/s6c" -type f | wc -l) == 5 ]] && pass "6c: local untouched" || fail "6c: local lost"
grep -q "warn .*the remote here:$root/remote/s6c holds no files" "$E2E_TMP/last.err" &&
  pass "6c: a warning names the remote path" || fail "6c: no warning: $(cat "$E2E_TMP/last.err")"
run status >"$E2E_TMP/status.out" 2>&1 || true
sed -n '/^warnings:/,$p' "$E2E_TMP/status.out" | matches "s6c: the remote here:$root/remote/s6c holds no files" &&
  pass "6c: status shows the warning" || fail "6c: status: $(cat "$E2E_TMP/status.out")"
sed -n '/needs attention/,/^warnings:/p' "$E2E_TMP/status.out" | matches "s6c:" &&
  fail "6c: the warning is listed as needing attention" || pass "6c: a warning, not an alarm"
python3 -c 'import json,sys; h=json.load(open(sys.argv[1])); assert h["healthy"], h' "$state/e2e-safety-s6c/health.json" &&
  pass "6c: health.json stays healthy" || fail "6c: health.json unhealthy"

# 6d. The same with a remote folder that does not exist at all (rclone: directory not found).
spec s6d pull-only
mkdir -p "$root/ws/s6d"
make_files "$root/ws/s6d" 3
before=$(union s6d || true)  # the remote side is missing, so tree_sums of it fails
expect_rc 0 "6d: pull from a missing remote folder ends without error" run --once
keeps s6d "$before" && [[ $(find "$root/ws/s6d" -type f | wc -l) == 3 ]] && pass "6d: local untouched" || fail "6d: local lost"
grep -q "the remote here:$root/remote/s6d does not exist" "$E2E_TMP/last.err" &&
  pass "6d: the warning says it does not exist" || fail "6d: $(cat "$E2E_TMP/last.err")"

# 8. rclone missing from PATH -> clear error, exit 2, nothing touched.
spec s8 push-only
mkdir -p "$root/ws/s8"
make_files "$root/ws/s8" 3
PATH=/nonexistent expect_rc 2 "8: rclone missing" "$COLTEC_BIN" -c "$root/spec.yaml" --state-dir "$state" --once
grep -q "rclone not found.*apt-get install rclone" "$E2E_TMP/last.err" && pass "8: says rclone not found, and how to install it" || fail "8: message"
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
