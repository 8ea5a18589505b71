// Aggregated simulation of an SNS block: docs/hardware-model.md, section 3.
#include "hardware_model/sampled.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace tfqkd::hardware_model {
namespace {

using security::Count;
using security::ProtocolParameters;
using security::Window;

constexpr std::uint64_t kMaxPulses = 1ULL << 53;  // counts are doubles, exact up to 2^53
constexpr std::uint64_t kStreamSampled = 0x5A4D'504C'4544ULL;  // CounterRng stream of sample_statistics

// Uniform in (0, 1]: never 0, so that its logarithm is finite.
double uniform_open(CounterRng& rng) noexcept { return static_cast<double>((rng.next() >> 11) + 1) * 0x1.0p-53; }

// ---- Loader's saddle-point evaluation of binomial probabilities ------------------------------
// C. Loader, "Fast and accurate computation of binomial probabilities" (2000): the log-probability
// is written as Stirling-series remainders and deviance terms bd0, each of size O(1) or small, so
// that no two large numbers are subtracted; lgamma(k+1) - lgamma(n-k+1) at n = 1e15 would lose about
// 2 units in the last place of 3e16, i.e. the whole acceptance test.

constexpr double kLnSqrt2Pi = 0.918938533204672741780329736406;  // log(sqrt(2 pi))

// stirlerr(n) = log(n!) - [(n + 1/2) log n - n + log sqrt(2 pi)], n >= 1 (Loader 2000, eq. (2) and
// the Stirling series 1/(12n) - 1/(360n^3) + 1/(1260n^5) - 1/(1680n^7) + 1/(1188n^9)).
double stirlerr_direct(double n) noexcept { return std::lgamma(n + 1) - (n + 0.5) * std::log(n) + n - kLnSqrt2Pi; }

double stirlerr(double n) noexcept {
    constexpr double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680, s4 = 1.0 / 1188;
    if (n <= 15) {
        // Whole n (every caller's case) from a table of the same values: the small populations of
        // the pairing's hypergeometric draws evaluate them often.
        static const std::array<double, 16> table = [] {
            std::array<double, 16> t{};
            for (std::size_t i = 1; i < t.size(); ++i) t[i] = stirlerr_direct(static_cast<double>(i));
            return t;
        }();
        if (n >= 1 && n == std::floor(n)) return table[static_cast<std::size_t>(n)];
        return stirlerr_direct(n);
    }
    const double nn = n * n;
    if (n > 500) return (s0 - s1 / nn) / n;
    if (n > 80) return (s0 - (s1 - s2 / nn) / nn) / n;
    if (n > 35) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
    return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

// bd0(x, m) = x log(x/m) + m - x >= 0 (Loader 2000, section 3): near x = m by the series
// 2x sum_j v^(2j+1)/(2j+1) - (x - m) with v = (x - m)/(x + m), which has no cancellation.
double bd0(double x, double m) noexcept {
    if (x == 0) return m;
    if (std::fabs(x - m) < 0.1 * (x + m)) {
        const double v = (x - m) / (x + m);
        const double v2 = v * v;
        double s = (x - m) * v;
        double ej = 2 * x * v;
        for (int j = 1; j < 1000; ++j) {
            ej *= v2;
            const double next = s + ej / (2 * j + 1);
            if (next == s) return next;
            s = next;
        }
        return s;
    }
    return x * std::log(x / m) + m - x;
}

// log f(x) for Binomial(n, p), q = 1 - p given separately (Loader 2000, dbinom_raw).
double binomial_log_pmf(double n, double p, double q, double x) noexcept {
    if (x == 0) return n * std::log1p(-p);
    if (x == n) return n * std::log(p);
    const double lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
    const double lf = 2 * kLnSqrt2Pi + std::log(x) + std::log1p(-x / n);  // log(2 pi x (n-x) / n)
    return lc - 0.5 * lf;
}

// Second waiting-time method (Devroye, "Non-Uniform Random Variate Generation", 1986, X.4.3): the
// number of successes is the number of geometric inter-success gaps that fit into n trials.
// Expected n p + 1 iterations; used for n p < 10.
std::uint64_t binomial_waiting(CounterRng& rng, double n, double p) noexcept {
    const double log_q = std::log1p(-p);
    double trials = 0;
    std::uint64_t successes = 0;
    for (;;) {
        // A geometric gap on {1, 2, ...}: P(G > g) = P(U <= q^g) = q^g.
        trials += std::floor(std::log(uniform_open(rng)) / log_q) + 1;
        if (trials > n) return successes;
        ++successes;
    }
}

// BTRS, transformed rejection with squeeze: W. Hormann, "The generation of binomial random
// variates", J. Statist. Comput. Simul. 46 (1993) 101-110, algorithm BTRS and its Table 1
// constants; valid for n p >= 10, p <= 1/2. The acceptance compares log(v alpha / (a/us^2 + b)) with
// log f(k)/f(m) (the log in the test is as in CPython's random.binomialvariate, which notes the
// paper omits it), here through Loader's form.
std::uint64_t binomial_btrs(CounterRng& rng, double n, double p) noexcept {
    const double q = 1 - p;
    const double spq = std::sqrt(n * p * q);
    const double b = 1.15 + 2.53 * spq;
    const double a = -0.0873 + 0.0248 * b + 0.01 * p;
    const double c = n * p + 0.5;
    const double vr = 0.92 - 4.2 / b;
    const double alpha = (2.83 + 5.1 / b) * spq;
    const double m = std::floor((n + 1) * p);  // the mode
    double log_fm = 0;
    bool have_fm = false;
    for (;;) {
        const double u = rng.uniform() - 0.5;
        const double us = 0.5 - std::fabs(u);
        if (us <= 0) continue;
        const double k = std::floor((2 * a / us + b) * u + c);
        if (k < 0 || k > n) continue;
        const double v = rng.uniform();
        if (us >= 0.07 && v <= vr) return static_cast<std::uint64_t>(k);  // the squeeze
        if (!have_fm) {
            log_fm = binomial_log_pmf(n, p, q, m);
            have_fm = true;
        }
        if (std::log(v * alpha / (a / (us * us) + b)) <= binomial_log_pmf(n, p, q, k) - log_fm)
            return static_cast<std::uint64_t>(k);
    }
}

// ---- Hypergeometric: exact log-probability ratios and HRUA ---------------------------------

__extension__ typedef unsigned __int128 U128;  // GCC and Clang; -Wpedantic wants it marked
__extension__ typedef __int128 I128;

// log(a!) for a whole number a >= 0 (Stirling with Loader's remainder; lgamma below 16).
double log_factorial(double a) noexcept {
    if (a == 0) return 0;
    return (a + 0.5) * std::log(a) - a + kLnSqrt2Pi + stirlerr(a);
}

// log(a!) - log(b!) - (a - b) log b for whole numbers a >= 0, b >= 1: with bd0(a, b) = a log(a/b) +
// b - a this is bd0(a, b) + log(a/b)/2 + stirlerr(a) - stirlerr(b), every term small near a = b.
double log_factorial_ratio_rest(double a, double b) noexcept {
    if (a == 0) return b - 0.5 * std::log(b) - kLnSqrt2Pi - stirlerr(b);  // -log(b!) + b log b
    return bd0(a, b) + 0.5 * std::log(a / b) + stirlerr(a) - stirlerr(b);
}

// HRUA: E. Stadlober, "The ratio of uniforms approach for generating discrete random variates",
// J. Comput. Appl. Math. 31 (1990) 181-189 (and his 1989 thesis, Eq. (5.17)), as laid out in
// NumPy's random_hypergeometric_hrua: the ratio-of-uniforms region of the pmf scaled to 1 at the
// mode m lies in a rectangle of height 1 and width h = 2 s, s = sqrt(2/e) sqrt(var + 1/2) +
// 3/2 - sqrt(3/e) (the table-mountain hat), centred at the mean + 1/2. A proposal
// k = floor(a + h (V - 1/2) / U) is accepted when U^2 <= f(k)/f(m), first through the squeezes
// 2 log U <= U (4 - U) - 3 and 2 log U >= U - 1/U. Unlike NumPy, proposals are not truncated at
// 16 standard deviations (that is a cut of the distribution, however small), only at the support.
// Requires successes <= population / 2 and draws <= population / 2 (the caller reflects).
std::uint64_t hypergeometric_hrua(CounterRng& rng, std::uint64_t population, std::uint64_t successes,
                                  std::uint64_t draws) noexcept {
    constexpr double kD1 = 1.7155277699214135;  // 2 sqrt(2/e)
    constexpr double kD2 = 0.8989161620588988;  // 3 - 2 sqrt(3/e)
    const double n_pop = static_cast<double>(population);
    const double n_draw = static_cast<double>(draws);
    const double p = static_cast<double>(successes) / n_pop;
    const double mean = n_draw * p;
    const double var = (n_pop - n_draw) * n_draw * p * (1 - p) / (n_pop - 1);
    const double a = mean + 0.5;
    const double h = kD1 * std::sqrt(var + 0.5) + kD2;
    // The mode floor((n + 1)(K + 1) / (N + 2)), exactly.
    const auto mode = static_cast<std::uint64_t>(static_cast<U128>(draws + 1) * (successes + 1) / (population + 2));
    const double end = static_cast<double>(std::min(draws, successes)) + 1;  // past the support
    for (;;) {
        const double u = uniform_open(rng);
        const double v = rng.uniform();
        const double x = a + h * (v - 0.5) / u;
        if (!(x >= 0 && x < end)) continue;
        const auto k = static_cast<std::uint64_t>(x);
        const double t = hypergeometric_log_ratio(population, successes, draws, k, mode);
        if (u * (4 - u) - 3 <= t) return k;  // squeeze: 2 log u <= u (4 - u) - 3
        if (u * (u - t) >= 1) continue;      // squeeze: 2 log u >= u - 1/u
        if (2 * std::log(u) <= t) return k;
    }
}

// Sum over n >= first of e^-mu mu^n/n! * value(n), summed until the terms no longer count.
template <class F>
double poisson_tail(double mu, std::uint64_t first, F value) {
    double log_term = -mu + static_cast<double>(first) * std::log(mu) - std::lgamma(static_cast<double>(first) + 1);
    double term = std::exp(log_term);
    double sum = 0;
    for (std::uint64_t n = first; n < first + 100000; ++n) {
        const double add = term * value(n);
        sum += add;
        if (static_cast<double>(n) > mu && term < 1e-20 * (sum + 1e-300)) break;
        if (term == 0 && static_cast<double>(n) > mu) break;
        term *= mu / static_cast<double>(n + 1);
    }
    return sum;
}

Status invalid_link(std::string_view field, std::string detail) {
    return make_error(Errc::invalid_argument, "link", field, std::move(detail));
}

template <std::size_t K>
void multinomial(CounterRng& rng, std::uint64_t trials, const std::array<double, K>& weights,
                 std::array<std::uint64_t, K>& out) {
    sample_multinomial(rng, trials, weights, out);
}

struct Outcomes {
    std::uint64_t left = 0, right = 0, both = 0;
    std::uint64_t effective() const noexcept { return left + right; }
};

// Outcomes of `windows` windows with per-window probabilities `c` (none is the remainder).
Outcomes sample_outcomes(CounterRng& rng, std::uint64_t windows, const ClickProbabilities& c) {
    const double none = std::max(0.0, 1 - c.left - c.right - c.both);
    std::array<std::uint64_t, 4> k{};
    multinomial<4>(rng, windows, {c.left, c.right, c.both, none}, k);
    return {k[0], k[1], k[2]};
}

// Photon-number groups of a one-sided class: probability of each group and, given the group, the
// probabilities of exactly-one-side and both clicks.
struct GroupModel {
    std::array<double, kPhotonGroups> probability{};
    std::array<double, kPhotonGroups> one_side{};  // conditional on the group
    std::array<double, kPhotonGroups> both{};
};

GroupModel one_sided_groups(double mu, double eta, double pd) {
    GroupModel g;
    if (mu == 0) {
        const FockClicks c = fock_clicks(0, eta, pd);
        g.probability[0] = 1;
        g.one_side[0] = c.one_side;
        g.both[0] = c.both;
        return g;
    }
    for (std::uint64_t n = 0; n + 1 < kPhotonGroups; ++n) {
        const double dn = static_cast<double>(n);
        g.probability[n] = std::exp(-mu + dn * std::log(mu) - std::lgamma(dn + 1));
        const FockClicks c = fock_clicks(n, eta, pd);
        g.one_side[n] = c.one_side;
        g.both[n] = c.both;
    }
    constexpr std::uint64_t last = kPhotonGroups - 1;
    const double tail = poisson_tail(mu, last, [](std::uint64_t) { return 1.0; });
    g.probability[last] = tail;
    if (tail > 0) {
        g.one_side[last] = poisson_tail(mu, last, [&](std::uint64_t n) { return fock_clicks(n, eta, pd).one_side; }) / tail;
        g.both[last] = poisson_tail(mu, last, [&](std::uint64_t n) { return fock_clicks(n, eta, pd).both; }) / tail;
    }
    return g;
}

}  // namespace

// ---- Binomial ---------------------------------------------------------------------------------

std::uint64_t sample_binomial(CounterRng& rng, std::uint64_t n, double p) noexcept {
    if (n == 0 || !(p > 0)) return 0;
    if (p >= 1) return n;
    const bool flip = p > 0.5;
    const double pp = flip ? 1 - p : p;  // exact for p > 1/2 (Sterbenz)
    const double dn = static_cast<double>(n);
    const std::uint64_t k = dn * pp < 10 ? binomial_waiting(rng, dn, pp) : binomial_btrs(rng, dn, pp);
    return flip ? n - k : k;
}

void sample_multinomial(CounterRng& rng, std::uint64_t trials, std::span<const double> weights,
                        std::span<std::uint64_t> out) noexcept {
    // Each conditional probability is w_i / sum_{j >= i} w_j (K is small: the sum is recomputed).
    std::uint64_t left = trials;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const double w = std::max(0.0, weights[i]);
        double rest = 0;
        for (std::size_t j = i + 1; j < weights.size(); ++j) rest += std::max(0.0, weights[j]);
        if (left == 0 || w <= 0) {
            out[i] = 0;
        } else if (rest <= 0) {
            out[i] = left;  // the last category with weight takes what is left
        } else {
            out[i] = sample_binomial(rng, left, std::clamp(w / (w + rest), 0.0, 1.0));
        }
        left -= out[i];
    }
}

