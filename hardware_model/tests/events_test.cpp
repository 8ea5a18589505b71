// The event stream (events.hpp): every event well-formed, the stream reproducible and independent
// of batching, its aggregate against the analytic model and against the aggregated sampler, its
// herald rate and ground truth against closed forms computed here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "hardware_model/channel.hpp"
#include "hardware_model/events.hpp"
#include "hardware_model/sampled.hpp"
#include "sns_example.hpp"

namespace tfqkd::hardware_model {
namespace {

using security::Count;
using security::Window;

security::ProtocolParameters protocol(std::uint64_t pulses) { return testing::example_sns_protocol(pulses); }

Link test_link() { return symmetric_link(100, 0.2, 0.8, 1e-8, 0.03, 0.1); }

bool same(const Event& a, const Event& b) {
    return a.slot == b.slot && a.alice_slice == b.alice_slice && a.bob_slice == b.bob_slice &&
           a.alice_setting == b.alice_setting && a.bob_setting == b.bob_setting && a.outcome == b.outcome &&
           a.alice_photons == b.alice_photons && a.bob_photons == b.bob_photons && a.flags == b.flags;
}

std::vector<Event> collect(const security::ProtocolParameters& p, const Link& link, std::uint64_t seed, std::size_t batch) {
    auto stream = EventStream::create(p, link, seed);
    EXPECT_TRUE(stream.ok());
    std::vector<Event> all, buffer(batch);
    while (const std::size_t n = stream->next(buffer)) all.insert(all.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_TRUE(stream->done());
    EXPECT_EQ(stream->heralds(), all.size());
    return all;
}

double z_score(double observed, double expected, double parent) {
    const double f = parent > 0 ? std::min(1.0, expected / parent) : 0.0;
    return (observed - expected) / std::sqrt(std::max(expected * (1 - f), 1.0));
}

// The per-slot herald probability from the model: a slot stays dark when neither detector clicks,
// (1 - p_d)^2 exp(-(eta_A mu_i + eta_B mu_j)) whatever the phases.
double model_herald_probability(const security::ProtocolParameters& p, const Link& link) {
    const double q = 1 - link.dark_count_probability;
    double h = 0;
    for (const auto& a : p.alice)
        for (const auto& b : p.bob)
            h += a.probability * b.probability *
                 (1 - q * q * std::exp(-link.eta_alice() * a.intensity - link.eta_bob() * b.intensity));
    return h;
}

struct Violations {
    int order = 0, range = 0, slices = 0, photons = 0, flags = 0;
};

// One session of 5e8 slots (about 4e6 heralds) checked event by event, then aggregated.
class EventStreamSession : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        const auto p = protocol(kPulses);
        auto stream = EventStream::create(p, test_link(), 2026);
        ASSERT_TRUE(stream.ok());
        auto aggregator = EventAggregator::create(p, test_link());
        ASSERT_TRUE(aggregator.ok());
        std::vector<Event> buffer(4096);
        std::uint64_t previous = 0;
        bool first = true;
        while (const std::size_t n = stream->next(buffer)) {
            for (std::size_t i = 0; i < n; ++i) {
                const Event& e = buffer[i];
                if (!first && e.slot <= previous) ++violations_.order;
                if (e.slot >= kPulses) ++violations_.range;
                first = false;
                previous = e.slot;
                const auto& sa = p.alice.at(e.alice_setting);
                const auto& sb = p.bob.at(e.bob_setting);
                const bool slices_ok = (sa.window == Window::x ? e.alice_slice < p.phase_slices : e.alice_slice == kNoSlice) &&
                                       (sb.window == Window::x ? e.bob_slice < p.phase_slices : e.bob_slice == kNoSlice);
                if (!slices_ok) ++violations_.slices;
                const bool two_sided = sa.intensity > 0 && sb.intensity > 0;
                const bool photons_ok = two_sided ? e.alice_photons == kUnknownPhotons && e.bob_photons == kUnknownPhotons
                                                  : (sa.intensity > 0 || e.alice_photons == 0) && (sb.intensity > 0 || e.bob_photons == 0);
                if (!photons_ok) ++violations_.photons;
                const bool untagged_class = (e.alice_setting == 0 && e.bob_setting == 1) || (e.alice_setting == 1 && e.bob_setting == 0);
                const bool should_be_untagged = untagged_class && e.effective() && std::max(e.alice_photons, e.bob_photons) == 1;
                if (e.untagged() != should_be_untagged || (e.phase_error() && !e.untagged())) ++violations_.flags;
            }
            aggregator->add(std::span<const Event>(buffer.data(), n));
        }
        heralds_ = stream->heralds();
        herald_probability_ = stream->herald_probability();
        run_ = new SampledRun(aggregator->finish(stream->unheralded()));
    }
    static void TearDownTestSuite() {
        delete run_;
        run_ = nullptr;
    }

