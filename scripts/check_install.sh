#!/usr/bin/env bash
# Checks that `meson install` gives others what they need to build against tfqkd: installs the
# build in BUILD_DIR into a scratch root, then compiles and runs a small program that decodes a
# frame through the installed headers, libraries and pkg-config files alone.
set -euo pipefail
build=${1:-build}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
meson install -C "$build" --destdir "$root" >/dev/null
pcdir=$(dirname "$(find "$root" -name tfqkd-protocol.pc | head -1)")
prefix=$(sed -n 's/^prefix=//p' "$pcdir/tfqkd-protocol.pc")
cat >"$root/consumer.cpp" <<'CPP'
#include <cstdio>
#include "protocol/wire/frame.hpp"
#include "protocol/wire/json.hpp"
int main() {
    using namespace tfqkd::wire;
    Abort abort;
    abort.reason = Abort::Reason::timeout;
    auto bytes = encode_frame_message(FrameHeader{MessageType::abort, Role::charlie, Role::bob, 1, 0}, Message(abort));
    if (!bytes) return 1;
    auto back = decode_frame_message(*bytes);
    if (!back) return 2;
    std::puts(to_json(back->message).dump().c_str());
    return 0;
}
CPP
flags=$(PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$root" pkg-config --cflags --libs tfqkd-protocol)
# shellcheck disable=SC2086
c++ -std=c++20 "$root/consumer.cpp" -o "$root/consumer" $flags
out=$(LD_LIBRARY_PATH="$root$prefix/lib/$(gcc -print-multiarch):$root$prefix/lib" "$root/consumer")
[[ "$out" == *'"reason":9'* ]] || { echo "install check: unexpected output: $out"; exit 1; }
test -f "$root$prefix/share/tfqkd/wire-vectors/frame.json" || { echo "install check: vectors not installed"; exit 1; }
# The conformance C ABI: the installed header is plain C a vendor compiles, and the reference library,
# the primitive vectors and the command's libraries are installed.
printf '#include "tfqkd/conformance_abi.h"\nuint32_t tfqkd_abi_version(void) { return TFQKD_ABI_VERSION; }\n' >"$root/vendor.c"
cc -std=c11 -pedantic -Wall -Wextra -Werror -c "$root/vendor.c" -o "$root/vendor.o" -I"$root$prefix/include/tfqkd"
test -f "$root$prefix/share/tfqkd/conformance-vectors/key_length.json" || { echo "install check: conformance vectors not installed"; exit 1; }
find "$root$prefix" -name 'libtfqkd_conformance_ref.so*' | grep -q . \
  || { echo "install check: libtfqkd_conformance_ref.so not installed"; exit 1; }
echo "install check: headers (C++ and the C ABI), libraries, pkg-config files and vectors usable from $prefix"
