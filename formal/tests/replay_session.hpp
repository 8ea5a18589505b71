// Replaying a run of the formal model on the C++ parties (docs/formal.md, section 5).
//
// A run of formal/tfqkd.pml prints what happened: the protocol chosen (CHOICE), every frame sent
// (SEND), every adversary action (ADV), every move of a party (STEP) and every abort outside the
// table (ABORT). read_model_run() turns that printout into an adversary schedule and the states each
// party entered. replay() runs one session of the reference parties (network::run_session, in-memory
// transport, the fast SNS-AOPP or PM setup of the network tests) under that schedule, with each
// action performed on the same frame, named by channel, message type and occurrence. compare() then
// says where the code and the model differ, and properties() where the code's outcome breaks P1-P3.
#pragma once

#include <array>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocol/wire/types.hpp"

namespace tfqkd::formal {

// One adversary action on the real frames.
struct ReplayAction {
    std::string kind;  // drop, modify, duplicate, hold, inject
    int channel = 0;   // the model's channel numbers: alice->bob 0, alice->charlie 1, bob->alice 2,
                       // bob->charlie 3, charlie->alice 4, charlie->bob 5
    wire::MessageType type = wire::MessageType::abort;  // the frame acted on, or the injected type
    int occurrence = 0;  // the nth frame of `type` (or of `before`) on the channel, from 0
    int after = -1;      // inject on a quiet channel: after this many frames of the channel
    std::optional<wire::MessageType> before;  // inject just before a frame of this type
};

struct ModelRun {
    std::string protocol = "sns-aopp";  // sns-aopp or pm
    std::vector<ReplayAction> actions;
    std::array<std::vector<std::string>, 3> entered;  // alice, bob, charlie: the states entered
};

// Errors: a line that names an unknown message type or state number (the text says which line).
ModelRun read_model_run(std::istream& printout, const std::map<int, std::string>& state_names, std::string& error);

// The state numbers of formal/table.pml (its S_ defines).
std::map<int, std::string> read_state_names(std::istream& table_pml);

struct PartyReplay {
    std::string state;                 // final
    std::optional<std::string> failure;
    std::optional<std::string> key_sha256;
    std::vector<std::string> entered;  // states entered (Alice and Bob)
};

struct CodeRun {
    PartyReplay alice, bob, charlie;
    bool keys_equal = false;
    std::vector<std::string> tampered_peer_frames_to;  // receivers of a tampered or forged peer frame
    int unused_actions = 0;  // actions whose frame the code never sent
};

CodeRun replay(const std::string& protocol, const std::vector<ReplayAction>& actions);

// States entered with repeats folded (a Cascade round; the model asks one query per round, the code
// many), the code's initial idle left out, and Bob's awaiting_peer_sifting dropped: whether he passes
// through it depends on whether Alice's windows or Charlie's last report reach him first, an order
// the model leaves open and the in-memory transport fixes.
std::vector<std::string> collapse(const std::vector<std::string>& entered);

// Where the code's run differs from the model's, state by state (empty: they agree).
std::vector<std::string> compare(const ModelRun& model, const CodeRun& code);

// P1-P3 on the code's outcome: keys only at parties that are done, equal keys when both have one, no
// key at a party that received a tampered peer frame (Bob's exception: Alice's last frame).
std::vector<std::string> properties(const CodeRun& code);

}  // namespace tfqkd::formal
