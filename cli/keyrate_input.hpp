// The input files of `tfqkd keyrate` (docs/keyrate.md): an experiment description to predict, or
// observed statistics to certify, read from JSON into the vocabulary of security/experiment.hpp.
//
// Reading is strict: unknown fields, duplicate keys, wrong types, fractions where whole numbers are
// expected and values out of bounds are errors that name the JSON path of the field, what was wrong
// and what is accepted. Nothing is clamped or guessed. Cross-field rules that the library states
// (the SNS roles of the settings, counts against windows) are left to security::validate, whose
// errors name the same fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "security/experiment.hpp"

namespace tfqkd::cli::keyrate {

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

enum class Kind { predict, certify };

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
};

struct InputError {
    std::string path;     // JSON path of the field ("protocol.alice[2].probability"); empty: the file
    std::string message;  // what was wrong and what is accepted
    std::string to_string() const;  // "path: message", or the message alone
};

// Parses the text of an input file. Never throws.
std::variant<Scenario, InputError> parse_scenario(std::string_view text);

// A number given on the command line ("--distance 12.5"): the whole text must be a finite number.
std::optional<double> parse_number(std::string_view text);

}  // namespace tfqkd::cli::keyrate
