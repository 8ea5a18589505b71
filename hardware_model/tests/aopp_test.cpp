// SNS with AOPP on the analytic channel model (docs/security.md 4.5): against plain SNS, against
// PLOB where the literature says AOPP beats it, and against the published asymptotic curve of
// Bertaina et al. (2024), whose data and provenance are in security/tests/data/.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "bertaina_curve.hpp"
#include "hardware_model/channel.hpp"
#include "security/bounds.hpp"
#include "security/optimise.hpp"

namespace tfqkd::hardware_model {
namespace {

using security::Analysis;
using security::lo;
using security::Window;

security::ProtocolParameters start_point(std::uint64_t pulses, bool aopp) {
    security::ProtocolParameters p;
    p.aopp = aopp;
    p.alice = {{Window::z, 0.4, 0.7 * 0.1},
               {Window::z, 0.0, 0.7 * 0.9},
               {Window::x, 0.0, 0.3 * 0.4},
               {Window::x, 0.1, 0.3 * 0.4},
               {Window::x, 0.38, 0.3 * 0.2}};
    p.bob = p.alice;
    p.pulses = pulses;
    p.phase_slices = 16;
    return p;
}

// The certified rate per pulse of the optimised protocol on `link`.
double optimised_rate(const Link& link, std::uint64_t pulses, bool aopp, Analysis analysis, double f = 1.1) {
    const auto predict = [link](const security::ProtocolParameters& p) { return expected_statistics(p, link); };
    auto best = security::optimise_sns(start_point(pulses, aopp), security::SecurityParameters{}, predict,
                                       {analysis, f});
    EXPECT_TRUE(best.ok()) << best.error().to_string();
    if (!best.ok()) return 0;
    EXPECT_EQ(best->protocol.aopp, aopp);
    return lo(best->key.rate_per_pulse);
}

TEST(ChannelAopp, PredictedPairingFollowsTheBitErrorRatesOfBobsTwoValues) {
    const Link link = symmetric_link(300, 0.2, 0.8, 1e-9, 0.03, 0.0);
    auto plain = expected_statistics(start_point(1'000'000'000'000ULL, false), link);
    auto paired = expected_statistics(start_point(1'000'000'000'000ULL, true), link);
    ASSERT_TRUE(plain.ok() && paired.ok());
    EXPECT_FALSE(plain->aopp.has_value());
    ASSERT_TRUE(paired->aopp.has_value());
    const auto& a = *paired->aopp;
    // Bob's two values partition the sifted key, and every bit of the rarer value is paired.
    EXPECT_NEAR(a.bob_zeros + a.bob_ones, plain->key.effective, 1e-9 * plain->key.effective);
    EXPECT_DOUBLE_EQ(a.pairs, std::min(a.bob_zeros, a.bob_ones));
    // Surviving bits are at most the pairs, and pairing lowers the error rate by far.
    EXPECT_LE(paired->key.effective, a.pairs);
    const double before = plain->key.errors / plain->key.effective;
    const double after = paired->key.errors / paired->key.effective;
    EXPECT_LT(after, before / 10) << before << " -> " << after;
}

TEST(ChannelAopp, OptimisedPairingBeatsOptimisedPlainSnsAtLongDistance) {
    // AOPP raises the SNS key rate at long distance (Xu et al., PRA 101, 042330 (2020), abstract).
    for (double km : {300.0, 500.0}) {
        const Link link = symmetric_link(km, 0.2, 0.8, 1e-10, 0.03, 0.0);
        const double plain = optimised_rate(link, 10'000'000'000'000ULL, false, Analysis::finite);
        const double paired = optimised_rate(link, 10'000'000'000'000ULL, true, Analysis::finite);
        EXPECT_GT(paired, 1.2 * plain) << km << " km";
    }
}

TEST(ChannelAopp, FiniteKeyWith10To11PulsesBeatsPlobAt350Km) {
    // Xu et al. 2020 (abstract of arXiv:1904.06331): with AOPP "with only 10^11 total pulses" the
    // finite-key rate exceeds the repeaterless bound. Devices here: efficiency 0.6, dark counts 1e-8,
    // misalignment 3 %.
    const Link link = symmetric_link(350, 0.2, 0.6, 1e-8, 0.03, 0.0);
    const double rate = optimised_rate(link, 100'000'000'000ULL, true, Analysis::finite);
    const double plob = security::hi(security::plob_bound(security::fibre_transmittance(350, 0.2)));
    EXPECT_GT(rate, plob) << rate << " vs " << plob;
}

TEST(ChannelAopp, AsymptoticRateTracksTheBertainaNotebookCurve) {
    // Bertaina et al., Adv. Quantum Technol. (2024), Table II devices: detector efficiency 0.9,
    // 10 Hz dark counts at 1 GHz, e_det 0.02, f = 1.15, no phase noise. The notebook fixes its
    // parameters; ours are optimised, and the models differ (docs/security.md 4.5): the test asks
    // for the same scaling (ratio between 1 and 2 over 100-450 km) and the same cutoff within 50 km.
    const auto curve = testing::bertaina_curve(testing::BertainaColumn::sns_aopp);
    ASSERT_GT(curve.size(), 50U);
    for (double km = 100; km <= 450; km += 50) {
        ASSERT_TRUE(curve.count(km)) << km;
        const Link link = symmetric_link(km, 0.2, 0.9, 1e-8, 0.02, 0.0);
        const double ours = optimised_rate(link, 10'000'000'000'000ULL, true, Analysis::asymptotic, 1.15);
        const double ratio = ours / curve.at(km);
        EXPECT_GT(ratio, 1.0) << km << " km";
        EXPECT_LT(ratio, 2.0) << km << " km";
    }
    // Cutoffs: the last distance (10 km steps) with a positive rate.
    double notebook_cutoff = 0;
    for (const auto& [km, rate] : curve)
        if (rate > 0) notebook_cutoff = km;
    double our_cutoff = 0;
    for (double km = notebook_cutoff - 100; km <= notebook_cutoff + 100; km += 10) {
        const Link link = symmetric_link(km, 0.2, 0.9, 1e-8, 0.02, 0.0);
        if (optimised_rate(link, 10'000'000'000'000ULL, true, Analysis::asymptotic, 1.15) > 0) our_cutoff = km;
    }
    EXPECT_NEAR(our_cutoff, notebook_cutoff, 50.0);
}

}  // namespace
}  // namespace tfqkd::hardware_model
