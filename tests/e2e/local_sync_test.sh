#!/usr/bin/env bash
# The real binary with real rclone against a local-folder remote: --once --dry-run changes
# nothing, then push-only, pull-only and bidirectional (first run and later runs), excludes,
# priorities, --only, the lock, SIGTERM while idle, and the push on SIGTERM without a watcher.
source "$(dirname "$0")/lib.sh"

ws="$E2E_TMP/ws"
remote="$E2E_TMP/remote"
state="$E2E_TMP/state"
spec="$E2E_TMP/spec.yaml"
mkdir -p "$ws/push" "$ws/pull" "$ws/bidi" "$remote/t/pull" "$remote/t/bidi"
make_files "$ws/push" 20
echo junk >"$ws/push/skip.tmp"
make_files "$remote/t/pull" 5
echo local >"$ws/bidi/local.txt"
echo remote >"$remote/t/bidi/remote.txt"
local_spec "$spec" e2e-local "$remote" \
  "{name: push, path: $ws/push, remote_path: t/push, direction: push-only, priority: 2, exclude: ['*.tmp']}" \
  "{name: pull, path: $ws/pull, remote_path: t/pull, direction: pull-only, priority: 3}" \
  "{name: bidi, path: $ws/bidi, remote_path: t/bidi, direction: bidirectional, priority: 1}"
run() { "$COLTEC_BIN" -c "$spec" --state-dir "$state" "$@"; }

before=$( (tree_sums "$ws"; tree_sums "$remote") | sha256sum)
expect_rc 0 "--once --dry-run" run --once --dry-run
after=$( (tree_sums "$ws"; tree_sums "$remote") | sha256sum)
[[ $before == "$after" ]] && pass "dry run left both trees byte-for-byte unchanged" || fail "dry run changed files"
for word in NAME DIRECTION push-only pull-only bidirectional "here:$remote/t/push" "nothing was changed" "rclone sync" "two-way" "rclone lsjson"; do
  grep -qF -- "$word" "$E2E_TMP/last.out" && pass "dry run shows '$word'" || fail "dry run lacks '$word'"
done
[[ ! -e $state/e2e-local/bidi.baseline ]] && pass "dry run wrote no two-way baseline" || fail "dry run wrote state"
expect_rc 0 "--once --dry-run --log-format json" run --once --dry-run --log-format json
json_lines "$E2E_TMP/last.out" && json_lines "$E2E_TMP/last.err" && pass "json dry run: every line parses" || fail "json dry run output"

expect_rc 0 "--once syncs every action" run --once --max-parallel 1
[[ $(find "$remote/t/push" -type f | wc -l) == 20 ]] && pass "push-only copied 20 files" || fail "push count $(find "$remote/t/push" -type f | wc -l)"
[[ ! -e $remote/t/push/skip.tmp ]] && pass "excluded *.tmp not pushed" || fail "exclude ignored"
diff <(tree_sums "$remote/t/pull") <(tree_sums "$ws/pull") >/dev/null && pass "pull-only mirrored the remote" || fail "pull mismatch"
[[ -f $remote/t/bidi/local.txt && -f $ws/bidi/remote.txt ]] && pass "bidirectional first run merged both sides" || fail "two-way first run"
[[ -f $state/e2e-local/bidi.baseline ]] && pass "two-way baseline written" || fail "no two-way baseline"
order=$(grep -o 'sync started action=[a-z]*' "$E2E_TMP/last.err" | awk -F= '{print $2}' | tr '\n' ' ')
[[ $order == "bidi push pull " ]] && pass "priority order bidi, push, pull" || fail "order: $order"
grep -q "ACTION" "$E2E_TMP/last.out" && pass "--once prints a summary table" || fail "no summary"

echo changed >"$ws/bidi/local.txt"
echo new >"$remote/t/bidi/remote2.txt"
expect_rc 0 "second two-way run" run --once --only bidi
[[ $(cat "$remote/t/bidi/local.txt") == changed && -f $ws/bidi/remote2.txt ]] && pass "later two-way run syncs both ways" || fail "later two-way run"
matches -E "sync finished action=bidi .*files=2 " "$E2E_TMP/last.err" && pass "the later run sent just the two changes" || fail "later run: $(grep 'sync finished' "$E2E_TMP/last.err")"
grep -q "action=push" "$E2E_TMP/last.err" && fail "--only ran other actions" || pass "--only ran only bidi"

expect_rc 1 "--only with an unknown name" run --once --only nope
grep -q "bidi" "$E2E_TMP/last.err" && pass "unknown --only lists valid names" || fail "no valid names listed"

