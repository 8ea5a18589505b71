#include "base/rng.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>

namespace tfqkd {
namespace {

TEST(CounterRng, AnyOutputCanBeRecomputedFromSeedStreamAndIndex) {
    CounterRng a(42, 7);
    std::array<std::uint64_t, 100> outputs{};
    for (auto& v : outputs) v = a.next();
    const CounterRng b(42, 7);
    for (std::size_t i = 0; i < outputs.size(); ++i) EXPECT_EQ(b.at(i), outputs[i]);
}

TEST(CounterRng, SeedsAndStreamsGiveDifferentSequences) {
    EXPECT_NE(CounterRng(1, 0).at(0), CounterRng(2, 0).at(0));
    EXPECT_NE(CounterRng(1, 0).at(0), CounterRng(1, 1).at(0));
    EXPECT_NE(CounterRng(1, 0).at(0), CounterRng(1, 0).at(1));
}

TEST(CounterRng, BelowAndUniformAreInRangeAndRoughlyUniform) {
    CounterRng rng(3);
    constexpr int kDraws = 100000;
    std::array<int, 10> buckets{};
    double sum = 0;
    for (int i = 0; i < kDraws; ++i) {
        const auto v = rng.below(10);
        ASSERT_LT(v, 10U);
        ++buckets[v];
        const double u = rng.uniform();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        sum += u;
    }
    // Each bucket expects 10^4 with standard deviation ~95; 6 sigma bounds never fail by chance.
    for (int count : buckets) EXPECT_NEAR(count, kDraws / 10, 600);
    EXPECT_NEAR(sum / kDraws, 0.5, 6 * std::sqrt(1.0 / 12 / kDraws));
}

}  // namespace
}  // namespace tfqkd
