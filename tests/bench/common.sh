# Shared set-up for the benchmark scripts (sourced, not run). Benchmarks are not tests:
# they print numbers and write a Markdown fragment to $BENCH_OUT/<script>.md; they fail
# only when something they need does not work.
#
# Environment: COLTEC_BIN (default build/bench/coltec-daemon, a Release build),
# BENCH_OUT (default build/bench/results), BENCH_QUICK=1 for fewer repetitions.
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export COLTEC_SOURCE_DIR=${COLTEC_SOURCE_DIR:-$(cd "$BENCH_DIR/../.." && pwd)}
export COLTEC_BIN=${COLTEC_BIN:-$COLTEC_SOURCE_DIR/build/bench/coltec-daemon}
if [[ ! -x $COLTEC_BIN ]]; then
  echo "no binary at $COLTEC_BIN; build a Release copy first:" >&2
  echo "  cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DCOLTEC_BUILD_TESTS=OFF" >&2
  echo "  ninja -C build/bench coltec-daemon" >&2
  exit 2
fi
# shellcheck source=../e2e/lib.sh
source "$COLTEC_SOURCE_DIR/tests/e2e/lib.sh"

BENCH_NAME=$(basename "$0" .sh)
BENCH_OUT=${BENCH_OUT:-$COLTEC_SOURCE_DIR/build/bench/results}
mkdir -p "$BENCH_OUT"
RESULT="$BENCH_OUT/$BENCH_NAME.md"
: >"$RESULT"
PY="python3 $BENCH_DIR/benchlib.py"

# emit TEXT...: one line to the result fragment and to stdout.
emit() { printf '%s\n' "$*" | tee -a "$RESULT"; }

# now_ns: monotonic-enough wall clock in nanoseconds (date forks: ~1 ms resolution).
now_ns() { date +%s%N; }
ms_since() { echo $((($(now_ns) - $1) / 1000000)); }

# machine_line: date, cores, kernel, rclone and load, for the header of every fragment.
machine_line() {
  printf 'date %s · nproc %s · kernel %s · %s · load %s' \
    "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "$(uname -r)" \
    "$(rclone version 2>/dev/null | head -1)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# header TITLE COMMAND: the top of a fragment.
header() {
  emit "### $1"
  emit ""
  emit "Command: \`$2\`  "
  emit "Machine: $(machine_line)  "
  emit "Binary: \`$COLTEC_BIN\` ($("$COLTEC_BIN" --version 2>/dev/null | head -1))"
  emit ""
}

# jget JSON KEY: one field of a JSON object.
jget() { python3 -c 'import json,sys; v=json.loads(sys.argv[1])[sys.argv[2]]; print((int(v) if float(v).is_integer() else round(v,1)) if isinstance(v,float) else v)' "$1" "$2"; }

# ratio A B: A/B with 2 decimals.
ratio() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }

# median_of NUMBERS...: median of the arguments.
median_of() { printf '%s\n' "$@" >"$E2E_TMP/med.txt" && jget "$($PY stats "$E2E_TMP/med.txt")" median; }

# reps N: N, or 1 when BENCH_QUICK is set.
reps() { if [[ -n ${BENCH_QUICK:-} ]]; then echo 1; else echo "$1"; fi; }

# local_spec FILE NAME REMOTE_DIR ENTRIES...: a spec with a local-folder remote; each entry
# is "name|local path|remote path" (push-only).
local_spec() {
  local file=$1 name=$2 remote=$3 e n p r
  shift 3
  {
    printf 'name: %s\nmetadata: {org: o, project: p}\ndevcontainer: {image: {name: debian:bookworm}}\npersistence:\n' "$name"
    printf '  enabled: true\n  mode: replicated\n  default_remote: here\n'
    printf '  remotes:\n    here: {type: local, path_prefix: %s}\n  sync:\n' "$remote"
    for e in "$@"; do
      IFS='|' read -r n p r <<<"$e"
      printf '    - {name: %s, path: %s, remote_path: %s, direction: push-only}\n' "$n" "$p" "$r"
    done
  } >"$file"
}

