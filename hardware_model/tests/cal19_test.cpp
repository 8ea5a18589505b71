// CAL19 on the analytic channel model (docs/security.md 8): the key mode's click probabilities
// against an independent quantum-optical calculation, the certified phase-error rate against the
// channel's true one (the soundness of section 8 on the one channel whose phase errors are known),
// sqrt(eta) scaling, the published model curve of Bertaina et al., and the finite-key crossing of
// the repeaterless bound that Curras-Lorenzo et al. (2021) report.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>
#include <string>
#include <vector>

#include "bertaina_curve.hpp"
#include "hardware_model/channel.hpp"
#include "security/bounds.hpp"
#include "security/cal19.hpp"
#include "security/optimise.hpp"

namespace tfqkd::hardware_model {
namespace {

using security::Analysis;
using security::hi;
using security::lo;
using security::mid;
using security::Window;

security::ProtocolParameters cal19_protocol(std::uint64_t pulses, double alpha2, double nu1 = 0.1, double nu2 = 0.5,
                                            double p_key = 0.9) {
    security::ProtocolParameters p;
    p.family = security::Family::cal19;
    const double t = 1 - p_key;
    p.alice = {{Window::z, alpha2, p_key}, {Window::x, 0.0, t * 0.3}, {Window::x, nu1, t * 0.4}, {Window::x, nu2, t * 0.3}};
    p.bob = p.alice;
    p.pulses = pulses;
    return p;
}

security::KeyLength certify(const security::ProtocolParameters& p, const security::CountStatistics& stats, Analysis a,
                            double f = 1.15) {
    auto k = security::cal19_key_length(p, {}, stats, {a, f});
    EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.error().to_string());
    return k ? *k : security::KeyLength{};
}

// The key mode computed from first principles, independently of channel.cpp: Alice and Bob send
// |s a> and |t b> (s, t = +-1), each arm a pure-loss channel (its loss to an environment mode),
// Bob's pulse phase-shifted by delta, a 50:50 beam splitter and two threshold detectors with dark
// counts (no-click operator q |0><0| on each output, q = 1 - p_d). In the virtual protocol Alice's
// qubit in the X basis leaves |C_x> = (|a> + x|-a>)/2 (x = +-1) and likewise Bob; a phase error is
// the outcome (x, y) = (+, +) or (-, -) with exactly one click (docs/security.md 8.2). Returns the
// exactly-one-click probability and the phase-error probability, averaged over Gaussian delta.
struct KeyModeTruth {
    double click = 0;
    double phase_error = 0;
};

KeyModeTruth key_mode_truth(double alpha2_a, double alpha2_b, const Link& link) {
    using C = std::complex<double>;
    const double a = std::sqrt(alpha2_a);
    const double b = std::sqrt(alpha2_b);
    const double eta_a = link.eta_alice();
    const double eta_b = link.eta_bob();
    const double q = 1 - link.dark_count_probability;
    // <u|v> for coherent states, and <u|0><0|v>.
    const auto overlap = [](C u, C v) { return std::exp(-std::norm(u) / 2 - std::norm(v) / 2 + std::conj(u) * v); };
    const auto vacuum = [](C u, C v) { return std::exp(-std::norm(u) / 2 - std::norm(v) / 2); };
    KeyModeTruth out;
    const double sigma = link.phase_noise_rad;
    // Gaussian quadrature by the trapezoid rule over +-7 sigma (one point when sigma = 0).
    const int points = sigma > 0 ? 401 : 1;
    double weight_sum = 0;
    for (int k = 0; k < points; ++k) {
        const double delta = points == 1 ? 0.0 : -7 * sigma + 14 * sigma * k / (points - 1);
        const double weight = points == 1 ? 1.0 : std::exp(-delta * delta / (2 * sigma * sigma));
        weight_sum += weight;
        const C phase = std::polar(1.0, delta);
        // Matrix elements <s' t'| Pi |s t> of the exactly-one-click operator.
        const auto element = [&](int s1, int t1, int s2, int t2) {
            const C c1 = (std::sqrt(eta_a) * s1 * a + std::sqrt(eta_b) * t1 * b * phase) / std::sqrt(2.0);
            const C d1 = (std::sqrt(eta_a) * s1 * a - std::sqrt(eta_b) * t1 * b * phase) / std::sqrt(2.0);
            const C c2 = (std::sqrt(eta_a) * s2 * a + std::sqrt(eta_b) * t2 * b * phase) / std::sqrt(2.0);
            const C d2 = (std::sqrt(eta_a) * s2 * a - std::sqrt(eta_b) * t2 * b * phase) / std::sqrt(2.0);
            const C env = overlap(std::sqrt(1 - eta_a) * s1 * a, std::sqrt(1 - eta_a) * s2 * a) *
                          overlap(std::sqrt(1 - eta_b) * t1 * b * phase, std::sqrt(1 - eta_b) * t2 * b * phase);
            const C only_c = (overlap(c1, c2) - q * vacuum(c1, c2)) * q * vacuum(d1, d2);
            const C only_d = q * vacuum(c1, c2) * (overlap(d1, d2) - q * vacuum(d1, d2));
            return env * (only_c + only_d);
        };
        for (const int x : {1, -1})
            for (const int y : {1, -1}) {
                C p = 0;
                for (const int s1 : {1, -1})
                    for (const int t1 : {1, -1})
                        for (const int s2 : {1, -1})
                            for (const int t2 : {1, -1}) {
                                const double coefficient = (s1 == 1 ? 0.5 : 0.5 * x) * (t1 == 1 ? 0.5 : 0.5 * y) *
                                                           (s2 == 1 ? 0.5 : 0.5 * x) * (t2 == 1 ? 0.5 : 0.5 * y);
                                p += coefficient * element(s1, t1, s2, t2);
                            }
                out.click += weight * p.real();
                if (x == y) out.phase_error += weight * p.real();
            }
    }
    out.click /= weight_sum;
    out.phase_error /= weight_sum;
    return out;
}

TEST(ChannelCal19, PredictedStatisticsAreConsistent) {
    const auto p = cal19_protocol(1'000'000'000'000, 0.02);
    auto stats = expected_statistics(p, symmetric_link(200, 0.2, 0.5, 1e-8, 0.02, 0.05));
    ASSERT_TRUE(stats.ok()) << stats.error().to_string();
    EXPECT_EQ(stats->classes.size(), 9U);  // every pair of the three decoys
    EXPECT_TRUE(security::validate(*stats, p).ok());
    EXPECT_NEAR(stats->key.windows, 1e12 * 0.81, 1e-3);
    EXPECT_GT(stats->key.effective, 0);
    EXPECT_LT(stats->key.errors, 0.05 * stats->key.effective);
}

TEST(ChannelCal19, KeyModeClicksAgreeWithTheQuantumOpticalCalculation) {
    for (const double sigma : {0.0, 0.2}) {
        for (const double km : {0.0, 100.0, 300.0}) {
            const Link link = symmetric_link(km, 0.2, 0.8, 1e-6, 0.0, sigma);
            const KeyModeTruth truth = key_mode_truth(0.05, 0.03, link);
            // The same bits (phase 0): correct at the left detector; errors at the right one.
            const ClickProbabilities c = clicks_phase_locked(link.eta_alice() * 0.05, link.eta_bob() * 0.03, link);
            EXPECT_NEAR(c.effective(), truth.click, 1e-9 * truth.click + 1e-15) << km << " km, sigma " << sigma;
        }
    }
}

TEST(ChannelCal19, CertifiedPhaseErrorRateIsAboveTheChannelsTrueOne) {
    // Soundness against what the model knows: the rate of the virtual phase errors, computed from
    // first principles above. Asymptotic on the expected statistics; finite-key on 100 sampled
    // experiments each (every one must hold: failures have probability below 1e-8).
    std::mt19937_64 rng(19);
    for (const double km : {100.0, 250.0}) {
        const Link link = symmetric_link(km, 0.2, 0.8, 1e-7, 0.0, 0.1);
        const auto p = cal19_protocol(100'000'000'000, 0.03);
        const KeyModeTruth truth = key_mode_truth(0.03, 0.03, link);
        const double true_rate = truth.phase_error / truth.click;
        auto stats = expected_statistics(p, link);
        ASSERT_TRUE(stats.ok());
        const auto asym = certify(p, *stats, Analysis::asymptotic);
        EXPECT_GE(lo(asym.breakdown.phase_error_rate_upper), true_rate) << km;
        for (int trial = 0; trial < 100; ++trial) {
            security::CountStatistics sampled = *stats;
            for (security::ClassCounts& c : sampled.classes) {
                const double p_left = c.left / c.sent, p_right = c.right / c.sent;
                std::binomial_distribution<std::int64_t> left(static_cast<std::int64_t>(c.sent), p_left);
                std::binomial_distribution<std::int64_t> right(static_cast<std::int64_t>(c.sent), p_right);
                c.left = static_cast<double>(left(rng));
                c.right = static_cast<double>(right(rng));
                c.both = 0;
            }
            std::binomial_distribution<std::int64_t> key(static_cast<std::int64_t>(stats->key.windows),
                                                         stats->key.effective / stats->key.windows);
            sampled.key.effective = static_cast<double>(key(rng));
            sampled.key.errors = std::round(sampled.key.effective * stats->key.errors / stats->key.effective);
            const auto fin = certify(p, sampled, Analysis::finite);
            ASSERT_GE(lo(fin.breakdown.phase_error_rate_upper), true_rate) << km << " km, trial " << trial;
        }
    }
}

struct Optimum {
    double rate = 0;   // certified, per pulse
    double p_key = 0;  // of the optimum
};

Optimum optimise(const Link& link, std::uint64_t pulses, Analysis analysis) {
    const auto start = cal19_protocol(pulses, 0.02);
    auto best = security::optimise_cal19(
        start, {}, [&](const security::ProtocolParameters& q) { return expected_statistics(q, link); },
        {analysis, 1.15});
    EXPECT_TRUE(best.ok()) << (best.ok() ? "" : best.error().to_string());
    if (!best) return {};
    return {lo(best->key.rate_per_pulse), best->protocol.alice[0].probability};
}

TEST(ChannelCal19, RateScalesAsTheSquareRootOfTheTransmittance) {
    // 20 dB more channel loss costs 10 dB of key rate (within 10 %): single-photon interference.
    const double near =
        optimise(symmetric_link(200, 0.2, 0.8, 1e-9, 0.01, 0.0), 10'000'000'000'000ULL, Analysis::asymptotic).rate;
    const double far =
        optimise(symmetric_link(300, 0.2, 0.8, 1e-9, 0.01, 0.0), 10'000'000'000'000ULL, Analysis::asymptotic).rate;
    ASSERT_GT(far, 0);
    EXPECT_NEAR(near / far, 10.0, 1.0);
}

TEST(ChannelCal19, AsymptoticRateAgainstTheBertainaNotebookCurve) {
    // Bertaina et al., Adv. Quantum Technol. (2024), Table II devices: detector efficiency 0.9,
    // 10 Hz dark counts at 1 GHz, e_det 0.02, f = 1.15, no phase noise. The notebook's rate has no
    // basis-choice factor (ours is divided by the optimum's p_key^2), and it evaluates the
    // phase-error bound of CAL19 on the model's exact yields, where ours bounds them from three
    // decoys by linear programs; its parameters are fixed (alpha^2 = 0.018, decoys 0.4, 0.16, 1e-5),
    // ours optimised. With the notebook's own decoys our bound is far looser beyond 100 km (0.07 of
    // its rate at 100 km: the 0.16 and 0.4 decoys say little about the two-photon yields);
    // optimised (alpha^2 above all), ours measured 1.03-1.42x the notebook from 50 to 300 km
    // (docs/security.md 8.7; the lowest at 200 km, where the search stops on a flatter optimum).
    // The window [0.9, 1.6] asks for the same scaling with distance.
    const auto curve = testing::bertaina_curve(testing::BertainaColumn::cal19);
    ASSERT_GT(curve.size(), 50U);
    for (double km = 50; km <= 300; km += 50) {
        ASSERT_TRUE(curve.count(km)) << km;
        const Optimum o = optimise(symmetric_link(km, 0.2, 0.9, 1e-8, 0.02, 0.0), 10'000'000'000'000ULL,
                                   Analysis::asymptotic);
        const double ratio = o.rate / (o.p_key * o.p_key) / curve.at(km);
        EXPECT_GT(ratio, 0.9) << km << " km";
        EXPECT_LT(ratio, 1.6) << km << " km";
    }
}

TEST(ChannelCal19, FiniteKeyBeatsTheRepeaterlessBoundWithTenToTheTenPulses) {
    // Curras-Lorenzo et al., npj QI 7, 22 (2021), abstract: CAL19 overcomes the repeaterless bound
    // "with around 10^10 transmitted signals". Our analysis is a different one (C7 martingale
    // bounds, docs/security.md 8.5); with the devices above and N = 10^10 the optimised certified
    // rate measured 1.9x PLOB at 300 km and 2.5x at 350 km.
    for (const double km : {300.0, 350.0}) {
        const Optimum o = optimise(symmetric_link(km, 0.2, 0.9, 1e-8, 0.02, 0.0), 10'000'000'000ULL, Analysis::finite);
        const double plob = hi(security::plob_bound(security::fibre_transmittance(km, 0.2)));
        EXPECT_GT(o.rate, 1.5 * plob) << km << " km";
    }
}

}  // namespace
}  // namespace tfqkd::hardware_model
