#!/usr/bin/env bash
# Builds the release preset and packages it. Prints the path of the .deb on stdout (and
# nothing else there); progress goes to stderr. Also writes the devcontainer feature as a
# self-contained tarball (install.sh + json + binary + support files) next to the .deb.
# Usage: scripts/package.sh [BUILD_DIR]   (default: the release preset, build/release;
#        a BUILD_DIR must already be configured and is only rebuilt, not reconfigured)
set -euo pipefail
cd "$(dirname "$0")/.."
if (($# == 0)); then
  scripts/build.sh release >&2
  dir=$PWD/build/release
else
  dir=$(cd "$1" && pwd)
  cmake --build "$dir" >&2
fi
if [[ ! -f $dir/CPackConfig.cmake ]]; then
  echo "package: $dir has no CPackConfig.cmake; add include(cmake/Packaging.cmake) to CMakeLists.txt" >&2
  exit 1
fi

out=$dir/package
rm -f "$out"/*.deb
(cd "$dir" && cpack -G DEB --config CPackConfig.cmake >&2)
debs=("$out"/*.deb)
if [[ ${#debs[@]} -ne 1 || ! -f ${debs[0]} ]]; then
  echo "package: cpack did not leave exactly one .deb in $out" >&2
  exit 1
fi

# The feature tarball has the layout `devcontainer features package` produces: the feature
# folder's files at the top level.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp docker/devcontainer-feature/devcontainer-feature.json docker/devcontainer-feature/install.sh \
  docker/post-start.sh docker/supervisord.conf schema/workspace-spec.schema.json \
  schema/examples/workspace-spec.example.yaml "$stage/"
install -m 0755 "$dir/coltec-daemon" "$stage/coltec-daemon"
strip --strip-unneeded "$stage/coltec-daemon" 2>/dev/null || true
tar -C "$stage" --owner=0 --group=0 --sort=name -czf "$out/devcontainer-feature-coltec-daemon.tgz" .
echo "package: feature $out/devcontainer-feature-coltec-daemon.tgz" >&2
dpkg-deb --info "${debs[0]}" | sed -n 's/^ \(Depends\|Installed-Size\|Version\):/package: \1:/p' >&2
echo "${debs[0]}"
