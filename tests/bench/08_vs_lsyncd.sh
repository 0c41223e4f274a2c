#!/usr/bin/env bash
# Benchmark 8: event-driven sync, coltec-daemon against lsyncd (default.rsync, delay = 1, to
# a local folder), on trees of 1,000, 10,000 and 100,000 files of 100 bytes, both run in the
# same session on the same tree, one after the other. Per tool and size: initial sync time,
# watch set-up, write-to-remote latency (new small file, destination polled every 10 ms),
# and over an idle window: launches (rclone / rsync), CPU seconds and RSS.
# The daemon runs with --debounce-ms 200 --max-delay-ms 1000 (defaults are 300 / 5000).
# Environment: BENCH_SIZES ("1000 10000 100000"), BENCH_CHANGES (12), BENCH_IDLE_SECONDS (60).
source "$(dirname "$0")/common.sh"
command -v lsyncd >/dev/null || { echo "lsyncd is not installed (apt-get install lsyncd)" >&2; exit 2; }

sizes=${BENCH_SIZES:-1000 10000 100000}
changes=${BENCH_CHANGES:-12}
idle=${BENCH_IDLE_SECONDS:-60}
[[ -n ${BENCH_QUICK:-} ]] && { sizes=${BENCH_SIZES:-1000}; changes=3; idle=5; }
rows=()

header "8. Event-driven latency: coltec-daemon vs lsyncd" \
  "tests/bench/08_vs_lsyncd.sh (sizes: $sizes; $changes changes; ${idle} s idle)"
emit "coltec-daemon: \`coltec-daemon -c spec.yaml --state-dir DIR --debounce-ms 200 --max-delay-ms 1000\` (push-only, local-folder remote; defaults are 300 / 5000 ms).  "
emit "lsyncd $(lsyncd --version 2>&1 | awk '{print $2}') + $(rsync --version | head -1 | awk '{print $1, $3}'): \`settings { nodaemon = true } sync { default.rsync, source = SRC, target = DST, delay = 1 }\`."
emit ""

# finish_row TOOL N INIT_MS SETUP WATCHES LAT_JSON IDLE_JSON: one table row.
finish_row() {
  local mb
  mb=$(python3 -c "print(round($(jget "$7" hwm_kb)/1024,1))")
  rows+=("| $2 | $1 | $(python3 -c "print(round($3/1000,2))") | $4 | $5 | $(jget "$6" min) / $(jget "$6" median) / $(jget "$6" p90) ($(jget "$6" n) ok, $(jget "$6" misses) missed) | $(jget "$7" launches) | $(jget "$7" cpu_s) + $(jget "$7" children_cpu_s) | $(python3 -c "print(round($(jget "$7" rss_kb)/1024,1))") / $mb |")
}
count_files() { find "$1" -type f | wc -l; }

for n in $sizes; do
  src="$E2E_TMP/src$n"
  t0=$(now_ns)
  $PY tree "$src" "$n" 100
  log "tree of $n files made in $(ms_since "$t0") ms"

  # --- coltec-daemon
  dst="$E2E_TMP/remote/n$n"
  dlog="$E2E_TMP/daemon$n.log"
  local_spec "$E2E_TMP/spec$n.yaml" "b8n$n" "$E2E_TMP/remote" "code|$src|n$n"
  t0=$(now_ns)
  "$COLTEC_BIN" -c "$E2E_TMP/spec$n.yaml" --state-dir "$E2E_TMP/state" --debounce-ms 200 --max-delay-ms 1000 >"$dlog" 2>&1 &
  pid=$!
  E2E_PIDS+=("$pid")
  tf=$($PY waitlog "$dlog" "sync finished" 1200) || { cat "$dlog" >&2; exit 1; }
  init=$(((tf - t0) / 1000000))
  $PY waitlog "$dlog" "watching local folders" 60 >/dev/null || true
  setup=$(grep -o 'setup_ms=[0-9]*' "$dlog" | head -1 | cut -d= -f2)
  watches="$($PY watches "$pid") (log: $(grep -o 'watches=[0-9]*' "$dlog" | head -1 | cut -d= -f2))"
  got=$(count_files "$dst")
  ((got == n)) || { echo "daemon copied $got of $n files" >&2; exit 1; }
  log "daemon: initial sync $init ms; measuring latency"
  lat=$($PY latency "$src" "$dst" "$changes" "$dlog" "sync started" "sync finished")
  sleep 3
  log "daemon: idle for $idle s"
  idl=$($PY sample "$pid" "$idle" "$dlog" "sync started")
  kill -TERM "$pid"
  wait_rc "$pid" 30
  finish_row coltec-daemon "$n" "$init" "${setup:-?} (inside the daemon)" "$watches" "$lat" "$idl"
  cp "$dlog" "$BENCH_OUT/08_daemon_$n.log"

  # --- lsyncd, same tree
  dst="$E2E_TMP/lsyncd/n$n"
  llog="$E2E_TMP/lsyncd$n.log"
  mkdir -p "$dst"
  printf 'settings { nodaemon = true }\nsync { default.rsync, source = "%s", target = "%s", delay = 1 }\n' \
    "$src" "$dst" >"$E2E_TMP/lsyncd$n.lua"
  t0=$(now_ns)
  lsyncd "$E2E_TMP/lsyncd$n.lua" >"$llog" 2>&1 &
  lpid=$!
  E2E_PIDS+=("$lpid")
  ts=$($PY waitlog "$llog" "startup rsync" 600) || { cat "$llog" >&2; exit 1; }
  tf=$($PY waitlog "$llog" "Startup of" 1200) || { cat "$llog" >&2; exit 1; }
  init=$(((tf - t0) / 1000000))
  setup=$(((ts - t0) / 1000000))
  watches=$($PY watches "$lpid")
  got=$(count_files "$dst")
  ((got >= n)) || { echo "lsyncd copied $got of $n files" >&2; exit 1; }
  log "lsyncd: initial sync $init ms; measuring latency"
  lat=$($PY latency "$src" "$dst" "$changes" "$llog" "Calling rsync|startup rsync" "Finished a list|finished.")
  sleep 3
  log "lsyncd: idle for $idle s"
  idl=$($PY sample "$lpid" "$idle" "$llog" "Calling rsync|startup rsync")
  kill -TERM "$lpid"
  wait_rc "$lpid" 30
  finish_row lsyncd "$n" "$init" "≤ $setup (start → startup rsync)" "$watches" "$lat" "$idl"
  cp "$llog" "$BENCH_OUT/08_lsyncd_$n.log"
  rm -rf "$src" "$E2E_TMP/remote/n$n" "$dst"
done

emit "| files | tool | initial sync s | watch set-up ms | inotify watches | latency ms min / median / p90 | launches in ${idle} s idle | idle CPU s (own + children) | RSS / peak MB |"
emit "|---|---|---|---|---|---|---|---|---|"
for r in "${rows[@]}"; do emit "$r"; done
emit ""
emit "Initial sync: from process start until the first \"sync finished\" (daemon; includes \`rclone version\`, the dry-run pre-check and the sync) or \"Startup of … finished.\" (lsyncd). Latency: a new 9-byte file written into a leaf folder until it exists in the destination."
