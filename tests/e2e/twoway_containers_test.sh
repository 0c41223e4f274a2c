#!/usr/bin/env bash
# Two containers on one workspace: two daemons with their own state dirs and local folders
# syncing one remote path on a real S3 API. A seeded schedule of creates, edits and deletes
# on both sides, one file edited on both within the same moment. After the changes stop:
# both folders and the remote are equal, every last version of every file is in a folder, a
# conflict copy, the trash or a restore backup, a file deleted (and not edited again) stays
# deleted, and the conflict is reported. Seed: $TWOWAY_SEED (default 7).
source "$(dirname "$0")/lib.sh"
start_s3rver

seed=${TWOWAY_SEED:-7}
RANDOM=$seed
export S3_KEY=S3RVER S3_SECRET=Containers-secret-1
side_setup a ws
side_setup b ws

for i in $(seq 1 20); do ledger_write a "d$((i % 3))/seed$i.txt"; done
ledger_write a untouched/to-delete.txt
start_side a
wait_for 120 count_at_least 1 "sync finished" "$E2E_TMP/a/daemon.log" || fail "a: no first run: $(tail -5 "$E2E_TMP/a/daemon.log")"
start_side b
wait_for 120 test -f "$E2E_TMP/b/code/d1/seed1.txt" && pass "b, a fresh container, restored the workspace" || fail "b did not restore"

# The same file edited on both sides at once: one of the two edits must become a conflict copy.
ledger_write a both.txt
ledger_write b both.txt
# A seeded schedule on both sides; each step waits for a short, random moment of real time
# (the schedule is the point, not the timing, so a slow machine only stretches it).
for step in $(seq 1 40); do
  side=$([[ $((RANDOM % 2)) == 0 ]] && echo a || echo b)
  target="d$((RANDOM % 3))/seed$((RANDOM % 20 + 1)).txt"
  case $((RANDOM % 4)) in
    0) ledger_write "$side" "new-$side-$step.txt" ;;
    1 | 2) [[ -e $E2E_TMP/$side/code/$target ]] && ledger_write "$side" "$target" ;;
    3) ledger_delete "$side" "$target" ;;
  esac
  sleep "0.$((RANDOM % 5))"
done
ledger_delete a untouched/to-delete.txt # the schedule never touches it: this deletion must win
log "schedule done ($(wc -l <"$SIDES_ROOT/ledger") changes, seed $seed); waiting for the two to converge"

if wait_for 300 sides_converged ws; then
  pass "both folders and the remote converged"
else
  fail "no convergence: $(diff <(side_tree "$E2E_TMP/a/code") <(side_tree "$E2E_TMP/b/code") | head -10)"
  tail -n 30 "$E2E_TMP/a/daemon.log" "$E2E_TMP/b/daemon.log" >&2
fi

# Every last version a side wrote (and did not delete itself afterwards) is somewhere.
if ledger_check ws >"$E2E_TMP/check"; then pass "no last version was lost: $(head -1 "$E2E_TMP/check")"; else
  fail "versions lost or deletions undone: $(cat "$E2E_TMP/check")"
fi
[[ ! -e $E2E_TMP/a/code/untouched/to-delete.txt && ! -e $E2E_TMP/b/code/untouched/to-delete.txt ]] &&
  pass "a deleted file stays deleted" || fail "untouched/to-delete.txt came back"
ls "$E2E_TMP/a/code" "$E2E_TMP/b/code" | matches 'both.conflict-' && pass "the simultaneous edit kept both versions" ||
  fail "no conflict copy for both.txt: $(ls "$E2E_TMP/a/code")"
reported=0
for side in a b; do
  side_status "$side" || true
  matches conflict "$E2E_TMP/$side/status" && reported=1
done
((reported)) && pass "status reports the conflict" || fail "no status mentions the conflict"
for side in a b; do matches "deferred\|waiting\|another daemon" "$E2E_TMP/$side/daemon.log" && log "$side waited its turn at least once"; done

finish
