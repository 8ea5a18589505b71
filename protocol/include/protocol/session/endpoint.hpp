// One party's end of one channel of a session: docs/protocol.md, section 2.
//
// An Endpoint numbers what its party sends and, on the peer channel (Alice <-> Bob), tags it with
// Wegman-Carter from the sending pool; it accepts only the next frame of its session from the
// expected sender, in order, with a tag that verifies under the receiving pool. Everything else ends
// the channel with a Failure whose reason is the abort reason the party sends (docs/wire-format.md
// 5.16) and whose detail says what was wrong. Sans-IO: frames in, frames out; the transport is the
// caller's.
//
// The checks run in the order that gives the most precise reason: the frame's form (decode_error),
// its route (unexpected_message), its session id and sequence number (protocol_violation: replayed,
// reordered, dropped or foreign frames), its tag (authentication_failed: forged or modified frames;
// auth_pool_exhausted), then the payload (decode_error). The header is read before the tag is
// checked, so an adversary can choose which of these reasons a bad frame gets, never whether it is
// accepted: every one of them aborts.
//
// Once failed, an endpoint stays failed: every later call returns the same Failure, with one
// exception: after a failure on a received frame, seal() still frames an `abort` (the send direction
// is intact), so that the peer learns the reason rather than timing out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "base/bytes.hpp"
#include "protocol/postprocessing/authentication.hpp"
#include "protocol/wire/abort.hpp"
#include "protocol/wire/messages.hpp"
#include "protocol/wire/types.hpp"

namespace tfqkd::session {

// Why a session ends early: the abort reason and a printable detail (at most the abort message's
// 256 bytes; longer texts are cut).
struct Failure {
    wire::Abort::Reason reason = wire::Abort::Reason::internal_error;
    std::string detail;
    bool operator==(const Failure&) const = default;
};

// The abort message that reports `failure` for block `block_id`.
wire::Abort abort_message(std::uint64_t block_id, const Failure& failure);

class Endpoint {
public:
    // The peer channel between `self` and `peer` (alice and bob, either way round): frames are
    // tagged from `send_pool` and verified with `receive_pool` (one pool per direction, both parties
    // holding the same two).
    static Endpoint peer(wire::Role self, wire::Role peer, std::uint64_t session_id, pp::KeyPool send_pool,
                         pp::KeyPool receive_pool);
    // A channel to or from charlie: no tags (WF-FRM-4), the same numbering and order.
    static Endpoint relay(wire::Role self, wire::Role other, std::uint64_t session_id);

    // The frame carrying `message` as the next one this party sends on the channel.
    std::variant<Bytes, Failure> seal(const wire::Message& message);
    // The message of the next frame received on the channel.
    std::variant<wire::Message, Failure> open(ByteSpan frame);

    const std::optional<Failure>& failure() const noexcept { return failure_; }
    std::uint64_t sent() const noexcept { return next_send_; }
    std::uint64_t received() const noexcept { return next_receive_; }
    // The pools' remaining bits (0 on a relay channel).
    std::uint64_t send_pool_bits() const noexcept { return send_pool_.available_bits(); }
    std::uint64_t receive_pool_bits() const noexcept { return receive_pool_.available_bits(); }
    // A Wegman-Carter tag over `message` from the next bits of the send or the receive pool, for the
    // key confirmation (docs/protocol.md 3.4): each party keys its confirmation from the pool of the
    // other direction, so that both ends debit every pool in the same order. Errors: the pool's
    // (auth_pool_exhausted), or a relay channel (internal_error).
    enum class PoolSide : std::uint8_t { send, receive };
    std::variant<wire::Tag, Failure> pool_tag(ByteSpan message, PoolSide side);
    // Moves out every unused bit of the send and the receive pool (for the next block's endpoint);
    // both pools are then empty. A relay channel has none.
    std::pair<SecretBits, SecretBits> release_pools();
    // Key bits to add to the pools (from generated key, docs/postprocessing.md "Authentication").
    void replenish(const SecretBits& send_bits, const SecretBits& receive_bits);

private:
    Endpoint(wire::Role self, wire::Role other, std::uint64_t session_id, bool tagged, pp::KeyPool send_pool,
             pp::KeyPool receive_pool);
    Failure fail(wire::Abort::Reason reason, std::string detail);

    wire::Role self_;
    wire::Role other_;
    std::uint64_t session_id_;
    bool tagged_;
    pp::KeyPool send_pool_;
    pp::KeyPool receive_pool_;
    std::uint64_t next_send_ = 0;
    std::uint64_t next_receive_ = 0;
    std::optional<Failure> failure_;
    bool send_failed_ = false;  // the failure came from sealing: nothing more can be sent
};

}  // namespace tfqkd::session
