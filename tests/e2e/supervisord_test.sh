#!/usr/bin/env bash
# The devcontainer start path: docker/post-start.sh's decisions (disabled, no spec, no
# binary, invalid spec, no credentials, argument splitting), then a real supervisord run
# from docker/supervisord.conf (unchanged; its paths come from the environment) that syncs
# a push-only folder to the S3 API server, stops cleanly (exit 143, pending change flushed,
# no rclone left) and starts again.
source "$(dirname "$0")/lib.sh"

for tool in supervisord supervisorctl; do
  if ! command -v "$tool" >/dev/null; then
    log "SKIP: $tool is not installed (Debian package supervisor)"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
  fi
done

src=$COLTEC_SOURCE_DIR
# Our own copy of the pair, as installed: post-start.sh finds supervisord.conf beside it.
sup=$E2E_TMP/sup
mkdir -p "$sup"
cp "$src/docker/supervisord.conf" "$src/docker/post-start.sh" "$sup/"
post_start=$sup/post-start.sh
conf=$sup/supervisord.conf
# Nothing from the caller's environment may steer the script.
# COLTEC_LOG_STDERR too: here the daemon logs where it does by default, to stdout.
unset COLTEC_DISABLED COLTEC_CONFIG COLTEC_DAEMON_ARGS COLTEC_FORCE_START COLTEC_CREDENTIALS_PRESENT \
  AWS_ACCESS_KEY_ID S3_ACCESS_KEY_ID COLTEC_SUPERVISOR_CONF XDG_RUNTIME_DIR COLTEC_LOG_STDERR
while read -r name; do unset "$name"; done < <(compgen -v RCLONE_CONFIG_ || true)
export COLTEC_STATE_DIR=$E2E_TMP/state COLTEC_SUPERVISOR_DIR=$E2E_TMP/run

sup_cleanup() {
  local pid
  pid=$(cat "$COLTEC_SUPERVISOR_DIR/supervisord.pid" 2>/dev/null || true)
  if [[ -S $COLTEC_SUPERVISOR_DIR/supervisor.sock ]]; then
    timeout "$(patient 30)" supervisorctl -c "$conf" shutdown >/dev/null 2>&1 || true
  fi
  [[ ! $pid =~ ^[1-9][0-9]*$ ]] || wait_gone "$pid" 20 || kill -KILL "$pid" 2>/dev/null || true
  e2e_cleanup
}
trap sup_cleanup EXIT

# spec_file PATH: a push-only folder synced to the S3 server through a named s3 remote
# whose credentials are ${S3_KEY} / ${S3_SECRET}.
spec_file() {
  cat >"$1" <<EOF
name: sup-e2e
version: 1.0.0
metadata:
  org: e2e
  project: sup
  environment: test
devcontainer:
  image:
    name: debian:bookworm-slim
persistence:
  enabled: true
  mode: replicated
  default_remote: s3
  remotes:
    s3:
      type: s3
      bucket: testbucket
      options:
        provider: Other
        endpoint: http://127.0.0.1:${S3_PORT:-9}
        access_key_id: \${S3_KEY}
        secret_access_key: \${S3_SECRET}
  sync:
    - name: outbox
      path: $E2E_TMP/outbox
      remote_path: "{org}/{project}/outbox"
      direction: push-only
      interval: 10
EOF
}

# --- post-start.sh decisions (no supervisord involved) -----------------------------------
spec=$E2E_TMP/spec.yaml
mkdir -p "$E2E_TMP/outbox"
spec_file "$spec"
for v in true 1 YES; do
  COLTEC_DISABLED=$v COLTEC_CONFIG=$spec COLTEC_DAEMON_BIN=$COLTEC_BIN \
    expect_rc 0 "COLTEC_DISABLED=$v skips" "$post_start"
  grep -q "disabled" "$E2E_TMP/last.err" && pass "says disabled" || fail "no 'disabled' message"
done
COLTEC_CONFIG=$E2E_TMP/none.yaml COLTEC_DAEMON_BIN=$COLTEC_BIN expect_rc 0 "missing spec skips" "$post_start"
grep -q "no workspace spec" "$E2E_TMP/last.err" && pass "names the missing spec" || fail "missing-spec message"
COLTEC_CONFIG=$spec COLTEC_DAEMON_BIN=$E2E_TMP/no-such-bin expect_rc 0 "missing binary skips" "$post_start"
grep -q "not installed" "$E2E_TMP/last.err" && pass "says not installed" || fail "missing-binary message"
sed 's/interval: 10/interval: 5/' "$spec" >"$E2E_TMP/invalid.yaml"
COLTEC_CONFIG=$E2E_TMP/invalid.yaml COLTEC_DAEMON_BIN=$COLTEC_BIN S3_KEY=k S3_SECRET=s \
  expect_rc 1 "invalid spec stops with the validator's exit code" "$post_start"