double binomial_log_ratio(std::uint64_t n, double p, std::uint64_t k, std::uint64_t m) noexcept {
    const double dn = static_cast<double>(n);
    return binomial_log_pmf(dn, p, 1 - p, static_cast<double>(k)) - binomial_log_pmf(dn, p, 1 - p, static_cast<double>(m));
}

// ---- Hypergeometric ---------------------------------------------------------------------------

double hypergeometric_log_ratio(std::uint64_t population, std::uint64_t successes, std::uint64_t draws,
                                std::uint64_t k, std::uint64_t m) noexcept {
    // f(k) = K! (N - K)! n! (N - n)! / (N! k! (K - k)! (n - k)! (N - K - n + k)!): the ratio involves
    // four factorial ratios a_i! / b_i!. Each log(a!/b!) = rest(a, b) + (a - b) log b, and the four
    // linear terms add up to (k - m) log(b_0 b_3 / (b_1 b_2)), whose argument is 1 + D/(b_1 b_2) with
    // D = b_0 b_3 - b_1 b_2 exact in 128 bits: near the mode D / (b_1 b_2) is O(1/m), so its
    // logarithm has a relative error of the order of the rounding, not an absolute one of n log n.
    // N - K - n + x >= 0 on the support; N + x does not overflow (N <= 2^53).
    const auto rest_of = [&](std::uint64_t x) { return population + x - successes - draws; };
    const std::array<std::uint64_t, 4> a{k, successes - k, draws - k, rest_of(k)};
    const std::array<std::uint64_t, 4> b{m, successes - m, draws - m, rest_of(m)};
    double rest = 0;
    bool all_positive = true;
    for (std::size_t i = 0; i < 4; ++i) all_positive = all_positive && b[i] > 0;
    if (all_positive) {
        for (std::size_t i = 0; i < 4; ++i)
            rest += log_factorial_ratio_rest(static_cast<double>(a[i]), static_cast<double>(b[i]));
        const U128 top = static_cast<U128>(b[0]) * b[3];
        const U128 bottom = static_cast<U128>(b[1]) * b[2];
        const I128 diff = static_cast<I128>(top) - static_cast<I128>(bottom);
        const double lin = std::log1p(static_cast<double>(diff) / static_cast<double>(bottom));
        const double d = k >= m ? static_cast<double>(k - m) : -static_cast<double>(m - k);
        return -(rest + d * lin);
    }
    // The mode at an end of the support (mean below about 1, or a degenerate population): the
    // terms are small, sum them one by one (log(a!) outright where b = 0).
    for (std::size_t i = 0; i < 4; ++i) {
        const double ai = static_cast<double>(a[i]), bi = static_cast<double>(b[i]);
        if (b[i] == 0) {
            rest += log_factorial(ai);
        } else {
            const double diff = a[i] >= b[i] ? static_cast<double>(a[i] - b[i]) : -static_cast<double>(b[i] - a[i]);
            rest += log_factorial_ratio_rest(ai, bi) + diff * std::log(bi);
        }
    }
    return -rest;
}

