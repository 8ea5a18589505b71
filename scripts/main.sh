#!/usr/bin/env bash
# Quick start (a): sets up a fresh Debian 12 machine, builds tfqkd and runs its main job.
# Until the 20-user network lands (issue #9), the main job is one session of the reference protocol
# (SNS with AOPP over 370 km, 10^11 pulses). Extra arguments go to `tfqkd session`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build=${TFQKD_BUILD_DIR:-build}
[[ -f "$build/build.ninja" ]] || meson setup "$build" >/dev/null
ninja -C "$build" cli/tfqkd >/dev/null
exec "$build/cli/tfqkd" session "$@"
