// Concentration bounds, computed in intervals. Each function returns an Interval enclosing the
// exact value of its closed-form bound; a caller that needs a lower bound takes lo(), an upper bound
// hi(). The statements, assumptions and derivations are in docs/security.md, section
// "Concentration bounds"; each function below names its subsection.
//
// `epsilon` is the failure probability of one application of the bound (one side).
#pragma once

#include <cmath>

#include "security/interval.hpp"

namespace tfqkd::security {

// Two-sided bounds on one quantity, of a number type T: Interval to certify (lo(lower), hi(upper)),
// double for the fast search of the optimiser.
template <class T>
struct BasicBounds {
    T lower;
    T upper;
};
using Bounds = BasicBounds<Interval>;

// The closed forms of C1 and C2 for either number type (docs/security.md, section 2).
namespace formulas {

template <class T>
BasicBounds<T> chernoff_expected_from_observed(const T& x, const T& epsilon) {
    using std::log;
    using std::sqrt;
    const T L = -log(epsilon);
    const T lower = x + L / 2 - sqrt(L * L + 8 * x * L) / 2;
    const T upper = x + L + sqrt(L * L + 2 * x * L);
    return {lower, upper};
}

template <class T>
BasicBounds<T> chernoff_observed_from_expected(const T& mu, const T& epsilon) {
    using std::log;
    using std::sqrt;
    const T L = -log(epsilon);
    return {mu - sqrt(2 * mu * L), mu + (L + sqrt(L * L + 8 * mu * L)) / 2};
}

// The expected rate per window of an observed count over `windows` windows: asymptotically the
// observed rate; with finite size C1's bounds on the expected count, divided by the windows (the
// lower one clamped at 0). Each side fails with probability at most `epsilon`.
template <class T>
BasicBounds<T> expected_rate(double count, double windows, bool finite, const T& epsilon) {
    const T x = T(count);
    const T n = T(windows);
    if (!finite) return {x / n, x / n};
    const BasicBounds<T> b = chernoff_expected_from_observed(x, epsilon);
    return {clamp_nonnegative(b.lower) / n, b.upper / n};
}

// C6. Random pairing (docs/security.md 4.5). Of n0 items of kind 0, u0 are marked; of n1 items of
// kind 1, u1 are marked. g <= min(n0, n1) pairs are formed of one item of each kind, the g items of
// each kind chosen uniformly at random and matched uniformly at random. Returns a lower bound on
// the number of pairs whose two items are both marked, failing with probability at most
// `bounds * epsilon`, and the number of one-sided bounds it used (1 when a kind is paired whole,
// else 2). The count is hypergeometric (two stages when no kind is paired whole); C2's lower tail
// holds for it because sampling without replacement is dominated in the convex order by sampling
// with replacement (Hoeffding, JASA 58, 13 (1963), Theorem 4). The bound increases with u0 and u1,
// so lower bounds on them may be passed in.
template <class T>
struct PairingBound {
    T lower;
    unsigned bounds = 0;
};

template <class T>
PairingBound<T> random_pairing_lower(const T& u0, const T& u1, double n0, double n1, double g, const T& epsilon) {
    const auto observed_lower = [&](const T& mean) {
        return clamp_nonnegative(chernoff_observed_from_expected(mean, epsilon).lower);
    };
    if (g <= 0) return {T(0.0), 0};
    // A kind paired whole: its u marked items all sit in pairs, and their partners are a uniform
    // sample of the other kind.
    if (g == n1) return {observed_lower(u1 * u0 / T(n0)), 1};
    if (g == n0) return {observed_lower(u0 * u1 / T(n1)), 1};
    // Otherwise first the marked items among the g chosen of kind 1, then their partners.
    const T paired_marked_ones = observed_lower(T(g) * u1 / T(n1));
    return {observed_lower(paired_marked_ones * u0 / T(n0)), 2};
}

}  // namespace formulas

// C1. Multiplicative Chernoff, observed -> expected. x is the observed sum of independent Bernoulli
// trials with unknown total mean mu. With L = ln(1/eps), each of these fails with probability at
// most eps:  mu >= x + L/2 - sqrt(L^2 + 8 x L)/2   (lower, clamped at 0)
//            mu <= x + L + sqrt(L^2 + 2 x L)        (upper)
Bounds chernoff_expected_from_observed(const Interval& observed, const Interval& epsilon);

// C2. Multiplicative Chernoff, expected -> observed: the range the sum X of independent Bernoulli
// trials with total mean mu falls in, except with probability epsilon on each side.
Bounds chernoff_observed_from_expected(const Interval& expected, const Interval& epsilon);

// C3. Hoeffding: for n independent variables in [0, 1], |sum - E sum| <= sqrt(n ln(1/eps) / 2) except
// with probability eps on each side. Returns that deviation.
Interval hoeffding_deviation(const Interval& n, const Interval& epsilon);

// C4. Kato's inequality (Kato, arXiv:2002.04357) with the parameters a, b chosen from a prediction
// `predicted` of the number of ones among n trials, fixed before the data are seen. Given the
// observed number of ones `observed`, returns bounds on the sum of the conditional expectations
// sum_u E[xi_u | F_{u-1}], each holding except with probability epsilon (for martingales: no
// independence needed).
struct KatoParameters {
    Interval a;
    Interval b;
};
KatoParameters kato_parameters_upper(const Interval& n, const Interval& predicted, const Interval& epsilon);
KatoParameters kato_parameters_lower(const Interval& n, const Interval& predicted, const Interval& epsilon);
// The failure probability of the bound with parameters p: exp(-2(b^2 - a^2) / (1 +- 4a/(3 sqrt n))^2).
Interval kato_failure_upper(const Interval& n, const KatoParameters& p);
Interval kato_failure_lower(const Interval& n, const KatoParameters& p);
Bounds kato_expected_from_observed(const Interval& n, const Interval& observed, const KatoParameters& upper,
                                   const KatoParameters& lower);

// C5. Random sampling without replacement (Lim, Curty, Walenta, Xu, Zbinden, PRA 89, 022307 (2014),
// Eq. (B2)): for n + k bits split uniformly at random into a sample of n and a rest of k, with error
// rate lambda in the sample, the error rate of the rest exceeds lambda + gamma except with
// probability epsilon. Returns gamma; requires 0 < lambda < 1.
Interval sampling_deviation(const Interval& n, const Interval& k, const Interval& lambda, const Interval& epsilon);

}  // namespace tfqkd::security
