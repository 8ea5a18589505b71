// The analytic honest-channel model of a TF-QKD link: two arms to an interferometer at the relay,
// threshold detectors with dark counts, misalignment and residual phase noise. It gives the
// expected statistics of an experiment (for prediction and parameter optimisation) and the true
// values that no experiment sees (for the soundness tests of security/). docs/hardware-model.md,
// section 1, derives every formula below.
//
// Double precision: the model predicts, it does not certify. Certification starts from the
// statistics it predicts and computes in intervals (security/).
#pragma once

#include "base/result.hpp"
#include "security/experiment.hpp"

namespace tfqkd::hardware_model {

struct Link {
    double arm_loss_alice_db = 0;      // total loss from Alice's source to the relay's beam splitter
    double arm_loss_bob_db = 0;
    double detector_efficiency = 1.0;  // of Charlie's two detectors (folded into each arm)
    double dark_count_probability = 0; // per detector per pulse
    double misalignment = 0;           // e_d: fraction of light that reaches the wrong output
    double phase_noise_rad = 0;        // standard deviation of the residual relative phase (Gaussian)

    // Transmittance of an arm from source to click: detector efficiency times 10^(-loss/10).
    double eta_alice() const noexcept;
    double eta_bob() const noexcept;
};

// A symmetric link of total fibre length `distance_km` (half per arm) at `attenuation_db_per_km`.
Link symmetric_link(double distance_km, double attenuation_db_per_km, double detector_efficiency,
                    double dark_count_probability, double misalignment, double phase_noise_rad);

// Probabilities that exactly the left, exactly the right, or both detectors click, for coherent
// pulses of mean photon numbers a and b arriving at the beam splitter (transmittance included) with
// relative phase delta. At delta = 0 the light goes to the left detector.
struct ClickProbabilities {
    double left = 0;
    double right = 0;
    double both = 0;
    double effective() const noexcept { return left + right; }
};
ClickProbabilities clicks_at_phase(double a, double b, double delta, const Link& link);
// The same, averaged over a uniformly random relative phase (phase-randomised pulses).
ClickProbabilities clicks_random_phase(double a, double b, const Link& link);

// The same, averaged over the relative phase of phase-matched windows: M slices, slice indices
// within `match_slices` of each other (around 0), each phase uniform in its slice, plus the link's
// Gaussian phase noise. At phase 0 the light goes left, so right clicks are errors.
ClickProbabilities clicks_phase_matched(double a, double b, std::uint32_t slices, std::uint32_t match_slices,
                                        const Link& link);

// The same for phase-locked pulses (CAL19's key mode): the relative phase is 0 plus the link's
// Gaussian phase noise only. At phase 0 the light goes left.
ClickProbabilities clicks_phase_locked(double a, double b, const Link& link);

// Mode pairing (docs/hardware-model.md 1.1): two rounds of one pair, each with coherent pulses of
// mean photon numbers (a, b) at the beam splitter and a uniformly random relative phase delta in
// the first round; the second round's relative phase differs from it by the phase-sifted mismatch
// (slice difference within `match_slices` of M/2 classes, uniform within the slices, the link's
// Gaussian phase noise). The probabilities that both rounds are heralded (exactly one click each)
// at the same detector and at different detectors. After sifting to equal bits, a click pattern at
// different detectors is an X-basis error.
struct PairedClicks {
    double same = 0;
    double different = 0;
    double heralded() const noexcept { return same + different; }
};
PairedClicks clicks_paired_rounds(double a_first, double b_first, double a_second, double b_second,
                                  std::uint32_t slices, std::uint32_t match_slices, const Link& link);

// Expected statistics of a whole experiment: every X-X class (and for the 3-intensity protocol the
// two one-sided Z classes), the phase-matched X1 windows and the Z-Z key windows, for the SNS
// family; with AOPP, Bob's raw key by bit value, the pairs and the key that survives the parity check.
// For the PM family: the phase-matched test classes vacuum-vacuum, nu_1-nu_1, nu_2-nu_2 and the
// matched key windows W = N p_key^2 (kept fraction) with their effective events and errors.
// For CAL19: every X-X test class, and the key windows N p_key^A p_key^B with their effective events
// and errors (phase-locked |+-alpha>).
// For the mode_pairing family: the heralded rounds, the pairs formed within max_pairing_interval
// (Zeng et al. 2022, Eq. 4), the Z pair classes, the phase-sifted X classes with their errors and
// the signal-signal Z key pairs with their errors (docs/hardware-model.md 1.1).
Result<security::CountStatistics> expected_statistics(const security::ProtocolParameters& protocol,
                                                      const Link& link);

// Ground truth of the model: the yield of a single photon sent by one party while the other sends
// vacuum (probability of exactly one click), per party.
struct TrueYields {
    double s0 = 0;        // both send vacuum
    double s1_alice = 0;  // one photon from Alice, vacuum from Bob
    double s1_bob = 0;
};
TrueYields true_yields(const Link& link);

}  // namespace tfqkd::hardware_model
