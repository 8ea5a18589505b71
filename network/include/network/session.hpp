// One TF-QKD session over a simulated link: Alice, Bob and Charlie (protocol/party) connected by a
// transport, with the simulated relay's detectors (hardware_model::HeraldStream) driven by the
// parties' own per-slot choices. docs/protocol.md, section 7.
//
// The runner is where hardware, parties and transports meet (docs/architecture.md): it derives
// every seed from one, runs the parties until each is done or aborted, lets an adversary on the
// wire drop, change, repeat or reorder frames (for the fault tests), and reports what happened:
// stages with their times, counts, QBER, the certified length, the keys' digests and the transcript's.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "hardware_model/channel.hpp"
#include "protocol/party/party.hpp"
#include "security/experiment.hpp"

namespace tfqkd::network {

enum class TransportKind : std::uint8_t {
    in_memory,  // one thread, frames queued in order: deterministic, the fault tests' transport
    stream,     // each party in its own thread, frames over socket pairs (byte streams), as a
                // process boundary would carry them: what a conformance shim talks to
};

// A frame on its way, as the adversary sees it.
struct InFlight {
    wire::Role from = wire::Role::alice;
    wire::Role to = wire::Role::bob;
    Bytes frame;
    std::uint64_t index = 0;  // frames handed to the transport so far, this one included (from 1)
};

// The network adversary: called once per frame in sending order; returns the frames to deliver in
// its place (none to drop it, two to repeat it, a changed one to tamper with it; frames kept back
// from earlier calls may be released later to reorder). In-memory transport only.
using Adversary = std::function<std::vector<InFlight>(InFlight frame)>;

struct SessionSetup {
    security::ProtocolParameters protocol;   // family, AOPP, settings, M, N (k is 0: not on the wire)
    security::SecurityParameters security;
    hardware_model::Link link;
    std::uint64_t seed = 1;       // every other seed is derived from it (docs/protocol.md 7)
    std::uint64_t session_id = 0; // 0: derived from the seed
    std::uint64_t block_id = 1;
    // Bits in each direction's pre-shared authentication pool: 2^24 bits key 65 536 tags, more than the
    // frames of a 10^7-bit Cascade run (a deployment replenishes the pools from generated key).
    std::uint64_t pool_bits = 1U << 24;
    // The pools to start from instead (a previous block's next_pools); null: derived from the seed.
    std::shared_ptr<const party::PeerPools> pools;
    // Key bits per direction moved into the pools once the block has a key (docs/protocol.md 3.6);
    // 0: the whole key is delivered and no next_pools are made.
    std::uint64_t replenish_bits = 0;
    // Cascade's QBER estimate, shared by both parties; 0: the link's predicted key error rate
    // (hardware_model::expected_statistics), at least 0.1 %.
    double cascade_qber_estimate = 0;
    TransportKind transport = TransportKind::in_memory;
    std::uint64_t events_per_report = 1U << 20;
    std::uint64_t timeout_ns = 600'000'000'000ULL;
    Adversary adversary;  // empty: an honest network
    // Called when the runner enters a stage ("parameters", "quantum", "sifting", ...), for progress
    // displays; may be empty.
    std::function<void(std::string_view stage)> on_stage;
};

struct StageTime {
    std::string stage;
    double seconds = 0;
};

struct PartyOutcome {
    wire::Role role = wire::Role::alice;
    party::State state = party::State::idle;
    std::optional<party::Failure> failure;
    std::optional<pp::KeyMetadata> key;
    std::string key_sha256;  // hex digest of the key's bytes (the key itself is never reported)
};

struct SessionReport {
    std::uint64_t session_id = 0;
    std::uint64_t heralds = 0;              // slots in which a detector clicked
    PartyOutcome alice, bob, charlie;
    party::PartySummary alice_summary, bob_summary;
    bool keys_equal = false;                // both done with the same key (compared in constant time)
    std::uint64_t key_bits = 0;
    double qber = 0;                        // Bob's corrected bits over the reconciled bits
    double cascade_qber_estimate = 0;
    std::uint64_t frames = 0, bytes = 0;    // delivered
    std::string transcript_sha256;          // over every channel's frames (docs/protocol.md 7)
    std::vector<StageTime> stages;
    double seconds = 0;                     // wall time of the whole session
    std::uint64_t peak_rss_bytes = 0;       // of the process, at the end
    // With replenish_bits: the pools for the next block (what neither party used, then the fresh
    // bits), identical at both ends (checked in constant time); null otherwise or if they differ.
    std::shared_ptr<const party::PeerPools> next_pools;
};

// Runs one session. Errors (before any party runs): parameters the parties refuse (their error,
// naming the field), a link the simulator refuses, an adversary with the stream transport.
Result<SessionReport> run_session(const SessionSetup& setup);

// The session_params message a setup proposes.
Result<wire::SessionParams> session_params_of(const SessionSetup& setup);

}  // namespace tfqkd::network
