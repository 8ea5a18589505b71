#pragma once

#include "arbitrary/common.hpp"
#include "protocol/wire/ldpc_syndrome.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::LdpcSyndrome> {
    static Gen<tfqkd::wire::LdpcSyndrome> arbitrary() {
        using tfqkd::wire::LdpcSyndrome;
        using tfqkd::wire::testing::packed_bits;
        return gen::exec([] {
            LdpcSyndrome m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            m.code_id = *gen::arbitrary<std::uint32_t>();
            m.frame_index = *gen::arbitrary<std::uint32_t>();
            m.syndrome = *packed_bits(1, 300);
            return m;
        });
    }
};

}  // namespace rc
