// Bob's pairs of events for actively odd-parity pairing (AOPP).
// docs/wire-format.md, section 5.8. Encode and decode live in protocol/wire/aopp_pairing.cpp.
#pragma once

#include <cstdint>
#include <vector>

#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

struct AoppPairing {
    static constexpr MessageType kType = MessageType::aopp_pairing;
    static constexpr std::string_view kName = "aopp_pairing";

    static constexpr std::uint32_t kMaxPairs = 50'000'000;
    // Bob's raw-key bits of one value are effective events, whose indices are below 2^32.
    static constexpr std::uint64_t kMaxBitCount = kMaxEventIndex;

    struct Pair {
        std::uint32_t first = 0;   // strictly increasing over the pairs
        std::uint32_t second = 0;  // greater than first
        bool operator==(const Pair&) const = default;
    };

    std::uint64_t block_id = 0;
    // n_0^B and n_1^B: Bob's raw-key bits of value 0 (Z-Z events in which he sent) and of value 1
    // (he did not send). Alice needs them for the certified key length (docs/security.md 4.5).
    std::uint64_t bob_zeros = 0;
    std::uint64_t bob_ones = 0;
    std::vector<Pair> pairs;  // at most min(bob_zeros, bob_ones): a pair takes a bit of each value

    static Result<AoppPairing> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const AoppPairing&) const = default;
};

}  // namespace tfqkd::wire
