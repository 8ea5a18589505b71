// Soundness of whole sessions against what the simulator knows: the certified phase-error rate of
// an SNS session lies above the true phase-error probability of its untagged bits, and the
// certified number of untagged bits below their expected number (docs/security.md 4; the ground
// truth is hardware_model's, docs/hardware-model.md 3.3). Several seeds, each a whole session.
#include <gtest/gtest.h>

#include <cmath>

#include "hardware_model/channel.hpp"
#include "hardware_model/sampled.hpp"
#include "network/session.hpp"
#include "session_setups.hpp"

namespace tfqkd::network {
namespace {

// The expected number of untagged bits: Z-Z windows in which exactly one party sent and its pulse
// held exactly one photon, heralded by exactly one click (true_yields: s1 includes dark counts).
double expected_untagged(const SessionSetup& s) {
    const auto& a = s.protocol.alice;
    const auto& b = s.protocol.bob;
    const auto y = hardware_model::true_yields(s.link);
    const double n = static_cast<double>(s.protocol.pulses);
    const auto one_photon = [](double mu) { return mu * std::exp(-mu); };
    return n * (a[0].probability * b[1].probability * one_photon(a[0].intensity) * y.s1_alice +
                a[1].probability * b[0].probability * one_photon(b[0].intensity) * y.s1_bob);
}

TEST(SessionSoundness, CertifiedBoundsLieOnTheSafeSideOfTheSimulatorsTruth) {
    SessionSetup setup = test::sns_100km_setup();
    const double true_rate = hardware_model::true_phase_error_probability(setup.link);
    const double untagged = expected_untagged(setup);
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        setup.seed = seed;
        auto report = run_session(setup);
        ASSERT_TRUE(report.ok()) << report.error().to_string();
        ASSERT_TRUE(report->keys_equal) << "seed " << seed;
        const auto& certified = report->bob_summary.certified;
        ASSERT_TRUE(certified.has_value());
        const auto& b = certified->breakdown;
        EXPECT_GE(security::lo(b.phase_error_rate_upper), true_rate) << "seed " << seed;
        EXPECT_LE(security::hi(b.untagged_lower), untagged) << "seed " << seed;
        // Not vacuous: the bounds are close enough to the truth to give a key.
        EXPECT_LT(security::hi(b.phase_error_rate_upper), 0.5);
        EXPECT_GT(security::lo(b.untagged_lower), 0.5 * untagged);
        EXPECT_EQ(report->key_bits, certified->bits);
    }
}

}  // namespace
}  // namespace tfqkd::network
