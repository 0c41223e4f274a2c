#!/usr/bin/env bash
# Bidirectional paths on a real S3 API (s3rver on 127.0.0.1) and through crypt: what a no-op
# run and an idle interval cost in requests, every kind of remote change arriving (a
# same-size rewrite that keeps the mtime included), the upgrade from rclone bisync's
# listings (nothing copied again, no conflict copies), conflicts reported in status and
# health.json, an S3 outage during a run (no edit reverted), SIGKILL during a fresh
# container's first run (no truncated file, no conflict copy), names with line breaks, and a
# SIGKILL at each step of a later run (nothing lost, reverted or resurrected).
# s3rver writes objects in place (a killed PUT can leave half an object); real S3 and R2 do
# not. Checks 6 and 7 cut downloads only; check 9 also cuts uploads and compares the whole
# bytes after the next run has sent them again.
source "$(dirname "$0")/lib.sh"
start_s3rver

ws="$E2E_TMP/ws"
state="$E2E_TMP/state"
spec="$E2E_TMP/spec.yaml"
mkdir -p "$ws/code" "$ws/vault" "$ws/names" "$E2E_TMP/remote"
export S3_KEY=S3RVER S3_SECRET=Sup3rSecretValue-twoway CRYPT_PASS=CryptPassphrase-twoway-7
write_spec() {
  cat >"$spec" <<YAML
name: e2e-twoway
metadata: {org: acme, project: web}
devcontainer: {image: {name: debian:bookworm}}
persistence:
  enabled: true
  mode: replicated
  default_remote: s3
  remotes:
    s3:
      type: s3
      bucket: testbucket
      path_prefix: ws
      options: {provider: Other, endpoint: "http://127.0.0.1:$S3_PORT", access_key_id: "\${S3_KEY}", secret_access_key: "\${S3_SECRET}"}
    here: {type: local, path_prefix: $E2E_TMP/remote}
    vault:
      type: crypt
      wrap_remote: s3
      wrap_path: vault
      crypt: {password_env: CRYPT_PASS}
  sync:
    - {name: code, path: $ws/code, remote_path: code, direction: bidirectional, interval: 10, bwlimit: 8M}
    - {name: names, path: $ws/names, remote: here, remote_path: names, direction: bidirectional, interval: 10}
    - {name: vault, path: $ws/vault, remote: vault, remote_path: v, direction: bidirectional, interval: 10}
YAML
}
write_spec
run() { "$COLTEC_BIN" -c "$spec" --state-dir "$state" "$@" >"$E2E_TMP/last.log" 2>&1; }
last_finished() { grep "sync finished action=$1" "$E2E_TMP/last.log" | tail -1; }
requests() { python3 "$COLTEC_SOURCE_DIR/tests/bench/benchlib.py" s3count "$E2E_TMP/s3rver.log"; }
remote_of() { rclone_s3 cat "t:testbucket/ws/code/$1" 2>/dev/null; }
# remote_is PATH CONTENT: for wait_for, which needs a command it can run again.
remote_is() { [[ $(remote_of "$1") == "$2" ]]; }

# 1. First run, then a no-op run: ceil(files / 1000) + 3 requests at most.
make_files "$ws/code" 120 300
echo secret-notes >"$ws/vault/notes.txt"
run --once && pass "first run" || fail "first run: $(tail -5 "$E2E_TMP/last.log")"
[[ $(rclone_s3 lsf -R --files-only t:testbucket/ws/code --exclude '/.coltec-sync/**' | wc -l) == 120 ]] &&
  pass "120 files uploaded" || fail "upload count"
before=$(requests)
run --once --only code && pass "no-op run" || fail "no-op run"
cost=$(($(requests) - before))
((cost <= 4)) && pass "a no-op run of 120 files cost $cost requests (at most 4)" || fail "no-op cost $cost requests"
matches -E "files=0 bytes=0 deletes=0" <(last_finished code) && pass "no-op run transferred nothing" || fail "$(last_finished code)"

