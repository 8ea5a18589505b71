#pragma once

#include "arbitrary/common.hpp"
#include "protocol/wire/cascade_parity_reply.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::CascadeParityReply> {
    static Gen<tfqkd::wire::CascadeParityReply> arbitrary() {
        using tfqkd::wire::CascadeParityReply;
        using tfqkd::wire::testing::packed_bits;
        return gen::exec([] {
            CascadeParityReply m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            m.query_id = *gen::arbitrary<std::uint32_t>();
            // A reply answers at least one range.
            m.parities = *packed_bits(1, 300);
            return m;
        });
    }
};

}  // namespace rc
