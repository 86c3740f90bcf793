#!/usr/bin/env bash
# Runs every fuzz target for a bounded time, two at a time (one per core):
#   tests/fuzz/run_fuzzers.sh BUILD_DIR SECONDS [TARGET...]
# Seeds are corpus/<target>/ and regressions/<target>/ (read only: new inputs
# go to a scratch folder). Exits non-zero when any fuzzer finds a crash, a
# leak, a timeout or an out-of-memory; its input is kept and named.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$1"
seconds="$2"
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(tfrecord example csv run_config)
work="$(mktemp -d "${TMPDIR:-/tmp}/vidpred-fuzz-XXXXXX")"

run_one() {
  local t="$1"
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  local args=(-max_total_time="$seconds" -timeout=10 -print_final_stats=1
              -artifact_prefix="$work/$t/artifacts/")
  [ -f "$here/fuzz_$t.dict" ] && args+=(-dict="$here/fuzz_$t.dict")
  local seeds=("$here/corpus/$t")
  [ -d "$here/regressions/$t" ] && seeds+=("$here/regressions/$t")
  "$build/fuzz/fuzz_$t" "${args[@]}" "$work/$t/corpus" "${seeds[@]}" >"$work/$t.log" 2>&1
}

failed=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  for t in "${targets[@]:i:2}"; do
    run_one "$t" &
    pids+=("$!:$t")
  done
  for entry in "${pids[@]}"; do
    pid="${entry%%:*}"
    t="${entry#*:}"
    if wait "$pid"; then
      runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
      rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$t.log")
      echo "fuzz_$t: ok, $runs executions in ${seconds} s ($rate/s)"
    else
      failed=1
      echo "fuzz_$t: FAILED; the end of its log:"
      tail -n 40 "$work/$t.log"
      for a in "$work/$t/artifacts"/*; do
        [ -e "$a" ] && echo "fuzz_$t: input kept in $a (reproduce: $build/fuzz/fuzz_$t $a)"
      done
    fi
  done
done
[ "$failed" = 0 ] && rm -rf "$work"
exit "$failed"
