// Key length of the Curty-Azuma-Lo protocol (CAL19; Curty, Azuma, Lo, npj Quantum Inf. 5, 64
// (2019)) from count statistics, in intervals: asymptotic and finite-key, against coherent attacks,
// with any settings of Alice and Bob (asymmetric intensities and probabilities included).
// docs/security.md, section 8, derives every step: the phase-error bound from photon-number yields
// (8.2), its sum over rounds (8.3), the yields from linear programs with certified dual bounds
// (8.4) and the martingale bounds C7 that make it finite-key against coherent attacks (8.5).
//
// The result has the type of the other families (KeyLength with an SnsBreakdown); for CAL19:
//   s0_upper                    Y_00, the vacuum-vacuum yield (upper bound, from its linear program)
//   s0_lower, s1_lower          0 (CAL19 needs no lower bound on a yield)
//   untagged_lower              the key detections M: every one is covered by the phase-error bound
//   raw_untagged_lower          the same
//   phase_errors_upper          N_ph, phase errors among the key detections (upper bound)
//   phase_error_rate_upper      N_ph / M, at most 1/2 (raw_phase_error_rate_upper the same)
//   key_error_rate              E_Z of the sifted key
//   ec_leakage, correctness_bits, privacy_bits   as for SNS; disclosure_bits is 0
#pragma once

#include "base/result.hpp"
#include "security/experiment.hpp"
#include "security/sns.hpp"

namespace tfqkd::security {

using Cal19Options = SnsOptions;

// Certified CAL19 key length from the X-X test classes (every pair of decoys the statistics give,
// as ClassCounts) and the key counts (key.effective = M, key.errors, key.ec_leakage_bits).
Result<KeyLength> cal19_key_length(const ProtocolParameters& protocol, const SecurityParameters& security,
                                   const CountStatistics& counts, const Cal19Options& options);

// The same in double precision, not certified: the key length (possibly negative) for parameter
// searches. Certify the point found with cal19_key_length.
Result<double> cal19_key_length_estimate(const ProtocolParameters& protocol, const SecurityParameters& security,
                                         const CountStatistics& counts, const Cal19Options& options);

// The photon-number cutoff K of the linear programs for the largest decoy intensity: yields
// s_nm with n, m <= K are variables, the rest enter as the Poisson tail (docs/security.md 8.4).
unsigned cal19_photon_cutoff(double largest_intensity);

}  // namespace tfqkd::security
