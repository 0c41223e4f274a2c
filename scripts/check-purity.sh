#!/usr/bin/env bash
# The pure modules (DESIGN.md) must not include Asio, spdlog or POSIX headers, nor read
# the environment or the clock. Fails listing the offending lines.
set -euo pipefail
cd "$(dirname "$0")/.."
pure=(include/coltec/{spec,config,planner,rclone_command}.hpp src/core/{spec,planner,rclone}/*.cpp)
mapfile -t cfg < <(ls src/core/config/*.cpp 2>/dev/null)
pattern='#include <(boost/|spdlog/|unistd\.h|sys/|fcntl\.h|signal\.h)|getenv|std::chrono::(system|steady)_clock::now'
files=()
for f in "${pure[@]}" "${cfg[@]}"; do [[ -f $f ]] && files+=("$f"); done
if grep -nE "$pattern" "${files[@]}"; then
  echo "purity: the lines above break the pure-core rule (DESIGN.md)" >&2
  exit 1
fi
echo "purity: pure modules are clean"
