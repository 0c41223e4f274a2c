#!/usr/bin/env bash
# Installs every Debian package the build, the demo and the tests need. Idempotent: only
# calls apt-get when something is missing. Usage: scripts/deps.sh [build|test|container]
set -euo pipefail

build_pkgs=(g++ cmake ninja-build pkg-config libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libspdlog-dev libfmt-dev libboost1.81-dev libvalijson-dev libgtest-dev rclone
  ca-certificates)
# Tests also need: the format/lint tools, clang 14 with its sanitizer and libFuzzer
# runtimes (the fuzz preset), the S3 API server's runtime (node + npm, for the pinned
# s3rver package), supervisord, lsyncd/rsync (benchmark peer), inotify tools, the
# packaging tools, man-db (the package test renders the man page) and git (format.sh and
# tidy.sh list the files git tracks).
test_pkgs=(clang-format clang-tidy clang-14 libclang-rt-14-dev supervisor inotify-tools lsyncd
  rsync procps psmisc file dpkg-dev man-db python3 curl git)

# scripts/test-container.sh also needs rootful podman with runc, and debootstrap for its
# base images (podman alone would pick crun).
container_pkgs=(podman runc debootstrap)

case "${1:-build}" in
  build) want=("${build_pkgs[@]}") ;;
  test) want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  container) want=("${container_pkgs[@]}") ;;
  *)
    echo "usage: scripts/deps.sh [build|test|container]" >&2
    exit 2
    ;;
esac

missing=()
for p in "${want[@]}"; do
  [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || missing+=("$p")
done
# node + npm run the s3rver test server. Some images ship Node.js from another source whose
# npm is built in (and conflicts with Debian's npm package): any working npm will do.
if [[ ${1:-build} == test ]] && ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if ((${#missing[@]})); then
  # apt's own output is the progress report: on a fresh machine this takes minutes.
  echo "deps: installing ${#missing[@]} packages with apt-get: ${missing[*]}" >&2
  SUDO=()
  [[ $(id -u) -eq 0 ]] || SUDO=(sudo)
  "${SUDO[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y --no-install-recommends \
    "${missing[@]}"
  echo "deps: done" >&2
else
  echo "deps: every package is installed" >&2
fi
