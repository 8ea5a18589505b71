#pragma once

#include "arbitrary/common.hpp"
#include "protocol/wire/key_confirmation.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::KeyConfirmation> {
    static Gen<tfqkd::wire::KeyConfirmation> arbitrary() {
        using tfqkd::wire::KeyConfirmation;
        using tfqkd::wire::testing::in_closed_range;
        return gen::exec([] {
            KeyConfirmation m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            // Both ends of 0..2^30 (an empty final key is confirmed too), and anything between.
            m.key_bits = *gen::oneOf(gen::element<std::uint32_t>(0, KeyConfirmation::kMaxKeyBits),
                                     in_closed_range<std::uint32_t>(0, KeyConfirmation::kMaxKeyBits));
            for (auto& b : m.confirmation) b = *gen::arbitrary<tfqkd::Byte>();
            return m;
        });
    }
};

}  // namespace rc
