// Key length of sending-or-not-sending TF-QKD (SNS) from count statistics, in intervals:
// asymptotic and finite-key, 4-intensity protocol with symmetric settings.
// docs/security.md, section 4, gives each formula with its source, tag and assumptions.
#pragma once

#include <string>

#include "base/result.hpp"
#include "security/experiment.hpp"
#include "security/interval.hpp"

namespace tfqkd::security {

enum class Analysis { asymptotic, finite };

// What a key length is made of, every term an enclosure.
struct SnsBreakdown {
    Interval s0;                    // vacuum yield used (lower or upper end as needed)
    Interval s1_lower;              // single-photon yield, lower bound (average of both sides)
    Interval untagged_lower;        // n1: untagged key bits, lower bound
    Interval phase_errors_upper;    // N_ph: phase errors among them, upper bound
    Interval phase_error_rate_upper;  // e1ph = N_ph / n1, upper bound
    Interval key_error_rate;        // E_Z of the sifted key
    Interval ec_leakage;            // bits disclosed by error correction (measured or f n_t h(E_Z))
    Interval correctness_bits;      // log2(2 / eps_cor)
    Interval privacy_bits;          // 2 log2(1 / (sqrt 2 eps_pa eps_smooth))
    double eps_total = 0;           // the composed failure probability (finite key), 0 asymptotically
    unsigned estimates = 0;         // concentration bounds applied
};

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

Result<KeyLength> sns_key_length(const ProtocolParameters& protocol, const SecurityParameters& security,
                                 const CountStatistics& counts, const SnsOptions& options);

}  // namespace tfqkd::security
