#!/usr/bin/env bash
# Benchmark 3: S3 requests of a no-op `--once` push of 2,000 files (s3rver on 127.0.0.1),
# against plain `rclone sync` (no flags) and `rclone sync --checksum --fast-list` on the same
# unchanged tree. Requests = lines of s3rver's log ending in "<status> <n>ms". Aim: < 10.
source "$(dirname "$0")/common.sh"
# shellcheck disable=SC2119 # start_s3rver takes no arguments
start_s3rver

n=${BENCH_FILES:-2000}
src="$E2E_TMP/src"
spec="$E2E_TMP/spec.yaml"
state="$E2E_TMP/state"
# One folder level (d###/f*.bin): s3rver 3.7.1 leaves a prefix that holds only deeper
# prefixes (d000/ with just d000/e0/...) out of a delimiter listing, so plain `rclone sync`
# (which walks with delimiters) would see an empty bucket and upload everything again.
$PY tree "$src" "$n" 2000 flat
s3_spec "$spec" bench-s3req "code|$src|code"
dst=t:testbucket/bench/code
"$COLTEC_BIN" -c "$spec" --state-dir "$state" --once >/dev/null 2>&1 || { echo "initial push failed" >&2; exit 1; }
got=$(rclone_s3 lsf -R --files-only "$dst" | wc -l)
((got == n)) || { echo "bucket holds $got files, want $n" >&2; exit 1; }
daemon_cmd=$(shown_command "$spec" "$state")

header "3. S3 requests for a no-op push of $n files" "tests/bench/03_s3_requests.sh"
emit "Daemon's sync command (from \`--once --dry-run\`): \`$daemon_cmd\` (plus a \`--dry-run\` pre-check run of the same command first)."
emit ""

# count_during CMD...: S3 requests CMD makes and its wall time, as "requests ms".
count_during() {
  local before ms
  before=$($PY s3count "$E2E_TMP/s3rver.log")
  ms=$(timed_ms "$@") || return 1
  echo "$(($($PY s3count "$E2E_TMP/s3rver.log") - before)) $ms"
}

declare -A req ms
names=(daemon plain checksum)
for ((r = 0; r < $(reps 3); r++)); do
  read -r q t < <(count_during "$COLTEC_BIN" -c "$spec" --state-dir "$state" --once)
  req[daemon]+="$q "; ms[daemon]+="$t "
  read -r q t < <(count_during rclone_s3 sync "$src" "$dst")
  req[plain]+="$q "; ms[plain]+="$t "
  read -r q t < <(count_during rclone_s3 sync --checksum --fast-list "$src" "$dst")
  req[checksum]+="$q "; ms[checksum]+="$t "
done
label() {
  case $1 in
    daemon) echo "\`coltec-daemon --once\` (pre-check + sync)" ;;
    plain) echo "\`rclone sync SRC DST\`" ;;
    checksum) echo "\`rclone sync --checksum --fast-list SRC DST\`" ;;
  esac
}
emit "| command (no-op, $n files unchanged) | S3 requests (each run) | median requests | median wall ms |"
emit "|---|---|---|---|"
for k in "${names[@]}"; do
  # shellcheck disable=SC2086
  emit "| $(label "$k") | ${req[$k]% } | $(median_of ${req[$k]}) | $(median_of ${ms[$k]}) |"
done
emit ""
# shellcheck disable=SC2086
d=$(median_of ${req[daemon]})
if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 10 else 1)" "$d"; then
  emit "Reading: the daemon's no-op push costs $d S3 requests — aim (< 10) met; plain \`rclone sync\` needs one HEAD per object."
else
  emit "Reading: the daemon's no-op push costs $d S3 requests — aim (< 10) NOT met."
fi
