// SNS-TF-QKD key length: docs/security.md, section 4 (decoy estimation 4.1, phase error 4.2, finite
// size 4.3, key length and epsilon composition 4.4).
//
// The formula is written once, as a template over the number type: Interval certifies, double is
// the fast estimate the optimiser searches with (security/optimise.hpp). Only the Interval
// instantiation produces a certified length.
#include "security/sns.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "key_length_terms.hpp"
#include "security/concentration.hpp"

namespace tfqkd::security {
namespace {

constexpr std::string_view kCounts = "counts";

// log2 of either number type (std::log2 for doubles, the interval overload for intervals).
double log2(double x) { return std::log2(x); }
using security::log2;

// The SNS inputs, checked once and shared by both number types.
struct SnsInputs {
    SnsRoles roles;
    const ClassCounts* vac;
    const ClassCounts* a1;
    const ClassCounts* a2;
    const ClassCounts* b1;
    const ClassCounts* b2;
};

Result<const ClassCounts*> class_of(const CountStatistics& counts, std::size_t a, std::size_t b, const char* name) {
    const ClassCounts* c = counts.find(a, b);
    if (c == nullptr || c->sent <= 0)
        return make_error(Errc::inconsistent, kCounts, "classes",
                          std::string("SNS needs the counts of the ") + name + " class, which are missing or empty");
    return c;
}

Result<SnsInputs> check_inputs(const ProtocolParameters& protocol, const SecurityParameters& security,
                               const CountStatistics& counts) {
    TFQKD_TRY(validate(protocol));
    TFQKD_TRY(validate(security));
    TFQKD_TRY(validate(counts, protocol));
    if (protocol.family != Family::sns)
        return make_error(Errc::invalid_argument, "protocol", "family", "sns_key_length certifies the SNS family");
    if (!(protocol.alice == protocol.bob))
        return make_error(Errc::invalid_argument, "protocol", "bob",
                          "the SNS analysis implemented is for symmetric settings: bob's list must equal alice's");
    const auto roles = sns_roles(protocol.alice, "alice");
    if (!roles) return roles.error();
    if (counts.phase_matched.windows <= 0)
        return make_error(Errc::inconsistent, kCounts, "phase_matched",
                          "SNS needs the phase-matched X1 windows (phase_matched.windows > 0)");
    SnsInputs in{*roles, nullptr, nullptr, nullptr, nullptr, nullptr};
    const std::size_t vac = roles->x_vacuum, weak = roles->x_weak;
    // The strong decoy: the X decoy mu_2 against the other's X vacuum (4-intensity), or the Z
    // sending pulse mu_z against the other's Z vacuum, in one-sided Z windows (3-intensity, 4.1).
    const bool four = roles->x_strong.has_value();
    const std::size_t strong = four ? *roles->x_strong : roles->z_send;
    const std::size_t strong_other = four ? vac : roles->z_silent;
    struct Need {
        const ClassCounts** slot;
        std::size_t a, b;
        const char* name;
    };
    for (const Need& need : {Need{&in.vac, vac, vac, "X vacuum - X vacuum"}, Need{&in.a1, weak, vac, "alice mu_1 - bob vacuum"},
                             Need{&in.a2, strong, strong_other,
                                  four ? "alice mu_2 - bob vacuum" : "alice Z sending - bob Z vacuum"},
                             Need{&in.b1, vac, weak, "alice vacuum - bob mu_1"},
                             Need{&in.b2, strong_other, strong,
                                  four ? "alice vacuum - bob mu_2" : "alice Z vacuum - bob Z sending"}}) {
        auto c = class_of(counts, need.a, need.b, need.name);
        if (!c) return c.error();
        *need.slot = *c;
    }
    return in;
}

template <class T>
struct Evaluation {
    T length;
    SnsBreakdownOf<T> breakdown;
};

template <class T>
Evaluation<T> evaluate(const ProtocolParameters& protocol, const SecurityParameters& security,
                       const CountStatistics& counts, const SnsOptions& options, const SnsInputs& in) {
    using std::exp;
    using std::sqrt;
    const bool finite = options.analysis == Analysis::finite;
    const T eps_pe = T(security.eps_pe);
    const auto& set = protocol.alice;
    const SnsRoles& roles = in.roles;
    const T mu1 = T(set[roles.x_weak].intensity);
    const T mu2 = T(set[roles.x_strong ? *roles.x_strong : roles.z_send].intensity);  // 3-intensity: mu_z
    const T mu_z = T(set[roles.z_send].intensity);
    const T n_pulses = T(static_cast<double>(protocol.pulses));

    // 4.1: s0 enters s1 with its upper end and the phase error with its lower end: two one-sided
    // estimates. Each other class is used on one side only.
    const auto one_class = [&](const ClassCounts* c) {
        return formulas::expected_rate<T>(c->effective(), c->sent, finite, eps_pe);
    };
    const BasicBounds<T> s00 = one_class(in.vac);
    const BasicBounds<T> sa1 = one_class(in.a1), sa2 = one_class(in.a2);
    const BasicBounds<T> sb1 = one_class(in.b1), sb2 = one_class(in.b2);
    const auto s1_lower = [&](const T& s_weak_lower, const T& s_strong_upper) {
        return clamp_nonnegative((mu2 * mu2 * exp(mu1) * s_weak_lower - mu1 * mu1 * exp(mu2) * s_strong_upper -
                                  (mu2 * mu2 - mu1 * mu1) * s00.upper) /
                                 (mu1 * mu2 * (mu2 - mu1)));
    };
    const T s1a = s1_lower(sa1.lower, sa2.upper);
    const T s1b = s1_lower(sb1.lower, sb2.upper);
    // Windows in which exactly one party sent, times the one-photon probability of its pulse.
    const T one_sided = n_pulses * T(set[roles.z_send].probability) * T(set[roles.z_silent].probability) * mu_z *
                        exp(-mu_z);
    const T untagged_expected = one_sided * (s1a + s1b);

    // 4.2: expected phase errors, through the phase-matched X1 windows.
    const BasicBounds<T> t_x =
        formulas::expected_rate<T>(counts.phase_matched.errors, counts.phase_matched.windows, finite, eps_pe);
    const T two_mu1 = 2 * mu1;
    const T phase_numerator = clamp_nonnegative(t_x.upper - exp(-two_mu1) * s00.lower / 2);
    const T phase_errors_expected = 2 * one_sided * phase_numerator / (two_mu1 * exp(-two_mu1));

    Evaluation<T> out{};
    SnsBreakdownOf<T>& br = out.breakdown;
    br.s0_lower = s00.lower;
    br.s0_upper = s00.upper;
    br.s1_lower = (s1a + s1b) / 2;
    // Seven one-sided bounds so far, all of which the phase-error rate depends on (s0 twice, the
    // four one-sided classes through n1, T); the untagged estimate depends on five of them.
    unsigned phase_estimates = 7;
    unsigned untagged_estimates = 5;
    const auto observed_lower = [&](const T& expected) {
        return clamp_nonnegative(formulas::chernoff_observed_from_expected(expected, eps_pe).lower);
    };
    if (!protocol.aopp) {
        // 4.3: from expectations to this block's counts.
        T untagged = untagged_expected;
        T phase_errors = phase_errors_expected;
        if (finite) {
            untagged = observed_lower(untagged_expected);
            phase_errors = formulas::chernoff_observed_from_expected(phase_errors_expected, eps_pe).upper;
            phase_estimates += 2;
            untagged_estimates += 1;
        }
        br.untagged_lower = untagged;
        br.phase_errors_upper = phase_errors;
        br.phase_error_rate_upper = T(0.5);
        if (certainly_positive(untagged)) br.phase_error_rate_upper = clamp_probability(phase_errors / untagged);
        br.raw_untagged_lower = br.untagged_lower;
        br.raw_phase_error_rate_upper = br.phase_error_rate_upper;
    } else {
        // 4.5: AOPP. Untagged bits of each value of Bob's raw key: his bit 0 when he sent (the
        // photon is his, Alice silent), his bit 1 when Alice sent.
        const AoppCounts& pairing = *counts.aopp;
        T untagged_zeros = one_sided * s1b;
        T untagged_ones = one_sided * s1a;
        br.raw_phase_error_rate_upper = T(0.5);
        if (certainly_positive(untagged_expected))
            br.raw_phase_error_rate_upper = clamp_probability(phase_errors_expected / untagged_expected);
        if (finite) {
            untagged_zeros = observed_lower(untagged_zeros);
            untagged_ones = observed_lower(untagged_ones);
            untagged_estimates += 2;
        }
        br.raw_untagged_lower = untagged_zeros + untagged_ones;
        // Pairs whose two bits are both untagged: all of them survive Alice's parity check (C6).
        const double n0 = pairing.bob_zeros, n1 = pairing.bob_ones, g = pairing.pairs;
        T untagged_pairs = T(0.0);
        if (!finite) {
            if (g > 0) untagged_pairs = T(g) * (untagged_zeros / T(n0)) * (untagged_ones / T(n1));
        } else {
            const auto pairs = formulas::random_pairing_lower(untagged_zeros, untagged_ones, n0, n1, g, eps_pe);
            untagged_pairs = pairs.lower;
            untagged_estimates += pairs.bounds;
        }
        // The kept bit's phase error is the XOR of the two bits' phase errors: with each untagged
        // bit in error with probability at most e (at most 1/2), a pair is in error with
        // probability at most 2e(1 - e), which increases on [0, 1/2] ([M], 4.5).
        const T e = T(std::min(hi(br.raw_phase_error_rate_upper), 0.5));  // hi rounds upward
        const T pair_error_rate = 2 * e * (T(1.0) - e);
        T phase_errors = untagged_pairs * pair_error_rate;
        if (finite) phase_errors = formulas::chernoff_observed_from_expected(phase_errors, eps_pe).upper;
        br.untagged_lower = untagged_pairs;
        br.phase_errors_upper = phase_errors;
        br.phase_error_rate_upper = T(0.5);
        if (certainly_positive(untagged_pairs))
            br.phase_error_rate_upper = clamp_probability(phase_errors / untagged_pairs);
        // Everything before feeds the survivors' phase-error rate.
        phase_estimates = untagged_estimates + 2 + (finite ? 1 : 0);
    }
    // The phase-error rate depends on every bound applied, so it counts them all.
    br.estimates = finite ? phase_estimates : 0;
    const T& untagged = br.untagged_lower;

    const T n_t = T(counts.key.effective);
    br.key_error_rate = counts.key.effective > 0 ? T(counts.key.errors) / n_t : T(0.0);
    br.ec_leakage = counts.key.ec_leakage_bits ? T(*counts.key.ec_leakage_bits)
                                               : T(options.ec_efficiency) * n_t * binary_entropy(br.key_error_rate);
    const T privacy = certainly_positive(untagged) ? detail::secrecy_bits(untagged, br) : T(0.0);
    out.length = privacy - br.ec_leakage;
    // 4.4: eps_phase counts every bound the phase-error rate depends on, eps_n1 every bound the
    // untagged count does.
    detail::apply_finite_size_terms(out.length, br, security, finite, phase_estimates, untagged_estimates);
    if (finite && !roles.x_strong) {
        br.disclosure_bits = 2 * log2(n_pulses + T(1.0));
        out.length = out.length - br.disclosure_bits;
    }
    return out;
}

}  // namespace

Result<KeyLength> sns_key_length(const ProtocolParameters& protocol, const SecurityParameters& security,
                                 const CountStatistics& counts, const SnsOptions& options) {
    const auto inputs = check_inputs(protocol, security, counts);
    if (!inputs) return inputs.error();
    const Evaluation<Interval> e = evaluate<Interval>(protocol, security, counts, options, *inputs);
    auto certified = certify_length(e.length, e.breakdown, security, protocol.pulses, options.analysis, "4.4");
    if (!certified) return certified.error();
    KeyLength& out = *certified;
    if (out.bits == 0) {
        const SnsBreakdown& br = out.breakdown;
        if (!certainly_positive(br.untagged_lower))
            out.zero_reason = "no untagged bits can be certified (the decoy bound on single-photon events is zero)";
        else if (hi(br.phase_error_rate_upper) >= 0.5)
            out.zero_reason = "the phase-error bound reaches 1/2: no secrecy remains";
        else
            out.zero_reason = "error correction and the finite-size terms exceed the secrecy of the untagged bits";
    }
    return certified;
}

Result<KeyLength> certify_length(const Interval& length, const SnsBreakdown& breakdown, const SecurityParameters& security,
                                 std::uint64_t pulses, Analysis analysis, const char* composition_section) {
    if (analysis == Analysis::finite && breakdown.eps_total > security.eps_total) {
        char text[220];
        std::snprintf(text, sizeof text,
                      "the failure probabilities compose to %.3g, above eps_total %.3g; raise eps_total or lower "
                      "the others (docs/security.md %s shows how they compose)",
                      breakdown.eps_total, security.eps_total, composition_section);
        return make_error(Errc::inconsistent, "security", "eps_total", text);
    }
    KeyLength out;
    out.length = length;
    out.breakdown = breakdown;
    out.bits = certified_floor(length);
    out.rate_per_pulse = point(static_cast<double>(out.bits)) / point(static_cast<double>(pulses));
    return out;
}

Result<double> sns_key_length_estimate(const ProtocolParameters& protocol, const SecurityParameters& security,
                                       const CountStatistics& counts, const SnsOptions& options) {
    const auto inputs = check_inputs(protocol, security, counts);
    if (!inputs) return inputs.error();
    return evaluate<double>(protocol, security, counts, options, *inputs).length;
}

}  // namespace tfqkd::security
