#!/usr/bin/env bash
# Benchmark 9: what a bidirectional path costs on S3 (s3rver on 127.0.0.1), the two-way
# engine against rclone bisync as the earlier releases ran it.
#   a. a no-op run (--once) at 2,000 and 20,000 files: S3 requests and wall time, the
#      engine vs plain `rclone bisync --fast-list` (the old daemon's flags) vs bisync with
#      --use-server-modtime --fast-list --no-update-modtime;
#   b. the daemon idle for 10 intervals (10 s each): requests, rclone launches and CPU
#      seconds (daemon + rclone) per interval;
#   c. a local edit reaching the remote with 10,000 files in the tree (daemon, watcher);
#   d. a fresh container's first run (empty folder, remote holds 10,000 files) against a
#      plain `rclone copy` of the tree: wall time and requests.
# Requests are counted from s3rver's log. BENCH_QUICK=1: 2,000 files only, fewer samples.
# BENCH_PARTS=cd: only the latency and first-run parts (a covers a and b).
source "$(dirname "$0")/common.sh"
start_s3rver

if [[ -n ${BENCH_QUICK:-} ]]; then sizes=(2000); big=2000; else sizes=(2000 20000); big=10000; fi
export S3_KEY=S3RVER S3_SECRET=bench-secret
conf="$E2E_TMP/rclone.conf"
printf '[s3]\ntype = s3\nprovider = Other\nendpoint = http://127.0.0.1:%s\naccess_key_id = S3RVER\nsecret_access_key = x\n' \
  "$S3_PORT" >"$conf"
requests() { $PY s3count "$E2E_TMP/s3rver.log"; }
twoway_spec() { # FILE NAME LOCAL REMOTE_PATH
  cat >"$1" <<YAML
name: $2
metadata: {org: o, project: p}
devcontainer: {image: {name: debian:bookworm}}
persistence:
  enabled: true
  mode: replicated
  default_remote: s3
  remotes:
    s3:
      type: s3
      bucket: testbucket
      options: {provider: Other, endpoint: "http://127.0.0.1:$S3_PORT", access_key_id: "\${S3_KEY}", secret_access_key: "\${S3_SECRET}"}
  sync:
    - {name: code, path: $3, remote_path: $4, direction: bidirectional, interval: 10}
YAML
}
# cost CMD...: "requests ms" of one command.
cost() {
  local before ms
  before=$(requests)
  ms=$(timed_ms "$@") || return 1
  echo "$(($(requests) - before)) $ms"
}

header "11. Bidirectional paths on S3: the two-way engine vs rclone bisync" \
  "tests/bench/09_twoway.sh (release binary; s3rver 3.7.1 on 127.0.0.1)"
if [[ ${BENCH_PARTS:-abcd} == *a* ]]; then
emit "| files | what | S3 requests | wall ms |"
emit "|---|---|---|---|"
for n in "${sizes[@]}"; do
  src="$E2E_TMP/src$n" bis="$E2E_TMP/bis$n"
  $PY tree "$src" "$n" 200
  cp -a "$src" "$bis"
  twoway_spec "$E2E_TMP/spec$n.yaml" "b9-$n" "$src" "tw$n"
  read -r q ms < <(cost "$COLTEC_BIN" -c "$E2E_TMP/spec$n.yaml" --state-dir "$E2E_TMP/state" --once)
  emit "| $n | two-way first run (uploads everything) | $q | $ms |"
  read -r q ms < <(cost "$COLTEC_BIN" -c "$E2E_TMP/spec$n.yaml" --state-dir "$E2E_TMP/state" --once)
  emit "| $n | **two-way no-op run** (aim ≤ $((n / 1000 + 3))) | **$q** | $ms |"
  read -r q ms < <(cost "$COLTEC_BIN" -c "$E2E_TMP/spec$n.yaml" --state-dir "$E2E_TMP/state" --once)
  emit "| $n | two-way no-op run, again | $q | $ms |"
  bisync=(rclone --config "$conf" bisync "$bis" "s3:testbucket/bis$n" --workdir "$E2E_TMP/wd$n" --fast-list)
  # rclone bisync under load sometimes aborts (s3rver answers "object not found" for an
  # object it is still writing); a row then says so instead of ending the benchmark.
  bisync_row() { # LABEL CMD...
    local label=$1 q ms
    shift
    if read -r q ms < <(cost "$@") && [[ -n $q ]]; then
      emit "| $n | $label | $q | $ms |"
    else
      emit "| $n | $label | (rclone bisync aborted) | |"
    fi
  }
  bisync_row "rclone bisync --resync (first run, old flags)" "${bisync[@]}" --resync
  bisync_row "rclone bisync no-op, old flags (--fast-list)" "${bisync[@]}"
  # The cheap flags need listings made with them (switching flags makes every file changed).
  cp -a "$src" "$bis.sm"
  cheap=(rclone --config "$conf" bisync "$bis.sm" "s3:testbucket/bissm$n" --workdir "$E2E_TMP/wdsm$n"
    --fast-list --use-server-modtime --no-update-modtime)
  (cost "${cheap[@]}" --resync >/dev/null) || true
  bisync_row "rclone bisync no-op, --use-server-modtime --fast-list --no-update-modtime" "${cheap[@]}"
