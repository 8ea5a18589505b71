// PM-QKD key length (docs/security.md 7) from count statistics built here from known photon-number
// yields, so that the truth is known: the decoy bound below the true single-photon yield, the
// phase-error bound above the true phase errors, finite <= asymptotic, monotonicity in the errors,
// the containment of a 1000-bit evaluation, and errors that name the field.
#include "containment.hpp"
#include "security/pm.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace tfqkd::security {
namespace {

constexpr double kPKey = 0.8;
constexpr double kKept = 2.0 / 16;  // M = 16, exact matches around 0 and pi

// Symmetric PM: key mu/2 = 0.05 (mu = 0.1), test vacuum, nu_1/2 = 0.02, nu_2/2 = 0.1.
ProtocolParameters protocol(std::uint64_t pulses) {
    ProtocolParameters p;
    p.family = Family::pm;
    p.alice = {{Window::z, 0.05, kPKey},
               {Window::x, 0.0, 0.2 * 0.4},
               {Window::x, 0.02, 0.2 * 0.3},
               {Window::x, 0.1, 0.2 * 0.3}};
    p.bob = p.alice;
    p.pulses = pulses;
    return p;
}

// Exactly one click from n photons in the matched mode, each detected with probability eta, with
// dark counts pd per detector.
double yield(unsigned n, double eta, double pd) {
    const double miss = std::pow(1 - eta, n);
    return (1 - miss) * (1 - pd) + miss * 2 * pd * (1 - pd);
}

// Q_nu = sum_k P_k(nu) y_k and the error rate sum_k P_k(nu) y_k e_k with e_0 = 1/2, e_k = e (k >= 1).
struct Rates {
    double gain = 0;
    double errors = 0;
};
Rates rates(double nu, double eta, double pd, double e) {
    Rates r;
    double w = std::exp(-nu);
    for (unsigned n = 0; n < 80; ++n) {
        const double y = yield(n, eta, pd);
        r.gain += w * y;
        r.errors += w * y * (n == 0 ? 0.5 : e);
        w *= nu / (n + 1);
    }
    return r;
}

// Expected statistics of the matched test classes and the key, e the single- (and multi-) photon
// error probability in test windows, e_z the key's bit-error rate.
CountStatistics statistics(const ProtocolParameters& p, double eta, double pd, double e, double e_z) {
    CountStatistics c;
    const double n = static_cast<double>(p.pulses);
    for (std::size_t i : {1U, 2U, 3U}) {
        const double windows = n * p.alice[i].probability * p.bob[i].probability * kKept;
        const Rates r = rates(2 * p.alice[i].intensity, eta, pd, e);
        c.matched.push_back({i, i, windows, windows * r.gain, windows * r.errors});
    }
    const double w = n * kPKey * kPKey * kKept;
    const double n_key = w * rates(0.1, eta, pd, e).gain;
    c.key = {n_key, n_key * e_z, std::nullopt, w};
    return c;
}

SecurityParameters security() { return {}; }

KeyLength expect_contains_1000_bit_evaluation(const ProtocolParameters& p, const CountStatistics& c,
                                              Analysis analysis = Analysis::finite) {
    return testing::expect_contains_1000_bit_evaluation([&] { return pm_key_length(p, security(), c, {analysis, 1.1}); });
}

TEST(Pm, IntervalContainsThe1000BitEvaluationAndIsNarrowerThanAMicrobit) {
    for (double eta : {1e-2, 1e-3, 1e-4}) {
        const auto p = protocol(100'000'000'000'000);
        const auto c = statistics(p, eta, 1e-8, 0.02, 0.02);
        const KeyLength fin = expect_contains_1000_bit_evaluation(p, c, Analysis::finite);
        EXPECT_GT(fin.bits, 0U) << eta;
        const KeyLength asym = expect_contains_1000_bit_evaluation(p, c, Analysis::asymptotic);
        EXPECT_GT(asym.bits, 0U) << eta;
    }
}

TEST(Pm, DecoyBoundStaysBelowTheTrueSinglePhotonYieldAndPhaseErrorsAboveTheTruth) {
    for (double eta : {1e-2, 1e-3, 1e-4}) {
        const auto p = protocol(10'000'000'000'000);
        const double e = 0.02;
        const auto c = statistics(p, eta, 1e-8, e, 0.02);
        auto asym = pm_key_length(p, security(), c, {Analysis::asymptotic, 1.1});
        ASSERT_TRUE(asym.ok()) << asym.error().to_string();
        const double truth = yield(1, eta, 1e-8);
        EXPECT_LE(hi(asym->breakdown.s1_lower), truth) << eta;
        EXPECT_GT(lo(asym->breakdown.s1_lower), 0.8 * truth) << "within 20 % at these decoys";
        // The true expected single-photon detections and their phase errors, and the bound's
        // conservative count: every other detection is a phase error.
        const double one_photon = c.key.windows * 0.1 * std::exp(-0.1);
        const double n1 = one_photon * truth;
        EXPECT_LE(hi(asym->breakdown.untagged_lower), n1 * (1 + 1e-12));
        EXPECT_GE(lo(asym->breakdown.phase_errors_upper), c.key.effective - n1 + one_photon * truth * e);
        // Y_0 of the vacuum class is the two-detector dark-count rate.
        EXPECT_NEAR(mid(asym->breakdown.s0_lower), 2e-8 * (1 - 1e-8), 1e-20);
        auto fin = pm_key_length(p, security(), c, {Analysis::finite, 1.1});
        ASSERT_TRUE(fin.ok()) << fin.error().to_string();
        EXPECT_LE(hi(fin->breakdown.s1_lower), hi(asym->breakdown.s1_lower));
        EXPECT_GE(lo(fin->breakdown.phase_error_rate_upper), lo(asym->breakdown.phase_error_rate_upper));
    }
}

TEST(Pm, AsymptoticLengthIsTheDocumentedFormula) {
    // docs/security.md 7, evaluated here independently in double precision.
    const auto p = protocol(10'000'000'000'000);
    const double eta = 1e-3, pd = 1e-8, e = 0.02, e_z = 0.03, f = 1.1;
    const auto c = statistics(p, eta, pd, e, e_z);
    const double nu1 = 0.04, nu2 = 0.2, mu = 0.1;
    const auto q = [&](std::size_t i) { return c.matched[i].effective / c.matched[i].windows; };
    const double y0 = q(0);
    const double y1 = (nu2 * nu2 * std::exp(nu1) * q(1) - nu1 * nu1 * std::exp(nu2) * q(2) - (nu2 * nu2 - nu1 * nu1) * y0) /
                      (nu1 * nu2 * (nu2 - nu1));
    const double y1e1 = (c.matched[1].errors / c.matched[1].windows * std::exp(nu1) - y0 / 2) / nu1;
    const double w1 = c.key.windows * mu * std::exp(-mu);
    const double ex = std::min(0.5, (c.key.effective - w1 * y1 + w1 * y1e1) / c.key.effective);
    const auto h = [](double x) { return -x * std::log2(x) - (1 - x) * std::log2(1 - x); };
    const double expected = c.key.effective * (1 - h(ex)) - f * c.key.effective * h(e_z);
    auto k = pm_key_length(p, security(), c, {Analysis::asymptotic, f});
    ASSERT_TRUE(k.ok()) << k.error().to_string();
    EXPECT_NEAR(mid(k->length), expected, 1e-9 * std::abs(expected));
    EXPECT_GT(expected, 0);
    EXPECT_EQ(k->breakdown.estimates, 0U);
}

TEST(Pm, FiniteKeyIsShorterThanAsymptoticAndGrowsWithN) {
    double previous_rate = 0;
    for (std::uint64_t n : {1'000'000'000'000ULL, 10'000'000'000'000ULL, 1'000'000'000'000'000ULL}) {
        const auto p = protocol(n);
        const auto c = statistics(p, 1e-3, 1e-8, 0.02, 0.02);
        auto fin = pm_key_length(p, security(), c, {Analysis::finite, 1.1});
        auto asym = pm_key_length(p, security(), c, {Analysis::asymptotic, 1.1});
        ASSERT_TRUE(fin.ok() && asym.ok());
        EXPECT_LE(fin->bits, asym->bits);
        EXPECT_EQ(fin->breakdown.estimates, 7U);
        EXPECT_GT(fin->breakdown.eps_total, 0);
        EXPECT_LE(fin->breakdown.eps_total, security().eps_total);
        const double r = lo(fin->rate_per_pulse);
        EXPECT_GE(r, previous_rate) << n;
        previous_rate = r;
    }
    EXPECT_GT(previous_rate, 0);
}

TEST(Pm, MoreErrorsNeverLengthenTheKey) {
    const auto p = protocol(10'000'000'000'000);
    for (Analysis a : {Analysis::asymptotic, Analysis::finite}) {
        double previous = INFINITY;
        for (double e_z : {0.0, 0.01, 0.03, 0.06, 0.1}) {
            auto k = pm_key_length(p, security(), statistics(p, 1e-3, 1e-8, 0.02, e_z), {a, 1.1});
            ASSERT_TRUE(k.ok());
            EXPECT_LE(hi(k->length), previous) << e_z;
            previous = hi(k->length);
        }
        previous = INFINITY;
        for (double e : {0.0, 0.01, 0.03, 0.06, 0.1}) {
            auto k = pm_key_length(p, security(), statistics(p, 1e-3, 1e-8, e, 0.02), {a, 1.1});
            ASSERT_TRUE(k.ok());
            EXPECT_LE(hi(k->length), previous) << e;
            previous = hi(k->length);
        }
        // Errors in the test classes raise the phase-error bound; a measured leakage counts as given.
        auto c = statistics(p, 1e-3, 1e-8, 0.02, 0.02);
        auto base = pm_key_length(p, security(), c, {a, 1.1});
        c.key.ec_leakage_bits = 2 * hi(base->breakdown.ec_leakage);
        auto leaky = pm_key_length(p, security(), c, {a, 1.1});
        ASSERT_TRUE(base.ok() && leaky.ok());
        EXPECT_LT(hi(leaky->length), lo(base->length));
    }
}

TEST(Pm, ZeroKeySaysWhy) {
    const auto p = protocol(1'000'000'000);
    auto k = pm_key_length(p, security(), statistics(p, 1e-5, 1e-6, 0.02, 0.02), {Analysis::finite, 1.1});
    ASSERT_TRUE(k.ok()) << k.error().to_string();
    EXPECT_EQ(k->bits, 0U);
    EXPECT_FALSE(k->zero_reason.empty());
    auto c = statistics(protocol(10'000'000'000'000), 1e-3, 1e-8, 0.5, 0.02);
    auto noisy = pm_key_length(protocol(10'000'000'000'000), security(), c, {Analysis::asymptotic, 1.1});
    ASSERT_TRUE(noisy.ok());
    EXPECT_EQ(noisy->bits, 0U);
    EXPECT_NE(noisy->zero_reason.find("1/2"), std::string::npos) << noisy->zero_reason;
}

// The error's field, as Error::to_string prints it.
std::string field_of(const Error& e) { return std::string(e.field); }

TEST(Pm, RejectsWhatItDoesNotCertifyWithTheField) {
    const auto p = protocol(10'000'000'000'000);
    const auto good = statistics(p, 1e-3, 1e-8, 0.02, 0.02);
    const auto expect_field = [&](const ProtocolParameters& q, const CountStatistics& c, const std::string& field) {
        auto k = pm_key_length(q, security(), c, {});
        ASSERT_FALSE(k.ok()) << field;
        EXPECT_EQ(field_of(k.error()), field) << k.error().to_string();
        EXPECT_FALSE(pm_key_length_estimate(q, security(), c, {}).ok()) << field;
    };
    {
        auto c = good;
        c.matched.erase(c.matched.begin() + 2);  // nu_2 - nu_2
        expect_field(p, c, "matched");
    }
    {
        auto c = good;
        c.key.windows = 0;
        expect_field(p, c, "key.windows");
    }
    {
        auto c = good;
        c.matched[1].errors = c.matched[1].effective + 1;
        expect_field(p, c, "matched[].errors");
    }
    {
        auto c = good;
        c.matched[1].effective = c.matched[1].windows + 1;
        expect_field(p, c, "matched[].effective");
    }
    {
        auto c = good;
        c.matched[0].alice = 9;
        expect_field(p, c, "matched[].alice");
    }
    {
        auto c = good;
        c.matched.push_back(c.matched[0]);
        expect_field(p, c, "matched[].alice");
    }
    {
        auto c = good;
        c.key.effective = c.key.windows + 1;
        expect_field(p, c, "key.effective");
    }
    {
        auto q = p;
        q.bob[2].intensity = 0.03;
        expect_field(q, good, "bob");
    }
    {
        auto q = p;
        q.alice[0].window = Window::x;  // no key setting
        q.bob = q.alice;
        expect_field(q, good, "alice[].window");
    }
    {
        auto q = p;
        q.alice[3].intensity = 0.02;  // two decoys of the same intensity
        q.bob = q.alice;
        expect_field(q, good, "alice[].intensity");
    }
    {
        auto q = p;
        q.family = Family::sns;
        auto k = pm_key_length(q, security(), good, {});
        ASSERT_FALSE(k.ok());
        EXPECT_NE(k.error().to_string().find("alice"), std::string::npos) << "SNS roles are missing";
    }
}

}  // namespace
}  // namespace tfqkd::security
