#pragma once

#include "arbitrary/common.hpp"
#include "protocol/wire/estimation_disclosure.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::EstimationDisclosure> {
    static Gen<tfqkd::wire::EstimationDisclosure> arbitrary() {
        using tfqkd::wire::EstimationDisclosure;
        using tfqkd::wire::kMaxEventIndex;
        using tfqkd::wire::testing::in_closed_range;
        using tfqkd::wire::testing::increasing;
        return gen::exec([] {
            EstimationDisclosure m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            // Lists starting near both ends of the index range, so that the 2^32 bound is exercised.
            const auto base = *gen::oneOf(in_closed_range<std::uint64_t>(0, 1000),
                                          in_closed_range<std::uint64_t>(kMaxEventIndex - 1000, kMaxEventIndex - 1));
            const auto count = *in_closed_range<std::size_t>(0, 200);
            // Deltas up to 2^32 - 1, so that varints of every length up to 5 bytes occur.
            const auto max_gap = *gen::element<std::uint64_t>(1, 100, 1ULL << 20, kMaxEventIndex - 1);
            for (const std::uint64_t index : increasing(count, base, kMaxEventIndex, max_gap)) {
                m.indices.push_back(static_cast<std::uint32_t>(index));
                m.values.push_back(*gen::arbitrary<bool>());
            }
            return m;
        });
    }
};

}  // namespace rc
