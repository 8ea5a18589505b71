// The herald stream driven by the parties' choices (heralds.hpp): heralds well-formed, the stream
// reproducible and independent of batching, and its aggregate, rebuilt here from the heralds and the
// parties' own choices (as a protocol session would), against the analytic model (expected_statistics)
// for SNS (3- and 4-intensity), PM and CAL19; the window tally against N p_i p_j and the
// slice-match fraction; the detector convention of phase-matched windows around 0 and around pi.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "hardware_model/channel.hpp"
#include "hardware_model/heralds.hpp"
#include "hardware_model/sampled.hpp"
#include "security/choices.hpp"
#include "sns_example.hpp"

namespace tfqkd::hardware_model {
namespace {

using security::ChoiceSource;
using security::Party;
using security::ProtocolParameters;
using security::Window;

// (observed - expected) / sd for a count that is a sum over N independent slots of an indicator:
// Binomial(N, expected / N).
double z_score(double observed, double expected, double pulses) {
    const double f = std::min(1.0, expected / pulses);
    return (observed - expected) / std::sqrt(std::max(expected * (1 - f), 1.0));
}

#define EXPECT_WITHIN_5_SIGMA(observed, expected, pulses, what)                                   \
    EXPECT_LT(std::abs(z_score(static_cast<double>(observed), (expected), (pulses))), 5.0)          \
        << (what) << ": observed " << (observed) << ", expected " << (expected)

struct Block {
    std::vector<Herald> heralds;
    WindowTally tally;
    std::uint64_t candidates = 0;
};

Block run(const ProtocolParameters& p, const Link& link, std::uint64_t seed, std::size_t batch,
          std::uint64_t alice_seed = 11, std::uint64_t bob_seed = 22) {
    auto a = ChoiceSource::create(p, Party::alice, alice_seed);
    auto b = ChoiceSource::create(p, Party::bob, bob_seed);
    EXPECT_TRUE(a.ok() && b.ok());
    auto stream = HeraldStream::create(p, link, *a, *b, seed);
    EXPECT_TRUE(stream.ok()) << (stream.ok() ? "" : std::string(stream.error().field));
    Block out;
    std::vector<Herald> buffer(batch);
    while (const std::size_t n = stream->next(buffer))
        out.heralds.insert(out.heralds.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_TRUE(stream->done());
    EXPECT_EQ(stream->next(buffer), 0U);
    EXPECT_EQ(stream->heralds(), out.heralds.size());
    out.tally = stream->tally();
    out.candidates = stream->candidates();
    return out;
}

// Counts per class, rebuilt from the heralds and the parties' choices.
struct Aggregate {
    std::vector<std::array<std::uint64_t, 3>> outcomes;  // left, right, both per class
    // Per class, slice-matched heralds: effective ones, and errors (the detector that the matched
    // phase makes dark: right around 0, left around pi, a key bit flip swapping them).
    std::vector<std::uint64_t> matched_effective, matched_errors;
    std::vector<std::uint64_t> errors_zero, errors_pi, effective_zero, effective_pi;  // by band
    std::vector<std::uint64_t> locked_errors;  // both phase-locked: the detector opposite to bitA ^ bitB
};

Aggregate aggregate(const ProtocolParameters& p, const Block& block, std::uint64_t alice_seed = 11,
                    std::uint64_t bob_seed = 22) {
    const auto a = ChoiceSource::create(p, Party::alice, alice_seed);
    const auto b = ChoiceSource::create(p, Party::bob, bob_seed);
    const std::size_t n = p.alice.size() * p.bob.size();
    Aggregate g;
    g.outcomes.assign(n, {});
    for (auto* v : {&g.matched_effective, &g.matched_errors, &g.errors_zero, &g.errors_pi, &g.effective_zero,
                    &g.effective_pi, &g.locked_errors})
        v->assign(n, 0);
    for (const Herald& h : block.heralds) {
        const security::SlotChoice ca = a->at(h.slot);
        const security::SlotChoice cb = b->at(h.slot);
        const std::size_t idx = ca.setting * p.bob.size() + cb.setting;
        ++g.outcomes[idx][static_cast<std::size_t>(h.outcome)];
        if (h.outcome == Outcome::both) continue;
        const bool flipped = ((ca.bit ^ cb.bit) & 1U) != 0;  // a key bit difference shifts the phase by pi
        const bool randomised = a->phase_randomised(ca.setting) && b->phase_randomised(cb.setting);
        if (!randomised) {
            // Phase-locked pulses (CAL19's key mode): at relative phase pi (bits) the light goes right.
            if ((h.outcome == Outcome::right) != flipped) ++g.locked_errors[idx];
            continue;
        }
        const SliceMatch m = match_slices(ca.slice, cb.slice, p.phase_slices, p.phase_match_slices);
        if (!m.any()) continue;
        ++g.matched_effective[idx];
        // Around 0 the left detector is right, around pi the right one; a bit flip swaps them.
        const bool right_correct = m.pi != flipped;
        const bool error = (h.outcome == Outcome::right) != right_correct;
        if (error) ++g.matched_errors[idx];
        if (m.zero) {
            ++g.effective_zero[idx];
            if (error) ++g.errors_zero[idx];
        } else {
            ++g.effective_pi[idx];
            if (error) ++g.errors_pi[idx];
        }
    }
    return g;
}

double model_herald_probability(const ProtocolParameters& p, const Link& link) {
    const double q = 1 - link.dark_count_probability;
    double h = 0;
    for (const auto& a : p.alice)
        for (const auto& b : p.bob)
            h += a.probability * b.probability *
                 (1 - q * q * std::exp(-link.eta_alice() * a.intensity - link.eta_bob() * b.intensity));
    return h;
}

// The slice-match fraction, counted here by brute force over both slices.
double match_fraction(std::uint32_t m, std::uint32_t k) {
    std::uint64_t kept = 0;
    for (std::uint32_t x = 0; x < m; ++x)
        for (std::uint32_t y = 0; y < m; ++y) {
            const std::uint32_t d = (x + m - y) % m;
            const bool zero = d <= k || m - d <= k;
            const bool pi = m % 2 == 0 && (d + k >= m / 2 && d <= m / 2 + k);
            kept += (zero || pi) ? 1 : 0;
        }
    return static_cast<double>(kept) / (static_cast<double>(m) * m);
}

ProtocolParameters sns4(std::uint64_t pulses) { return testing::example_sns_protocol(pulses); }

ProtocolParameters sns3(std::uint64_t pulses) {
    ProtocolParameters p;
    p.alice = {{Window::z, 0.4, 0.035}, {Window::z, 0.0, 0.665}, {Window::x, 0.0, 0.15}, {Window::x, 0.1, 0.15}};
    p.bob = p.alice;
    p.pulses = pulses;
    return p;
}

ProtocolParameters pm(std::uint64_t pulses) {
    ProtocolParameters p;
    p.family = security::Family::pm;
    p.alice = {{Window::z, 0.05, 0.7}, {Window::x, 0.0, 0.1}, {Window::x, 0.05, 0.1}, {Window::x, 0.2, 0.1}};
    p.bob = p.alice;
    p.phase_slices = 16;
    p.phase_match_slices = 1;
    p.pulses = pulses;
    return p;
}

ProtocolParameters cal19(std::uint64_t pulses) {
    ProtocolParameters p;
    p.family = security::Family::cal19;
    p.alice = {{Window::z, 0.02, 0.7}, {Window::x, 0.0, 0.1}, {Window::x, 0.1, 0.1}, {Window::x, 0.5, 0.1}};
    p.bob = p.alice;
    p.pulses = pulses;
    return p;
}

Link short_link() { return symmetric_link(50, 0.2, 0.8, 1e-8, 0.03, 0.1); }

// Every announced class and the tally against the model; the common part of the family tests.
void check_tally(const ProtocolParameters& p, const Block& block) {
    const double n = static_cast<double>(p.pulses);
    const double f = match_fraction(p.phase_slices, p.phase_match_slices);
    const auto a = ChoiceSource::create(p, Party::alice, 1);
    const auto b = ChoiceSource::create(p, Party::bob, 1);
    std::uint64_t total = 0;
    ASSERT_EQ(block.tally.bob_settings, p.bob.size());
    ASSERT_EQ(block.tally.windows.size(), p.alice.size() * p.bob.size());
    for (std::size_t i = 0; i < p.alice.size(); ++i)
        for (std::size_t j = 0; j < p.bob.size(); ++j) {
            const std::size_t idx = block.tally.index(i, j);
            const double w = n * p.alice[i].probability * p.bob[j].probability;
            total += block.tally.windows[idx];
            EXPECT_WITHIN_5_SIGMA(block.tally.windows[idx], w, n, "windows " + std::to_string(idx));
            const bool randomised = a->phase_randomised(static_cast<std::uint8_t>(i)) &&
                                    b->phase_randomised(static_cast<std::uint8_t>(j));
            EXPECT_LE(block.tally.matched[idx], block.tally.windows[idx]);
            if (randomised)
                EXPECT_WITHIN_5_SIGMA(block.tally.matched[idx], w * f, n, "matched " + std::to_string(idx));
            else
                EXPECT_EQ(block.tally.matched[idx], 0U);
        }
    EXPECT_EQ(total, p.pulses);
}

void check_class(const security::ClassCounts& expected, const Block& block, const Aggregate& g, double n) {
    const std::size_t idx = block.tally.index(expected.alice, expected.bob);
    const std::string what = "class " + std::to_string(expected.alice) + "-" + std::to_string(expected.bob);
    EXPECT_WITHIN_5_SIGMA(block.tally.windows[idx], expected.sent, n, what + " sent");
    EXPECT_WITHIN_5_SIGMA(g.outcomes[idx][0], expected.left, n, what + " left");
    EXPECT_WITHIN_5_SIGMA(g.outcomes[idx][1], expected.right, n, what + " right");
    EXPECT_WITHIN_5_SIGMA(g.outcomes[idx][2], expected.both, n, what + " both");
}

void check_sns(const ProtocolParameters& p, const Link& link, std::uint64_t seed) {
    const Block block = run(p, link, seed, 4096);
    const Aggregate g = aggregate(p, block);
    const double n = static_cast<double>(p.pulses);
    check_tally(p, block);
    EXPECT_WITHIN_5_SIGMA(block.heralds.size(), n * model_herald_probability(p, link), n, "heralds");
    const auto expected = expected_statistics(p, link);
    ASSERT_TRUE(expected.ok());
    for (const auto& c : expected->classes) check_class(c, block, g, n);
    const auto ra = security::sns_roles(p.alice, "alice");
    const auto rb = security::sns_roles(p.bob, "bob");
    const std::size_t x1 = block.tally.index(ra->x_weak, rb->x_weak);
    EXPECT_WITHIN_5_SIGMA(block.tally.matched[x1], expected->phase_matched.windows, n, "matched X1 windows");
    EXPECT_WITHIN_5_SIGMA(g.matched_effective[x1], expected->phase_matched.effective, n, "matched X1 effective");
    EXPECT_WITHIN_5_SIGMA(g.matched_errors[x1], expected->phase_matched.errors, n, "matched X1 errors");
    // The Z-Z key: Alice's bit 1 when she sends, Bob's 0 when he sends; wrong when both or neither did.
    std::uint64_t effective = 0, errors = 0;
    for (const std::size_t i : {ra->z_send, ra->z_silent})
        for (const std::size_t j : {rb->z_send, rb->z_silent}) {
            const std::size_t idx = block.tally.index(i, j);
            const std::uint64_t eff = g.outcomes[idx][0] + g.outcomes[idx][1];
            effective += eff;
            if ((i == ra->z_send) == (j == rb->z_send)) errors += eff;
        }
    EXPECT_WITHIN_5_SIGMA(effective, expected->key.effective, n, "key effective");
    EXPECT_WITHIN_5_SIGMA(errors, expected->key.errors, n, "key errors");
}

TEST(HeraldStream, HeraldsIncreaseAndStayInTheBlock) {
    const auto p = sns4(10'000'000);
    const Block block = run(p, short_link(), 5, 1000);
    ASSERT_GT(block.heralds.size(), 100'000U);
    int order = 0, range = 0;
    for (std::size_t i = 0; i < block.heralds.size(); ++i) {
        if (i > 0 && block.heralds[i].slot <= block.heralds[i - 1].slot) ++order;
        if (block.heralds[i].slot >= p.pulses) ++range;
    }
    EXPECT_EQ(order, 0);
    EXPECT_EQ(range, 0);
    EXPECT_GE(block.candidates, block.heralds.size());
}

TEST(HeraldStream, ReproducibleAndIndependentOfBatching) {
    const auto p = pm(3'000'000);
    const Block a = run(p, short_link(), 9, 4096);
    const Block b = run(p, short_link(), 9, 7);
    const Block c = run(p, short_link(), 9, 1);
    ASSERT_GT(a.heralds.size(), 10'000U);
    EXPECT_EQ(a.heralds, b.heralds);
    EXPECT_EQ(a.heralds, c.heralds);
    EXPECT_EQ(a.tally.windows, c.tally.windows);
    EXPECT_EQ(a.tally.matched, c.tally.matched);
    EXPECT_NE(a.heralds, run(p, short_link(), 10, 4096).heralds);      // another stream seed
    EXPECT_NE(a.heralds, run(p, short_link(), 9, 4096, 12, 22).heralds);  // another choice of Alice's
}

TEST(HeraldStream, AoppGivesTheSameClicks) {
    const auto p = sns4(2'000'000);
    auto q = p;
    q.aopp = true;
    const Block a = run(p, short_link(), 3, 4096);
    const Block b = run(q, short_link(), 3, 4096);
    EXPECT_EQ(a.heralds, b.heralds);
    EXPECT_EQ(a.tally.windows, b.tally.windows);
}

// 1e8 slots at 50 km: about 2.4e6 heralds.
TEST(HeraldStream, Sns4AggregateAgreesWithTheModel) { check_sns(sns4(100'000'000), short_link(), 1); }

TEST(HeraldStream, Sns3AggregateAgreesWithTheModel) {
    auto p = sns3(100'000'000);
    p.phase_match_slices = 1;
    check_sns(p, symmetric_link(80, 0.2, 0.7, 1e-7, 0.02, 0.15), 2);
}

TEST(HeraldStream, PmAggregateAgreesWithTheModel) {
    const auto p = pm(100'000'000);
    const Link link = short_link();
    const Block block = run(p, link, 4, 4096);
    const Aggregate g = aggregate(p, block);
    const double n = static_cast<double>(p.pulses);
    check_tally(p, block);
    const auto expected = expected_statistics(p, link);
    ASSERT_TRUE(expected.ok());
    ASSERT_EQ(expected->matched.size(), 3U);
    for (const auto& m : expected->matched) {
        const std::size_t idx = block.tally.index(m.alice, m.bob);
        const std::string what = "matched " + std::to_string(m.alice) + "-" + std::to_string(m.bob);
        EXPECT_WITHIN_5_SIGMA(block.tally.matched[idx], m.windows, n, what + " windows");
        EXPECT_WITHIN_5_SIGMA(g.matched_effective[idx], m.effective, n, what + " effective");
        EXPECT_WITHIN_5_SIGMA(g.matched_errors[idx], m.errors, n, what + " errors");
    }
    const auto roles = security::pm_roles(p.alice, "alice");
    const std::size_t key = block.tally.index(roles->key, roles->key);
    EXPECT_WITHIN_5_SIGMA(block.tally.matched[key], expected->key.windows, n, "key windows");
    EXPECT_WITHIN_5_SIGMA(g.matched_effective[key], expected->key.effective, n, "key effective");
    EXPECT_WITHIN_5_SIGMA(g.matched_errors[key], expected->key.errors, n, "key errors");
    EXPECT_GT(g.matched_errors[key], 100U);  // the comparison has something to compare
}

TEST(HeraldStream, Cal19AggregateAgreesWithTheModel) {
    const auto p = cal19(100'000'000);
    const Link link = short_link();
    const Block block = run(p, link, 6, 4096);
    const Aggregate g = aggregate(p, block);
    const double n = static_cast<double>(p.pulses);
    check_tally(p, block);
    const auto expected = expected_statistics(p, link);
    ASSERT_TRUE(expected.ok());
    ASSERT_EQ(expected->classes.size(), 9U);
    for (const auto& c : expected->classes) check_class(c, block, g, n);
    const auto roles = security::cal19_roles(p.alice, "alice");
    const std::size_t key = block.tally.index(roles->key, roles->key);
    EXPECT_WITHIN_5_SIGMA(block.tally.windows[key], expected->key.windows, n, "key windows");
    EXPECT_WITHIN_5_SIGMA(g.outcomes[key][0] + g.outcomes[key][1], expected->key.effective, n, "key effective");
    EXPECT_WITHIN_5_SIGMA(g.locked_errors[key], expected->key.errors, n, "key errors");
    EXPECT_GT(g.locked_errors[key], 100U);
}

// Phase-matched X1 windows on a clean link: around 0 the light goes left, around pi (slices M/2
// apart) to the other detector. Each band's errors against half the model's, and both small: with
// the detectors of one band swapped the error fraction would be near 1 - e.
TEST(HeraldStream, MatchedWindowsAroundPiGoToTheOtherDetector) {
    const auto p = sns4(50'000'000);
    const Link link = symmetric_link(10, 0.2, 0.9, 1e-8, 0.0, 0.05);
    const Block block = run(p, link, 8, 4096);
    const Aggregate g = aggregate(p, block);
    const double n = static_cast<double>(p.pulses);
    const auto expected = expected_statistics(p, link);
    ASSERT_TRUE(expected.ok());
    const std::size_t x1 = block.tally.index(3, 3);
    const double half_effective = expected->phase_matched.effective / 2;
    const double half_errors = expected->phase_matched.errors / 2;
    EXPECT_WITHIN_5_SIGMA(g.effective_zero[x1], half_effective, n, "effective around 0");
    EXPECT_WITHIN_5_SIGMA(g.effective_pi[x1], half_effective, n, "effective around pi");
    EXPECT_WITHIN_5_SIGMA(g.errors_zero[x1], half_errors, n, "errors around 0");
    EXPECT_WITHIN_5_SIGMA(g.errors_pi[x1], half_errors, n, "errors around pi");
    ASSERT_GT(g.effective_pi[x1], 2'000U);
    EXPECT_LT(static_cast<double>(g.errors_zero[x1]) / static_cast<double>(g.effective_zero[x1]), 0.05);
    EXPECT_LT(static_cast<double>(g.errors_pi[x1]) / static_cast<double>(g.effective_pi[x1]), 0.05);
}

TEST(HeraldStream, MatchSlicesBands) {
    EXPECT_TRUE(match_slices(3, 3, 16, 0).zero);
    EXPECT_FALSE(match_slices(3, 4, 16, 0).any());
    EXPECT_TRUE(match_slices(0, 15, 16, 1).zero);  // cyclic
    EXPECT_TRUE(match_slices(2, 10, 16, 0).pi);
    EXPECT_TRUE(match_slices(2, 11, 16, 1).pi);
    EXPECT_FALSE(match_slices(2, 12, 16, 1).any());
    EXPECT_FALSE(match_slices(0, 7, 15, 1).any());  // odd M: no band around pi
    EXPECT_TRUE(match_slices(0, 14, 15, 1).zero);
}

TEST(HeraldStream, RefusesInvalidInput) {
    const auto p = sns4(1000);
    const auto a = ChoiceSource::create(p, Party::alice, 1);
    const auto b = ChoiceSource::create(p, Party::bob, 2);
    ASSERT_TRUE(a.ok() && b.ok());
    const auto field = [](const Result<HeraldStream>& r) { return r.ok() ? std::string("ok") : std::string(r.error().field); };
    EXPECT_EQ(field(HeraldStream::create(p, short_link(), *a, *b, 1)), "ok");
    EXPECT_EQ(field(HeraldStream::create(p, short_link(), *b, *b, 1)), "alice");
    EXPECT_EQ(field(HeraldStream::create(p, short_link(), *a, *a, 1)), "bob");
    auto mp = p;
    mp.family = security::Family::mode_pairing;
    EXPECT_EQ(field(HeraldStream::create(mp, short_link(), *a, *b, 1)), "family");
    auto big = p;
    big.pulses = (1ULL << 53) + 1;
    EXPECT_EQ(field(HeraldStream::create(big, short_link(), *a, *b, 1)), "pulses");
    auto other = p;
    other.phase_slices = 8;
    EXPECT_EQ(field(HeraldStream::create(other, short_link(), *a, *b, 1)), "alice");
    const auto pm_a = ChoiceSource::create(pm(1000), Party::alice, 1);
    EXPECT_EQ(field(HeraldStream::create(p, short_link(), *pm_a, *b, 1)), "alice");  // 4 settings, not 5
    Link bad = short_link();
    bad.misalignment = 0.7;
    EXPECT_EQ(field(HeraldStream::create(p, bad, *a, *b, 1)), "misalignment");
}

TEST(HeraldStream, DarkBlockAndOneSlot) {
    // No light and no dark counts: nothing heralds, every window is in the tally.
    const auto p = sns4(1'000'000);
    Link dark = short_link();
    dark.dark_count_probability = 0;
    dark.arm_loss_alice_db = dark.arm_loss_bob_db = 1e9;  // eta underflows to 0
    const Block none = run(p, dark, 1, 16);
    EXPECT_TRUE(none.heralds.empty());
    std::uint64_t total = 0;
    for (const auto w : none.tally.windows) total += w;
    EXPECT_EQ(total, p.pulses);
    const Block one = run(sns4(1), short_link(), 1, 16);
    EXPECT_LE(one.heralds.size(), 1U);
}

}  // namespace
}  // namespace tfqkd::hardware_model
