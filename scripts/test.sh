#!/usr/bin/env bash
# Quick start (b): sets up a fresh Debian 12 machine, builds tfqkd and runs every test:
#   1. the Meson test suites of the GCC 12 build (unit, property, vectors, fuzz-regression, cli, and
#      formal: the SPIN model checks of docs/formal.md);
#   2. a clang-19 build, which must also compile without a warning, and its unit, property, vector and
#      fuzz-regression suites (the command-line, formal and live-conformance suites check behaviour
#      that does not depend on the compiler, and run once, in the GCC build);
#   3. the installed libraries, headers and pkg-config files, used by a small outside program;
#   4. the fuzz targets under clang-19 + libFuzzer + ASan + UBSan, each for TFQKD_FUZZ_SECONDS (12).
# The last line is "N passed, N failed" for the whole run: one count per GoogleTest case, per TAP
# check, per other Meson test, per build, the install check and per fuzz target. The exit status
# is non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1

passed=0
failed=0
count() {  # count NAME STATUS
  if [[ $2 -eq 0 ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1"; fi
}

# Builds in $1 with compiler $2, runs its Meson tests and adds their case counts.
build_and_test() {
  local dir=$1 cxx=$2
  if [[ ! -f "$dir/build.ninja" ]]; then
    # -g0: no debug information in the test builds, which compile about a third faster (a failing
    # test prints its own diagnosis; scripts/main.sh and developers' builds keep -g).
    # The clang build skips the Google Benchmark programs: no test runs them, and the GCC build,
    # whose figures the docs quote, builds them.
    local options=()
    [[ $cxx == g++ ]] || options=(-Dbenchmarks=disabled)
    CXX=$cxx CXXFLAGS="${CXXFLAGS:-} -g0" meson setup "$dir" "${options[@]}" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; count "$cxx setup" 1; return 1; }
  fi
  if ! ninja -C "$dir" >"$dir/ninja.log" 2>&1; then
    tail -n 40 "$dir/ninja.log"
    count "$cxx build (warnings are errors)" 1
    return 1
  fi
  count "$cxx build (warnings are errors)" 0
  echo "== $cxx: meson test"
  # The formal suite model-checks the Promela model with SPIN, the conformance-live and
  # conformance-mutants suites run minutes of live sessions against shims, and the cli suite drives
  # the command from Python: their verdicts do not depend on the compiler of the C++ build, so they
  # run once, in the GCC build (docs/formal.md, docs/vendor-guide.md 7).
  local suites=()
  [[ $cxx == g++ ]] || suites=(--no-suite formal --no-suite conformance-live --no-suite conformance-mutants --no-suite cli)
  meson test -C "$dir" --print-errorlogs --num-processes 2 "${suites[@]}" | grep -vE '^ *[0-9]+/[0-9]+ .* OK '
  # Count GoogleTest cases and TAP checks one by one (Meson's JUnit log nests them).
  local counts
  counts=$(python3 - "$dir/meson-logs/testlog.junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ok = bad = 0
for case in root.iter("testcase"):
    if case.find("failure") is not None or case.find("error") is not None:
        bad += 1
    elif case.find("skipped") is None:
        ok += 1
print(ok, bad)
PY
)
  passed=$((passed + ${counts% *}))
  failed=$((failed + ${counts#* }))
}

build=${TFQKD_BUILD_DIR:-build}
build_and_test "$build" g++
build_and_test "${build}-clang" clang++-19

scripts/check_install.sh "$build"
count "meson install is usable by others" $?

# 12 s a target keeps the whole run within half an hour on 2 cores; longer runs: docs/fuzzing.md.
fuzz_out=$(scripts/fuzz.sh "${TFQKD_FUZZ_SECONDS:-12}")
echo "$fuzz_out"
fuzz_passed=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$fuzz_out")
fuzz_failed=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$fuzz_out")
[[ -n "$fuzz_passed" ]] || { fuzz_passed=0; fuzz_failed=1; }
passed=$((passed + fuzz_passed))
failed=$((failed + fuzz_failed))

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
