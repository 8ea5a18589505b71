#pragma once

#include "arbitrary/common.hpp"
#include "protocol/wire/privacy_amplification.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::PrivacyAmplification> {
    static Gen<tfqkd::wire::PrivacyAmplification> arbitrary() {
        using tfqkd::wire::PrivacyAmplification;
        using tfqkd::wire::testing::in_closed_range;
        return gen::exec([] {
            PrivacyAmplification m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            m.algorithm = PrivacyAmplification::Algorithm::toeplitz;
            // Small inputs, so that the seed (input + output - 1 bits) stays fast to generate; the
            // 2^30 bound is covered by the unit tests, which need no seed to reach it.
            m.input_bits = *gen::oneOf(in_closed_range<std::uint32_t>(1, 64), in_closed_range<std::uint32_t>(1, 2000));
            // output_bits at both ends of 1..input_bits as well as between them.
            m.output_bits = *gen::oneOf(gen::just<std::uint32_t>(1), gen::just(m.input_bits),
                                        in_closed_range<std::uint32_t>(1, m.input_bits));
            const std::uint64_t bits = static_cast<std::uint64_t>(m.input_bits) + m.output_bits - 1;
            // Drawn a byte at a time: thousands of bits drawn one by one would make the tests slow.
            const auto random = *gen::container<tfqkd::Bytes>(tfqkd::PackedBits::byte_count(bits),
                                                              gen::arbitrary<tfqkd::Byte>());
            m.seed = tfqkd::PackedBits(bits);
            for (std::uint64_t i = 0; i < bits; ++i) m.seed.set(i, ((static_cast<unsigned>(random[i / 8]) >> (i % 8)) & 1U) != 0);
            return m;
        });
    }
};

}  // namespace rc
