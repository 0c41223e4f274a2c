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
for side in a b; do
  mkdir -p "$E2E_TMP/$side/code" "$E2E_TMP/$side/state"
  cat >"$E2E_TMP/$side/spec.yaml" <<YAML
name: shared-ws
metadata: {org: acme, project: web}
devcontainer: {image: {name: debian:bookworm}}
persistence:
  enabled: true
  mode: replicated
  default_remote: s3
  remotes:
    s3:
      type: s3
      bucket: testbucket
      path_prefix: ws
      options: {provider: Other, endpoint: "http://127.0.0.1:$S3_PORT", access_key_id: "\${S3_KEY}", secret_access_key: "\${S3_SECRET}"}
  sync:
    - {name: code, path: $E2E_TMP/$side/code, remote_path: code, direction: bidirectional, interval: 10}
YAML
done

start_side() {
  "$COLTEC_BIN" -c "$E2E_TMP/$1/spec.yaml" --state-dir "$E2E_TMP/$1/state" --log-level debug \
    >"$E2E_TMP/$1/daemon.log" 2>&1 &
  eval "PID_$1=$!"
  E2E_PIDS+=("$!")
}
finished_runs() { grep -c "sync finished" "$E2E_TMP/$1/daemon.log" || true; }

# Versions written, in order: "side path content" (content is unique), and deletions.
ledger="$E2E_TMP/ledger"
: >"$ledger"
n=0
write() { # side path
  n=$((n + 1))
  local content="$1-v$n-$RANDOM"
  mkdir -p "$(dirname "$E2E_TMP/$1/code/$2")"
  printf '%s\n' "$content" >"$E2E_TMP/$1/code/$2"
  echo "$1 $2 $content" >>"$ledger"
}
delete() { # side path
  [[ -e $E2E_TMP/$1/code/$2 ]] || return 0
  rm "$E2E_TMP/$1/code/$2"
  echo "$1 $2 -" >>"$ledger"
}

for i in $(seq 1 20); do write a "d$((i % 3))/seed$i.txt"; done
write a untouched/to-delete.txt
start_side a
wait_for 120 count_at_least 1 "sync finished" "$E2E_TMP/a/daemon.log" || fail "a: no first run: $(tail -5 "$E2E_TMP/a/daemon.log")"
start_side b
wait_for 120 test -f "$E2E_TMP/b/code/d1/seed1.txt" && pass "b, a fresh container, restored the workspace" || fail "b did not restore"

# The same file edited on both sides at once: one of the two edits must become a conflict copy.
write a both.txt
write b both.txt
# A seeded schedule on both sides; each step waits for a short, random moment of real time
# (the schedule is the point, not the timing, so a slow machine only stretches it).
for step in $(seq 1 40); do
  side=$([[ $((RANDOM % 2)) == 0 ]] && echo a || echo b)
  target="d$((RANDOM % 3))/seed$((RANDOM % 20 + 1)).txt"
  case $((RANDOM % 4)) in
    0) write "$side" "new-$side-$step.txt" ;;
    1 | 2) [[ -e $E2E_TMP/$side/code/$target ]] && write "$side" "$target" ;;
    3) delete "$side" "$target" ;;
  esac
  sleep "0.$((RANDOM % 5))"
done
delete a untouched/to-delete.txt # the schedule never touches it: this deletion must win
log "schedule done ($(wc -l <"$ledger") changes, seed $seed); waiting for the two to converge"

tree() { (cd "$1" && find . -path ./.coltec-sync -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum); }
remote_tree() {
  rm -rf "$E2E_TMP/remote-copy"
  rclone_s3 copy t:testbucket/ws/code "$E2E_TMP/remote-copy" --exclude '/.coltec-sync/**' >/dev/null 2>&1
  tree "$E2E_TMP/remote-copy"
}
converged() {
  local ta tb tr
  ta=$(tree "$E2E_TMP/a/code") tb=$(tree "$E2E_TMP/b/code") tr=$(remote_tree)
  [[ $ta == "$tb" && $ta == "$tr" ]]
}
if wait_for 300 converged; then
  pass "both folders and the remote converged"
else
  fail "no convergence: $(diff <(tree "$E2E_TMP/a/code") <(tree "$E2E_TMP/b/code") | head -10)"
  tail -30 "$E2E_TMP/a/daemon.log" "$E2E_TMP/b/daemon.log" >&2
fi

# Every last version a side wrote (and did not delete itself afterwards) is somewhere.
places=("$E2E_TMP/a/code" "$E2E_TMP/b/code" "$E2E_TMP/remote-copy" "$E2E_TMP/a/state" "$E2E_TMP/b/state")
rclone_s3 copy t:testbucket/ws/.coltec-trash "$E2E_TMP/trash" >/dev/null 2>&1 || true
places+=("$E2E_TMP/trash")
lost=0
while read -r side path content; do
  [[ $content == - ]] && continue
  if ! grep -rqxF -- "$content" "${places[@]}" 2>/dev/null; then
    lost=$((lost + 1))
    log "lost: $side $path $content"
  fi
done < <(awk '{ last[$1 " " $2] = $0 } END { for (k in last) print last[k] }' "$ledger")
((lost == 0)) && pass "no last version was lost" || fail "$lost last versions lost"
[[ ! -e $E2E_TMP/a/code/untouched/to-delete.txt && ! -e $E2E_TMP/b/code/untouched/to-delete.txt ]] &&
  pass "a deleted file stays deleted" || fail "untouched/to-delete.txt came back"
ls "$E2E_TMP/a/code" "$E2E_TMP/b/code" | matches 'both.conflict-' && pass "the simultaneous edit kept both versions" ||
  fail "no conflict copy for both.txt: $(ls "$E2E_TMP/a/code")"
reported=0
for side in a b; do
  "$COLTEC_BIN" -c "$E2E_TMP/$side/spec.yaml" --state-dir "$E2E_TMP/$side/state" status \
    >"$E2E_TMP/$side/status" 2>&1 || true
  matches conflict "$E2E_TMP/$side/status" && reported=1
done
((reported)) && pass "status reports the conflict" || fail "no status mentions the conflict"
for side in a b; do matches "deferred\|waiting\|another daemon" "$E2E_TMP/$side/daemon.log" && log "$side waited its turn at least once"; done

finish