# 2. Every kind of remote change arrives: same-size in-place edit, new, deleted, and a
#    rewrite keeping size and mtime (as another container's rclone copy would).
f0=d0/f0.bin f1=d1/f1.bin f2=d2/f2.bin
head -c 300 /dev/urandom >"$E2E_TMP/same-size"
rclone_s3 copyto "$E2E_TMP/same-size" "t:testbucket/ws/code/$f0"
echo brand-new | rclone_s3 rcat t:testbucket/ws/code/new-remote.txt
rclone_s3 deletefile "t:testbucket/ws/code/$f1"
head -c 300 /dev/urandom >"$E2E_TMP/kept-mtime"
touch -r "$ws/code/$f2" "$E2E_TMP/kept-mtime"
rclone_s3 copyto --ignore-times "$E2E_TMP/kept-mtime" "t:testbucket/ws/code/$f2" # keeps the mtime
echo local-edit >"$ws/code/d3/f3.bin"
run --once --only code && pass "run with changes on both sides" || fail "changes run"
cmp -s "$ws/code/$f0" "$E2E_TMP/same-size" && pass "same-size remote edit arrived" || fail "same-size edit missed"
[[ $(cat "$ws/code/new-remote.txt" 2>/dev/null) == brand-new ]] && pass "new remote file arrived" || fail "new remote file"
[[ ! -e $ws/code/$f1 ]] && pass "remote deletion arrived" || fail "remote deletion missed"
cmp -s "$ws/code/$f2" "$E2E_TMP/kept-mtime" && pass "same-size same-mtime rewrite arrived" || fail "rewrite with kept mtime missed"
[[ $(remote_of d3/f3.bin) == local-edit ]] && pass "local edit uploaded" || fail "local edit"
compgen -G "$state/e2e-twoway/restore-backup/code/*/$f1" >/dev/null && pass "the locally deleted file is in the restore backup" || fail "no backup of $f1"

# 3. Crypt over S3: both ways.
run --once --only vault && pass "vault run" || fail "vault run"
echo more >"$ws/vault/more.txt"
run --once --only vault && pass "vault upload" || fail "vault upload"
enc=$(rclone_s3 lsf -R --files-only t:testbucket/vault --exclude '/.coltec-sync/**' | wc -l)
((enc >= 2)) && pass "crypt holds the files (encrypted names)" || fail "crypt remote has $enc files"
rclone_s3 lsf -R t:testbucket/vault | matches notes && fail "a plain name on the crypt remote" || pass "names are encrypted"

# 4. A conflict: both sides change one file differently; both versions survive, and the
#    daemon says so in the log, health.json and status (which may stay healthy).
echo "local version" >"$ws/code/d4/f4.bin"
echo "remote version, newer" | rclone_s3 rcat t:testbucket/ws/code/d4/f4.bin
run --once --only code && pass "conflict run" || fail "conflict run"
copy=$(ls "$ws/code/d4" | grep '^f4.conflict-' || true)
[[ -n $copy ]] && pass "conflict copy $copy" || fail "no conflict copy: $(ls "$ws/code/d4")"
[[ $(cat "$ws/code/d4/f4.bin") == "remote version, newer" ]] && pass "the newer version keeps the name" || fail "winner"
[[ -n $copy && $(cat "$ws/code/d4/$copy") == "local version" ]] && pass "the other version is the copy" || fail "loser"
[[ -n $copy && $(remote_of "d4/$copy") == "local version" ]] && pass "the copy is on the remote too" || fail "copy not uploaded"
matches "conflict" "$E2E_TMP/last.log" && pass "the conflict is logged" || fail "no conflict log line"
matches "$copy" "$state/e2e-twoway/health.json" && pass "health.json lists the conflict" || fail "health.json"
"$COLTEC_BIN" -c "$spec" --state-dir "$state" status >"$E2E_TMP/status.out" 2>&1 || true
matches "conflict" "$E2E_TMP/status.out" && pass "status shows the conflict" || fail "status: $(cat "$E2E_TMP/status.out")"
rm "$ws/code/d4/$copy"
run --once --only code && pass "run after resolving" || fail "resolve run"
rclone_s3 lsf -R t:testbucket/ws/code | matches conflict && fail "conflict copy still on the remote" || pass "resolved on both sides"

# 5. The upgrade from rclone bisync: listings left by the earlier daemon are the baseline;
#    the first run copies nothing and makes no conflict copy.
up="$E2E_TMP/up"
mkdir -p "$up"
make_files "$up" 40 200
cat >"$E2E_TMP/bisync.conf" <<CONF
[s3]
type = s3
provider = Other
endpoint = http://127.0.0.1:$S3_PORT
access_key_id = S3RVER
secret_access_key = x
CONF
mkdir -p "$state/e2e-twoway/bisync"
rclone --config "$E2E_TMP/bisync.conf" bisync "$up" s3:testbucket/ws/up --resync \
  --workdir "$state/e2e-twoway/bisync" >"$E2E_TMP/bisync.log" 2>&1 && pass "rclone bisync --resync (the earlier daemon)" || fail "bisync: $(tail -3 "$E2E_TMP/bisync.log")"
echo edited-after-upgrade >"$up/d0/f0.bin"
cat >>"$spec" <<YAML
    - {name: up, path: $up, remote_path: up, direction: bidirectional, interval: 10}