# The daemon holds the lock; a second instance refuses; SIGTERM while idle exits 143 fast.
daemon -c "$spec" --state-dir "$state" --interval 3600
wait_for 20 grep -q "sync finished action=pull" "$E2E_TMP/daemon.log" || fail "daemon first pass"
expect_rc 4 "second instance refuses (lock held)" run --once
expect_rc 0 "status with a running, healthy daemon" run status
grep -q "running (pid $DAEMON_PID)" "$E2E_TMP/last.out" && pass "status names the daemon pid" || fail "status: $(cat "$E2E_TMP/last.out")"
t0=$(date +%s%N)
kill -TERM "$DAEMON_PID"
wait_rc "$DAEMON_PID" 10; rc=$WAIT_RC
ms=$((($(date +%s%N) - t0) / 1000000))
[[ $rc == 143 ]] && pass "SIGTERM exits 143 (${ms} ms when idle)" || fail "SIGTERM rc=$rc"
expect_rc 6 "status when no daemon runs is unhealthy" run status

# Without a watcher nobody knows what changed since the last interval run: on SIGTERM a
# push-only action pushes once more, so an edit made just before the stop survives it.
daemon -c "$spec" --state-dir "$state" --interval 3600 --no-watch --only push
wait_for 20 grep -q "sync finished action=push" "$E2E_TMP/daemon.log" || fail "--no-watch first pass"
echo "typed before the stop" >"$ws/push/unwatched.txt"
kill -TERM "$DAEMON_PID"
wait_rc "$DAEMON_PID" 15
[[ $WAIT_RC == 143 ]] && pass "--no-watch daemon: SIGTERM exits 143" || fail "--no-watch SIGTERM rc=$WAIT_RC"
[[ -f $remote/t/push/unwatched.txt ]] && pass "--no-watch: the edit before SIGTERM was pushed on the way out" ||
  fail "--no-watch: unwatched.txt lost: $(tail -n 5 "$E2E_TMP/daemon.log")"

# A later push that changes a few files of many: the pre-check names them and only those
# are uploaded (no second listing); what was replaced on the remote goes to the trash.
mkdir -p "$ws/many"
make_files "$ws/many" 100
local_spec "$E2E_TMP/many.yaml" e2e-many "$remote" "{name: many, path: $ws/many, remote_path: t/many, direction: push-only}"
expect_rc 0 "first push of 100 files" "$COLTEC_BIN" -c "$E2E_TMP/many.yaml" --state-dir "$state" --once
echo "changed" >>"$(find "$ws/many" -type f | sort | head -n 1)"
mkdir -p "$ws/many/new dir"
echo "new" >"$ws/many/new dir/added file.txt"
expect_rc 0 "second push, 2 files changed" "$COLTEC_BIN" -c "$E2E_TMP/many.yaml" --state-dir "$state" --once --log-level debug
grep -q 'step="upload what the pre-check found"' "$E2E_TMP/last.err" &&
  pass "only the pre-check's files were uploaded" || fail "no upload by name: $(grep -c 'running rclone' "$E2E_TMP/last.err") rclone runs"
grep -q 'step=sync ' "$E2E_TMP/last.err" && fail "the whole sync ran as well" || pass "no second full sync"
diff <(tree_sums "$ws/many") <(tree_sums "$remote/t/many") >/dev/null &&
  pass "the remote matches the local tree" || fail "remote differs after the upload by name"
[[ -n $(find "$remote/t/.coltec-trash/many" -type f 2>/dev/null) ]] &&
  pass "the replaced remote file is in the trash" || fail "no trash copy of the replaced file"

# rclone's version is asked once and cached under the binary's identity (path, inode, size,
# mtime, ctime, as ccache checks a compiler); a changed binary is asked again. A wrapper
# first in PATH counts the `rclone version` calls.
wrapper="$E2E_TMP/bin/rclone"
mkdir -p "$E2E_TMP/bin"
printf '#!/bin/sh\n[ "$1" = version ] && echo probe >>"%s"\nexec %s "$@"\n' \
  "$E2E_TMP/probes" "$(command -v rclone)" >"$wrapper"
chmod +x "$wrapper"
probes() { if [[ -f $E2E_TMP/probes ]]; then wc -l <"$E2E_TMP/probes"; else echo 0; fi; }
with_wrapper() { PATH="$E2E_TMP/bin:$PATH" "$@"; }
for i in 1 2; do expect_rc 0 "--once --dry-run with the wrapper ($i)" with_wrapper run --once --dry-run; done
[[ $(probes) == 1 ]] && pass "rclone's version was asked once for two runs" || fail "version asked $(probes) times"
touch -d "2001-01-01" "$wrapper"
expect_rc 0 "--once --dry-run after rclone changed" with_wrapper run --once --dry-run
[[ $(probes) == 2 ]] && pass "a changed rclone is asked again" || fail "version asked $(probes) times"

finish
