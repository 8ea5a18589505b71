#pragma once

#include "arbitrary/common.hpp"
#include "protocol/wire/phase_reference_report.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::PhaseReferenceReport> {
    static Gen<tfqkd::wire::PhaseReferenceReport> arbitrary() {
        using tfqkd::wire::kMaxSlot;
        using tfqkd::wire::PhaseReferenceReport;
        using tfqkd::wire::testing::in_closed_range;
        return gen::exec([] {
            PhaseReferenceReport m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            // Both ends of the slot and stride ranges, so that the 2^48 bounds are exercised.
            m.first_slot = *gen::oneOf(in_closed_range<std::uint64_t>(0, 1000),
                                       in_closed_range<std::uint64_t>(0, kMaxSlot - 1),
                                       in_closed_range<std::uint64_t>(kMaxSlot - 1000, kMaxSlot - 1));
            m.sample_stride = *gen::oneOf(in_closed_range<std::uint64_t>(1, 1000),
                                          in_closed_range<std::uint64_t>(1, kMaxSlot),
                                          in_closed_range<std::uint64_t>(kMaxSlot - 1000, kMaxSlot));
            const auto count = *in_closed_range<std::size_t>(0, 200);
            m.phases = *gen::container<std::vector<std::uint32_t>>(count, gen::arbitrary<std::uint32_t>());
            return m;
        });
    }
};

}  // namespace rc
