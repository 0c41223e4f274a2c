#!/usr/bin/env bash
# Faults outside the daemon: the S3 server dies mid-run and comes back (temporary failure,
# backoff, unhealthy, then healthy, nothing lost), and a full local disk (a 1 MiB tmpfs:
# the run fails cleanly, nothing lost, it recovers when space returns).
source "$(dirname "$0")/lib.sh"

state="$E2E_TMP/state"
ws="$E2E_TMP/ws"

# 7. S3 server stopped, then restarted on the same port.
start_s3rver
port=$S3_PORT
mkdir -p "$ws/up"
make_files "$ws/up" 10
export S3_KEY=S3RVER S3_SECRET=S3RVER
cat >"$E2E_TMP/s3.yaml" <<YAML
name: e2e-faults
metadata: {org: o, project: p}
devcontainer: {image: {name: debian:bookworm}}
persistence:
  enabled: true
  mode: replicated
  remotes:
    s3: {type: s3, bucket: testbucket, options: {provider: Other, endpoint: "http://127.0.0.1:$port", access_key_id: "\${S3_KEY}", secret_access_key: "\${S3_SECRET}"}}
  default_remote: s3
  sync:
    - {name: up, path: $ws/up, remote_path: faults/up, direction: push-only, interval: 3600}
YAML
status() { "$COLTEC_BIN" -c "$E2E_TMP/s3.yaml" --state-dir "$state" status >"$E2E_TMP/status.out" 2>&1; }
daemon -c "$E2E_TMP/s3.yaml" --state-dir "$state" --debounce-ms 100
wait_for 30 grep -q "sync finished action=up" "$E2E_TMP/daemon.log" || fail "7: first pass"
before=$(tree_sums "$ws/up")
stop_s3rver
echo "written while the server is down" >"$ws/up/late.txt"
t0=$SECONDS
wait_for 30 grep -q "result=temporary" "$E2E_TMP/daemon.log" && pass "7: failure classified temporary in $((SECONDS - t0)) s" || fail "7: no temporary failure"
status && fail "7: status healthy while failing" || pass "7: status unhealthy while the server is down"
start_s3rver "$port"
wait_for 90 status && pass "7: healthy again after the server returned" || fail "7: never recovered: $(cat "$E2E_TMP/status.out")"
rclone_s3 lsf t:testbucket/faults/up | matches late.txt && pass "7: the change made during the outage arrived" || fail "7: change lost"
[[ $(rclone_s3 lsf -R --files-only t:testbucket/faults/up | wc -l) == 11 ]] && pass "7: nothing lost (11 files)" || fail "7: remote count"
[[ $(tree_sums "$ws/up" | grep -v late.txt) == "$before" ]] && pass "7: local files untouched" || fail "7: local changed"
grep -q "attempt" "$E2E_TMP/daemon.log" || true
kill -TERM "$DAEMON_PID"
wait_rc "$DAEMON_PID" 15

# 10. Local disk full: pull 3 MB into a 1 MiB tmpfs.
if mount_tmpfs "$E2E_TMP/small" 1m; then
  mkdir -p "$E2E_TMP/remote/big"
  make_files "$E2E_TMP/remote/big" 30 100000
  cat >"$E2E_TMP/disk.yaml" <<YAML
name: e2e-disk
metadata: {org: o, project: p}
devcontainer: {image: {name: debian:bookworm}}
persistence:
  enabled: true
  mode: replicated
  remotes:
    here: {type: local, path_prefix: $E2E_TMP/remote}
  default_remote: here
  sync:
    - {name: big, path: $E2E_TMP/small/big, remote_path: big, direction: pull-only}
YAML
  remote_before=$(tree_sums "$E2E_TMP/remote/big")
  expect_rc 2 "10: pull into a full disk fails cleanly (exit 2)" "$COLTEC_BIN" -c "$E2E_TMP/disk.yaml" --state-dir "$state" --once
  [[ $(tree_sums "$E2E_TMP/remote/big") == "$remote_before" ]] && pass "10: remote intact" || fail "10: remote changed"
  mount -o remount,size=20m "$E2E_TMP/small"
  expect_rc 0 "10: recovers when space returns" "$COLTEC_BIN" -c "$E2E_TMP/disk.yaml" --state-dir "$state" --once
  diff <(tree_sums "$E2E_TMP/remote/big") <(tree_sums "$E2E_TMP/small/big") >/dev/null && pass "10: local matches remote (30 files)" || fail "10: local differs"
else
  log "10: skipped: this process may not mount a tmpfs (needs root)"
fi

finish
