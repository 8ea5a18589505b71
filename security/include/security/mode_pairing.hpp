// Key length of mode-pairing QKD (MP-QKD; Zeng, Zhou, Ma et al., Nat. Commun. 13, 3903 (2022),
// arXiv:2201.04300) from count statistics, in intervals: asymptotic and finite-key, symmetric
// settings, intensities {0, nu, mu}. docs/security.md, section 9, gives each formula with its
// source, tag and assumptions; the finite-key analysis is a conservative one of our own (C1/C2),
// not that of the MP finite-key papers.
//
// The result has the same type as SNS's (KeyLength with an SnsBreakdown); for MP its fields mean:
//   s0_lower, s0_upper          Q_00, the vacuum-vacuum pairs per unit of prior (lower, upper)
//   s1_lower                    Y_11, the single-photon pair yield (decoy bound, 9.3)
//   untagged_lower              n_11, single-photon pairs among the key pairs (lower)
//   raw_untagged_lower          the same (no further pairing step)
//   phase_errors_upper          m_11, phase errors among them (upper)
//   phase_error_rate_upper      e_11 = m_11 / n_11, at most 1/2
//   raw_phase_error_rate_upper  the same
//   key_error_rate              E_Z of the key pairs
//   ec_leakage, correctness_bits, privacy_bits   as for SNS; disclosure_bits is 0
#pragma once

#include "base/result.hpp"
#include "security/experiment.hpp"
#include "security/sns.hpp"

namespace tfqkd::security {

// The same options as SNS: the analysis and the error-correction inefficiency f (used only when the
// statistics carry no measured leakage).
using ModePairingOptions = SnsOptions;

// The pairing rate of the simple pairing strategy (docs/security.md 9.2; Zeng et al. 2022, Eq. 4):
// the expected pairs per round when each round is heralded independently with probability p and a
// pair is two consecutive heralded rounds at most l rounds apart:
//     r_p(p, l) = [1 / (p (1 - (1 - p)^l)) + 1 / p]^(-1),  r_p -> p / 2 as l -> infinity.
double pairing_rate(double heralding_probability, std::uint32_t max_pairing_interval) noexcept;

// The fraction of pairs kept by X-basis phase sifting: the relative phases of Alice and Bob, each
// announced to one of M/2 classes modulo pi, agree within k classes: 2 (2k + 1) / M.
double mp_phase_sifting_fraction(const ProtocolParameters& protocol) noexcept;

// Certified MP key length. Needs mode_pairing counts with the Z classes vacuum/decoy/signal of both
// parties except signal-signal (which is the key, in `key`), and the X classes decoy-decoy,
// vacuum-decoy, decoy-vacuum and vacuum-vacuum; Bob's settings must equal Alice's.
Result<KeyLength> mode_pairing_key_length(const ProtocolParameters& protocol, const SecurityParameters& security,
                                          const CountStatistics& counts, const ModePairingOptions& options);

// The same formula in double precision, not certified: the key length (possibly negative) for
// parameter searches. Certify the point found with mode_pairing_key_length.
Result<double> mode_pairing_key_length_estimate(const ProtocolParameters& protocol, const SecurityParameters& security,
                                                const CountStatistics& counts, const ModePairingOptions& options);

}  // namespace tfqkd::security
