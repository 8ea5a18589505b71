// One live session against a shim: the harness's side (internal to conformance/; live.cpp grades
// what it returns). docs/vendor-guide.md section 7.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conformance/shim.hpp"
#include "protocol/party/party.hpp"
#include "protocol/wire/types.hpp"

namespace tfqkd::conformance::live {

// What the harness does to the frames on their way to the shim (the shim's peer and relay are the
// harness's reference parties; only what the shim receives is touched).
enum class Fault : std::uint8_t {
    none,
    // The network (no key material): the shim must notice through tags, sequence and state.
    tamper_payload,   // one payload bit of a peer frame flipped
    tamper_tag,       // one tag bit of a peer frame flipped
    replay,           // a frame delivered twice
    reorder,          // a frame held back and delivered after the next frame to the shim
    drop,             // a frame never delivered
    garbage,          // bytes that are not a frame, before a frame
    // An authenticated peer that breaks the protocol (the frame is re-tagged with the pool bits the
    // reference used, so the tag verifies and the shim must check the content).
    truncated,        // the payload cut by one byte (the header's length follows)
    oversized,        // a header announcing a payload longer than the wire allows
    out_of_state,     // a message the shim's state does not take, in place of the expected one
    wrong_session,    // the header's session id changed
    wrong_block,      // the message's block id changed
    sequence_skip,    // the header's sequence number one too high
    wrong_verification,  // Bob's verification hash changed
    bad_confirmation,    // the key confirmation changed
    aopp_reused_pair,    // Bob's AOPP pairs use one event twice
    cascade_out_of_range,  // a Cascade query about bits outside the key
    // A lying relay (Charlie is the harness's; frames from him carry no tag).
    relay_invent,     // detections in slots where nobody clicked, told to both
    relay_hide,       // detections left out, for both
    relay_move,       // detections moved to the next slot, for both
    relay_beyond_block,  // the last report to the shim runs past the block's N slots
    relay_overlap,    // a report to the shim starts inside the slots the previous one covered
    relay_split_view,    // the shim's reports lack events that the other party's have
    relay_bad_ack_digest,  // Charlie's acknowledgement to the shim names other parameters
};

std::string_view fault_name(Fault fault) noexcept;  // "tamper-payload", "relay-invent" (relay: "invent")

// The parameters the harness's own party is configured with, when they differ from the shim's.
enum class Mismatch : std::uint8_t { none, intensity, pulses, epsilon };

struct SessionSpec {
    std::string family = "sns-aopp";   // the family of the block ("sns-aopp"; "sns": SNS without AOPP)
    wire::Role shim_role = wire::Role::alice;
    Fault fault = Fault::none;
    wire::MessageType target = wire::MessageType::abort;  // the message type the fault acts on
    std::uint64_t occurrence = 1;      // the how-manyth frame of that type to the shim (from 1)
    Mismatch mismatch = Mismatch::none;
    std::uint64_t pool_bits = 1U << 17;  // per direction (512 tags; SNS without AOPP needs over 128)
    std::uint64_t seed = 1;
};

// A party the harness played.
struct HarnessParty {
    wire::Role role = wire::Role::bob;
    party::State state = party::State::idle;
    std::optional<party::Failure> failure;
    std::uint64_t key_bits = 0;
    std::string key_sha256;
    std::optional<pp::KeyMetadata> metadata;
    std::optional<party::PartySummary> summary;  // Alice and Bob
    security::ProtocolParameters protocol;       // Alice and Bob
    security::SecurityParameters security;
};

struct SessionRun {
    std::string start_error;        // the harness could not start the shim (or set the session up)
    bool hung = false;              // killed at the time limit
    bool flooded = false;           // killed for writing too much
    std::optional<int> exit_code, signal;
    std::string output;             // the tail of the shim's stderr (and stdout)
    std::optional<shim::Outcome> outcome;
    std::string outcome_error;      // why there is no outcome (missing file, bad JSON)
    std::vector<HarnessParty> harness;   // the two other parties
    std::vector<std::string> trace;      // what the harness did and saw, for the report
    // The shim sent something no fault explains: a frame as another role, to itself, bytes that are
    // not a frame, or a frame that made a reference party abort (other than an abort message).
    std::vector<std::string> violations;
    bool fault_applied = false;     // the fault found its target frame
    double seconds = 0;
};

struct RunLimits {
    double timeout_seconds = 60;
    std::uint64_t output_cap_bytes = 1U << 20;
    std::uint64_t party_timeout_ms = 3000;  // the shim's and the reference parties' silence limit
};

// Runs one session; `work_dir` holds its files (removed by the caller).
SessionRun run_session(const std::string& shim, const SessionSpec& spec, const RunLimits& limits,
                       const std::string& work_dir);

}  // namespace tfqkd::conformance::live
