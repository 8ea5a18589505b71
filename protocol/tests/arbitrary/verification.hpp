#pragma once

#include "arbitrary/common.hpp"
#include "protocol/wire/verification.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::Verification> {
    static Gen<tfqkd::wire::Verification> arbitrary() {
        using tfqkd::wire::Verification;
        return gen::exec([] {
            Verification m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            m.algorithm = *gen::element(Verification::Algorithm::poly_gf2_64, Verification::Algorithm::poly_gf2_128);
            const std::size_t size = Verification::size_of(m.algorithm);
            m.seed = *gen::container<tfqkd::Bytes>(size, gen::arbitrary<tfqkd::Byte>());
            m.tag = *gen::container<tfqkd::Bytes>(size, gen::arbitrary<tfqkd::Byte>());
            return m;
        });
    }
};

}  // namespace rc
