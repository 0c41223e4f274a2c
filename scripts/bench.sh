#!/usr/bin/env bash
# Builds an optimized copy of the daemon in build/bench (Release, no tests) and runs the
# benchmarks in tests/bench (all, or those named: `scripts/bench.sh 01 08`). Results go to
# build/bench/results/ALL.md; BENCHMARKS.md holds a reviewed run. Takes about 25 minutes on
# 2 cores. Benchmarks are not tests and are not part of ctest or CI.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
command -v hyperfine >/dev/null ||
  echo "bench: hyperfine not found (apt-get install hyperfine); timing loops fall back to bash" >&2
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DCOLTEC_BUILD_TESTS=OFF >/dev/null
ninja -C build/bench coltec-daemon
exec tests/bench/run_all.sh "$@"
