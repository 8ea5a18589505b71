#pragma once

#include "arbitrary/common.hpp"
#include "protocol/wire/aopp_pairing.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::AoppPairing> {
    static Gen<tfqkd::wire::AoppPairing> arbitrary() {
        using tfqkd::wire::AoppPairing;
        using tfqkd::wire::kMaxEventIndex;
        using tfqkd::wire::testing::in_closed_range;
        using tfqkd::wire::testing::increasing;
        return gen::exec([] {
            AoppPairing m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            // A first index needs a larger second index beside it, so firsts stay below 2^32 - 1.
            const std::uint64_t first_bound = kMaxEventIndex - 1;
            const auto base = *gen::oneOf(in_closed_range<std::uint64_t>(0, 1000),
                                          in_closed_range<std::uint64_t>(first_bound - 1000, first_bound - 1));
            const auto count = *in_closed_range<std::size_t>(0, 200);
            // Deltas up to 2^32 - 2, so that varints of every length up to 5 bytes occur.
            const auto max_gap = *gen::element<std::uint64_t>(1, 100, 1ULL << 20, kMaxEventIndex - 2);
            for (const std::uint64_t first : increasing(count, base, first_bound, max_gap)) {
                const std::uint64_t room = kMaxEventIndex - 2 - first;  // largest second_delta
                const auto second_delta = *in_closed_range<std::uint64_t>(0, std::min(max_gap, room));
                AoppPairing::Pair pair;
                pair.first = static_cast<std::uint32_t>(first);
                pair.second = static_cast<std::uint32_t>(first + 1 + second_delta);
                m.pairs.push_back(pair);
            }
            // Bob holds at least one bit of each value per pair (pair_count <= min(n_0^B, n_1^B)),
            // at most 2^32 of each; a few extra bits, or up to the bound, or exactly the bound.
            const std::uint64_t pairs = m.pairs.size();
            const auto bits_of_one_value = [pairs] {
                return *gen::oneOf(in_closed_range<std::uint64_t>(pairs, pairs + 1000),
                                   in_closed_range<std::uint64_t>(pairs, AoppPairing::kMaxBitCount),
                                   gen::just(AoppPairing::kMaxBitCount));
            };
            m.bob_zeros = bits_of_one_value();
            m.bob_ones = bits_of_one_value();
            return m;
        });
    }
};

}  // namespace rc
