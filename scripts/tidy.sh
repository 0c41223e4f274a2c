#!/usr/bin/env bash
# Runs clang-tidy (the repo's .clang-tidy, warnings are errors) over every source and unit
# test file, and through them every private header and test fake (HeaderFilterRegex), using
# the compile database of the given build directory (default build/dev).
# Usage: scripts/tidy.sh [build-dir] [files...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/dev}
shift || true
tidy=$(command -v clang-tidy-14 || command -v clang-tidy)
if (($#)); then files=("$@"); else mapfile -t files < <(git ls-files 'src/*.cpp' 'tests/unit/*.cpp'); fi
out=$(mktemp)
rc=0
printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 4 "$tidy" -p "$build" --quiet >"$out" 2>&1 || rc=$?
grep -v -E '^[0-9]+ warnings? generated|^Suppressed|^Use -header-filter' "$out" || true
rm -f "$out"
if ((rc)); then
  echo "tidy: clang-tidy found problems (see above)" >&2
  exit 1
fi
echo "tidy: ${#files[@]} files clean"