grep -q "is not valid" "$E2E_TMP/last.err" && pass "says not valid" || fail "invalid-spec message"
expect_rc 2 "unknown argument" "$post_start" --bogus

# No credentials: a dry run, no supervisord, exit 0.
COLTEC_CONFIG=$spec COLTEC_DAEMON_BIN=$COLTEC_BIN expect_rc 0 "no credentials: dry run only" \
  timeout "$(patient 60)" "$post_start"
grep -q "no storage credentials" "$E2E_TMP/last.err" && pass "explains the dry run" || fail "no-credentials message"
[[ ! -e $COLTEC_SUPERVISOR_DIR/supervisor.sock ]] && pass "no supervisord started without credentials" ||
  fail "supervisord started without credentials"
S3_KEY=k COLTEC_CONFIG=$spec COLTEC_DAEMON_BIN=$COLTEC_BIN expect_rc 0 "half the \${VAR}s set: dry run" \
  timeout "$(patient 60)" "$post_start"
grep -q "no storage credentials" "$E2E_TMP/last.err" && pass "one unset \${VAR} means no credentials" ||
  fail "started with S3_SECRET unset"

# COLTEC_DAEMON_ARGS: split on whitespace, never evaluated or globbed. A stand-in binary
# records its arguments; a missing supervisord.conf selects the plain exec path.
fake=$E2E_TMP/fake-daemon
cat >"$fake" <<EOF
#!/usr/bin/env bash
[[ \$1 == --validate-only ]] && exit 0
printf '%s\n' "\$@" >"$E2E_TMP/args"
EOF
chmod +x "$fake"
touch "$E2E_TMP/glob-a" "$E2E_TMP/glob-b"
# shellcheck disable=SC2016 # the $(...) must reach the script unexpanded
hostile='--log-level  debug
--only "a b" $(touch PWNED) *'
want=$(printf '%s\n' -c "$spec" --log-level debug --only '"a' 'b"' '$(touch' 'PWNED)' '*')
cd "$E2E_TMP" || exit # a '*' that were globbed would match glob-a and glob-b here
for mode in exec --foreground; do
  rm -f "$E2E_TMP/args"
  args=()
  [[ $mode == exec ]] || args=("$mode")
  COLTEC_CONFIG=$spec COLTEC_DAEMON_BIN=$fake COLTEC_FORCE_START=1 \
    COLTEC_SUPERVISOR_CONF=$E2E_TMP/none.conf COLTEC_DAEMON_ARGS=$hostile \
    expect_rc 0 "post-start ${mode#--} with COLTEC_DAEMON_ARGS" "$post_start" "${args[@]}"
  [[ $(cat "$E2E_TMP/args" 2>/dev/null) == "$want" ]] && pass "$mode: arguments split on whitespace only" ||
    fail "$mode: daemon got: $(tr '\n' '|' <"$E2E_TMP/args" 2>/dev/null)"
  [[ ! -e $E2E_TMP/PWNED ]] && pass "$mode: \$(...) in COLTEC_DAEMON_ARGS is not run" ||
    fail "$mode: COLTEC_DAEMON_ARGS was evaluated"
done

# --- a real supervisord --------------------------------------------------------------------
start_s3rver
spec_file "$spec"
export S3_KEY=S3RVER S3_SECRET=S3RVER COLTEC_LOG_FORMAT=json
export COLTEC_CONFIG=$spec COLTEC_DAEMON_BIN=$COLTEC_BIN
ctl=(supervisorctl -c "$conf")
prefix=testbucket/e2e/sup/outbox
# in_bucket NAME: the object exists under the synced prefix.
in_bucket() { rclone_s3 lsf -R "t:$prefix" 2>/dev/null | matches -x "$1"; }
daemon_pid() { "${ctl[@]}" pid coltec-daemon 2>/dev/null; }

t0=$SECONDS
expect_rc 0 "post-start.sh starts supervisord and the program" timeout "$(patient 60)" "$post_start"
grep -q "started under supervisord" "$E2E_TMP/last.err" && pass "post-start reports RUNNING in $((SECONDS - t0)) s" ||
  fail "post-start: $(cat "$E2E_TMP/last.err")"
"${ctl[@]}" status coltec-daemon | matches RUNNING && pass "program coltec-daemon is RUNNING" ||
  fail "status: $("${ctl[@]}" status coltec-daemon)"
pid=$(daemon_pid)
[[ $(readlink "/proc/$pid/exe") == "$(readlink -f "$COLTEC_BIN")" ]] &&
  pass "supervisord's child is the daemon itself (post-start --foreground exec'd)" ||
  fail "pid $pid runs $(readlink "/proc/$pid/exe")"
tr '\0' ' ' <"/proc/$pid/cmdline" | matches S3RVER && fail "credential in the daemon's argv" ||
  pass "no credential in the daemon's argv"
