#!/usr/bin/env bash
# Runs every benchmark in tests/bench (NN_*.sh, in order) or the ones named on the command
# line (e.g. `run_all.sh 01 04`), then joins their Markdown fragments into
# $BENCH_OUT/ALL.md. Benchmarks are not tests: numbers are printed, not judged, and a
# benchmark that fails is reported and skipped. Exit status: number of failed benchmarks.
# Build the Release binary first (scripts/bench.sh does it).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export BENCH_OUT=${BENCH_OUT:-$root/build/bench/results}
mkdir -p "$BENCH_OUT"

scripts=()
if (($# == 0)); then
  scripts=("$here"/[0-9][0-9]_*.sh)
else
  for want in "$@"; do scripts+=("$here"/"$want"*.sh); done
fi

failed=0
start=$SECONDS
for s in "${scripts[@]}"; do
  [[ -f $s ]] || { echo "no benchmark matches $s" >&2; failed=$((failed + 1)); continue; }
  t0=$SECONDS
  echo "== $(basename "$s") (total so far ${start:+$((SECONDS - start))} s)" >&2
  if ! "$s"; then
    echo "!! $(basename "$s") failed" >&2
    failed=$((failed + 1))
  fi
  echo "   took $((SECONDS - t0)) s" >&2
done

{
  echo "## Benchmark run $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: nproc $(nproc) · kernel $(uname -r) · $(rclone version 2>/dev/null | head -1) · $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo
  for s in "${scripts[@]}"; do
    f="$BENCH_OUT/$(basename "$s" .sh).md"
    [[ -f $f ]] && { cat "$f"; echo; }
  done
} >"$BENCH_OUT/ALL.md"
echo "results: $BENCH_OUT/ALL.md ($((SECONDS - start)) s, $failed failed)" >&2
exit "$failed"
