// Alice's parity of her bits in each AOPP pair, in pair order.
// docs/wire-format.md, section 5.9. Encode and decode live in protocol/wire/aopp_parity.cpp.
#pragma once

#include <cstdint>

#include "base/bits.hpp"
#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

struct AoppParity {
    static constexpr MessageType kType = MessageType::aopp_parity;
    static constexpr std::string_view kName = "aopp_parity";

    static constexpr std::uint32_t kMaxPairs = 50'000'000;

    std::uint64_t block_id = 0;
    PackedBits parities;  // 1 = odd; at most 5 * 10^7 bits

    static Result<AoppParity> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const AoppParity&) const = default;
};

}  // namespace tfqkd::wire