YAML
run --once --only up && pass "first run after the upgrade" || fail "upgrade run: $(tail -5 "$E2E_TMP/last.log")"
matches "upgrading from rclone bisync" "$E2E_TMP/last.log" && pass "the bisync listings were used" || fail "no import"
matches -E "files=1 " <(last_finished up) && pass "only the one edit was sent" || fail "$(last_finished up)"
rclone_s3 lsf -R t:testbucket/ws/up | matches conflict && fail "the upgrade made conflict copies" || pass "no conflict copies"
write_spec

# 6. The S3 server goes away while a run downloads and comes back: edits made before and
#    during the outage are all there afterwards, on both sides, and none is reverted. (The
#    outage hits a download: s3rver keeps half an object when an upload is cut, which real
#    S3 does not, and that is not what this checks.)
daemon -c "$spec" --state-dir "$state" --only code --log-level debug --reconcile-every 10
wait_for 60 matches "sync finished action=code" "$E2E_TMP/daemon.log" || fail "daemon start"
echo before-outage >"$ws/code/outage1.txt"
wait_for 60 remote_is outage1.txt before-outage || fail "pre-outage edit not uploaded: $(tail -20 "$E2E_TMP/daemon.log")"
head -c 30000000 /dev/urandom | rclone_s3 rcat t:testbucket/ws/code/big.bin
wait_for 90 matches "step=\"fetch remote versions\"" "$E2E_TMP/daemon.log" || fail "no download started"
stop_s3rver
echo during-outage >"$ws/code/outage2.txt"
echo edited-during-outage >"$ws/code/d5/f5.bin"
start_s3rver "$S3_PORT"
wait_for 240 remote_is outage2.txt during-outage && pass "edit made during the outage reached the remote" || fail "outage edit not uploaded"
wait_for 120 remote_is d5/f5.bin edited-during-outage || fail "edit during outage"
[[ $(cat "$ws/code/outage2.txt") == during-outage && $(cat "$ws/code/d5/f5.bin") == edited-during-outage ]] &&
  pass "no local edit was reverted" || fail "local edits reverted"
[[ $(remote_of outage1.txt) == before-outage && $(cat "$ws/code/outage1.txt") == before-outage ]] &&
  pass "the edit made before the outage is on both sides" || fail "pre-outage edit"
wait_for 120 test -s "$ws/code/big.bin" || fail "big.bin never arrived"
[[ $(sha256sum <"$ws/code/big.bin") == $(rclone_s3 cat t:testbucket/ws/code/big.bin | sha256sum) ]] &&
  pass "the interrupted download completed" || fail "big.bin differs"
kill -TERM "$DAEMON_PID"; wait_rc "$DAEMON_PID" 30
ls "$ws/code" | matches conflict && fail "the outage made conflict copies: $(ls "$ws/code" | grep conflict)" || pass "no conflict copies after the outage"

# 7. SIGKILL during a fresh container's first run: no truncated file under a real name, and
#    the next run finishes without conflict copies.
fresh="$E2E_TMP/fresh"
rm -rf "$state/e2e-twoway/code.baseline"
mkdir -p "$fresh"
sed -i "s|path: $ws/code,|path: $fresh,|" "$spec"
daemon -c "$spec" --state-dir "$state" --only code --log-level debug
wait_for 60 matches "fetch remote versions" "$E2E_TMP/daemon.log" || fail "no fetch started"
kill -KILL "$DAEMON_PID"
wait_gone "$DAEMON_PID" 10 || true
bad=0
for f in $(cd "$fresh" && find . -path ./.coltec-sync -prune -o -type f -print); do
  [[ $(sha256sum <"$fresh/$f") == $(rclone_s3 cat "t:testbucket/ws/code/${f#./}" | sha256sum) ]] || bad=$((bad + 1))
done
((bad == 0)) && pass "no truncated file after SIGKILL" || fail "$bad files differ from the remote"
run --once --only code && pass "the run after SIGKILL" || fail "after SIGKILL: $(tail -5 "$E2E_TMP/last.log")"
diff <(tree_sums "$fresh" | grep -v coltec-sync) <(tree_sums "$ws/code" | grep -v coltec-sync) >/dev/null &&
  pass "the fresh folder holds the workspace" || fail "fresh folder differs"
ls -R "$fresh" | matches conflict && fail "conflict copies after SIGKILL" || pass "no conflict copies after SIGKILL"
write_spec