std::uint64_t sample_hypergeometric(CounterRng& rng, std::uint64_t population, std::uint64_t successes,
                                    std::uint64_t draws) noexcept {
    successes = std::min(successes, population);
    draws = std::min(draws, population);
    if (draws == 0 || successes == 0) return 0;
    if (successes == population) return draws;
    if (draws == population) return successes;
    // Reflections (as NumPy): sample the rarer kind, and the smaller of the drawn and undrawn sets.
    const bool swap_kind = successes > population - successes;
    const bool complement = draws > population - draws;
    const std::uint64_t m = swap_kind ? population - successes : successes;
    const std::uint64_t s = complement ? population - draws : draws;
    std::uint64_t k = hypergeometric_hrua(rng, population, m, s);
    if (swap_kind) k = s - k;             // successes among the s items
    if (complement) k = successes - k;    // successes among the drawn, not the undrawn, items
    return k;
}

// ---- AOPP pairing -----------------------------------------------------------------------------

// AOPP (docs/security.md 4.5): Bob pairs g = min(n0, n1) of his bits 0 with as many bits 1, each set
// chosen uniformly at random and matched uniformly at random. The chosen sets and the matching do
// not depend on which bits are wrong, untagged or phase-flipped, so given the counts so far each
// next count is the number of marked items in a uniform subset: a hypergeometric draw.
PairingSample sample_aopp_pairing(CounterRng& rng, const RawKeyByValue& raw) noexcept {
    const std::uint64_t zeros = raw.zeros_wrong + raw.zeros_right, ones = raw.ones_wrong + raw.ones_right;
    const std::uint64_t g = std::min(zeros, ones);
    // Wrong bits among the g chosen of each value, then the matching: the partners of the wrong
    // zeros are a uniform subset of the chosen ones.
    const std::uint64_t wrong0 = sample_hypergeometric(rng, zeros, raw.zeros_wrong, g);
    const std::uint64_t wrong1 = sample_hypergeometric(rng, ones, raw.ones_wrong, g);
    const std::uint64_t both_wrong = sample_hypergeometric(rng, g, wrong1, wrong0);
    const std::uint64_t both_right = g - wrong0 - wrong1 + both_wrong;
    PairingSample out;
    out.counts = {static_cast<Count>(zeros), static_cast<Count>(ones), static_cast<Count>(g)};
    out.survivors = both_right + both_wrong;
    out.errors = both_wrong;

    // Ground truth. Untagged bits are right bits: untagged among the chosen right bits of each value.
    const std::uint64_t u0 = raw.untagged_zeros, u1 = raw.untagged_ones;
    const std::uint64_t c0 = sample_hypergeometric(rng, raw.zeros_right, u0, g - wrong0);
    const std::uint64_t c1 = sample_hypergeometric(rng, raw.ones_right, u1, g - wrong1);
    // The right ones matched with right zeros are a uniform both_right-subset of the chosen right
    // ones; the partners of the c0 untagged zeros are a uniform c0-subset of the g - wrong0 partners
    // of the chosen right zeros, which hold those matched untagged ones.
    const std::uint64_t matched_untagged1 = sample_hypergeometric(rng, g - wrong1, c1, both_right);
    const std::uint64_t pairs = sample_hypergeometric(rng, g - wrong0, matched_untagged1, c0);
    // Phase errors: the raw key's F phase-error bits split between the values (given F the zeros
    // hold a uniform share), then those among the paired untagged bits of each value (a uniform
    // subset of that value's untagged bits), then how they meet in the uniformly matched pairs; a
    // kept bit errs when exactly one of its two bits does.
    const std::uint64_t f = std::min(raw.phase_errors, u0 + u1);
    const std::uint64_t f0 = sample_hypergeometric(rng, u0 + u1, f, u0);
    const std::uint64_t h0 = sample_hypergeometric(rng, u0, f0, pairs);
    const std::uint64_t h1 = sample_hypergeometric(rng, u1, f - f0, pairs);
    const std::uint64_t both_flipped = sample_hypergeometric(rng, pairs, h1, h0);
    AoppTruth& t = out.truth;
    t.paired_wrong_zeros = static_cast<Count>(wrong0);
    t.paired_wrong_ones = static_cast<Count>(wrong1);
    t.paired_untagged_zeros = static_cast<Count>(c0);
    t.paired_untagged_ones = static_cast<Count>(c1);
    t.untagged_pairs = static_cast<Count>(pairs);
    t.phase_errors = static_cast<Count>(h0 + h1 - 2 * both_flipped);
    return out;
}

