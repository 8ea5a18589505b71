// libFuzzer target for the parties (protocol/party/party.hpp) facing a lying relay. Charlie is
// untrusted and his channel carries no tag, so whatever he sends reaches the parties' logic: the
// detection reports are where an adversary feeds a party the most. Here the fuzzer is Charlie.
//
// Alice and Bob run honestly (a 4-intensity SNS block with AOPP of 4096 slots). After the
// parameters and acks, the input is cut into reports: two bytes (big-endian) hold a chunk's length times two, the chunk is
// decoded as a detection_report payload and, if it decodes, framed as Charlie's next frame and
// delivered; their low bit says whether it goes to Alice (0) or to Bob (1) (a
// relay that tells each a different story). A chunk that does not decode is delivered raw, as a
// frame, to the party the bit names. Then Alice and Bob talk until neither has anything to send.
//
// Checked beyond "no crash, no leak, no undefined behaviour" under ASan and UBSan: a party that
// output a key is `done` and its peer, if done too, holds the same key; a party that aborted holds
// no key.
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <memory>

#include "base/secret.hpp"
#include "protocol/party/party.hpp"
#include "protocol/wire/codec.hpp"

namespace {

using namespace tfqkd;
using party::State;
using wire::Role;

constexpr std::uint64_t kSession = 0x51D;
constexpr std::uint64_t kPulses = 4096;

wire::SessionParams params() {
    wire::SessionParams p;
    p.block_id = 3;
    p.family = wire::SessionParams::Family::sns;
    p.pulse_count = kPulses;
    p.phase_slices = 16;
    using W = wire::SessionParams::Window;
    p.alice_settings = {{W::z, 0.5, 0.3}, {W::z, 0, 0.4}, {W::x, 0, 0.1}, {W::x, 0.1, 0.1}, {W::x, 0.4, 0.1}};
    p.bob_settings = p.alice_settings;
    p.eps_total = 1e-8;
    p.capabilities = wire::SessionParams::kCapAopp | wire::SessionParams::kCapCascade;
    return p;
}

SecretBits pool(std::uint64_t seed) {
    SecretBits bits(1U << 16);
    party::SeededRandom(seed).fill(bits.reveal_mutable());
    return bits;
}

party::TrustedParty make(Role role) {
    party::TrustedPartyConfig c;
    c.role = role;
    c.session_id = kSession;
    c.params = params();
    c.choice_seed = role == Role::alice ? 11 : 12;
    c.pools.alice_to_bob = pool(1);
    c.pools.bob_to_alice = pool(2);
    auto p = party::TrustedParty::create(std::move(c), std::make_unique<party::SeededRandom>(role == Role::alice ? 5 : 6));
    if (!p) std::abort();
    return std::move(*p);
}

struct InFlight {
    Role from;
    Role to;
    Bytes frame;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    party::TrustedParty alice = make(Role::alice);
    party::TrustedParty bob = make(Role::bob);
    party::Charlie charlie({kSession, 1U << 20, 600'000'000'000ULL});
    // Charlie's own ends, to frame what the fuzzer says as his next frames.
    session::Endpoint to_alice = session::Endpoint::relay(Role::charlie, Role::alice, kSession);
    session::Endpoint to_bob = session::Endpoint::relay(Role::charlie, Role::bob, kSession);

    std::deque<InFlight> queue;
    const auto collect = [&]() {
        for (auto& o : alice.take_outgoing()) queue.push_back({Role::alice, o.to, std::move(o.frame)});
        for (auto& o : bob.take_outgoing()) queue.push_back({Role::bob, o.to, std::move(o.frame)});
        for (auto& o : charlie.take_outgoing()) queue.push_back({Role::charlie, o.to, std::move(o.frame)});
    };
    bool charlie_acked = false;
    const auto deliver = [&]() {
        while (!queue.empty()) {
            InFlight f = std::move(queue.front());
            queue.pop_front();
            if (f.to == Role::alice) alice.receive(f.from, f.frame, 1);
            else if (f.to == Role::bob) bob.receive(f.from, f.frame, 1);
            else if (!charlie_acked) {
                // The real Charlie acknowledges the parameters (his ack takes his first sequence
                // number to Alice, so the fuzzer's frames to her start at 1); later frames to him
                // (aborts) are dropped.
                charlie.receive(f.from, f.frame, 1);
                charlie_acked = true;
                for (auto& o : charlie.take_outgoing()) {
                    if (auto sealed = to_alice.seal(wire::SessionParamsAck{}); !std::holds_alternative<Bytes>(sealed))
                        std::abort();  // keeps Charlie's sequence to Alice in step with the real ack
                    queue.push_back({Role::charlie, o.to, std::move(o.frame)});
                }
            }
            collect();
        }
    };
    alice.start(0);
    collect();
    deliver();

    // The fuzzer's reports.
    std::size_t at = 0;
    while (at + 2 <= size && (alice.state() == State::collecting_reports || bob.state() == State::collecting_reports)) {
        const std::size_t word = (static_cast<std::size_t>(data[at]) << 8) | data[at + 1];
        const bool to_bob_side = (word & 1U) != 0;
        const std::size_t length = word >> 1;
        at += 2;
        const std::size_t take = length < size - at ? length : size - at;
        const ByteSpan chunk(data + at, take);
        at += take;
        session::Endpoint& end = to_bob_side ? to_bob : to_alice;
        auto report = wire::decode_payload<wire::DetectionReport>(chunk);
        Bytes frame;
        if (report) {
            auto sealed = end.seal(*report);
            if (!std::holds_alternative<Bytes>(sealed)) continue;
            frame = std::get<Bytes>(std::move(sealed));
        } else {
            frame.assign(chunk.begin(), chunk.end());
        }
        if (to_bob_side) bob.receive(Role::charlie, frame, 2);
        else alice.receive(Role::charlie, frame, 2);
        collect();
        deliver();
    }
    // Whatever state they are in, let time pass: every party must end.
    alice.tick(1'000'000'000'000ULL);
    bob.tick(1'000'000'000'000ULL);
    collect();
    deliver();

    for (party::TrustedParty* p : {&alice, &bob}) {
        const bool done = p->state() == State::done;
        if (done != p->key().has_value()) std::abort();
        if (p->state() != State::done && p->state() != State::aborted) std::abort();  // the tick ends every wait
    }
    if (alice.state() == State::done && bob.state() == State::done) {
        const SecretBits& a = alice.key()->bits();
        const SecretBits& b = bob.key()->bits();
        if (a.size() != b.size() || !constant_time_equal(a.reveal(), b.reveal())) std::abort();
    }
    return 0;
}
