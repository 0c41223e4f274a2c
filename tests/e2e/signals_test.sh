#!/usr/bin/env bash
# Signals against real rclone runs on a local-folder remote: SIGTERM during a long push
# (exit 143, no rclone left, the next run completes), SIGKILL of the daemon (its rclone dies
# with it), SIGTERM while a two-way run pulls a 20 MB file (the download is staged, so no
# truncated file ever sits under the real name, and the next run finishes it without a
# conflict copy), SIGHUP with a broken spec (old spec kept), SIGUSR1 (run now), and a SIGHUP
# that applies a new spec whole: safety values, a new crypt remote and its secret, watch
# roots added, removed and moved, changed excludes; or keeps the old one whole and says why.
source "$(dirname "$0")/lib.sh"

ws="$E2E_TMP/ws"
remote="$E2E_TMP/remote"
state="$E2E_TMP/state"
spec="$E2E_TMP/spec.yaml"
mkdir -p "$ws/push" "$ws/bidi" "$remote/bidi"
head -c 20000000 /dev/urandom >"$ws/push/big.bin"
write_spec() {
  local_spec "$spec" e2e-signals "$remote" \
    "{name: push, path: $ws/push, remote_path: push, direction: push-only, bwlimit: 4M}" \
    "{name: bidi, path: $ws/bidi, remote_path: bidi, direction: bidirectional, bwlimit: 4M}"
}
write_spec
run() { "$COLTEC_BIN" -c "$spec" --state-dir "$state" "$@"; }

# 1. SIGTERM during a long push.
daemon -c "$spec" --state-dir "$state" --only push --shutdown-grace 1
wait_for 20 has_rclone_child "$DAEMON_PID" sync || fail "no rclone sync started"
sleep 1
kill -TERM "$DAEMON_PID"
wait_rc "$DAEMON_PID" 15; rc=$WAIT_RC
[[ $rc == 143 ]] && pass "SIGTERM mid-transfer exits 143" || fail "rc=$rc"
[[ -z $(pgrep -f "^rclone .*$ws/push") ]] && pass "no rclone left after SIGTERM" || fail "rclone survived"
expect_rc 0 "next run completes the push" run --once --only push
cmp -s "$ws/push/big.bin" "$remote/push/big.bin" && pass "remote copy is complete" || fail "remote copy differs"

# 2. SIGKILL of the daemon: its rclone must not outlive it (parent-death signal).
head -c 20000000 /dev/urandom >"$ws/push/big2.bin"
daemon -c "$spec" --state-dir "$state" --only push
# Kill it mid-transfer: wait for the real sync, not the pre-check before it.
wait_for 20 has_rclone_child "$DAEMON_PID" sync || fail "no rclone sync started"
children=$(rclone_pids_under "$DAEMON_PID" sync)
[[ -n $children ]] || fail "no rclone sync to watch"
kill -KILL "$DAEMON_PID"
gone=1
for p in $children; do wait_gone "$p" 5 || gone=0; done
((gone)) && pass "rclone died with the SIGKILLed daemon" || fail "rclone outlived the daemon"
expect_rc 0 "restart after SIGKILL completes (no stale lock)" run --once --only push
cmp -s "$ws/push/big2.bin" "$remote/push/big2.bin" && pass "push completed after restart" || fail "push incomplete"

# 3. SIGTERM while a two-way run pulls a 20 MB file: no truncated copy may ever win.
echo seed >"$ws/bidi/seed.txt"
expect_rc 0 "two-way first run" run --once --only bidi
head -c 20000000 /dev/urandom >"$remote/bidi/pulled.bin"
good=$(sha256sum <"$remote/bidi/pulled.bin")
daemon -c "$spec" --state-dir "$state" --only bidi --shutdown-grace 0.5
staged() {
  local f
  for f in "$ws"/bidi/.coltec-sync/staging-*/pulled.bin; do [[ -s $f ]] && return 0; done
  return 1
}
wait_for 30 staged || fail "pull did not start"
[[ ! -e $ws/bidi/pulled.bin ]] && pass "the download in progress is not under the real name" || fail "a partial file is in place"
kill -TERM "$DAEMON_PID"
wait_rc "$DAEMON_PID" 15; rc=$WAIT_RC
[[ $rc == 143 ]] && pass "SIGTERM during a two-way run exits 143" || fail "rc=$rc: $(tail -5 "$E2E_TMP/daemon.log")"
[[ -z $(pgrep -f "^rclone .*$ws/bidi") ]] && pass "no rclone left" || fail "rclone survived"
[[ ! -e $ws/bidi/pulled.bin ]] || [[ $(sha256sum <"$ws/bidi/pulled.bin") == "$good" ]] &&
  pass "no truncated file after the stop" || fail "a truncated pulled.bin is in place"
