// A party's per-slot choices: security/choices.hpp.
#include "security/choices.hpp"

#include <numbers>
#include <string>

namespace tfqkd::security {

namespace {
constexpr std::string_view kChoices = "choices";
// Each slot uses three outputs of the party's counter stream: the setting, the key bit, the phase.
constexpr std::uint64_t kOutputsPerSlot = 3;
}  // namespace

Result<ChoiceSource> ChoiceSource::create(const ProtocolParameters& protocol, Party party, std::uint64_t seed) {
    const bool is_alice = party == Party::alice;
    const std::vector<Setting>& settings = is_alice ? protocol.alice : protocol.bob;
    if (protocol.family == Family::mode_pairing)
        return make_error(Errc::invalid_argument, kChoices, "family",
                          "mode pairing has no per-slot session yet; sessions run SNS, PM and CAL19");
    if (settings.empty() || settings.size() > 256)
        return make_error(Errc::out_of_range, kChoices, is_alice ? "alice" : "bob",
                          "a party needs 1 to 256 settings, got " + std::to_string(settings.size()));
    if (protocol.phase_slices == 0 || protocol.phase_slices > 65536)
        return make_error(Errc::out_of_range, kChoices, "phase_slices",
                          "M must be in 1..65536, got " + std::to_string(protocol.phase_slices));
    // Alice and Bob draw from different streams of the counter generator, so that equal seeds still
    // give independent choices.
    ChoiceSource source(CounterRng(seed, is_alice ? 0xA11CE : 0xB0B), party);
    source.slices_ = protocol.phase_slices;
    double sum = 0;
    for (const Setting& s : settings) {
        sum += s.probability;
        source.cumulative_.push_back(sum);
    }
    // The last boundary is 1 whatever the rounding of the sum (validate() allows 1e-9), so that
    // every uniform in [0, 1) selects a setting.
    source.cumulative_.back() = 1.0;
    source.key_bit_settings_.assign(settings.size(), 0);
    if (protocol.family == Family::pm) {
        const auto roles = pm_roles(settings, is_alice ? "alice" : "bob");
        if (!roles) return roles.error();
        source.key_bit_settings_[roles->key] = 1;
    } else if (protocol.family == Family::cal19) {
        const auto roles = cal19_roles(settings, is_alice ? "alice" : "bob");
        if (!roles) return roles.error();
        source.key_bit_settings_[roles->key] = 1;
        source.locked_setting_ = static_cast<int>(roles->key);
    }
    return source;
}

std::uint8_t ChoiceSource::setting_at(std::uint64_t slot) const noexcept {
    // Inversion of the cumulative distribution at output 3 slot of the party's stream.
    const double u = uniform_at(rng_, slot * kOutputsPerSlot);
    std::size_t s = 0;
    while (s + 1 < cumulative_.size() && u >= cumulative_[s]) ++s;
    return static_cast<std::uint8_t>(s);
}

SlotChoice ChoiceSource::at(std::uint64_t slot) const noexcept {
    const std::uint64_t base = slot * kOutputsPerSlot;  // wraps for slots >= 2^64 / 3: still a pure function
    SlotChoice choice;
    const std::size_t s = setting_at(slot);
    choice.setting = static_cast<std::uint8_t>(s);
    if (key_bit_settings_[s] != 0) choice.bit = static_cast<std::uint8_t>(rng_.at(base + 1) & 1U);
    if (static_cast<int>(s) != locked_setting_) {
        const double fraction = uniform_at(rng_, base + 2);
        choice.phase = 2 * std::numbers::pi * fraction;
        const auto slice = static_cast<std::uint32_t>(fraction * slices_);
        choice.slice = static_cast<std::uint16_t>(slice < slices_ ? slice : slices_ - 1);
    }
    return choice;
}

}  // namespace tfqkd::security
