// Shared RapidCheck generators for the wire-format property tests.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "base/bits.hpp"

namespace tfqkd::wire::testing {

// A uniformly chosen integer in [lo, hi] (RapidCheck's inRange is half-open).
template <class T>
rc::Gen<T> in_closed_range(T lo, T hi) {
    if (hi == std::numeric_limits<T>::max()) {
        if (lo == std::numeric_limits<T>::min()) return rc::gen::arbitrary<T>();
        return rc::gen::map(rc::gen::inRange<T>(static_cast<T>(lo - 1), hi),
                            [](T v) { return static_cast<T>(v + 1); });
    }
    return rc::gen::inRange<T>(lo, static_cast<T>(hi + 1));
}

// Sizes are kept small so that hundreds of cases run in milliseconds; limits are exercised by the
// vector files and by dedicated tests, not by generating 10^8-element lists.
inline rc::Gen<PackedBits> packed_bits(std::uint64_t min_size, std::uint64_t max_size) {
    return rc::gen::exec([min_size, max_size] {
        const auto size = *in_closed_range<std::uint64_t>(min_size, max_size);
        PackedBits bits;
        for (std::uint64_t i = 0; i < size; ++i) bits.push_back(*rc::gen::arbitrary<bool>());
        return bits;
    });
}

// A strictly increasing list of at most `count` values in [base, bound), as the delta-coded lists
// are. Call it inside rc::gen::exec (it draws values with operator*).
inline std::vector<std::uint64_t> increasing(std::size_t count, std::uint64_t base, std::uint64_t bound,
                                             std::uint64_t max_gap) {
    std::vector<std::uint64_t> out;
    std::uint64_t next = base;
    for (std::size_t i = 0; i < count && next < bound; ++i) {
        const std::uint64_t room = bound - next - 1;
        const std::uint64_t gap = *in_closed_range<std::uint64_t>(0, std::min(max_gap, room));
        out.push_back(next + gap);
        next = next + gap + 1;
    }
    return out;
}

// Strictly increasing event indices for the delta-coded lists (WF-ENC-9), starting near either end
// of the index range so that the 2^32 bound is exercised, with deltas of every varint length up to 5
// bytes. Call it inside rc::gen::exec.
inline std::vector<std::uint64_t> event_indices(std::uint64_t bound, std::size_t max_count = 200) {
    const auto base = *rc::gen::oneOf(in_closed_range<std::uint64_t>(0, 1000),
                                      in_closed_range<std::uint64_t>(bound - 1000, bound - 1));
    const auto count = *in_closed_range<std::size_t>(0, max_count);
    const auto max_gap = *rc::gen::element<std::uint64_t>(1, 100, 1ULL << 20, bound - 1);
    return increasing(count, base, bound, max_gap);
}

}  // namespace tfqkd::wire::testing
