// PM-QKD key length: docs/security.md, section 7 (source argument and decoy bound 7.2, phase errors
// 7.3, finite size 7.4, key length and epsilon composition 7.5).
//
// Written once as a template over the number type, as sns.cpp: Interval certifies, double is the
// fast estimate of the parameter search (security/optimise.hpp).
#include "security/pm.hpp"

#include <algorithm>
#include <cmath>

#include "key_length_terms.hpp"
#include "security/concentration.hpp"

namespace tfqkd::security {
namespace {

constexpr std::string_view kCounts = "counts";


struct PmInputs {
    PmRoles roles;
    const MatchedClassCounts* vac;
    const MatchedClassCounts* weak;
    const MatchedClassCounts* strong;
};

Result<PmInputs> check_inputs(const ProtocolParameters& protocol, const SecurityParameters& security,
                              const CountStatistics& counts) {
    TFQKD_TRY(validate(protocol));
    TFQKD_TRY(validate(security));
    TFQKD_TRY(validate(counts, protocol));
    if (protocol.family != Family::pm)
        return make_error(Errc::invalid_argument, "protocol", "family", "pm_key_length certifies the PM family");
    if (!(protocol.alice == protocol.bob))
        return make_error(Errc::invalid_argument, "protocol", "bob",
                          "the PM analysis implemented is for symmetric settings: bob's list must equal alice's");
    const auto roles = pm_roles(protocol.alice, "alice");
    if (!roles) return roles.error();
    if (!(counts.key.windows > 0))
        return make_error(Errc::inconsistent, kCounts, "key.windows",
                          "PM needs the phase-matched key windows W (key.windows > 0)");
    PmInputs in{*roles, nullptr, nullptr, nullptr};
    struct Need {
        const MatchedClassCounts** slot;
        std::size_t index;
        const char* name;
    };
    for (const Need& need : {Need{&in.vac, roles->test_vacuum, "vacuum - vacuum"},
                             Need{&in.weak, roles->test_weak, "nu_1 - nu_1"},
                             Need{&in.strong, roles->test_strong, "nu_2 - nu_2"}}) {
        const MatchedClassCounts* c = counts.find_matched(need.index, need.index);
        if (c == nullptr || !(c->windows > 0))
            return make_error(Errc::inconsistent, kCounts, "matched",
                              std::string("PM needs the phase-matched ") + need.name + " test class (alice " +
                                  std::to_string(need.index) + ", bob " + std::to_string(need.index) +
                                  "), which is missing or has no windows");
        *need.slot = c;
    }
    return in;
}

Interval at_most_half(const Interval& x) { return min(clamp_probability(x), point(0.5)); }
double at_most_half(double x) { return std::min(clamp_probability(x), 0.5); }

template <class T>
struct Evaluation {
    T length;
    SnsBreakdownOf<T> breakdown;
};

template <class T>
Evaluation<T> evaluate(const ProtocolParameters& protocol, const SecurityParameters& security,
                       const CountStatistics& counts, const PmOptions& options, const PmInputs& in) {
    using std::exp;
    using std::sqrt;
    const bool finite = options.analysis == Analysis::finite;
    const T eps_pe = T(security.eps_pe);
    const auto& set = protocol.alice;
    // Total intensities of the matched pair: twice the per-party setting (symmetric).
    const T mu = 2 * T(set[in.roles.key].intensity);
    const T nu1 = 2 * T(set[in.roles.test_weak].intensity);
    const T nu2 = 2 * T(set[in.roles.test_strong].intensity);

    // 7.2: Y_0 (upper for Y_1, lower for the error term), Q_nu1 lower, Q_nu2 upper, T_nu1 upper.
    const BasicBounds<T> y0 = formulas::expected_rate<T>(in.vac->effective, in.vac->windows, finite, eps_pe);
    const BasicBounds<T> q1 = formulas::expected_rate<T>(in.weak->effective, in.weak->windows, finite, eps_pe);
    const BasicBounds<T> q2 = formulas::expected_rate<T>(in.strong->effective, in.strong->windows, finite, eps_pe);
    const BasicBounds<T> t1 = formulas::expected_rate<T>(in.weak->errors, in.weak->windows, finite, eps_pe);
    const T y1 = clamp_nonnegative((nu2 * nu2 * exp(nu1) * q1.lower - nu1 * nu1 * exp(nu2) * q2.upper -
                                    (nu2 * nu2 - nu1 * nu1) * y0.upper) /
                                   (nu1 * nu2 * (nu2 - nu1)));
    // 7.3: Y_1 e_1 <= (E Q e^nu1 - Y_0 / 2) / nu1, bounded without Y_1.
    const T y1e1 = clamp_nonnegative((t1.upper * exp(nu1) - y0.lower / 2) / nu1);
    const T one_photon = T(counts.key.windows) * mu * exp(-mu);
    T n1 = one_photon * y1;     // <n_1>
    T m1 = one_photon * y1e1;   // <m_1>
    unsigned estimates = 0;
    if (finite) {
        // 7.4: C2 from the expectations to this block's counts.
        n1 = clamp_nonnegative(formulas::chernoff_observed_from_expected(n1, eps_pe).lower);
        m1 = formulas::chernoff_observed_from_expected(m1, eps_pe).upper;
        estimates = 7;  // Y_0 upper and lower, Q_nu1, Q_nu2, T_nu1, n_1, m_1
    }
    const T n_key = T(counts.key.effective);
    // 7.3: every key detection that is not single-photon counts as a phase error.
    const T phase_errors = clamp_nonnegative(n_key - n1 + m1);

    Evaluation<T> out{};
    SnsBreakdownOf<T>& br = out.breakdown;
    br.s0_lower = y0.lower;
    br.s0_upper = y0.upper;
    br.s1_lower = y1;
    br.untagged_lower = n1;
    br.raw_untagged_lower = n1;
    br.phase_errors_upper = phase_errors;
    br.phase_error_rate_upper = T(0.5);
    if (counts.key.effective > 0) br.phase_error_rate_upper = at_most_half(phase_errors / n_key);
    br.raw_phase_error_rate_upper = br.phase_error_rate_upper;
    br.key_error_rate = counts.key.effective > 0 ? T(counts.key.errors) / n_key : T(0.0);
    br.ec_leakage = counts.key.ec_leakage_bits ? T(*counts.key.ec_leakage_bits)
                                               : T(options.ec_efficiency) * n_key * binary_entropy(br.key_error_rate);
    br.disclosure_bits = T(0.0);
    br.estimates = estimates;
    const T privacy = certainly_positive(n1) ? detail::secrecy_bits(n_key, br) : T(0.0);
    out.length = privacy - br.ec_leakage;
    // 7.5: eps_phase counts all 7 bounds; n_key is observed, so there is no eps_n1 term.
    detail::apply_finite_size_terms(out.length, br, security, finite, estimates, 0);
    return out;
}

}  // namespace

Result<KeyLength> pm_key_length(const ProtocolParameters& protocol, const SecurityParameters& security,
                                const CountStatistics& counts, const PmOptions& options) {
    const auto inputs = check_inputs(protocol, security, counts);
    if (!inputs) return inputs.error();
    const Evaluation<Interval> e = evaluate<Interval>(protocol, security, counts, options, *inputs);
    auto certified = certify_length(e.length, e.breakdown, security, protocol.pulses, options.analysis, "7.5");
    if (!certified) return certified.error();
    KeyLength& out = *certified;
    if (out.bits == 0) {
        const SnsBreakdown& br = out.breakdown;
        if (!(counts.key.effective > 0))
            out.zero_reason = "no key detections (key.effective is 0)";
        else if (!certainly_positive(br.untagged_lower))
            out.zero_reason = "no single-photon key detections can be certified (the decoy bound on Y_1 is zero)";
        else if (hi(br.phase_error_rate_upper) >= 0.5)
            out.zero_reason = "the phase-error bound reaches 1/2: no secrecy remains";
        else
            out.zero_reason = "error correction and the finite-size terms exceed the secrecy of the key";
    }
    return certified;
}

Result<double> pm_key_length_estimate(const ProtocolParameters& protocol, const SecurityParameters& security,
                                      const CountStatistics& counts, const PmOptions& options) {
    const auto inputs = check_inputs(protocol, security, counts);
    if (!inputs) return inputs.error();
    return evaluate<double>(protocol, security, counts, options, *inputs).length;
}

}  // namespace tfqkd::security
