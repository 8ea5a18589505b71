#include "sample_transcript.hpp"

#include <openssl/sha.h>

#include <algorithm>

#include "base/rng.hpp"

namespace tfqkd::cli {
namespace {

using namespace tfqkd::wire;

// SNS with AOPP: in the key window Z a party sends a phase-randomised pulse of intensity mu_z with
// probability eps ("sending") or nothing; in the test window X it sends a decoy of 0, mu_1 or mu_2.
// Values typical of the literature (REFERENCES.md 6.3 lists them as unverified; they only shape
// this sample).
SessionParams sample_params(std::uint64_t block, std::uint64_t pulse_count) {
    SessionParams p;
    p.block_id = block;
    p.family = SessionParams::Family::sns;
    p.pulse_count = pulse_count;
    p.phase_slices = 16;
    using W = SessionParams::Window;
    const double p_z = 0.8;
    const double sending = 0.25;
    p.alice_settings = {
        {W::z, 0.48, p_z * sending},
        {W::z, 0.0, p_z * (1 - sending)},
        {W::x, 0.0, 0.2 * 0.4},
        {W::x, 0.1, 0.2 * 0.4},
        {W::x, 0.38, 0.2 * 0.2},
    };
    p.bob_settings = p.alice_settings;
    p.eps_cor = 1e-15;
    p.eps_pa = 1e-10;
    p.eps_pe = 1e-10;
    p.eps_total = 1e-9;
    p.capabilities = SessionParams::kCapAopp | SessionParams::kCapCascade | SessionParams::kCapPhaseReference;
    return p;
}

SessionParamsAck ack_of(const SessionParams& p) {
    SessionParamsAck ack;
    ack.block_id = p.block_id;
    const Result<Bytes> payload = encode_payload(p);
    if (payload) SHA256(payload->data(), payload->size(), ack.params_digest.data());
    ack.capabilities = p.capabilities;
    return ack;
}

}  // namespace

std::vector<TranscriptFrame> sample_transcript(std::uint64_t seed, std::uint64_t pulse_count) {
    CounterRng rng(seed);
    const std::uint64_t block = 1;
    const std::uint64_t session = rng.next();
    std::uint64_t seq_alice = 0;
    std::uint64_t seq_bob = 0;
    std::uint64_t seq_charlie = 0;
    std::vector<TranscriptFrame> out;
    const auto send = [&](Role from, Role to, Message m) {
        std::uint64_t& seq = from == Role::alice ? seq_alice : from == Role::bob ? seq_bob : seq_charlie;
        out.push_back({FrameHeader{type_of(m), from, to, session, seq++}, std::move(m)});
    };

    const SessionParams params = sample_params(block, pulse_count);
    send(Role::alice, Role::bob, params);
    send(Role::alice, Role::charlie, params);
    send(Role::bob, Role::alice, ack_of(params));
    send(Role::charlie, Role::alice, ack_of(params));

    // Heralding at about 3 * 10^-4 per slot, the order of 100 km of fibre per arm.
    DetectionReport report;
    report.block_id = block;
    report.first_slot = 0;
    report.slot_count = pulse_count;
    for (std::uint64_t slot = rng.below(3000); slot < pulse_count; slot += 1 + rng.below(6000)) {
        report.slots.push_back(slot);
        report.clicks.push_back(rng.below(1000) == 0 ? DetectionReport::Click::both
                                : rng.below(2) == 0  ? DetectionReport::Click::left
                                                     : DetectionReport::Click::right);
    }
    const auto events = static_cast<std::uint32_t>(report.slots.size());
    send(Role::charlie, Role::alice, report);
    send(Role::charlie, Role::bob, report);

    PhaseReferenceReport phases;
    phases.block_id = block;
    phases.sample_stride = 100'000;  // 10 kHz at a 1 GHz clock, as in the PKU network
    for (std::uint64_t s = 0; s < pulse_count / phases.sample_stride; ++s)
        phases.phases.push_back(static_cast<std::uint32_t>(rng.next()));
    send(Role::charlie, Role::alice, phases);

    // Windows: each party picks X with probability 0.2 per slot.
    SiftingAnnouncement alice_windows{block, PackedBits(events)};
    SiftingAnnouncement bob_windows{block, PackedBits(events)};
    for (std::uint32_t i = 0; i < events; ++i) {
        alice_windows.windows.set(i, rng.below(5) == 0);
        bob_windows.windows.set(i, rng.below(5) == 0);
    }
    send(Role::alice, Role::bob, alice_windows);
    send(Role::bob, Role::alice, bob_windows);

    // Decoy announcements for the events both put in X; key bits are the events both put in Z.
    DecoyAnnouncement alice_decoys{block, {}};
    DecoyAnnouncement bob_decoys{block, {}};
    std::vector<std::uint32_t> key_events;
    for (std::uint32_t i = 0; i < events; ++i) {
        const bool ax = alice_windows.windows.get(i);
        const bool bx = bob_windows.windows.get(i);
        if (ax && bx) {
            const auto slice = static_cast<std::uint16_t>(rng.below(16));
            alice_decoys.entries.push_back({i, static_cast<std::uint8_t>(2 + rng.below(3)), slice});
            bob_decoys.entries.push_back({i, static_cast<std::uint8_t>(2 + rng.below(3)),
                                          static_cast<std::uint16_t>(rng.below(16))});
        } else if (!ax && !bx) {
            key_events.push_back(i);
        }
    }
    send(Role::alice, Role::bob, alice_decoys);
    send(Role::bob, Role::alice, bob_decoys);

    // Disclose a tenth of the key events for the bit-error estimate.
    EstimationDisclosure disclosure{block, {}, {}};
    std::vector<std::uint32_t> kept;
    for (std::uint32_t e : key_events) {
        if (rng.below(10) == 0) {
            disclosure.indices.push_back(e);
            disclosure.values.push_back(rng.below(2) == 1);
        } else {
            kept.push_back(e);
        }
    }
    send(Role::bob, Role::alice, disclosure);

    // AOPP: Bob pairs kept events two by two; Alice answers each pair's parity.
    // Bob's kept bits are taken to alternate 0, 1 in pairs, so every pair holds a 0 and a 1 and an odd
    // last bit is a 0; he announces how many bits of each value he holds.
    AoppPairing pairing{block, 0, 0, {}};
    for (std::size_t i = 0; i + 1 < kept.size(); i += 2) pairing.pairs.push_back({kept[i], kept[i + 1]});
    pairing.bob_ones = pairing.pairs.size();
    pairing.bob_zeros = kept.size() - pairing.pairs.size();
    send(Role::bob, Role::alice, pairing);
    AoppParity parity{block, PackedBits(pairing.pairs.size())};
    for (std::size_t i = 0; i < pairing.pairs.size(); ++i) parity.parities.set(i, rng.below(4) != 0);
    send(Role::alice, Role::bob, parity);

    // The surviving key: one bit per odd pair. One Cascade pass over blocks of 8 bits.
    const auto key_bits = static_cast<std::uint32_t>(parity.parities.popcount());
    CascadeParityQuery query{block, 1, 1, rng.next(), {}};
    for (std::uint64_t start = 0; start < key_bits; start += 8)
        query.ranges.push_back({start, std::min<std::uint64_t>(8, key_bits - start)});
    if (query.ranges.empty()) query.ranges.push_back({0, 1});
    send(Role::alice, Role::bob, query);
    CascadeParityReply reply{block, query.query_id, PackedBits(query.ranges.size())};
    for (std::size_t i = 0; i < query.ranges.size(); ++i) reply.parities.set(i, rng.below(2) == 1);
    send(Role::bob, Role::alice, reply);

    Verification verification;
    verification.block_id = block;
    verification.algorithm = Verification::Algorithm::poly_gf2_64;
    for (int i = 0; i < 8; ++i) {
        verification.seed.push_back(static_cast<Byte>(rng.next()));
        verification.tag.push_back(static_cast<Byte>(rng.next()));
    }
    send(Role::alice, Role::bob, verification);

    PrivacyAmplification pa;
    pa.block_id = block;
    pa.input_bits = std::max<std::uint32_t>(key_bits, 2);
    pa.output_bits = pa.input_bits / 2;
    pa.seed = PackedBits(std::uint64_t{pa.input_bits} + pa.output_bits - 1);
    for (std::uint64_t i = 0; i < pa.seed.size(); ++i) pa.seed.set(i, rng.below(2) == 1);
    send(Role::alice, Role::bob, pa);

    KeyConfirmation confirmation;
    confirmation.block_id = block;
    confirmation.key_bits = pa.output_bits;
    for (auto& b : confirmation.confirmation) b = static_cast<Byte>(rng.next());
    send(Role::bob, Role::alice, confirmation);

    send(Role::alice, Role::charlie, Abort{block, Abort::Reason::user_request, "sample transcript ends here"});
    return out;
}

}  // namespace tfqkd::cli
