// A network scenario: client chips drawn from one wafer, a relay server whose microcomb lines make
// the WDM channel plan, fibre spools downstream (comb distribution) and upstream (quantum signal),
// and the pairs of clients that share a channel. docs/network.md is the specification of the JSON
// form read here; docs/schemas/network-scenario.schema.json its schema.
//
// Reading is strict, like hardware_model/scenario.hpp (whose reader the protocol and security
// sections go through, so they mean exactly what they mean in a `tfqkd keyrate` file): unknown
// fields, wrong types, negative lengths, a pair naming an unknown client, a client in two pairs on
// one channel are errors naming the element ("pairs[3].channel") and what is accepted. Rules that
// need the profiles (an unknown chip, a channel the comb does not have) are checked by
// build_network (network/plan.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hardware_model/scenario.hpp"
#include "security/experiment.hpp"

namespace tfqkd::network {

// Errors name the element by its path in the file, as the keyrate reader's do.
using InputError = hardware_model::scenario::InputError;

// sequential: one pair at a time, the others' wavelengths idle in the fibres (as the PKU network ran,
// REFERENCES.md section 1); concurrent: every pair at once, which needs each channel and each client
// in at most one pair.
enum class Schedule : std::uint8_t { sequential, concurrent };

std::string_view schedule_name(Schedule schedule) noexcept;

// The wafer the client chips are cut from: every chip is a draw of the profile's spreads
// (hardware_model::draw_chip) and its modulators each work with probability `modulator_yield`.
struct WaferSpec {
    std::string chip_profile = "pku_inp_client";  // shipped name or path (relative to the scenario)
    std::uint64_t seed = 2026;
    double modulator_yield = 0.975;  // 117 of 120 modulators worked (REFERENCES.md section 1)
};

// One WDM channel: which comb line carries it. Without an explicit list the plan is every line of
// the comb except the phase reference, numbered 1, 2, ... by increasing frequency.
struct ChannelSpec {
    std::uint32_t number = 0;
    std::int32_t comb_line = 0;
};

struct ServerSpec {
    std::string profile = "pku_server";
    std::vector<ChannelSpec> channels;  // empty: the plan from the comb
};

struct ClientSpec {
    std::string name;
    std::uint64_t chip = 0;                    // index of the die on the wafer
    std::optional<std::string> chip_profile;  // absent: the wafer's
    double upstream_km = 0;    // fibre spools carrying the quantum signal to the relay
    double downstream_km = 0;  // fibre carrying the comb line from the server to the chip
};

struct PairSpec {
    std::string alice;
    std::string bob;
    std::uint32_t channel = 0;
};

struct NetworkScenario {
    std::string description;
    WaferSpec wafer;
    ServerSpec server;
    // Fibre attenuation of every spool; absent: the server profile's fibre section.
    std::optional<double> attenuation_db_per_km;
    // Largest loss a comb line may see on its way to a chip and still injection-lock the chip's laser
    // (an assumption, docs/network.md).
    double downstream_budget_db = 20;
    std::vector<ClientSpec> clients;
    std::vector<PairSpec> pairs;
    Schedule schedule = Schedule::sequential;
    // The start of each pair's parameter search and the family, AOPP and full block size N.
    security::ProtocolParameters protocol;
    security::SecurityParameters security;
    double ec_efficiency = 1.1;
    // Pulses of each pair's demonstration session (a full protocol run, scaled down to stay quick).
    std::uint64_t session_pulses = 300'000'000'000ULL;
    std::uint64_t seed = 1;  // sessions' seeds derive from it and the pair's index
};

// Parses the text of a network scenario. Never throws.
std::variant<NetworkScenario, InputError> parse_network_scenario(std::string_view text);

// The scenario written back in the form parse_network_scenario reads (to an equal scenario).
nlohmann::ordered_json network_scenario_json(const NetworkScenario& scenario);

// The same network reduced to pair `pair` and its two clients: an independent job for a batch
// scheduler. Chips are drawn by their wafer index, so the pair's hardware is the same as in the
// whole network. Precondition: pair < scenario.pairs.size().
NetworkScenario single_pair(const NetworkScenario& scenario, std::size_t pair);

// The embedded default: the PKU layout (docs/network.md), 20 clients in 10 pairs on 10 channels,
// 185 + 185 km upstream per pair, pair 5 with 60 + 60 km downstream, scheduled sequentially.
std::string_view default_scenario_text() noexcept;

// A generated star of `users` clients (even, 2..100000) in users/2 pairs, the pairs spread over the
// default channel plan in turn (so the schedule is sequential), upstream spools of 20 to 200 km per
// client drawn from `seed`, the default scenario's devices and protocol: the planning example.
NetworkScenario star_scenario(std::uint32_t users, std::uint64_t seed);

}  // namespace tfqkd::network
