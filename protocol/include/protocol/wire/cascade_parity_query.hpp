// A request for the parities of ranges of the key in a Cascade pass's permuted order.
// docs/wire-format.md, section 5.10. Encode and decode live in protocol/wire/cascade_parity_query.cpp.
#pragma once

#include <cstdint>
#include <vector>

#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

struct CascadeParityQuery {
    static constexpr MessageType kType = MessageType::cascade_parity_query;
    static constexpr std::string_view kName = "cascade_parity_query";

    static constexpr std::uint8_t kMaxPass = 16;
    static constexpr std::uint32_t kMaxRanges = 1U << 24;
    static constexpr std::uint64_t kMaxEnd = 1ULL << 32;

    struct Range {
        std::uint64_t start = 0;   // ranges increasing and disjoint
        std::uint64_t length = 1;  // at least 1; start + length <= 2^32
        bool operator==(const Range&) const = default;
    };

    std::uint64_t block_id = 0;
    std::uint32_t query_id = 0;
    std::uint8_t pass = 1;  // 1..16
    std::uint64_t permutation_seed = 0;
    std::vector<Range> ranges;  // 1..2^24

    static Result<CascadeParityQuery> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const CascadeParityQuery&) const = default;
};

}  // namespace tfqkd::wire
