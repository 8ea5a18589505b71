// Certified numerics: every enclosure contains a 1000-bit evaluation of the same quantity, is
// narrow, and the monotone pieces of the entropy are handled correctly.
#include "security/interval.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace tfqkd::security {
namespace {

double h_double(double p) {
    if (p <= 0 || p >= 1) return 0;
    return -p * std::log2(p) - (1 - p) * std::log2(1 - p);
}

// The same function at 1000 bits, as a thin reference interval.
template <class F>
Interval at_1000_bits(F f) {
    PrecisionGuard guard(1000);
    return f();
}

TEST(Interval, PrecisionGuardSetsAndRestores) {
    const unsigned before = precision_bits();
    {
        PrecisionGuard guard(1000);
        EXPECT_GE(precision_bits(), 1000U);
    }
    EXPECT_EQ(precision_bits(), before);
    EXPECT_GE(before, kDefaultPrecisionBits);
}

TEST(Interval, DecimalsThatNoDoubleRepresentsAreEnclosed) {
    const Interval tenth = from_decimal("0.1");
    EXPECT_LT(lo(tenth), hi(tenth));
    EXPECT_LE(lo(tenth), 0.1);
    EXPECT_GE(hi(tenth), 0.1);
    EXPECT_LT(width(tenth), 1e-50);
}

TEST(Interval, EntropyEnclosesThe1000BitValueOnBothMonotonePieces) {
    for (double p : {1e-12, 1e-6, 0.01, 0.11, 0.3, 0.4999, 0.5, 0.5001, 0.7, 0.99, 1 - 1e-9}) {
        const Interval h = binary_entropy(point(p));
        const Interval ref = at_1000_bits([p] { return binary_entropy(point(p)); });
        EXPECT_TRUE(contains(h, ref)) << p << " " << to_string(h, 30) << " vs " << to_string(ref, 30);
        EXPECT_LT(width(h), 1e-50) << p;
        EXPECT_NEAR(mid(h), h_double(p), 1e-14) << p;
    }
    EXPECT_EQ(hi(binary_entropy(point(0.0))), 0.0);
    EXPECT_EQ(lo(binary_entropy(point(1.0))), 0.0);
}

TEST(Interval, EntropyOfAnIntervalCoversEveryPointInIt) {
    struct Case {
        double a, b;
    };
    for (const Case c : {Case{0.01, 0.2}, Case{0.6, 0.9}, Case{0.3, 0.7}, Case{0.45, 0.52}, Case{0.0, 1.0}}) {
        const Interval h = binary_entropy(hull(point(c.a), point(c.b)));
        for (int i = 0; i <= 100; ++i) {
            const double p = c.a + (c.b - c.a) * i / 100.0;
            EXPECT_LE(lo(h), h_double(p) + 1e-15) << c.a << ".." << c.b << " at " << p;
            EXPECT_GE(hi(h), h_double(p) - 1e-15) << c.a << ".." << c.b << " at " << p;
        }
        // Tight: the ends are attained (at an end point, or at 1/2 where h = 1).
        const double top = (c.a <= 0.5 && c.b >= 0.5) ? 1.0 : std::max(h_double(c.a), h_double(c.b));
        EXPECT_NEAR(hi(h), top, 1e-14);
        EXPECT_NEAR(lo(h), std::min(h_double(c.a), h_double(c.b)), 1e-14);
    }
}

TEST(Interval, BesselI0MatchesTheLibraryAndEnclosesThe1000BitValue) {
    for (double x : {0.0, 1e-8, 0.1, 1.0, 2.5, 10.0, 40.0}) {
        const Interval i0 = bessel_i0(point(x));
        const Interval ref = at_1000_bits([x] { return bessel_i0(point(x)); });
        EXPECT_TRUE(contains(i0, ref)) << x;
        EXPECT_NEAR(mid(i0) / std::cyl_bessel_i(0.0, x), 1.0, 1e-13) << x;
        EXPECT_LT(width(i0) / mid(i0), 1e-50) << x;
    }
    // Monotone: the enclosure of an interval argument spans its ends.
    const Interval wide = bessel_i0(hull(point(1.0), point(2.0)));
    EXPECT_LE(lo(wide), std::cyl_bessel_i(0.0, 1.0));
    EXPECT_GE(hi(wide), std::cyl_bessel_i(0.0, 2.0));
}

TEST(Interval, CertifiedFloorTakesTheLowerEndAndNeverGoesNegative) {
    EXPECT_EQ(certified_floor(hull(point(41.999), point(43.5))), 41U);
    EXPECT_EQ(certified_floor(hull(point(-3.0), point(10.0))), 0U);
    EXPECT_EQ(certified_floor(point(1e15)), 1000000000000000ULL);
}

TEST(Interval, MaxMinAndClampsAreRangesOverAllPoints) {
    const Interval a = hull(point(1.0), point(3.0));
    const Interval b = hull(point(2.0), point(2.5));
    EXPECT_EQ(lo(max(a, b)), 2.0);
    EXPECT_EQ(hi(max(a, b)), 3.0);
    EXPECT_EQ(lo(min(a, b)), 1.0);
    EXPECT_EQ(hi(min(a, b)), 2.5);
    EXPECT_EQ(lo(clamp_nonnegative(hull(point(-1.0), point(2.0)))), 0.0);
    EXPECT_EQ(hi(clamp_probability(hull(point(0.5), point(1.5)))), 1.0);
    EXPECT_TRUE(certainly_less(point(1.0), point(1.0 + 1e-15)));
    EXPECT_FALSE(certainly_less(a, b));
}

}  // namespace
}  // namespace tfqkd::security
