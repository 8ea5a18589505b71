// The terms of the key-length formula that every family shares (docs/security.md 4.4, 7.5, 8.6,
// 9.6), written once over the number type: Interval certifies, double is the search estimate.
// Internal to security/src.
#pragma once

#include <cmath>

#include "security/experiment.hpp"
#include "security/interval.hpp"
#include "security/sns.hpp"

namespace tfqkd::security::detail {

// log2 of either number type: security::log2 encloses the Interval one.
inline double log2_of(double x) { return std::log2(x); }
inline Interval log2_of(const Interval& x) { return log2(x); }

// The secrecy of `bits` key bits whose phase-error rate is at most br.phase_error_rate_upper:
// bits (1 - h(e)). h increases on [0, 1/2], so the upper end of e is enough; a bound at or above 1/2
// leaves no secrecy.
template <class T>
T secrecy_bits(const T& bits, const SnsBreakdownOf<T>& br) {
    const double e_hi = hi(br.phase_error_rate_upper);
    const T h = e_hi >= 0.5 ? T(1.0) : binary_entropy(T(e_hi));
    return bits * (T(1.0) - h);
}

// With finite size: subtracts log2(2 / eps_cor) and 2 log2(1 / (sqrt 2 eps_pa eps_smooth)) from
// `length` and composes eps_tot = eps_cor + 2 eps_smooth + 4 eps_phase + eps_pa + eps_untagged, with
// eps_phase = phase_estimates eps_pe (every bound the phase-error rate depends on) and eps_untagged
// = untagged_estimates eps_pe (every bound a lower-bounded untagged count depends on; 0 when the key
// is counted, not bounded). Asymptotically the terms are 0 and nothing is composed.
template <class T>
void apply_finite_size_terms(T& length, SnsBreakdownOf<T>& br, const SecurityParameters& security, bool finite,
                             unsigned phase_estimates, unsigned untagged_estimates) {
    using std::sqrt;
    if (!finite) {
        br.correctness_bits = T(0.0);
        br.privacy_bits = T(0.0);
        return;
    }
    br.correctness_bits = log2_of(T(2.0) / T(security.eps_cor));
    br.privacy_bits = 2 * log2_of(T(1.0) / (sqrt(T(2.0)) * T(security.eps_pa) * T(security.eps_smooth)));
    length = length - br.correctness_bits - br.privacy_bits;
    br.eps_total = security.eps_cor + 2 * security.eps_smooth + 4 * phase_estimates * security.eps_pe +
                   security.eps_pa + untagged_estimates * security.eps_pe;
}

}  // namespace tfqkd::security::detail
