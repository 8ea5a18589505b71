// The transition table of the parties (protocol/party/states.hpp): its shape, the wire's routes,
// reachability, and what find_transition returns.
#include "protocol/party/states.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>

#include "protocol/wire/types.hpp"

namespace tfqkd::party {
namespace {

using wire::MessageType;
using wire::Role;

std::vector<State> next_states(const Transition& t) {
    std::vector<State> out;
    for (unsigned s = 0; s < kStateCount; ++s)
        if ((t.next & (1U << s)) != 0) out.push_back(static_cast<State>(s));
    return out;
}

bool terminal(State s) { return s == State::done || s == State::aborted; }

TEST(TransitionTable, RowsAreUniqueSoThePartiesAreDeterministic) {
    std::set<std::tuple<Role, State, Event, MessageType, Role>> seen;
    for (const Transition& t : transition_table()) {
        const auto key = t.event == Event::message ? std::tuple{t.party, t.state, t.event, t.type, t.from}
                                                   : std::tuple{t.party, t.state, t.event, MessageType::abort, t.party};
        EXPECT_TRUE(seen.insert(key).second) << "duplicate row for " << wire::role_name(t.party) << " in "
                                             << state_name(t.state);
        EXPECT_NE(t.next, 0) << "a row leading nowhere";
        EXPECT_FALSE(t.action.empty());
    }
}

TEST(TransitionTable, EveryMessageRowIsARouteTheWireAllows) {
    for (const Transition& t : transition_table()) {
        if (t.event != Event::message) continue;
        EXPECT_NE(t.from, t.party);
        const bool peer = (t.from == Role::alice && t.party == Role::bob) || (t.from == Role::bob && t.party == Role::alice);
        const bool to_relay = t.party == Role::charlie;
        const std::uint8_t allowed = wire::allowed_channels(t.type);
        const std::uint8_t needed = peer ? wire::kPeer : to_relay ? wire::kToRelay : wire::kFromRelay;
        EXPECT_NE(allowed & needed, 0) << wire::message_type_name(t.type) << " from " << wire::role_name(t.from) << " to "
                                       << wire::role_name(t.party);
    }
}

TEST(TransitionTable, EveryLiveStateTakesAbortsFromBothOthersAndATimeout) {
    std::map<std::pair<Role, State>, int> aborts, timeouts;
    std::set<std::pair<Role, State>> used;
    for (const Transition& t : transition_table()) {
        used.insert({t.party, t.state});
        if (t.event == Event::message && t.type == MessageType::abort) ++aborts[{t.party, t.state}];
        if (t.event == Event::timeout) ++timeouts[{t.party, t.state}];
    }
    for (const auto& ps : used) {
        if (terminal(ps.second)) continue;
        EXPECT_EQ(aborts[ps], 2) << wire::role_name(ps.first) << " " << state_name(ps.second);
        EXPECT_EQ(timeouts[ps], 1) << wire::role_name(ps.first) << " " << state_name(ps.second);
    }
    // An abort always ends the block (Charlie's done, where nothing is left to end, excepted).
    for (const Transition& t : transition_table()) {
        if (t.event == Event::message && t.type == MessageType::abort && !(t.party == Role::charlie && t.state == State::done)) {
            EXPECT_EQ(t.next, state_bit(State::aborted));
        }
    }
}

// From its initial state every party can reach `done`, and from every state it can reach an end.
TEST(TransitionTable, EveryPartyCanFinishAndNoStateIsADeadEnd) {
    for (Role party : {Role::alice, Role::bob, Role::charlie}) {
        std::map<State, std::set<State>> edges;
        for (const Transition& t : transition_table())
            if (t.party == party)
                for (State n : next_states(t)) edges[t.state].insert(n);
        const auto reachable = [&](State from) {
            std::set<State> seen{from};
            std::vector<State> todo{from};
            while (!todo.empty()) {
                const State s = todo.back();
                todo.pop_back();
                for (State n : edges[s])
                    if (seen.insert(n).second) todo.push_back(n);
            }
            return seen;
        };
        EXPECT_TRUE(reachable(State::idle).contains(State::done)) << wire::role_name(party);
        for (const auto& [state, next] : edges) {
            (void)next;
            if (terminal(state)) continue;
            const auto r = reachable(state);
            EXPECT_TRUE(r.contains(State::aborted)) << state_name(state);
            EXPECT_TRUE(r.contains(State::done)) << wire::role_name(party) << " " << state_name(state);
        }
    }
}

TEST(TransitionTable, LooksUpRowsAndRefusesWhatItDoesNotList) {
    const Transition* t = find_transition(Role::alice, State::idle, {Event::start});
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->next, state_bit(State::awaiting_acks));
    EXPECT_EQ(find_transition(Role::bob, State::idle, {Event::start}), nullptr);  // only Alice starts a block
    EXPECT_EQ(find_transition(Role::alice, State::idle, {Event::message, MessageType::verification, Role::bob}), nullptr);
    // The same message from the wrong sender is not the same input.
    EXPECT_NE(find_transition(Role::alice, State::awaiting_acks, {Event::message, MessageType::session_params_ack, Role::bob}),
              nullptr);
    EXPECT_EQ(find_transition(Role::alice, State::collecting_reports,
                              {Event::message, MessageType::detection_report, Role::bob}),
              nullptr);
    // Bob answers Alice's windows only after his reports cover the block; before, he keeps them.
    const Transition* early =
        find_transition(Role::bob, State::collecting_reports, {Event::message, MessageType::sifting_announcement, Role::alice});
    ASSERT_NE(early, nullptr);
    EXPECT_EQ(early->next & state_bit(State::awaiting_peer_decoys), 0);
    EXPECT_EQ(state_name(State::awaiting_amplification), "awaiting_amplification");
}

}  // namespace
}  // namespace tfqkd::party
