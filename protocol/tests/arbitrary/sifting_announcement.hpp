#pragma once

#include "arbitrary/common.hpp"
#include "protocol/wire/sifting_announcement.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::SiftingAnnouncement> {
    static Gen<tfqkd::wire::SiftingAnnouncement> arbitrary() {
        using tfqkd::wire::SiftingAnnouncement;
        using tfqkd::wire::testing::packed_bits;
        return gen::exec([] {
            SiftingAnnouncement m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            m.windows = *packed_bits(0, 200);
            return m;
        });
    }
};

}  // namespace rc
