// Key length of phase-matching QKD (PM-QKD; Ma, Zeng, Zhou, PRX 8, 031043 (2018)) from count
// statistics, in intervals: asymptotic and finite-key, symmetric settings. docs/security.md,
// section 7, gives each formula with its source, tag and assumptions; the finite-key analysis is
// a conservative one of our own, not that of Zeng, Wu, Ma, PR Applied 13, 064013 (2020).
//
// The result has the same type as SNS's (KeyLength with an SnsBreakdown); for PM its fields mean:
//   s0_lower, s0_upper          Y_0, the yield of the vacuum-vacuum matched test windows
//   s1_lower                    Y_1, the single-photon yield of the matched pair (decoy bound)
//   untagged_lower              n_1, single-photon detections among the key detections (lower)
//   raw_untagged_lower          the same (PM has no pairing step)
//   phase_errors_upper          N_ph, phase errors among all key detections (upper)
//   phase_error_rate_upper      E^X = N_ph / n_key, at most 1/2
//   raw_phase_error_rate_upper  the same
//   key_error_rate              E^Z of the sifted key
//   ec_leakage, correctness_bits, privacy_bits   as for SNS; disclosure_bits is 0
#pragma once

#include "base/result.hpp"
#include "security/experiment.hpp"
#include "security/sns.hpp"

namespace tfqkd::security {

// The same options as SNS: the analysis and the error-correction inefficiency f (used only when the
// statistics carry no measured leakage).
using PmOptions = SnsOptions;

// Certified PM key length. Needs the matched test classes vacuum-vacuum, nu_1-nu_1 and nu_2-nu_2
// and the key counts with key.windows (W) > 0; Bob's settings must equal Alice's.
Result<KeyLength> pm_key_length(const ProtocolParameters& protocol, const SecurityParameters& security,
                                const CountStatistics& counts, const PmOptions& options);

// The same formula in double precision, not certified: the key length (possibly negative) for
// parameter searches. Certify the point found with pm_key_length.
Result<double> pm_key_length_estimate(const ProtocolParameters& protocol, const SecurityParameters& security,
                                      const CountStatistics& counts, const PmOptions& options);

}  // namespace tfqkd::security