    static constexpr std::uint64_t kPulses = 500'000'000ULL;
    static inline Violations violations_{};
    static inline std::uint64_t heralds_ = 0;
    static inline double herald_probability_ = 0;
    static inline SampledRun* run_ = nullptr;
};

TEST_F(EventStreamSession, EveryEventIsWellFormed) {
    EXPECT_EQ(violations_.order, 0) << "slot indices must strictly increase";
    EXPECT_EQ(violations_.range, 0) << "slot indices must stay below N";
    EXPECT_EQ(violations_.slices, 0) << "X windows carry a slice in [0, M), Z windows none";
    EXPECT_EQ(violations_.photons, 0) << "photon numbers: 0 for vacuum, unknown when both sent light";
    EXPECT_EQ(violations_.flags, 0) << "untagged exactly for effective one-photon heralds of one-sided Z windows";
}

TEST_F(EventStreamSession, HeraldRateMatchesTheModel) {
    const auto p = protocol(kPulses);
    const double h = model_herald_probability(p, test_link());
    EXPECT_NEAR(herald_probability_, h, 1e-12 * h);
    EXPECT_LT(std::fabs(z_score(static_cast<double>(heralds_), kPulses * h, kPulses)), 5);
}

TEST_F(EventStreamSession, AggregateAgreesWithTheAnalyticModel) {
    ASSERT_NE(run_, nullptr);
    const auto p = protocol(kPulses);
    const auto e = expected_statistics(p, test_link());
    ASSERT_TRUE(e.ok());
    const auto& s = run_->statistics;
    ASSERT_EQ(s.classes.size(), e->classes.size());
    double total = 0;
    for (std::size_t c = 0; c < s.classes.size(); ++c) {
        const auto& x = s.classes[c];
        const auto& y = e->classes[c];
        EXPECT_EQ(x.alice, y.alice);
        EXPECT_EQ(x.bob, y.bob);
        EXPECT_LT(std::fabs(z_score(x.sent, y.sent, kPulses)), 5) << c;
        EXPECT_LT(std::fabs(z_score(x.left, y.left, y.sent)), 5) << c;
        EXPECT_LT(std::fabs(z_score(x.right, y.right, y.sent)), 5) << c;
        EXPECT_LT(std::fabs(z_score(x.both, y.both, y.sent)), 5) << c;
        total += x.sent;
    }
    EXPECT_LE(total, static_cast<double>(kPulses));
    EXPECT_LT(std::fabs(z_score(s.phase_matched.windows, e->phase_matched.windows, kPulses)), 5);
    EXPECT_LT(std::fabs(z_score(s.phase_matched.effective, e->phase_matched.effective, e->phase_matched.windows)), 5);
    EXPECT_LT(std::fabs(z_score(s.phase_matched.errors, e->phase_matched.errors, e->phase_matched.windows)), 5);
    EXPECT_LT(std::fabs(z_score(s.key.effective, e->key.effective, kPulses)), 5);
    EXPECT_LT(std::fabs(z_score(s.key.errors, e->key.errors, kPulses)), 5);
    EXPECT_TRUE(security::validate(s, p).ok());
}

TEST_F(EventStreamSession, GroundTruthAgreesWithTheModel) {
    ASSERT_NE(run_, nullptr);
    const auto p = protocol(kPulses);
    const Link link = test_link();
    const TrueYields y = true_yields(link);
    const auto& t = run_->truth;
    const double windows = static_cast<double>(kPulses) * p.alice[0].probability * p.bob[1].probability;
    const double mu = 0.4;
    EXPECT_LT(std::fabs(z_score(t.untagged_alice, windows * mu * std::exp(-mu) * y.s1_alice, windows)), 5);
    EXPECT_LT(std::fabs(z_score(t.untagged_bob, windows * mu * std::exp(-mu) * y.s1_bob, windows)), 5);
    // e_ph of docs/hardware-model.md 3.3, written out for this symmetric link.
    const double eta = link.eta_alice(), pd = link.dark_count_probability, q = 1 - pd;
    const double wrong = (eta - (1 - 2 * link.misalignment) * eta * std::exp(-0.1 * 0.1 / 2)) / 2;
    const double e_ph = (q * wrong + (1 - eta) * pd * q) / (q * eta + (1 - eta) * 2 * pd * q);
    EXPECT_LT(std::fabs(z_score(t.phase_errors, t.untagged() * e_ph, t.untagged())), 5);
    // Heralds by photon number in the (mu_1, vacuum) X class: windows P_n s_n.
    const auto* comp = t.find(3, 2);
    ASSERT_NE(comp, nullptr);
    const double w = static_cast<double>(kPulses) * p.alice[3].probability * p.bob[2].probability;
    const double mu1 = 0.1;
    for (int k = 0; k < 3; ++k) {
        const double pk = std::exp(-mu1) * std::pow(mu1, k) / std::tgamma(k + 1.0);
        const double sk = 2 * q * (std::pow(1 - eta / 2, k) - q * std::pow(1 - eta, k));
        EXPECT_LT(std::fabs(z_score(comp->heralds[static_cast<std::size_t>(k)], w * pk * sk, w)), 5) << k;
    }
}

TEST_F(EventStreamSession, AggregateAgreesWithTheAggregatedSampler) {
    ASSERT_NE(run_, nullptr);
    const auto sampled = sample_statistics(protocol(kPulses), test_link(), 77);
    ASSERT_TRUE(sampled.ok());
    const auto& a = run_->statistics;
    const auto& b = sampled->statistics;
    // Two independent draws of the same distribution: the difference has twice the variance.
    const auto z2 = [](double x, double y) { return std::fabs(x - y) / std::sqrt(std::max(x + y, 1.0)); };
    ASSERT_EQ(a.classes.size(), b.classes.size());
    for (std::size_t c = 0; c < a.classes.size(); ++c) {
        EXPECT_LT(z2(a.classes[c].sent, b.classes[c].sent), 5) << c;
        EXPECT_LT(z2(a.classes[c].left, b.classes[c].left), 5) << c;
        EXPECT_LT(z2(a.classes[c].right, b.classes[c].right), 5) << c;
        EXPECT_LT(z2(a.classes[c].both, b.classes[c].both), 5) << c;
    }
    EXPECT_LT(z2(a.phase_matched.windows, b.phase_matched.windows), 5);
    EXPECT_LT(z2(a.phase_matched.effective, b.phase_matched.effective), 5);
    EXPECT_LT(z2(a.phase_matched.errors, b.phase_matched.errors), 5);
    EXPECT_LT(z2(a.key.effective, b.key.effective), 5);
    EXPECT_LT(z2(a.key.errors, b.key.errors), 5);
    EXPECT_LT(z2(run_->truth.untagged(), sampled->truth.untagged()), 5);
    EXPECT_LT(z2(run_->truth.phase_errors, sampled->truth.phase_errors), 5);
    ASSERT_EQ(run_->truth.one_sided.size(), sampled->truth.one_sided.size());
    for (std::size_t c = 0; c < run_->truth.one_sided.size(); ++c) {
        EXPECT_EQ(run_->truth.one_sided[c].alice, sampled->truth.one_sided[c].alice);
        EXPECT_EQ(run_->truth.one_sided[c].bob, sampled->truth.one_sided[c].bob);
        for (std::size_t n = 0; n < kPhotonGroups; ++n)
            EXPECT_LT(z2(run_->truth.one_sided[c].heralds[n], sampled->truth.one_sided[c].heralds[n]), 5) << c << " " << n;
    }
}

TEST(EventStream, ReproducibleBySeedAndIndependentOfBatching) {
    const auto p = protocol(20'000'000ULL);
    const auto a = collect(p, test_link(), 5, 4096);
    const auto b = collect(p, test_link(), 5, 7);
    const auto c = collect(p, test_link(), 6, 4096);
    ASSERT_GT(a.size(), 1000u);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) ASSERT_TRUE(same(a[i], b[i])) << i;
    std::size_t equal_slots = 0;
    for (std::size_t i = 0; i < std::min(a.size(), c.size()); ++i) equal_slots += a[i].slot == c[i].slot;
    EXPECT_LT(equal_slots, a.size() / 100) << "different seeds must give different streams";
}