for i in 1 2; do expect_rc 0 "two-way run $i after the interruption" run --once --only bidi; done
[[ $(sha256sum <"$ws/bidi/pulled.bin") == "$good" ]] && pass "the complete file arrived" || fail "pulled.bin differs"
[[ $(sha256sum <"$remote/bidi/pulled.bin") == "$good" ]] && pass "the remote copy is untouched" || fail "remote copy changed"
ls -A "$ws/bidi" "$remote/bidi" | matches conflict && fail "a conflict copy appeared: $(ls "$ws/bidi")" || pass "no conflict copy"
compgen -G "$ws/bidi/.coltec-sync/staging-*" >/dev/null && fail "staging left behind" || pass "staging cleaned up"

# 4. SIGHUP with a broken spec keeps the old one; SIGUSR1 runs every action now.
daemon -c "$spec" --state-dir "$state" --interval 3600
wait_for 30 grep -q "sync finished action=bidi" "$E2E_TMP/daemon.log" || fail "daemon first pass"
cp "$spec" "$spec.good"
echo "persistence: [broken" >"$spec"
kill -HUP "$DAEMON_PID"
wait_for 10 grep -q "keeping the old one" "$E2E_TMP/daemon.log" && pass "bad reload keeps the old spec" || fail "no reload message"
cp "$spec.good" "$spec"
before=$(grep -c "sync started" "$E2E_TMP/daemon.log")
kill -USR1 "$DAEMON_PID"
wait_for 20 count_at_least $((before + 2)) "sync finished" "$E2E_TMP/daemon.log" && pass "SIGUSR1 ran every action" || fail "SIGUSR1"
kill -INT "$DAEMON_PID"
wait_rc "$DAEMON_PID" 15; rc=$WAIT_RC
[[ $rc == 130 ]] && pass "SIGINT exits 130" || fail "SIGINT rc=$rc"

