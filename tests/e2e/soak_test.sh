#!/usr/bin/env bash
# Fault soak: two containers (two daemons, their own state dirs and folders) on one remote
# path of a real S3 API, under a seeded random schedule of creates, edits, deletes and
# simultaneous edits on both sides, while the faults strike: SIGKILL of either daemon at a
# random moment (at once, in the middle of an rclone transfer, or a moment later; restarted a
# few steps later; in every other seed the fresh container b is killed in its first run), the S3 server stopped (TERM or KILL) and started again on the same port
# and data, and side b's folder on a full disk once (a tmpfs the test mounts and fills).
# After the schedule, the faults end and the daemons settle: both folders and the remote are
# equal, every side's last version of every file is under its name, in a conflict copy, on
# the remote, in the trash or in a restore backup, the last version written of each file is
# under its name in both folders (no edit reverted), a deleted file stays deleted unless the
# other side edited it unseen (tests/e2e/ledger_check.py, exact: every version written is in
# a ledger), and both daemons' status is healthy.
#
# SOAK_SEEDS (default "1 2") and SOAK_STEPS (default 20) set the run, SOAK_MINUTES stops
# starting seeds after that long; the long run is reported in BENCHMARKS.md.
# SOAK_REPORT=FILE appends each seed's figures (faults, then the ledger check) to FILE. The seed
# fixes the schedule (sides, files, actions, faults and their step); how the daemons' work
# falls between the steps depends on the machine, so a failure's evidence is its logs
# (E2E_KEEP=1 keeps them).
#
# s3rver writes objects in place: a PUT cut off by a kill (of rclone with its daemon, or of
# s3rver itself) can leave an object without its metadata, which s3rver lists but answers
# with HTTP 500 to every copy (so no upload with a backup, and no deletion to the trash, can
# ever replace it), where real S3 and R2 either store the whole object or none. So the test
# makes s3rver atomic: when a daemon was killed with an rclone of it running, and whenever
# s3rver was stopped, s3rver is (re)started only after lib.sh's drop_torn_objects has removed
# such objects (counted as s3_torn_objects; the restarts after a kill as s3_restarts_after_kill).
# A version is never counted as "on the remote" unless it can be read back whole.
#
# The full disk needs a mount: the test runs itself in a mount namespace of its own (root, or
# an unprivileged user namespace); where neither is allowed, that fault is skipped with a
# message and the rest runs.
if [[ -z ${SOAK_IN_NAMESPACE:-} ]]; then
  export SOAK_IN_NAMESPACE=1
  if unshare --mount --propagation private true 2>/dev/null; then
    exec unshare --mount --propagation private bash "$0" "$@"
  elif unshare --map-root-user --mount true 2>/dev/null; then
    exec unshare --map-root-user --mount bash "$0" "$@"
  fi
fi
source "$(dirname "$0")/lib.sh"
start_s3rver
export S3_KEY=S3RVER S3_SECRET=Soak-secret-1
steps=${SOAK_STEPS:-20}
declare -A total=() this_seed=()
count() {
  total[$1]=$((${total[$1]:-0} + ${2:-1}))
  this_seed[$1]=$((${this_seed[$1]:-0} + ${2:-1}))
}
figures() { # ARRAY-NAME: "key=value ..." sorted
  local -n of=$1
  local k
  for k in $(printf '%s\n' "${!of[@]}" | sort); do printf '%s=%s ' "$k" "${of[$k]}"; done
}

s3_up=1
s3_stop() {
  local sig=$1
  stop_s3rver "$sig"
  s3_up=0
  count "s3_stops_$sig"
}
s3_start() {
  local torn
  torn=$(drop_torn_objects)  # s3rver may have died writing one
  ((torn == 0)) || count s3_torn_objects "$torn"
  start_s3rver "$S3_PORT" || fail "s3rver did not come back on port $S3_PORT"
  s3_up=1
}

