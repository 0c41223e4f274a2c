#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this and nothing else):
# installs what is missing, checks format, builds the `dev` preset (Debug, ASan + UBSan,
# warnings as errors) and the `release` preset, runs every unit, purity (the pure-core rule,
# checked on what was built: scripts/check-purity.py) and end-to-end test against the
# sanitized binary, fuzzes the spec loader for a bounded time (the `fuzz` preset, clang),
# runs clang-tidy over every source and test file, then the image and the devcontainer
# feature in real containers (scripts/test-container.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
step() { printf '\n== %s (%ds)\n' "$*" "$((SECONDS - start))"; }

step "installing missing packages"
scripts/deps.sh test

step "format check"
scripts/format.sh --check

step "dev preset (Debug, ASan + UBSan, -Werror): build"
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$(nproc)"

step "release preset: build (the package test installs it, and checks its size)"
scripts/build.sh release

step "installing the pinned S3 API test server (npm s3rver)"
scripts/install-s3rver.sh

step "unit, purity and end-to-end tests under ASan + UBSan"
ctest --preset dev -j 2

step "fuzz preset (clang 14, libFuzzer + ASan + UBSan): build the spec loader's fuzz target"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

step "fuzzing the spec loader for ${COLTEC_FUZZ_SECONDS:-30} s from the checked-in corpus"
ctest --preset fuzz

step "clang-tidy"
scripts/tidy.sh build/dev

step "container test: the image and the devcontainer feature under podman (SKIP if containers cannot run)"
scripts/test-container.sh

step "all tests passed"
