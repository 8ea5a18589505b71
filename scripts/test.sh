#!/usr/bin/env bash
# Quick start (b): sets up a fresh Debian 12 machine, builds tfqkd and runs every test:
#   1. the Meson test suites of the GCC build (unit, property, vectors, fuzz-regression);
#   2. the fuzz targets under clang-19 + libFuzzer + ASan + UBSan, each for TFQKD_FUZZ_SECONDS (20).
# The last line is "N passed, N failed" for the whole run (one count per GoogleTest case, per other
# Meson test and per fuzz target); the exit status is non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1
build=${TFQKD_BUILD_DIR:-build}
if [[ ! -f "$build/build.ninja" ]]; then meson setup "$build" >/dev/null || exit 1; fi
if ! ninja -C "$build" >"$build/ninja.log" 2>&1; then
  tail -n 40 "$build/ninja.log"
  echo "0 passed, 1 failed"
  exit 1
fi

meson test -C "$build" --print-errorlogs --num-processes 2
# Count GoogleTest cases one by one (Meson's JUnit log nests them) and other tests as one each.
read -r tests_passed tests_failed < <(python3 - "$build/meson-logs/testlog.junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
passed = failed = 0
for case in root.iter("testcase"):
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
    elif case.find("skipped") is None:
        passed += 1
print(passed, failed)
PY
)

fuzz_out=$(scripts/fuzz.sh "${TFQKD_FUZZ_SECONDS:-20}")
echo "$fuzz_out"
fuzz_passed=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$fuzz_out")
fuzz_failed=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$fuzz_out")
[[ -n "$fuzz_passed" ]] || { fuzz_passed=0; fuzz_failed=1; }

passed=$((tests_passed + fuzz_passed))
failed=$((tests_failed + fuzz_failed))
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
