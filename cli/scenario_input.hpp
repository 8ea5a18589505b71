// Reading the scenario files that `tfqkd keyrate`, `tfqkd session` (and later `tfqkd network`)
// share: a prediction (an analytic link and devices), observed statistics, or a link of chip
// profiles (docs/keyrate.md, docs/simulate.md). Validated on reading; errors are texts that name the
// field, to be printed after the file's name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "base/result.hpp"
#include "hardware_link.hpp"
#include "hardware_model/channel.hpp"
#include "hardware_model/scenario.hpp"

namespace tfqkd::cli {

// A count given on the command line ("--pulses 1e11"): a whole number in 1..2^53, else nullopt.
std::optional<std::uint64_t> parse_count(const std::string& text);

// 12 345 678: digits grouped by threes, as the command prints counts.
std::string grouped(std::uint64_t n);

// "message.field: detail" for an error of the library layers.
std::string library_error(const Error& e);

// A scenario file read, validated and, for a hardware scenario, with its profiles loaded and its
// link set.
struct Loaded {
    scenario::Scenario scenario;
    std::optional<HardwareProfiles> hardware;
};

// Reads and validates `file`; the error text is to be printed after the file name.
std::variant<Loaded, std::string> load_file(const std::string& file);

// The fibre of each arm in km for link `l` of a hardware scenario.
std::pair<double, double> hardware_fibre(const scenario::Scenario& s, const scenario::LinkSpec& l);

// The analytic link of scenario `s` with the channel `l`. `hardware`: the profiles of a hardware
// scenario, read once; null for the other kinds.
Result<hardware_model::Link> model_link(const scenario::Scenario& s, const scenario::LinkSpec& l,
                                        const HardwareProfiles* hardware);

}  // namespace tfqkd::cli