// ---- Ground truth -----------------------------------------------------------------------------

FockClicks fock_clicks(std::uint64_t photons, double eta, double pd) noexcept {
    // Each photon goes left (eta/2), right (eta/2) or is lost. With r = P(none left) = (1 - eta/2)^n
    // and z = P(none arrives) = (1 - eta)^n:
    //   P(left >= 1, right = 0) = r - z,   P(left >= 1, right >= 1) = 1 - 2r + z,
    // and a detector without photons clicks by a dark count with probability p_d.
    const double q = 1 - pd;
    const double dn = static_cast<double>(photons);
    double r_minus_z = 0, z = 1, one_minus_r = 0;
    if (photons > 0) {
        if (eta >= 1) {
            z = 0;
            r_minus_z = std::pow(0.5, dn);
        } else {
            z = std::exp(dn * std::log1p(-eta));
            // r - z = z (((1 - eta/2)/(1 - eta))^n - 1), without cancellation at small eta.
            r_minus_z = z * std::expm1(dn * std::log1p(eta / (2 * (1 - eta))));
        }
        one_minus_r = -std::expm1(dn * std::log1p(-eta / 2));
    }
    const double both_photons = std::max(0.0, one_minus_r - r_minus_z);
    FockClicks c;
    c.one_side = q * r_minus_z + q * pd * z;
    c.both = both_photons + 2 * pd * r_minus_z + pd * pd * z;
    return c;
}

