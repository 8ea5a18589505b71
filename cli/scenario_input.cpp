// Reading the shared scenario files: cli/scenario_input.hpp.
#include "scenario_input.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "security/experiment.hpp"

namespace tfqkd::cli {

using scenario::Kind;
using scenario::LinkSpec;
using scenario::Scenario;

std::optional<std::uint64_t> parse_count(const std::string& text) {
    const auto v = scenario::parse_number(text);
    if (!v || *v < 1 || *v > 9.007199254740992e15 || *v != std::floor(*v)) return std::nullopt;
    return static_cast<std::uint64_t>(*v);
}

std::string grouped(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(' ');
        out.push_back(digits[i]);
    }
    return out;
}

std::string library_error(const Error& e) {
    std::string path(e.message.empty() ? std::string_view("input") : e.message);
    if (!e.field.empty()) path += "." + std::string(e.field);
    return path + ": " + (e.detail.empty() ? std::string(errc_name(e.code)) : e.detail);
}

std::pair<double, double> hardware_fibre(const Scenario& s, const LinkSpec& l) {
    if (l.symmetric) return {*l.distance_km / 2, *l.distance_km / 2};
    return {s.hardware.fibre_alice_km, s.hardware.fibre_bob_km};
}

Result<hardware_model::Link> model_link(const Scenario& s, const LinkSpec& l, const HardwareProfiles* hardware) {
    if (hardware != nullptr) {
        const auto [alice_km, bob_km] = hardware_fibre(s, l);
        auto bridged = hardware_link(*hardware, s.hardware, alice_km, bob_km);
        if (!bridged) return bridged.error();
        return bridged->link;
    }
    const scenario::DeviceSpec& d = s.device;
    if (l.symmetric)
        return hardware_model::symmetric_link(*l.distance_km, l.attenuation_db_per_km, d.detector_efficiency,
                                              d.dark_count_probability, d.misalignment, d.phase_noise_rad);
    hardware_model::Link link;
    link.arm_loss_alice_db = l.arm_loss_alice_db;
    link.arm_loss_bob_db = l.arm_loss_bob_db;
    link.detector_efficiency = d.detector_efficiency;
    link.dark_count_probability = d.dark_count_probability;
    link.misalignment = d.misalignment;
    link.phase_noise_rad = d.phase_noise_rad;
    return link;
}

std::variant<Loaded, std::string> load_file(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::string("cannot open file");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return std::string("cannot read file");
    auto parsed = scenario::parse_scenario(text);
    if (const auto* e = std::get_if<scenario::InputError>(&parsed)) return e->to_string();
    Loaded out{std::move(std::get<Scenario>(parsed)), std::nullopt};
    Scenario& s = out.scenario;
    if (Status st = security::validate(s.protocol); !st) return library_error(st.error());
    if (Status st = security::validate(s.security); !st) return library_error(st.error());
    if (s.kind == Kind::certify)
        if (Status st = security::validate(s.counts, s.protocol); !st) return library_error(st.error());
    if (s.kind == Kind::hardware) {
        // The profiles, and the link the fibre section describes.
        auto profiles = load_hardware(s.hardware, std::filesystem::path(file).parent_path());
        if (!profiles) return library_error(profiles.error());
        auto attenuation = fibre_attenuation(*profiles, s.hardware);
        if (!attenuation) return library_error(attenuation.error());
        out.hardware = std::move(profiles.value());
        s.link = channel_link(s.hardware, *attenuation);
    }
    return out;
}

}  // namespace tfqkd::cli
