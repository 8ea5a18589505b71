// RapidCheck drives the C++ parties with adversary schedules of its own and checks them against the
// formal model step by step (docs/formal.md, section 5).
//
// Each case draws a protocol family, the frame the adversary acts on (by sending order), the action
// (drop, change, repeat, hold back, inject before) and SPIN's random seed. SPIN runs the model with
// that schedule (formal/tfqkd.pml in its REPLAY bounds) and prints every move. The same schedule then
// runs on the reference parties (replay_session.hpp). Every state each party enters must be the one
// the model enters, Charlie must end where the model's Charlie ends, and the code's outcome must keep
// P1-P3. A failing case shrinks to the earliest frame and the simplest action that still fails.
//
//   formal_property_test MODEL.pml TABLE.pml [gtest flags]   (RC_PARAMS=max_success=N sets the cases)
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "replay_session.hpp"

namespace {

std::string g_model, g_table;

// Runs SPIN's simulation of the model in a directory of its own; returns what it printed.
std::string simulate(int par, int target, int action, int seed) {
    namespace fs = std::filesystem;
    char pattern[] = "/tmp/tfqkd-property-XXXXXX";
    const char* dir = mkdtemp(pattern);
    if (dir == nullptr) return "";
    fs::copy_file(g_model, fs::path(dir) / "tfqkd.pml");
    fs::copy_file(g_table, fs::path(dir) / "table.pml");
    const std::string cmd = std::string("cd ") + dir + " && spin -n" + std::to_string(seed) +
                            " -u100000 -DREPLAY -DBLOCKS=1 -DREPORTS=1 -DROUNDS=1 -DPOOL=16 -DBUDGET=1" +
                            " -DREPLAY_PAR=" + std::to_string(par) + " -DREPLAY_TARGET=" + std::to_string(target) +
                            " -DREPLAY_ACTION=" + std::to_string(action) + " tfqkd.pml 2>&1";
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
        char buf[4096];
        while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
        pclose(p);
    }
    fs::remove_all(dir);
    return out;
}

RC_GTEST_PROP(FormalProperty, TheCodeEntersTheModelsStatesUnderAnyOneAdversaryAction, ()) {
    const int par = *rc::gen::element(1, 2);
    const int target = *rc::gen::inRange(0, 22);
    const int action = *rc::gen::inRange(0, 5);
    const int seed = *rc::gen::inRange(1, 1000);
    const std::string printout = simulate(par, target, action, seed);
    RC_ASSERT(printout.find("STEP") != std::string::npos);

    std::ifstream table(g_table);
    const auto states = tfqkd::formal::read_state_names(table);
    std::istringstream in(printout);
    std::string error;
    const tfqkd::formal::ModelRun model = tfqkd::formal::read_model_run(in, states, error);
    RC_ASSERT(error.empty());
    const tfqkd::formal::CodeRun code = tfqkd::formal::replay(model.protocol, model.actions);
    const auto differences = tfqkd::formal::compare(model, code);
    for (const auto& d : differences) RC_LOG() << d << '\n';
    RC_ASSERT(differences.empty());
    const auto problems = tfqkd::formal::properties(code);
    for (const auto& p : problems) RC_LOG() << p << '\n';
    RC_ASSERT(problems.empty());
    RC_CLASSIFY(!model.actions.empty(), "the adversary acted");
}

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    if (argc != 3) {
        std::fprintf(stderr, "usage: formal_property_test MODEL.pml TABLE.pml [gtest flags]\n");
        return 2;
    }
    g_model = argv[1];
    g_table = argv[2];
    return RUN_ALL_TESTS();
}
