#pragma once

#include "arbitrary/common.hpp"
#include "protocol/wire/estimation_disclosure.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::EstimationDisclosure> {
    static Gen<tfqkd::wire::EstimationDisclosure> arbitrary() {
        using tfqkd::wire::EstimationDisclosure;
        using tfqkd::wire::kMaxEventIndex;
        using tfqkd::wire::testing::event_indices;
        return gen::exec([] {
            EstimationDisclosure m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            for (const std::uint64_t index : event_indices(kMaxEventIndex)) {
                m.indices.push_back(static_cast<std::uint32_t>(index));
                m.values.push_back(*gen::arbitrary<bool>());
            }
            return m;
        });
    }
};

}  // namespace rc
