// The parities a Cascade query asked for, in the order of its ranges.
// docs/wire-format.md, section 5.11. Encode and decode live in protocol/wire/cascade_parity_reply.cpp.
#pragma once

#include <cstdint>

#include "base/bits.hpp"
#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

struct CascadeParityReply {
    static constexpr MessageType kType = MessageType::cascade_parity_reply;
    static constexpr std::string_view kName = "cascade_parity_reply";

    static constexpr std::uint32_t kMaxParities = 1U << 24;

    std::uint64_t block_id = 0;
    std::uint32_t query_id = 0;
    PackedBits parities;  // 1..2^24 bits

    static Result<CascadeParityReply> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const CascadeParityReply&) const = default;
};

}  // namespace tfqkd::wire
