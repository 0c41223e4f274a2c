#!/usr/bin/env bash
# Benchmark 4: `--once` push of 10,000 small files to a local-folder remote and to s3rver,
# against plain `rclone sync` with the same --transfers/--checkers, measured in one run with
# the order alternating per repetition, each run into a fresh destination. Also times the
# daemon's own --dry-run pass (what its data-safety pre-check costs) and the bare rclone
# --dry-run. Aim: daemon/rclone <= 1.05.
source "$(dirname "$0")/common.sh"
start_s3rver

n=${BENCH_FILES:-10000}
reps_n=$(reps 3)
src="$E2E_TMP/src"
remote="$E2E_TMP/remote"
mkdir -p "$remote"
$PY tree "$src" "$n" 100
flags=(--transfers 8 --checkers 16) # the planner's defaults (see the daemon's command below)

header "4. \`--once\` push of $n files vs plain \`rclone sync\`" \
  "tests/bench/04_push_10k.sh ($reps_n repetitions per target, order alternating)"

# one_target KIND: fills the arrays for KIND (local or s3).
declare -A t
one_target() {
  local kind=$1 r spec state dst_d dst_r dst_p extra=()
  for ((r = 0; r < reps_n; r++)); do
    spec="$E2E_TMP/$kind$r.yaml"
    state="$E2E_TMP/state_$kind$r"
    if [[ $kind == local ]]; then
      local_spec "$spec" "b4$kind$r" "$remote" "push|$src|$kind/d$r"
      dst_r="$remote/$kind/r$r"
      dst_p="$remote/$kind/p$r"
      rc() { rclone --config /dev/null "$@"; }
    else
      s3_spec "$spec" "b4$kind$r" "push|$src|$kind/d$r"
      dst_r="t:testbucket/bench/$kind/r$r"
      dst_p="t:testbucket/bench/$kind/p$r"
      extra=(--fast-list --checksum)
      rc() { rclone_s3 "$@"; }
    fi
    if ((r == 0)); then
      mkdir -p "$E2E_TMP/tiny" && echo x >"$E2E_TMP/tiny/x.txt"
      sed "s|path: $src,|path: $E2E_TMP/tiny,|; s|$kind/d$r|$kind/tiny|" "$spec" >"$E2E_TMP/tiny.yaml"
      emit "Rclone runs of one daemon \`--once\` push to $kind (from its debug log, on a 1-file tree):"
      emit ""
      real_steps "$E2E_TMP/tiny.yaml" "$E2E_TMP/tiny_state" | sed 's/^/- /' | while read -r l; do emit "$l"; done
      emit ""
    fi
    if ((r % 2 == 0)); then
      t[$kind.daemon]+="$(timed_ms "$COLTEC_BIN" -c "$spec" --state-dir "$state" --once) "
      t[$kind.rclone]+="$(timed_ms rc sync "$src" "$dst_r" "${flags[@]}") "
    else
      t[$kind.rclone]+="$(timed_ms rc sync "$src" "$dst_r" "${flags[@]}") "
      t[$kind.daemon]+="$(timed_ms "$COLTEC_BIN" -c "$spec" --state-dir "$state" --once) "
    fi
    # The pre-check sees what the real run sees: a destination that does not exist yet.
    local_spec_dry "$kind" "$spec" "$r"
    t[$kind.daemon_dry]+="$(timed_ms "$COLTEC_BIN" -c "$E2E_TMP/dry.yaml" --state-dir "$state" --once --dry-run) "
    t[$kind.rclone_dry]+="$(timed_ms rc sync "$src" "$dst_p" "${flags[@]}" "${extra[@]}" --dry-run) "
  done
}
# local_spec_dry KIND SPEC REP: $E2E_TMP/dry.yaml, SPEC pointed at an empty destination.
local_spec_dry() { sed "s|$1/d$3|$1/p$3|" "$2" >"$E2E_TMP/dry.yaml"; }

one_target local
one_target s3
n_local=$(find "$remote/local/d0" -type f | wc -l)
n_s3=$(rclone_s3 lsf -R --files-only t:testbucket/bench/s3/d0 | wc -l)
((n_local == n && n_s3 == n)) || { echo "destinations hold $n_local / $n_s3 files, want $n" >&2; exit 1; }

emit "| target | coltec \`--once\` ms (runs) | \`rclone sync\` ms (runs) | ratio of medians | daemon \`--once --dry-run\` ms | bare \`rclone sync --dry-run\` ms |"
emit "|---|---|---|---|---|---|"
for kind in local s3; do
  # shellcheck disable=SC2086
  d=$(median_of ${t[$kind.daemon]}) c=$(median_of ${t[$kind.rclone]})
  # shellcheck disable=SC2086
  emit "| $kind | $d (${t[$kind.daemon]% }) | $c (${t[$kind.rclone]% }) | $(ratio "$d" "$c") | $(median_of ${t[$kind.daemon_dry]}) | $(median_of ${t[$kind.rclone_dry]}) |"
done
emit ""
emit "Plain rclone ran as \`rclone sync SRC DST ${flags[*]}\` (local: \`--config /dev/null\`; s3: a remote from RCLONE_CONFIG_T_* variables)."