# 5. SIGHUP applies the whole new spec. v1 -> v2: `keep` changes its excludes, `gone` is
# removed, `moved` syncs another folder under the same name, `added` and `secret` (through a
# new crypt remote, obscured on the loop) are new, and the delete cap drops from 100 % to 10 %.
rws="$E2E_TMP/rws"
rremote="$E2E_TMP/rremote"
rspec="$E2E_TMP/reload.yaml"
rlog="$E2E_TMP/reload.log"
mkdir -p "$rws"/{keep,gone,old,new,added,secret} "$rremote"
make_files "$rws/keep" 10
for d in gone old new added secret; do echo "$d" >"$rws/$d/seed.txt"; done
export RELOAD_PW="zz-reload-crypt-password-91f3"
reload_spec() { # $1 workspace name, $2 version
  local keep_ex="['*.tmp']" cap=100 entries
  entries="    - {name: keep, path: $rws/keep, remote_path: keep, direction: push-only, interval: 3600, exclude: KEEP_EX}
"
  if [[ $2 == v1 ]]; then
    entries+="    - {name: gone, path: $rws/gone, remote_path: gone, direction: push-only, interval: 3600}
    - {name: moved, path: $rws/old, remote_path: old, direction: push-only, interval: 3600}
"
  else
    keep_ex="['*.log']" cap=10
    entries+="    - {name: moved, path: $rws/new, remote_path: new, direction: push-only, interval: 3600}
    - {name: added, path: $rws/added, remote_path: added, direction: push-only, interval: 3600}
    - {name: secret, path: $rws/secret, remote_path: secret, remote: vault, direction: push-only, interval: 3600}
"
  fi
  cat >"$rspec" <<YAML
name: $1
metadata: {org: o, project: p}
devcontainer: {image: {name: debian:bookworm}}
persistence:
  enabled: true
  mode: replicated
  default_remote: here
  safety: {max_delete_percent: $cap}
  remotes:
    here: {type: local, path_prefix: $rremote}
    vault: {type: crypt, wrap_remote: here, wrap_path: vault, crypt: {password_env: RELOAD_PW}}
  sync:
${entries//KEEP_EX/$keep_ex}
YAML
}
started() { grep -c "sync started action=$1 " "$rlog" || true; }
reload_spec e2e-reload v1
# A crypt remote over a local one lives at its wrap_path below the local remote's path_prefix,
# never relative to the daemon's working directory: run it inside $rcwd to show nothing lands
# there.
rcwd="$E2E_TMP/rcwd"
mkdir -p "$rcwd"
(cd "$rcwd" && exec "$COLTEC_BIN" -c "$rspec" --state-dir "$E2E_TMP/rstate" --debounce-ms 100 \
  --max-delay-ms 1000 --log-level debug --metrics-file "$E2E_TMP/reload.prom" >"$rlog" 2>&1) &
rpid=$!
E2E_PIDS+=("$rpid")
wait_for 30 count_at_least 3 "sync finished" "$rlog" || fail "v1 first pass"
reload_spec e2e-reload v2
kill -HUP "$rpid"
wait_for 20 grep -q "SIGHUP: spec reloaded" "$rlog" && pass "the new spec was applied" || fail "no reload: $(tail -5 "$rlog")"
wait_for 20 test -f "$rremote/added/seed.txt" && pass "a new action syncs at once" || fail "new action never synced"
wait_for 20 grep -q "sync finished action=secret .*result=ok" "$rlog" && pass "a new crypt remote works after the reload" || fail "crypt action failed: $(grep 'action=secret' "$rlog" | tail -3)"
enc=$(find "$rremote/vault" -type f 2>/dev/null || true)
[[ -n $enc && $enc != *seed* && $enc != */secret/* ]] && pass "the crypt remote stores encrypted names" || fail "crypt names: $enc"
[[ ! -e $rcwd/vault ]] && pass "nothing was written relative to the working directory" || fail "crypt data in the working directory: $(ls "$rcwd")"
matches -F "$RELOAD_PW" "$rlog" && fail "the crypt password reached the log" || pass "the new secret never reached the log"
echo new >"$rws/added/later.txt"
wait_for 10 test -f "$rremote/added/later.txt" && pass "a new root is watched" || fail "new root not watched"
echo moved >"$rws/new/n.txt"
wait_for 10 test -f "$rremote/new/n.txt" && pass "a moved root is watched at its new path" || fail "moved root not watched"
echo tmp >"$rws/keep/b.tmp"
wait_for 10 test -f "$rremote/keep/b.tmp" && pass "an exclude dropped by the reload no longer applies" || fail "old exclude still applies"
# No sleep decides the next three checks. The actions are quiet first (every run finished
# and in the metrics file). Then the writes below: inotify reports them in order, so the
# scheduler has seen the first three before the sentinel's change starts `added`'s next run.
# The metrics file written after that run therefore shows any run or pending change that
# the first three caused.
prom_value() { sed -n "s/^$1{action=\"$2\"} \([0-9]*\)\$/\1/p" "$E2E_TMP/reload.prom"; }
finished() { grep -c "sync finished action=$1 " "$rlog" || true; }
quiet() { # $1 action: no run in flight, none pending, every finished run in the metrics
  local done_runs
  done_runs=$(finished "$1")
  [[ $(started "$1") == "$done_runs" && $(prom_value coltec_run_duration_seconds_count "$1") == "$done_runs" &&
    $(prom_value coltec_pending_changes "$1") == 0 ]]
}
wait_for 20 eval 'quiet added && quiet keep && quiet moved' || fail "the actions never settled"
added_runs=$(prom_value coltec_run_duration_seconds_count added)
before_moved=$(started moved) before_gone=$(started gone) before_keep=$(started keep)
echo old >"$rws/old/o.txt"
echo gone >"$rws/gone/g.txt"
echo log >"$rws/keep/a.log"
echo sentinel >"$rws/added/sentinel.txt"
added_ran() { (($(prom_value coltec_run_duration_seconds_count added) > added_runs)); }
wait_for 20 added_ran || fail "sentinel not synced"
[[ -e $rremote/added/sentinel.txt ]] || fail "the sentinel run did not copy it"
pending() { [[ $(prom_value coltec_pending_changes "$1") == 1 ]]; }
[[ $(started moved) == "$before_moved" ]] && ! pending moved && [[ ! -e $rremote/old/o.txt ]] && pass "the old path of a moved root is not watched" || fail "old path still watched"
[[ $(started gone) == "$before_gone" ]] && pass "a removed root is not watched" || fail "removed root still watched"
[[ $(started keep) == "$before_keep" ]] && ! pending keep && pass "an exclude added by the reload applies" || fail "new exclude ignored"
watches=$(sed -n 's/.*SIGHUP: spec reloaded.* watches=\([0-9]*\).*/\1/p' "$rlog" | tail -1)
matches -x "coltec_watches $watches" "$E2E_TMP/reload.prom" && pass "coltec_watches follows the reload ($watches)" || fail "coltec_watches: $(grep coltec_watches "$E2E_TMP/reload.prom")"
rm "$rws"/keep/d[0-4]/*
wait_for 20 grep -q "deletions held back by the delete cap.*action=keep" "$rlog" && pass "the new delete cap (10 %) holds back what 100 % allowed" || fail "delete cap not applied: $(grep 'action=keep' "$rlog" | tail -3)"
[[ $(find "$rremote/keep" -name 'f*.bin' | wc -l) == 10 ]] && pass "the remote kept every file" || fail "remote lost files"
reload_spec e2e-renamed v2
kill -HUP "$rpid"
wait_for 10 grep -q "cannot be applied while running; keeping the old one.*restart" "$rlog" && pass "a renamed workspace keeps the old spec and says why" || fail "rename not refused"
kill -TERM "$rpid"
wait_rc "$rpid" 15
[[ $WAIT_RC == 143 ]] && pass "stopped with 143 after the reloads" || fail "stop rc=$WAIT_RC"

finish
