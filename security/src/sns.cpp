// SNS-TF-QKD key length: docs/security.md, section 4 (decoy estimation 4.1, phase error 4.2, finite
// size 4.3, key length and epsilon composition 4.4).
#include "security/sns.hpp"

#include "security/concentration.hpp"

namespace tfqkd::security {
namespace {

constexpr std::string_view kCounts = "counts";

// A class's effective-event count and windows, or an error naming the missing class.
struct Observed {
    Interval effective;
    Interval sent;
};

Result<Observed> observed(const CountStatistics& counts, std::size_t a, std::size_t b, const char* name) {
    const ClassCounts* c = counts.find(a, b);
    if (c == nullptr || c->sent <= 0)
        return make_error(Errc::inconsistent, kCounts, "classes",
                          std::string("SNS needs the counts of the ") + name + " class, which are missing or empty");
    return Observed{point(c->effective()), point(c->sent)};
}

// The expected counting rate of a class: asymptotically the observed rate; with finite size the
// Chernoff bounds (C1) on the expected count, divided by the windows.
struct RateBounds {
    Interval lower;
    Interval upper;
};

RateBounds rate(const Observed& o, Analysis analysis, const Interval& eps) {
    if (analysis == Analysis::asymptotic) {
        const Interval r = o.effective / o.sent;
        return {r, r};
    }
    const Bounds b = chernoff_expected_from_observed(o.effective, eps);
    return {b.lower / o.sent, b.upper / o.sent};
}

}  // namespace

Result<KeyLength> sns_key_length(const ProtocolParameters& protocol, const SecurityParameters& security,
                                 const CountStatistics& counts, const SnsOptions& options) {
    TFQKD_TRY(validate(protocol));
    TFQKD_TRY(validate(security));
    TFQKD_TRY(validate(counts, protocol));
    if (protocol.family != Family::sns)
        return make_error(Errc::invalid_argument, "protocol", "family", "sns_key_length certifies the SNS family");
    if (protocol.aopp)
        return make_error(Errc::invalid_argument, "protocol", "aopp",
                          "SNS with AOPP is not certified yet (docs/security.md, section 4.5)");
    if (!(protocol.alice == protocol.bob))
        return make_error(Errc::invalid_argument, "protocol", "bob",
                          "the SNS analysis implemented is for symmetric settings: bob's list must equal alice's");
    const auto roles_result = sns_roles(protocol.alice, "alice");
    if (!roles_result) return roles_result.error();
    const SnsRoles roles = *roles_result;
    if (!roles.x_strong)
        return make_error(Errc::invalid_argument, "protocol", "alice",
                          "the 3-intensity SNS protocol is not certified yet; use vacuum and two X decoys");

    const bool finite = options.analysis == Analysis::finite;
    const Interval eps_pe = point(security.eps_pe);
    unsigned estimates = 0;
    const auto bound = [&](const Observed& o) {
        if (finite) ++estimates;  // each class bound below is used on one side only
        return rate(o, options.analysis, eps_pe);
    };

    const auto& set = protocol.alice;
    const Interval mu1 = point(set[roles.x_weak].intensity);
    const Interval mu2 = point(set[*roles.x_strong].intensity);
    const Interval mu_z = point(set[roles.z_send].intensity);
    const Interval p_send = point(set[roles.z_send].probability);    // p_z * eps
    const Interval p_silent = point(set[roles.z_silent].probability);  // p_z * (1 - eps)
    const Interval n_pulses = point(static_cast<double>(protocol.pulses));

    // 4.1: one-sided classes, each party sending mu_k against the other's X vacuum, and the vacuum.
    auto vac = observed(counts, roles.x_vacuum, roles.x_vacuum, "X vacuum - X vacuum");
    auto a1 = observed(counts, roles.x_weak, roles.x_vacuum, "alice mu_1 - bob vacuum");
    auto a2 = observed(counts, *roles.x_strong, roles.x_vacuum, "alice mu_2 - bob vacuum");
    auto b1 = observed(counts, roles.x_vacuum, roles.x_weak, "alice vacuum - bob mu_1");
    auto b2 = observed(counts, roles.x_vacuum, *roles.x_strong, "alice vacuum - bob mu_2");
    for (const auto* r : {&vac, &a1, &a2, &b1, &b2})
        if (!*r) return r->error();

    // s0 enters s1 with a negative sign (upper end) and the phase error with a negative sign (lower
    // end): two separate estimates, each one-sided.
    const RateBounds s00 = rate(*vac, options.analysis, eps_pe);
    if (finite) estimates += 2;
    const RateBounds sa1 = bound(*a1);
    const RateBounds sa2 = bound(*a2);
    const RateBounds sb1 = bound(*b1);
    const RateBounds sb2 = bound(*b2);

    // Two-decoy lower bound on the single-photon yield (docs/security.md 4.1, derivation there).
    const auto s1_lower = [&](const Interval& s_weak_lower, const Interval& s_strong_upper) {
        return (mu2 * mu2 * exp(mu1) * s_weak_lower - mu1 * mu1 * exp(mu2) * s_strong_upper -
                (mu2 * mu2 - mu1 * mu1) * s00.upper) /
               (mu1 * mu2 * (mu2 - mu1));
    };
    const Interval s1a = clamp_nonnegative(s1_lower(sa1.lower, sa2.upper));
    const Interval s1b = clamp_nonnegative(s1_lower(sb1.lower, sb2.upper));

    // Expected untagged bits: exactly one party sent, its pulse held one photon.
    const Interval one_sided = n_pulses * p_send * p_silent * mu_z * exp(-mu_z);
    const Interval untagged_expected = one_sided * (s1a + s1b);

    // 4.2: expected phase errors among untagged bits, bounded through the X1 phase-matched windows.
    if (counts.phase_matched.windows <= 0)
        return make_error(Errc::inconsistent, kCounts, "phase_matched",
                          "SNS needs the phase-matched X1 windows (phase_matched.windows > 0)");
    const Observed matched{point(counts.phase_matched.errors), point(counts.phase_matched.windows)};
    const RateBounds t_x = rate(matched, options.analysis, eps_pe);
    if (finite) ++estimates;
    const Interval two_mu1 = 2 * mu1;
    const Interval phase_numerator = clamp_nonnegative(t_x.upper - exp(-two_mu1) * s00.lower / 2);
    const Interval phase_errors_expected = 2 * one_sided * phase_numerator / (two_mu1 * exp(-two_mu1));

    // 4.3: from expectations to the counts of this block.
    Interval untagged = untagged_expected;
    Interval phase_errors = phase_errors_expected;
    if (finite) {
        untagged = chernoff_observed_from_expected(untagged_expected, eps_pe).lower;
        phase_errors = chernoff_observed_from_expected(phase_errors_expected, eps_pe).upper;
        estimates += 2;
    }

    KeyLength out;
    SnsBreakdown& br = out.breakdown;
    br.s0 = hull(s00.lower, s00.upper);
    br.s1_lower = (s1a + s1b) / 2;
    br.untagged_lower = untagged;
    br.phase_errors_upper = phase_errors;
    br.estimates = estimates;

    // Sifted key and error correction.
    const Interval n_t = point(counts.key.effective);
    br.key_error_rate = counts.key.effective > 0 ? point(counts.key.errors) / n_t : point(0.0);
    br.ec_leakage = counts.key.ec_leakage_bits ? point(*counts.key.ec_leakage_bits)
                                               : point(options.ec_efficiency) * n_t * binary_entropy(br.key_error_rate);

    Interval privacy_term = point(0.0);
    if (certainly_positive(untagged)) {
        // h is increasing on [0, 1/2]; a phase-error bound at or above 1/2 leaves no secrecy.
        const Interval e = clamp_probability(phase_errors / untagged);
        br.phase_error_rate_upper = e;
        const double e_hi = hi(e);
        const Interval h = e_hi >= 0.5 ? point(1.0) : binary_entropy(point(e_hi));
        privacy_term = untagged * (point(1.0) - h);
    } else {
        br.phase_error_rate_upper = point(1.0);
    }

    Interval length = privacy_term - br.ec_leakage;
    if (finite) {
        br.correctness_bits = log2(2 / point(security.eps_cor));
        br.privacy_bits = 2 * log2(1 / (sqrt(point(2.0)) * point(security.eps_pa) * point(security.eps_smooth)));
        length = length - br.correctness_bits - br.privacy_bits;
        // 4.4: eps_sec = 2 eps_smooth + 4 eps_phase + eps_pa + eps_n1 with the phase-error estimate
        // using 3 bounds and the untagged estimate the others [M, structure of Jiang et al. 2019].
        const unsigned phase_estimates = 3;
        const unsigned untagged_estimates = estimates - phase_estimates;
        br.eps_total = security.eps_cor + 2 * security.eps_smooth + 4 * phase_estimates * security.eps_pe +
                       security.eps_pa + untagged_estimates * security.eps_pe;
        if (br.eps_total > security.eps_total)
            return make_error(Errc::inconsistent, "security", "eps_total",
                              "the composed failure probability " + std::to_string(br.eps_total) +
                                  " exceeds eps_total " + std::to_string(security.eps_total) +
                                  " (docs/security.md 4.4 shows how it composes)");
    }
    out.length = length;
    out.bits = certified_floor(length);
    out.rate_per_pulse = point(static_cast<double>(out.bits)) / n_pulses;
    if (out.bits == 0) {
        if (!certainly_positive(untagged))
            out.zero_reason = "no untagged bits can be certified (the decoy bound on single-photon events is zero)";
        else if (hi(br.phase_error_rate_upper) >= 0.5)
            out.zero_reason = "the phase-error bound reaches 1/2: no secrecy remains";
        else
            out.zero_reason = "error correction and the finite-size terms exceed the secrecy of the untagged bits";
    }
    return out;
}

}  // namespace tfqkd::security
