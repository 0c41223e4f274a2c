#!/usr/bin/env bash
# Benchmark 1: wall time of `--validate-only` on the largest spec fixture in tests/data
# (100 runs after 3 warm-ups, via hyperfine when present). Aim: median < 10 ms.
source "$(dirname "$0")/common.sh"

spec=$(find "$COLTEC_SOURCE_DIR/tests/data" -name '*.yaml' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
runs=$(reps 100)
"$COLTEC_BIN" -c "$spec" --validate-only >/dev/null || { echo "fixture does not validate: $spec" >&2; exit 1; }
header "1. \`--validate-only\` on the largest fixture" \
  "hyperfine -N --warmup 3 --runs $runs '$COLTEC_BIN -c ${spec#"$COLTEC_SOURCE_DIR"/} --validate-only'"

s=$(time_runs "$runs" "$COLTEC_BIN" -c "$spec" --validate-only)
# The floor: starting the same binary for `--version`.
v=$(time_runs "$runs" "$COLTEC_BIN" --version)

emit "| fixture | runs | min ms | median ms | p90 ms | max ms |"
emit "|---|---|---|---|---|---|"
emit "| ${spec#"$COLTEC_SOURCE_DIR"/} ($(stat -c %s "$spec") B) | $(jget "$s" n) | $(jget "$s" min) | $(jget "$s" median) | $(jget "$s" p90) | $(jget "$s" max) |"
emit "| (floor: \`coltec-daemon --version\`) | $(jget "$v" n) | $(jget "$v" min) | $(jget "$v" median) | $(jget "$v" p90) | $(jget "$v" max) |"
emit ""
med=$(jget "$s" median)
if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 10 else 1)" "$med"; then
  emit "Reading: median ${med} ms — aim (< 10 ms) met."
else
  emit "Reading: median ${med} ms — aim (< 10 ms) NOT met."
fi
