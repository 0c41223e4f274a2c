#!/usr/bin/env bash
# devcontainer post-start hook for coltec-daemon (devcontainer.json:
#   "postStartCommand": "/usr/local/share/coltec-daemon/post-start.sh"; the devcontainer
#   feature installs it as `coltec-post-start` on PATH).
#
#   post-start.sh               check, then start the daemon (under supervisord if possible)
#   post-start.sh --foreground  exec the daemon in this process (supervisord's program uses it)
#
# Steps, in order; each "skip" prints why and exits 0 so a container without a spec or
# credentials still starts:
#   1. COLTEC_DISABLED=true|1|yes|on       -> skip
#   2. no spec at $COLTEC_CONFIG (default /workspace/.devcontainer/workspace-spec.yaml)
#      or no binary ($COLTEC_DAEMON_BIN, else coltec-daemon on PATH)  -> skip
#   3. coltec-daemon --validate-only -c SPEC; an invalid spec exits with its code (1)
#   4. no storage credentials (rule below) and COLTEC_FORCE_START unset
#      -> coltec-daemon --once --dry-run (shows the plan, changes nothing), exit 0
#   5. supervisorctl + supervisord installed -> run the daemon as program coltec-daemon of a
#      supervisord using supervisord.conf beside this script ($COLTEC_SUPERVISOR_CONF);
#      start that supervisord if it is not running; wait until the program is RUNNING
#      (one post-start.sh at a time does this: a lock file in COLTEC_SUPERVISOR_DIR)
#   6. otherwise exec coltec-daemon -c SPEC $COLTEC_DAEMON_ARGS
#
# Credentials count as present when any of these holds:
#   COLTEC_CREDENTIALS_PRESENT=true|1, AWS_ACCESS_KEY_ID or S3_ACCESS_KEY_ID is set,
#   some RCLONE_CONFIG_<REMOTE>_ACCESS_KEY_ID is set, or the spec refers to ${VAR}s
#   (outside comments) and every one of them is set.
# A spec whose remotes are all local folders needs none: set COLTEC_FORCE_START=1.
#
# COLTEC_DAEMON_ARGS is split on whitespace into separate arguments; it is never evaluated
# by a shell, so quotes and $(...) in it are plain characters.
# Other variables: COLTEC_SUPERVISOR_DIR (socket, pid file, logs; default
# $XDG_RUNTIME_DIR/coltec-daemon or ~/.cache/coltec-daemon/supervisor),
# COLTEC_LOG_FORMAT, COLTEC_LOG_LEVEL, COLTEC_STATE_DIR (read by the daemon itself).
set -euo pipefail

say() { printf 'coltec post-start: %s\n' "$*" >&2; }
is_true() {
  case "${1,,}" in
    true | 1 | yes | on) return 0 ;;
  esac
  return 1
}
# Resolved, so a symlink such as bin/coltec-post-start still finds supervisord.conf.
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")

foreground=false
case "${1:-}" in
  "") ;;
  --foreground) foreground=true ;;
  -h | --help)
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
  *)
    say "unknown argument '$1' (usage: post-start.sh [--foreground])"
    exit 2
    ;;
esac

if is_true "${COLTEC_DISABLED:-false}"; then
  say "disabled by COLTEC_DISABLED=${COLTEC_DISABLED}; not starting coltec-daemon"
  exit 0
fi

spec=${COLTEC_CONFIG:-/workspace/.devcontainer/workspace-spec.yaml}
if [[ ! -f $spec ]]; then
  say "no workspace spec at $spec (set COLTEC_CONFIG); nothing to sync, not starting"
  exit 0
fi
bin=${COLTEC_DAEMON_BIN:-$(command -v coltec-daemon || true)}
if [[ -z $bin || ! -x $bin ]]; then
  say "coltec-daemon is not installed (not on PATH, COLTEC_DAEMON_BIN='${COLTEC_DAEMON_BIN:-}'); not starting"
  exit 0
fi

extra_args=()
if [[ -n ${COLTEC_DAEMON_ARGS:-} ]]; then
  # -d '' reads every line; read -a splits on IFS whitespace and never globs or evaluates.
  read -r -d '' -a extra_args <<<"$COLTEC_DAEMON_ARGS" || true
fi

if $foreground; then
  exec "$bin" -c "$spec" "${extra_args[@]}"
fi

rc=0
"$bin" --validate-only -c "$spec" || rc=$?
if ((rc != 0)); then
  say "$spec is not valid (coltec-daemon --validate-only exited $rc); not starting"
  exit "$rc"
fi