double true_phase_error_probability(const Link& link) noexcept {
    // docs/hardware-model.md 3.3: the photon of the twin state reaches the relay with probability
    // eta_bar = (eta_A + eta_B)/2 and then the wrong output with probability
    // (eta_bar - v sqrt(eta_A eta_B) e^{-sigma^2/2}) / 2; a lost photon heralds by one dark count,
    // right or wrong with equal probability; the other detector must stay dark.
    const double eta_a = link.eta_alice();
    const double eta_b = link.eta_bob();
    const double pd = link.dark_count_probability;
    const double q = 1 - pd;
    const double eta_bar = (eta_a + eta_b) / 2;
    const double v = 1 - 2 * link.misalignment;
    const double kappa = std::exp(-link.phase_noise_rad * link.phase_noise_rad / 2);
    const double wrong = std::max(0.0, (eta_bar - v * std::sqrt(eta_a * eta_b) * kappa) / 2);
    const double errors = q * wrong + (1 - eta_bar) * pd * q;
    const double effective = q * eta_bar + (1 - eta_bar) * 2 * pd * q;
    return effective > 0 ? errors / effective : 0.5;
}

const OneSidedComposition* GroundTruth::find(std::size_t alice, std::size_t bob) const noexcept {
    for (const auto& c : one_sided)
        if (c.alice == alice && c.bob == bob) return &c;
    return nullptr;
}

