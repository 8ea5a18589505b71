// A property of whole sessions: one byte of one frame changed, anywhere, never gives unequal keys
// or a key at one end only. Over a small CAL19 session (10^6 pulses, about 0.1 s, some 4 700 key
// bits), at a random frame index and byte, XORed with a random non-zero mask. The cases are few
// (RC_PARAMS in meson.build): each is a session.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <memory>
#include <optional>

#include "network/session.hpp"
#include "protocol/wire/abort.hpp"
#include "session_setups.hpp"

namespace tfqkd::network {
namespace {

using party::State;
using wire::MessageType;
using wire::Role;

SessionSetup small_setup() {
    SessionSetup s = test::cal19_setup(1);
    s.protocol.pulses = 1'000'000;
    return s;
}

// The honest session's frames: their number, and the indices of those on Charlie's (untagged)
// channels, where half of the cases change a byte.
struct HonestFrames {
    std::uint64_t count = 0;
    std::vector<std::uint64_t> relay;
};

const HonestFrames& honest() {
    static const HonestFrames frames = [] {
        HonestFrames h;
        SessionSetup s = small_setup();
        s.adversary = [&h](InFlight f) {
            if (f.from == Role::charlie || f.to == Role::charlie) h.relay.push_back(f.index);
            return std::vector<InFlight>{std::move(f)};
        };
        auto r = run_session(s);
        if (r && r->keys_equal) h.count = r->frames;
        return h;
    }();
    return frames;
}
std::uint64_t honest_frames() { return honest().count; }

TEST(SessionProperties, TheSmallSessionGivesAKey) { EXPECT_GT(honest_frames(), 10U); }

TEST(SessionProperties, OneChangedByteNeverGivesUnequalKeysOrAKeyAtOneEnd) {
    const std::uint64_t frames = honest_frames();
    ASSERT_GT(frames, 0U);
    const std::vector<std::uint64_t> relay = honest().relay;
    ASSERT_FALSE(relay.empty());
    EXPECT_TRUE(rc::check("a changed byte: no key at both ends, or equal certified keys", [frames, relay] {
        const auto index = *rc::gen::oneOf(rc::gen::inRange<std::uint64_t>(1, frames + 1), rc::gen::elementOf(relay));
        const auto where = *rc::gen::arbitrary<std::uint32_t>();
        const auto mask = static_cast<Byte>(*rc::gen::inRange<int>(1, 256));
        auto changed = std::make_shared<std::optional<InFlight>>();
        SessionSetup s = small_setup();
        s.adversary = [=](InFlight f) {
            if (f.index == index) {
                *changed = f;
                f.frame[where % f.frame.size()] ^= mask;
            }
            return std::vector<InFlight>{std::move(f)};
        };
        auto r = run_session(s);
        RC_ASSERT(r.ok());
        RC_ASSERT(changed->has_value());
        const InFlight& f = **changed;
        const bool on_relay = f.from == Role::charlie || f.to == Role::charlie;
        const bool alice_done = r->alice.state == State::done, bob_done = r->bob.state == State::done;
        if (!alice_done && !bob_done) {
            RC_ASSERT(!r->alice.key.has_value() && !r->bob.key.has_value() && !r->keys_equal);
            RC_TAG(std::string("no key: ") + std::string(wire::reason_name(
                       r->bob.failure ? r->bob.failure->reason : r->alice.failure->reason)));
            return;
        }
        if (alice_done && bob_done) {
            // Only an untagged frame of Charlie's may change and still let the session end with a key.
            RC_ASSERT(on_relay);
            RC_ASSERT(r->keys_equal);
            RC_ASSERT(r->alice_summary.certified.has_value() && r->bob_summary.certified.has_value());
            RC_ASSERT(r->key_bits == r->alice_summary.certified->bits);
            RC_ASSERT(r->key_bits == r->bob_summary.certified->bits);
            RC_TAG("equal keys (a relay frame changed)");
            return;
        }
        // A key at one end: only when the last frame of the session, Alice's key_confirmation, is
        // changed (session_fault_test.cpp, LastFrameTamperedLeavesAliceWithAKeyAndBobWithout).
        RC_ASSERT(alice_done && !bob_done);
        RC_ASSERT(f.from == Role::alice && f.to == Role::bob && index == frames);
        RC_ASSERT(static_cast<MessageType>(f.frame[5]) == MessageType::key_confirmation);
        RC_TAG("last frame changed: alice keeps her key, bob has none");
    }));
}

}  // namespace
}  // namespace tfqkd::network
