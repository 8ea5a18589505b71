// MP-QKD key length: docs/security.md, section 9 (protocol and counts 9.1, pairing rate 9.2, the
// reduction to time-bin MDI-QKD and the decoy bound 9.3, phase errors 9.4, finite size 9.5, key
// length and epsilon composition 9.6).
//
// Written once as a template over the number type, as pm.cpp: Interval certifies, double is the
// fast estimate of the parameter search (security/optimise.hpp).
#include "security/mode_pairing.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "key_length_terms.hpp"
#include "security/concentration.hpp"

namespace tfqkd::security {
namespace {

constexpr std::string_view kCounts = "counts";


// One-sided concentration bounds used by the finite-key analysis (docs/security.md 9.5): C1 on
// the Z classes Q_00 (both sides), Q_0nu, Q_nu0, Q_nunu, Q_0mu, Q_mu0, Q_mumu (8); on the X error
// counts T_nunu, T_0nu, T_nu0, T_00 (4); C2 on n_11 and m_11 (2).
constexpr unsigned kEstimates = 14;
// Of them, those the single-photon count n_11 depends on: the 8 Z-class bounds and its C2 step.
constexpr unsigned kUntaggedEstimates = 9;

struct MpInputs {
    MpRoles roles;
    const ModePairingClassCounts* z_vac_vac;
    const ModePairingClassCounts* z_vac_decoy;
    const ModePairingClassCounts* z_decoy_vac;
    const ModePairingClassCounts* z_decoy_decoy;
    const ModePairingClassCounts* z_vac_signal;
    const ModePairingClassCounts* z_signal_vac;
    const ModePairingClassCounts* x_decoy_decoy;
    const ModePairingClassCounts* x_vac_decoy;
    const ModePairingClassCounts* x_decoy_vac;
    const ModePairingClassCounts* x_vac_vac;
};

Result<MpInputs> check_inputs(const ProtocolParameters& protocol, const SecurityParameters& security,
                              const CountStatistics& counts) {
    TFQKD_TRY(validate(protocol));
    TFQKD_TRY(validate(security));
    if (protocol.family != Family::mode_pairing)
        return make_error(Errc::invalid_argument, "protocol", "family",
                          "mode_pairing_key_length certifies the mode_pairing family");
    TFQKD_TRY(validate(counts, protocol));
    if (!(protocol.alice == protocol.bob))
        return make_error(Errc::invalid_argument, "protocol", "bob",
                          "the MP analysis implemented is for symmetric settings: bob's list must equal alice's");
    const auto roles = mp_roles(protocol.alice, "alice");
    if (!roles) return roles.error();
    const ModePairingCounts& mp = *counts.mode_pairing;
    MpInputs in{*roles, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
    const std::size_t v = roles->vacuum, d = roles->decoy, s = roles->signal;
    struct Need {
        const ModePairingClassCounts** slot;
        PairBasis basis;
        std::size_t alice;
        std::size_t bob;
        const char* name;
    };
    for (const Need& need : {Need{&in.z_vac_vac, PairBasis::z, v, v, "Z vacuum - vacuum"},
                             Need{&in.z_vac_decoy, PairBasis::z, v, d, "Z vacuum - decoy"},
                             Need{&in.z_decoy_vac, PairBasis::z, d, v, "Z decoy - vacuum"},
                             Need{&in.z_decoy_decoy, PairBasis::z, d, d, "Z decoy - decoy"},
                             Need{&in.z_vac_signal, PairBasis::z, v, s, "Z vacuum - signal"},
                             Need{&in.z_signal_vac, PairBasis::z, s, v, "Z signal - vacuum"},
                             Need{&in.x_decoy_decoy, PairBasis::x, d, d, "X decoy - decoy"},
                             Need{&in.x_vac_decoy, PairBasis::x, v, d, "X vacuum - decoy"},
                             Need{&in.x_decoy_vac, PairBasis::x, d, v, "X decoy - vacuum"},
                             Need{&in.x_vac_vac, PairBasis::x, v, v, "X vacuum - vacuum"}}) {
        const ModePairingClassCounts* c = mp.find(need.basis, need.alice, need.bob);
        if (c == nullptr)
            return make_error(Errc::inconsistent, kCounts, "mode_pairing.classes",
                              std::string("MP needs the ") + need.name + " pair class (basis " +
                                  (need.basis == PairBasis::z ? "z" : "x") + ", alice " + std::to_string(need.alice) +
                                  ", bob " + std::to_string(need.bob) + "), which is missing");
        *need.slot = c;
    }
    return in;
}

Interval at_most_half(const Interval& x) { return min(clamp_probability(x), point(0.5)); }
double at_most_half(double x) { return std::min(clamp_probability(x), 0.5); }
// Named apart from std::min, which unqualified lookup would pick for Interval (an alias of a
// Boost.Multiprecision type, so argument-dependent lookup does not see security::min).
Interval smaller(const Interval& a, const Interval& b) { return security::min(a, b); }
double smaller(double a, double b) { return std::min(a, b); }

// Bounds on the expectation of an observed count (docs/security.md 9.5): the count itself
// asymptotically, C1 with finite size (the lower end clamped at 0).
template <class T>
BasicBounds<T> expected_count(double count, bool finite, const T& eps) {
    const T x = T(count);
    if (!finite) return {x, x};
    const BasicBounds<T> b = formulas::chernoff_expected_from_observed(x, eps);
    return {clamp_nonnegative(b.lower), b.upper};
}

template <class T>
BasicBounds<T> divided(const BasicBounds<T>& b, const T& by) {
    return {b.lower / by, b.upper / by};
}

template <class T>
struct Evaluation {
    T length;
    SnsBreakdownOf<T> breakdown;
};

template <class T>
Evaluation<T> evaluate(const ProtocolParameters& protocol, const SecurityParameters& security,
                       const CountStatistics& counts, const ModePairingOptions& options, const MpInputs& in) {
    using std::exp;
    using std::sqrt;
    const bool finite = options.analysis == Analysis::finite;
    const T eps = T(security.eps_pe);
    const auto& set = protocol.alice;
    const T p_vac = T(set[in.roles.vacuum].probability);
    const T p_decoy = T(set[in.roles.decoy].probability);
    const T p_signal = T(set[in.roles.signal].probability);
    const T nu = T(set[in.roles.decoy].intensity);
    const T mu = T(set[in.roles.signal].intensity);

    // 9.3: the prior probability of a party's pair type. Z with intensity a: one round a, the other
    // vacuum, in either order (2 p_a p_0); the vacuum pair p_0^2; X with intensity a: p_a^2.
    const T z_vac = p_vac * p_vac;
    const T z_decoy = 2 * p_decoy * p_vac;
    const T z_signal = 2 * p_signal * p_vac;
    const T x_vac = p_vac * p_vac;
    const T x_decoy = p_decoy * p_decoy;
    // 9.1: phase sifting keeps the fraction 2 (2k + 1) / M of X pairs, independently of the class.
    const T kept = T(2.0 * (2.0 * protocol.phase_match_slices + 1)) / T(static_cast<double>(protocol.phase_slices));

    // 9.3: Q_ab = E[pairs of Z class (a, b)] / (prior_a prior_b) = sum_mn P_m(a) P_n(b) Y_mn.
    const auto q = [&](const ModePairingClassCounts* c, const T& prior_a, const T& prior_b) {
        return divided(expected_count<T>(c->pairs, finite, eps), prior_a * prior_b);
    };
    const BasicBounds<T> q00 = q(in.z_vac_vac, z_vac, z_vac);
    const BasicBounds<T> q0n = q(in.z_vac_decoy, z_vac, z_decoy);
    const BasicBounds<T> qn0 = q(in.z_decoy_vac, z_decoy, z_vac);
    const BasicBounds<T> qnn = q(in.z_decoy_decoy, z_decoy, z_decoy);
    const BasicBounds<T> q0m = q(in.z_vac_signal, z_vac, z_signal);
    const BasicBounds<T> qm0 = q(in.z_signal_vac, z_signal, z_vac);
    const BasicBounds<T> qmm = divided(expected_count<T>(counts.key.effective, finite, eps), z_signal * z_signal);
    // 9.3 [D]: G(a) = e^{2a} Q_aa - e^a (Q_0a + Q_a0) + Q_00 = sum_{m,n>=1} a^{m+n}/(m! n!) Y_mn;
    // G(nu) from below, G(mu) from above.
    const T g_decoy = exp(2 * nu) * qnn.lower - exp(nu) * (q0n.upper + qn0.upper) + q00.lower;
    const T g_signal = exp(2 * mu) * qmm.upper - exp(mu) * (q0m.lower + qm0.lower) + q00.upper;
    // 9.3 [D]: mu^3 G(nu) - nu^3 G(mu) keeps Y_11 with coefficient mu^2 nu^2 (mu - nu), cancels the
    // three-photon terms and subtracts every term of four photons or more.
    const T y11 = clamp_nonnegative((mu * mu * mu * g_decoy - nu * nu * nu * g_signal) / (mu * mu * nu * nu * (mu - nu)));

    // 9.4 [D]: T_ab = E[errors of sifted X class (a, b)] / (prior_a prior_b kept), total photon
    // number 2a per party; inclusion-exclusion leaves the terms with photons from both parties.
    const auto t = [&](const ModePairingClassCounts* c, const T& prior_a, const T& prior_b) {
        return divided(expected_count<T>(c->errors, finite, eps), prior_a * prior_b * kept);
    };
    const BasicBounds<T> tnn = t(in.x_decoy_decoy, x_decoy, x_decoy);
    const BasicBounds<T> t0n = t(in.x_vac_decoy, x_vac, x_decoy);
    const BasicBounds<T> tn0 = t(in.x_decoy_vac, x_decoy, x_vac);
    const BasicBounds<T> t00 = t(in.x_vac_vac, x_vac, x_vac);
    const T y11e11 = clamp_nonnegative((exp(4 * nu) * tnn.upper - exp(2 * nu) * (t0n.lower + tn0.lower) + t00.upper) /
                                       (4 * nu * nu));

    // 9.4: single-photon key pairs and their phase errors, in expectation: prior_mu^2 mu^2 e^{-2mu}
    // times Y_11 and times (Y e)_11 (the latter by the MDI reduction, [M]).
    const T one_photon_each = z_signal * z_signal * mu * mu * exp(-2 * mu);
    T n11 = one_photon_each * y11;
    T m11 = one_photon_each * y11e11;
    if (finite) {
        // 9.5: C2 from the expectations to this block's counts.
        n11 = clamp_nonnegative(formulas::chernoff_observed_from_expected(n11, eps).lower);
        m11 = formulas::chernoff_observed_from_expected(m11, eps).upper;
    }
    const T n_key = T(counts.key.effective);
    // 9.4: the single-photon key pairs are key pairs, so n_11 <= n_key whatever the bounds say
    // (data the decoy bounds disagree with, such as an empty key, must not yield key).
    n11 = smaller(n11, n_key);

    Evaluation<T> out{};
    SnsBreakdownOf<T>& br = out.breakdown;
    br.s0_lower = q00.lower;
    br.s0_upper = q00.upper;
    br.s1_lower = y11;
    br.untagged_lower = n11;
    br.raw_untagged_lower = n11;
    br.phase_errors_upper = m11;
    br.phase_error_rate_upper = T(0.5);
    if (certainly_positive(n11)) br.phase_error_rate_upper = at_most_half(m11 / n11);
    br.raw_phase_error_rate_upper = br.phase_error_rate_upper;
    br.key_error_rate = counts.key.effective > 0 ? T(counts.key.errors) / n_key : T(0.0);
    br.ec_leakage = counts.key.ec_leakage_bits ? T(*counts.key.ec_leakage_bits)
                                               : T(options.ec_efficiency) * n_key * binary_entropy(br.key_error_rate);
    br.disclosure_bits = T(0.0);
    br.estimates = finite ? kEstimates : 0;
    const T privacy = certainly_positive(n11) ? detail::secrecy_bits(n11, br) : T(0.0);
    out.length = privacy - br.ec_leakage;
    // 9.6: eps_phase counts all 14 bounds, eps_n11 the 9 that n_11 depends on.
    detail::apply_finite_size_terms(out.length, br, security, finite, kEstimates, kUntaggedEstimates);
    return out;
}

}  // namespace

double pairing_rate(double p, std::uint32_t l) noexcept {
    if (!(p > 0)) return 0.0;
    // 9.2 [D]: one pair takes on average 1/p rounds to find a front and 1/(p q) rounds of gaps until
    // a gap is at most l (q = 1 - (1 - p)^l), so r_p = 1 / (1/p + 1/(p q)).
    const double q = -std::expm1(static_cast<double>(l) * std::log1p(-std::min(p, 1.0)));
    return 1.0 / (1.0 / (p * q) + 1.0 / p);
}

double mp_phase_sifting_fraction(const ProtocolParameters& protocol) noexcept {
    return 2.0 * (2.0 * protocol.phase_match_slices + 1) / protocol.phase_slices;
}

Result<KeyLength> mode_pairing_key_length(const ProtocolParameters& protocol, const SecurityParameters& security,
                                          const CountStatistics& counts, const ModePairingOptions& options) {
    const auto inputs = check_inputs(protocol, security, counts);
    if (!inputs) return inputs.error();
    const Evaluation<Interval> e = evaluate<Interval>(protocol, security, counts, options, *inputs);
    auto certified = certify_length(e.length, e.breakdown, security, protocol.pulses, options.analysis, "9.6");
    if (!certified) return certified.error();
    KeyLength& out = *certified;
    if (out.bits == 0) {
        const SnsBreakdown& br = out.breakdown;
        if (!(counts.key.effective > 0))
            out.zero_reason = "no key pairs (key.effective is 0)";
        else if (!certainly_positive(br.untagged_lower))
            out.zero_reason = "no single-photon key pairs can be certified (the decoy bound on Y_11 is zero)";
        else if (hi(br.phase_error_rate_upper) >= 0.5)
            out.zero_reason = "the phase-error bound reaches 1/2: no secrecy remains";
        else
            out.zero_reason = "error correction and the finite-size terms exceed the secrecy of the key";
    }
    return certified;
}

Result<double> mode_pairing_key_length_estimate(const ProtocolParameters& protocol, const SecurityParameters& security,
                                                const CountStatistics& counts, const ModePairingOptions& options) {
    const auto inputs = check_inputs(protocol, security, counts);
    if (!inputs) return inputs.error();
    return evaluate<double>(protocol, security, counts, options, *inputs).length;
}

}  // namespace tfqkd::security
