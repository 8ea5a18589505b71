#!/usr/bin/env bash
# Builds the fuzz targets with clang-19, libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer
# (every UBSan finding aborts), then runs each target for SECONDS (default 20) on its committed
# corpus and dictionary, two at a time. New corpus entries go to a scratch folder, never into the
# repository. Prints one line per target and, last, "fuzz: N passed, N failed"; exits 1 on any crash.
# A crashing input is kept in build-fuzz/artifacts/<target>/ and its path is printed.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
jobs=${TFQKD_FUZZ_JOBS:-2}
build=${TFQKD_FUZZ_BUILD_DIR:-build-fuzz}

if [[ ! -f "$build/build.ninja" ]]; then
  CXX=clang++-19 meson setup "$build" \
    -Dfuzzing_engine=libfuzzer -Db_sanitize=address,undefined -Db_lundef=false \
    -Dcpp_args=-fno-sanitize-recover=all -Dtests=false -Dbenchmarks=disabled >/dev/null || exit 1
fi
targets=$(cd fuzz/corpus && ls -d fuzz_* | sort)
# fuzz_differential dlopens the reference library: build it with the targets.
ninja -C "$build" conformance/libtfqkd_conformance_ref.so $(for t in $targets; do echo "fuzz/$t"; done) >/dev/null || { echo "fuzz: build failed"; exit 1; }

run_one() {
  local t=$1 seconds=$2 build=$3
  local scratch="$build/scratch/$t" artifacts="$build/artifacts/$t"
  rm -rf "$scratch"; mkdir -p "$scratch" "$artifacts"
  local log="$build/logs/$t.log"; mkdir -p "$build/logs"
  "$build/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" -dict="fuzz/dict/$t.dict" "$scratch" "fuzz/corpus/$t" >"$log" 2>&1
  local rc=$?
  local runs rate
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/.* exec\/s: \([0-9]*\).*/\1/p' "$log" | tail -1)
  if [[ $rc -eq 0 ]]; then
    printf 'fuzz %-32s ok      %10s runs  %8s exec/s\n' "$t" "${runs:-?}" "${rate:-?}"
  else
    printf 'fuzz %-32s FAILED  (exit %d) see %s; reproducer in %s\n' "$t" "$rc" "$log" "$artifacts"
    grep -m3 -E 'ERROR|runtime error|deadly signal' "$log" | sed 's/^/    /'
  fi
  return $rc
}
export -f run_one

results=$(printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run_one "$@" && echo "RESULT pass" || echo "RESULT fail"' _ {} "$seconds" "$build")
printf '%s\n' "$results" | grep -v '^RESULT'
passed=$(printf '%s\n' "$results" | grep -c '^RESULT pass')
failed=$(printf '%s\n' "$results" | grep -c '^RESULT fail')
echo "fuzz: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
