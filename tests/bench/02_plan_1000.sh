#!/usr/bin/env bash
# Benchmark 2: a spec with 1,000 sync entries. `--validate-only` wall time (loader + schema
# + rules, whole process) with hyperfine, and in-process costs from plan_bench.cpp, compiled
# here with g++ -O2 against the static libraries of the Release build: load_spec_file
# (median of 20) and build_plan (median of 100).
source "$(dirname "$0")/common.sh"

build=${COLTEC_BUILD_DIR:-$(dirname "$COLTEC_BIN")}
n=${BENCH_PATHS:-1000}
spec="$E2E_TMP/spec_$n.yaml"
dirs=(push-only pull-only bidirectional)
{
  printf 'name: plan-bench\nmetadata: {org: o, project: p, environment: e}\ndevcontainer: {image: {name: debian:bookworm}}\npersistence:\n'
  printf '  enabled: true\n  mode: replicated\n  default_remote: s3\n  remotes:\n'
  # shellcheck disable=SC2016 # ${K} and ${S} are spec placeholders, written literally
  printf '    s3: {type: s3, bucket: b, path_prefix: ws, options: {provider: Other, endpoint: "http://127.0.0.1:9", access_key_id: "${K}", secret_access_key: "${S}"}}\n'
  printf '    here: {type: local, path_prefix: /srv/backup}\n'
  printf '    vault: {type: crypt, wrap_remote: s3, wrap_path: vault, crypt: {password_env: P}}\n'
  printf '  sync:\n'
  for ((i = 0; i < n; i++)); do
    remote=""
    ((i % 10 == 1)) && remote=", remote: here"
    ((i % 10 == 2)) && remote=", remote: vault"
    printf '    - {name: p%04d, path: /work/ws/p%04d, remote_path: "{org}/{project}/{env}/p%04d", direction: %s, priority: %d, interval: %d, exclude: ["*.tmp", "node_modules/**"]%s}\n' \
      "$i" "$i" "$i" "${dirs[i % 3]}" $((i % 5 + 1)) $((60 + i % 300)) "$remote"
  done
} >"$spec"
"$COLTEC_BIN" -c "$spec" --validate-only >/dev/null || { echo "generated spec is invalid" >&2; "$COLTEC_BIN" -c "$spec" --validate-only | head; exit 1; }

runs=$(reps 30)
header "2. Planning $n sync paths" \
  "tests/bench/02_plan_1000.sh (hyperfine -N --runs $runs '$COLTEC_BIN -c spec_$n.yaml --validate-only'; tests/bench/plan_bench SPEC 20 100)"
s=$(time_runs "$runs" "$COLTEC_BIN" -c "$spec" --validate-only)

g++ -std=c++20 -O2 -DNDEBUG -o "$E2E_TMP/plan_bench" "$BENCH_DIR/plan_bench.cpp" \
  -I"$COLTEC_SOURCE_DIR/include" -I"$build/generated" \
  "$build/libcoltec_disk.a" "$build/libcoltec_config.a" "$build/libcoltec_planner.a" \
  "$build/libcoltec_spec.a" "$build/libcoltec_text.a" -lyaml-cpp
p=$("$E2E_TMP/plan_bench" "$spec" "$(reps 20)" "$(reps 100)")

emit "| what ($n entries, $(($(stat -c %s "$spec") / 1024)) KiB spec) | runs | median | p90 | min |"
emit "|---|---|---|---|---|"
emit "| \`--validate-only\`, whole process (ms) | $(jget "$s" n) | $(jget "$s" median) | $(jget "$s" p90) | $(jget "$s" min) |"
emit "| load_spec_file in-process: YAML+schema+rules (ms) | $(jget "$p" load_runs) | $(python3 -c "print(round($(jget "$p" load_median_us)/1000,2))") | $(python3 -c "print(round($(jget "$p" load_p90_us)/1000,2))") | $(python3 -c "print(round($(jget "$p" load_min_us)/1000,2))") |"
emit "| build_plan in-process, $(jget "$p" actions) actions (ms) | $(jget "$p" plan_runs) | $(python3 -c "print(round($(jget "$p" plan_median_us)/1000,3))") | $(python3 -c "print(round($(jget "$p" plan_p90_us)/1000,3))") | $(python3 -c "print(round($(jget "$p" plan_min_us)/1000,3))") |"
emit ""
emit "Reading: validating $n paths takes $(jget "$s" median) ms end to end; planning them costs $(python3 -c "print(round($(jget "$p" plan_median_us)/1000,2))") ms per build_plan call ($(python3 -c "print(round($(jget "$p" plan_median_us)/$n,1))") µs per path), so the loader, not the planner, dominates."
