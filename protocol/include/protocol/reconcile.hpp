// Interactive information reconciliation (error correction) as two sans-IO roles.
//
// After sifting and parameter estimation, Alice and Bob hold keys of equal length that differ in a
// fraction (the QBER) of positions. Reconciliation makes Bob's key equal to Alice's by public
// discussion. The two roles:
//   - the responder holds the reference key (Alice's, which is kept); it only answers;
//   - the corrector holds the noisy key (Bob's); it drives the protocol and corrects its key.
// Both are state machines without I/O: messages go in through receive(), come out through
// take_outgoing(), in the wire catalogue's types (protocol/wire/messages.hpp), so that the session
// code frames, authenticates and transports them and the tests can run both ends in one thread.
//
// Cascade (protocol/cascade.hpp) is one implementation: the corrector sends cascade_parity_query,
// the responder replies with cascade_parity_reply. An LDPC reconciler fits the same shape: its
// responder sends ldpc_syndrome messages (unprompted, or as the corrector asks for more), and its
// corrector decodes.
//
// Leakage is part of the contract. disclosed_bits() is the exact number of bits about the reference
// key that crossed the public channel, counted from the messages themselves (every parity bit of a
// Cascade reply, every syndrome bit of an LDPC frame), by each role independently: the two counts
// agree after a complete run, and privacy amplification subtracts it (leak_EC) from the key length.
#pragma once

#include <cstdint>
#include <vector>

#include "base/bits.hpp"
#include "base/result.hpp"
#include "protocol/wire/messages.hpp"

namespace tfqkd::protocol {

enum class ReconciliationState : std::uint8_t {
    running,   // messages are being exchanged
    finished,  // the corrector has done all it will do; its key is final
    failed,    // a message or an input was rejected; every later call returns that error again
};

// What both roles offer.
class ReconciliationParty {
public:
    virtual ~ReconciliationParty() = default;

    // Moves out the messages this party has to send now, in order; empty while it waits for the peer.
    virtual std::vector<wire::Message> take_outgoing() = 0;

    // Consumes one message from the peer. A message of a type the protocol does not use, for another
    // block, or that contradicts the conversation so far is an error naming the field; the party is
    // then failed and the session aborts with that reason.
    virtual Status receive(const wire::Message& message) = 0;

    virtual ReconciliationState state() const noexcept = 0;

    // Bits about the reference key disclosed so far (sent by the responder, received by the
    // corrector), counted exactly from the messages.
    virtual std::uint64_t disclosed_bits() const noexcept = 0;
};

// Holds the reference key and answers.
class ReconciliationResponder : public ReconciliationParty {};

// Holds the noisy key, asks, and corrects it.
class ReconciliationCorrector : public ReconciliationParty {
public:
    // The corrected key. An error unless state() is finished. Equal to the reference key with high
    // probability, not with certainty: the verification step (docs/wire-format.md, 5.13) checks it.
    virtual Result<PackedBits> corrected_key() const = 0;
};

}  // namespace tfqkd::protocol
