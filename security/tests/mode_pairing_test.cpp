// MP-QKD key length (docs/security.md 9) from count statistics built here from known pair yields,
// so that the truth is known: the decoy bound on Y_11 below the truth and the phase-error bound
// above it, the asymptotic length against the documented formula evaluated independently, the
// containment of a 1000-bit evaluation, monotonicity, the pairing rate against a simulation of the
// pairing strategy, and errors that name the field.
#include "containment.hpp"
#include "security/mode_pairing.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

namespace tfqkd::security {
namespace {

constexpr double kVacuumP = 0.3, kDecoyP = 0.2, kSignalP = 0.5;
constexpr double kNu = 0.05, kMu = 0.4;
constexpr unsigned kSlices = 16;
constexpr double kKept = 2.0 / kSlices;  // phase sifting: 2 (2k + 1) / M with k = 0

ProtocolParameters protocol(std::uint64_t pulses) {
    ProtocolParameters p;
    p.family = Family::mode_pairing;
    p.alice = {{Window::z, 0.0, kVacuumP}, {Window::z, kNu, kDecoyP}, {Window::z, kMu, kSignalP}};
    p.bob = p.alice;
    p.pulses = pulses;
    p.phase_slices = kSlices;
    p.max_pairing_interval = 1000;
    return p;
}

// A round holding k photons in total (phase-randomised, so only k matters) is heralded (exactly
// one click) with probability y(k): each photon detected with probability eta, dark counts pd.
double round_yield(unsigned k, double eta, double pd) {
    const double miss = std::pow(1 - eta, k);
    return (1 - miss) * (1 - pd) + miss * 2 * pd * (1 - pd);
}

double poisson(unsigned k, double mean) { return std::exp(-mean) * std::pow(mean, k) / std::tgamma(k + 1.0); }

// The world of these tests: the pair yield of m photons from Alice and n from Bob, each party's
// photons in one round of the pair (Z) with the two placements equally likely, scaled by c:
// Y_mn = c [y(m) y(n) + y(m + n) y(0)] / 2 (opposite rounds, same round). The single-photon pairs
// err in X with probability e, every other pair with 1/2. docs/security.md 9.3 and 9.4 need only
// that these numbers are non-negative, which any world satisfies.
struct World {
    double eta = 1e-3;
    double pd = 1e-8;
    double e = 0.03;
    double c = 1e15;
    double yield(unsigned m, unsigned n) const {
        return c * (round_yield(m, eta, pd) * round_yield(n, eta, pd) + round_yield(m + n, eta, pd) * round_yield(0, eta, pd)) / 2;
    }
    double same_round(unsigned m, unsigned n) const {  // the part of Y_mn whose Z bits agree (errors)
        return m > 0 && n > 0 ? c * round_yield(m + n, eta, pd) * round_yield(0, eta, pd) / 2 : 0;
    }
    double error_rate(unsigned m, unsigned n) const { return m == 1 && n == 1 ? e : 0.5; }
};

struct Sum {
    double pairs = 0;
    double errors = 0;
};
// sum_mn P_m(a) P_n(b) Y_mn (and the errors), up to 40 photons per party.
template <class Errors>
Sum mix(double a, double b, const World& w, Errors errors) {
    Sum s;
    for (unsigned m = 0; m < 40; ++m)
        for (unsigned n = 0; n < 40; ++n) {
            const double weight = poisson(m, a) * poisson(n, b);
            s.pairs += weight * w.yield(m, n);
            s.errors += weight * errors(m, n);
        }
    return s;
}

CountStatistics statistics(const World& w) {
    const double prior_z[3] = {kVacuumP * kVacuumP, 2 * kDecoyP * kVacuumP, 2 * kSignalP * kVacuumP};
    const double prior_x[3] = {kVacuumP * kVacuumP, kDecoyP * kDecoyP, kSignalP * kSignalP};
    const double intensity[3] = {0.0, kNu, kMu};
    CountStatistics c;
    ModePairingCounts mp;
    double total = 0;
    for (std::size_t a = 0; a < 3; ++a)
        for (std::size_t b = 0; b < 3; ++b) {
            const double prior = prior_z[a] * prior_z[b];
            const Sum s = mix(intensity[a], intensity[b], w, [&](unsigned m, unsigned n) { return w.same_round(m, n); });
            total += prior * s.pairs;
            if (a == 2 && b == 2) {
                c.key.effective = prior * s.pairs;
                c.key.errors = prior * s.errors;
            } else {
                mp.classes.push_back({PairBasis::z, a, b, prior * s.pairs, 0.0});
            }
        }
    for (const auto& [a, b] : {std::pair<std::size_t, std::size_t>{1, 1}, {0, 1}, {1, 0}, {0, 0}}) {
        const double prior = prior_x[a] * prior_x[b] * kKept;
        const Sum s = mix(2 * intensity[a], 2 * intensity[b], w,
                          [&](unsigned m, unsigned n) { return w.yield(m, n) * w.error_rate(m, n); });
        mp.classes.push_back({PairBasis::x, a, b, prior * s.pairs, prior * s.errors});
    }
    mp.pairs = 2 * total;  // the other classes (discarded mixtures, X signal pairs) make up the rest
    mp.heralded_rounds = 2 * mp.pairs + 10;
    c.mode_pairing = mp;
    return c;
}

ModePairingOptions options(Analysis a) { return {a, 1.1}; }

KeyLength expect_contains_1000_bit_evaluation(const ProtocolParameters& p, const CountStatistics& c, Analysis analysis) {
    return testing::expect_contains_1000_bit_evaluation([&] { return mode_pairing_key_length(p, {}, c, options(analysis)); });
}

TEST(ModePairing, IntervalContainsThe1000BitEvaluationAndIsNarrowerThanAMicrobit) {
    for (double eta : {1e-2, 1e-3, 1e-4}) {
        World w;
        w.eta = eta;
        w.c = 1e9 / (eta * eta);  // the same number of single-photon pairs at every eta
        const auto p = protocol(1'000'000'000'000'000'000);
        const auto c = statistics(w);
        EXPECT_GT(expect_contains_1000_bit_evaluation(p, c, Analysis::finite).bits, 0U) << eta;
        EXPECT_GT(expect_contains_1000_bit_evaluation(p, c, Analysis::asymptotic).bits, 0U) << eta;
    }
}

TEST(ModePairing, DecoyBoundsStayOnTheSafeSideOfTheTruth) {
    for (double eta : {1e-2, 1e-3, 1e-4}) {
        World w;
        w.eta = eta;
        const auto p = protocol(10'000'000'000'000'000);
        const auto c = statistics(w);
        auto asym = mode_pairing_key_length(p, {}, c, options(Analysis::asymptotic));
        ASSERT_TRUE(asym.ok()) << asym.error().to_string();
        const double y11 = w.yield(1, 1);
        EXPECT_LE(hi(asym->breakdown.s1_lower), y11) << eta;
        EXPECT_GT(lo(asym->breakdown.s1_lower), 0.8 * y11) << "within 20 % at these decoys, " << eta;
        // The single-photon key pairs and their phase errors, in expectation (9.4).
        const double one_photon_each = std::pow(2 * kSignalP * kVacuumP * kMu * std::exp(-kMu), 2);
        EXPECT_LE(hi(asym->breakdown.untagged_lower), one_photon_each * y11 * (1 + 1e-12));
        EXPECT_GE(lo(asym->breakdown.phase_errors_upper), one_photon_each * y11 * w.e * (1 - 1e-12));
        auto fin = mode_pairing_key_length(p, {}, c, options(Analysis::finite));
        ASSERT_TRUE(fin.ok()) << fin.error().to_string();
        EXPECT_LE(hi(fin->breakdown.untagged_lower), lo(asym->breakdown.untagged_lower));
        EXPECT_GE(lo(fin->breakdown.phase_error_rate_upper), hi(asym->breakdown.phase_error_rate_upper));
        EXPECT_LE(fin->bits, asym->bits);
    }
}

TEST(ModePairing, AsymptoticLengthIsTheDocumentedFormula) {
    // docs/security.md 9.3-9.6, evaluated here independently in double precision.
    const World w;
    const auto p = protocol(10'000'000'000'000'000);
    const auto c = statistics(w);
    const auto& mp = *c.mode_pairing;
    const double pz[3] = {kVacuumP * kVacuumP, 2 * kDecoyP * kVacuumP, 2 * kSignalP * kVacuumP};
    const double px[3] = {kVacuumP * kVacuumP, kDecoyP * kDecoyP, 0};
    const auto q = [&](std::size_t a, std::size_t b) {
        if (a == 2 && b == 2) return c.key.effective / (pz[2] * pz[2]);
        return mp.find(PairBasis::z, a, b)->pairs / (pz[a] * pz[b]);
    };
    const auto t = [&](std::size_t a, std::size_t b) { return mp.find(PairBasis::x, a, b)->errors / (px[a] * px[b] * kKept); };
    const double g_nu = std::exp(2 * kNu) * q(1, 1) - std::exp(kNu) * (q(0, 1) + q(1, 0)) + q(0, 0);
    const double g_mu = std::exp(2 * kMu) * q(2, 2) - std::exp(kMu) * (q(0, 2) + q(2, 0)) + q(0, 0);
    const double y11 = (std::pow(kMu, 3) * g_nu - std::pow(kNu, 3) * g_mu) / (kMu * kMu * kNu * kNu * (kMu - kNu));
    const double ye11 = (std::exp(4 * kNu) * t(1, 1) - std::exp(2 * kNu) * (t(0, 1) + t(1, 0)) + t(0, 0)) / (4 * kNu * kNu);
    const double single = pz[2] * pz[2] * kMu * kMu * std::exp(-2 * kMu);
    const auto h = [](double x) { return -x * std::log2(x) - (1 - x) * std::log2(1 - x); };
    const double e11 = std::min(0.5, ye11 / y11);
    const double ez = c.key.errors / c.key.effective;
    const double expected = single * y11 * (1 - h(e11)) - 1.1 * c.key.effective * h(ez);
    auto k = mode_pairing_key_length(p, {}, c, options(Analysis::asymptotic));
    ASSERT_TRUE(k.ok()) << k.error().to_string();
    EXPECT_NEAR(mid(k->length), expected, 1e-9 * std::abs(expected));
    EXPECT_NEAR(mid(k->breakdown.phase_error_rate_upper), e11, 1e-12);
}

TEST(ModePairing, MoreErrorsOrFewerPairsNeverLengthenTheKey) {
    const auto p = protocol(10'000'000'000'000'000);
    const auto base = statistics(World{});
    const auto length = [&](const CountStatistics& c, Analysis a) {
        auto k = mode_pairing_key_length(p, {}, c, options(a));
        EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.error().to_string());
        return k ? lo(k->length) : 0.0;
    };
    for (Analysis a : {Analysis::asymptotic, Analysis::finite}) {
        const double l0 = length(base, a);
        double previous = l0;
        for (double factor : {1.1, 1.5, 2.0, 4.0}) {
            auto more_key_errors = base;
            more_key_errors.key.errors *= factor;
            EXPECT_LE(length(more_key_errors, a), l0);
            auto more_x_errors = base;
            for (auto& k : more_x_errors.mode_pairing->classes)
                if (k.basis == PairBasis::x && k.alice == 1 && k.bob == 1) k.errors = std::min(k.pairs, k.errors * factor);
            const double lx = length(more_x_errors, a);
            EXPECT_LE(lx, previous + 1e-6);
            previous = lx;
        }
        for (double scale : {0.9, 0.5, 0.1}) {
            // Fewer pairs formed (every count scaled down): never a longer key.
            auto fewer = base;
            fewer.key.effective *= scale;
            fewer.key.errors *= scale;
            fewer.mode_pairing->pairs *= scale;
            for (auto& k : fewer.mode_pairing->classes) {
                k.pairs *= scale;
                k.errors *= scale;
            }
            EXPECT_LE(length(fewer, a), l0) << scale;
            // Fewer decoy-decoy Z pairs lower the decoy bound on Y_11.
            auto fewer_decoy = base;
            for (auto& k : fewer_decoy.mode_pairing->classes)
                if (k.basis == PairBasis::z && k.alice == 1 && k.bob == 1) k.pairs *= scale;
            EXPECT_LE(length(fewer_decoy, a), l0) << scale;
        }
    }
}

TEST(ModePairing, CompositionFitsTheDefaultBudgetAndIsReported) {
    auto k = mode_pairing_key_length(protocol(10'000'000'000'000'000), {}, statistics(World{}), options(Analysis::finite));
    ASSERT_TRUE(k.ok()) << k.error().to_string();
    // docs/security.md 9.6: eps_cor + 2 eps_smooth + 4 * 14 eps_pe + eps_pa + 9 eps_pe.
    EXPECT_DOUBLE_EQ(k->breakdown.eps_total, 1e-15 + 2e-10 + 56e-10 + 1e-10 + 9e-10);
    EXPECT_EQ(k->breakdown.estimates, 14U);
    SecurityParameters tight;
    tight.eps_total = 1e-9;
    auto refused = mode_pairing_key_length(protocol(10'000'000'000'000'000), tight, statistics(World{}), options(Analysis::finite));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().field, "eps_total");
}

TEST(ModePairing, ZeroKeySaysWhy) {
    const auto p = protocol(10'000'000'000'000'000);
    auto c = statistics(World{});
    auto noisy = c;
    for (auto& k : noisy.mode_pairing->classes)
        if (k.basis == PairBasis::x && k.alice == 1 && k.bob == 1) k.errors = k.pairs / 2;
    auto k = mode_pairing_key_length(p, {}, noisy, options(Analysis::finite));
    ASSERT_TRUE(k.ok()) << k.error().to_string();
    EXPECT_EQ(k->bits, 0U);
    EXPECT_NE(k->zero_reason.find("phase-error bound"), std::string::npos) << k->zero_reason;
    auto empty = c;
    empty.key.effective = 0;
    empty.key.errors = 0;
    k = mode_pairing_key_length(p, {}, empty, options(Analysis::finite));
    ASSERT_TRUE(k.ok()) << k.error().to_string();
    EXPECT_EQ(k->bits, 0U);
    EXPECT_NE(k->zero_reason.find("key.effective"), std::string::npos) << k->zero_reason;
}

TEST(ModePairing, BadSettingsAndCountsAreRefusedNamingTheField) {
    const auto p = protocol(10'000'000'000'000'000);
    const auto c = statistics(World{});
    const auto expect_field = [&](const ProtocolParameters& q, const CountStatistics& s, std::string_view field) {
        auto k = mode_pairing_key_length(q, {}, s, options(Analysis::finite));
        ASSERT_FALSE(k.ok()) << field;
        EXPECT_EQ(k.error().field, field) << k.error().to_string();
    };
    auto window = p;
    window.alice[1].window = Window::x;
    expect_field(window, c, "alice[].window");
    auto two_vacua = p;
    two_vacua.alice[1].intensity = 0;
    expect_field(two_vacua, c, "alice[].intensity");
    auto odd = p;
    odd.phase_slices = 15;
    expect_field(odd, c, "phase_slices");
    auto wide = p;
    wide.phase_match_slices = 4;  // 2k + 1 = 9 > M/2 = 8
    expect_field(wide, c, "phase_match_slices");
    auto no_interval = p;
    no_interval.max_pairing_interval = 0;
    expect_field(no_interval, c, "max_pairing_interval");
    auto asymmetric = p;
    asymmetric.bob[2].intensity = 0.5;
    expect_field(asymmetric, c, "bob");

    auto absent = c;
    absent.mode_pairing.reset();
    expect_field(p, absent, "mode_pairing");
    auto missing = c;
    missing.mode_pairing->classes.pop_back();  // X vacuum-vacuum
    expect_field(p, missing, "mode_pairing.classes");
    auto too_many_errors = c;
    too_many_errors.mode_pairing->classes.back().errors = too_many_errors.mode_pairing->classes.back().pairs + 1;
    expect_field(p, too_many_errors, "mode_pairing.classes[].errors");
    auto too_many_pairs = c;
    too_many_pairs.mode_pairing->pairs = too_many_pairs.mode_pairing->heralded_rounds;
    expect_field(p, too_many_pairs, "mode_pairing.pairs");
    auto repeated = c;
    repeated.mode_pairing->classes.push_back(repeated.mode_pairing->classes.front());
    expect_field(p, repeated, "mode_pairing.classes[].alice");
    auto key_as_class = c;
    key_as_class.mode_pairing->classes.push_back({PairBasis::z, 2, 2, 1.0, 0.0});
    expect_field(p, key_as_class, "mode_pairing.classes[].basis");
    auto negative = c;
    negative.mode_pairing->classes[0].pairs = -1;
    expect_field(p, negative, "mode_pairing.classes[].pairs");
    auto unknown_setting = c;
    unknown_setting.mode_pairing->classes[0].alice = 7;
    expect_field(p, unknown_setting, "mode_pairing.classes[].alice");
    auto heralds = c;
    heralds.mode_pairing->heralded_rounds = 2e16;
    expect_field(p, heralds, "mode_pairing.heralded_rounds");
}

// docs/security.md 9.2: r_p(p, l) against a direct simulation of the pairing strategy (each round
// heralded independently with probability p; the first heralded round waits at most l rounds for
// the next one, else it is dropped and the later one waits instead).
TEST(ModePairing, PairingRateMatchesASimulationOfThePairingStrategy) {
    std::mt19937_64 rng(20260128);
    for (const auto& [p, l] : {std::pair{0.01, 50U}, std::pair{0.01, 1000U}, std::pair{0.2, 1U}, std::pair{0.001, 500U}}) {
        std::bernoulli_distribution herald(p);
        const long rounds = 20'000'000;
        long pairs = 0;
        long front = -1;
        for (long i = 0; i < rounds; ++i) {
            if (!herald(rng)) continue;
            if (front >= 0 && i - front <= static_cast<long>(l)) {
                ++pairs;
                front = -1;
            } else {
                front = i;
            }
        }
        const double expected = rounds * pairing_rate(p, l);
        // Pairs are a renewal count: its deviation is below sqrt(expected); 5 of them.
        EXPECT_NEAR(static_cast<double>(pairs), expected, 5 * std::sqrt(expected)) << p << " " << l;
    }
    // The limits: p / 2 for an unbounded interval, p^2 / (1 + p) for l = 1.
    EXPECT_NEAR(pairing_rate(0.01, 4'000'000'000U), 0.005, 1e-12);
    EXPECT_NEAR(pairing_rate(0.2, 1), 0.04 / 1.2, 1e-15);
    EXPECT_EQ(pairing_rate(0.0, 10), 0.0);
}

}  // namespace
}  // namespace tfqkd::security