# s3_spec FILE NAME ENTRIES...: as local_spec, against the s3rver started by start_s3rver
# (bucket testbucket, prefix bench).
s3_spec() {
  local file=$1 name=$2 e n p r
  shift 2
  {
    printf 'name: %s\nmetadata: {org: o, project: p}\ndevcontainer: {image: {name: debian:bookworm}}\npersistence:\n' "$name"
    printf '  enabled: true\n  mode: replicated\n  default_remote: s3\n  remotes:\n'
    printf '    s3:\n      type: s3\n      bucket: testbucket\n      path_prefix: bench\n'
    printf '      options: {provider: Other, endpoint: "http://127.0.0.1:%s",' "$S3_PORT"
    printf ' access_key_id: S3RVER, secret_access_key: S3RVER}\n  sync:\n'
    for e in "$@"; do
      IFS='|' read -r n p r <<<"$e"
      printf '    - {name: %s, path: %s, remote_path: %s, direction: push-only}\n' "$n" "$p" "$r"
    done
  } >"$file"
}

# timed_ms CMD...: runs CMD (output to $E2E_TMP/timed.log), prints its wall time in ms;
# fails when CMD fails.
timed_ms() {
  local t0 rc=0
  t0=$(now_ns)
  "$@" >"$E2E_TMP/timed.log" 2>&1 || rc=$?
  local ms
  ms=$(ms_since "$t0")
  if ((rc != 0)); then
    echo "command failed (rc=$rc): $*" >&2
    tail -n 20 "$E2E_TMP/timed.log" >&2
    return 1
  fi
  echo "$ms"
}

# shown_command SPEC STATE: the first rclone sync command the daemon prints for
# `--once --dry-run`, without its --dry-run and with temp paths shortened.
shown_command() {
  local out
  out=$("$COLTEC_BIN" -c "$1" --state-dir "$2" --once --dry-run 2>/dev/null || true)
  grep -m1 'rclone sync' <<<"$out" | sed "s| --dry-run\$||; s|^ *||; s|$E2E_TMP|\$TMP|g; s|/proc/self/fd/[0-9]*|<private>|"
}

# real_steps SPEC STATE: the rclone commands (one per step) a real `--once` run launches,
# from its debug log, with temp paths shortened. Run it on a tiny tree: it really syncs.
real_steps() {
  # shellcheck disable=SC2016 # the backquotes are Markdown
  "$COLTEC_BIN" -c "$1" --state-dir "$2" --once --log-level debug 2>&1 >/dev/null |
    grep 'running rclone' | sed -n 's/.*step=\("[^"]*"\|[^ ]*\) command="\(.*\)"$/\1: `\2`/p' |
    sed "s|$E2E_TMP|\$TMP|g; s|/proc/self/fd/[0-9]*|<private>|; s|/[0-9]\{8\}T[0-9]\{6\}Z|/<UTC time>|"
}

# time_runs RUNS CMD...: wall-time statistics (JSON, ms) of RUNS runs of CMD after 3
# warm-ups; hyperfine -N when installed, else a bash loop (adds ~2 ms of fork/date cost).
time_runs() {
  local runs=$1 i t0
  shift
  if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 3 --runs "$runs" --export-json "$E2E_TMP/hf.json" "${*@Q}" >/dev/null 2>&1
    $PY hyperfine "$E2E_TMP/hf.json"
  else
    : >"$E2E_TMP/loop.txt"
    for ((i = 0; i < runs + 3; i++)); do
      t0=$(now_ns)
      "$@" >/dev/null 2>&1
      ((i < 3)) || echo "$((($(now_ns) - t0) / 1000))" >>"$E2E_TMP/loop.txt"
    done
    python3 -c 'import sys,json; d=json.loads(sys.argv[1]); print(json.dumps({k: (v if k=="n" else round(v/1000,3)) for k,v in d.items()}))' "$($PY stats "$E2E_TMP/loop.txt")"
  fi
}
