#!/usr/bin/env bash
# Entrypoint (PID 1) of the coltec-daemon image (docker/Dockerfile), also on PATH as
# `coltec-container-init`.
#
#   container-init.sh              start the daemon as the devcontainer hook does
#                                  (post-start.sh -> supervisord), then keep the container
#                                  running and copy the daemon's log to stdout (docker logs);
#                                  on SIGTERM/SIGINT (docker stop) stop the daemon
#                                  gracefully and exit with its exit status (143)
#   container-init.sh -FLAG ...    exec coltec-daemon -FLAG ... (--version, --validate-only,
#                                  --once, a foreground daemon with its own flags, ...)
#   container-init.sh CMD ...      exec CMD ... (bash, coltec-daemon status, ...)
#
# Why an init: the daemon runs under a supervisord that post-start.sh daemonizes, so it is
# not PID 1 and `docker stop` alone would SIGKILL it after the stop timeout, losing the
# changes it had not uploaded yet. This script forwards the stop to supervisord, which
# sends SIGTERM to the daemon and waits up to stopwaitsecs (15 s) while it flushes.
# Use `docker run --stop-timeout 15` (compose: stop_grace_period: 15s); docker's default
# of 10 s can SIGKILL the daemon in the middle of its last upload.
#
# post-start.sh decides whether to start at all (spec present, valid, credentials set; see
# its header). When it starts nothing, the container keeps running anyway: in a
# devcontainer the user can add the spec and run `coltec-post-start` later, and the
# HEALTHCHECK reports the missing daemon. A devcontainer's own postStartCommand
# (`coltec-post-start`) finds the daemon already running and leaves it alone.
# A devcontainer runs this entrypoint only with "overrideCommand": false; the default
# (true) makes PID 1 a shell that exits 0 on SIGTERM, and the daemon is then killed
# without its final flush.
set -euo pipefail

say() { printf 'coltec container-init: %s\n' "$*" >&2; }

case "${1:-}" in
  "") ;;
  -*) exec coltec-daemon "$@" ;;
  *) exec "$@" ;;
esac

here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# The same folder post-start.sh picks, so both find the same supervisord.
if [[ -z ${COLTEC_SUPERVISOR_DIR:-} ]]; then
  if [[ -n ${XDG_RUNTIME_DIR:-} ]]; then
    COLTEC_SUPERVISOR_DIR=$XDG_RUNTIME_DIR/coltec-daemon
  else
    COLTEC_SUPERVISOR_DIR=${HOME:?set HOME or COLTEC_SUPERVISOR_DIR}/.cache/coltec-daemon/supervisor
  fi
fi
export COLTEC_SUPERVISOR_DIR
sup_log=$COLTEC_SUPERVISOR_DIR/supervisord.log

stop_requested=false
trap 'stop_requested=true' TERM INT

# supervisord_pid: the pid of this container's supervisord for our config, if it runs. A
# pid file left by an earlier run of the container can name an unrelated process.
supervisord_pid() {
  local pid
  pid=$(cat "$COLTEC_SUPERVISOR_DIR/supervisord.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[1-9][0-9]*$ ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q supervisord || return 1
  echo "$pid"
}

# wait_gone PID SECONDS: true once PID no longer exists (it is not our child, so `wait`
# cannot be used; as PID 1 we reap it, bash collects orphans on SIGCHLD).
wait_gone() {
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# The daemon's log (supervisord writes it to a file) is copied to our stdout, so that
# `docker logs` shows it: from the size it has now (a restarted container's file holds the
# earlier runs) and across supervisord's rotations.
daemon_log=$COLTEC_SUPERVISOR_DIR/coltec-daemon.out.log
log_from=$(($(stat -c %s "$daemon_log" 2>/dev/null || echo 0) + 1))

# Start: post-start.sh as a child, so a stop request interrupts the wait for it. Without
# supervisord it execs the daemon, and the child then is the daemon.
"$here/post-start.sh" &
child=$!
child_rc=""
while [[ -z $child_rc ]] && ! $stop_requested; do
  wait "$child" || true # a trapped signal interrupts `wait` while the child still runs
  if ! kill -0 "$child" 2>/dev/null; then
    child_rc=0
    wait "$child" || child_rc=$? # bash kept its status
  fi
done
if [[ -n $child_rc ]] && ((child_rc != 0)); then
  say "post-start.sh exited $child_rc; the container keeps running (see coltec-daemon status)"
fi

# Idle until asked to stop. While our supervisord runs, the idle child is a tail of the
# daemon's log that ends by itself, after a last read, once supervisord has exited
# (--pid). Otherwise it is a sleep, after which supervisord is looked for again (a later
# coltec-post-start may have started it).
idle=""
tailing=false
while ! $stop_requested; do
  if [[ -z $idle ]] || ! kill -0 "$idle" 2>/dev/null; then
    if $tailing; then # the tail ended: supervisord exited; go on from the end
      log_from=$(($(stat -c %s "$daemon_log" 2>/dev/null || echo 0) + 1))
    fi
    if pid=$(supervisord_pid); then
      tail -F --pid="$pid" -c +"$log_from" "$daemon_log" 2>/dev/null &
      tailing=true
    else
      sleep 5 &
      tailing=false
    fi
    idle=$!
  fi
  wait "$idle" || true
done
$tailing || kill "$idle" 2>/dev/null || true

rc=143 # killed by SIGTERM, nothing else to report
if [[ -z $child_rc ]]; then
  # post-start.sh still runs: it is the daemon (exec'd, no supervisord), which SIGTERM
  # stops with its final flush, or it is still starting supervisord, and SIGTERM ends it
  # (supervisord, if started, is stopped below).
  kill -TERM "$child" 2>/dev/null || true
  rc=0
  wait "$child" || rc=$?
fi
if pid=$(supervisord_pid); then
  lines=$(wc -l <"$sup_log" 2>/dev/null || echo 0)
  say "stopping coltec-daemon (SIGTERM to supervisord pid $pid, which waits up to stopwaitsecs for the final flush)"
  kill -TERM "$pid"
  if ! wait_gone "$pid" 60; then
    say "supervisord pid $pid did not exit within 60 s"
    exit 137
  fi
  # The tail copies the daemon's last lines (its final flush) and ends.
  if $tailing && ! wait_gone "$idle" 5; then kill "$idle" 2>/dev/null || true; fi
  # supervisord logs how the program ended, e.g.
  #   INFO stopped: coltec-daemon (exit status 143)
  #   WARN stopped: coltec-daemon (terminated by SIGKILL)
  now=$(wc -l <"$sup_log" 2>/dev/null || echo 0)
  ((now >= lines)) || lines=0 # rotated meanwhile
  how=$(tail -n +"$((lines + 1))" "$sup_log" 2>/dev/null |
    sed -n 's/.*stopped: coltec-daemon (\(.*\))$/\1/p' | tail -n 1)
  case "$how" in
    "exit status "[0-9]*) rc=${how#exit status } ;;
    "terminated by SIG"*)
      sig=${how#terminated by SIG}
      rc=$((128 + $(kill -l "$sig" 2>/dev/null || echo 9)))
      ;;
  esac
  if [[ -n $how ]]; then
    say "coltec-daemon stopped ($how)"
  else
    say "coltec-daemon was not running under supervisord"
  fi
else
  kill "$idle" 2>/dev/null || true
fi
exit "$rc"
