// Alice, Bob and Charlie as sans-IO state machines: docs/protocol.md.
//
// A party takes frames (with the sender and the current time), local events (Alice's start,
// Charlie's detector clicks, the passing of time) and returns frames to send. It ends in `done`
// with a key (Alice and Bob) or in `aborted` with a Failure whose reason it has sent to the others.
// Every input is first looked up in the transition table (states.hpp); an input the table does not
// list for the current state aborts with unexpected_message, and a state reached that the row does
// not allow aborts with internal_error, so the code cannot leave the table.
//
// Time is a number of nanoseconds on any clock the caller likes; randomness comes from a
// RandomSource the caller passes (SeededRandom for simulation; a deployment passes its quantum or
// cryptographic generator). The per-slot choices of Alice and Bob come from security::ChoiceSource,
// whose seed the caller passes too, so that the simulated devices send what the parties recorded.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/rng.hpp"
#include "base/secret.hpp"
#include "protocol/party/states.hpp"
#include "protocol/postprocessing/key.hpp"
#include "protocol/session/endpoint.hpp"
#include "protocol/wire/messages.hpp"
#include "security/choices.hpp"
#include "security/experiment.hpp"
#include "security/sns.hpp"

namespace tfqkd::party {

using session::Failure;

// Where a party's secret randomness comes from (AOPP pairing, the verification and
// privacy-amplification seeds).
class RandomSource {
public:
    virtual ~RandomSource() = default;
    virtual void fill(MutableByteSpan out) = 0;
    std::uint64_t next_u64();
    // Uniform in [0, bound), bound > 0.
    std::uint64_t below(std::uint64_t bound);
};

// A seeded counter-based generator: reproducible sessions for simulation and tests. NOT
// cryptographic (base/rng.hpp): a deployment must pass a real random source.
class SeededRandom final : public RandomSource {
public:
    explicit SeededRandom(std::uint64_t seed) : rng_(seed, 0x5EED) {}
    void fill(MutableByteSpan out) override;

private:
    CounterRng rng_;
};

// A frame to send and its receiver.
struct Outgoing {
    wire::Role to = wire::Role::bob;
    Bytes frame;
};

// The two pre-shared pools of the peer channel, one per direction; Alice and Bob hold equal copies.
struct PeerPools {
    SecretBits alice_to_bob;
    SecretBits bob_to_alice;
};

struct TrustedPartyConfig {
    wire::Role role = wire::Role::alice;  // alice or bob
    std::uint64_t session_id = 0;
    // Alice proposes these parameters; Bob accepts exactly these (parameter_mismatch otherwise),
    // as a deployment's Bob accepts what his own configuration allows.
    wire::SessionParams params;
    // eps_smooth is not on the wire; both ends use this value (docs/protocol.md 3.2).
    double eps_smooth = 1e-10;
    // Cascade's block sizes come from this QBER estimate; both ends must use the same value.
    double cascade_qber_estimate = 0.02;
    std::uint64_t choice_seed = 0;  // the party's per-slot choices (security::ChoiceSource)
    PeerPools pools;
    // A party that has waited this long for a frame aborts with `timeout` (on tick()).
    std::uint64_t timeout_ns = 600'000'000'000ULL;
    // Events per detection report that the party accepts at most (memory bound): 10^8 on the wire.
    std::uint64_t max_events = 100'000'000;
};

// What a party saw and computed, for reports and tests; no secret in it.
struct PartySummary {
    std::uint64_t events = 0;            // Charlie's reported events (heralded slots)
    std::uint64_t key_events = 0;        // sifted key events (before AOPP)
    security::AoppCounts aopp;           // SNS with AOPP
    std::uint64_t reconciled_bits = 0;   // error correction's input (after AOPP)
    std::uint64_t disclosed_bits = 0;    // Cascade's parity bits
    std::uint64_t extra_leaked_bits = 0; // AOPP: the announced raw-key counts, log2(n_t + 1) rounded up
    std::uint64_t corrected_bits = 0;    // Bob: bits Cascade flipped (the key's errors)
    std::uint64_t round_trips = 0;       // Bob: Cascade's
    std::optional<security::CountStatistics> counts;     // as certified (after error correction)
    std::optional<security::KeyLength> certified;        // the final certification
    std::uint64_t certified_bits_before_ec = 0;           // the length with no leakage (the no_key check)
    std::uint64_t frames_sent = 0, frames_received = 0, bytes_sent = 0, bytes_received = 0;
    std::uint64_t authentication_bits_used = 0;
    std::vector<std::pair<State, std::uint64_t>> history;  // states entered, with the time
};

class TrustedParty {
public:
    // Errors: the role is not alice or bob; the parameters fail their wire check or describe a
    // protocol the session does not run (party::check_session_protocol); a pool shorter than one tag.
    static Result<TrustedParty> create(TrustedPartyConfig config, std::unique_ptr<RandomSource> random);
    TrustedParty(TrustedParty&&) noexcept;
    TrustedParty& operator=(TrustedParty&&) noexcept;
    ~TrustedParty();