// ---- Validation -------------------------------------------------------------------------------

Status validate_link(const Link& link) {
    const auto finite = [](double x) { return std::isfinite(x); };
    if (!finite(link.arm_loss_alice_db) || link.arm_loss_alice_db < 0)
        return invalid_link("arm_loss_alice_db", "the loss must be finite and >= 0 dB");
    if (!finite(link.arm_loss_bob_db) || link.arm_loss_bob_db < 0)
        return invalid_link("arm_loss_bob_db", "the loss must be finite and >= 0 dB");
    if (!(link.detector_efficiency > 0 && link.detector_efficiency <= 1))
        return invalid_link("detector_efficiency", "the efficiency must lie in (0, 1]");
    if (!(link.dark_count_probability >= 0 && link.dark_count_probability < 1))
        return invalid_link("dark_count_probability", "the dark-count probability must lie in [0, 1)");
    if (!(link.misalignment >= 0 && link.misalignment <= 0.5))
        return invalid_link("misalignment", "the misalignment must lie in [0, 1/2]");
    if (!finite(link.phase_noise_rad) || link.phase_noise_rad < 0)
        return invalid_link("phase_noise_rad", "the phase noise must be finite and >= 0");
    return {};
}

Result<SnsSimulationRoles> validate_simulation(const ProtocolParameters& protocol, const Link& link) {
    TFQKD_TRY(security::validate(protocol));
    TFQKD_TRY(validate_link(link));
    if (protocol.family != security::Family::sns)
        return make_error(Errc::invalid_argument, "protocol", "family", "the simulator covers the SNS family");
    if (protocol.pulses > kMaxPulses)
        return make_error(Errc::invalid_argument, "protocol", "pulses",
                          "at most 2^53 pulses (counts are doubles, exact up to 2^53)");
    const std::uint32_t m = protocol.phase_slices;
    if (m % 2 == 0 && 4ULL * protocol.phase_match_slices + 2 > m)
        return make_error(Errc::invalid_argument, "protocol", "phase_match_slices",
                          "the slices kept around 0 and around pi overlap: need 4k + 2 <= M");
    if (m > 65535)
        return make_error(Errc::invalid_argument, "protocol", "phase_slices", "at most 65535 phase slices");
    auto alice = security::sns_roles(protocol.alice, "alice");
    if (!alice) return alice.error();
    auto bob = security::sns_roles(protocol.bob, "bob");
    if (!bob) return bob.error();
    if (alice->x_strong.has_value() != bob->x_strong.has_value())
        return make_error(Errc::invalid_argument, "protocol", "bob",
                          "both parties must run the same protocol (both with an X mu_2 or neither)");
    if (protocol.alice.size() > 255 || protocol.bob.size() > 255)
        return make_error(Errc::invalid_argument, "protocol", "alice", "at most 255 settings per party");
    return SnsSimulationRoles{*alice, *bob};
}

