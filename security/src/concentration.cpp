// Concentration bounds: docs/security.md, section "Concentration bounds" (C1..C7), where each
// closed form below is derived or cited with its assumptions.
#include "security/concentration.hpp"

namespace tfqkd::security {
namespace {

Interval ln_inverse(const Interval& epsilon) { return -log(epsilon); }

}  // namespace

// C1: invert the upper tail P(X >= mu + t) <= exp(-t^2 / (2 mu + t)) and the lower tail
// P(X <= mu - t) <= exp(-t^2 / (2 mu)) for the unknown mu (derivation in docs/security.md).
Bounds chernoff_expected_from_observed(const Interval& observed, const Interval& epsilon) {
    const Bounds b = formulas::chernoff_expected_from_observed(observed, epsilon);
    return {clamp_nonnegative(b.lower), b.upper};
}

// C2: the same tails solved for the observation given mu.
Bounds chernoff_observed_from_expected(const Interval& expected, const Interval& epsilon) {
    const Bounds b = formulas::chernoff_observed_from_expected(expected, epsilon);
    return {clamp_nonnegative(b.lower), b.upper};
}

// C3: Hoeffding's inequality for variables in [0, 1]: P(S - E S >= t) <= exp(-2 t^2 / n).
Interval hoeffding_deviation(const Interval& n, const Interval& epsilon) { return sqrt(n * ln_inverse(epsilon) / 2); }

// C4: a minimises the deviation (b + a(2 Lambda/n - 1)) sqrt(n) at Lambda = prediction, and b makes
// the failure probability exactly epsilon for that a (docs/security.md shows the algebra). The
// closed form of a is taken from the literature [I]; any a with b >= |a| is sound, a only
// sets the tightness, which tests check against a direct search.
namespace {

Interval kato_a(const Interval& n, const Interval& predicted, const Interval& epsilon, int sign) {
    const Interval le = log(epsilon);  // negative
    const Interval& lam = predicted;
    const Interval sn = sqrt(n);
    const Interval v = 9 * lam * (n - lam) - 2 * n * le;
    const Interval root = sqrt(-n * n * le * v);
    const Interval numerator =
        72 * sn * lam * (n - lam) * le - 16 * n * sn * le * le + sign * 9 * sqrt(point(2.0)) * (n - 2 * lam) * root;
    return sign * 3 * numerator / (4 * (9 * n - 8 * le) * v);
}

Interval kato_b(const Interval& n, const Interval& a, const Interval& epsilon, int sign) {
    const Interval le = log(epsilon);
    const Interval sn = sqrt(n);
    return sqrt(18 * a * a * n - (16 * a * a + sign * 24 * a * sn + 9 * n) * le) / (3 * sqrt(2 * n));
}

}  // namespace

KatoParameters kato_parameters_upper(const Interval& n, const Interval& predicted, const Interval& epsilon) {
    const Interval a = kato_a(n, predicted, epsilon, +1);
    return {a, kato_b(n, a, epsilon, +1)};
}

KatoParameters kato_parameters_lower(const Interval& n, const Interval& predicted, const Interval& epsilon) {
    const Interval a = kato_a(n, predicted, epsilon, -1);
    return {a, kato_b(n, a, epsilon, -1)};
}

Interval kato_failure_upper(const Interval& n, const KatoParameters& p) {
    const Interval d = 1 + 4 * p.a / (3 * sqrt(n));
    return exp(-2 * (p.b * p.b - p.a * p.a) / (d * d));
}

Interval kato_failure_lower(const Interval& n, const KatoParameters& p) {
    const Interval d = 1 - 4 * p.a / (3 * sqrt(n));
    return exp(-2 * (p.b * p.b - p.a * p.a) / (d * d));
}

Bounds kato_expected_from_observed(const Interval& n, const Interval& observed, const KatoParameters& upper,
                                   const KatoParameters& lower) {
    const Interval sn = sqrt(n);
    const Interval shape = 2 * observed / n - 1;
    // Pr[sum E - Lambda >= (b + a(2 Lambda/n - 1)) sqrt n] <= eps, and the mirror inequality.
    const Interval hi_bound = observed + (upper.b + upper.a * shape) * sn;
    const Interval lo_bound = observed - (lower.b + lower.a * shape) * sn;
    return {clamp_nonnegative(lo_bound), hi_bound};
}

// C5: Lim et al. 2014, Eq. (B2) in the appendix form:
// gamma = sqrt( (n+k)(1-l) l / (n k ln 2) * log2( (n+k) / (n k (1-l) l eps^2) ) ).
Interval sampling_deviation(const Interval& n, const Interval& k, const Interval& lambda, const Interval& epsilon) {
    const Interval one = point(1.0);
    const Interval v = (one - lambda) * lambda;
    const Interval ln2 = log(point(2.0));
    return sqrt((n + k) * v / (n * k * ln2) * log2((n + k) / (n * k * v * epsilon * epsilon)));
}

}  // namespace tfqkd::security