# 8. Names with a line break or a carriage return go through every path (a local-folder
#    remote: s3rver's XML listing turns a CR in a key into a line feed, real S3 does not).
nl=$'line\nbreak.txt' cr=$'ends-in-cr\r'
echo one >"$ws/names/$nl"
echo two >"$ws/names/$cr"
run --once --only names && pass "run with odd names" || fail "odd names run: $(tail -3 "$E2E_TMP/last.log")"
[[ -f $E2E_TMP/remote/names/$nl && -f $E2E_TMP/remote/names/$cr ]] && pass "both odd names are on the remote" || fail "odd names: $(ls -b "$E2E_TMP/remote/names")"
echo three >"$E2E_TMP/remote/names/$cr"
run --once --only names && pass "odd names back" || fail "odd names back"
[[ $(cat "$ws/names/$cr") == three ]] && pass "a remote edit of a CR name arrives" || fail "CR name edit"

# 9. SIGKILL at each step of a later run (upload, download, remote delete, check, generation):
#    the next run finds every edit from both sides made before the kill, a deleted file stays
#    deleted, nothing becomes a conflict copy and the run after it reports success. The big
#    files make each transfer last seconds (bwlimit 8M), so the kill lands inside the step.
#    (s3rver keeps half an object, without its metadata, when an upload is cut, and lists
#    it; after the kill the test drops it, as real S3 and R2 keep nothing of a cut PUT:
#    lib.sh's drop_torn_objects. Else the half object, "created on the remote" beside the
#    new local file, became a conflict with it.)
# logfmt quotes a value only when it has a space.
step_started() { matches -E "step=(\"$1\"|$1( |$))" "$E2E_TMP/daemon.log"; }
step_or_exit() { step_started "$1" || ! kill -0 "$DAEMON_PID"; }
# (rclone cat of a missing object prints nothing and succeeds.)
remote_has() { [[ -n $(rclone_s3 lsf "t:testbucket/ws/code/$1" 2>/dev/null || true) ]]; }
for point in "list both sides" upload "fetch remote versions" "delete on the remote" "look at the uploaded files" "write the generation"; do
  k=${point// /-}
  head -c 12000000 /dev/urandom >"$ws/code/up-$k.bin"
  echo "local edit before the kill at $point" >"$ws/code/d6/f6.bin"
  head -c 12000000 /dev/urandom >"$E2E_TMP/down-$k.bin"
  rclone_s3 copyto "$E2E_TMP/down-$k.bin" "t:testbucket/ws/code/down-$k.bin"
  echo "remote edit before the kill at $point" | rclone_s3 rcat t:testbucket/ws/code/d7/f7.bin
  victim=$(cd "$ws/code" && find . -path ./.coltec-sync -prune -o -name 'f*.bin' -print | grep -v -e d6/ -e d7/ | sort | head -1)
  rm "$ws/code/$victim"
  daemon -c "$spec" --state-dir "$state" --only code --once --log-level debug
  wait_for 120 step_or_exit "$point" || true
  step_started "$point" || fail "step '$point' never started: $(tail -5 "$E2E_TMP/daemon.log")"
  kill -KILL "$DAEMON_PID"
  wait_gone "$DAEMON_PID" 10 || true
  # The server stops first, so that nothing is being written while the store is looked at.
  stop_s3rver
  drop_torn_objects >/dev/null
  start_s3rver "$S3_PORT" || fail "s3rver did not come back"
  run --once --only code && pass "the run after a SIGKILL at '$point'" || fail "after the kill at '$point': $(tail -5 "$E2E_TMP/last.log")"
  [[ $(cat "$ws/code/d6/f6.bin") == "local edit before the kill at $point" && $(remote_of d6/f6.bin) == "local edit before the kill at $point" ]] &&
    pass "kill at '$point': the local edit is on both sides" || fail "kill at '$point': local edit lost or reverted"
  [[ $(cat "$ws/code/d7/f7.bin") == "remote edit before the kill at $point" ]] &&
    pass "kill at '$point': the remote edit arrived" || fail "kill at '$point': remote edit missing"
  [[ $(sha256sum <"$ws/code/up-$k.bin") == $(remote_of "up-$k.bin" | sha256sum) ]] || fail "kill at '$point': the upload differs"
  cmp -s "$ws/code/down-$k.bin" "$E2E_TMP/down-$k.bin" || fail "kill at '$point': the download differs"
  [[ ! -e $ws/code/$victim ]] && ! remote_has "${victim#./}" &&
    pass "kill at '$point': the deleted file stays deleted" || fail "kill at '$point': $victim came back"
  find "$ws/code" -path "$ws/code/.coltec-sync" -prune -o -name '*conflict*' -print | matches . &&
    fail "kill at '$point' made conflict copies" || pass "kill at '$point': no conflict copies"
  rm -f "$ws/code/up-$k.bin" "$ws/code/down-$k.bin"
  run --once --only code || fail "clean-up run after '$point': $(tail -5 "$E2E_TMP/last.log")"
done

finish
