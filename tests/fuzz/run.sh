#!/usr/bin/env bash
# A bounded libFuzzer run of the spec loader on the checked-in corpus (ctest: fuzz.spec_loader).
# Usage: tests/fuzz/run.sh FUZZER BUILD_DIR. COLTEC_FUZZ_SECONDS (default 30) bounds it.
# New inputs go to BUILD_DIR/fuzz-corpus, a crash to BUILD_DIR/fuzz-artifacts/ (and fails).
# -timeout is wall time: generous, so a machine loaded to several times its cores (a 526-byte
# input that needs 0.15 s of CPU took over 10 s there) reports hangs, not load.
set -euo pipefail
fuzzer=$1 build=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$build/fuzz-corpus" "$build/fuzz-artifacts"
# The first directory receives what the run finds; the checked-in ones are only read.
exec "$fuzzer" -max_total_time="${COLTEC_FUZZ_SECONDS:-30}" -timeout=120 -rss_limit_mb=2048 \
  -max_len=65536 -dict="$here/spec.dict" -print_final_stats=1 \
  -artifact_prefix="$build/fuzz-artifacts/" \
  "$build/fuzz-corpus" "$here/corpus" "$here/crashes"
