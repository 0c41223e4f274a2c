# Shared helpers for the end-to-end suites (sourced, not run). Every suite runs the real
# binary ($COLTEC_BIN) against real rclone; servers listen on 127.0.0.1 only, on free
# ports, and are stopped by the suite (trap), each wait bounded in time.
set -euo pipefail

: "${COLTEC_BIN:?COLTEC_BIN must point at the coltec-daemon binary}"
: "${COLTEC_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

# AWS_CA_BUNDLE breaks rclone 1.60's s3 backend; the daemon drops it for its children, and
# the suites' own direct rclone calls must too.
unset AWS_CA_BUNDLE || true

# The daemon logs to stdout by default (as the earlier daemon). The suites read results from
# stdout and logs from stderr (expect_rc's last.out / last.err), so they ask for logs on
# stderr; compat_test.sh and supervisord_test.sh check the default itself.
export COLTEC_LOG_STDERR=1
# Every bound below is a ceiling for "it never happened", never an expectation of speed:
# it is multiplied by E2E_PATIENCE (default 4) so that a machine loaded to several times
# its cores, running the ASan binary, passes. `patient N` prints N times it.
: "${E2E_PATIENCE:=4}"
patient() { echo $(($1 * E2E_PATIENCE)); }

E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/coltec-e2e.XXXXXX")
E2E_PIDS=()
E2E_MOUNTS=()
E2E_FAILS=0
E2E_PASSES=0

e2e_cleanup() {
  local pid
  for pid in "${E2E_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${E2E_PIDS[@]}"; do
    wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null || true
  done
  local dir
  for dir in "${E2E_MOUNTS[@]}"; do umount "$dir" 2>/dev/null || umount -l "$dir" 2>/dev/null || true; done
  [[ -n ${E2E_KEEP:-} ]] || rm -rf "$E2E_TMP"
}

# forget_pid PID: drops PID (a process that is gone) from the cleanup list, so that a suite
# that starts and kills many processes never signals a later process that got the same id.
forget_pid() {
  local pid keep=()
  for pid in "${E2E_PIDS[@]}"; do [[ $pid == "$1" ]] || keep+=("$pid"); done
  E2E_PIDS=("${keep[@]}")
}

# mount_tmpfs DIR SIZE: mounts a tmpfs of SIZE (e.g. 8m) on DIR, unmounted by the cleanup;
# false when this process may not mount (not root, no mount namespace of its own).
mount_tmpfs() {
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2" tmpfs "$1" 2>/dev/null || return 1
  E2E_MOUNTS+=("$1")
}
trap e2e_cleanup EXIT

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }
pass() { E2E_PASSES=$((E2E_PASSES + 1)); log "ok: $*"; }
fail() { E2E_FAILS=$((E2E_FAILS + 1)); log "FAIL: $*"; }

# matches GREP-ARGS...: `grep -q` for the end of a pipeline. It reads its input to the end,
# so the command before it never dies of SIGPIPE: under pipefail, `rclone lsf | grep -q X`
# fails whenever grep exits at the match before rclone has written the lines after it.
matches() { grep "$@" >/dev/null; }

# Call at the end of a suite: prints the plain summary line and sets the exit status.
finish() {
  echo "$E2E_PASSES passed, $E2E_FAILS failed"
  ((E2E_FAILS == 0))
}

