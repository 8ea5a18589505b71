// Channel endpoints (protocol/session/endpoint.hpp): an honest exchange in both directions, and
// every kind of bad frame the issue lists (tampered, replayed, reordered, dropped, truncated,
// forged, foreign) ending the channel with its precise abort reason; pool exhaustion on both ends;
// the relay channel's numbering without tags; abort messages that the codec accepts.
#include "protocol/session/endpoint.hpp"

#include <gtest/gtest.h>

#include <random>

#include "protocol/wire/frame.hpp"

namespace tfqkd::session {
namespace {

using Reason = wire::Abort::Reason;
using wire::Role;

SecretBits random_bits(std::uint64_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    SecretBits bits(n);
    for (std::uint64_t i = 0; i < n; ++i) bits.set(i, (rng() & 1U) != 0);
    return bits;
}

// Alice's and Bob's ends of the peer channel, holding the same two pools (one per direction) of
// `tags` tags each.
struct PeerPair {
    Endpoint alice;
    Endpoint bob;
};

PeerPair peer_pair(std::uint64_t tags, std::uint64_t session = 77) {
    const SecretBits a_to_b = random_bits(tags * pp::kAuthenticationBitsPerTag, 1);
    const SecretBits b_to_a = random_bits(tags * pp::kAuthenticationBitsPerTag, 2);
    return {Endpoint::peer(Role::alice, Role::bob, session, pp::KeyPool(a_to_b.clone()), pp::KeyPool(b_to_a.clone())),
            Endpoint::peer(Role::bob, Role::alice, session, pp::KeyPool(b_to_a.clone()), pp::KeyPool(a_to_b.clone()))};
}

wire::Message sifting(std::uint64_t block, std::uint32_t events) {
    wire::SiftingAnnouncement m;
    m.block_id = block;
    m.windows = PackedBits(events);
    for (std::uint32_t i = 0; i < events; i += 3) m.windows.set(i, true);
    return m;
}

Bytes sealed(Endpoint& e, const wire::Message& m) {
    auto frame = e.seal(m);
    EXPECT_TRUE(std::holds_alternative<Bytes>(frame));
    return std::holds_alternative<Bytes>(frame) ? std::get<Bytes>(frame) : Bytes{};
}

// Opens `frame` at `e`, expecting a failure with `reason` whose detail contains `needle`.
void expect_failure(Endpoint& e, const Bytes& frame, Reason reason, const std::string& needle) {
    auto out = e.open(frame);
    ASSERT_TRUE(std::holds_alternative<Failure>(out)) << "accepted a bad frame";
    const Failure& f = std::get<Failure>(out);
    EXPECT_EQ(f.reason, reason) << f.detail;
    EXPECT_NE(f.detail.find(needle), std::string::npos) << f.detail;
    // The channel stays failed, even for a good frame afterwards.
    EXPECT_TRUE(e.failure().has_value());
}

TEST(Endpoint, HonestExchangeInBothDirectionsDeliversEveryMessageInOrder) {
    PeerPair p = peer_pair(20);
    for (std::uint64_t block = 0; block < 5; ++block) {
        const wire::Message to_bob = sifting(block, 100 + static_cast<std::uint32_t>(block));
        auto got = p.bob.open(sealed(p.alice, to_bob));
        ASSERT_TRUE(std::holds_alternative<wire::Message>(got)) << std::get<Failure>(got).detail;
        EXPECT_EQ(std::get<wire::Message>(got), to_bob);
        const wire::Message to_alice = sifting(block, 7);
        auto back = p.alice.open(sealed(p.bob, to_alice));
        ASSERT_TRUE(std::holds_alternative<wire::Message>(back)) << std::get<Failure>(back).detail;
        EXPECT_EQ(std::get<wire::Message>(back), to_alice);
    }
    EXPECT_EQ(p.alice.sent(), 5U);
    EXPECT_EQ(p.bob.received(), 5U);
    // Each tag spent the same bits at both ends: the pools stay in step.
    EXPECT_EQ(p.alice.send_pool_bits(), p.bob.receive_pool_bits());
    EXPECT_EQ(p.alice.send_pool_bits(), 15 * pp::kAuthenticationBitsPerTag);
}

TEST(Endpoint, EveryModifiedByteOfAFrameIsRejected) {
    // Flip each byte of a genuine frame in turn: the header bytes give their own reasons (route,
    // session, sequence, decode), the payload and tag bytes fail authentication; none is accepted.
    PeerPair reference = peer_pair(2);
    const Bytes genuine = sealed(reference.alice, sifting(3, 40));
    for (std::size_t i = 0; i < genuine.size(); ++i) {
        PeerPair p = peer_pair(2);
        Bytes frame = sealed(p.alice, sifting(3, 40));
        ASSERT_EQ(frame, genuine);  // same pools, same frame
        frame[i] = static_cast<Byte>(frame[i] ^ 0x01U);
        auto out = p.bob.open(frame);
        ASSERT_TRUE(std::holds_alternative<Failure>(out)) << "byte " << i << " modified and accepted";
    }
    PeerPair p = peer_pair(2);
    Bytes frame = sealed(p.alice, sifting(3, 40));
    frame[frame.size() - 20] = static_cast<Byte>(frame[frame.size() - 20] ^ 0x80U);  // a payload byte
    expect_failure(p.bob, frame, Reason::authentication_failed, "does not verify");
}

TEST(Endpoint, ForgedFrameWithAGuessedTagFailsAuthentication) {
    PeerPair p = peer_pair(2);
    wire::FrameHeader h{wire::MessageType::sifting_announcement, Role::alice, Role::bob, 77, 0};
    auto forged = wire::encode_frame_message(h, sifting(0, 10));  // zero tag, as an adversary might send
    ASSERT_TRUE(forged.ok());
    expect_failure(p.bob, *forged, Reason::authentication_failed, "frame.tag");
}

TEST(Endpoint, ReplayedReorderedAndDroppedFramesAreProtocolViolations) {
    {
        PeerPair p = peer_pair(4);
        const Bytes first = sealed(p.alice, sifting(0, 10));
        ASSERT_TRUE(std::holds_alternative<wire::Message>(p.bob.open(first)));
        expect_failure(p.bob, first, Reason::protocol_violation, "replayed");
    }
    {
        PeerPair p = peer_pair(4);
        const Bytes first = sealed(p.alice, sifting(0, 10));
        const Bytes second = sealed(p.alice, sifting(0, 11));
        (void)first;
        expect_failure(p.bob, second, Reason::protocol_violation, "expected 0");
    }
    {
        PeerPair p = peer_pair(4);
        (void)sealed(p.alice, sifting(0, 10));  // lost on the way
        const Bytes second = sealed(p.alice, sifting(0, 11));
        expect_failure(p.bob, second, Reason::protocol_violation, "dropped");
    }
}

TEST(Endpoint, TruncatedFramesAndForeignFramesAreRejectedWithTheirReason) {
    PeerPair p = peer_pair(4);
    const Bytes frame = sealed(p.alice, sifting(0, 64));
    for (const std::size_t keep : {std::size_t{0}, std::size_t{10}, frame.size() - 1}) {
        PeerPair q = peer_pair(4);
        const Bytes cut(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(keep));
        expect_failure(q.bob, cut, Reason::decode_error, "frame");
    }
    // Another session's frame, even correctly tagged with the same pools.
    PeerPair other = peer_pair(4, 78);
    PeerPair mine = peer_pair(4, 77);
    expect_failure(mine.bob, sealed(other.alice, sifting(0, 8)), Reason::protocol_violation, "session_id");
    // A frame from charlie arriving on the peer channel.
    Endpoint charlie = Endpoint::relay(Role::charlie, Role::bob, 77);
    PeerPair q = peer_pair(4);
    wire::DetectionReport report;
    report.slot_count = 10;
    expect_failure(q.bob, sealed(charlie, report), Reason::unexpected_message, "charlie");
}

TEST(Endpoint, ExhaustedPoolsAbortOnBothEnds) {
    PeerPair p = peer_pair(1);
    const Bytes first = sealed(p.alice, sifting(0, 8));
    auto second = p.alice.seal(sifting(0, 9));
    ASSERT_TRUE(std::holds_alternative<Failure>(second));
    EXPECT_EQ(std::get<Failure>(second).reason, Reason::auth_pool_exhausted);
    ASSERT_TRUE(std::holds_alternative<wire::Message>(p.bob.open(first)));
    // The receiver's pool is empty too: a second frame (tagged by a sender with a larger pool)
    // cannot be verified.
    PeerPair big = peer_pair(2);
    const Bytes b1 = sealed(big.alice, sifting(0, 8));
    const Bytes b2 = sealed(big.alice, sifting(0, 9));
    ASSERT_EQ(b1, first);  // the same first pool bits
    expect_failure(p.bob, b2, Reason::auth_pool_exhausted, "cannot verify");
    // Replenished pools carry on.
    PeerPair r = peer_pair(1);
    const SecretBits fresh = random_bits(pp::kAuthenticationBitsPerTag, 9);
    r.alice.replenish(fresh.clone(), SecretBits{});
    r.bob.replenish(SecretBits{}, fresh.clone());
    ASSERT_TRUE(std::holds_alternative<wire::Message>(r.bob.open(sealed(r.alice, sifting(0, 8)))));
    ASSERT_TRUE(std::holds_alternative<wire::Message>(r.bob.open(sealed(r.alice, sifting(0, 9)))));
}

TEST(Endpoint, RelayChannelNumbersFramesWithoutTags) {
    Endpoint charlie = Endpoint::relay(Role::charlie, Role::alice, 5);
    Endpoint alice = Endpoint::relay(Role::alice, Role::charlie, 5);
    wire::DetectionReport report;
    report.block_id = 1;
    report.slot_count = 1000;
    const Bytes frame = sealed(charlie, report);
    auto view = wire::decode_frame(frame);
    ASSERT_TRUE(view.ok());
    EXPECT_TRUE(view->tag.empty());
    ASSERT_TRUE(std::holds_alternative<wire::Message>(alice.open(frame)));
    expect_failure(alice, frame, Reason::protocol_violation, "replayed");
}

TEST(Endpoint, AbortMessagesAreValidForTheCodecWhateverTheDetail) {
    const std::string long_text(400, 'x');
    for (const std::string& detail : {std::string("frame.tag: bad"), long_text, std::string("tab\there\x01\xff")}) {
        const wire::Abort a = abort_message(9, Failure{Reason::authentication_failed, detail});
        EXPECT_TRUE(a.check().ok()) << detail;
        EXPECT_LE(a.detail.size(), wire::Abort::kMaxDetail);
        auto encoded = wire::encode_message(a);
        ASSERT_TRUE(encoded.ok());
    }
}

}  // namespace
}  // namespace tfqkd::session

