// `tfqkd network`: the chip network, tfqkd's main job (docs/network.md). Without a file it runs the
// embedded PKU layout: per pair the simulated hardware, one full protocol session at a scaled-down
// block and the certified rate at the full block against PLOB; a summary table, a JSON report and
// three SVG pictures. `--plan` certifies rates only, in parallel, for networks of any size;
// `--jobs DIR` writes each pair as an independent scenario file for a batch scheduler.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace tfqkd::cli {

struct NetworkOptions {
    std::string file;            // a network scenario (docs/network.md); empty: the embedded default
    std::string star;            // a generated star of this many users instead of a file
    std::string star_seed = "1";
    // Flag values are kept as text and checked by run_network_command (exit 2, the flag named).
    std::string pulses;          // the full block per pair (certified rates)
    std::string session_pulses;  // each pair's session block
    std::string threads;         // default: the machine's cores
    bool plan = false;           // certified rates only (no sessions)
    std::string jobs;            // write one scenario per pair into this directory and stop
    std::string out = "tfqkd-network";  // report.json and the pictures go here
    std::string report;          // the JSON report's path instead of OUT/report.json
    std::string svg_dir;         // the pictures' directory instead of OUT
    bool no_files = false;       // write neither report nor pictures
    std::string write_scenario;  // write the scenario used (e.g. a generated star) to this file
    bool json = false;           // print the JSON report instead of the table
    bool quiet = false;          // no progress display
};

CLI::App* add_network_command(CLI::App& app, NetworkOptions& options);

// 0: every pair ran (sessions ended in equal keys); 3: a pair's session aborted or a pair had no
// usable chips; 2: bad input; 1: an output could not be written.
int run_network_command(const NetworkOptions& options);

}  // namespace tfqkd::cli
