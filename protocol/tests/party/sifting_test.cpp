// Sifting and parameter estimation (protocol/party/sifting.hpp) on hand-built public records whose
// statistics and key bits are worked out in the comments.
#include "protocol/party/sifting.hpp"

#include <gtest/gtest.h>

namespace tfqkd::party {
namespace {

using Click = wire::DetectionReport::Click;
using Entry = wire::DecoyAnnouncement::Entry;
using security::Window;

// 4-intensity SNS, the same settings for both: 0 z_send, 1 z_silent, 2 x_vacuum, 3 x_weak, 4 x_strong.
security::ProtocolParameters sns() {
    security::ProtocolParameters p;
    p.family = security::Family::sns;
    p.alice = {{Window::z, 0.5, 0.2}, {Window::z, 0, 0.6}, {Window::x, 0, 0.05}, {Window::x, 0.1, 0.1}, {Window::x, 0.4, 0.05}};
    p.bob = p.alice;
    p.phase_slices = 16;
    p.pulses = 1000;
    return p;
}

PackedBits bits(std::initializer_list<int> values) {
    PackedBits b;
    for (int v : values) b.push_back(v != 0);
    return b;
}

// Eight events:
//   e0 left,  Z-Z, Alice sends, Bob silent: a key event (Alice 1, Bob 1)
//   e1 right, Z-Z, Alice silent, Bob sends: a key event (Alice 0, Bob 0)
//   e2 both,  Z-Z: not effective, no key
//   e3 left,  X1-X1, slices 3 and 3: matched around 0, correct
//   e4 left,  X1-X1, slices 3 and 11: matched around pi, an error (the light goes right)
//   e5 right, X1-X1, slices 0 and 5: not matched
//   e6 left,  Alice Z, Bob X: windows differ, nothing announced
//   e7 left,  X vacuum - X mu_2
struct SnsRecord {
    PublicRecord record;
    std::vector<EventChoice> alice, bob;
};

SnsRecord sns_record() {
    SnsRecord r;
    r.record.clicks = {Click::left, Click::right, Click::both, Click::left, Click::left, Click::right, Click::left, Click::left};
    r.alice = {{0, 0, 0}, {1, 0, 0}, {0, 0, 0}, {3, 0, 3}, {3, 0, 3}, {3, 0, 0}, {0, 0, 0}, {2, 0, 7}};
    r.bob = {{1, 0, 0}, {0, 0, 0}, {1, 0, 0}, {3, 0, 3}, {3, 0, 11}, {3, 0, 5}, {2, 0, 1}, {4, 0, 9}};
    const auto p = sns();
    r.record.alice_windows = windows_of(p, security::Party::alice, r.alice);
    r.record.bob_windows = windows_of(p, security::Party::bob, r.bob);
    r.record.alice_entries = decoy_entries(p.family, r.record.alice_windows, r.record.bob_windows, r.alice);
    r.record.bob_entries = decoy_entries(p.family, r.record.alice_windows, r.record.bob_windows, r.bob);
    return r;
}

TEST(Sifting, PhaseMatchAroundZeroAndPiCyclically) {
    EXPECT_EQ(phase_match(3, 3, 16, 0), PhaseMatch::zero);
    EXPECT_EQ(phase_match(3, 11, 16, 0), PhaseMatch::pi);
    EXPECT_EQ(phase_match(11, 3, 16, 0), PhaseMatch::pi);
    EXPECT_EQ(phase_match(3, 4, 16, 0), PhaseMatch::none);
    EXPECT_EQ(phase_match(15, 0, 16, 1), PhaseMatch::zero);  // cyclic
    EXPECT_EQ(phase_match(0, 9, 16, 1), PhaseMatch::pi);
    EXPECT_EQ(phase_match(0, 7, 15, 0), PhaseMatch::none);    // odd M: no half turn
    EXPECT_EQ(phase_match(0, 0, 1, 0), PhaseMatch::zero);
}

TEST(Sifting, WhichSettingsAreAnnounced) {
    EXPECT_TRUE(settings_announced(security::Family::sns, true, true));
    EXPECT_FALSE(settings_announced(security::Family::sns, false, false));
    EXPECT_FALSE(settings_announced(security::Family::cal19, true, false));
    EXPECT_TRUE(settings_announced(security::Family::pm, false, false));  // PM's key windows announce slices
    EXPECT_FALSE(settings_announced(security::Family::pm, true, false));
}

TEST(Sifting, SnsStatisticsFromAHandBuiltRecord) {
    const auto p = sns();
    const SnsRecord r = sns_record();
    EXPECT_EQ(r.record.alice_windows, bits({0, 0, 0, 1, 1, 1, 0, 1}));
    EXPECT_EQ(r.record.bob_windows, bits({0, 0, 0, 1, 1, 1, 1, 1}));
    ASSERT_EQ(r.record.alice_entries.size(), 4U);  // e3, e4, e5, e7
    EXPECT_EQ(r.record.alice_entries[3], (Entry{7, 2, 7}));
    auto s = sift(p, r.record);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    const auto& c = s->counts;
    EXPECT_EQ(c.classes.size(), 9U);  // every X-X pair
    const auto* weak = c.find(3, 3);
    ASSERT_NE(weak, nullptr);
    EXPECT_DOUBLE_EQ(weak->sent, 1000 * 0.1 * 0.1);  // N p_i p_j
    EXPECT_EQ(weak->left, 2);
    EXPECT_EQ(weak->right, 1);
    EXPECT_EQ(weak->both, 0);
    const auto* vs = c.find(2, 4);
    ASSERT_NE(vs, nullptr);
    EXPECT_EQ(vs->left, 1);
    EXPECT_DOUBLE_EQ(vs->sent, 1000 * 0.05 * 0.05);
    EXPECT_DOUBLE_EQ(c.phase_matched.windows, 10.0 * 2 / 16);  // kept fraction 2(2k + 1)/M
    EXPECT_EQ(c.phase_matched.effective, 2);
    EXPECT_EQ(c.phase_matched.errors, 1);
    EXPECT_EQ(s->key_events, (std::vector<std::uint32_t>{0, 1}));
    EXPECT_EQ(c.key.effective, 2);
    EXPECT_FALSE(c.aopp.has_value());
    EXPECT_EQ(raw_key_bits(p, security::Party::alice, *s, r.record, r.alice), bits({1, 0}));  // Alice: sending is 1
    EXPECT_EQ(raw_key_bits(p, security::Party::bob, *s, r.record, r.bob), bits({1, 0}));      // Bob: sending is 0
}

TEST(Sifting, PmKeyBitsFollowTheDetectorAndTheHalfTurn) {
    security::ProtocolParameters p;
    p.family = security::Family::pm;
    p.alice = {{Window::z, 0.05, 0.7}, {Window::x, 0, 0.1}, {Window::x, 0.02, 0.1}, {Window::x, 0.2, 0.1}};
    p.bob = p.alice;
    p.phase_slices = 16;
    p.pulses = 1000;
    PublicRecord r;
    // e0: equal bits, matched at 0, left: Bob keeps his bit. e1: bits differ, right: Bob flips.
    // e2: equal bits but slices half a turn apart, left: Bob flips for the half turn.
    // e3: slices 2 and 5: not matched, no key.
    r.clicks = {Click::left, Click::right, Click::left, Click::left};
    const std::vector<EventChoice> alice = {{0, 1, 2}, {0, 0, 2}, {0, 1, 2}, {0, 1, 2}};
    const std::vector<EventChoice> bob = {{0, 1, 2}, {0, 1, 2}, {0, 0, 10}, {0, 1, 5}};
    r.alice_windows = windows_of(p, security::Party::alice, alice);
    r.bob_windows = windows_of(p, security::Party::bob, bob);
    r.alice_entries = decoy_entries(p.family, r.alice_windows, r.bob_windows, alice);
    r.bob_entries = decoy_entries(p.family, r.alice_windows, r.bob_windows, bob);
    EXPECT_EQ(r.alice_entries.size(), 4U);  // PM announces the slices of key windows too
    auto s = sift(p, r);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    EXPECT_EQ(s->key_events, (std::vector<std::uint32_t>{0, 1, 2}));
    EXPECT_EQ(s->key_flipped, bits({0, 0, 1}));
    EXPECT_DOUBLE_EQ(s->counts.key.windows, 1000 * 0.7 * 0.7 * 2 / 16);
    const PackedBits a = raw_key_bits(p, security::Party::alice, *s, r, alice);
    EXPECT_EQ(a, bits({1, 0, 1}));
    EXPECT_EQ(raw_key_bits(p, security::Party::bob, *s, r, bob), a);
    ASSERT_EQ(s->counts.matched.size(), 3U);
}

TEST(Sifting, APeersAnnouncementIsCheckedAgainstThePublicRecord) {
    const auto p = sns();
    const SnsRecord r = sns_record();
    const auto check = [&](std::vector<Entry> entries) {
        return check_entries(p, security::Party::bob, r.record.alice_windows, r.record.bob_windows, entries);
    };
    EXPECT_TRUE(check(r.record.bob_entries).ok());
    auto missing = r.record.bob_entries;
    missing.erase(missing.begin() + 2);
    auto e = check(missing);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().field, "entries[].index");
    EXPECT_NE(e.error().detail.find("event 5"), std::string::npos);
    auto extra = r.record.bob_entries;
    extra.insert(extra.begin() + 3, Entry{6, 2, 0});  // e6: Alice's window is Z, nothing announced
    EXPECT_EQ(check(extra).error().field, "entries[].index");
    auto unknown = r.record.bob_entries;
    unknown[0].setting = 9;
    EXPECT_EQ(check(unknown).error().field, "entries[].setting");
    auto wrong_window = r.record.bob_entries;
    wrong_window[0].setting = 0;  // z_send for an event Bob announced as X
    EXPECT_EQ(check(wrong_window).error().field, "entries[].setting");
    auto slice = r.record.bob_entries;
    slice[1].phase_slice = 16;
    EXPECT_EQ(check(slice).error().field, "entries[].phase_slice");
    EXPECT_EQ(check_windows(bits({0, 1}), 8, "sifting_announcement").error().field, "windows");
}

TEST(Sifting, RefusesWhatSessionsDoNotRun) {
    auto three = sns();
    three.alice.pop_back();
    three.alice[2].probability += 0.05;
    three.bob = three.alice;
    auto e = check_session_protocol(three);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().field, "alice[].window");
    auto mp = sns();
    mp.family = security::Family::mode_pairing;
    EXPECT_FALSE(check_session_protocol(mp).ok());
    EXPECT_TRUE(check_session_protocol(sns()).ok());
}

}  // namespace
}  // namespace tfqkd::party
