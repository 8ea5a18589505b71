// MP-QKD on the analytic channel model (docs/security.md 9, docs/hardware-model.md 1.1): the paired
// rounds' click probabilities against direct numerical integration, the consistency of the
// predicted statistics, the decoy bound against the model's true single-photon pairs, sqrt(eta)
// scaling when the pairing interval does not limit, the crossing of the repeaterless bound, and the
// finite-key rate against the asymptotic one.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>

#include "hardware_model/channel.hpp"
#include "security/bounds.hpp"
#include "security/mode_pairing.hpp"
#include "security/optimise.hpp"

namespace tfqkd::hardware_model {
namespace {

using security::Analysis;
using security::hi;
using security::lo;
using security::PairBasis;
using security::Window;

constexpr double kP0 = 0.3, kPNu = 0.2, kPMu = 0.5, kNu = 0.1, kMu = 0.4;

security::ProtocolParameters mp_protocol(std::uint64_t pulses, std::uint32_t interval) {
    security::ProtocolParameters p;
    p.family = security::Family::mode_pairing;
    p.alice = {{Window::z, 0.0, kP0}, {Window::z, kNu, kPNu}, {Window::z, kMu, kPMu}};
    p.bob = p.alice;
    p.pulses = pulses;
    p.phase_slices = 16;
    p.max_pairing_interval = interval;
    return p;
}

security::KeyLength certify(const security::ProtocolParameters& p, const Link& link, Analysis a, double f = 1.1) {
    auto stats = expected_statistics(p, link);
    EXPECT_TRUE(stats.ok()) << (stats.ok() ? "" : stats.error().to_string());
    if (!stats) return {};
    auto k = security::mode_pairing_key_length(p, {}, *stats, {a, f});
    EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.error().to_string());
    return k ? *k : security::KeyLength{};
}

// Zeng et al. 2022, Eq. 4, written out here rather than taken from security::pairing_rate.
double eq4_pairing_rate(double p, double l) { return 1 / (1 / (p * (1 - std::pow(1 - p, l))) + 1 / p); }

// The heralding probability of a round, summed over the settings of both parties.
double heralding(const security::ProtocolParameters& p, const Link& link) {
    double sum = 0;
    for (const auto& a : p.alice)
        for (const auto& b : p.bob)
            sum += a.probability * b.probability *
                   clicks_random_phase(link.eta_alice() * a.intensity, link.eta_bob() * b.intensity, link).effective();
    return sum;
}

TEST(ChannelMp, PairedRoundsAgreeWithDirectNumericalIntegration) {
    // E over delta uniform and over the sifted mismatch D (slice difference d w, triangular within
    // the slices, Gaussian noise) of P(round 1 at X | delta) P(round 2 at Y | delta + D), by
    // quadrature of clicks_at_phase.
    for (const auto& [k, sigma] : {std::pair{0U, 0.0}, std::pair{1U, 0.15}}) {
        Link link = symmetric_link(20, 0.2, 0.6, 1e-3, 0.03, sigma);
        const double a1 = 0.3, b1 = 0.2, a2 = 0.25, b2 = 0.35;
        const std::uint32_t slices = 16;
        const double w = 2 * std::numbers::pi / slices;
        const int n_delta = 96, n_tri = 64, n_gauss = sigma > 0 ? 41 : 1;
        double same = 0, different = 0, weight_sum = 0;
        for (int d = -static_cast<int>(k); d <= static_cast<int>(k); ++d)
            for (int it = 0; it < n_tri; ++it) {
                const double t = -w + (it + 0.5) * 2 * w / n_tri;
                const double tri = (w - std::abs(t)) / (w * w);
                for (int ig = 0; ig < n_gauss; ++ig) {
                    const double g = n_gauss == 1 ? 0.0 : -5 * sigma + ig * 10 * sigma / (n_gauss - 1);
                    const double gauss = n_gauss == 1 ? 1.0 : std::exp(-g * g / (2 * sigma * sigma));
                    const double mismatch = d * w + t + g;
                    const double weight = tri * gauss;
                    for (int id = 0; id < n_delta; ++id) {
                        const double delta = 2 * std::numbers::pi * id / n_delta;
                        const ClickProbabilities first = clicks_at_phase(a1, b1, delta, link);
                        const ClickProbabilities second = clicks_at_phase(a2, b2, delta + mismatch, link);
                        same += weight * (first.left * second.left + first.right * second.right) / n_delta;
                        different += weight * (first.left * second.right + first.right * second.left) / n_delta;
                    }
                    weight_sum += weight;
                }
            }
        same /= weight_sum;
        different /= weight_sum;
        const PairedClicks c = clicks_paired_rounds(a1, b1, a2, b2, slices, k, link);
        EXPECT_NEAR(c.same, same, 2e-3 * same) << k;
        EXPECT_NEAR(c.different, different, 2e-3 * different) << k;
    }
}

TEST(ChannelMp, PredictedStatisticsAreConsistent) {
    const auto p = mp_protocol(1'000'000'000'000, 1000);
    const Link link = symmetric_link(200, 0.2, 0.5, 1e-8, 0.02, 0.05);
    auto stats = expected_statistics(p, link);
    ASSERT_TRUE(stats.ok()) << stats.error().to_string();
    ASSERT_TRUE(stats->mode_pairing.has_value());
    EXPECT_TRUE(security::validate(*stats, p).ok());
    const auto& mp = *stats->mode_pairing;
    const double herald = heralding(p, link);
    EXPECT_NEAR(mp.heralded_rounds, 1e12 * herald, 1e-9 * mp.heralded_rounds);
    EXPECT_NEAR(mp.pairs, 1e12 * eq4_pairing_rate(herald, 1000), 1e-9 * mp.pairs);
    // The vacuum-vacuum Z pairs: both rounds of both parties vacuum, heralded by dark counts alone.
    const double dark = clicks_random_phase(0, 0, link).effective();
    EXPECT_NEAR(mp.find(PairBasis::z, 0, 0)->pairs, mp.pairs * std::pow(kP0, 4) * dark * dark / (herald * herald),
                1e-9 * mp.find(PairBasis::z, 0, 0)->pairs);
    // Alice's vacuum against Bob's X pair: no interference, so half the sifted pairs err.
    const auto* vd = mp.find(PairBasis::x, 0, 1);
    EXPECT_NEAR(vd->errors, vd->pairs / 2, 1e-9 * vd->pairs);
    // The decoy-decoy X pairs err far less than half (the two rounds interfere coherently) and
    // more than the misalignment alone.
    const auto* dd = mp.find(PairBasis::x, 1, 1);
    EXPECT_GT(dd->errors / dd->pairs, 0.02);
    EXPECT_LT(dd->errors / dd->pairs, 0.35);
    // Z key errors need the two parties' pulses in the same round: dark-count limited.
    EXPECT_LT(stats->key.errors / stats->key.effective, 1e-3);
}

TEST(ChannelMp, DecoyBoundOnModelStatisticsIsBelowTheModelsTruth) {
    for (double km : {50.0, 200.0, 350.0}) {
        const Link link = symmetric_link(km, 0.2, 0.5, 1e-8, 0.02, 0.05);
        const auto p = mp_protocol(10'000'000'000'000, 100'000);
        const auto k = certify(p, link, Analysis::asymptotic);
        // The model's single-photon key pairs: one photon from each party (probability
        // (mu e^-mu)^2 each), in opposite rounds (heralded with the one-sided yields s_1) or in the
        // same round (the other round then heralded only by dark counts, s_0; the two-photon round
        // at most 1). Priors (p_mu p_0)^2 per placement, four placements, over p^2 per pair.
        const TrueYields truth = true_yields(link);
        const double herald = heralding(p, link);
        const double per_placement = 1e13 * eq4_pairing_rate(herald, 100'000) / (herald * herald) *
                                     std::pow(kPMu * kP0 * kMu * std::exp(-kMu), 2);
        const double opposite = 2 * per_placement * truth.s1_alice * truth.s1_bob;
        const double same_at_most = 2 * per_placement * truth.s0;
        EXPECT_LE(hi(k.breakdown.untagged_lower), opposite + same_at_most) << km;
        EXPECT_GT(lo(k.breakdown.untagged_lower), 0.7 * opposite) << km;
    }
}

TEST(ChannelMp, RateScalesAsTheSquareRootOfTheTransmittanceWhenPairingDoesNotLimit) {
    // Negligible dark counts and an interval far above 1/p: from 200 to 300 km the channel loses
    // 20 dB, the rate 10 dB (the O(sqrt(eta)) scaling that MP shares with TF-QKD, Zeng et al. 2022).
    const auto p = mp_protocol(1'000'000'000'000'000, 4'000'000'000U);
    const auto rate = [&](double km) {
        const auto k = certify(p, symmetric_link(km, 0.2, 0.5, 1e-12, 0.02, 0.0), Analysis::asymptotic);
        return lo(k.length) / static_cast<double>(p.pulses);
    };
    const double r200 = rate(200), r300 = rate(300);
    ASSERT_GT(r300, 0);
    EXPECT_NEAR(r300 / r200, 0.1, 0.01) << r200 << " " << r300;
    // With l = 1000 and p far below 1/l, pairs need two heralds within l rounds: the rate then
    // falls like eta (20 dB per 100 km), as the pairing rate p^2 l predicts.
    const auto limited = mp_protocol(1'000'000'000'000'000, 1000);
    const auto limited_rate = [&](double km) {
        const auto k = certify(limited, symmetric_link(km, 0.2, 0.5, 1e-12, 0.02, 0.0), Analysis::asymptotic);
        return lo(k.length) / static_cast<double>(limited.pulses);
    };
    const double l400 = limited_rate(400), l500 = limited_rate(500);
    ASSERT_GT(l500, 0);
    EXPECT_NEAR(l500 / l400, 0.01, 0.002) << l400 << " " << l500;
}

// The repeaterless bound: MP-QKD surpasses it without global phase locking (Lu, Wang, Li, Cao,
// arXiv:2401.01727, abstract; Zeng et al.'s own text could not be read); Lu et al.,
// arXiv:2505.09223 (abstract, an experiment), report finite-size rates 1.03 to 2.5 times the
// rate-loss limit at 303-404 km of 0.2 dB/km fibre. Neither's device parameters could be read, so
// the devices here are ours (detector efficiency 0.8, dark counts 1e-9, e_d = 2 %, l = 1000, M = 16)
// and the claim checked is only the qualitative one: the optimised asymptotic rate is below PLOB at
// 100 km and above it from 300 to 400 km.
TEST(ChannelMp, OptimisedAsymptoticRateCrossesTheRepeaterlessBound) {
    security::ProtocolParameters start = mp_protocol(1'000'000'000'000'000, 1000);
    for (double km : {100.0, 300.0, 400.0}) {
        const Link link = symmetric_link(km, 0.2, 0.8, 1e-9, 0.02, 0.0);
        const security::StatisticsPredictor predict = [&](const security::ProtocolParameters& q) {
            return expected_statistics(q, link);
        };
        auto best = security::optimise_mode_pairing(start, {}, predict, {Analysis::asymptotic, 1.1});
        ASSERT_TRUE(best.ok()) << best.error().to_string();
        const double rate = lo(best->key.length) / static_cast<double>(start.pulses);
        const double plob = hi(security::plob_bound(security::fibre_transmittance(km, 0.2)));
        std::printf("  %3.0f km: MP %.4g, PLOB %.4g\n", km, rate, plob);
        if (km < 200)
            EXPECT_LT(rate, plob) << km;
        else
            EXPECT_GT(rate, plob) << km;
    }
}

TEST(ChannelMp, FiniteKeyIsBelowAsymptoticAndPositiveAt300KmWith1e13Pulses) {
    const Link link = symmetric_link(300, 0.2, 0.8, 1e-9, 0.02, 0.0);
    const auto p = mp_protocol(10'000'000'000'000, 1000);
    const auto asym = certify(p, link, Analysis::asymptotic);
    const auto fin = certify(p, link, Analysis::finite);
    EXPECT_GT(fin.bits, 0U);
    EXPECT_LE(fin.bits, asym.bits);
}

TEST(ChannelMp, OptimisedCertifiedPointIsTimedAndNoWorseThanTheStart) {
    const Link link = symmetric_link(300, 0.2, 0.8, 1e-9, 0.02, 0.0);
    const security::StatisticsPredictor predict = [&](const security::ProtocolParameters& q) {
        return expected_statistics(q, link);
    };
    const auto start = mp_protocol(10'000'000'000'000, 1000);
    auto first = security::optimise_mode_pairing(start, {}, predict, {Analysis::finite, 1.1});
    ASSERT_TRUE(first.ok()) << first.error().to_string();
    const auto base = certify(start, link, Analysis::finite);
    EXPECT_GE(first->key.bits, base.bits) << "the optimum is no worse than the start";
    const int runs = 5;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < runs; ++i) ASSERT_TRUE(security::optimise_mode_pairing(start, {}, predict, {Analysis::finite, 1.1}).ok());
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / runs;
    std::printf("  optimised + certified MP point: %.2f ms (%u evaluations)\n", ms, first->evaluations);
    // The issue asks at most 50 ms per certified optimised point on one core (keyrate_bench
    // measures it); here only a loose bound, so that sanitizer builds and loaded machines pass.
    EXPECT_LT(ms, 500.0);
}

// Soundness of the finite-key layer (docs/security.md 9.5) on blocks sampled from the model: every
// class count and the block's true single-photon key pairs are drawn around the model's
// expectations (Poisson, the limit of the sums of rare Bernoulli draws they are), and the certified
// n_11 must stay below the sampled truth except with the probability the composition allows
// (9 eps_pe for n_11: 0.009 per run at eps_pe = 1e-3, so about 3 of 300 runs; at most 9 accepted).
// The truth counts only the opposite-round placements (a lower value of it), which makes the test
// stricter. The phase errors have no sampled truth in this model and are not checked here.
TEST(ChannelMp, CertifiedSinglePhotonPairsStayBelowTheTruthInSampledBlocks) {
    const Link link = symmetric_link(200, 0.2, 0.8, 1e-9, 0.02, 0.0);
    const auto p = mp_protocol(100'000'000'000, 1000);
    auto expected = expected_statistics(p, link);
    ASSERT_TRUE(expected.ok()) << expected.error().to_string();
    const TrueYields truth = true_yields(link);
    const double herald = heralding(p, link);
    const double per_placement = 1e11 * eq4_pairing_rate(herald, 1000) / (herald * herald) *
                                 std::pow(kPMu * kP0 * kMu * std::exp(-kMu), 2);
    const double true_n11 = 2 * per_placement * truth.s1_alice * truth.s1_bob;
    ASSERT_LT(true_n11, expected->key.effective);
    security::SecurityParameters sec;
    sec.eps_pe = 1e-3;
    sec.eps_total = 0.5;
    std::mt19937_64 rng(20260128);
    const auto poisson = [&](double mean) {
        return mean > 0 ? static_cast<double>(std::poisson_distribution<long long>(mean)(rng)) : 0.0;
    };
    const auto binomial = [&](double n, double rate) {
        return static_cast<double>(std::binomial_distribution<long long>(static_cast<long long>(n), std::min(rate, 1.0))(rng));
    };
    int overshoot_finite = 0, overshoot_asymptotic = 0;
    double ratio_sum = 0;
    const int runs = 300;
    for (int run = 0; run < runs; ++run) {
        // Built class by class (not a copy of *expected modified in place, which GCC 12 flags as
        // maybe-uninitialized through std::optional).
        security::ModePairingCounts sampled;
        sampled.heralded_rounds = expected->mode_pairing->heralded_rounds;
        sampled.pairs = expected->mode_pairing->pairs;
        for (const auto& k : expected->mode_pairing->classes) {
            const double pairs = poisson(k.pairs);
            sampled.classes.push_back({k.basis, k.alice, k.bob, pairs, binomial(pairs, k.pairs > 0 ? k.errors / k.pairs : 0)});
        }
        security::CountStatistics c;
        c.mode_pairing = std::move(sampled);
        const double n11 = poisson(true_n11);
        const double key_rate = expected->key.errors / expected->key.effective;
        c.key.effective = n11 + poisson(expected->key.effective - true_n11);
        c.key.errors = binomial(c.key.effective, key_rate);
        auto fin = security::mode_pairing_key_length(p, sec, c, {Analysis::finite, 1.1});
        auto asym = security::mode_pairing_key_length(p, sec, c, {Analysis::asymptotic, 1.1});
        ASSERT_TRUE(fin.ok() && asym.ok()) << (fin.ok() ? asym.error().to_string() : fin.error().to_string());
        if (hi(fin->breakdown.untagged_lower) > n11) ++overshoot_finite;
        if (hi(asym->breakdown.untagged_lower) > n11) ++overshoot_asymptotic;
        ratio_sum += lo(fin->breakdown.untagged_lower) / n11;
    }
    std::printf("  certified n_11 above the sampled truth: %d of %d runs (asymptotic bound: %d); mean ratio %.3f\n",
                overshoot_finite, runs, overshoot_asymptotic, ratio_sum / runs);
    EXPECT_LE(overshoot_finite, 9);
    EXPECT_GT(ratio_sum / runs, 0.5) << "the bound is not vacuous";
}

}  // namespace
}  // namespace tfqkd::hardware_model
