// The link of a hardware scenario (docs/simulate.md): chip profiles found by name or path, chips
// drawn from their wafer, and the bridge of hardware_model/simulated.hpp to the analytic Link.
// Shared by `tfqkd simulate` (which samples it) and `tfqkd keyrate` (which predicts it).
#pragma once

#include <filesystem>
#include <string>

#include "base/result.hpp"
#include "hardware_model/profile.hpp"
#include "hardware_model/simulated.hpp"
#include "hardware_model/scenario.hpp"

namespace tfqkd::cli {

// The input files of the command (hardware_model/scenario.hpp).
namespace scenario = hardware_model::scenario;

struct HardwareProfiles {
    hardware_model::Profile alice;  // the chips as drawn from their wafer when a chip index is given
    hardware_model::Profile bob;
    hardware_model::Profile server;
    std::string alice_file;         // where each profile was read from (reports)
    std::string bob_file;
    std::string server_file;
};

// Where shipped profiles are looked for, in order: $TFQKD_PROFILES_DIR, the installed directory, the
// source tree this binary was built from.
std::vector<std::filesystem::path> profile_search_path();

// Reads one profile: a name containing '/' or ending in ".json" is a path, relative to
// `scenario_dir` unless absolute; any other name is a shipped profile, looked for along
// profile_search_path(). `field` (static storage) names it in errors ("alice" -> "hardware.alice");
// `file` receives the path read.
Result<hardware_model::Profile> load_named_profile(const std::string& name, std::string_view field,
                                                   const std::filesystem::path& scenario_dir, std::string& file);

// Reads the three profiles of `spec`. A name containing '/' or ending in ".json" is a path,
// relative to `scenario_dir` unless absolute; any other name is a shipped profile. The error says
// which field (hardware.alice, ...) and, for a shipped name, where it was looked for.
Result<HardwareProfiles> load_hardware(const scenario::HardwareSpec& spec, const std::filesystem::path& scenario_dir);

// The link with the fibre lengths given (km per arm), the other fibre settings from `spec`.
Result<hardware_model::LinkBreakdown> hardware_link(const HardwareProfiles& profiles, const scenario::HardwareSpec& spec,
                                                    double alice_km, double bob_km);

// The fibre attenuation of the scenario: `spec`'s, else the server profile's fibre section.
Result<double> fibre_attenuation(const HardwareProfiles& profiles, const scenario::HardwareSpec& spec);

// The channel of the scenario as a keyrate link (for PLOB and the distance axis): the symmetric
// form when both arms have the same fibre and no extra loss, else the two arms' fibre losses.
scenario::LinkSpec channel_link(const scenario::HardwareSpec& spec, double attenuation_db_per_km);

}  // namespace tfqkd::cli
