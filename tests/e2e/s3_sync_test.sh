#!/usr/bin/env bash
# The real binary, real rclone and a real S3 API (s3rver on 127.0.0.1): push-only, pull-only,
# bidirectional first and later runs, named remotes, a crypt remote over s3, credentials
# kept out of argv and logs, and a key rotated between two bisync runs without a resync.
source "$(dirname "$0")/lib.sh"
start_s3rver

ws="$E2E_TMP/ws"
state="$E2E_TMP/state"
spec="$E2E_TMP/spec.yaml"
mkdir -p "$ws/code" "$ws/docs" "$ws/secret" "$ws/shared"
make_files "$ws/code" 50 2000
make_files "$ws/secret" 5 500
echo "from local" >"$ws/shared/local.txt"
export S3_KEY=S3RVER S3_SECRET=Sup3rSecretValue-e2e CRYPT_PASS=CryptPassphrase-e2e-9f
cat >"$spec" <<YAML
name: e2e-s3
metadata: {org: acme, project: web, environment: dev}
devcontainer: {image: {name: debian:bookworm}}
persistence:
  enabled: true
  mode: replicated
  default_remote: s3main
  defaults: {transfers: 4, checkers: 8}
  remotes:
    s3main:
      type: s3
      bucket: testbucket
      path_prefix: workspaces
      options:
        provider: Other
        endpoint: http://127.0.0.1:$S3_PORT
        access_key_id: \${S3_KEY}
        secret_access_key: \${S3_SECRET}
    vault:
      type: crypt
      wrap_remote: s3main
      wrap_path: vault
      crypt: {password_env: CRYPT_PASS}
  sync:
    - {name: code, path: $ws/code, remote_path: "{org}/{project}/{env}/code", direction: push-only, priority: 1}
    - {name: secret, path: $ws/secret, remote_path: "{env}/secret", remote: vault, direction: push-only}
    - {name: shared, path: $ws/shared, remote_path: "{org}/shared", direction: bidirectional}
YAML
run() { "$COLTEC_BIN" -c "$spec" --state-dir "$state" "$@"; }

