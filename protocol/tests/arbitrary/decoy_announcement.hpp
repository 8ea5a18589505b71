#pragma once

#include "arbitrary/common.hpp"
#include "protocol/wire/decoy_announcement.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::DecoyAnnouncement> {
    static Gen<tfqkd::wire::DecoyAnnouncement> arbitrary() {
        using tfqkd::wire::DecoyAnnouncement;
        using tfqkd::wire::kMaxEventIndex;
        using tfqkd::wire::testing::in_closed_range;
        using tfqkd::wire::testing::event_indices;
        return gen::exec([] {
            DecoyAnnouncement m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            for (const std::uint64_t index : event_indices(kMaxEventIndex)) {
                DecoyAnnouncement::Entry e;
                e.index = static_cast<std::uint32_t>(index);
                e.setting = *in_closed_range<std::uint8_t>(0, DecoyAnnouncement::kMaxSetting);
                e.phase_slice = *in_closed_range<std::uint16_t>(0, DecoyAnnouncement::kMaxPhaseSlice);
                m.entries.push_back(e);
            }
            return m;
        });
    }
};

}  // namespace rc
