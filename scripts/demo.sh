#!/usr/bin/env bash
# Installs what is missing, builds the release binary and runs the daemon's main job on the
# built-in demo: a sample workspace synced to a local-folder rclone remote (no account).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
scripts/build.sh release
exec build/release/coltec-daemon --demo "$@"
