// Byte strings and views, and hex conversion for vectors, logs of public data and reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace tfqkd {

using Byte = std::uint8_t;
using ByteSpan = std::span<const Byte>;
using MutableByteSpan = std::span<Byte>;
using Bytes = std::vector<Byte>;

// Lower-case hex of `data`. Use only for public data: secrets are never printed.
std::string to_hex(ByteSpan data);

// Parses hex (either case, no separators, even length). The error names `what` as its message.
Result<Bytes> from_hex(std::string_view hex, std::string_view what = "hex");

inline ByteSpan as_bytes(std::string_view text) noexcept {
    return {reinterpret_cast<const Byte*>(text.data()), text.size()};
}

}  // namespace tfqkd
