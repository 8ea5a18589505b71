#!/usr/bin/env bash
# Quick start (a): sets up a fresh Debian 12 machine, builds tfqkd and runs its main job: the
# 20-user chip network (`tfqkd network`, docs/network.md). It prints every pair's session and
# certified rate against PLOB, and writes tfqkd-network/report.json and three SVG pictures.
# Extra arguments go to `tfqkd network`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build=${TFQKD_BUILD_DIR:-build}
[[ -f "$build/build.ninja" ]] || meson setup "$build" >/dev/null
ninja -C "$build" cli/tfqkd >/dev/null
exec "$build/cli/tfqkd" network "$@"