expect_rc 0 "post-start.sh again: already running" timeout "$(patient 30)" "$post_start"
grep -q "already running" "$E2E_TMP/last.err" && pass "says already running" || fail "second start: $(cat "$E2E_TMP/last.err")"
[[ $(daemon_pid) == "$pid" ]] && pass "second post-start left the daemon alone" || fail "daemon restarted"

make_files "$E2E_TMP/outbox" 5
wait_for 60 in_bucket d4/f4.bin && pass "files written to the folder reach the bucket" ||
  fail "d4/f4.bin not in the bucket after 60 s: $(rclone_s3 lsf -R "t:$prefix" 2>&1 | head -5)"
# The earlier daemon's templates tail coltec-daemon.out.log: the logs are there (stdout),
# and nothing is in coltec-daemon.err.log.
log_file=$COLTEC_SUPERVISOR_DIR/coltec-daemon.out.log
err_file=$COLTEC_SUPERVISOR_DIR/coltec-daemon.err.log
head -n 1 "$log_file" | python3 -c 'import json,sys; json.loads(sys.stdin.readline())' 2>/dev/null &&
  pass "COLTEC_LOG_FORMAT=json reached the program through supervisord" || fail "log is not JSON: $(head -c 200 "$log_file")"
grep -q '"sync finished"' "$log_file" && pass "the daemon's log lines are in coltec-daemon.out.log (stdout)" ||
  fail "no 'sync finished' in $log_file"
[[ ! -s $err_file ]] && pass "coltec-daemon.err.log (stderr) stays empty" || fail "stderr got: $(head -c 300 "$err_file")"
grep -q S3RVER "$log_file" && fail "a credential appears in the daemon's log" || pass "no credential in the log"

# Another instance of the same workspace is refused with exit 4 (supervisord: expected).
expect_rc 4 "a second daemon on the same workspace exits 4 (lock held)" timeout "$(patient 30)" "$COLTEC_BIN" -c "$spec"

# A change right before the stop is flushed within the shutdown grace.
echo "last words" >"$E2E_TMP/outbox/flush.txt"
t0=$SECONDS
expect_rc 0 "supervisorctl stop" timeout "$(patient 40)" "${ctl[@]}" stop coltec-daemon
stop_s=$((SECONDS - t0))
((stop_s <= 15)) && pass "stopped in ${stop_s} s (stopwaitsecs 15)" || fail "stop took ${stop_s} s"
wait_gone "$pid" 5 && pass "daemon pid $pid is gone" || fail "daemon pid $pid still alive"
grep -q "INFO stopped: coltec-daemon (exit status 143)" "$COLTEC_SUPERVISOR_DIR/supervisord.log" &&
  pass "supervisord logged exit status 143 as expected (INFO)" ||
  fail "supervisord.log: $(grep coltec-daemon "$COLTEC_SUPERVISOR_DIR/supervisord.log" | tail -n 3)"
if in_bucket flush.txt; then
  pass "the change made just before the stop was uploaded"
else
  fail "flush.txt not uploaded on stop; the daemon's last log lines:"
  tail -n 15 "$log_file" >&2 || true
fi
[[ -f $COLTEC_STATE_DIR/sup-e2e/health.json ]] && pass "health.json exists in the state directory" ||
  fail "no $COLTEC_STATE_DIR/sup-e2e/health.json"
left=$(pgrep -f "rclone .*$E2E_TMP/outbox" || true)
[[ -z $left ]] && pass "no rclone process left after the stop" || fail "rclone left running: $left"

# Start again: the same program syncs a new file.
expect_rc 0 "supervisorctl start" timeout "$(patient 40)" "${ctl[@]}" start coltec-daemon
pid2=$(daemon_pid)
[[ -n $pid2 && $pid2 != "$pid" ]] && pass "a new daemon runs (pid $pid2)" || fail "no new daemon"
echo "second life" >"$E2E_TMP/outbox/again.txt"
wait_for 60 in_bucket again.txt && pass "the restarted daemon syncs a new file" ||
  fail "again.txt not in the bucket after 60 s"

# Read the pid before the shutdown: supervisord removes its pidfile as it exits.
sup_pid=$(cat "$COLTEC_SUPERVISOR_DIR/supervisord.pid" 2>/dev/null || true)
expect_rc 0 "supervisorctl shutdown" timeout "$(patient 40)" "${ctl[@]}" shutdown
wait_gone "$sup_pid" 20 && pass "supervisord exited" || fail "supervisord still running"
wait_gone "$pid2" 1 && pass "its daemon exited with it" || fail "daemon $pid2 outlived supervisord"
left=$(pgrep -f "rclone .*$E2E_TMP/outbox" || true)
[[ -z $left ]] && pass "no rclone process left after shutdown" || fail "rclone left running: $left"

finish
