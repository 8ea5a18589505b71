// Aggregated simulation of an SNS experiment: count statistics sampled from the exact class
// probabilities of the analytic channel (channel.hpp), for blocks of up to 2^53 pulses in constant
// memory, together with the ground truth that no experiment sees (untagged single-photon bits, their
// phase errors, the photon-number composition of one-sided heralds, and with AOPP the untagged pairs
// and their phase errors). The 3- and 4-intensity protocols, with or without AOPP.
// docs/hardware-model.md, section 3, gives the algorithms, their sources and the derivations.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "base/rng.hpp"
#include "hardware_model/channel.hpp"
#include "security/experiment.hpp"

namespace tfqkd::hardware_model {

// ---- Exact binomial variates ----------------------------------------------------------------

// One Binomial(n, p) variate, n <= 2^53, p in [0, 1], drawn from `rng`. Exact up to the 53-bit
// resolution of the uniforms: the geometric waiting-time method below n min(p, 1-p) = 10 and BTRS
// (Hormann 1993) above it, whose acceptance test evaluates log f(k)/f(m) with Loader's
// saddle-point form so that it stays accurate for n up to 2^53 (lgamma differences do not).
std::uint64_t sample_binomial(CounterRng& rng, std::uint64_t n, double p) noexcept;

// A multinomial vector: `trials` trials over categories of weights `weights` (non-negative, need not
// be normalised; all zero gives all zero counts), by conditional binomials; out.size() ==
// weights.size().
void sample_multinomial(CounterRng& rng, std::uint64_t trials, std::span<const double> weights,
                        std::span<std::uint64_t> out) noexcept;

// log(f(k) / f(m)) for the Binomial(n, p) probability mass f, 0 <= k, m <= n, 0 < p < 1, accurate to
// about 1e-13 absolute for n up to 2^53 (Loader 2000). Exposed for its test.
double binomial_log_ratio(std::uint64_t n, double p, std::uint64_t k, std::uint64_t m) noexcept;

// ---- Exact hypergeometric variates ------------------------------------------------------------

// One Hypergeometric(population, successes, draws) variate: the number of successes among `draws`
// items drawn without replacement from `population` items of which `successes` are successes.
// population <= 2^53; successes and draws are clamped to population. Exact up to the 53-bit
// resolution of the uniforms: HRUA, ratio of uniforms with a table-mountain hat (Stadlober 1989,
// 1990; the form of NumPy's random_hypergeometric_hrua), without its 16-sigma truncation, whose
// acceptance test uses hypergeometric_log_ratio below. docs/hardware-model.md 3.2.
std::uint64_t sample_hypergeometric(CounterRng& rng, std::uint64_t population, std::uint64_t successes,
                                    std::uint64_t draws) noexcept;

// log(f(k) / f(m)) for the Hypergeometric(population, successes, draws) probability mass f, k and m
// in its support, population <= 2^53. The four factorial ratios are written as Loader's deviances
// bd0 and Stirling remainders, and their four terms linear in k - m are combined into
// (k - m) log1p(D / ((K - m)(n - m))) with D = m (N - K - n + m) - (K - m)(n - m) computed exactly in
// 128-bit integers, so nothing of size n log n is subtracted. Exposed for its test.
double hypergeometric_log_ratio(std::uint64_t population, std::uint64_t successes, std::uint64_t draws,
                                std::uint64_t k, std::uint64_t m) noexcept;

// ---- Ground truth -----------------------------------------------------------------------------

// The probability that an untagged bit carries a phase error: the error rate of the single-photon
// twin state (|10> + |01>)/sqrt 2 through the link (arm transmittances, misalignment, Gaussian
// phase noise, dark counts), given exactly one click. Derived in docs/hardware-model.md 3.3.
double true_phase_error_probability(const Link& link) noexcept;

// Photon numbers are grouped as 0, 1, 2 and "3 or more".
inline constexpr std::size_t kPhotonGroups = 4;

// A one-sided class: exactly one party sent light (intensity > 0), the other vacuum.
struct OneSidedComposition {
    std::size_t alice = 0;  // setting indices of the class
    std::size_t bob = 0;
    // Effective events (exactly one click) of the class by the sender's photon number.
    std::array<security::Count, kPhotonGroups> heralds{};
};

// AOPP (docs/security.md 4.5): how Bob's random pairing fell, and the untagged pairs.
struct AoppTruth {
    // Wrong bits among the g zeros and among the g ones Bob chose to pair.
    security::Count paired_wrong_zeros = 0;
    security::Count paired_wrong_ones = 0;
    // Untagged bits among the g zeros (Bob sent one photon, Alice nothing) and among the g ones
    // (Alice sent one photon, Bob nothing) Bob chose to pair.
    security::Count paired_untagged_zeros = 0;
    security::Count paired_untagged_ones = 0;
    // n_1': pairs whose two bits are both untagged (they always survive Alice's parity check).
    security::Count untagged_pairs = 0;
    // Phase errors of the untagged pairs' kept bits: a pair's kept bit has one iff exactly one of
    // its two bits has one (drawn from the per-bit truth of GroundTruth::phase_errors).
    security::Count phase_errors = 0;
    // phase_errors / untagged_pairs (0 when there is no untagged pair).
    double phase_error_rate() const noexcept { return untagged_pairs > 0 ? phase_errors / untagged_pairs : 0.0; }
};

struct GroundTruth {
    // Untagged bits: Z windows in which exactly one party sent (Alice z_send and Bob z_silent, or
    // the reverse), the sender's pulse held exactly one photon, and exactly one detector clicked.
    // With AOPP these are Bob's untagged ones (Alice the sender) and zeros (Bob the sender).
    security::Count untagged_alice = 0;  // Alice was the sender
    security::Count untagged_bob = 0;
    // Phase errors among the untagged bits (of the raw key, before any pairing): the outcome of the
    // virtual X-basis measurement of each untagged bit, Binomial(untagged, e_ph) (section 3.3).
    security::Count phase_errors = 0;
    TrueYields yields;                      // the model's s0 and s1 per side (probabilities)
    double phase_error_probability = 0;     // e_ph, the model's probability
    std::vector<OneSidedComposition> one_sided;  // every one-sided class (X and Z windows)
    std::optional<AoppTruth> aopp;          // present exactly when the protocol uses AOPP

