#!/usr/bin/env bash
# devcontainer feature installer for coltec-daemon. The devcontainer CLI runs it as root
# while building the image, with the feature's options as upper-case variables:
#   DEBURL, BINARYPATH, INSTALLPREFIX (default /usr/local), INSTALLPACKAGES (default true)
# and _REMOTE_USER (the user who will own the state directory).
# DESTDIR (not a feature option) stages everything under another root, for tests and
# packagers; the binary is then run from there once as a check.
#
# Where the binary comes from, first match: BINARYPATH; DEBURL (a .deb, installed with
# apt-get so rclone and the libraries come along); a `coltec-daemon` file beside this
# script (the packaged feature from scripts/package.sh carries one).
# The support files (post-start.sh, supervisord.conf, schema, example spec) are looked up
# beside this script, then in the source tree around it (docker/, schema/).
set -euo pipefail

say() { printf 'coltec-daemon feature: %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}
is_true() {
  case "${1,,}" in
    true | 1 | yes | on) return 0 ;;
  esac
  return 1
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prefix=${INSTALLPREFIX:-/usr/local}
destdir=${DESTDIR:-}
state_dir=/var/lib/coltec-daemon # the feature's containerEnv and volume mount use this path
# Runtime packages; docker/Dockerfile installs the same list (package_test.sh checks both).
packages=(rclone ca-certificates supervisor libyaml-cpp0.7 libspdlog1.10 libfmt9)

[[ $prefix == /* ]] || die "installPrefix must be an absolute path, got '$prefix'"
[[ -z $destdir || $destdir == /* ]] || die "DESTDIR must be an absolute path, got '$destdir'"
root=$destdir$prefix

# find_support NAME DIR...: the first DIR/NAME that exists.
find_support() {
  local name=$1 dir
  shift
  for dir in "$@"; do
    if [[ -f $dir/$name ]]; then
      printf '%s\n' "$dir/$name"
      return 0
    fi
  done
  die "cannot find $name beside $here or in the source tree"
}

install_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} yourself (or installPackages=false)"
  [[ $(id -u) -eq 0 ]] || die "installing ${missing[*]} needs root (or installPackages=false)"
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# install_deb URL|PATH: installs the package with apt-get, which pulls in its Depends.
install_deb() {
  local src=$1
  [[ $(id -u) -eq 0 ]] || die "installing a .deb needs root"
  deb_tmp=$(mktemp -d) # global: the EXIT trap runs after this function returns
  trap 'rm -rf "$deb_tmp"' EXIT
  local tmp=$deb_tmp
  case "$src" in
    /*) cp -- "$src" "$tmp/coltec-daemon.deb" ;;
    https://* | http://*)
      if command -v curl >/dev/null; then
        curl -fsSL --proto '=https,http' -o "$tmp/coltec-daemon.deb" -- "$src"
      elif command -v wget >/dev/null; then
        wget -q -O "$tmp/coltec-daemon.deb" -- "$src"
      else
        die "debUrl needs curl or wget in the image"
      fi
      ;;
    *) die "debUrl must be an https:// URL or an absolute path, got '$src'" ;;
  esac
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "$tmp/coltec-daemon.deb"
}

if is_true "${INSTALLPACKAGES:-true}"; then
  install_packages "${packages[@]}"
fi

mkdir -p "$root/bin" "$root/share/coltec-daemon/examples"
if [[ -n ${BINARYPATH:-} ]]; then
  [[ -f $BINARYPATH && -x $BINARYPATH ]] || die "binaryPath '$BINARYPATH' is not an executable file"
  install -m 0755 -- "$BINARYPATH" "$root/bin/coltec-daemon"
  ln -sfn coltec-daemon "$root/bin/coltec-validate"
  bin=$root/bin/coltec-daemon
elif [[ -n ${DEBURL:-} ]]; then
  install_deb "$DEBURL"
  bin=/usr/bin/coltec-daemon
elif [[ -f $here/coltec-daemon ]]; then
  install -m 0755 -- "$here/coltec-daemon" "$root/bin/coltec-daemon"
  ln -sfn coltec-daemon "$root/bin/coltec-validate"
  bin=$root/bin/coltec-daemon
else
  die "nothing to install: set debUrl or binaryPath, or use the packaged feature (scripts/package.sh)"
fi

share=$root/share/coltec-daemon
install -m 0755 -- "$(find_support post-start.sh "$here" "$here/..")" "$share/post-start.sh"
install -m 0644 -- "$(find_support supervisord.conf "$here" "$here/..")" "$share/supervisord.conf"
install -m 0644 -- "$(find_support workspace-spec.schema.json "$here" "$here/../../schema")" \
  "$share/workspace-spec.schema.json"
install -m 0644 -- "$(find_support workspace-spec.example.yaml "$here" \
  "$here/../../schema/examples")" "$share/examples/workspace-spec.example.yaml"
ln -sfn ../share/coltec-daemon/post-start.sh "$root/bin/coltec-post-start"

# The state directory is a volume (see devcontainer-feature.json); a fresh volume copies
# this directory's owner and mode, so the remote user can write it.
mkdir -p "$destdir$state_dir"
chmod 0700 "$destdir$state_dir"
if [[ -n ${_REMOTE_USER:-} && ${_REMOTE_USER} != root ]] && id -u "$_REMOTE_USER" >/dev/null 2>&1; then
  chown "$_REMOTE_USER:" "$destdir$state_dir"
fi

version=$("$bin" --version) || die "$bin does not run (missing libraries? see installPackages)"
say "installed $version: $bin, coltec-validate, coltec-post-start (postStartCommand)"
