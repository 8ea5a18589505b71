#include "hardware_link.hpp"

#include <cstdlib>
#include <system_error>

namespace tfqkd::cli {
namespace {

bool is_path(const std::string& name) {
    return name.find('/') != std::string::npos ||
           (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0);
}

}  // namespace

Result<hardware_model::Profile> load_named_profile(const std::string& name, std::string_view field,
                                                   const std::filesystem::path& scenario_dir, std::string& file) {
    std::filesystem::path path;
    if (is_path(name)) {
        path = std::filesystem::path(name).is_absolute() ? std::filesystem::path(name) : scenario_dir / name;
    } else {
        std::string looked;
        for (const auto& dir : profile_search_path()) {
            const auto candidate = dir / (name + ".json");
            std::error_code ec;
            if (std::filesystem::is_regular_file(candidate, ec)) {
                path = candidate;
                break;
            }
            looked += (looked.empty() ? "" : ", ") + dir.string();
        }
        if (path.empty())
            return make_error(Errc::io, "hardware", field,
                              "no shipped profile \"" + name + "\" (looked in " + looked +
                                  "); accepted: a shipped name (pku_inp_client, pku_server, tfln_transmitter, "
                                  "bench_discrete) or a path to a profile file");
    }
    file = path.string();
    auto profile = hardware_model::load_profile(path);
    if (!profile) {
        const Error& e = profile.error();
        return make_error(e.code, "hardware", field, "profile " + file + ": " + e.detail);
    }
    return profile;
}

std::vector<std::filesystem::path> profile_search_path() {
    std::vector<std::filesystem::path> dirs;
    if (const char* env = std::getenv("TFQKD_PROFILES_DIR"); env != nullptr && *env != '\0') dirs.emplace_back(env);
    dirs.push_back(hardware_model::installed_profiles_dir());
    // A binary run from its build tree, before `meson install`, finds the profiles of its sources.
    dirs.emplace_back(TFQKD_SOURCE_PROFILES_DIR);
    return dirs;
}

Result<HardwareProfiles> load_hardware(const scenario::HardwareSpec& spec, const std::filesystem::path& scenario_dir) {
    HardwareProfiles out;
    auto alice = load_named_profile(spec.alice, "alice", scenario_dir, out.alice_file);
    if (!alice) return alice.error();
    auto bob = load_named_profile(spec.bob, "bob", scenario_dir, out.bob_file);
    if (!bob) return bob.error();
    auto server = load_named_profile(spec.server, "server", scenario_dir, out.server_file);
    if (!server) return server.error();
    // Two chips of one wafer differ by their index; without an index a chip has the nominal values.
    out.alice = spec.alice_chip ? hardware_model::draw_chip(*alice, spec.wafer_seed, *spec.alice_chip) : *alice;
    out.bob = spec.bob_chip ? hardware_model::draw_chip(*bob, spec.wafer_seed, *spec.bob_chip) : *bob;
    out.server = std::move(server.value());
    return out;
}

Result<hardware_model::LinkBreakdown> hardware_link(const HardwareProfiles& profiles, const scenario::HardwareSpec& spec,
                                                    double alice_km, double bob_km) {
    hardware_model::FibrePair fibre;
    fibre.alice_km = alice_km;
    fibre.bob_km = bob_km;
    fibre.loss_db_per_km = spec.fibre_loss_db_per_km;
    fibre.extra_loss_alice_db = spec.extra_loss_alice_db;
    fibre.extra_loss_bob_db = spec.extra_loss_bob_db;
    return hardware_model::link_from_profiles(profiles.alice, profiles.bob, profiles.server, fibre, spec.comb_line);
}

Result<double> fibre_attenuation(const HardwareProfiles& profiles, const scenario::HardwareSpec& spec) {
    if (spec.fibre_loss_db_per_km) return *spec.fibre_loss_db_per_km;
    if (profiles.server.fibre) return profiles.server.fibre->loss_db_per_km.value;
    return make_error(Errc::inconsistent, "hardware", "fibre.loss_db_per_km",
                      "missing: the server profile has no fibre section, so the scenario must give the attenuation");
}

scenario::LinkSpec channel_link(const scenario::HardwareSpec& h, double attenuation_db_per_km) {
    scenario::LinkSpec l;
    if (h.fibre_alice_km == h.fibre_bob_km && h.extra_loss_alice_db == 0 && h.extra_loss_bob_db == 0) {
        l.distance_km = h.fibre_alice_km + h.fibre_bob_km;
        l.attenuation_db_per_km = attenuation_db_per_km;
    } else {
        l.symmetric = false;
        l.arm_loss_alice_db = h.fibre_alice_km * attenuation_db_per_km + h.extra_loss_alice_db;
        l.arm_loss_bob_db = h.fibre_bob_km * attenuation_db_per_km + h.extra_loss_bob_db;
    }
    return l;
}

}  // namespace tfqkd::cli
