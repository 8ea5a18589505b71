// Delta-coded lists of event indices (docs/wire-format.md, WF-ENC-9), for the codecs in this
// directory; not public API.
//
// A strictly increasing list codes each index as a varint `delta` of at most kIndexVarintBytes
// bytes, the index being `previous + 1 + delta`; a decoded index at or above kMaxEventIndex is
// `out_of_range` at the index's first byte. `previous` is the caller's state for the list: it
// starts at kBeforeFirstIndex (2^64 - 1), whose unsigned wrap-around `previous + 1 == 0` makes the
// first index its delta itself, with no special case on either side. An index coded relative to
// another by the same rule (aopp_pairing's second, relative to its first) starts from that index.
//
// (Detection reports and Cascade ranges are delta-coded too, but by rules of their own: a slot
// base, a click in the low bits, starts relative to range ends. They keep their own loops.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "base/reader.hpp"
#include "base/result.hpp"
#include "base/writer.hpp"
#include "protocol/wire/types.hpp"

namespace tfqkd::wire {

// The `previous` of a list's first index: `previous + 1` wraps around to 0.
inline constexpr std::uint64_t kBeforeFirstIndex = std::numeric_limits<std::uint64_t>::max();

// Reads the next index of a list into `out` and makes it `previous`. False, with the error recorded
// in the reader, if the varint is malformed or the index is not below kMaxEventIndex.
[[nodiscard]] inline bool read_next_index(Reader& reader, std::string_view field, std::uint64_t& previous,
                                          std::uint32_t& out) noexcept {
    const std::size_t at = reader.offset();
    std::uint64_t delta = 0;
    if (!reader.varint(field, delta, kIndexVarintBytes)) return false;
    const std::uint64_t index = previous + 1 + delta;  // at most 2^32 + 2^35: no overflow
    if (index >= kMaxEventIndex) return reader.fail_at(at, field, Errc::out_of_range);
    out = static_cast<std::uint32_t>(index);
    previous = index;
    return true;
}

// The delta that codes `value` as the next index after `previous`, which becomes `value`. False,
// with not_increasing recorded in the writer, if `value` is not above `previous`: delta coding
// cannot express it. For a caller that must check more before it writes the delta.
[[nodiscard]] inline bool next_index_delta(Writer& writer, std::string_view field, std::uint64_t& previous,
                                           std::uint32_t value, std::uint64_t& delta) {
    const std::uint64_t lowest = previous + 1;  // the least index the list can continue with
    if (value < lowest) {
        writer.fail(field, Errc::not_increasing);
        return false;
    }
    delta = value - lowest;
    previous = value;
    return true;
}

// Writes `value` as the next index after `previous`, which becomes `value`; false as next_index_delta.
[[nodiscard]] inline bool write_next_index(Writer& writer, std::string_view field, std::uint64_t& previous,
                                           std::uint32_t value) {
    std::uint64_t delta = 0;
    if (!next_index_delta(writer, field, previous, value, delta)) return false;
    writer.varint(delta);
    return true;
}

}  // namespace tfqkd::wire
