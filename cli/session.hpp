// `tfqkd session`: one TF-QKD session of Alice, Bob and Charlie over a simulated link (network/
// session.hpp), printing what happened (stages, counts, QBER, the certified length, time) and
// writing a JSON report. docs/protocol.md, section 7, is the manual.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "protocol/party/party.hpp"

namespace CLI {
class App;
}

namespace tfqkd::cli {

struct SessionOptions {
    std::string file;             // a prediction or hardware scenario (docs/keyrate.md); empty: --example
    std::string example = "sns-aopp";  // the embedded scenario when no file is given
    // Flag values are kept as text and checked by run_session (exit status 2, the flag named).
    std::string distance;
    std::string pulses;
    std::string seed = "1";
    std::string transport = "memory";
    std::string report;           // write the JSON report here
    bool json = false;            // print the JSON report instead of the text
};

// A party's failure in the reports ({reason, detail}, null without one): `tfqkd session` and
// `tfqkd network` write it alike.
nlohmann::ordered_json failure_json(const std::optional<party::Failure>& failure);

// The text of an embedded example scenario ("sns-aopp", "pm", "cal19"); empty for another name.
// `tfqkd network` starts its rate-against-distance curves of those families from them.
std::string_view session_example(std::string_view name);

CLI::App* add_session_command(CLI::App& app, SessionOptions& options);

// 0: both parties output equal keys; 3: the session ended in an abort (the report says why);
// 2: bad input; 1: an output could not be written.
int run_session_command(const SessionOptions& options);

}  // namespace tfqkd::cli