# A daemon's SIGKILL. Mode 0: at once; 1: once an rclone of it runs (a transfer or listing
# cut off), bounded; 2: after a random fraction of a second.
kill_at_random() {
  local side=$1 mode=$2 pause=$3
  case $mode in
    1) wait_for 3 has_rclone_child "${SIDE_PID[$side]}" || true ;;
    2) sleep "0.$pause" ;;
  esac
  local cut=0
  has_rclone_child "${SIDE_PID[$side]}" && cut=1 && count kills_mid_rclone
  kill_side "$side"
  count "kills_$side"
  if ((cut && s3_up)); then # its PUT may have been cut off: s3rver drops what it half wrote
    stop_s3rver TERM
    s3_start
    count s3_restarts_after_kill
  fi
}

# Side b's disk fills: a filler file takes every free block of its tmpfs. rclone says so
# as "no space left on device", or before writing as "preallocate: file too big for
# remaining disk space".
nospace='no space left\|too big for remaining disk space'
disk_fill() {
  cat /dev/zero >"$disk/filler" 2>/dev/null || true
  disk_full=1
  nospace_before=$(grep -c "$nospace" "$SIDES_ROOT/b/daemon.log" || true)
  count disk_full
}
# Space returns, once b has met the full disk (bounded: b may have had nothing to write).
# Both daemons run while it waits: a killed one's claim would hold b back meanwhile.
disk_free() {
  local s
  for s in a b; do [[ -n ${SIDE_PID[$s]} ]] || start_side "$s"; done
  if wait_for 60 count_at_least $((nospace_before + 1)) "$nospace" "$SIDES_ROOT/b/daemon.log"; then
    count disk_full_hit
  else
    log "seed $seed: b never wrote to the full disk"
  fi
  rm -f "$disk/filler"
  disk_full=0
}

# One step of the schedule: every random number is drawn first, so the seed alone fixes
# which side does what to which file, and which fault strikes, whatever the timing.
step() {
  local i=$1 r_side=$((RANDOM % 2)) r_file=$((RANDOM % 24)) r_act=$((RANDOM % 10))
  local r_fault=$((RANDOM % 12)) r_mode=$((RANDOM % 3)) r_pause=$((RANDOM % 5))
  local r_down=$((RANDOM % 3 + 1)) r_kside=$((RANDOM % 2))
  local side=${sides[r_side]} target="d$((r_file % 3))/f$r_file.txt"
  ((disk_full)) && side=a # nothing can be written on b's full disk
  case $r_act in
    0 | 1) ledger_write "$side" "new-$side-$i.txt" ;;
    2 | 3 | 4 | 5) ledger_write "$side" "$target" ;;
    6 | 7) ledger_delete "$side" "$target" ;;
    8) ((disk_full)) || { ledger_write a "$target" && ledger_write b "$target"; } ;;
    9) ledger_write "$side" "$target" && ledger_write "$side" "$target" ;;
  esac
  local k=${sides[r_kside]} s
  ((r_mode == 1)) && k=$side # the side that just changed a file: its daemon is about to run
  if ((r_fault < 2)) && [[ -n ${SIDE_PID[$k]} ]]; then
    kill_at_random "$k" "$r_mode" "$r_pause"
    down_until[$k]=$((i + r_down))
  fi
  for s in a b; do
    [[ -z ${SIDE_PID[$s]} && ${down_until[$s]} -le $i ]] && start_side "$s"
  done
  ((i == s3_at)) && s3_stop "$([[ $r_mode == 0 ]] && echo KILL || echo TERM)"
  ((i == s3_at + s3_for && ! s3_up)) && s3_start
  [[ -n $disk ]] && ((i == disk_at)) && disk_fill
  [[ -n $disk ]] && ((i == disk_at + disk_for && disk_full)) && disk_free
  sleep "0.$((RANDOM % 5))"
}

# The faults end: the server is up, space is back, both daemons run.
end_faults() {
  ((s3_up)) || s3_start
  ((disk_full)) && disk_free
  local s
  for s in a b; do [[ -n ${SIDE_PID[$s]} ]] || start_side "$s"; done
}

