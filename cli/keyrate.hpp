// `tfqkd keyrate`: certified SNS key rates, predicted from an experiment description (the analytic
// channel model of hardware_model/) or certified from observed statistics (security/).
// docs/keyrate.md is the manual: the input files, every flag and every output field.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace tfqkd::cli {

struct KeyrateOptions {
    std::string file;
    // Flag values are kept as text and checked by run_keyrate, so that a bad value is an input
    // error (exit status 2) with a message in the same form as the file's.
    std::string distance;
    std::string sweep;
    std::string clock_hz;
    std::string plot;
    bool asymptotic = false;
    bool optimise = false;  // predictions: search the SNS parameters, certify the optimum
    bool json = false;
    bool csv = false;
    std::vector<std::string> compare;  // --plot: other prediction files drawn on the same axes
};

// Registers the subcommand on `app`, writing its options into `options`.
CLI::App* add_keyrate_command(CLI::App& app, KeyrateOptions& options);

// Runs it: 0 on success (an empty key included), 2 for bad input, 1 when an output cannot be written.
int run_keyrate(const KeyrateOptions& options);

}  // namespace tfqkd::cli