// ---- The aggregated sampler -------------------------------------------------------------------

Result<SampledRun> sample_statistics(const ProtocolParameters& protocol, const Link& link, std::uint64_t seed) {
    auto roles = validate_simulation(protocol, link);
    if (!roles) return roles.error();
    const security::SnsRoles& ra = roles->alice;
    const security::SnsRoles& rb = roles->bob;
    CounterRng rng(seed, kStreamSampled);
    const double eta_a = link.eta_alice();
    const double eta_b = link.eta_bob();
    const double pd = link.dark_count_probability;

    SampledRun run;
    auto& stats = run.statistics;
    auto& truth = run.truth;
    truth.yields = true_yields(link);
    truth.phase_error_probability = true_phase_error_probability(link);

    // Windows of every setting pair: a multinomial over the A x B pairs by conditional binomials,
    // normalised by suffix sums (the settings' probabilities sum to 1 only within 1e-9).
    const std::size_t na = protocol.alice.size();
    const std::size_t nb = protocol.bob.size();
    double mass = 0;
    for (std::size_t i = 0; i < na; ++i)
        for (std::size_t j = 0; j < nb; ++j) mass += protocol.alice[i].probability * protocol.bob[j].probability;
    std::uint64_t left_pulses = protocol.pulses;
    double left_mass = mass;
    // 3-intensity protocol: the one-sided Z classes, announced after the X-X ones (as in
    // expected_statistics: alice z_send - bob z_silent, then alice z_silent - bob z_send).
    const bool three_intensity = !ra.x_strong.has_value();
    std::array<security::ClassCounts, 2> one_sided_z{};
    // Effective events of the Z-Z role classes, [alice sent][bob sent].
    std::array<std::array<std::uint64_t, 2>, 2> zz{};

    for (std::size_t i = 0; i < na; ++i) {
        const auto& sa = protocol.alice[i];
        for (std::size_t j = 0; j < nb; ++j) {
            const auto& sb = protocol.bob[j];
            const double w = sa.probability * sb.probability;
            const bool last = i + 1 == na && j + 1 == nb;
            const std::uint64_t sent =
                last ? left_pulses : sample_binomial(rng, left_pulses, std::clamp(w / left_mass, 0.0, 1.0));
            left_pulses -= sent;
            left_mass -= w;
            const double a = eta_a * sa.intensity;
            const double b = eta_b * sb.intensity;

            Outcomes out;
            if (sa.intensity == 0 || sb.intensity == 0) {
                // Vacuum or one-sided: sample the sender's photon numbers, then each group's clicks.
                const bool alice_sends = sa.intensity > 0;
                const GroupModel g = one_sided_groups(alice_sends ? sa.intensity : sb.intensity,
                                                      alice_sends ? eta_a : eta_b, pd);
                std::array<std::uint64_t, kPhotonGroups> windows{};
                multinomial<kPhotonGroups>(rng, sent, g.probability, windows);
                OneSidedComposition composition{i, j, {}};
                std::uint64_t effective = 0;
                for (std::size_t n = 0; n < kPhotonGroups; ++n) {
                    const double eff_p = 2 * g.one_side[n];
                    const std::uint64_t e = sample_binomial(rng, windows[n], eff_p);
                    const double not_eff = 1 - eff_p;
                    const std::uint64_t both =
                        not_eff > 0 ? sample_binomial(rng, windows[n] - e, std::min(1.0, g.both[n] / not_eff)) : 0;
                    composition.heralds[n] = static_cast<Count>(e);
                    effective += e;
                    out.both += both;
                }
                // Without interference each effective event is left or right with probability 1/2.
                out.left = sample_binomial(rng, effective, 0.5);
                out.right = effective - out.left;
                if (sa.intensity > 0 || sb.intensity > 0) truth.one_sided.push_back(composition);
                if (sa.window == Window::z && sb.window == Window::z) {
                    if (i == ra.z_send && j == rb.z_silent) truth.untagged_alice = composition.heralds[1];
                    if (i == ra.z_silent && j == rb.z_send) truth.untagged_bob = composition.heralds[1];
                }
            } else if (i == ra.x_weak && j == rb.x_weak) {
                // X1-X1: phase-matched windows around 0 (light to the left) and, for even M, around pi
                // (light to the right); the rest with the remaining probability of each outcome.
                const std::uint32_t slices = protocol.phase_slices;
                const std::uint32_t k = protocol.phase_match_slices;
                const double f0 = (2.0 * k + 1) / slices;
                const double fpi = slices % 2 == 0 && slices > 1 ? f0 : 0.0;
                std::array<std::uint64_t, 3> split{};
                multinomial<3>(rng, sent, {f0, fpi, std::max(0.0, 1 - f0 - fpi)}, split);
                const ClickProbabilities pm = clicks_phase_matched(a, b, slices, k, link);
                const ClickProbabilities pr = clicks_random_phase(a, b, link);
                const Outcomes zero = sample_outcomes(rng, split[0], pm);
                const Outcomes pi = sample_outcomes(rng, split[1], {pm.right, pm.left, pm.both});
                const double rest = 1 - f0 - fpi;
                Outcomes others;
                if (split[2] > 0 && rest > 0) {
                    const ClickProbabilities un{std::max(0.0, (pr.left - f0 * pm.left - fpi * pm.right) / rest),
                                                std::max(0.0, (pr.right - f0 * pm.right - fpi * pm.left) / rest),
                                                std::max(0.0, (pr.both - (f0 + fpi) * pm.both) / rest)};
                    others = sample_outcomes(rng, split[2], un);
                }
                out = {zero.left + pi.left + others.left, zero.right + pi.right + others.right,
                       zero.both + pi.both + others.both};
                stats.phase_matched.windows = static_cast<Count>(split[0] + split[1]);
                stats.phase_matched.effective = static_cast<Count>(zero.effective() + pi.effective());
                stats.phase_matched.errors = static_cast<Count>(zero.right + pi.left);
            } else {
                out = sample_outcomes(rng, sent, clicks_random_phase(a, b, link));
            }

            const security::ClassCounts counts{i, j, static_cast<Count>(sent), static_cast<Count>(out.left),
                                               static_cast<Count>(out.right), static_cast<Count>(out.both)};
            if (sa.window == Window::x && sb.window == Window::x) stats.classes.push_back(counts);
            const bool z_roles = (i == ra.z_send || i == ra.z_silent) && (j == rb.z_send || j == rb.z_silent);
            if (sa.window == Window::z && sb.window == Window::z && z_roles) {
                const auto eff = static_cast<Count>(out.effective());
                stats.key.effective += eff;
                if ((i == ra.z_send) == (j == rb.z_send)) stats.key.errors += eff;
                zz[i == ra.z_send ? 1 : 0][j == rb.z_send ? 1 : 0] = out.effective();
                if (three_intensity && i == ra.z_send && j == rb.z_silent) one_sided_z[0] = counts;
                if (three_intensity && i == ra.z_silent && j == rb.z_send) one_sided_z[1] = counts;
            }
        }
    }
    if (three_intensity) stats.classes.insert(stats.classes.end(), one_sided_z.begin(), one_sided_z.end());
    truth.phase_errors =
        static_cast<Count>(sample_binomial(rng, static_cast<std::uint64_t>(truth.untagged()), truth.phase_error_probability));
    if (protocol.aopp) {
        // Bob's bit 0: he sent, wrong when Alice sent too; bit 1: he did not, wrong when Alice did
        // not either. His untagged 0s are the untagged bits Bob sent, his untagged 1s Alice's.
        const RawKeyByValue raw{zz[0][1],
                                zz[1][1],
                                zz[1][0],
                                zz[0][0],
                                static_cast<std::uint64_t>(truth.untagged_bob),
                                static_cast<std::uint64_t>(truth.untagged_alice),
                                static_cast<std::uint64_t>(truth.phase_errors)};
        const PairingSample pairing = sample_aopp_pairing(rng, raw);
        stats.aopp = pairing.counts;
        stats.key.effective = static_cast<Count>(pairing.survivors);
        stats.key.errors = static_cast<Count>(pairing.errors);
        truth.aopp = pairing.truth;
    }
    return run;
}

}  // namespace tfqkd::hardware_model
