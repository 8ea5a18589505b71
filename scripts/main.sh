#!/usr/bin/env bash
# Quick start (a): sets up a fresh Debian 12 machine, builds tfqkd and runs its main job.
# Until the network layer lands, the main job encodes a sample session's frames, decodes them back
# and prints them. Extra arguments go to `tfqkd transcript`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build=${TFQKD_BUILD_DIR:-build}
[[ -f "$build/build.ninja" ]] || meson setup "$build" >/dev/null
ninja -C "$build" cli/tfqkd >/dev/null
exec "$build/cli/tfqkd" transcript "$@"
