// `tfqkd simulate`: a link built from chip profiles and fibre, sampled by the simulator of
// hardware_model/ into count statistics in the form `tfqkd keyrate` certifies, with the ground truth
// only a simulator knows, and optionally the event stream of heralded slots. docs/simulate.md is
// the manual.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace tfqkd::cli {

struct SimulateOptions {
    std::string file;
    // Flag values are kept as text and checked by run_simulate (exit status 2 with the file named).
    std::string seed;
    std::string pulses;
    std::string fidelity = "aggregated";  // or "events"
    std::string events_out;               // events fidelity: write the heralded slots as CSV here
    std::string out;                      // write the statistics here instead of stdout
};

CLI::App* add_simulate_command(CLI::App& app, SimulateOptions& options);

// 0 on success, 2 for bad input, 1 when an output cannot be written.
int run_simulate(const SimulateOptions& options);

}  // namespace tfqkd::cli
