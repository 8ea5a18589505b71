// The transition table of the parties: protocol/party/states.hpp, docs/protocol.md section 5.
#include "protocol/party/states.hpp"

#include <array>

namespace tfqkd::party {

namespace {

using wire::MessageType;
using wire::Role;
using S = State;

constexpr std::uint16_t bits(std::initializer_list<State> states) {
    std::uint16_t b = 0;
    for (State s : states) b = static_cast<std::uint16_t>(b | state_bit(s));
    return b;
}

constexpr Transition msg(Role party, State state, MessageType type, Role from, std::uint16_t next,
                         std::string_view action) {
    return {party, state, Event::message, type, from, next, action};
}
constexpr Transition local(Role party, State state, Event event, std::uint16_t next, std::string_view action) {
    return {party, state, event, MessageType::abort, party, next, action};
}

// The rows by party and in protocol order. The abort and timeout rows of every non-terminal state
// are generated below, so that none can be forgotten.
constexpr std::array kMainRows = {
    // Alice leads: she proposes the block, announces first at every step, answers Bob's queries and
    // picks the privacy-amplification seed.
    local(Role::alice, S::idle, Event::start, bits({S::awaiting_acks}),
          "send session_params to bob and charlie"),
    msg(Role::alice, S::awaiting_acks, MessageType::session_params_ack, Role::bob,
        bits({S::awaiting_acks, S::collecting_reports, S::aborted}),
        "check the digest (parameter_mismatch); wait for the other ack"),
    msg(Role::alice, S::awaiting_acks, MessageType::session_params_ack, Role::charlie,
        bits({S::awaiting_acks, S::collecting_reports, S::aborted}),
        "check the digest (parameter_mismatch); wait for the other ack"),
    msg(Role::alice, S::collecting_reports, MessageType::detection_report, Role::charlie,
        bits({S::collecting_reports, S::awaiting_peer_sifting, S::aborted}),
        "check the report continues the block; once it is covered, send her windows"),
    msg(Role::alice, S::awaiting_peer_sifting, MessageType::sifting_announcement, Role::bob,
        bits({S::awaiting_peer_decoys, S::aborted}), "check one window per event; send her decoy announcement"),
    msg(Role::alice, S::awaiting_peer_decoys, MessageType::decoy_announcement, Role::bob,
        bits({S::awaiting_pairing, S::reconciling, S::aborted}),
        "check the entries; certify the length without leakage (no_key); wait for pairs (AOPP) or queries"),
    msg(Role::alice, S::awaiting_pairing, MessageType::aopp_pairing, Role::bob, bits({S::reconciling, S::aborted}),
        "check the pairs (key events, each once); send her parities"),
    msg(Role::alice, S::reconciling, MessageType::cascade_parity_query, Role::bob, bits({S::reconciling, S::aborted}),
        "answer the query"),
    msg(Role::alice, S::reconciling, MessageType::verification, Role::bob, bits({S::awaiting_confirmation, S::aborted}),
        "check the hash (verification_failed); certify with the disclosed bits (qber_too_high); "
        "send the privacy-amplification seed"),
    msg(Role::alice, S::awaiting_confirmation, MessageType::key_confirmation, Role::bob, bits({S::done, S::aborted}),
        "check the confirmation (verification_failed); send hers; output the key"),

    // Bob follows: he answers Alice's proposal, announces after her, pairs (AOPP), corrects his key.
    msg(Role::bob, S::idle, MessageType::session_params, Role::alice, bits({S::collecting_reports, S::aborted}),
        "check the parameters against his configuration; send the ack"),
    msg(Role::bob, S::collecting_reports, MessageType::detection_report, Role::charlie,
        bits({S::collecting_reports, S::awaiting_peer_sifting, S::awaiting_peer_decoys, S::aborted}),
        "check the report continues the block; once covered, answer Alice's windows if they came"),
    msg(Role::bob, S::collecting_reports, MessageType::sifting_announcement, Role::alice,
        bits({S::collecting_reports, S::aborted}), "keep Alice's windows until the reports cover the block"),
    msg(Role::bob, S::awaiting_peer_sifting, MessageType::sifting_announcement, Role::alice,
        bits({S::awaiting_peer_decoys, S::aborted}), "check one window per event; send his windows"),
    msg(Role::bob, S::awaiting_peer_decoys, MessageType::decoy_announcement, Role::alice,
        bits({S::awaiting_parity, S::reconciling, S::aborted}),
        "send his decoy announcement; certify the length without leakage (no_key); send pairs (AOPP) or "
        "the first queries"),
    msg(Role::bob, S::awaiting_parity, MessageType::aopp_parity, Role::alice, bits({S::reconciling, S::aborted}),
        "keep the odd pairs; send the first queries"),
    msg(Role::bob, S::reconciling, MessageType::cascade_parity_reply, Role::alice,
        bits({S::reconciling, S::awaiting_amplification, S::aborted}),
        "correct; send the next queries, or the verification hash when done"),
    msg(Role::bob, S::awaiting_amplification, MessageType::privacy_amplification, Role::alice,
        bits({S::awaiting_confirmation, S::aborted}),
        "check the output length equals his certified length (parameter_mismatch); compress; send his "
        "confirmation"),
    msg(Role::bob, S::awaiting_confirmation, MessageType::key_confirmation, Role::alice, bits({S::done, S::aborted}),
        "check the confirmation (verification_failed); output the key"),

    // Charlie relays: untrusted, he acknowledges the block and reports his detectors' clicks.
    msg(Role::charlie, S::idle, MessageType::session_params, Role::alice, bits({S::measuring, S::aborted}),
        "send the ack to alice"),
    local(Role::charlie, S::measuring, Event::detections, bits({S::measuring}),
          "send a detection report to alice and bob for each full batch"),
    local(Role::charlie, S::measuring, Event::detections_complete, bits({S::done}),
          "send the last detection report to alice and bob"),
};

constexpr bool terminal(State s) { return s == S::done || s == S::aborted; }

// Every non-terminal state a party uses, for the generated abort and timeout rows.
constexpr std::array<std::pair<Role, State>, 22> kLiveStates = {{
    {Role::alice, S::idle},
    {Role::alice, S::awaiting_acks},
    {Role::alice, S::collecting_reports},
    {Role::alice, S::awaiting_peer_sifting},
    {Role::alice, S::awaiting_peer_decoys},
    {Role::alice, S::awaiting_pairing},
    {Role::alice, S::reconciling},
    {Role::alice, S::awaiting_confirmation},
    {Role::bob, S::idle},
    {Role::bob, S::collecting_reports},
    {Role::bob, S::awaiting_peer_sifting},
    {Role::bob, S::awaiting_peer_decoys},
    {Role::bob, S::awaiting_parity},
    {Role::bob, S::reconciling},
    {Role::bob, S::awaiting_amplification},
    {Role::bob, S::awaiting_confirmation},
    {Role::charlie, S::idle},
    {Role::charlie, S::measuring},
    // Charlie's 'done' still takes aborts (a party may abort after his reports): listed with the
    // live states so the generated rows cover it, though it is terminal for his own inputs.
    {Role::charlie, S::done},
    // Placeholders that keep the array's size explicit; filtered out below.
    {Role::alice, S::aborted},
    {Role::bob, S::aborted},
    {Role::charlie, S::aborted},
}};

constexpr std::size_t kGeneratedPerState = 3;  // abort from each of the two others, timeout

struct Table {
    std::array<Transition, kMainRows.size() + kLiveStates.size() * kGeneratedPerState> rows{};
    std::size_t size = 0;
};

constexpr Table build() {
    Table t;
    for (const Transition& r : kMainRows) t.rows[t.size++] = r;
    for (const auto& [party, state] : kLiveStates) {
        if (state == S::aborted) continue;
        const bool charlie_done = party == Role::charlie && state == S::done;
        for (Role from : {Role::alice, Role::bob, Role::charlie}) {
            if (from == party) continue;
            // Alice and Bob never send to each other through Charlie, and Charlie hears only from
            // Alice and Bob; an abort travels every channel the wire allows (docs/wire-format.md 4).
            const std::uint16_t next = charlie_done ? bits({S::done}) : bits({S::aborted});
            t.rows[t.size++] = msg(party, state, MessageType::abort, from, next,
                                   charlie_done ? "nothing left to do" : "wipe the block's secrets; output nothing");
        }
        if (!charlie_done && !terminal(state))
            t.rows[t.size++] = local(party, state, Event::timeout, bits({S::aborted}),
                                     "send abort (timeout) to every peer; wipe the block's secrets");
    }
    return t;
}

constexpr Table kTable = build();

}  // namespace

std::string_view state_name(State state) noexcept {
    switch (state) {
        case S::idle: return "idle";
        case S::awaiting_acks: return "awaiting_acks";
        case S::collecting_reports: return "collecting_reports";
        case S::measuring: return "measuring";
        case S::awaiting_peer_sifting: return "awaiting_peer_sifting";
        case S::awaiting_peer_decoys: return "awaiting_peer_decoys";
        case S::awaiting_pairing: return "awaiting_pairing";
        case S::awaiting_parity: return "awaiting_parity";
        case S::reconciling: return "reconciling";
        case S::awaiting_amplification: return "awaiting_amplification";
        case S::awaiting_confirmation: return "awaiting_confirmation";
        case S::done: return "done";
        case S::aborted: return "aborted";
    }
    return "unknown";
}

std::span<const Transition> transition_table() noexcept { return {kTable.rows.data(), kTable.size}; }

const Transition* find_transition(wire::Role party, State state, const Input& input) noexcept {
    for (const Transition& t : transition_table()) {
        if (t.party != party || t.state != state || t.event != input.event) continue;
        if (input.event == Event::message && (t.type != input.type || t.from != input.from)) continue;
        return &t;
    }
    return nullptr;
}

}  // namespace tfqkd::party
