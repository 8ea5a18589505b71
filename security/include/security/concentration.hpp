// Concentration bounds, computed in intervals. Each function returns an Interval enclosing the
// exact value of its closed-form bound; a caller that needs a lower bound takes lo(), an upper bound
// hi(). The statements, assumptions and derivations are in docs/security.md, section
// "Concentration bounds"; each function below names its subsection.
//
// `epsilon` is the failure probability of one application of the bound (one side).
#pragma once

#include <cmath>
#include <type_traits>

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

// C7. Exponential supermartingale bounds (Ville's inequality; derived in docs/security.md, C7).
// For Bernoulli variables xi_u adapted to a filtration, with conditional means p_u (any dependence
// on the past: coherent attacks), X = sum xi_u and T = sum p_u, and any lambda > 0,
//   exp(lambda X - (e^lambda - 1) T)  and  exp(-lambda X + (1 - e^-lambda) T)
// are supermartingales starting at 1, so each exceeds 1/eps with probability at most eps. Solved
// for T (or for X), they give the bounds below for one lambda; a fixed grid of kMartingaleGrid
// values lambda_k = 2^(1 - k/2) is covered by a union bound (L' = ln(kMartingaleGrid / eps)), so
// the best grid value may be picked after the data are seen. Each side fails with probability at
// most eps.
inline constexpr unsigned kMartingaleGrid = 44;  // lambda from 2 down to 2^-20.5 (about 6.7e-7)

inline double martingale_lambda(unsigned k) { return std::exp2(1.0 - 0.5 * static_cast<double>(k)); }

// The three bounds for one grid value lambda; L is ln(kMartingaleGrid / eps).
template <class T>
T martingale_sum_lower(const T& observed, double lambda, const T& L) {
    using std::exp;
    return (T(lambda) * observed - L) / (exp(T(lambda)) - 1);
}
template <class T>
T martingale_sum_upper(const T& observed, double lambda, const T& L) {
    using std::exp;
    return (T(lambda) * observed + L) / (1 - exp(T(-lambda)));
}
template <class T>
T martingale_observed_upper(const T& sum_upper, double lambda, const T& L) {
    using std::exp;
    return ((exp(T(lambda)) - 1) * sum_upper + L) / T(lambda);
}

// Picks the grid value that makes `bound` smallest (`sign` +1) or largest (-1), searching in
// double; the bound is then evaluated once in T at that value. Any grid value is sound, so the
// choice affects only tightness.
template <class T, class Bound>
T martingale_best(const Bound& bound, int sign) {
    unsigned best = 0;
    double best_value = 0;
    for (unsigned k = 0; k < kMartingaleGrid; ++k) {
        const double v = sign * bound(martingale_lambda(k), double{});
        if (k == 0 || v < best_value) {
            best = k;
            best_value = v;
        }
    }
    return bound(martingale_lambda(best), T{});
}

// C7 from an observed count X to bounds on T, the sum of the conditional means.
template <class T>
BasicBounds<T> martingale_expected_from_observed(double observed, double epsilon) {
    const auto lower = [&](double lambda, auto tag) {
        using U = decltype(tag);
        using std::log;
        const U L = log(U(static_cast<double>(kMartingaleGrid)) / U(epsilon));
        return martingale_sum_lower(U(observed), lambda, L);
    };
    const auto upper = [&](double lambda, auto tag) {
        using U = decltype(tag);
        using std::log;
        const U L = log(U(static_cast<double>(kMartingaleGrid)) / U(epsilon));
        return martingale_sum_upper(U(observed), lambda, L);
    };
    return {clamp_nonnegative(martingale_best<T>(lower, -1)), martingale_best<T>(upper, +1)};
}

// C7 from an upper bound on T to an upper bound on the count X.
template <class T>
T martingale_observed_from_expected_upper(const T& sum_upper, double epsilon) {
    const double sum_hi = hi(sum_upper);
    const auto upper = [&](double lambda, auto tag) {
        using U = decltype(tag);
        using std::log;
        const U L = log(U(static_cast<double>(kMartingaleGrid)) / U(epsilon));
        if constexpr (std::is_same_v<U, double>) return martingale_observed_upper(sum_hi, lambda, L);
        else return martingale_observed_upper(sum_upper, lambda, L);
    };
    return martingale_best<T>(upper, +1);
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
