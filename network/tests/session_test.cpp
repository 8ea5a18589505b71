// Honest sessions over the fast setups of session_setups.hpp, and their known answers.
#include <gtest/gtest.h>

#include <map>
#include <ostream>
#include <string>

#include "network/session.hpp"
#include "protocol/wire/abort.hpp"
#include "session_setups.hpp"

namespace tfqkd::network {
namespace {

using party::State;

enum class Fam { sns_aopp, pm, cal19 };

SessionSetup setup_of(Fam f, std::uint64_t seed = 1) {
    switch (f) {
        case Fam::sns_aopp: return test::sns_aopp_setup(seed);
        case Fam::pm: return test::pm_setup(seed);
        case Fam::cal19: return test::cal19_setup(seed);
    }
    return {};
}

const char* name_of(Fam f) {
    switch (f) {
        case Fam::sns_aopp: return "sns_aopp";
        case Fam::pm: return "pm";
        case Fam::cal19: return "cal19";
    }
    return "?";
}

std::string failure_text(const PartyOutcome& o) {
    if (!o.failure) return "none";
    return std::string(wire::reason_name(o.failure->reason)) + ": " + o.failure->detail;
}

// One honest session per family at seed 1, run once per process and shared by the tests below
// (each takes up to a second).
const SessionReport& honest(Fam f) {
    static std::map<Fam, SessionReport> cache;
    auto it = cache.find(f);
    if (it == cache.end()) {
        auto r = run_session(setup_of(f));
        if (!r) {
            ADD_FAILURE() << name_of(f) << ": " << r.error().to_string();
            return cache[f];
        }
        it = cache.emplace(f, std::move(*r)).first;
    }
    return it->second;
}

void PrintTo(Fam f, std::ostream* os) { *os << name_of(f); }

class HonestSession : public ::testing::TestWithParam<Fam> {};

TEST_P(HonestSession, BothPartiesEndWithTheSameCertifiedKey) {
    const SessionReport& r = honest(GetParam());
    EXPECT_EQ(r.alice.state, State::done) << failure_text(r.alice);
    EXPECT_EQ(r.bob.state, State::done) << failure_text(r.bob);
    EXPECT_FALSE(r.alice.failure.has_value()) << failure_text(r.alice);
    EXPECT_FALSE(r.bob.failure.has_value()) << failure_text(r.bob);
    EXPECT_FALSE(r.charlie.failure.has_value()) << failure_text(r.charlie);
    ASSERT_TRUE(r.keys_equal);
    ASSERT_TRUE(r.alice.key.has_value());
    ASSERT_TRUE(r.bob.key.has_value());
    EXPECT_EQ(r.alice.key_sha256, r.bob.key_sha256);
    EXPECT_EQ(r.alice.key_sha256.size(), 64U);

    // The fast setups are meant to give some 10^3..10^5 bits (session_setups.hpp).
    EXPECT_GE(r.key_bits, 1000U);
    EXPECT_LE(r.key_bits, 200'000U);

    // The key is as long as both parties certified.
    ASSERT_TRUE(r.alice_summary.certified.has_value());
    ASSERT_TRUE(r.bob_summary.certified.has_value());
    EXPECT_EQ(r.alice_summary.certified->bits, r.bob_summary.certified->bits);
    EXPECT_EQ(r.key_bits, r.alice_summary.certified->bits);
    EXPECT_GT(r.alice_summary.certified_bits_before_ec, r.key_bits);

    // The key's metadata agree at both ends.
    const pp::KeyMetadata& a = *r.alice.key;
    const pp::KeyMetadata& b = *r.bob.key;
    EXPECT_EQ(a.session_id, r.session_id);
    EXPECT_EQ(b.session_id, r.session_id);
    EXPECT_EQ(a.block_id, 1U);
    EXPECT_EQ(b.block_id, 1U);
    EXPECT_EQ(a.length_bits, r.key_bits);
    EXPECT_EQ(b.length_bits, r.key_bits);
    EXPECT_EQ(a.reconciled_bits, b.reconciled_bits);
    EXPECT_EQ(a.reconciled_bits, r.bob_summary.reconciled_bits);
    EXPECT_EQ(a.leaked_bits, b.leaked_bits);
    EXPECT_GE(a.leaked_bits, r.bob_summary.disclosed_bits);
    EXPECT_EQ(a.epsilon.correctness, b.epsilon.correctness);
    EXPECT_EQ(a.epsilon.secrecy, b.epsilon.secrecy);
    EXPECT_EQ(a.epsilon.parameter_estimation, b.epsilon.parameter_estimation);
    EXPECT_EQ(a.epsilon.authentication, b.epsilon.authentication);
    EXPECT_LE(a.epsilon.total(), 1e-8);

    // The parties saw the same events and disclosed the same parities.
    EXPECT_EQ(r.alice_summary.events, r.bob_summary.events);
    EXPECT_EQ(r.alice_summary.key_events, r.bob_summary.key_events);
    EXPECT_EQ(r.alice_summary.disclosed_bits, r.bob_summary.disclosed_bits);
    EXPECT_GT(r.heralds, 0U);
    EXPECT_EQ(r.transcript_sha256.size(), 64U);
}

INSTANTIATE_TEST_SUITE_P(Families, HonestSession, ::testing::Values(Fam::sns_aopp, Fam::pm, Fam::cal19),
                         [](const auto& p) { return std::string(name_of(p.param)); });

// Known answers. Produced by running these setups at seed 1 (build-f, debugoptimized, GCC 12) and
// copying SessionReport::transcript_sha256 and alice.key_sha256. The transcript covers every frame
// of every channel, so any change to the wire format, to the parties (what they send and when), to
// the choice sources, the simulator (hardware_model) or the seed derivation of the runner changes
// these digests. Such a change must re-pin them deliberately, and its commit must say why.
struct KnownAnswer {
    Fam family;
    const char* transcript_sha256;
    const char* key_sha256;
    std::uint64_t key_bits;
};

const KnownAnswer kKnownAnswers[] = {
    {Fam::sns_aopp, "3cdc0852bf3e02401ae8aff1d446f7af0ea234fe6ca3f656093bef8840480f83",
     "d6ea991e68a7f5a11e36cfe33d4d42ef02c2f8e571e045700a8efd37d6dc0582", 12211},
    {Fam::pm, "309270a344f6e18df3673bc93f714e37819de3b3e0a84a9691c75229a277dc82",
     "4ed28cd643bf93e24b1f877fd6a79fa6ed8f3d7a30e2eedac6f656300a6c01d6", 4549},
    {Fam::cal19, "49e9f25381d89d095d7621a39a1506aec3214021c0def8c1dd12d4c09754ba04",
     "06a4dfafbe868052570e9279cce3a38f6f0bb5805e38ca1476ac48c74de718fe", 37327},
};

TEST(SessionKnownAnswers, TranscriptAndKeyDigestsAtSeedOne) {
    for (const KnownAnswer& k : kKnownAnswers) {
        SCOPED_TRACE(name_of(k.family));
        const SessionReport& r = honest(k.family);
        EXPECT_EQ(r.transcript_sha256, k.transcript_sha256);
        EXPECT_EQ(r.alice.key_sha256, k.key_sha256);
        EXPECT_EQ(r.bob.key_sha256, k.key_sha256);
        EXPECT_EQ(r.key_bits, k.key_bits);
    }
}

TEST(SessionKnownAnswers, AnotherSeedGivesAnotherTranscriptAndKey) {
    auto other = run_session(test::cal19_setup(2));
    ASSERT_TRUE(other) << other.error().to_string();
    const SessionReport& first = honest(Fam::cal19);
    EXPECT_TRUE(other->keys_equal) << failure_text(other->alice);
    EXPECT_NE(other->transcript_sha256, first.transcript_sha256);
    EXPECT_NE(other->alice.key_sha256, first.alice.key_sha256);
    EXPECT_NE(other->session_id, first.session_id);
}

TEST(SessionKnownAnswers, SameSeedGivesSameTranscript) {
    auto again = run_session(test::cal19_setup(1));
    ASSERT_TRUE(again) << again.error().to_string();
    const SessionReport& first = honest(Fam::cal19);
    EXPECT_EQ(again->transcript_sha256, first.transcript_sha256);
    EXPECT_EQ(again->alice.key_sha256, first.alice.key_sha256);
}

TEST(SessionTransports, StreamGivesTheInMemoryTranscriptAndKeys) {
    SessionSetup s = test::cal19_setup(1);
    s.transport = TransportKind::stream;
    auto r = run_session(s);
    ASSERT_TRUE(r) << r.error().to_string();
    const SessionReport& memory = honest(Fam::cal19);
    EXPECT_EQ(r->alice.state, State::done) << failure_text(r->alice);
    EXPECT_EQ(r->bob.state, State::done) << failure_text(r->bob);
    EXPECT_TRUE(r->keys_equal);
    EXPECT_EQ(r->transcript_sha256, memory.transcript_sha256);
    EXPECT_EQ(r->alice.key_sha256, memory.alice.key_sha256);
    EXPECT_EQ(r->bob.key_sha256, memory.bob.key_sha256);
    EXPECT_EQ(r->key_bits, memory.key_bits);
    EXPECT_EQ(r->frames, memory.frames);
}

TEST(SessionSetupErrors, AnAdversaryNeedsTheInMemoryTransport) {
    SessionSetup s = test::cal19_setup(1);
    s.transport = TransportKind::stream;
    s.adversary = [](InFlight f) { return std::vector<InFlight>{std::move(f)}; };
    auto r = run_session(s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "adversary");
}

TEST(SessionSetupErrors, PhaseMatchSlicesAreRefused) {
    SessionSetup s = test::cal19_setup(1);
    s.protocol.family = security::Family::sns;
    s.protocol.phase_match_slices = 1;
    auto r = run_session(s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "phase_match_slices");
}

}  // namespace
}  // namespace tfqkd::network
