// Concentration bounds: they hold empirically at their stated failure probability on sampled
// binomial and hypergeometric data, agree with independently computed reference values, and the
// closed-form Kato parameters are as tight as a direct search.
#include "security/concentration.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace tfqkd::security {
namespace {

// Trials are counted and the observed failure frequency must stay below eps plus five standard
// deviations of a binomial(trials, eps): a sound bound fails this test with probability < 1e-6.
void expect_failure_rate_at_most(int failures, int trials, double eps, const char* what) {
    const double allowed = trials * eps + 5 * std::sqrt(trials * eps * (1 - eps)) + 1;
    EXPECT_LE(failures, allowed) << what << ": " << failures << " failures in " << trials;
}

TEST(Chernoff, ExpectedFromObservedCoversTheTrueMean) {
    std::mt19937_64 rng(11);
    const double eps = 0.01;
    for (const auto& [n, p] : std::vector<std::pair<int, double>>{{100000, 1e-3}, {5000, 0.02}, {2000, 0.3}}) {
        std::binomial_distribution<int> binomial(n, p);
        const double mu = n * p;
        int below = 0;
        int above = 0;
        const int trials = 4000;
        for (int t = 0; t < trials; ++t) {
            const Bounds b = chernoff_expected_from_observed(point(binomial(rng)), point(eps));
            if (hi(b.upper) < mu) ++above;  // the upper bound missed the mean
            if (lo(b.lower) > mu) ++below;
        }
        expect_failure_rate_at_most(above, trials, eps, "upper");
        expect_failure_rate_at_most(below, trials, eps, "lower");
    }
}

TEST(Chernoff, ObservedFromExpectedCoversTheObservation) {
    std::mt19937_64 rng(12);
    const double eps = 0.01;
    for (const auto& [n, p] : std::vector<std::pair<int, double>>{{100000, 1e-3}, {5000, 0.02}, {400, 0.5}}) {
        std::binomial_distribution<int> binomial(n, p);
        const Bounds b = chernoff_observed_from_expected(point(n * p), point(eps));
        int out_low = 0;
        int out_high = 0;
        const int trials = 20000;
        for (int t = 0; t < trials; ++t) {
            const int x = binomial(rng);
            if (x < lo(b.lower)) ++out_low;
            if (x > hi(b.upper)) ++out_high;
        }
        expect_failure_rate_at_most(out_low, trials, eps, "lower");
        expect_failure_rate_at_most(out_high, trials, eps, "upper");
    }
}

TEST(Chernoff, AgreesWithIndependentlyComputedReferenceValues) {
    // ../shared/REFERENCES.md, finite-key sheet 1.5, computed there for X = 1e5, xi = 1e-10 split
    // over two sides: the exact-exponent interval [97 838, 102 194] is the tightest the Chernoff
    // exponent allows, so our relaxed closed form must lie outside it, and within 0.1 % of it.
    const Bounds b = chernoff_expected_from_observed(point(1e5), point(0.5e-10));
    EXPECT_LE(hi(b.lower), 97838.0);
    EXPECT_GT(lo(b.lower), 97838.0 * 0.999);
    EXPECT_GE(lo(b.upper), 102194.0);
    EXPECT_LT(hi(b.upper), 102194.0 * 1.001);
}

TEST(Chernoff, BoundsWidenAsEpsilonShrinksAndNeverGoNegative) {
    const Bounds loose = chernoff_expected_from_observed(point(50.0), point(1e-3));
    const Bounds tight = chernoff_expected_from_observed(point(50.0), point(1e-12));
    EXPECT_LT(lo(tight.lower), lo(loose.lower));
    EXPECT_GT(hi(tight.upper), hi(loose.upper));
    const Bounds zero = chernoff_expected_from_observed(point(0.0), point(1e-10));
    EXPECT_EQ(lo(zero.lower), 0.0);
    EXPECT_GT(lo(zero.upper), 23.0) << "observing nothing still allows a mean of ln(1/eps)";
}

TEST(Hoeffding, DeviationCoversSampledSums) {
    std::mt19937_64 rng(13);
    const double eps = 0.01;
    const int n = 1000;
    const double dev = hi(hoeffding_deviation(point(n), point(eps)));
    EXPECT_NEAR(dev, std::sqrt(n * std::log(1 / eps) / 2), 1e-9);
    std::uniform_real_distribution<double> u(0, 1);
    int failures = 0;
    const int trials = 20000;
    for (int t = 0; t < trials; ++t) {
        double s = 0;
        for (int i = 0; i < n; ++i) s += u(rng) < 0.2 ? 1 : 0;
        if (s - 0.2 * n >= dev) ++failures;
    }
    expect_failure_rate_at_most(failures, trials, eps, "hoeffding");
}

TEST(Kato, ParametersMakeTheFailureProbabilityExactlyEpsilon) {
    for (double lam : {10.0, 1000.0, 500000.0}) {
        const Interval n = point(1e6);
        const Interval eps = point(1e-10);
        const KatoParameters up = kato_parameters_upper(n, point(lam), eps);
        const KatoParameters down = kato_parameters_lower(n, point(lam), eps);
        EXPECT_NEAR(mid(kato_failure_upper(n, up)) / 1e-10, 1.0, 1e-12) << lam;
        EXPECT_NEAR(mid(kato_failure_lower(n, down)) / 1e-10, 1.0, 1e-12) << lam;
        EXPECT_GE(lo(up.b), std::abs(hi(up.a))) << "Kato's inequality needs b >= |a|";
        EXPECT_GE(lo(down.b), std::abs(hi(down.a)));
    }
}

TEST(Kato, ClosedFormParametersAreAsTightAsADirectSearch) {
    // ../shared/REFERENCES.md 4.2 [C]: n = 1e6, prediction 1e3, eps = 1e-10 gives deviations of about
    // 230 (upper) and 200 (lower), against 3393 for Hoeffding.
    const double n = 1e6;
    const double lam = 1e3;
    const Interval eps = point(1e-10);
    const auto deviation = [&](const KatoParameters& p) {
        return mid((p.b + p.a * (2 * lam / n - 1)) * std::sqrt(n));
    };
    const KatoParameters up = kato_parameters_upper(point(n), point(lam), eps);
    const KatoParameters down = kato_parameters_lower(point(n), point(lam), eps);
    EXPECT_NEAR(deviation(up), 230, 5);
    EXPECT_NEAR(deviation(down), 200, 5);
    // Direct search over a (b follows from a and eps): the closed form is within 0.5 % of the best.
    double best_up = 1e300;
    double best_down = 1e300;
    for (double a = -100; a <= 100; a += 0.01) {
        const Interval ai = point(a);
        const Interval le = log(eps);
        const Interval sn = sqrt(point(n));
        const Interval bu = sqrt(18 * ai * ai * n - (16 * ai * ai + 24 * ai * sn + 9 * n) * le) / (3 * sqrt(point(2 * n)));
        const Interval bd = sqrt(18 * ai * ai * n - (16 * ai * ai - 24 * ai * sn + 9 * n) * le) / (3 * sqrt(point(2 * n)));
        if (mid(bu) >= std::abs(a)) best_up = std::min(best_up, deviation({ai, bu}));
        if (mid(bd) >= std::abs(a)) best_down = std::min(best_down, deviation({ai, bd}));
    }
    EXPECT_LE(deviation(up), best_up * 1.005);
    EXPECT_LE(deviation(down), best_down * 1.005);
}

TEST(Kato, BoundsCoverTheSumOfConditionalExpectations) {
    std::mt19937_64 rng(14);
    const int n = 20000;
    const double p = 0.01;
    const double eps = 0.01;
    const KatoParameters up = kato_parameters_upper(point(n), point(n * p), point(eps));
    const KatoParameters down = kato_parameters_lower(point(n), point(n * p), point(eps));
    std::binomial_distribution<int> binomial(n, p);
    int above = 0;
    int below = 0;
    const int trials = 4000;
    for (int t = 0; t < trials; ++t) {
        const Bounds b = kato_expected_from_observed(point(n), point(binomial(rng)), up, down);
        if (hi(b.upper) < n * p) ++above;
        if (lo(b.lower) > n * p) ++below;
    }
    expect_failure_rate_at_most(above, trials, eps, "upper");
    expect_failure_rate_at_most(below, trials, eps, "lower");
}

// C7 against a process that is no sum of independent trials: each trial's probability depends on
// the outcomes so far (it jumps after every click, as an adaptive attacker could make it). The
// bounds on the sum T of the conditional probabilities, and on the count from an upper bound on T,
// must fail no more often than eps each.
TEST(Martingale, BoundsCoverTheSumOfConditionalProbabilitiesOfAnAdaptiveProcess) {
    std::mt19937_64 rng(15);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    const double eps = 0.01;
    const int n = 20000;
    int above = 0, below = 0, count_above = 0;
    const int trials = 3000;
    for (int t = 0; t < trials; ++t) {
        double p = 0.002;
        double sum = 0;
        int clicks = 0;
        for (int u = 0; u < n; ++u) {
            sum += p;
            if (uniform(rng) < p) {
                ++clicks;
                p = clicks % 2 == 0 ? 0.002 : 0.02;  // the attacker's state changes with every click
            }
        }
        const Bounds b = formulas::martingale_expected_from_observed<Interval>(clicks, eps);
        if (hi(b.upper) < sum) ++above;
        if (lo(b.lower) > sum) ++below;
        // The count from the true sum: C7's other direction.
        if (clicks > hi(formulas::martingale_observed_from_expected_upper<Interval>(point(sum), eps))) ++count_above;
    }
    expect_failure_rate_at_most(above, trials, eps, "upper");
    expect_failure_rate_at_most(below, trials, eps, "lower");
    expect_failure_rate_at_most(count_above, trials, eps, "count upper");
}

// The union over the lambda grid costs ln(44) in the exponent: C7 stays within 15 % of Chernoff's
// (C1) width, for independent trials, from 10^2 to 10^10 counts.
TEST(Martingale, WidthIsCloseToChernoffsAndDoubleAgreesWithInterval) {
    for (const double x : {1e2, 1e4, 1e6, 1e8, 1e10}) {
        const Bounds chernoff = chernoff_expected_from_observed(point(x), point(1e-10));
        const Bounds mart = formulas::martingale_expected_from_observed<Interval>(x, 1e-10);
        const double w_c = hi(chernoff.upper) - lo(chernoff.lower);
        const double w_m = hi(mart.upper) - lo(mart.lower);
        EXPECT_GE(w_m, w_c * 0.9) << x;  // a wider union bound, so not much narrower
        EXPECT_LE(w_m, w_c * 1.15) << x;
        const BasicBounds<double> d = formulas::martingale_expected_from_observed<double>(x, 1e-10);
        EXPECT_NEAR(d.lower, mid(mart.lower), 1e-9 * x);
        EXPECT_NEAR(d.upper, mid(mart.upper), 1e-9 * x);
        EXPECT_LE(lo(mart.lower), x);
        EXPECT_GE(hi(mart.upper), x);
    }
}

TEST(Sampling, DeviationCoversHypergeometricSamples) {
    std::mt19937_64 rng(15);
    const std::size_t n = 2000;       // sample
    const std::size_t k = 6000;       // rest
    const std::size_t errors = 400;  // 5 % of the population
    const double eps = 0.01;
    std::vector<int> population(n + k, 0);
    for (std::size_t i = 0; i < errors; ++i) population[i] = 1;
    int failures = 0;
    const int trials = 3000;
    for (int t = 0; t < trials; ++t) {
        std::shuffle(population.begin(), population.end(), rng);
        std::size_t sample_errors = 0;
        for (std::size_t i = 0; i < n; ++i) sample_errors += static_cast<std::size_t>(population[i]);
        const double lambda = static_cast<double>(sample_errors) / n;
        const double rest = static_cast<double>(errors - sample_errors) / k;
        const Interval gamma =
            sampling_deviation(point(double(n)), point(double(k)), point(lambda), point(eps));
        if (rest > lambda + hi(gamma)) ++failures;
    }
    expect_failure_rate_at_most(failures, trials, eps, "sampling");
}


// C6 on the pairing AOPP performs: g bits of each value chosen at random and matched at random. The
// failure rate allowed is the sum over the one-sided bounds the pairing uses.
TEST(RandomPairing, LowerBoundCoversTheMarkedPairs) {
    std::mt19937_64 rng(16);
    const double eps = 0.01;
    struct Case {
        std::size_t n0, n1, u0, u1, g;
    };
    for (const Case& c : {Case{3000, 2000, 600, 500, 2000}, Case{2000, 3000, 500, 600, 2000},
                          Case{3000, 2500, 700, 400, 1800}}) {
        std::vector<int> zeros(c.n0, 0), ones(c.n1, 0);
        for (std::size_t i = 0; i < c.u0; ++i) zeros[i] = 1;
        for (std::size_t i = 0; i < c.u1; ++i) ones[i] = 1;
        const auto bound = formulas::random_pairing_lower(point(double(c.u0)), point(double(c.u1)), double(c.n0),
                                                          double(c.n1), double(c.g), point(eps));
        EXPECT_EQ(bound.bounds, c.g == std::min(c.n0, c.n1) ? 1U : 2U);
        EXPECT_GT(lo(bound.lower), 0.4 * double(c.g) * double(c.u0) / double(c.n0) * double(c.u1) / double(c.n1))
            << "not vacuous";
        int failures = 0;
        const int trials = 3000;
        for (int t = 0; t < trials; ++t) {
            // The first g of each shuffled list are paired index by index: a uniform choice and a
            // uniform matching.
            std::shuffle(zeros.begin(), zeros.end(), rng);
            std::shuffle(ones.begin(), ones.end(), rng);
            std::size_t marked_pairs = 0;
            for (std::size_t i = 0; i < c.g; ++i) marked_pairs += static_cast<std::size_t>(zeros[i] & ones[i]);
            if (static_cast<double>(marked_pairs) < lo(bound.lower)) ++failures;
        }
        expect_failure_rate_at_most(failures, trials, eps * bound.bounds, "pairing");
    }
}

}  // namespace
}  // namespace tfqkd::security
