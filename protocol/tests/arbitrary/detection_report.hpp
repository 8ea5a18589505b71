#pragma once

#include "arbitrary/common.hpp"
#include "protocol/wire/detection_report.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::DetectionReport> {
    static Gen<tfqkd::wire::DetectionReport> arbitrary() {
        using tfqkd::wire::DetectionReport;
        using tfqkd::wire::kMaxSlot;
        using tfqkd::wire::testing::in_closed_range;
        using tfqkd::wire::testing::increasing;
        return gen::exec([] {
            DetectionReport m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            // Spans near both ends of the slot range, so that the 2^48 bound is exercised.
            m.first_slot = *gen::oneOf(in_closed_range<std::uint64_t>(0, 1000),
                                       in_closed_range<std::uint64_t>(kMaxSlot - 1000, kMaxSlot - 1));
            m.slot_count = *in_closed_range<std::uint64_t>(1, kMaxSlot - m.first_slot);
            const auto count = *in_closed_range<std::size_t>(0, 200);
            // Gaps from 0 up to 2^40, so that varints of every length up to 7 bytes occur.
            const auto max_gap = *gen::element<std::uint64_t>(1, 100, 1ULL << 20, 1ULL << 40);
            m.slots = increasing(count, m.first_slot, m.first_slot + m.slot_count, max_gap);
            for (std::size_t i = 0; i < m.slots.size(); ++i)
                m.clicks.push_back(static_cast<DetectionReport::Click>(*in_closed_range<int>(1, 3)));
            return m;
        });
    }
};

}  // namespace rc
