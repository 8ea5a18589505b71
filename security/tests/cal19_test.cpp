// CAL19 key length (docs/security.md 8) from count statistics built here from known photon-number
// yields, so that the truth is known: every linear-program bound above its true yield, the
// phase-error bound above its value at the true yields, finite <= asymptotic, monotonicity,
// asymmetric settings, the containment of a 1000-bit evaluation, and errors that name the field.
// Also the certified linear-program bound itself on programs whose optimum is known.
#include "containment.hpp"
#include "security/cal19.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "security/linear_program.hpp"

namespace tfqkd::security {
namespace {

constexpr double kDark = 1e-8;

// Alice's (and by default Bob's) settings: key alpha^2 = 0.02 with p_key 0.9, decoys 0, 0.1, 0.5.
std::vector<Setting> settings(double alpha2 = 0.02, double p_key = 0.9) {
    const double t = 1 - p_key;
    return {{Window::z, alpha2, p_key}, {Window::x, 0.0, t * 0.3}, {Window::x, 0.1, t * 0.4}, {Window::x, 0.5, t * 0.3}};
}

ProtocolParameters protocol(std::uint64_t pulses) {
    ProtocolParameters p;
    p.family = Family::cal19;
    p.alice = settings();
    p.bob = p.alice;
    p.pulses = pulses;
    return p;
}

// The yields of the synthetic channel: each of the k = n + m photons is detected with probability
// eta and goes to either detector at random; dark counts kDark per detector. Exactly one click:
// 2 (1-pd) (1 - eta/2)^k - 2 (1-pd)^2 (1 - eta)^k.
double yield(unsigned k, double eta) {
    return 2 * (1 - kDark) * std::pow(1 - eta / 2, k) - 2 * (1 - kDark) * (1 - kDark) * std::pow(1 - eta, k);
}
// The same averaged over Poisson photon numbers of total mean mu (a test class of mu_a + mu_b).
double class_rate(double mu, double eta) {
    return 2 * (1 - kDark) * std::exp(-mu * eta / 2) - 2 * (1 - kDark) * (1 - kDark) * std::exp(-mu * eta);
}

// Expected statistics: every X-X class, and M key detections with bit-error rate e_z.
CountStatistics statistics(const ProtocolParameters& p, double eta, double e_z) {
    CountStatistics c;
    const double n = static_cast<double>(p.pulses);
    for (std::size_t i = 1; i < p.alice.size(); ++i)
        for (std::size_t j = 1; j < p.bob.size(); ++j) {
            const double sent = n * p.alice[i].probability * p.bob[j].probability;
            const double eff = sent * class_rate(p.alice[i].intensity + p.bob[j].intensity, eta);
            c.classes.push_back({i, j, sent, eff / 2, eff / 2, 0});
        }
    const double windows = n * p.alice[0].probability * p.bob[0].probability;
    // Key windows: the pulses interfere into one detector, total intensity eta (alpha_a^2 + alpha_b^2)
    // (the synthetic channel needs only some M; this one is the honest channel's).
    const double m = windows * (1 - (1 - kDark) * std::exp(-eta * (p.alice[0].intensity + p.bob[0].intensity)));
    c.key = {m, m * e_z, std::nullopt, windows};
    return c;
}

// The phase-error bound of 8.2 per key window at the true yields, evaluated here independently:
// (sum_{n,m even} c_n c_m sqrt(Y_{n+m}))^2 + (sum_{n,m odd} ...)^2.
double phase_error_bound_at_truth(double alpha2_a, double alpha2_b, double eta) {
    const auto c = [](double alpha2, unsigned n) {
        return std::exp(-alpha2 / 2) * std::pow(std::sqrt(alpha2), n) / std::sqrt(std::tgamma(n + 1.0));
    };
    double even = 0, odd = 0;
    for (unsigned n = 0; n < 30; ++n)
        for (unsigned m = n % 2; m < 30; m += 2) {
            const double term = c(alpha2_a, n) * c(alpha2_b, m) * std::sqrt(yield(n + m, eta));
            (n % 2 == 0 ? even : odd) += term;
        }
    return even * even + odd * odd;
}

SecurityParameters security() { return {}; }

KeyLength expect_contains_1000_bit_evaluation(const ProtocolParameters& p, const CountStatistics& c, Analysis analysis) {
    return testing::expect_contains_1000_bit_evaluation([&] { return cal19_key_length(p, security(), c, {analysis, 1.1}); });
}

TEST(Cal19, IntervalContainsThe1000BitEvaluationAndIsNarrowerThanAMicrobit) {
    for (double eta : {1e-2, 1e-3}) {
        const auto p = protocol(10'000'000'000'000);
        const auto c = statistics(p, eta, 0.02);
        EXPECT_GT(expect_contains_1000_bit_evaluation(p, c, Analysis::finite).bits, 0U) << eta;
        EXPECT_GT(expect_contains_1000_bit_evaluation(p, c, Analysis::asymptotic).bits, 0U) << eta;
    }
}

TEST(Cal19, BoundsLieAboveTheTruthAndNotFarAbove) {
    for (double eta : {1e-2, 1e-3, 1e-4}) {
        const auto p = protocol(10'000'000'000'000);
        const auto c = statistics(p, eta, 0.02);
        const double windows = c.key.windows;
        const double truth = windows * phase_error_bound_at_truth(0.02, 0.02, eta);
        for (const Analysis analysis : {Analysis::asymptotic, Analysis::finite}) {
            auto k = cal19_key_length(p, security(), c, {analysis, 1.1});
            ASSERT_TRUE(k.ok()) << k.error().to_string();
            const SnsBreakdown& b = k->breakdown;
            // The vacuum-vacuum class measures Y_00 directly: its bound is the truth up to the
            // concentration width.
            EXPECT_GE(hi(b.s0_upper), yield(0, eta)) << eta;
            EXPECT_GE(lo(b.phase_errors_upper), truth) << eta;
            if (analysis == Analysis::asymptotic) {
                EXPECT_LT(hi(b.s0_upper), yield(0, eta) * (1 + 1e-6)) << eta;
                // Three decoys bound the two-photon yields loosely: measured factors 1.30, 2.66, 2.44 at
                // eta = 1e-2, 1e-3, 1e-4 (docs/security.md 8.7); the bound
                // must not loosen unnoticed.
                EXPECT_LT(hi(b.phase_errors_upper), 3 * truth) << eta;
            }
        }
    }
}

TEST(Cal19, FiniteKeyIsShorterThanAsymptoticAndGrowsWithN) {
    double previous = 0;
    for (const std::uint64_t n : {1'000'000'000'000ULL, 10'000'000'000'000ULL, 100'000'000'000'000ULL}) {
        const auto p = protocol(n);
        const auto c = statistics(p, 1e-3, 0.02);
        auto fin = cal19_key_length(p, security(), c, {Analysis::finite, 1.1});
        auto asym = cal19_key_length(p, security(), c, {Analysis::asymptotic, 1.1});
        ASSERT_TRUE(fin.ok() && asym.ok());
        EXPECT_LT(hi(fin->length), lo(asym->length));
        const double rate = lo(fin->rate_per_pulse);
        EXPECT_GT(rate, previous) << n;
        previous = rate;
    }
}

TEST(Cal19, MoreErrorsOrLeakageNeverLengthenTheKey) {
    const auto p = protocol(10'000'000'000'000);
    double previous = 1e300;
    for (double e_z : {0.0, 0.01, 0.02, 0.05}) {
        auto k = cal19_key_length(p, security(), statistics(p, 1e-3, e_z), {Analysis::finite, 1.1});
        ASSERT_TRUE(k.ok());
        EXPECT_LE(hi(k->length), previous) << e_z;
        previous = lo(k->length);
    }
    auto c = statistics(p, 1e-3, 0.02);
    c.key.ec_leakage_bits = 0.2 * c.key.effective;
    auto less = cal19_key_length(p, security(), c, {Analysis::finite, 1.1});
    c.key.ec_leakage_bits = 0.3 * c.key.effective;
    auto more = cal19_key_length(p, security(), c, {Analysis::finite, 1.1});
    ASSERT_TRUE(less.ok() && more.ok());
    EXPECT_NEAR(lo(less->length) - lo(more->length), 0.1 * c.key.effective, 1e-3 * c.key.effective);
}

TEST(Cal19, DarkerVacuumClassRaisesThePhaseErrorBound) {
    // More clicks in the vacuum-vacuum class mean a larger Y_00, whose amplitude c_0^2 dominates the
    // even sum: the phase-error bound must rise.
    const auto p = protocol(10'000'000'000'000);
    auto c = statistics(p, 1e-3, 0.02);
    auto base = cal19_key_length(p, security(), c, {Analysis::finite, 1.1});
    for (ClassCounts& k : c.classes)
        if (k.alice == 1 && k.bob == 1) {
            k.left *= 4;
            k.right *= 4;
        }
    auto darker = cal19_key_length(p, security(), c, {Analysis::finite, 1.1});
    ASSERT_TRUE(base.ok() && darker.ok());
    EXPECT_GT(lo(darker->breakdown.phase_errors_upper), hi(base->breakdown.phase_errors_upper));
    EXPECT_GT(lo(darker->breakdown.s0_upper), 3 * hi(base->breakdown.s0_upper));
}

TEST(Cal19, AClickFreeVacuumClassPinsY00ToZeroAndStillCertifies) {
    // Asymptotically a vacuum-vacuum class without clicks forces Y_00 = 0 on the whole polytope; the
    // tangent plane is then taken on that face (docs/security.md 8.4). The bound must come out
    // finite, below the one with dark counts, and the key positive.
    const auto p = protocol(10'000'000'000'000);
    auto c = statistics(p, 1e-3, 0.02);
    auto dark = cal19_key_length(p, security(), c, {Analysis::asymptotic, 1.1});
    for (ClassCounts& k : c.classes)
        if (k.alice == 1 && k.bob == 1) k.left = k.right = 0;
    auto clean = cal19_key_length(p, security(), c, {Analysis::asymptotic, 1.1});
    ASSERT_TRUE(dark.ok() && clean.ok()) << (clean.ok() ? "" : clean.error().to_string());
    EXPECT_EQ(hi(clean->breakdown.s0_upper), 0.0);
    EXPECT_LT(hi(clean->breakdown.phase_errors_upper), lo(dark->breakdown.phase_errors_upper));
    EXPECT_GT(clean->bits, dark->bits);
}

TEST(Cal19, AsymmetricSettingsCertifyAndMirrorExactly) {
    ProtocolParameters p = protocol(10'000'000'000'000);
    p.alice = settings(0.03, 0.85);
    p.bob = {{Window::z, 0.015, 0.92}, {Window::x, 0.0, 0.03}, {Window::x, 0.1, 0.05}};
    const auto c = statistics(p, 1e-3, 0.02);
    const double truth = c.key.windows * phase_error_bound_at_truth(0.03, 0.015, 1e-3);
    auto k = cal19_key_length(p, security(), c, {Analysis::finite, 1.1});
    ASSERT_TRUE(k.ok()) << k.error().to_string();
    EXPECT_GT(k->bits, 0U);
    EXPECT_GE(lo(k->breakdown.phase_errors_upper), truth);
    // Swapping the parties swaps n and m in every yield: the same program, the same key.
    ProtocolParameters swapped = p;
    std::swap(swapped.alice, swapped.bob);
    CountStatistics cs = c;
    for (ClassCounts& x : cs.classes) std::swap(x.alice, x.bob);
    auto ks = cal19_key_length(swapped, security(), cs, {Analysis::finite, 1.1});
    ASSERT_TRUE(ks.ok());
    EXPECT_NEAR(mid(ks->length), mid(k->length), 1e-6 * std::abs(mid(k->length)));
}

TEST(Cal19, ZeroKeySaysWhy) {
    const auto p = protocol(1'000'000);
    auto k = cal19_key_length(p, security(), statistics(p, 1e-3, 0.02), {Analysis::finite, 1.1});
    ASSERT_TRUE(k.ok());
    EXPECT_EQ(k->bits, 0U);
    EXPECT_FALSE(k->zero_reason.empty());
    auto empty = statistics(p, 1e-3, 0.02);
    empty.key = {};
    auto z = cal19_key_length(p, security(), empty, {Analysis::finite, 1.1});
    ASSERT_TRUE(z.ok());
    EXPECT_NE(z->zero_reason.find("key.effective"), std::string::npos);
}

TEST(Cal19, RejectsWhatItDoesNotCertifyWithTheField) {
    const auto p = protocol(10'000'000'000'000);
    const auto c = statistics(p, 1e-3, 0.02);
    ProtocolParameters pm = p;
    pm.family = Family::pm;
    auto wrong = cal19_key_length(pm, security(), c, {});
    ASSERT_FALSE(wrong.ok());
    CountStatistics key_class = c;
    key_class.classes.push_back({0, 1, 10, 1, 1, 0});
    auto k = cal19_key_length(p, security(), key_class, {});
    ASSERT_FALSE(k.ok());
    EXPECT_EQ(k.error().field, "classes[].alice");
    CountStatistics none = c;
    none.classes.clear();
    auto n = cal19_key_length(p, security(), none, {});
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(n.error().field, "classes");
    ProtocolParameters one_decoy = p;
    one_decoy.alice = {{Window::z, 0.02, 0.9}, {Window::x, 0.1, 0.1}};
    auto d = cal19_key_length(one_decoy, security(), c, {});
    ASSERT_FALSE(d.ok());
    EXPECT_NE(d.error().detail.find("two phase-randomised decoys"), std::string::npos);
    // Four decoys per party: 16 classes and 33 estimates exceed the default budget of 1e-8.
    ProtocolParameters four = p;
    four.alice.push_back({Window::x, 0.6, 0.01});
    four.alice[0].probability -= 0.01;
    four.bob = four.alice;
    auto over = cal19_key_length(four, security(), statistics(four, 1e-3, 0.02), {});
    ASSERT_FALSE(over.ok());
    EXPECT_NE(over.error().detail.find("8.6"), std::string::npos) << over.error().to_string();
}

// Arbitrary valid inputs (random intensities over six decades, probabilities, counts from none
// to every window) end in a key length or an error, never a crash, an exception or a hang: GLPK
// aborts the process on some malformed programs, so what reaches it must never be malformed.
TEST(Cal19, ArbitraryValidInputsEndInAResultOrAnError) {
    std::mt19937_64 rng(23);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const auto log_uniform = [&](double lo, double hi) { return lo * std::pow(hi / lo, unit(rng)); };
    int certified = 0;
    for (int trial = 0; trial < 90; ++trial) {
        ProtocolParameters p;
        p.family = Family::cal19;
        p.pulses = static_cast<std::uint64_t>(log_uniform(1e3, 1e15));
        for (auto* party : {&p.alice, &p.bob}) {
            const double key = 0.05 + 0.9 * unit(rng);
            const int decoys = 2 + static_cast<int>(unit(rng) * 2);
            party->push_back({Window::z, log_uniform(1e-4, 20), key});
            for (int d = 0; d < decoys; ++d)
                party->push_back({Window::x, d == 0 && unit(rng) < 0.5 ? 0.0 : log_uniform(1e-5, 50) * (d + 1),
                                  (1 - key) / decoys});
        }
        // Two trials in three from a physical channel (the synthetic yields above with a random
        // transmittance and dark-count rate, sampled binomially); the third from unrelated counts,
        // which no yields explain.
        const bool physical = trial % 3 != 2;
        const double eta = log_uniform(1e-7, 1);
        const double dark = log_uniform(1e-10, 1e-3);
        CountStatistics c;
        const double n = static_cast<double>(p.pulses);
        for (std::size_t i = 1; i < p.alice.size(); ++i)
            for (std::size_t j = 1; j < p.bob.size(); ++j) {
                const double sent = std::floor(n * p.alice[i].probability * p.bob[j].probability);
                const double mu = p.alice[i].intensity + p.bob[j].intensity;
                const double rate = 2 * (1 - dark) * std::exp(-mu * eta / 2) - 2 * (1 - dark) * (1 - dark) * std::exp(-mu * eta);
                const double clicks =
                    physical ? static_cast<double>(std::binomial_distribution<std::int64_t>(
                                   static_cast<std::int64_t>(sent), std::clamp(rate, 0.0, 1.0))(rng))
                             : std::floor(sent * std::pow(unit(rng), 4));
                const double left = std::floor(clicks * unit(rng));
                c.classes.push_back({i, j, sent, left, clicks - left, 0});
            }
        c.key.effective = std::floor(n * p.alice[0].probability * p.bob[0].probability * std::pow(unit(rng), 3));
        c.key.errors = std::floor(c.key.effective * 0.5 * unit(rng));
        for (const Analysis analysis : {Analysis::finite, Analysis::asymptotic}) {
            if (analysis == Analysis::asymptotic && physical) continue;  // sampling noise may be infeasible
            SecurityParameters s;
            s.eps_total = 0.5;  // any number of decoys
            auto k = cal19_key_length(p, s, c, {analysis, 1.1});
            if (k.ok()) {
                certified += physical ? 1 : 0;
                EXPECT_LE(lo(k->length), c.key.effective) << trial;
            } else {
                EXPECT_FALSE(k.error().detail.empty()) << trial;
            }
        }
    }
    // Physical data certify (a key of 0 bits included) unless an intensity is out of range.
    EXPECT_GT(certified, 54) << "of 60 physical trials";
}

// The certified maximum of programs whose optimum is known by hand.
TEST(LinearProgram, CertifiedMaximumIsTheKnownOptimumAndNeverBelowIt) {
    // maximise x0 subject to x0 + x1 <= 1 and -0.5 <= x0 - x1 <= 0.5, 0 <= x <= 1: x0 = 0.75.
    BoxedLinearProgram<Interval> lp;
    lp.columns = 2;
    lp.coefficients = {point(1.0), point(1.0), point(1.0), point(-1.0)};
    lp.row_lower = {point(-1.0), point(-0.5)};
    lp.row_upper = {point(1.0), point(0.5)};
    lp.column_upper = {1.0, 1.0};
    auto m = certified_maxima(lp, {0, 1}, "test");
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    EXPECT_GE(hi((*m)[0]), 0.75);
    EXPECT_LT(hi((*m)[0]), 0.75 + 1e-12);
    EXPECT_GE(hi((*m)[1]), 0.75);  // x1 by symmetry of the rows
    EXPECT_LT(hi((*m)[1]), 0.75 + 1e-12);
    // Coefficients known only to an interval: the bound covers the worst point of it.
    lp.coefficients[0] = hull(point(0.9), point(1.0));
    auto wide = certified_maxima(lp, {0}, "test");
    ASSERT_TRUE(wide.ok());
    EXPECT_GE(hi((*wide)[0]), 0.75);
}

TEST(LinearProgram, InfeasibleProgramIsAnErrorNamingTheData) {
    BoxedLinearProgram<double> lp;
    lp.columns = 1;
    lp.coefficients = {1.0};
    lp.row_lower = {2.0};  // x0 >= 2 with x0 <= 1
    lp.row_upper = {3.0};
    lp.column_upper = {1.0};
    auto m = certified_maxima(lp, {0}, "classes");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().field, "classes");
}

}  // namespace
}  // namespace tfqkd::security
