#!/usr/bin/env bash
# Benchmark 10: how long `--validate-only` takes to refuse hostile specs (invariant 7: a clear
# error, never a hang). These timings were assertions in config_hostile_test.cpp (< 900 ms
# each) until unit tests stopped reading the clock; the same inputs are generated here.
# Aim: every one refused (exit 1) in well under a second.
source "$(dirname "$0")/common.sh"

dir="$E2E_TMP/hostile"
mkdir -p "$dir"
head='name: w
metadata: {org: o, project: p}
devcontainer: {image: {name: debian:bookworm}}
'
python3 - "$dir" "$head" <<'PY'
import sys
d, head = sys.argv[1], sys.argv[2]
def put(name, text):
    with open(f"{d}/{name}.yaml", "w") as f:
        f.write(text)
bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
for c in "bcdefghij":
    p = chr(ord(c) - 1)
    bomb += f"{c}: &{c} [" + ", ".join(["*" + p] * 9) + "]\n"
put("billion_laughs", bomb)
put("aliased_strings", 'a: &a "' + "x" * 900000 + '"\nb: [' + ", ".join(["*a"] * 30) + "]\n")
put("deep_flow", "[" * 100000 + "]" * 100000 + "\n")
put("deep_block", "- " * 100000 + "x\n")
put("problem_flood", head + "persistence:\n  sync:\n" +
    "    - {name: '.n', path: r, remote_path: '..', x: 1}\n" * 1000)
put("one_mebibyte", "#" * (1 << 20) + "\n")
PY

runs=$(reps 10)
header "9. \`--validate-only\` on hostile specs" \
  "hyperfine -N --warmup 3 --runs $runs '$COLTEC_BIN -c F --validate-only' for each F"
emit "| spec | size | exit | runs | median ms | p90 ms | max ms |"
emit "|---|---|---|---|---|---|---|"
worst=0
for f in "$dir"/*.yaml; do
  rc=0
  "$COLTEC_BIN" -c "$f" --validate-only >/dev/null 2>&1 || rc=$?
  ((rc == 1)) || { echo "$(basename "$f"): exit $rc, want 1" >&2; exit 1; }
  s=$(time_runs "$runs" "$COLTEC_BIN" -c "$f" --validate-only)
  emit "| $(basename "$f" .yaml) | $(($(stat -c %s "$f") / 1024)) KiB | $rc | $(jget "$s" n) | $(jget "$s" median) | $(jget "$s" p90) | $(jget "$s" max) |"
  worst=$(python3 -c 'import sys; print(max(float(sys.argv[1]), float(sys.argv[2])))' "$worst" "$(jget "$s" max)")
done
emit ""
emit "Reading: the slowest hostile spec took at most ${worst} ms to refuse (aim: well under 1,000 ms)."