run_seed() {
  seed=$1 prefix=soak$1 disk=
  RANDOM=$seed
  SIDES_ROOT=$E2E_TMP/seed$seed LEDGER_TAG=s$seed- LEDGER_N=0
  mkdir -p "$SIDES_ROOT"
  : >"$SIDES_ROOT/ledger"
  if mount_tmpfs "$SIDES_ROOT/b/disk" 16m; then
    disk=$SIDES_ROOT/b/disk
    side_setup b "$prefix" "$disk/code"
  else
    ((seed_no > 1)) || log "full disk skipped: this test may not mount a tmpfs (needs root or unshare --mount)"
    side_setup b "$prefix"
  fi
  side_setup a "$prefix"
  sides=(a b) disk_full=0 s3_up=1
  declare -gA down_until=([a]=0 [b]=0)
  s3_at=$((RANDOM % (steps / 2) + 2)) s3_for=$((RANDOM % 4 + 2))
  disk_at=$((RANDOM % (steps / 2) + steps / 3)) disk_for=$((RANDOM % 4 + 2))
  local i f
  for ((f = 0; f < 24; f++)); do ledger_write a "d$((f % 3))/f$f.txt"; done
  ledger_write a untouched/to-delete.txt
  start_side a
  wait_for 120 count_at_least 1 "sync finished" "$SIDES_ROOT/a/daemon.log" || fail "seed $seed: a never finished a first run"
  start_side b
  if ((RANDOM % 2)); then # the fresh container is killed in its first run, then restarted
    kill_at_random b 1 0
    count kills_first_run
    start_side b
  fi
  wait_for 120 test -f "${SIDE_DIR[b]}/d1/f1.txt" || fail "seed $seed: b did not restore the workspace"
  for ((i = 1; i <= steps; i++)); do step "$i"; done
  end_faults
  ledger_delete "${sides[RANDOM % 2]}" untouched/to-delete.txt # nobody else touches it
  settle
}

# After the faults: convergence, the ledger's invariant, status; then both stop.
settle() {
  local s ok=1
  if wait_for 300 sides_converged "$prefix"; then pass "seed $seed: both folders and the remote converged"; else
    ok=0
    fail "seed $seed: no convergence: $(diff <(side_tree "${SIDE_DIR[a]}") <(side_tree "${SIDE_DIR[b]}") | head -10)"
    tail -n 20 "$SIDES_ROOT/a/daemon.log" "$SIDES_ROOT/b/daemon.log" >&2
  fi
  if ledger_check "$prefix" >"$SIDES_ROOT/check"; then pass "seed $seed: nothing lost, reverted or resurrected: $(head -1 "$SIDES_ROOT/check")"; else
    ok=0
    fail "seed $seed: $(cat "$SIDES_ROOT/check")"
  fi
  for s in a b; do
    wait_for 60 side_status "$s" && pass "seed $seed: $s healthy" || { ok=0; fail "seed $seed: $s: $(cat "$SIDES_ROOT/$s/status")"; }
    kill_side "$s" TERM
  done
  ((ok)) || count failed_seeds
  seed_figures
}

seed_figures() {
  local line k v
  line=$(head -1 "$SIDES_ROOT/check")
  for k in versions lost reverted resurrected conflict_copies; do
    v=$(sed -n "s/.*\b$k=\([0-9]*\).*/\1/p" <<<"$line")
    count "$k" "${v:-0}"
  done
  count seeds
  count steps "$steps"
  count changes "$(wc -l <"$SIDES_ROOT/ledger")"
  [[ -z ${SOAK_REPORT:-} ]] || echo "seed=$seed seconds=$((SECONDS - seed_t0)) $(figures this_seed)| $line" >>"$SOAK_REPORT"
}

# SOAK_MINUTES: no seed starts after that many minutes (for a long run of many seeds).
seed_no=0
for seed in ${SOAK_SEEDS:-1 2}; do
  if [[ -n ${SOAK_MINUTES:-} ]] && ((SECONDS >= SOAK_MINUTES * 60)); then
    log "SOAK_MINUTES=$SOAK_MINUTES reached: no further seeds"
    break
  fi
  seed_no=$((seed_no + 1)) seed_t0=$SECONDS
  this_seed=()
  log "seed $seed: $steps steps"
  run_seed "$seed"
done
summary=$(figures total)
log "soak: $summary"
[[ -z ${SOAK_REPORT:-} ]] || echo "total $summary" >>"$SOAK_REPORT"
finish
