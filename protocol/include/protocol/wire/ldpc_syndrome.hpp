// The syndrome of one LDPC frame of the key.
// docs/wire-format.md, section 5.12. Encode and decode live in protocol/wire/ldpc_syndrome.cpp.
#pragma once

#include <cstdint>

#include "base/bits.hpp"
#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

struct LdpcSyndrome {
    static constexpr MessageType kType = MessageType::ldpc_syndrome;
    static constexpr std::string_view kName = "ldpc_syndrome";

    static constexpr std::uint32_t kMaxSyndromeBits = 1U << 24;

    std::uint64_t block_id = 0;
    std::uint32_t code_id = 0;
    std::uint32_t frame_index = 0;
    PackedBits syndrome;  // 1..2^24 bits

    static Result<LdpcSyndrome> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const LdpcSyndrome&) const = default;
};

}  // namespace tfqkd::wire
