#!/usr/bin/env bash
# Benchmark 4: `--once` push of 10,000 small files to a local-folder remote and to s3rver,
# against plain `rclone sync` with the same --transfers/--checkers, measured in one run with
# the order alternating per repetition, each run into a fresh destination. Also times the
# daemon's own --dry-run pass (what its data-safety pre-check costs) and the bare rclone
# --dry-run. Aim: daemon/rclone <= 1.05.
source "$(dirname "$0")/common.sh"
# shellcheck disable=SC2119 # start_s3rver takes no arguments
start_s3rver

n=${BENCH_FILES:-10000}
src="$E2E_TMP/src"
remote="$E2E_TMP/remote"
mkdir -p "$remote"
$PY tree "$src" "$n" 100
flags=(--transfers 8 --checkers 16) # the planner's defaults (see the daemon's command below)

header "4. \`--once\` push of $n files vs plain \`rclone sync\`" \
  "tests/bench/04_push_10k.sh (local: $(reps 5) repetitions, s3: $(reps 3); order rotating)"

# The flags the daemon adds to each rclone run (see the commands above); for s3 the planner
# also adds --fast-list --checksum.
dflags=(--use-json-log --stats 1s --stats-log-level NOTICE --contimeout 10s --timeout 60s
  --low-level-retries 2 --retries 1)
# rc ARGS...: rclone for the current target (local folder, or s3rver through RCLONE_CONFIG_T_*).
rc() { if [[ $kind == local ]]; then rclone --config /dev/null "$@"; else rclone_s3 "$@"; fi; }
# two_step DST TRASH: the daemon's rclone runs for a first push into an empty destination,
# by hand: the top-level probe, then the sync with --max-delete 0 and a backup dir (no
# pre-check: nothing can be deleted); their log goes to a file instead of the daemon.
two_step() {
  rc lsjson "$1" --max-depth 1 --no-modtime --no-mimetype >/dev/null 2>&1 || true # rc 3: not there yet
  rc sync "$src" "$1" "${flags[@]}" "${extra[@]}" "${dflags[@]}" --max-delete 0 --backup-dir "$2"
}
run_daemon() { t[$kind.daemon]+="$(timed_ms "$COLTEC_BIN" -c "$spec" --state-dir "$state" --once) "; }
run_rclone() { t[$kind.rclone]+="$(timed_ms rc sync "$src" "$base/r$r" "${flags[@]}") "; }
run_two() { t[$kind.two]+="$(timed_ms two_step "$base/s$r" "$base/.trash/s$r") "; }
# The second push of the same tree after 1% of the files changed: the daemon has pushed
# before, so it pre-checks (dry run) and then syncs; plain rclone just syncs.
run_daemon2() { t[$kind.daemon2]+="$(timed_ms "$COLTEC_BIN" -c "$spec" --state-dir "$state" --once) "; }
run_rclone2() { t[$kind.rclone2]+="$(timed_ms rc sync "$src" "$base/r$r" "${flags[@]}") "; }
# change_some N: append to N files of the source (new size, so both must transfer them).
change_some() { find "$src" -type f | sort | sed -n "1,${1}p" | while read -r f; do echo "r$r" >>"$f"; done; }

