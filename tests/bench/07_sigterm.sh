#!/usr/bin/env bash
# Benchmark 7: SIGTERM-to-exit time of an idle daemon (first pass done, watching), from the
# kill() to waitpid() returning in the parent, median of 10 starts. Aim: < 100 ms.
source "$(dirname "$0")/common.sh"

runs=$(reps 10)
src="$E2E_TMP/src"
$PY tree "$src" 1000 100
local_spec "$E2E_TMP/spec.yaml" b7 "$E2E_TMP/remote" "code|$src|code"
header "7. SIGTERM to exit when idle" \
  "python3 tests/bench/benchlib.py sigterm LOG 'sync finished|watching local folders' -- coltec-daemon -c spec.yaml --state-dir DIR   (× $runs)"

: >"$E2E_TMP/ms.txt"
rcs=""
for ((i = 0; i < runs; i++)); do
  out=$($PY sigterm "$E2E_TMP/d$i.log" "sync finished|watching local folders" -- \
    "$COLTEC_BIN" -c "$E2E_TMP/spec.yaml" --state-dir "$E2E_TMP/state")
  jget "$out" ms >>"$E2E_TMP/ms.txt"
  rcs+="$(jget "$out" rc) "
done
s=$($PY stats "$E2E_TMP/ms.txt")
emit "| runs | min ms | median ms | p90 ms | max ms | exit codes | every run (ms) |"
emit "|---|---|---|---|---|---|---|"
emit "| $(jget "$s" n) | $(jget "$s" min) | $(jget "$s" median) | $(jget "$s" p90) | $(jget "$s" max) | $(tr ' ' '\n' <<<"$rcs" | grep . | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}') | $(tr '\n' ' ' <"$E2E_TMP/ms.txt")|"
emit ""
med=$(jget "$s" median)
verdict="NOT met"
python3 -c "import sys; sys.exit(0 if $med < 100 else 1)" && verdict=met
emit "Reading: median $med ms from SIGTERM to exit — aim (< 100 ms) $verdict."