credentials_present() {
  is_true "${COLTEC_CREDENTIALS_PRESENT:-}" && return 0
  [[ -n ${AWS_ACCESS_KEY_ID:-} || -n ${S3_ACCESS_KEY_ID:-} ]] && return 0
  local name names refs
  mapfile -t names < <(compgen -v RCLONE_CONFIG_ || true)
  for name in "${names[@]}"; do
    [[ $name == *_ACCESS_KEY_ID && -n ${!name:-} ]] && return 0
  done
  # ${VAR} references outside YAML comments ('#' at the start or after a blank).
  # shellcheck disable=SC2016 # the ${...} is a pattern, not an expansion
  mapfile -t refs < <(sed -e 's/^#.*//' -e 's/[[:space:]]#.*//' "$spec" |
    grep -o '\${[A-Za-z_][A-Za-z0-9_]*}' | sort -u || true)
  ((${#refs[@]} > 0)) || return 1
  for name in "${refs[@]}"; do
    name=${name:2:${#name}-3}
    [[ -n ${!name:-} ]] || return 1
  done
  return 0
}

if ! is_true "${COLTEC_FORCE_START:-}" && ! credentials_present; then
  say "no storage credentials in the environment; showing what would be synced" \
    "(--once --dry-run) instead of starting. Set the spec's \${VAR}s, or" \
    "COLTEC_FORCE_START=1, and run this script again to start the daemon."
  rc=0
  "$bin" --once --dry-run -c "$spec" "${extra_args[@]}" || rc=$?
  ((rc == 0)) || say "the dry run exited $rc"
  exit 0
fi

conf=${COLTEC_SUPERVISOR_CONF:-$here/supervisord.conf}
if [[ -f $conf ]] && command -v supervisorctl >/dev/null && command -v supervisord >/dev/null; then
  if [[ -z ${COLTEC_SUPERVISOR_DIR:-} ]]; then
    if [[ -n ${XDG_RUNTIME_DIR:-} ]]; then
      COLTEC_SUPERVISOR_DIR=$XDG_RUNTIME_DIR/coltec-daemon
    else
      COLTEC_SUPERVISOR_DIR=${HOME:?set HOME or COLTEC_SUPERVISOR_DIR}/.cache/coltec-daemon/supervisor
    fi
  fi
  mkdir -p "$COLTEC_SUPERVISOR_DIR"
  chmod 700 "$COLTEC_SUPERVISOR_DIR"
  if [[ ! -O $COLTEC_SUPERVISOR_DIR ]]; then
    say "$COLTEC_SUPERVISOR_DIR belongs to another user; set COLTEC_SUPERVISOR_DIR"
    exit 2
  fi
  export COLTEC_SUPERVISOR_DIR COLTEC_CONFIG=$spec COLTEC_DAEMON_BIN=$bin
  export COLTEC_LOG_FORMAT=${COLTEC_LOG_FORMAT:-text} COLTEC_LOG_LEVEL=${COLTEC_LOG_LEVEL:-info}
  ctl=(supervisorctl -c "$conf")
  # One start at a time: the image's entrypoint (container-init.sh) and a devcontainer's
  # postStartCommand run this script at nearly the same moment, and two that both find no
  # supervisord would start two (the second fails on the socket). The lock is fd 9, closed
  # for supervisord so that it does not hold the lock for its whole life.
  if command -v flock >/dev/null; then
    exec 9>"$COLTEC_SUPERVISOR_DIR/post-start.lock"
    if ! flock -w 60 9; then
      say "another post-start.sh has held $COLTEC_SUPERVISOR_DIR/post-start.lock for 60 s"
      exit 2
    fi
  fi
  if "${ctl[@]}" pid >/dev/null 2>&1; then
    # Our supervisord is up (a previous start); it keeps its environment, so a restart of
    # the container is what picks up new credentials.
    if "${ctl[@]}" status coltec-daemon >/dev/null 2>&1; then
      say "coltec-daemon is already running under supervisord"
      exit 0
    fi
    "${ctl[@]}" start coltec-daemon >/dev/null || true
  else
    supervisord -c "$conf" 9>&-
  fi
  deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)); do
    status=$("${ctl[@]}" status coltec-daemon 2>&1 || true)
    case "$status" in
      *RUNNING*)
        say "coltec-daemon started under supervisord ($conf); log: $COLTEC_SUPERVISOR_DIR/coltec-daemon.out.log"
        exit 0
        ;;
      *FATAL* | *EXITED*) break ;;
    esac
    sleep 0.5
  done
  say "coltec-daemon did not reach RUNNING under supervisord: ${status:-no status}"
  tail -n 20 "$COLTEC_SUPERVISOR_DIR/coltec-daemon.out.log" "$COLTEC_SUPERVISOR_DIR/coltec-daemon.err.log" >&2 2>/dev/null || true
  exit 2
fi

say "starting coltec-daemon in the foreground (no supervisord)"
exec "$bin" -c "$spec" "${extra_args[@]}"
