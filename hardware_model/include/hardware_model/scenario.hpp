// The scenario files of `tfqkd keyrate` and `tfqkd simulate` (docs/keyrate.md, docs/simulate.md): an
// experiment over an analytic link to predict, observed statistics to certify, or a link of chip
// profiles to predict or simulate, read from JSON into the vocabulary of security/experiment.hpp,
// and the writers of the same forms. It lives here, below cli/ and fuzz/, so that the command and
// the fuzz target share the one reader.
//
// Reading is strict: unknown fields, duplicate keys, wrong types, fractions where whole numbers are
// expected and values out of bounds are errors that name the JSON path of the field, what was wrong
// and what is accepted. Nothing is clamped or guessed. Cross-field rules that the library states
// (the SNS roles of the settings, counts against windows) are left to security::validate, whose
// errors name the same fields.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "security/experiment.hpp"

namespace tfqkd::hardware_model::scenario {

// The link: a symmetric fibre link given by its total length (half per arm), or the loss of each arm.
struct LinkSpec {
    bool symmetric = true;
    std::optional<double> distance_km;    // symmetric; may be left to --distance or --sweep
    double attenuation_db_per_km = 0.2;   // symmetric
    double arm_loss_alice_db = 0;         // arm form
    double arm_loss_bob_db = 0;           // arm form
};

// The devices of a prediction.
struct DeviceSpec {
    double detector_efficiency = 1.0;
    double dark_count_probability = 0;
    double misalignment = 0;
    double phase_noise_rad = 0;
};

// The devices of a link described by chip profiles (docs/simulate.md): the files name a shipped
// profile ("pku_inp_client") or a path; `*_chip` draws that chip from the profile's wafer spread.
struct HardwareSpec {
    std::string alice;
    std::string bob;
    std::string server;
    std::optional<std::uint64_t> alice_chip;
    std::optional<std::uint64_t> bob_chip;
    std::uint64_t wafer_seed = 1;
    double fibre_alice_km = 0;
    double fibre_bob_km = 0;
    std::optional<double> fibre_loss_db_per_km;  // absent: the server profile's fibre
    double extra_loss_alice_db = 0;
    double extra_loss_bob_db = 0;
    std::int32_t comb_line = 0;
    // Piecewise-stationary phase: the session is cut into blocks of this length, each with its own
    // residual phase (needs clock_hz to map pulses to time); absent: one stationary block.
    std::optional<double> block_seconds;
};

// predict: an analytic link and devices; certify: observed counts; hardware: a link made of chip
// profiles and fibre (predicted by `tfqkd keyrate`, sampled by `tfqkd simulate`).
enum class Kind { predict, certify, hardware };

struct Scenario {
    Kind kind = Kind::predict;
    std::string description;                 // optional free text, shown in titles
    security::ProtocolParameters protocol;
    security::SecurityParameters security;
    double ec_efficiency = 1.1;
    bool ec_efficiency_given = false;
    std::optional<double> clock_hz;
    // predict: the link (always present); certify: the optional reference_link, used only to place
    // the result against distance and PLOB.
    std::optional<LinkSpec> link;
    DeviceSpec device;                       // predict only
    security::CountStatistics counts;        // certify only
    HardwareSpec hardware;                   // hardware only
    std::optional<std::uint64_t> seed;       // hardware only: the simulation seed
};

struct InputError {
    std::string path;     // JSON path of the field ("protocol.alice[2].probability"); empty: the file
    std::string message;  // what was wrong and what is accepted
    std::string to_string() const;  // "path: message", or the message alone
};

// Parses JSON text as every reader of the command's files does: a syntax error names the byte, and
// a key repeated in one object is an error naming its path (nlohmann would keep the last silently).
// Never throws. Shared with the network scenario reader (network/scenario.hpp).
std::variant<nlohmann::json, InputError> parse_json(std::string_view text);

// Parses the text of an input file. Never throws.
std::variant<Scenario, InputError> parse_scenario(std::string_view text);

// The JSON forms this reader accepts, written back: parse_scenario reads each of them to an equal
// value (doubles are written in their shortest round-trip form). Field order as in docs/keyrate.md.
nlohmann::ordered_json protocol_json(const security::ProtocolParameters& protocol);
nlohmann::ordered_json security_json(const security::SecurityParameters& security);
nlohmann::ordered_json counts_json(const security::CountStatistics& counts, security::Family family);

// A number given on the command line ("--distance 12.5"): the whole text must be a finite number.
std::optional<double> parse_number(std::string_view text);

}  // namespace tfqkd::hardware_model::scenario
