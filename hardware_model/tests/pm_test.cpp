// PM-QKD on the analytic channel model (docs/security.md 7): the decoy bound against the model's
// true single-photon yield, sqrt(eta) scaling of the rate, the crossing of the repeaterless bound
// reported in the PM literature, and the finite-key rate against the asymptotic one.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "hardware_model/channel.hpp"
#include "security/bounds.hpp"
#include "security/optimise.hpp"
#include "security/pm.hpp"

namespace tfqkd::hardware_model {
namespace {

using security::Analysis;
using security::hi;
using security::lo;
using security::Window;

security::ProtocolParameters pm_protocol(std::uint64_t pulses, double half_mu) {
    security::ProtocolParameters p;
    p.family = security::Family::pm;
    p.alice = {{Window::z, half_mu, 0.9},
               {Window::x, 0.0, 0.1 * 0.4},
               {Window::x, 0.01, 0.1 * 0.4},
               {Window::x, 0.05, 0.1 * 0.2}};
    p.bob = p.alice;
    p.pulses = pulses;
    p.phase_slices = 16;
    return p;
}

security::KeyLength certify(const security::ProtocolParameters& p, const Link& link, Analysis a, double f = 1.15) {
    auto stats = expected_statistics(p, link);
    EXPECT_TRUE(stats.ok()) << (stats.ok() ? "" : stats.error().to_string());
    if (!stats) return {};
    auto k = security::pm_key_length(p, {}, *stats, {a, f});
    EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.error().to_string());
    return k ? *k : security::KeyLength{};
}

TEST(ChannelPm, PredictedStatisticsAreConsistent) {
    const auto p = pm_protocol(1'000'000'000'000, 0.05);
    auto stats = expected_statistics(p, symmetric_link(200, 0.2, 0.5, 1e-8, 0.02, 0.05));
    ASSERT_TRUE(stats.ok()) << stats.error().to_string();
    ASSERT_EQ(stats->matched.size(), 3U);
    EXPECT_TRUE(stats->classes.empty());
    EXPECT_TRUE(security::validate(*stats, p).ok());
    // W = N p_key^2 (2k + 1) 2 / M.
    EXPECT_NEAR(stats->key.windows, 1e12 * 0.81 * 2 / 16, 1e-3);
    EXPECT_GT(stats->key.effective, 0);
    // Vacuum: dark counts, half of them errors.
    EXPECT_NEAR(stats->matched[0].errors, stats->matched[0].effective / 2, 1e-9 * stats->matched[0].effective);
}

TEST(ChannelPm, DecoyBoundOnModelStatisticsIsBelowTheModelsTruth) {
    for (double km : {50.0, 200.0, 350.0}) {
        const Link link = symmetric_link(km, 0.2, 0.5, 1e-8, 0.02, 0.05);
        const auto k = certify(pm_protocol(10'000'000'000'000, 0.05), link, Analysis::asymptotic);
        // One photon in the matched mode meets each arm's transmittance (symmetric link): the
        // model's one-photon yield is the SNS one-sided yield.
        const double truth = true_yields(link).s1_alice;
        EXPECT_LE(hi(k.breakdown.s1_lower), truth) << km;
        EXPECT_GT(lo(k.breakdown.s1_lower), 0.8 * truth) << km;
    }
}

TEST(ChannelPm, RateScalesAsTheSquareRootOfTheTransmittance) {
    // Negligible dark counts: from 200 to 300 km the channel loses 20 dB, the rate 10 dB.
    const auto p = pm_protocol(1'000'000'000'000'000, 0.05);
    const auto rate = [&](double km) {
        const auto k = certify(p, symmetric_link(km, 0.2, 0.5, 1e-12, 0.02, 0.0), Analysis::asymptotic);
        return lo(k.length) / static_cast<double>(p.pulses);
    };
    const double r200 = rate(200), r300 = rate(300);
    ASSERT_GT(r300, 0);
    EXPECT_NEAR(r300 / r200, 0.1, 0.01) << r200 << " " << r300;
}

// Ma, Zeng, Zhou, PRX 8, 031043 (2018), Fig. 3a as read by the memo (/work/shared/REFERENCES.md,
// sheet section 3.1): p_d = 8e-8, eta_d = 14.5 %, f = 1.15, e_d = 1.5 %, M = 16: the linear bound
// (transmittance including the detector) is beaten beyond about 250 km and the key ends near 418 km.
// Our phase-error bound is more conservative than the paper's (docs/security.md 7.3), so the
// tolerance is loose: the crossing between 150 and 350 km, the cutoff between 300 and 480 km.
TEST(ChannelPm, AsymptoticRateBeatsTheLinearBoundWhereThePmLiteratureReports) {
    const double eta_d = 0.145;
    security::ProtocolParameters start = pm_protocol(1'000'000'000'000'000, 0.05);
    double crossing = -1, cutoff = -1;
    bool above = false;
    for (double km = 100; km <= 500; km += 10) {
        const Link link = symmetric_link(km, 0.2, eta_d, 8e-8, 0.015, 0.0);
        const security::StatisticsPredictor predict = [&](const security::ProtocolParameters& q) {
            return expected_statistics(q, link);
        };
        auto best = security::optimise_pm(start, {}, predict, {Analysis::asymptotic, 1.15});
        ASSERT_TRUE(best.ok()) << best.error().to_string();
        const double rate = lo(best->key.length) / static_cast<double>(start.pulses);
        const double bound = hi(security::plob_bound(security::fibre_transmittance(km, 0.2, eta_d)));
        std::printf("  %3.0f km: PM %.4g, linear bound %.4g, mu %.4g\n", km, rate, bound,
                    2 * best->protocol.alice[0].intensity);
        if (!above && rate > bound && crossing < 0) crossing = km;
        above = rate > bound;
        if (!(rate > 0)) {
            cutoff = km;
            break;
        }
        start = best->protocol;
    }
    EXPECT_GE(crossing, 150);
    EXPECT_LE(crossing, 350);
    EXPECT_GE(cutoff, 300);
    EXPECT_LE(cutoff, 480);
}

TEST(ChannelPm, FiniteKeyIsBelowAsymptoticAndPositiveAt300KmWith1e13Pulses) {
    const Link link = symmetric_link(300, 0.2, 0.5, 1e-9, 0.02, 0.05);
    const auto p = pm_protocol(10'000'000'000'000, 0.05);
    const auto asym = certify(p, link, Analysis::asymptotic);
    const auto fin = certify(p, link, Analysis::finite);
    EXPECT_GT(fin.bits, 0U);
    EXPECT_LE(fin.bits, asym.bits);
}

TEST(ChannelPm, OptimisedCertifiedPointIsTimedAndNoWorseThanTheStart) {
    const Link link = symmetric_link(300, 0.2, 0.5, 1e-9, 0.02, 0.05);
    const security::StatisticsPredictor predict = [&](const security::ProtocolParameters& q) {
        return expected_statistics(q, link);
    };
    const auto start = pm_protocol(10'000'000'000'000, 0.05);
    auto first = security::optimise_pm(start, {}, predict, {Analysis::finite, 1.15});
    ASSERT_TRUE(first.ok()) << first.error().to_string();
    const auto base = certify(start, link, Analysis::finite);
    EXPECT_GE(first->key.bits, base.bits) << "the optimum is no worse than the start";
    const int runs = 5;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < runs; ++i) {
        auto best = security::optimise_pm(start, {}, predict, {Analysis::finite, 1.15});
        ASSERT_TRUE(best.ok());
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / runs;
    const auto t1 = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i) (void)certify(first->protocol, link, Analysis::finite);
    const double certify_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count() / 100;
    std::printf("  optimised + certified PM point: %.2f ms (%u evaluations); certifying a given point: %.3f ms\n", ms,
                first->evaluations, certify_ms);
    RecordProperty("optimise_ms", std::to_string(ms));
    // Issue 5 asks at most 50 ms per certified optimised point on one core (keyrate_bench measures it);
    // here only a loose bound, so that sanitizer builds and loaded machines pass.
    EXPECT_LT(ms, 500.0);
}

}  // namespace
}  // namespace tfqkd::hardware_model