expect_rc 0 "--once against s3" run --once --log-level trace
cp "$E2E_TMP/last.err" "$E2E_TMP/trace.log"
n=$(rclone_s3 lsf -R --files-only t:testbucket/workspaces/acme/web/dev/code | wc -l)
[[ $n == 50 ]] && pass "push-only uploaded 50 files" || fail "bucket has $n files"
enc=$(rclone_s3 lsf -R --files-only t:testbucket/vault | sed -n 1p) # sed reads it all: no SIGPIPE
[[ -n $enc && $enc != *f0.bin* && $enc != *d0/* ]] && pass "crypt remote stores encrypted names ($enc)" || fail "crypt names: $enc"
rclone_s3 lsf t:testbucket/workspaces/acme/shared | matches local.txt && pass "bisync first run uploaded" || fail "bisync upload"
for s in "$S3_SECRET" "$CRYPT_PASS"; do
  grep -qF -- "$s" "$E2E_TMP/trace.log" "$E2E_TMP/last.out" && fail "a secret appears in trace logs" || pass "secret absent from trace-level logs"
done

# A secret never appears in any process's argv while syncs run.
mkdir -p "$ws/code/big"
head -c 30000000 /dev/urandom >"$ws/code/big/blob.bin"
daemon -c "$spec" --state-dir "$state" --interval 3600 --log-level debug
seen=0
for _ in $(seq 1 100); do
  for p in /proc/[0-9]*/cmdline; do
    tr '\0' ' ' <"$p" 2>/dev/null | matches -F -- "$S3_SECRET" && seen=1
  done
  grep -q "sync finished action=code" "$E2E_TMP/daemon.log" && break
  sleep 0.1
done
((seen == 0)) && pass "no secret in /proc/*/cmdline during a run" || fail "secret in a command line"
kill -TERM "$DAEMON_PID"
wait_rc "$DAEMON_PID" 20; [[ $WAIT_RC == 143 ]] && pass "daemon stopped with 143" || fail "daemon stop"

# pull-only from the bucket into a fresh folder, through the crypt remote.
cat >"$E2E_TMP/pull.yaml" <<YAML
name: e2e-s3-pull
metadata: {org: acme, project: web, environment: dev}
devcontainer: {image: {name: debian:bookworm}}
persistence:
  enabled: true
  mode: replicated
  remotes:
    s3main:
      type: s3
      bucket: testbucket
      path_prefix: workspaces
      options: {provider: Other, endpoint: "http://127.0.0.1:$S3_PORT", access_key_id: "\${S3_KEY}", secret_access_key: "\${S3_SECRET}"}
    vault: {type: crypt, wrap_remote: s3main, wrap_path: vault, crypt: {password_env: CRYPT_PASS}}
  sync:
    - {name: back, path: $E2E_TMP/restored, remote_path: "{env}/secret", remote: vault, direction: pull-only}
YAML
expect_rc 0 "pull-only through crypt" "$COLTEC_BIN" -c "$E2E_TMP/pull.yaml" --state-dir "$state" --once
diff <(tree_sums "$ws/secret") <(tree_sums "$E2E_TMP/restored") >/dev/null && pass "crypt round trip is byte-identical" || fail "crypt round trip differs"

# Rotate the secret between two bisync runs: no resync, nothing lost.
echo "second" >"$ws/shared/two.txt"
S3_SECRET=RotatedSecret-e2e-2 expect_rc 0 "bisync after a key rotation" run --once --only shared
grep -q "resync=true" "$E2E_TMP/last.err" && fail "rotation forced a resync" || pass "rotation kept the bisync listings"
rclone_s3 lsf t:testbucket/workspaces/acme/shared | matches two.txt && pass "later bisync run uploaded" || fail "later bisync"

# A no-op push costs few S3 requests (the planner uses --checksum --fast-list on s3).
rm -rf "$ws/code/big"
run --once --only code >/dev/null 2>&1 || true
# s3rver logs one line per request ending in "<status> <n>ms ...".
count_requests() { grep -cE ' [0-9]{3} [0-9]+ms' "$E2E_TMP/s3rver.log" || true; }
requests_before=$(count_requests)
expect_rc 0 "no-op push" run --once --only code
requests=$(($(count_requests) - requests_before))
((requests > 0 && requests < 10)) && pass "no-op push of 50 files took $requests S3 requests" ||
  fail "no-op push took $requests S3 requests"

# The delete cap never holds new work back, on S3 too. The one-file case both ways: the other
# side holds one file this side lacks (a sync would delete 1 of 1, over the 50 % cap) and
# this side has a new file: it is copied, the other file kept, exit 3 says what was held back.
mkdir -p "$E2E_TMP/held/up" "$E2E_TMP/held/down" "$E2E_TMP/held/none"
echo "new local work" >"$E2E_TMP/held/up/new.txt"
echo "only in the bucket" >"$E2E_TMP/old.txt"
rclone_s3 copyto "$E2E_TMP/old.txt" t:testbucket/held/up/old.txt
echo "new in the bucket" >"$E2E_TMP/theirs.txt"
rclone_s3 copyto "$E2E_TMP/theirs.txt" t:testbucket/held/down/theirs.txt
echo "only here" >"$E2E_TMP/held/down/mine.txt"
echo "kept" >"$E2E_TMP/held/none/keep.txt"
cat >"$E2E_TMP/held.yaml" <<YAML
name: e2e-s3-held
metadata: {org: acme, project: web}
devcontainer: {image: {name: debian:bookworm}}
persistence:
  enabled: true
  mode: replicated
  default_remote: s3main
  remotes:
    s3main:
      type: s3
      bucket: testbucket
      options: {provider: Other, endpoint: "http://127.0.0.1:$S3_PORT", access_key_id: "\${S3_KEY}", secret_access_key: "\${S3_SECRET}"}
  sync:
    - {name: up, path: $E2E_TMP/held/up, remote_path: held/up, direction: push-only}
    - {name: down, path: $E2E_TMP/held/down, remote_path: held/down, direction: pull-only}
YAML
held() { "$COLTEC_BIN" -c "$E2E_TMP/held.yaml" --state-dir "$state" "$@"; }
expect_rc 3 "s3 one-file push: deletion held back (exit 3)" held --once --only up
rclone_s3 cat t:testbucket/held/up/new.txt 2>/dev/null | matches -x "new local work" &&
  pass "s3: the new file was uploaded despite the cap" || fail "s3: new.txt not in the bucket"
rclone_s3 lsf t:testbucket/held/up | matches -x old.txt && pass "s3: the bucket's file was not deleted" ||
  fail "s3: old.txt deleted"
expect_rc 3 "s3 one-file pull: deletion held back (exit 3)" held --once --only down
cmp -s "$E2E_TMP/theirs.txt" "$E2E_TMP/held/down/theirs.txt" && pass "s3: the new bucket file was pulled" ||
  fail "s3: theirs.txt not pulled"
[[ -f $E2E_TMP/held/down/mine.txt ]] && pass "s3: the local file was kept" || fail "s3: mine.txt deleted"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["actions"][0]; assert a["held_back_files"]==["mine.txt"], a' \
  "$state/e2e-s3-held/health.json" && pass "s3: health.json names the held-back deletion" || fail "s3: health.json"

# A pull-only prefix nobody has written yet (S3 has no folders: rclone would see an empty
# source and delete every local file with rc 0): nothing deleted, exit 0, a warning.
cat >>"$E2E_TMP/held.yaml" <<YAML
    - {name: none, path: $E2E_TMP/held/none, remote_path: held/never-written, direction: pull-only}
YAML
expect_rc 0 "s3 pull from a prefix that does not exist ends without error" held --once --only none
[[ -f $E2E_TMP/held/none/keep.txt ]] && pass "s3: nothing local deleted for an empty prefix" || fail "s3: keep.txt deleted"
grep -q "the remote s3main:testbucket/held/never-written holds no files" "$E2E_TMP/last.err" &&
  pass "s3: the warning names the prefix" || fail "s3: no warning: $(tail -n 5 "$E2E_TMP/last.err")"

finish