// A lossless link without dark counts and misalignment: X1-X1 pulses in slices that match exactly
// interfere perfectly up to the phase spread inside the slice, so with M = 64 nearly every
// matched-at-zero herald is at the left detector, and nearly every one matched at pi at the right.
TEST(EventStream, InterferenceFollowsThePhaseSlices) {
    auto p = protocol(2'000'000ULL);
    p.phase_slices = 64;
    Link link;
    auto stream = EventStream::create(p, link, 9);
    ASSERT_TRUE(stream.ok());
    std::vector<Event> buffer(1024);
    std::uint64_t matched = 0, wrong = 0, opposite = 0, opposite_wrong = 0;
    while (const std::size_t n = stream->next(buffer)) {
        for (std::size_t i = 0; i < n; ++i) {
            const Event& e = buffer[i];
            if (e.alice_setting != 3 || e.bob_setting != 3 || e.outcome == Outcome::both) continue;
            if (e.alice_slice == e.bob_slice) {
                ++matched;
                wrong += e.outcome == Outcome::right;
            }
            if ((e.alice_slice + 32) % 64 == e.bob_slice) {
                ++opposite;
                opposite_wrong += e.outcome == Outcome::left;
            }
        }
    }
    ASSERT_GT(matched, 50u);
    ASSERT_GT(opposite, 50u);
    // The error rate of a slice-matched pair is E[sin^2(delta/2)] with delta triangular on
    // (-w, w), w = 2 pi / 64: w^2 / 24 = 4e-4 for weak pulses; 1 % bounds it with room.
    EXPECT_LT(static_cast<double>(wrong) / static_cast<double>(matched), 0.01);
    EXPECT_LT(static_cast<double>(opposite_wrong) / static_cast<double>(opposite), 0.01);
}

