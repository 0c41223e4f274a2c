#!/usr/bin/env bash
# Benchmark 6: the daemon idle for 60 s (one push-only path of 1,000 files to a local-folder
# remote, no changes, default interval/debounce): RSS (VmRSS, VmHWM), CPU seconds
# (utime+stime of the daemon, and of its reaped children) and rclone launches
# ("sync started" lines) over the window. Aim: < 10 MB, no measurable CPU, 0 launches.
source "$(dirname "$0")/common.sh"

secs=${BENCH_IDLE_SECONDS:-60}
src="$E2E_TMP/src"
$PY tree "$src" 1000 100
local_spec "$E2E_TMP/spec.yaml" b6 "$E2E_TMP/remote" "code|$src|code"
daemon -c "$E2E_TMP/spec.yaml" --state-dir "$E2E_TMP/state"
wait_for 60 grep -q "sync finished action=code" "$E2E_TMP/daemon.log" || { cat "$E2E_TMP/daemon.log" >&2; exit 1; }
wait_for 10 grep -q "watching local folders" "$E2E_TMP/daemon.log" || true
sleep 2 # start-up work done: measure the steady state

header "6. Daemon idle for ${secs} s" \
  "coltec-daemon -c spec.yaml --state-dir DIR (daemon mode, push-only, 1,000 files, local remote); sampled by tests/bench/06_idle.sh"
s=$($PY sample "$DAEMON_PID" "$secs" "$E2E_TMP/daemon.log" "sync started")
watch=$(grep -o 'watches=[0-9]* setup_ms=[0-9]*' "$E2E_TMP/daemon.log" | head -1)
threads=$(grep Threads "/proc/$DAEMON_PID/status" | awk '{print $2}')
fds=$(find "/proc/$DAEMON_PID/fd" -mindepth 1 | wc -l)
rss_mb=$(python3 -c "print(round($(jget "$s" rss_kb)/1024,1))")
hwm_mb=$(python3 -c "print(round($(jget "$s" hwm_kb)/1024,1))")
emit "| window | VmRSS end | max VmRSS in window | VmHWM (peak since start) | daemon CPU s | children CPU s | rclone launches | threads | open fds | watches |"
emit "|---|---|---|---|---|---|---|---|---|---|"
emit "| ${secs} s | $rss_mb MB | $(python3 -c "print(round($(jget "$s" max_rss_kb)/1024,1))") MB | $hwm_mb MB | $(jget "$s" cpu_s) | $(jget "$s" children_cpu_s) | $(jget "$s" launches) | $threads | $fds | ${watch:-?} |"
emit ""
ok=no
python3 -c "import sys; sys.exit(0 if $hwm_mb < 10 and $(jget "$s" cpu_s) <= 0.02 and $(jget "$s" launches) == 0 else 1)" && ok=yes
emit "Reading: RSS $rss_mb MB (peak $hwm_mb MB), $(jget "$s" cpu_s) CPU s in ${secs} s, $(jget "$s" launches) rclone launches — aim met: $ok (CPU is counted in clock ticks of 10 ms)."
kill -TERM "$DAEMON_PID"
wait_rc "$DAEMON_PID" 10
