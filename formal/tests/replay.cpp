// formal_replay: replays a run of the formal model on the C++ parties (docs/formal.md, section 5).
//
//   formal_replay TABLE_PML PRINTOUT
//
// TABLE_PML is the model's generated table (for the state numbers); PRINTOUT is what SPIN printed
// for one run of formal/tfqkd.pml (a simulation, or a counterexample replayed with spin -t). The
// program runs the same adversary schedule on the reference parties (replay_session.hpp) and prints
// JSON: the schedule, the states each party entered in the model and in the code, where they differ,
// and where the code's outcome breaks P1-P3. Exit status: 0 (the verdict is in the JSON), 2 for
// unreadable input.
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "replay_session.hpp"

namespace {

nlohmann::json party_json(const tfqkd::formal::PartyReplay& p) {
    return {{"state", p.state},
            {"failure", p.failure ? nlohmann::json(*p.failure) : nullptr},
            {"key", p.key_sha256 ? nlohmann::json(*p.key_sha256) : nullptr},
            {"entered", p.entered}};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: formal_replay TABLE_PML PRINTOUT\n";
        return 2;
    }
    std::ifstream table(argv[1]), printout(argv[2]);
    if (!table || !printout) {
        std::cerr << "formal_replay: cannot read " << (!table ? argv[1] : argv[2]) << '\n';
        return 2;
    }
    const auto states = tfqkd::formal::read_state_names(table);
    if (states.empty()) {
        std::cerr << "formal_replay: " << argv[1] << ": no state names (#define S_...): not the model's table\n";
        return 2;
    }
    std::string error;
    const tfqkd::formal::ModelRun model = tfqkd::formal::read_model_run(printout, states, error);
    if (!error.empty()) {
        std::cerr << "formal_replay: " << argv[2] << ": " << error << '\n';
        return 2;
    }
    const tfqkd::formal::CodeRun code = tfqkd::formal::replay(model.protocol, model.actions);
    nlohmann::json actions = nlohmann::json::array();
    for (const auto& a : model.actions)
        actions.push_back(a.kind + " " + std::string(tfqkd::wire::message_type_name(a.type)) + " #" +
                          std::to_string(a.after >= 0 ? a.after : a.occurrence) + " on channel " +
                          std::to_string(a.channel));
    nlohmann::json out = {
        {"protocol", model.protocol},
        {"actions", actions},
        {"model", {{"alice", model.entered[0]}, {"bob", model.entered[1]}, {"charlie", model.entered[2]}}},
        {"code", {{"alice", party_json(code.alice)}, {"bob", party_json(code.bob)}, {"charlie", party_json(code.charlie)}}},
        {"keys_equal", code.keys_equal},
        {"unused_actions", code.unused_actions},
        {"differences", tfqkd::formal::compare(model, code)},
        {"property_problems", tfqkd::formal::properties(code)},
    };
    std::cout << out.dump(1) << '\n';
    return 0;
}
