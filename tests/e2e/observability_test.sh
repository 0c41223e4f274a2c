#!/usr/bin/env bash
# Logs, status, health.json and metrics as an operator and a script see them: every JSON log
# line parses and carries its fields; `status` for never-run, healthy-but-stopped, failing
# and running workspaces; the metrics file in Prometheus text format.
source "$(dirname "$0")/lib.sh"

ws="$E2E_TMP/ws"
remote="$E2E_TMP/remote"
state="$E2E_TMP/state"
spec="$E2E_TMP/spec.yaml"
mkdir -p "$ws/a" "$remote"
make_files "$ws/a" 5
local_spec "$spec" e2e-obs "$remote" "{name: a, path: $ws/a, remote_path: a, direction: push-only}"
run() { "$COLTEC_BIN" -c "$spec" --state-dir "$state" "$@"; }

expect_rc 6 "status before any run" run status
grep -q "no sync has run yet" "$E2E_TMP/last.out" && pass "never-run status says so" || fail "never-run: $(cat "$E2E_TMP/last.out")"

expect_rc 0 "--once with JSON logs and a metrics file" run --once --log-format json --log-level debug \
  --metrics-file "$E2E_TMP/coltec.prom" --log-file "$E2E_TMP/daemon.log"
json_lines "$E2E_TMP/last.err" && pass "every JSON log line parses" || fail "a log line is not JSON"
json_lines "$E2E_TMP/last.out" && pass "every JSON summary line parses" || fail "summary not JSON"
python3 - "$E2E_TMP/last.err" <<'PY' && pass "JSON log fields present" || fail "JSON log fields missing"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert all({"ts", "level", "msg"} <= l.keys() for l in lines)
end = [l for l in lines if l["msg"] == "sync finished"]
assert end and {"action", "direction", "duration_ms", "files", "bytes", "result"} <= end[0].keys(), end
assert any(l.get("command", "").startswith("rclone ") for l in lines)  # debug: the command
PY
[[ -s $E2E_TMP/daemon.log ]] && pass "--log-file written" || fail "no log file"
[[ -f $state/e2e-obs/health.json ]] && python3 -c 'import json,sys; h=json.load(open(sys.argv[1])); assert h["healthy"] and "last_success" in h and h["consecutive_failures"] == 0 and h["actions"][0]["name"] == "a"' "$state/e2e-obs/health.json" &&
  pass "health.json keeps the existing fields and per-action detail" || fail "health.json"

python3 - "$E2E_TMP/coltec.prom" <<'PY' && pass "metrics file is valid Prometheus text" || fail "metrics file"
import re, sys
name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
sample = re.compile(rf'^({name})(\{{({name}="(\\.|[^"\\])*",?)*\}})? -?[0-9.eE+Inf]+$')
typed = set()
text = open(sys.argv[1]).read()
assert text.endswith("\n")
for line in text.splitlines():
    if line.startswith("# TYPE "):
        typed.add(line.split()[2])
    elif line.startswith("#"):
        assert line.startswith("# HELP "), line
    else:
        m = sample.match(line)
        assert m, line
        base = re.sub(r"_(bucket|sum|count)$", "", m.group(1))
        assert m.group(1) in typed or base in typed, line
assert 'coltec_runs_total{action="a",result="ok"} 1' in text, text
PY

expect_rc 6 "status after a successful run with no daemon" run status
grep -q "not running" "$E2E_TMP/last.out" && grep -q "a .*ok" "$E2E_TMP/last.out" && pass "status table shows the action and the stopped daemon" || fail "status: $(cat "$E2E_TMP/last.out")"
expect_rc 6 "status --log-format json" run status --log-format json
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["daemon_running"] is False and j["healthy"] is False' "$E2E_TMP/last.out" &&
  pass "status JSON parses" || fail "status JSON"

# A failing workspace: the remote root cannot be written (its parent is a file, which even
# root cannot make a folder in).
echo "not a folder" >"$E2E_TMP/not-a-folder"
cat >"$E2E_TMP/bad.yaml" <<YAML
name: e2e-obs-bad
metadata: {org: o, project: p}
devcontainer: {image: {name: debian:bookworm}}
persistence:
  enabled: true
  mode: replicated
  remotes:
    nowhere: {type: local, path_prefix: $E2E_TMP/not-a-folder/remote}
  sync:
    - {name: b, path: $ws/a, remote_path: b, remote: nowhere, direction: push-only}
YAML
"$COLTEC_BIN" -c "$E2E_TMP/bad.yaml" --state-dir "$state" --interval 3600 >"$E2E_TMP/bad.log" 2>&1 &
bad=$!
E2E_PIDS+=("$bad")
wait_for 30 grep -q "sync failed" "$E2E_TMP/bad.log" || fail "the bad workspace never failed"
expect_rc 6 "status of a failing workspace" "$COLTEC_BIN" -c "$E2E_TMP/bad.yaml" --state-dir "$state" status
grep -q "running (pid $bad)" "$E2E_TMP/last.out" && grep -q "failed" "$E2E_TMP/last.out" && pass "status shows the failure while running" ||
  fail "failing status: $(cat "$E2E_TMP/last.out")"
kill -TERM "$bad"
wait_rc "$bad" 10

finish