done
emit ""

emit "Idle daemon, 10 intervals of 10 s (nothing changes anywhere):"
emit ""
emit "| files | requests / interval | rclone launches / interval | CPU s / interval (daemon + rclone) |"
emit "|---|---|---|---|"
for n in "${sizes[@]}"; do
  daemon -c "$E2E_TMP/spec$n.yaml" --state-dir "$E2E_TMP/state" --log-level debug
  wait_for 120 grep -q "sync finished" "$E2E_TMP/daemon.log" || { tail "$E2E_TMP/daemon.log" >&2; exit 1; }
  before=$(requests)
  s=$($PY sample "$DAEMON_PID" 100 "$E2E_TMP/daemon.log" "running rclone")
  q=$(($(requests) - before))
  cpu=$(python3 -c "print(round(($(jget "$s" cpu_s) + $(jget "$s" children_cpu_s)) / 10, 3))")
  emit "| $n | $(python3 -c "print($q / 10)") | $(python3 -c "print($(jget "$s" launches) / 10)") | $cpu |"
  kill -TERM "$DAEMON_PID"
  wait_rc "$DAEMON_PID" 30
done
emit ""

fi

# c. Latency: a new file in a tree of $big files, until its object exists on the server.
lat_src="$E2E_TMP/lat"
$PY tree "$lat_src" "$big" 100
twoway_spec "$E2E_TMP/lat.yaml" b9-lat "$lat_src" lat
"$COLTEC_BIN" -c "$E2E_TMP/lat.yaml" --state-dir "$E2E_TMP/state" --once >/dev/null 2>&1
daemon -c "$E2E_TMP/lat.yaml" --state-dir "$E2E_TMP/state"
wait_for 120 grep -q "sync finished" "$E2E_TMP/daemon.log" || exit 1
l=$($PY latency "$lat_src" "$S3_DATA/testbucket/lat" "$(reps 15)" "$E2E_TMP/daemon.log" \
  "sync started" "sync finished|sync failed" "._S3rver_object")
kill -TERM "$DAEMON_PID"
wait_rc "$DAEMON_PID" 30
emit "Local edit to remote object, $big files in the tree (debounce 300 ms included): median $(jget "$l" median) ms, p90 $(jget "$l" p90) ms, min $(jget "$l" min) ms over $(jget "$l" n) edits ($(jget "$l" misses) missed)."
emit ""

# d. A fresh container: empty folder, remote holds $big files.
fresh="$E2E_TMP/fresh" plain="$E2E_TMP/plain"
mkdir -p "$fresh"
twoway_spec "$E2E_TMP/fresh.yaml" b9-fresh "$fresh" lat
read -r q1 ms1 < <(cost "$COLTEC_BIN" -c "$E2E_TMP/fresh.yaml" --state-dir "$E2E_TMP/state2" --once)
read -r q2 ms2 < <(cost rclone --config "$conf" copy s3:testbucket/lat "$plain" --fast-list --transfers 8 --exclude '/.coltec-sync/**')
emit "| first run of a fresh container ($big files) | S3 requests | wall ms |"
emit "|---|---|---|"
emit "| two-way engine | $q1 | $ms1 |"
emit "| plain rclone copy | $q2 | $ms2 |"
emit "| ratio | $(ratio "$q1" "$q2") | $(ratio "$ms1" "$ms2") |"
emit ""