TEST(EventStream, EmptyAndTinySessions) {
    auto p = protocol(1);
    const auto one = collect(p, test_link(), 1, 16);
    EXPECT_LE(one.size(), 1u);
    for (const auto& e : one) EXPECT_EQ(e.slot, 0u);
    // Every slot heralds on a lossless link with dark-count probability near 1.
    Link bright;
    bright.dark_count_probability = 1 - 1e-12;
    p = protocol(1000);
    const auto all = collect(p, bright, 2, 64);
    ASSERT_EQ(all.size(), 1000u);
    for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].slot, i);
}

// The 3-intensity protocol (no X mu_2): the aggregate lists the one-sided Z classes after the X-X
// ones, like expected_statistics and sample_statistics, and agrees with both.
TEST(EventStream, ThreeIntensityAggregateAgreesWithTheModelAndTheSampler) {
    constexpr std::uint64_t n = 100'000'000ULL;
    auto p = protocol(n);
    p.alice.pop_back();
    p.alice[2].probability = 0.18;  // X vacuum 0.18, X mu_1 0.12
    p.bob = p.alice;
    const auto run = simulate_event_statistics(p, test_link(), 31);
    ASSERT_TRUE(run.ok()) << run.error().to_string();
    const auto e = expected_statistics(p, test_link());
    const auto sampled = sample_statistics(p, test_link(), 31);
    ASSERT_TRUE(e.ok() && sampled.ok());
    const auto& s = run->statistics;
    ASSERT_EQ(s.classes.size(), 6u);
    ASSERT_EQ(e->classes.size(), 6u);
    const auto z2 = [](double x, double y) { return std::fabs(x - y) / std::sqrt(std::max(x + y, 1.0)); };
    for (std::size_t c = 0; c < s.classes.size(); ++c) {
        const auto& x = s.classes[c];
        const auto& y = e->classes[c];
        const auto& w = sampled->statistics.classes[c];
        ASSERT_EQ(x.alice, y.alice) << c;
        ASSERT_EQ(x.bob, y.bob) << c;
        EXPECT_LT(std::fabs(z_score(x.sent, y.sent, static_cast<double>(n))), 5) << c;
        EXPECT_LT(std::fabs(z_score(x.left, y.left, y.sent)), 5) << c;
        EXPECT_LT(std::fabs(z_score(x.right, y.right, y.sent)), 5) << c;
        EXPECT_LT(std::fabs(z_score(x.both, y.both, y.sent)), 5) << c;
        EXPECT_LT(z2(x.effective(), w.effective()), 5) << c;
    }
    EXPECT_EQ(std::make_pair(s.classes[4].alice, s.classes[4].bob), std::make_pair(std::size_t{0}, std::size_t{1}));
    EXPECT_EQ(std::make_pair(s.classes[5].alice, s.classes[5].bob), std::make_pair(std::size_t{1}, std::size_t{0}));
    EXPECT_LT(std::fabs(z_score(s.key.effective, e->key.effective, static_cast<double>(n))), 5);
    EXPECT_LT(z2(run->truth.untagged(), sampled->truth.untagged()), 5);
    EXPECT_TRUE(security::validate(s, p).ok());
}

TEST(EventStream, AggregatorRefusesAopp) {
    auto p = protocol(1000);
    p.aopp = true;
    EXPECT_TRUE(EventStream::create(p, test_link(), 1).ok());  // the events do not depend on it
    EXPECT_EQ(EventAggregator::create(p, test_link()).error().field, "aopp");
    EXPECT_EQ(simulate_event_statistics(p, test_link(), 1).error().field, "aopp");
}

TEST(EventStream, RefusesInvalidInput) {
    auto p = protocol(1000);
    p.phase_match_slices = 4;
    EXPECT_FALSE(EventStream::create(p, test_link(), 1).ok());
    Link bad = test_link();
    bad.dark_count_probability = 1.0;
    EXPECT_EQ(EventStream::create(protocol(1000), bad, 1).error().field, "dark_count_probability");
}

}  // namespace
}  // namespace tfqkd::hardware_model