    security::Count untagged() const noexcept { return untagged_alice + untagged_bob; }
    // phase_errors / untagged (0 when there is no untagged bit).
    double phase_error_rate() const noexcept {
        return untagged() > 0 ? phase_errors / untagged() : 0.0;
    }
    const OneSidedComposition* find(std::size_t alice, std::size_t bob) const noexcept;
};

// ---- AOPP pairing -----------------------------------------------------------------------------

// Bob's raw key before AOPP by bit value (0: he sent; 1: he did not), with its ground truth.
struct RawKeyByValue {
    std::uint64_t zeros_right = 0;     // Alice silent
    std::uint64_t zeros_wrong = 0;     // Alice sent too
    std::uint64_t ones_right = 0;      // Alice sent
    std::uint64_t ones_wrong = 0;      // Alice silent too
    std::uint64_t untagged_zeros = 0;  // among zeros_right: Bob sent one photon, Alice nothing
    std::uint64_t untagged_ones = 0;   // among ones_right: Alice sent one photon, Bob nothing
    std::uint64_t phase_errors = 0;    // among the untagged bits of both values
};

struct PairingSample {
    security::AoppCounts counts;  // bob_zeros, bob_ones, pairs = min of the two
    std::uint64_t survivors = 0;  // pairs with both bits right or both wrong (odd parity for Alice)
    std::uint64_t errors = 0;     // survivors with both bits wrong: their kept bit is wrong
    AoppTruth truth;
};

// Bob's random pairing, sampled exactly: g = min(n0, n1) zeros and g ones, each set uniform, matched
// uniformly; every count (wrong bits chosen, both-wrong pairs, untagged bits chosen, untagged pairs,
// phase errors falling in them) is a hypergeometric draw given the previous ones
// (docs/hardware-model.md 3.2). Preconditions: untagged_zeros <= zeros_right, untagged_ones <=
// ones_right, phase_errors <= untagged_zeros + untagged_ones, all sums <= 2^53.
PairingSample sample_aopp_pairing(CounterRng& rng, const RawKeyByValue& raw) noexcept;

struct SampledRun {
    security::CountStatistics statistics;  // what the protocol sees (no measured EC leakage)
    GroundTruth truth;                     // what only the simulator knows
};

// Samples one block of the SNS protocol (3- or 4-intensity) over `link`, reproducible from `seed`:
// the windows of every setting pair (multinomial over N pulses), each class's outcomes
// (multinomial over left / right / both / none), the phase-matched X1 windows, the Z-Z key
// windows, and the ground truth. The classes listed are those of expected_statistics, in the same
// order (the X-X classes, then for the 3-intensity protocol the one-sided Z classes alice z_send -
// bob z_silent and alice z_silent - bob z_send). With AOPP the key is Bob's random pairing of his raw
// key, sampled exactly (hypergeometric stages): `aopp` holds his bits by value and the pairs, `key`
// the survivors and their errors, `truth.aopp` the untagged pairs and their phase errors. Every
// count is a whole number in [0, windows]. Memory and time do not depend on N.
// Errors: invalid parameters (security::validate), a family other than SNS, N above 2^53,
// phase_match_slices overlapping around 0 and pi, an invalid link.
Result<SampledRun> sample_statistics(const security::ProtocolParameters& protocol, const Link& link,
                                     std::uint64_t seed);

// Checks a link: losses finite and >= 0, efficiency in (0, 1], dark-count probability in [0, 1),
// misalignment in [0, 1/2], phase noise finite and >= 0. The error names the field.
Status validate_link(const Link& link);

// What both fidelities accept: valid parameters of the 3- or 4-intensity SNS protocol, N <= 2^53,
// phase slices kept around 0 and around pi that do not overlap (4k + 2 <= M for even M), a valid
// link. Returns the roles of Alice's and Bob's settings. (AOPP is checked by each fidelity: the
// aggregated sampler pairs, the event aggregator refuses it.)
struct SnsSimulationRoles {
    security::SnsRoles alice;
    security::SnsRoles bob;
};
Result<SnsSimulationRoles> validate_simulation(const security::ProtocolParameters& protocol, const Link& link);

// Clicks of an n-photon Fock state sent by one party (arm transmittance eta) while the other sends
// vacuum: each photon reaches the left or the right detector with probability eta/2 each; dark
// counts p_d per detector. Exactly left (= exactly right, by symmetry) and both.
struct FockClicks {
    double one_side = 0;  // exactly the left detector (the same for exactly the right)
    double both = 0;
    double effective() const noexcept { return 2 * one_side; }
    double herald() const noexcept { return 2 * one_side + both; }
};
FockClicks fock_clicks(std::uint64_t photons, double eta, double dark_count_probability) noexcept;

}  // namespace tfqkd::hardware_model