# wait_gone PID SECONDS: true once PID no longer exists. PID must be a real process id:
# `kill -0 0` (or an empty PID) would probe our own process group and never be "gone".
wait_gone() {
  local pid=$1 deadline=$((SECONDS + $2 * E2E_PATIENCE))
  if [[ ! $pid =~ ^[1-9][0-9]*$ ]]; then
    log "wait_gone: not a process id: '$pid'"
    return 2
  fi
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

# wait_for SECONDS CMD...: polls CMD until it succeeds; false after SECONDS (times patience).
wait_for() {
  local deadline=$((SECONDS + $1 * E2E_PATIENCE))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# expect_rc WANT DESCRIPTION CMD...: runs CMD, records pass/fail on its exit code.
expect_rc() {
  local want=$1 what=$2 rc=0
  shift 2
  "$@" >"$E2E_TMP/last.out" 2>"$E2E_TMP/last.err" || rc=$?
  if [[ $rc == "$want" ]]; then pass "$what (rc=$rc)"; else
    fail "$what: rc=$rc, want $want"
    sed 's/^/    | /' "$E2E_TMP/last.err" | tail -n 20 >&2
  fi
}

# tree_sums DIR: sorted "sha256  relative/path" lines, the fingerprint of a tree.
tree_sums() {
  (cd "$1" && find . -type f ! -name '.coltec*' -print0 | sort -z | xargs -0 -r sha256sum)
}

# start_s3rver [PORT]: starts the pinned s3rver on 127.0.0.1 (a free port unless PORT is
# given, e.g. to restart it where it was) with bucket "testbucket"; sets S3_PORT and S3_DATA.
start_s3rver() {
  local bin
  bin=$("$COLTEC_SOURCE_DIR/scripts/install-s3rver.sh")
  S3_DATA="$E2E_TMP/s3data"
  mkdir -p "$S3_DATA"
  local starts=$(($(grep -c 'listening on' "$E2E_TMP/s3rver.log" 2>/dev/null || true) + 1))
  "$bin" -d "$S3_DATA" -a 127.0.0.1 -p "${1:-0}" --configure-bucket testbucket \
    >>"$E2E_TMP/s3rver.log" 2>&1 &
  S3_PID=$!
  E2E_PIDS+=("$S3_PID")
  wait_for 20 count_at_least "$starts" 'listening on' "$E2E_TMP/s3rver.log" || {
    cat "$E2E_TMP/s3rver.log" >&2
    return 1
  }
  S3_PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$E2E_TMP/s3rver.log" | tail -1)
  export S3_PORT S3_DATA
}

# drop_torn_objects: removes from S3_DATA every object s3rver did not finish writing and
# prints how many. s3rver writes an object in place, then its metadata: a PUT cut off by a
# kill (of the client, or of s3rver) leaves an object without metadata, or with empty or half
# metadata, which s3rver then serves as a short object or answers with HTTP 500, a listing
# of its folder included. Real S3 and R2 store a PUT whole or not at all; this makes the test
# server do the same, as if the cut PUT never happened. Call it while s3rver is stopped.
drop_torn_objects() {
  python3 - "$S3_DATA" <<'PY'
import json, os, sys
torn = 0
for top, _, names in os.walk(sys.argv[1]):
    for name in names:
        if not name.endswith("._S3rver_object"):
            continue
        obj = os.path.join(top, name)
        meta = obj[: -len("_object")] + "_metadata.json"
        try:
            with open(meta, encoding="utf-8") as f:
                json.load(f)
            continue
        except (OSError, ValueError):
            pass
        for path in (obj, obj + ".md5", meta):
            if os.path.exists(path):
                os.remove(path)
        torn += 1
print(torn)
PY
}

# stop_s3rver [SIGNAL]: stops the server (TERM unless SIGNAL, e.g. KILL); its data stays in
# S3_DATA, so `start_s3rver "$S3_PORT"` brings it back where it was.
stop_s3rver() {
  kill "-${1:-TERM}" "$S3_PID" 2>/dev/null || true
  wait_gone "$S3_PID" 5 || kill -KILL "$S3_PID" 2>/dev/null || true
  wait_gone "$S3_PID" 5 || return 0
  wait "$S3_PID" 2>/dev/null || true # reaped before its id leaves the cleanup list
  forget_pid "$S3_PID"
}

# rclone_s3 ARGS...: the suites' own view of the S3 server (not through the daemon).
rclone_s3() {
  RCLONE_CONFIG_T_TYPE=s3 RCLONE_CONFIG_T_PROVIDER=Other \
    RCLONE_CONFIG_T_ENDPOINT="http://127.0.0.1:$S3_PORT" \
    RCLONE_CONFIG_T_ACCESS_KEY_ID=S3RVER RCLONE_CONFIG_T_SECRET_ACCESS_KEY=S3RVER \
    rclone --config /dev/null "$@"
}

# make_files DIR COUNT [SIZE]: COUNT files of SIZE bytes (default 100) in 10 subfolders.
make_files() {
  local dir=$1 count=$2 size=${3:-100} i
  for ((i = 0; i < count; i++)); do
    mkdir -p "$dir/d$((i % 10))"
    head -c "$size" /dev/urandom >"$dir/d$((i % 10))/f$i.bin"
  done
}

# has_rclone_child PID [SUBCOMMAND]: true while an rclone process (running SUBCOMMAND, e.g.
# "sync", and not a --dry-run, when given) runs below PID.
has_rclone_child() { [[ -n $(rclone_pids_under "$@") ]]; }

# count_at_least N PATTERN FILE: true once FILE has at least N lines matching PATTERN.
count_at_least() { (($(grep -c -- "$2" "$3" || true) >= $1)); }

# rclone_pids_under PID [SUBCOMMAND]: the rclone processes that have PID as an ancestor
# (only real SUBCOMMAND runs when given). Never fails: "none" is an answer, not an error
# (pgrep's status 1 would otherwise end a `set -e` suite through pipefail).
rclone_pids_under() {
  local root=$1 pattern="^rclone ${2:-}"
  { pgrep -f "$pattern" || true; } | while read -r p; do
    local pp=$p cmd
    cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" || true)
    [[ -n ${2:-} && $cmd == *--dry-run* ]] && continue
    while [[ $pp -gt 1 ]]; do
      [[ $pp == "$root" ]] && { echo "$p"; break; }
      pp=$(awk '{print $4}' "/proc/$pp/stat" 2>/dev/null || echo 1)
    done
  done
}

# json_lines FILE: true when every non-empty line of FILE parses as JSON.
json_lines() {
  python3 -c 'import json,sys
for n, l in enumerate(open(sys.argv[1]), 1):
    if l.strip():
        try: json.loads(l)
        except Exception as e: sys.exit(f"line {n}: {e}: {l[:200]}")' "$1"
}

# daemon ARGS...: starts the binary in the background (stdout+stderr to $E2E_TMP/daemon.log);
# sets DAEMON_PID.
daemon() {
  "$COLTEC_BIN" "$@" >"$E2E_TMP/daemon.log" 2>&1 &
  DAEMON_PID=$!
  E2E_PIDS+=("$DAEMON_PID")
}

# wait_rc PID SECONDS: waits for PID (a child of this shell) to exit and sets WAIT_RC to its
# exit code, or "timeout". Not for $(...): a subshell cannot wait for its parent's child.
wait_rc() {
  local pid=$1 deadline=$((SECONDS + $2 * E2E_PATIENCE))
  WAIT_RC=0
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then WAIT_RC=timeout; return; fi
    sleep 0.05
  done
  wait "$pid" || WAIT_RC=$?
}

# spec_file FILE WORKSPACE REMOTE [SYNC_LINE...]: writes a spec whose one remote, the
# default, is REMOTE ("name: {flow style}"); each SYNC_LINE is one `sync:` entry in flow
# style, e.g. "{name: a, path: /x, remote_path: a, direction: push-only}".
spec_file() {
  local file=$1 name=$2 remote=$3 entry
  shift 3
  {
    printf 'name: %s\nmetadata: {org: o, project: p}\ndevcontainer: {image: {name: debian:bookworm}}\npersistence:\n' "$name"
    printf '  enabled: true\n  mode: replicated\n  default_remote: %s\n' "${remote%%:*}"
    printf '  remotes:\n    %s\n  sync:\n' "$remote"
    for entry in "$@"; do printf '    - %s\n' "$entry"; done
  } >"$file"
}

# local_spec FILE WORKSPACE REMOTE_DIR [SYNC_LINE...]: spec_file with the remote `here`, the
# local folder REMOTE_DIR.
local_spec() {
  local file=$1 name=$2 remote_dir=$3
  shift 3
  spec_file "$file" "$name" "here: {type: local, path_prefix: $remote_dir}" "$@"
}

# --- Two containers on one remote path (twoway_containers_test.sh, soak_test.sh) ---
# A side is one container: SIDES_ROOT/<side>/ holds its spec.yaml, state/ and daemon.log,
# SIDE_DIR[<side>] its synced folder, SIDE_PID[<side>] its daemon (empty while stopped).
# Every version the suite writes is a line of SIDES_ROOT/ledger, in order: "side path
# content" for a write (the content is unique), "side path - content" for a deletion of a
# file that held content. The suite sets S3_KEY and S3_SECRET.
declare -gA SIDE_DIR=() SIDE_PID=()
SIDES_ROOT=$E2E_TMP
LEDGER_N=0

# side_setup SIDE PREFIX [FOLDER]: SIDE's spec: one bidirectional path "code" syncing
# FOLDER (default SIDES_ROOT/SIDE/code) with testbucket/PREFIX/code on the running s3rver.
side_setup() {
  local side=$1 prefix=$2 dir=$SIDES_ROOT/$1
  SIDE_DIR[$side]=${3:-$dir/code}
  mkdir -p "${SIDE_DIR[$side]}" "$dir/state"
  # shellcheck disable=SC2016 # ${S3_KEY} is for the daemon to expand
  spec_file "$dir/spec.yaml" shared-ws "s3: {type: s3, bucket: testbucket, path_prefix: $prefix, options: {provider: Other, endpoint: \"http://127.0.0.1:$S3_PORT\", access_key_id: \"\${S3_KEY}\", secret_access_key: \"\${S3_SECRET}\"}}" \
    "{name: code, path: ${SIDE_DIR[$side]}, remote_path: code, direction: bidirectional, interval: 10}"
}

# start_side SIDE [ARGS...]: starts SIDE's daemon (its log appended to SIDE/daemon.log).
start_side() {
  local side=$1
  shift
  "$COLTEC_BIN" -c "$SIDES_ROOT/$side/spec.yaml" --state-dir "$SIDES_ROOT/$side/state" \
    --log-level debug "$@" >>"$SIDES_ROOT/$side/daemon.log" 2>&1 &
  SIDE_PID[$side]=$!
  E2E_PIDS+=("$!")
}

# kill_side SIDE [SIGNAL]: signals SIDE's daemon (KILL unless SIGNAL) and reaps it.
kill_side() {
  local pid=${SIDE_PID[$1]}
  kill "-${2:-KILL}" "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
  SIDE_PID[$1]=
}

# side_status SIDE: SIDE's `status` (output in SIDE/status); its exit code.
side_status() {
  "$COLTEC_BIN" -c "$SIDES_ROOT/$1/spec.yaml" --state-dir "$SIDES_ROOT/$1/state" status \
    >"$SIDES_ROOT/$1/status" 2>&1
}

# ledger_write SIDE PATH: writes a new version of PATH in SIDE's folder and records it.
ledger_write() {
  LEDGER_N=$((LEDGER_N + 1))
  local content="$1-${LEDGER_TAG:-}v$LEDGER_N" file="${SIDE_DIR[$1]}/$2"
  mkdir -p "$(dirname "$file")"
  printf '%s\n' "$content" >"$file"
  echo "$1 $2 $content" >>"$SIDES_ROOT/ledger"
}

# ledger_delete SIDE PATH: deletes PATH in SIDE's folder, when there, and records what it
# held. The file is renamed away first (same filesystem), so the record is exactly what was
# deleted even when the daemon replaces the file at that moment.
ledger_delete() {
  local file="${SIDE_DIR[$1]}/$2" gone="${SIDE_DIR[$1]}/../.deleting"
  mv "$file" "$gone" 2>/dev/null || return 0
  echo "$1 $2 - $(head -n 1 "$gone")" >>"$SIDES_ROOT/ledger"
  rm -f "$gone"
}

# side_tree DIR: "sha256  path" of every file below DIR, the control folder left out.
side_tree() {
  (cd "$1" && find . -path ./.coltec-sync -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# remote_tree PREFIX: side_tree of testbucket/PREFIX/code, copied into SIDES_ROOT/remote-copy.
remote_tree() {
  rm -rf "$SIDES_ROOT/remote-copy"
  rclone_s3 copy "t:testbucket/$1/code" "$SIDES_ROOT/remote-copy" --exclude '/.coltec-sync/**' >/dev/null 2>&1
  side_tree "$SIDES_ROOT/remote-copy"
}

# sides_converged PREFIX: true when the folders of sides a and b and the remote are equal.
sides_converged() {
  local ta tb tr
  ta=$(side_tree "${SIDE_DIR[a]}") tb=$(side_tree "${SIDE_DIR[b]}") tr=$(remote_tree "$1")
  [[ $ta == "$tb" && $ta == "$tr" ]]
}

# ledger_check PREFIX: every last version each side wrote of each file is in a folder, a
# conflict copy, on the remote, in the trash or in a restore backup; the last one written
# of each file is in both folders; a deleted file stays deleted unless the other side edited
# it without having seen the deletion (tests/e2e/ledger_check.py). Prints a summary line
# "versions=N … lost=N reverted=N resurrected=N".
ledger_check() {
  remote_tree "$1" >/dev/null || true
  rm -rf "$SIDES_ROOT/trash"
  # --fast-list: s3rver 3.7.1 leaves the trash out of delimited listings (`lsf
  # t:testbucket/ws/` shows no .coltec-trash/, `lsf …/ws/.coltec-trash` is empty, `copy`
  # copies nothing), while one listing of the whole prefix sees every object in it.
  rclone_s3 copy --fast-list "t:testbucket/$1/.coltec-trash" "$SIDES_ROOT/trash" >/dev/null 2>&1 || true
  python3 "$COLTEC_SOURCE_DIR/tests/e2e/ledger_check.py" "$SIDES_ROOT/ledger" \
    --folder "${SIDE_DIR[a]}" --folder "${SIDE_DIR[b]}" --remote "$SIDES_ROOT/remote-copy" \
    --trash "$SIDES_ROOT/trash" --restore "$SIDES_ROOT/a/state/restore-backup" \
    --restore "$SIDES_ROOT/b/state/restore-backup"
}
