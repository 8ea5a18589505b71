// libFuzzer target for the chip-profile reader (hardware_model::parse_profile), which reads files a
// user names on the command line (docs/hardware-model.md, section 2). Beyond "no crash, no leak":
// a rejection must name the file in its detail; an accepted profile must hold only values its own
// ranges accept (whole numbers where a count is asked for, spreads finite and non-negative) and break
// no cross-field rule, and so must every chip draw_chip draws from it, whose parameters without a
// spread (and every count) keep their nominal value.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "hardware_model/profile.hpp"

namespace {

using tfqkd::hardware_model::Parameter;
using tfqkd::hardware_model::Profile;

constexpr std::string_view kFileName = "fuzz.json";

void check_parameters(const Profile& p) {
    for_each_parameter(p, [](std::string_view, const Parameter& x) {
        if (!std::isfinite(x.value) || !x.accepts(x.value)) std::abort();
        if (x.integer && (x.value != std::floor(x.value) || x.spread)) std::abort();
        if (x.spread && (!std::isfinite(x.spread->width) || x.spread->width < 0)) std::abort();
        if (x.provenance.text.empty()) std::abort();
    });
    if (cross_field_violation(p)) std::abort();
}

std::vector<double> values(const Profile& p) {
    std::vector<double> out;
    for_each_parameter(p, [&](std::string_view, const Parameter& x) { out.push_back(x.value); });
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tfqkd::hardware_model;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    tfqkd::Result<Profile> parsed = parse_profile(text, kFileName);
    if (!parsed) {
        if (parsed.error().detail.rfind(std::string(kFileName) + ": ", 0) != 0) std::abort();
        return 0;
    }
    const Profile& profile = *parsed;
    if (profile.file != kFileName) std::abort();
    check_parameters(profile);

    // Two chips of the wafer, with a seed taken from the input so that the draws vary with it.
    std::uint64_t seed = 0;
    for (std::size_t i = 0; i < size && i < 8; ++i) seed = (seed << 8) | data[i];
    const std::vector<double> nominal = values(profile);
    for (std::uint64_t chip_index : {std::uint64_t{0}, std::uint64_t{size}}) {
        const Profile chip = draw_chip(profile, seed, chip_index);
        check_parameters(chip);
        const std::vector<double> drawn = values(chip);
        if (drawn.size() != nominal.size()) std::abort();
        std::size_t i = 0;
        bool kept = true;
        for_each_parameter(chip, [&](std::string_view, const Parameter& x) {
            if ((!x.spread || x.spread->width == 0) && drawn[i] != nominal[i]) kept = false;
            ++i;
        });
        if (!kept) std::abort();
        // The same (seed, index) always gives the same chip.
        if (values(draw_chip(profile, seed, chip_index)) != drawn) std::abort();
    }
    return 0;
}
