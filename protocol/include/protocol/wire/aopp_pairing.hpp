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

    struct Pair {
        std::uint32_t first = 0;   // strictly increasing over the pairs
        std::uint32_t second = 0;  // greater than first
        bool operator==(const Pair&) const = default;
    };

    std::uint64_t block_id = 0;
    std::uint64_t bob_zeros = 0;  // TEMPORARY: the codec change is on branch aopp-counts
    std::uint64_t bob_ones = 0;
    std::vector<Pair> pairs;

    static Result<AoppPairing> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const AoppPairing&) const = default;
};

}  // namespace tfqkd::wire
