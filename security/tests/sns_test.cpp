// SNS key length from count statistics built here from known yields (so the truth is known):
// decoy bounds below the true single-photon yield, monotonicity, finite <= asymptotic, the
// containment of a 1000-bit evaluation, and clear errors for what is not accepted.
#include "containment.hpp"
#include "security/sns.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace tfqkd::security {
namespace {

// Symmetric 4-intensity SNS: Z sending mu_z with p_z eps, Z vacuum, X vacuum, mu_1, mu_2.
ProtocolParameters protocol(std::uint64_t pulses) {
    ProtocolParameters p;
    p.family = Family::sns;
    const double pz = 0.8, eps = 0.25;
    p.alice = {{Window::z, 0.45, pz * eps},
               {Window::z, 0.0, pz * (1 - eps)},
               {Window::x, 0.0, 0.2 * 0.5},
               {Window::x, 0.1, 0.2 * 0.3},
               {Window::x, 0.38, 0.2 * 0.2}};
    p.bob = p.alice;
    p.pulses = pulses;
    return p;
}

// Yields of n photons from one side with the other side vacuum, for an arm of transmittance eta and
// dark counts pd (exactly one click): y_n = (1 - (1-eta)^n)(1 - pd) + (1-eta)^n 2 pd (1-pd).
double yield(unsigned n, double eta, double pd) {
    const double miss = std::pow(1 - eta, n);
    return (1 - miss) * (1 - pd) + miss * 2 * pd * (1 - pd);
}

double one_sided_rate(double mu, double eta, double pd) {
    double s = 0, w = std::exp(-mu);
    for (unsigned n = 0; n < 60; ++n) {
        s += w * yield(n, eta, pd);
        w *= mu / (n + 1);
    }
    return s;
}

// Statistics whose one-sided classes follow the yields above exactly (expected values), with a
// phase-matched X1 error rate `t_rate` per window and a key of n_t bits at error rate e_z.
CountStatistics statistics(const ProtocolParameters& p, double eta, double pd, double t_rate, double e_z) {
    CountStatistics c;
    const double n = static_cast<double>(p.pulses);
    const std::size_t vac = 2, weak = 3, strong = 4;
    for (std::size_t a : {vac, weak, strong}) {
        for (std::size_t b : {vac, weak, strong}) {
            const double sent = n * p.alice[a].probability * p.bob[b].probability;
            double rate = 0;
            if (a == vac) rate = one_sided_rate(p.bob[b].intensity, eta, pd);
            else if (b == vac) rate = one_sided_rate(p.alice[a].intensity, eta, pd);
            else rate = one_sided_rate(p.alice[a].intensity + p.bob[b].intensity, eta, pd);  // not used by SNS
            c.classes.push_back({a, b, sent, sent * rate / 2, sent * rate / 2, 0});
        }
    }
    const double windows = n * p.alice[weak].probability * p.bob[weak].probability * 2 / 16;
    c.phase_matched = {windows, windows * 2 * one_sided_rate(0.1, eta, pd), windows * t_rate};
    const double n_t = n * 0.64 * 2 * 0.25 * 0.75 * one_sided_rate(0.45, eta, pd);
    c.key = {n_t, n_t * e_z, std::nullopt};
    return c;
}

SecurityParameters security() {
    SecurityParameters s;
    s.eps_cor = 1e-15;
    s.eps_pa = s.eps_pe = s.eps_smooth = 1e-10;
    s.eps_total = 1e-8;
    return s;
}

// The certified length at the default precision and the same formula at 1000 bits: the interval
// must contain the precise enclosure, the certified bits lie at or below it, and the enclosure is
// far narrower than one bit. Returns the certified result for further checks.
KeyLength expect_contains_1000_bit_evaluation(const ProtocolParameters& p, const CountStatistics& c) {
    return testing::expect_contains_1000_bit_evaluation([&] { return sns_key_length(p, security(), c, {}); });
}

TEST(Sns, DecoyBoundStaysBelowTheTrueSinglePhotonYield) {
    for (double eta : {1e-2, 1e-3, 1e-4}) {
        const auto p = protocol(1'000'000'000'000);
        const auto c = statistics(p, eta, 1e-8, 1e-6, 0.05);
        auto asym = sns_key_length(p, security(), c, {Analysis::asymptotic, 1.1});
        ASSERT_TRUE(asym.ok()) << asym.error().to_string();
        const double truth = yield(1, eta, 1e-8);
        EXPECT_LE(hi(asym->breakdown.s1_lower), truth) << eta;
        EXPECT_GT(lo(asym->breakdown.s1_lower), 0.9 * truth) << "two-decoy bound is tight at these intensities";
        auto fin = sns_key_length(p, security(), c, {Analysis::finite, 1.1});
        ASSERT_TRUE(fin.ok()) << fin.error().to_string();
        EXPECT_LE(hi(fin->breakdown.s1_lower), hi(asym->breakdown.s1_lower));
    }
}

TEST(Sns, FiniteKeyIsShorterThanAsymptoticAndGrowsWithN) {
    std::uint64_t previous = 0;
    for (std::uint64_t n : {1'000'000'000ULL, 100'000'000'000ULL, 10'000'000'000'000ULL}) {
        const auto p = protocol(n);
        const auto c = statistics(p, 1e-3, 1e-8, 2e-6, 0.05);
        auto fin = sns_key_length(p, security(), c, {Analysis::finite, 1.1});
        auto asym = sns_key_length(p, security(), c, {Analysis::asymptotic, 1.1});
        ASSERT_TRUE(fin.ok() && asym.ok());
        EXPECT_LE(fin->bits, asym->bits);
        EXPECT_GE(lo(fin->rate_per_pulse), 0.0);
        if (previous > 0) {
            EXPECT_GT(fin->bits, previous);
        }
        previous = fin->bits;
    }
    EXPECT_GT(previous, 0U);
}

TEST(Sns, MoreErrorsNeverLengthenTheKey) {
    const auto p = protocol(100'000'000'000ULL);
    std::uint64_t last_phase = ~0ULL;
    for (double t : {1e-7, 1e-6, 3e-6, 1e-5}) {
        auto k = sns_key_length(p, security(), statistics(p, 1e-3, 1e-8, t, 0.05), {});
        ASSERT_TRUE(k.ok());
        EXPECT_LE(k->bits, last_phase) << t;
        last_phase = k->bits;
    }
    std::uint64_t last_bit = ~0ULL;
    for (double e : {0.01, 0.05, 0.1, 0.2}) {
        auto k = sns_key_length(p, security(), statistics(p, 1e-3, 1e-8, 1e-6, e), {});
        ASSERT_TRUE(k.ok());
        EXPECT_LE(k->bits, last_bit) << e;
        last_bit = k->bits;
    }
}

TEST(Sns, IntervalContainsThe1000BitEvaluationAndIsNarrowerThanOneBit) {
    const auto p = protocol(100'000'000'000ULL);
    EXPECT_GT(expect_contains_1000_bit_evaluation(p, statistics(p, 1e-3, 1e-8, 1e-6, 0.05)).bits, 0U);
}

TEST(Sns, ZeroKeySaysWhy) {
    const auto p = protocol(1'000'000ULL);
    auto k = sns_key_length(p, security(), statistics(p, 1e-3, 1e-8, 1e-6, 0.05), {});
    ASSERT_TRUE(k.ok());
    EXPECT_EQ(k->bits, 0U);
    EXPECT_FALSE(k->zero_reason.empty());
}

TEST(Sns, RejectsWhatItDoesNotCertifyWithTheField) {
    auto p = protocol(1'000'000'000ULL);
    const auto c = statistics(p, 1e-3, 1e-8, 1e-6, 0.05);
    p.alice[0].probability = 0.3;  // sums to 1.1
    auto r = sns_key_length(p, security(), c, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "alice[].probability");
    EXPECT_NE(r.error().detail.find("sum"), std::string::npos);

    p = protocol(1'000'000'000ULL);
    p.aopp = true;
    r = sns_key_length(p, security(), c, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "aopp");

    p = protocol(1'000'000'000ULL);
    auto bad = c;
    bad.classes[0].left = bad.classes[0].sent * 2;
    r = sns_key_length(p, security(), bad, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "classes[].sent");

    auto strict = security();
    strict.eps_total = 1e-10;
    r = sns_key_length(p, strict, c, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "eps_total");
}


// --- The 3-intensity protocol (docs/security.md 4.1): X decoys 0 and mu_1, mu_z as the strong decoy --

ProtocolParameters three_intensity_protocol(std::uint64_t pulses) {
    ProtocolParameters p = protocol(pulses);
    p.alice.pop_back();                // no X mu_2
    p.alice[2].probability += 0.2 * 0.2;  // its probability to the X vacuum
    p.bob = p.alice;
    return p;
}

// X-X classes and the two one-sided Z classes from the known yields; phase-matched windows and key
// as in statistics() above.
CountStatistics three_intensity_statistics(const ProtocolParameters& p, double eta, double pd, double t_rate,
                                           double e_z) {
    CountStatistics c;
    const double n = static_cast<double>(p.pulses);
    const auto add = [&](std::size_t a, std::size_t b) {
        const double sent = n * p.alice[a].probability * p.bob[b].probability;
        const double rate = one_sided_rate(p.alice[a].intensity + p.bob[b].intensity, eta, pd);
        c.classes.push_back({a, b, sent, sent * rate / 2, sent * rate / 2, 0});
    };
    for (std::size_t a : {std::size_t{2}, std::size_t{3}})
        for (std::size_t b : {std::size_t{2}, std::size_t{3}}) add(a, b);
    add(0, 1);  // Alice sends mu_z, Bob Z vacuum
    add(1, 0);
    const double windows = n * p.alice[3].probability * p.bob[3].probability * 2 / 16;
    c.phase_matched = {windows, windows * 2 * one_sided_rate(0.1, eta, pd), windows * t_rate};
    const double n_t = n * 0.64 * 2 * 0.25 * 0.75 * one_sided_rate(0.45, eta, pd);
    c.key = {n_t, n_t * e_z, std::nullopt};
    return c;
}

TEST(SnsThreeIntensity, DecoyBoundStaysBelowTheTrueYieldAndTheIntervalHoldsThe1000BitValue) {
    for (double eta : {1e-2, 1e-3, 1e-4}) {
        const auto p = three_intensity_protocol(1'000'000'000'000ULL);
        const auto c = three_intensity_statistics(p, eta, 1e-8, 1e-6, 0.05);
        auto asym = sns_key_length(p, security(), c, {Analysis::asymptotic, 1.1});
        ASSERT_TRUE(asym.ok()) << asym.error().to_string();
        const double truth = yield(1, eta, 1e-8);
        EXPECT_LE(hi(asym->breakdown.s1_lower), truth) << eta;
        // mu_z = 0.45 is a looser strong decoy than the 4-intensity test's 0.38.
        EXPECT_GT(lo(asym->breakdown.s1_lower), 0.8 * truth) << eta;
        EXPECT_LE(expect_contains_1000_bit_evaluation(p, c).bits, asym->bits);
    }
}

TEST(SnsThreeIntensity, NeedsTheOneSidedZClasses) {
    const auto p = three_intensity_protocol(1'000'000'000'000ULL);
    auto c = three_intensity_statistics(p, 1e-3, 1e-8, 1e-6, 0.05);
    c.classes.pop_back();  // alice Z vacuum - bob Z sending
    auto r = sns_key_length(p, security(), c, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "classes");
    EXPECT_NE(r.error().detail.find("bob Z sending"), std::string::npos) << r.error().detail;
}

// --- SNS with AOPP (docs/security.md 4.5) ---------------------------------------------------------

// The same experiment with AOPP: Bob's raw key of n_t bits at error rate e_z splits evenly between
// his two bit values (symmetric settings), he pairs all of them, a pair survives when both bits are
// right or both wrong, and its kept bit is wrong when both were. `pairs_fraction` < 1 pairs fewer.
CountStatistics aopp_statistics(const ProtocolParameters& p, double eta, double pd, double t_rate, double e_z,
                                double pairs_fraction = 1.0) {
    CountStatistics c = statistics(p, eta, pd, t_rate, e_z);
    const double raw = c.key.effective;
    const double pairs = raw / 2 * pairs_fraction;
    c.aopp = AoppCounts{raw / 2, raw / 2, pairs};
    c.key = {pairs * ((1 - e_z) * (1 - e_z) + e_z * e_z), pairs * e_z * e_z, std::nullopt};
    return c;
}

ProtocolParameters aopp_protocol(std::uint64_t pulses) {
    ProtocolParameters p = protocol(pulses);
    p.aopp = true;
    return p;
}

TEST(SnsAopp, IntervalContainsThe1000BitEvaluationAndIsNarrowerThanOneBit) {
    const auto p = aopp_protocol(100'000'000'000ULL);
    for (const double pairs_fraction : {1.0, 0.9}) {  // one kind paired whole (one C6 stage), or two
        const KeyLength k =
            expect_contains_1000_bit_evaluation(p, aopp_statistics(p, 1e-3, 1e-8, 1e-6, 0.05, pairs_fraction));
        EXPECT_GT(k.bits, 0U);
        EXPECT_EQ(k.breakdown.estimates, pairs_fraction == 1.0 ? 11U : 12U);
    }
}

TEST(SnsAopp, PairingKeepsFewerUntaggedBitsButAtALowerErrorRate) {
    const auto p = aopp_protocol(10'000'000'000'000ULL);
    const auto c = aopp_statistics(p, 1e-3, 1e-8, 1e-6, 0.05);
    auto k = sns_key_length(p, security(), c, {Analysis::asymptotic, 1.1});
    ASSERT_TRUE(k.ok());
    const auto& b = k->breakdown;
    // Asymptotically, n1' = g (u0/n0)(u1/n1) with u0 = u1 = n1/2 and g = n0 = n1 = n_t/2: half the
    // untagged bits times the untagged fraction of the raw key.
    const double untagged = mid(b.raw_untagged_lower);
    const double raw = c.aopp->bob_zeros + c.aopp->bob_ones;
    EXPECT_NEAR(mid(b.untagged_lower), untagged / 2 * (untagged / raw), 1e-9 * untagged);
    // e' = 2e(1 - e) from the raw rate e.
    const double e = mid(b.raw_phase_error_rate_upper);
    EXPECT_NEAR(mid(b.phase_error_rate_upper), 2 * e * (1 - e), 1e-12);
    EXPECT_NEAR(mid(b.key_error_rate), 0.05 * 0.05 / (0.95 * 0.95 + 0.05 * 0.05), 1e-12);
}

TEST(SnsAopp, FiniteKeyIsShorterThanAsymptoticAndMoreErrorsNeverLengthenIt) {
    const auto p = aopp_protocol(100'000'000'000ULL);
    const auto c = aopp_statistics(p, 1e-3, 1e-8, 1e-6, 0.05);
    auto fin = sns_key_length(p, security(), c, {Analysis::finite, 1.1});
    auto asym = sns_key_length(p, security(), c, {Analysis::asymptotic, 1.1});
    ASSERT_TRUE(fin.ok() && asym.ok());
    EXPECT_LT(fin->bits, asym->bits);
    EXPECT_GT(fin->bits, 0U);
    std::uint64_t last = ~0ULL;
    for (double t : {1e-7, 1e-6, 3e-6, 1e-5}) {
        auto k = sns_key_length(p, security(), aopp_statistics(p, 1e-3, 1e-8, t, 0.05), {});
        ASSERT_TRUE(k.ok());
        EXPECT_LE(k->bits, last) << t;
        last = k->bits;
    }
    last = ~0ULL;
    for (double errors : {0.0, 1e3, 1e5, 1e6}) {
        auto more = c;
        more.key.errors = errors;
        auto k = sns_key_length(p, security(), more, {});
        ASSERT_TRUE(k.ok());
        EXPECT_LE(k->bits, last) << errors;
        last = k->bits;
    }
    last = ~0ULL;
    for (double fraction : {1.0, 0.8, 0.5, 0.1}) {  // fewer pairs, fewer untagged pairs
        auto k = sns_key_length(p, security(), aopp_statistics(p, 1e-3, 1e-8, 1e-6, 0.05, fraction), {});
        ASSERT_TRUE(k.ok());
        EXPECT_LE(k->bits, last) << fraction;
        last = k->bits;
    }
}

TEST(SnsAopp, RejectsInconsistentPairingCountsWithTheField) {
    const auto p = aopp_protocol(100'000'000'000ULL);
    const auto good = aopp_statistics(p, 1e-3, 1e-8, 1e-6, 0.05);
    auto missing = good;
    missing.aopp.reset();
    auto r = sns_key_length(p, security(), missing, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "aopp");

    auto too_many_pairs = good;
    too_many_pairs.aopp->pairs = too_many_pairs.aopp->bob_zeros + 1;
    r = sns_key_length(p, security(), too_many_pairs, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "aopp.pairs");

    auto too_many_bits = good;
    too_many_bits.key.effective = too_many_bits.aopp->pairs + 1;
    r = sns_key_length(p, security(), too_many_bits, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "key.effective");

    r = sns_key_length(protocol(100'000'000'000ULL), security(), good, {});  // AOPP counts, no AOPP
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "aopp");
}

TEST(SnsAopp, NoPairsMeansNoKeyAndSaysWhy) {
    const auto p = aopp_protocol(100'000'000'000ULL);
    auto c = aopp_statistics(p, 1e-3, 1e-8, 1e-6, 0.05);
    c.aopp->pairs = 0;
    c.key = {0, 0, std::nullopt};
    auto k = sns_key_length(p, security(), c, {});
    ASSERT_TRUE(k.ok());
    EXPECT_EQ(k->bits, 0U);
    EXPECT_NE(k->zero_reason.find("untagged"), std::string::npos);
}

}  // namespace
}  // namespace tfqkd::security
