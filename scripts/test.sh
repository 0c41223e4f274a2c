#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this and nothing else):
# installs what is missing, checks format and the pure-core rule, builds the `ci` preset
# and runs every unit and end-to-end test, then builds the `dev` preset (ASan + UBSan)
# and runs the unit and end-to-end tests again under the sanitizers, then clang-tidy.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
step() { printf '\n== %s (%ds)\n' "$*" "$((SECONDS - start))"; }

step "installing missing packages"
scripts/deps.sh test

step "format and purity checks"
scripts/format.sh --check
scripts/check-purity.sh

step "ci preset: build"
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$(nproc)"

step "release preset: build (the package test installs it)"
scripts/build.sh release

step "ci preset: unit and end-to-end tests"
ctest --preset ci -j 2

step "dev preset (ASan + UBSan): build"
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$(nproc)"

step "dev preset (ASan + UBSan): unit and end-to-end tests"
ctest --preset dev -j 2

step "clang-tidy"
scripts/tidy.sh build/dev

step "all tests passed"