    // Alice only: proposes the block.
    void start(std::uint64_t now_ns);
    // One frame from `from` (the transport says who sent it; the frame's header must agree).
    void receive(wire::Role from, ByteSpan frame, std::uint64_t now_ns);
    // The passing of time: aborts with `timeout` after config.timeout_ns without a frame.
    void tick(std::uint64_t now_ns);

    std::vector<Outgoing> take_outgoing();
    State state() const noexcept;
    wire::Role role() const noexcept;
    const std::optional<Failure>& failure() const noexcept;
    // The key, once done.
    const std::optional<pp::FinalKey>& key() const noexcept;
    std::optional<pp::FinalKey> take_key();
    const PartySummary& summary() const noexcept;
    // Once done: replenishes the authentication pools from the key (docs/protocol.md 3.6) and hands
    // them over for the next block. The key's first `bits_per_direction` bits go to the end of the
    // Alice -> Bob pool, the next as many to the Bob -> Alice pool; the key keeps the rest
    // (metadata.pool_bits records what was moved). The returned pools hold every bit this party
    // has not used, then the fresh ones; Alice's and Bob's are equal. Errors: not done, or a key
    // shorter than 2 * bits_per_direction + 1 bits (field "bits_per_direction").
    Result<PeerPools> next_block_pools(std::uint64_t bits_per_direction);
    // The protocol parameters of the block, as the security layer reads them.
    const security::ProtocolParameters& protocol() const noexcept;

    struct Impl;

private:
    explicit TrustedParty(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The protocol parameters of a session_params message, as the security layer reads them, and the
// security parameters (eps_smooth is not on the wire: both ends configure it).
security::ProtocolParameters protocol_of(const wire::SessionParams& params);
security::SecurityParameters security_of(const wire::SessionParams& params, double eps_smooth);

// One heralded slot as Charlie's detectors saw it.
struct Detection {
    std::uint64_t slot = 0;
    wire::DetectionReport::Click click = wire::DetectionReport::Click::left;
};

struct CharlieConfig {
    std::uint64_t session_id = 0;
    std::uint64_t events_per_report = 1U << 20;  // a report is sent when this many events are pending
    std::uint64_t timeout_ns = 600'000'000'000ULL;
};

// The relay: untrusted by the others, honest in this implementation (the conformance harness
// brings the lying ones). He acknowledges Alice's parameters and reports his clicks.
class Charlie {
public:
    explicit Charlie(CharlieConfig config);
    void receive(wire::Role from, ByteSpan frame, std::uint64_t now_ns);
    // Clicks in increasing slot order, within the block; a batch that breaks the order or leaves the
    // block aborts with internal_error (the caller's bug, reported as such).
    void detections(std::span<const Detection> batch, std::uint64_t now_ns);
    void detections_complete(std::uint64_t now_ns);
    void tick(std::uint64_t now_ns);

    std::vector<Outgoing> take_outgoing();
    State state() const noexcept { return state_; }
    const std::optional<Failure>& failure() const noexcept { return failure_; }
    std::uint64_t pulses() const noexcept { return pulses_; }
    std::uint64_t reported_events() const noexcept { return reported_events_; }

private:
    bool enter(const Input& input);
    void move_to(State next);
    void fail(Failure failure);
    void flush(bool final);
    void send(wire::Role to, const wire::Message& message);

    CharlieConfig config_;
    session::Endpoint to_alice_;
    session::Endpoint to_bob_;
    State state_ = State::idle;
    const Transition* row_ = nullptr;
    std::optional<Failure> failure_;
    std::uint64_t block_id_ = 0;
    std::uint64_t pulses_ = 0;
    std::uint64_t next_slot_ = 0;      // the first slot the next report covers
    std::uint64_t last_detection_ = 0; // for the order check
    bool any_detection_ = false;
    std::uint64_t reported_events_ = 0;
    std::uint64_t last_activity_ = 0;
    wire::DetectionReport pending_;
    std::vector<Outgoing> outgoing_;
};

}  // namespace tfqkd::party
