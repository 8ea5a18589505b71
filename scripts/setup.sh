#!/usr/bin/env bash
# Installs the Debian 12 packages tfqkd needs to build, test and fuzz. Idempotent: when everything is
# present it prints nothing and exits 0. Run as root (or with sudo available).
set -euo pipefail

packages=(
  # build
  g++ meson ninja-build pkg-config cmake python3
  # libraries
  libcli11-dev nlohmann-json3-dev libssl-dev
  # certified numerics: intervals over MPFR (MPFI) through Boost.Multiprecision
  libboost-dev libgmp-dev libmpfr-dev libmpfi-dev
  # parameter search (NLopt: BOBYQA)
  libnlopt-dev libnlopt-cxx-dev
  # linear programs (CAL19's yield bounds; the bound itself is certified by duality in intervals)
  libglpk-dev
  # tests and benchmarks (python3-jsonschema: docs/schemas/ against examples and outputs, cli/tests/schema_test.py)
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev python3-jsonschema
  # fuzzing: clang-19 with libFuzzer and the sanitizer runtimes (clang-14 cannot compile libstdc++ 12's
  # <ranges>; see docs/architecture.md)
  clang-19 libclang-rt-19-dev libfuzzer-19-dev
  # the model checker of the formal suite (formal/, docs/formal.md)
  spin
  # a real browser for the conformance HTML report's test (cli/tests/conformance_html_test.py)
  chromium
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >/dev/null
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2
