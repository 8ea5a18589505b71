// The states of Alice, Bob and Charlie and their transition table: docs/protocol.md, section 5.
//
// The table is data, not a description of the code: every party looks up (its state, the input) in
// it before acting, aborts with unexpected_message when the pair is absent, and after acting checks
// that the state it reached is one the entry allows (internal_error otherwise). So a transition that
// the code takes and the table lacks fails at once, and the formal model of issue #7 is checked
// against this one table.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "protocol/wire/types.hpp"

namespace tfqkd::party {

// One enum for the three parties' states: the table is then one array, and a model checker sees one
// state space. Each party uses its own subset (the table's `party` column).
enum class State : std::uint8_t {
    idle = 0,                 // created; Alice waits for start, Bob and Charlie for session_params
    awaiting_acks,            // Alice: params sent, waiting for Bob's and Charlie's acknowledgements
    collecting_reports,       // Alice, Bob: receiving Charlie's detection reports until they cover the block
    measuring,                // Charlie: acknowledged; his detectors run; he reports what they saw
    awaiting_peer_sifting,    // Alice: her windows sent; Bob: reports complete, waiting for Alice's windows
    awaiting_peer_decoys,     // Alice: her decoy announcement sent; Bob: waiting for Alice's
    awaiting_pairing,         // Alice (SNS with AOPP): waiting for Bob's pairs
    awaiting_parity,          // Bob (SNS with AOPP): pairs sent, waiting for Alice's parities
    reconciling,              // Alice answers Cascade queries; Bob asks and corrects
    awaiting_amplification,   // Bob: verification sent, waiting for the privacy-amplification seed
    awaiting_confirmation,    // both: waiting for the other's key confirmation
    done,                     // a key was output (Charlie: the block is reported)
    aborted,                  // ended without a key
};
inline constexpr std::size_t kStateCount = 13;

std::string_view state_name(State state) noexcept;

// What drives a transition: a message (of a type, from a sender) or a local event.
enum class Event : std::uint8_t {
    start = 0,            // Alice: the operator starts the block
    detections,           // Charlie: a batch of his detectors' clicks
    detections_complete,  // Charlie: his detectors have seen the whole block
    timeout,              // no expected frame arrived in time
    message,              // a frame that decoded and authenticated (type and sender in the Input)
};

struct Input {
    Event event = Event::message;
    wire::MessageType type = wire::MessageType::abort;  // for Event::message
    wire::Role from = wire::Role::alice;                 // for Event::message
};

// One row: in `state`, `party` accepts `input` and moves to one of `next` (a bit set over State).
struct Transition {
    wire::Role party;
    State state;
    Event event;
    wire::MessageType type;  // Event::message only
    wire::Role from;         // Event::message only
    std::uint16_t next;      // bit (1 << State) for every state the input may lead to
    std::string_view action; // what the party does, for docs/protocol.md and the formal model
};

// The whole table (docs/protocol.md, section 5 prints it).
std::span<const Transition> transition_table() noexcept;

// The row for (party, state, input), if the table has one. An abort message and a timeout are
// accepted in every non-terminal state (the table lists them like every other row).
const Transition* find_transition(wire::Role party, State state, const Input& input) noexcept;

constexpr std::uint16_t state_bit(State s) noexcept { return static_cast<std::uint16_t>(1U << static_cast<unsigned>(s)); }

}  // namespace tfqkd::party
