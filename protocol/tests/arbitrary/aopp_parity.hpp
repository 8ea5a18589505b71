#pragma once

#include "arbitrary/common.hpp"
#include "protocol/wire/aopp_parity.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::AoppParity> {
    static Gen<tfqkd::wire::AoppParity> arbitrary() {
        using tfqkd::wire::AoppParity;
        using tfqkd::wire::testing::packed_bits;
        return gen::exec([] {
            AoppParity m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            // Zero pairs is valid; sizes around multiples of 8 exercise the padding rule.
            m.parities = *packed_bits(0, 300);
            return m;
        });
    }
};

}  // namespace rc
