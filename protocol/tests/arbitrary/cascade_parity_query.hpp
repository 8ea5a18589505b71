#pragma once

#include <algorithm>

#include "arbitrary/common.hpp"
#include "protocol/wire/cascade_parity_query.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::CascadeParityQuery> {
    static Gen<tfqkd::wire::CascadeParityQuery> arbitrary() {
        using tfqkd::wire::CascadeParityQuery;
        using tfqkd::wire::testing::in_closed_range;
        return gen::exec([] {
            constexpr std::uint64_t kEnd = CascadeParityQuery::kMaxEnd;
            CascadeParityQuery m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            m.query_id = *gen::arbitrary<std::uint32_t>();
            m.pass = *in_closed_range<std::uint8_t>(1, CascadeParityQuery::kMaxPass);
            m.permutation_seed = *gen::arbitrary<std::uint64_t>();
            const auto count = *in_closed_range<std::size_t>(1, 200);
            // Gaps and lengths from 0 (adjacent ranges) and 1 up to 2^31, so that every varint
            // length up to the five bytes allowed occurs.
            const auto max_gap = *gen::element<std::uint64_t>(0, 3, 1000, 1ULL << 20, 1ULL << 31);
            const auto max_length = *gen::element<std::uint64_t>(1, 16, 1000, 1ULL << 20, 1ULL << 31);
            // Sometimes start just below 2^32, and sometimes end the last range exactly at 2^32.
            const bool near_end = *gen::arbitrary<bool>();
            const bool end_at_bound = *gen::arbitrary<bool>();
            std::uint64_t next = near_end ? *in_closed_range<std::uint64_t>(kEnd - 1000, kEnd - 1) : 0;
            for (std::size_t i = 0; i < count && next < kEnd; ++i) {
                CascadeParityQuery::Range range;
                range.start = next + *in_closed_range<std::uint64_t>(0, std::min(max_gap, kEnd - next - 1));
                const std::uint64_t room = kEnd - range.start;
                const bool last = i + 1 == count;
                range.length = last && end_at_bound ? room
                                                     : *in_closed_range<std::uint64_t>(1, std::min(max_length, room));
                m.ranges.push_back(range);
                next = range.start + range.length;
            }
            return m;
        });
    }
};

}  // namespace rc