# one_target: fills t[] for $kind (local or s3), $2 repetitions.
declare -A t
kind="" extra=() spec="" state="" base="" r=0
one_target() {
  local order
  kind=$1
  for ((r = 0; r < $2; r++)); do
    spec="$E2E_TMP/$kind$r.yaml"
    state="$E2E_TMP/state_$kind$r"
    if [[ $kind == local ]]; then
      local_spec "$spec" "b4$kind$r" "$remote" "push|$src|$kind/d$r"
      base="$remote/$kind"
      extra=()
    else
      s3_spec "$spec" "b4$kind$r" "push|$src|$kind/d$r"
      base="t:testbucket/bench/$kind"
      extra=(--fast-list --checksum)
    fi
    if ((r == 0)); then
      mkdir -p "$E2E_TMP/tiny" && echo x >"$E2E_TMP/tiny/x.txt"
      sed "s|path: $src,|path: $E2E_TMP/tiny,|; s|$kind/d$r|$kind/tiny|" "$spec" >"$E2E_TMP/tiny.yaml"
      emit "Rclone runs of one daemon \`--once\` push to $kind (from its debug log, on a 1-file tree):"
      emit ""
      real_steps "$E2E_TMP/tiny.yaml" "$E2E_TMP/tiny_state" | sed 's/^/- /' | while read -r l; do emit "$l"; done
      emit ""
    fi
    # Rotate the order so that drift in the machine's load hits every command alike.
    case $((r % 3)) in
      0) order="run_daemon run_rclone run_two" ;;
      1) order="run_rclone run_two run_daemon" ;;
      2) order="run_two run_daemon run_rclone" ;;
    esac
    for f in $order; do $f; done
    change_some $((n / 100))
    ((r % 2)) && order="run_rclone2 run_daemon2" || order="run_daemon2 run_rclone2"
    for f in $order; do $f; done
    # The pre-check sees what the real run sees: a destination that does not exist yet.
    sed "s|$kind/d$r|$kind/p$r|" "$spec" >"$E2E_TMP/dry.yaml"
    t[$kind.daemon_dry]+="$(timed_ms "$COLTEC_BIN" -c "$E2E_TMP/dry.yaml" --state-dir "$state" --once --dry-run) "
    t[$kind.rclone_dry]+="$(timed_ms rc sync "$src" "$base/p$r" "${flags[@]}" "${extra[@]}" "${dflags[@]}" --dry-run) "
  done
}

one_target local "$(reps 5)"
one_target s3 "$(reps 3)"
n_local=$(find "$remote/local/d0" -type f | wc -l)
n_s3=$(rclone_s3 lsf -R --files-only t:testbucket/bench/s3/d0 | wc -l)
((n_local == n && n_s3 == n)) || { echo "destinations hold $n_local / $n_s3 files, want $n" >&2; exit 1; }

emit "First push into an empty destination:"
emit ""
emit "| target | coltec \`--once\` ms (runs) | plain \`rclone sync\` ms (runs) | ratio of medians | the daemon's rclone runs by hand ms (runs) | daemon \`--once --dry-run\` ms | pre-check alone (\`rclone sync --dry-run\`, daemon flags) ms |"
emit "|---|---|---|---|---|---|---|"
for kind in local s3; do
  # shellcheck disable=SC2086
  d=$(median_of ${t[$kind.daemon]}) c=$(median_of ${t[$kind.rclone]}) w=$(median_of ${t[$kind.two]})
  # shellcheck disable=SC2086
  emit "| $kind | $d (${t[$kind.daemon]% }) | $c (${t[$kind.rclone]% }) | **$(ratio "$d" "$c")** | $w (${t[$kind.two]% }) | $(median_of ${t[$kind.daemon_dry]}) | $(median_of ${t[$kind.rclone_dry]}) |"
done
emit ""
emit "Second push of the same tree after $((n / 100)) files changed (the daemon pre-checks, then syncs):"
emit ""
emit "| target | coltec \`--once\` ms (runs) | plain \`rclone sync\` ms (runs) | ratio of medians |"
emit "|---|---|---|---|"
for kind in local s3; do
  # shellcheck disable=SC2086
  d=$(median_of ${t[$kind.daemon2]}) c=$(median_of ${t[$kind.rclone2]})
  emit "| $kind | $d (${t[$kind.daemon2]% }) | $c (${t[$kind.rclone2]% }) | **$(ratio "$d" "$c")** |"
done
emit ""
emit "Plain rclone ran as \`rclone sync SRC DST ${flags[*]}\` (local: \`--config /dev/null\`; s3: a remote from RCLONE_CONFIG_T_* variables). \"By hand\" = the daemon's first-push commands (top-level probe, then the sync) run back to back by this script, logging to a file (for s3 with --fast-list --checksum): the daemon's own overhead is the difference to its \`--once\` time."
