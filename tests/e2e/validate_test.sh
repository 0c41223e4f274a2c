#!/usr/bin/env bash
# --validate-only and coltec-validate on real fixtures and hostile input: the right verdict,
# exit code and a message pointing at the field, fast, never a crash.
source "$(dirname "$0")/lib.sh"

up="$COLTEC_SOURCE_DIR/tests/data/upstream"
bin="$COLTEC_BIN"

expect_rc 0 "valid_workspace.yaml is valid" "$bin" --validate-only -c "$up/valid_workspace.yaml"
grep -q "configuration valid" "$E2E_TMP/last.out" && pass "says valid" || fail "no 'valid' line"
expect_rc 0 "named_remotes_workspace.yaml is valid" "$bin" --validate-only -c "$up/named_remotes_workspace.yaml"
expect_rc 1 "interval too low is invalid" "$bin" --validate-only -c "$up/invalid_interval_too_low.yaml"
grep -q "invalid_interval_too_low.yaml:16:.*persistence.sync\[0\].interval" "$E2E_TMP/last.err" &&
  pass "points at persistence.sync[0].interval line 16" || fail "interval message: $(cat "$E2E_TMP/last.err")"
expect_rc 1 "replicated without sync paths is invalid" "$bin" --validate-only -c "$up/invalid_replicated_no_sync.yaml"
grep -qi "replicated" "$E2E_TMP/last.err" && pass "names the replicated rule" || fail "replicated message"

# Flags beat the environment; the environment beats the default.
COLTEC_CONFIG="$up/invalid_interval_too_low.yaml" expect_rc 1 "COLTEC_CONFIG is read" "$bin" --validate-only
COLTEC_CONFIG="$up/invalid_interval_too_low.yaml" expect_rc 0 "--config beats COLTEC_CONFIG" \
  "$bin" --validate-only --config "$up/valid_workspace.yaml"

# JSON problems: one object per line, each parses.
expect_rc 1 "json problems" "$bin" --validate-only --log-format json -c "$up/invalid_interval_too_low.yaml"
if python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1]) if l.strip()]' "$E2E_TMP/last.out" &&
  grep -q '"line":16' "$E2E_TMP/last.out"; then pass "json lines parse and carry the line"; else
  fail "json output: $(cat "$E2E_TMP/last.out")"; fi

# Hostile input: each gets exit 1 and a message, never a hang (`timeout`). How fast is
# benchmark 1's question (tests/bench): an ASan build under load needs seconds.
h="$E2E_TMP/hostile"
mkdir -p "$h/dir"
: >"$h/empty.yaml"
head -c 4096 /dev/urandom >"$h/garbage.yaml"
printf 'name: "\xff\xfe"\n' >"$h/utf8.yaml"
head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$h/big.yaml"
python3 - "$h" <<'PY'
import sys
d = sys.argv[1]
lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
for i in range(1, 10):
    prev = chr(ord('a') + i - 1); cur = chr(ord('a') + i)
    lines.append(f'{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]')
open(f"{d}/bomb.yaml", "w").write("\n".join(lines) + "\n")
open(f"{d}/deep.yaml", "w").write("[" * 100000 + "]" * 100000 + "\n")
open(f"{d}/deep-block.yaml", "w").write("- " * 100000 + "x\n")
open(f"{d}/dup.yaml", "w").write("name: a\nname: b\nmetadata: {org: o, project: p}\n")
PY
for f in missing.yaml dir empty.yaml garbage.yaml utf8.yaml big.yaml bomb.yaml deep.yaml deep-block.yaml dup.yaml; do
  expect_rc 1 "hostile input $f is rejected" timeout "$(patient 10)" "$bin" --validate-only -c "$h/$f"
  [[ -s $E2E_TMP/last.err ]] && pass "$f has a message: $(head -c 100 "$E2E_TMP/last.err" | head -1)" || fail "$f: no message"
done
grep -q "duplicate" "$E2E_TMP/last.err" && pass "duplicate key named" || fail "duplicate key message"

# coltec-validate: the same binary under the validator's name and flags.
ln -s "$bin" "$E2E_TMP/coltec-validate"
expect_rc 0 "coltec-validate --file" "$E2E_TMP/coltec-validate" --file "$up/valid_workspace.yaml"
expect_rc 1 "coltec-validate --file invalid" "$E2E_TMP/coltec-validate" --file "$up/invalid_interval_too_low.yaml"
expect_rc 0 "coltec-validate --schema-only on a semantically invalid file" \
  "$E2E_TMP/coltec-validate" --file "$up/invalid_replicated_no_sync.yaml" --schema-only
expect_rc 0 "coltec-validate --generate-schema" "$E2E_TMP/coltec-validate" --generate-schema
cp "$E2E_TMP/last.out" "$E2E_TMP/schema.json"
expect_rc 0 "coltec-validate --schema FILE" "$E2E_TMP/coltec-validate" --file "$up/valid_workspace.yaml" --schema "$E2E_TMP/schema.json"
expect_rc 0 "--print-schema" "$bin" --print-schema
cmp -s "$E2E_TMP/last.out" "$COLTEC_SOURCE_DIR/schema/workspace-spec.schema.json" &&
  pass "--print-schema prints schema/workspace-spec.schema.json" || fail "embedded schema differs"

# What the rules accept but the daemon could not use: a local remote without an absolute
# folder would put the data wherever the daemon was started. --validate-only says so.
cat >"$E2E_TMP/relative-local.yaml" <<'YAML'
name: rel
metadata: {org: o, project: p}
devcontainer: {image: {name: debian:bookworm}}
persistence:
  enabled: true
  mode: replicated
  default_remote: vault
  remotes:
    here: {type: local}
    vault: {type: crypt, wrap_remote: here, wrap_path: enc, crypt: {password_env: CP}}
  sync:
    - {name: a, path: /srv/ws, remote_path: a, direction: push-only}
YAML
expect_rc 1 "a crypt remote over a local remote without a folder is invalid" "$bin" --validate-only -c "$E2E_TMP/relative-local.yaml"
matches "not an absolute path" "$E2E_TMP/last.err" && pass "the message says why" || fail "message: $(cat "$E2E_TMP/last.err")"

# CLI surface.
expect_rc 0 "--help" "$bin" --help
for word in "Exit codes" COLTEC_CONFIG COLTEC_INTERVAL COLTEC_LOG_FORMAT COLTEC_LOG_LEVEL 143 --max-parallel --shutdown-grace; do
  grep -q -- "$word" "$E2E_TMP/last.out" && pass "--help mentions $word" || fail "--help lacks $word"
done
expect_rc 0 "--version" "$bin" --version
expect_rc 1 "unknown flag is a configuration error" "$bin" --bogus
expect_rc 1 "bad --log-format" "$bin" --validate-only --log-format xml -c "$up/valid_workspace.yaml"
COLTEC_INTERVAL=abc expect_rc 1 "bad COLTEC_INTERVAL" "$bin" --validate-only -c "$up/valid_workspace.yaml"

finish
