#!/usr/bin/env bash
# Drop-in use for people coming from the earlier daemon: logs on stdout by default in every
# mode (its supervisord templates tail the stdout log), --log-stderr / COLTEC_LOG_STDERR to
# move them, results staying where they are documented, and "rclone not found".
source "$(dirname "$0")/lib.sh"
unset COLTEC_LOG_STDERR  # lib.sh asks for stderr; this suite checks the default

ws="$E2E_TMP/ws"
state="$E2E_TMP/state"
spec="$E2E_TMP/spec.yaml"
mkdir -p "$ws/up" "$E2E_TMP/remote"
make_files "$ws/up" 3
local_spec "$spec" e2e-compat "$E2E_TMP/remote" \
  "{name: up, path: $ws/up, remote_path: up, direction: push-only}"
run() { "$COLTEC_BIN" -c "$spec" --state-dir "$state" "$@"; }

expect_rc 0 "--once with the default log stream" run --once
grep -q "info  sync finished action=up" "$E2E_TMP/last.out" && pass "--once logs to stdout" ||
  fail "no log line on stdout: $(head -c 300 "$E2E_TMP/last.out")"
tail -n 2 "$E2E_TMP/last.out" | matches "^up  *ok " && pass "the summary still ends stdout" ||
  fail "summary: $(tail -n 3 "$E2E_TMP/last.out")"
[[ ! -s $E2E_TMP/last.err ]] && pass "stderr stays empty" || fail "stderr: $(head -c 300 "$E2E_TMP/last.err")"

echo more >"$ws/up/more.txt"
expect_rc 0 "--once --log-stderr" run --once --log-stderr
grep -q "sync finished action=up" "$E2E_TMP/last.err" && pass "--log-stderr: the logs are on stderr" ||
  fail "--log-stderr: stderr has no log: $(head -c 300 "$E2E_TMP/last.err")"
grep -q "sync finished" "$E2E_TMP/last.out" && fail "--log-stderr: a log line on stdout" ||
  pass "--log-stderr: stdout holds only results"
grep -q "^ACTION " "$E2E_TMP/last.out" && pass "--log-stderr: the summary stays on stdout" || fail "no summary on stdout"
COLTEC_LOG_STDERR=1 expect_rc 0 "COLTEC_LOG_STDERR=1 --once" run --once
grep -q "running every action once" "$E2E_TMP/last.err" && ! grep -q "running every action" "$E2E_TMP/last.out" &&
  pass "COLTEC_LOG_STDERR=1 moves the logs to stderr" || fail "COLTEC_LOG_STDERR ignored"

# A script reading JSON from stdout still gets one JSON object per line: the plan, the
# commands, the logs and the dry run's closing line.
expect_rc 0 "--once --dry-run --log-format json" run --once --dry-run --log-format json
json_lines "$E2E_TMP/last.out" && pass "json dry run: every stdout line parses" || fail "json dry run: $(json_lines "$E2E_TMP/last.out" 2>&1)"
for key in '"plan":"up"' '"msg":"sync started"' '"dry_run":true'; do
  grep -qF "$key" "$E2E_TMP/last.out" && pass "json dry run stdout has $key" || fail "json dry run lacks $key"
done
tail -n 1 "$E2E_TMP/last.out" | matches -F '"dry_run":true' && pass "the dry run's closing line is last" ||
  fail "last line: $(tail -n 1 "$E2E_TMP/last.out")"

expect_rc 6 "status (no daemon running)" run status
grep -q "^workspace: e2e-compat" "$E2E_TMP/last.out" && pass "status prints to stdout" || fail "status output"
expect_rc 0 "--validate-only" run --validate-only
grep -q "configuration valid" "$E2E_TMP/last.out" && pass "the validation verdict is on stdout" || fail "verdict"

# Without rclone: the earlier daemon's words plus how to install it, exit 2, on the log stream.
mkdir -p "$E2E_TMP/norclone"
for tool in basename sed tail; do ln -s "$(command -v "$tool")" "$E2E_TMP/norclone/"; done  # lib.sh's
PATH="$E2E_TMP/norclone" expect_rc 2 "rclone missing" "$COLTEC_BIN" -c "$spec" --state-dir "$state" --once
grep -q "rclone not found.*apt-get install rclone" "$E2E_TMP/last.out" &&
  pass "says 'rclone not found' and how to install it" || fail "message: $(cat "$E2E_TMP/last.out" "$E2E_TMP/last.err")"

expect_rc 0 "--help" "$COLTEC_BIN" --help
for word in --log-stderr COLTEC_LOG_STDERR "held back"; do
  grep -qF -- "$word" "$E2E_TMP/last.out" && pass "--help mentions $word" || fail "--help lacks $word"
done

finish
