#!/usr/bin/env bash
# Installs the pinned S3 API test server (npm package s3rver) into a cache folder and
# prints the path of its executable. Idempotent. Used only by the end-to-end tests.
set -euo pipefail
version=3.7.1
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${COLTEC_CACHE:-$root/.cache}/s3rver-$version"
bin="$cache/node_modules/.bin/s3rver"
mkdir -p "$cache"
# Suites run in parallel: one installs while the others wait on the lock.
exec 9>"$cache.lock"
flock 9
if [[ ! -x $bin ]]; then
  npm install --silent --no-audit --no-fund --prefix "$cache" "s3rver@$version" >&2
fi
echo "$bin"
