#!/usr/bin/env bash
# Benchmark 5: four push-only paths in one `--once` pass, --max-parallel 4 against
# --max-parallel 1, to a local-folder remote and to s3rver; fresh destinations each run,
# order alternating per repetition. Reports the wall-time ratio (parallel / serial).
source "$(dirname "$0")/common.sh"
# shellcheck disable=SC2119 # start_s3rver takes no arguments
start_s3rver

per=${BENCH_FILES:-1000}
reps_n=$(reps 3)
remote="$E2E_TMP/remote"
mkdir -p "$remote"
for k in 0 1 2 3; do $PY tree "$E2E_TMP/src$k" "$per" 1000; done

header "5. Four push-only paths: \`--max-parallel 4\` vs \`--max-parallel 1\`" \
  "tests/bench/05_parallel.sh (4 paths × $per files of 1 KB, $reps_n repetitions, order alternating)"

declare -A t
# spec_for KIND TAG: a spec with the four paths into fresh remote folders named after TAG.
spec_for() {
  local entries=() k
  for k in 0 1 2 3; do entries+=("p$k|$E2E_TMP/src$k|$1/$2/p$k"); done
  if [[ $1 == local ]]; then local_spec "$E2E_TMP/$2.yaml" "b5$2" "$remote" "${entries[@]}"
  else s3_spec "$E2E_TMP/$2.yaml" "b5$2" "${entries[@]}"; fi
}
run_par() { # KIND PAR REP
  spec_for "$1" "$1_j$2_$3"
  t[$1.$2]+="$(timed_ms "$COLTEC_BIN" -c "$E2E_TMP/$1_j$2_$3.yaml" --state-dir "$E2E_TMP/state" --once --max-parallel "$2") "
}
for kind in local s3; do
  for ((r = 0; r < reps_n; r++)); do
    if ((r % 2 == 0)); then run_par "$kind" 1 "$r"; run_par "$kind" 4 "$r"
    else run_par "$kind" 4 "$r"; run_par "$kind" 1 "$r"; fi
  done
done
got=$(find "$remote/local/local_j4_0" -type f | wc -l)
((got == 4 * per)) || { echo "parallel run copied $got files, want $((4 * per))" >&2; exit 1; }

emit "| target | \`--max-parallel 1\` ms (runs) | \`--max-parallel 4\` ms (runs) | parallel / serial |"
emit "|---|---|---|---|"
for kind in local s3; do
  # shellcheck disable=SC2086
  a=$(median_of ${t[$kind.1]}) b=$(median_of ${t[$kind.4]})
  emit "| $kind | $a (${t[$kind.1]% }) | $b (${t[$kind.4]% }) | $(ratio "$b" "$a") |"
done
