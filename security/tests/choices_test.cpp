// A party's per-slot choices (choices.hpp): setting frequencies against the probabilities, key bits
// only where the family's key bit is a phase, slices uniform and equal to floor(phase M / 2 pi),
// CAL19's key mode phase-locked, Alice and Bob independent under one seed, at(s) a pure function of
// the slot, setting_at(s) equal to at(s).setting, and the refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>

#include "security/choices.hpp"

namespace tfqkd::security {
namespace {

constexpr std::uint64_t kSlots = 1'000'000;

ProtocolParameters sns() {
    ProtocolParameters p;
    p.alice = {{Window::z, 0.4, 0.035}, {Window::z, 0.0, 0.665}, {Window::x, 0.0, 0.12}, {Window::x, 0.1, 0.12},
               {Window::x, 0.38, 0.06}};
    p.bob = p.alice;
    p.phase_slices = 16;
    p.pulses = 1000;
    return p;
}

ProtocolParameters pm() {
    ProtocolParameters p;
    p.family = Family::pm;
    p.alice = {{Window::x, 0.0, 0.04}, {Window::z, 0.05, 0.9}, {Window::x, 0.01, 0.04}, {Window::x, 0.05, 0.02}};
    p.bob = p.alice;
    p.phase_slices = 12;
    p.pulses = 1000;
    return p;
}

ProtocolParameters cal19() {
    ProtocolParameters p;
    p.family = Family::cal19;
    p.alice = {{Window::x, 0.0, 0.03}, {Window::x, 0.1, 0.04}, {Window::z, 0.02, 0.9}, {Window::x, 0.5, 0.03}};
    p.bob = p.alice;
    p.phase_slices = 7;
    p.pulses = 1000;
    return p;
}

// |observed - n p| / sqrt(n p (1 - p)) for a Binomial(n, p) count.
double z_binomial(std::uint64_t observed, std::uint64_t n, double p) {
    const double mean = static_cast<double>(n) * p;
    return (static_cast<double>(observed) - mean) / std::sqrt(std::max(mean * (1 - p), 1e-300));
}

struct Summary {
    std::vector<std::uint64_t> settings;
    std::vector<std::uint64_t> ones;  // key bits equal to 1, per setting
    std::vector<std::uint64_t> slices;
    std::uint64_t slice_mismatches = 0;  // slice != floor(phase M / 2 pi)
    std::uint64_t locked_nonzero = 0;    // phase-locked slots with a phase or slice other than 0
    std::uint64_t setting_at_mismatches = 0;
};

Summary summarise(const ProtocolParameters& p, Party party, std::uint64_t seed) {
    const auto source = ChoiceSource::create(p, party, seed);
    EXPECT_TRUE(source.ok());
    const auto& settings = party == Party::alice ? p.alice : p.bob;
    Summary s;
    s.settings.assign(settings.size(), 0);
    s.ones.assign(settings.size(), 0);
    s.slices.assign(p.phase_slices, 0);
    for (std::uint64_t slot = 0; slot < kSlots; ++slot) {
        const SlotChoice c = source->at(slot);
        ++s.settings.at(c.setting);
        s.ones.at(c.setting) += c.bit;
        if (source->setting_at(slot) != c.setting) ++s.setting_at_mismatches;
        if (!source->phase_randomised(c.setting)) {
            if (c.phase != 0 || c.slice != 0) ++s.locked_nonzero;
            continue;
        }
        ++s.slices.at(c.slice);
        const auto expected = static_cast<std::uint32_t>(std::floor(c.phase * p.phase_slices / (2 * std::numbers::pi)));
        if (c.slice != expected || c.phase < 0 || c.phase >= 2 * std::numbers::pi) ++s.slice_mismatches;
    }
    return s;
}

void check(const ProtocolParameters& p, Party party, std::int64_t key_setting, bool locked_key) {
    const Summary s = summarise(p, party, 2026);
    const auto& settings = party == Party::alice ? p.alice : p.bob;
    std::uint64_t randomised = 0;
    for (std::size_t i = 0; i < settings.size(); ++i) {
        EXPECT_LT(std::abs(z_binomial(s.settings[i], kSlots, settings[i].probability)), 5.0) << "setting " << i;
        if (static_cast<std::int64_t>(i) == key_setting)
            EXPECT_LT(std::abs(z_binomial(s.ones[i], s.settings[i], 0.5)), 5.0) << "key bits of setting " << i;
        else
            EXPECT_EQ(s.ones[i], 0U) << "setting " << i << " has no key bit";
        if (!(locked_key && static_cast<std::int64_t>(i) == key_setting)) randomised += s.settings[i];
    }
    for (std::uint32_t k = 0; k < p.phase_slices; ++k)
        EXPECT_LT(std::abs(z_binomial(s.slices[k], randomised, 1.0 / p.phase_slices)), 5.0) << "slice " << k;
    EXPECT_EQ(s.slice_mismatches, 0U);
    EXPECT_EQ(s.locked_nonzero, 0U);
    EXPECT_EQ(s.setting_at_mismatches, 0U);
}

TEST(ChoiceSource, SnsFrequenciesBitsAndSlices) {
    check(sns(), Party::alice, -1, false);
    check(sns(), Party::bob, -1, false);
}

TEST(ChoiceSource, PmKeyBitsBalancedOnTheKeySettingOnly) {
    check(pm(), Party::alice, 1, false);
    check(pm(), Party::bob, 1, false);
}

TEST(ChoiceSource, Cal19KeyModeIsPhaseLocked) {
    check(cal19(), Party::alice, 2, true);
    check(cal19(), Party::bob, 2, true);
    const auto source = ChoiceSource::create(cal19(), Party::alice, 1);
    EXPECT_FALSE(source->phase_randomised(2));
    EXPECT_TRUE(source->phase_randomised(0));
    EXPECT_TRUE(source->phase_randomised(3));
}

// Same seed, both parties: the joint setting counts against the product of the marginals (5 sigma
// per cell), and the sequences differ.
TEST(ChoiceSource, AliceAndBobIndependentUnderOneSeed) {
    const auto p = pm();
    const auto a = ChoiceSource::create(p, Party::alice, 7);
    const auto b = ChoiceSource::create(p, Party::bob, 7);
    std::vector<std::uint64_t> joint(p.alice.size() * p.bob.size(), 0);
    std::uint64_t same_phase = 0, same_bit_key = 0, both_key = 0;
    for (std::uint64_t slot = 0; slot < kSlots; ++slot) {
        const SlotChoice ca = a->at(slot);
        const SlotChoice cb = b->at(slot);
        ++joint[ca.setting * p.bob.size() + cb.setting];
        if (ca.phase == cb.phase) ++same_phase;
        if (ca.setting == 1 && cb.setting == 1) {
            ++both_key;
            if (ca.bit == cb.bit) ++same_bit_key;
        }
    }
    for (std::size_t i = 0; i < p.alice.size(); ++i)
        for (std::size_t j = 0; j < p.bob.size(); ++j)
            EXPECT_LT(std::abs(z_binomial(joint[i * p.bob.size() + j], kSlots, p.alice[i].probability * p.bob[j].probability)), 5.0)
                << "cell " << i << "-" << j;
    EXPECT_LT(same_phase, 3U);
    EXPECT_LT(std::abs(z_binomial(same_bit_key, both_key, 0.5)), 5.0);
}

TEST(ChoiceSource, AtIsAPureFunctionOfTheSlot) {
    const auto p = sns();
    const auto a = ChoiceSource::create(p, Party::alice, 99);
    const auto again = ChoiceSource::create(p, Party::alice, 99);
    const auto other = ChoiceSource::create(p, Party::alice, 100);
    const std::vector<std::uint64_t> slots{0, 1, 99'999'999'999ULL, 5, (1ULL << 63) + 17, 1, 0, ~0ULL};
    std::vector<SlotChoice> forward;
    for (const auto s : slots) forward.push_back(a->at(s));
    for (std::size_t i = slots.size(); i-- > 0;) {
        EXPECT_EQ(a->at(slots[i]), forward[i]) << "slot " << slots[i];
        EXPECT_EQ(again->at(slots[i]), forward[i]);
        EXPECT_EQ(a->setting_at(slots[i]), forward[i].setting);
    }
    EXPECT_EQ(forward[0], forward[6]);
    EXPECT_EQ(forward[1], forward[5]);
    int differ = 0;
    for (std::uint64_t s = 0; s < 100; ++s) differ += a->at(s) == other->at(s) ? 0 : 1;
    EXPECT_GT(differ, 90);
}

TEST(ChoiceSource, Refusals) {
    const auto field = [](const Result<ChoiceSource>& r) { return r.ok() ? std::string("ok") : std::string(r.error().field); };
    auto mp = sns();
    mp.family = Family::mode_pairing;
    EXPECT_EQ(field(ChoiceSource::create(mp, Party::alice, 1)), "family");
    auto many = sns();
    many.bob.assign(257, Setting{Window::x, 0.1, 1.0 / 257});
    EXPECT_EQ(field(ChoiceSource::create(many, Party::bob, 1)), "bob");
    EXPECT_EQ(field(ChoiceSource::create(many, Party::alice, 1)), "ok");
    auto none = sns();
    none.alice.clear();
    EXPECT_EQ(field(ChoiceSource::create(none, Party::alice, 1)), "alice");
    auto slices = sns();
    slices.phase_slices = 65537;
    EXPECT_EQ(field(ChoiceSource::create(slices, Party::alice, 1)), "phase_slices");
    slices.phase_slices = 0;
    EXPECT_EQ(field(ChoiceSource::create(slices, Party::alice, 1)), "phase_slices");
    auto bad_pm = pm();
    bad_pm.alice[1].window = Window::x;  // no key setting
    EXPECT_NE(field(ChoiceSource::create(bad_pm, Party::alice, 1)), "ok");
}

}  // namespace
}  // namespace tfqkd::security