namespace tfqkd::session {
namespace {

// After a failure on a received frame the send direction is intact: the endpoint still seals the
// abort that tells the peer why (and nothing else), and the peer accepts it. After a failure while
// sending, not even that.
TEST(Endpoint, AfterAReceiveFailureOnlyTheAbortStillGoesOut) {
    PeerPair p = peer_pair(4);
    Bytes bad = sealed(p.alice, sifting(0, 16));
    bad[wire::kFrameHeaderSize] ^= 1;  // the payload's first byte
    expect_failure(p.bob, bad, Reason::authentication_failed, "does not verify");
    EXPECT_TRUE(std::holds_alternative<Failure>(p.bob.seal(sifting(0, 9))));
    const Failure why = *p.bob.failure();
    auto abort = p.bob.seal(abort_message(0, why));
    ASSERT_TRUE(std::holds_alternative<Bytes>(abort));
    auto heard = p.alice.open(std::get<Bytes>(abort));
    ASSERT_TRUE(std::holds_alternative<wire::Message>(heard));
    const auto* a = std::get_if<wire::Abort>(&std::get<wire::Message>(heard));
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->reason, Reason::authentication_failed);

    PeerPair q = peer_pair(1);
    (void)sealed(q.alice, sifting(0, 8));
    ASSERT_TRUE(std::holds_alternative<Failure>(q.alice.seal(sifting(0, 9))));  // pool empty
    EXPECT_TRUE(std::holds_alternative<Failure>(q.alice.seal(abort_message(0, *q.alice.failure()))));
}

}  // namespace
}  // namespace tfqkd::session
