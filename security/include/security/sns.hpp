// Key length of sending-or-not-sending TF-QKD (SNS) from count statistics, in intervals:
// asymptotic and finite-key, the 3- and 4-intensity protocols with symmetric settings, with or
// without actively odd-parity pairing (AOPP).
// docs/security.md, section 4, gives each formula with its source, tag and assumptions.
#pragma once

#include <string>

#include "base/result.hpp"
#include "security/experiment.hpp"
#include "security/interval.hpp"

namespace tfqkd::security {

enum class Analysis { asymptotic, finite };

// What a key length is made of, every term an enclosure (or a double in the search estimate).
template <class T>
struct SnsBreakdownOf {
    T s0_lower;                  // vacuum yield, lower bound (used by the phase-error bound)
    T s0_upper;                  // vacuum yield, upper bound (used by the decoy bound)
    T s1_lower;                  // single-photon yield, lower bound (average of both sides)
    // Before AOPP (without AOPP the same as the next three): untagged bits of the raw key, lower
    // bound, and their phase-error rate, upper bound (4.2; with AOPP the expectation-level rate).
    T raw_untagged_lower;
    T raw_phase_error_rate_upper;
    T untagged_lower;            // n1: untagged key bits (with AOPP: untagged pairs), lower bound
    T phase_errors_upper;        // N_ph: phase errors among them, upper bound
    T phase_error_rate_upper;    // e1ph = N_ph / n1, upper bound, at most 1/2
    T key_error_rate;            // E_Z of the sifted key
    T ec_leakage;                // bits disclosed by error correction (measured or f n_t h(E_Z))
    T correctness_bits;          // log2(2 / eps_cor)
    T privacy_bits;              // 2 log2(1 / (sqrt 2 eps_pa eps_smooth))
    // 3-intensity protocol, finite key: 2 log2(N + 1), what disclosing the one-sided Z counts can
    // reveal (docs/security.md 4.1); 0 otherwise.
    T disclosure_bits;
    double eps_total = 0;        // the composed failure probability (finite key), 0 asymptotically
    unsigned estimates = 0;      // one-sided concentration bounds applied (finite key)
};
using SnsBreakdown = SnsBreakdownOf<Interval>;

struct KeyLength {
    std::uint64_t bits = 0;         // certified: floor of the lower end of `length`, never negative
    Interval length;                // the key-length formula, enclosed
    Interval rate_per_pulse;        // bits / N, enclosed (the certified rate is its lower end)
    SnsBreakdown breakdown;
    std::string zero_reason;        // why the key is empty, when it is
};

struct SnsOptions {
    Analysis analysis = Analysis::finite;
    // Error-correction inefficiency f, used only when the statistics carry no measured leakage.
    double ec_efficiency = 1.1;
};

// The certified result of an evaluated key-length formula, for every family: refuses a finite-key
// composition above security.eps_total (the error cites `composition_section` of docs/security.md),
// floors the lower end of `length` (never negative) and gives the rate per pulse. The caller sets
// zero_reason, whose wording is the family's.
Result<KeyLength> certify_length(const Interval& length, const SnsBreakdown& breakdown, const SecurityParameters& security,
                                 std::uint64_t pulses, Analysis analysis, const char* composition_section);

Result<KeyLength> sns_key_length(const ProtocolParameters& protocol, const SecurityParameters& security,
                                 const CountStatistics& counts, const SnsOptions& options);

// The same formula in double precision, not certified (its rounding is unbounded): the key length
// (possibly negative) for parameter searches. Certify the point found with sns_key_length.
Result<double> sns_key_length_estimate(const ProtocolParameters& protocol, const SecurityParameters& security,
                                       const CountStatistics& counts, const SnsOptions& options);

}  // namespace tfqkd::security
