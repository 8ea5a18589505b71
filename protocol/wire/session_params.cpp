// session_params (0x01): docs/wire-format.md, section 5.1.
//
// Cross-field rules (WF-SP-1..3; aopp_pairing is the other message that has one) live in check(),
// which decode_payload runs after the input has been consumed exactly, so a field error always wins
// over an inconsistency.
#include "protocol/wire/session_params.hpp"

#include <cmath>

namespace tfqkd::wire {
namespace {

// window u8 + intensity f64 + probability f64: the fixed size of a setting, used both to bound a
// claimed count before allocating (WF-ENC-7) and to locate the lists for check()'s error offsets.
constexpr std::size_t kSettingSize = 17;
// block_id, family, pulse_count, phase_slices, alice_setting_count.
constexpr std::size_t kAliceSettingsOffset = 8 + 1 + 8 + 2 + 1;

// The field names of one party's list; string literals, as Error requires.
struct SettingFields {
    std::string_view count;
    std::string_view window;
    std::string_view intensity;
    std::string_view probability;
};

constexpr SettingFields kAliceFields{"alice_setting_count", "alice_settings[].window",
                                     "alice_settings[].intensity", "alice_settings[].probability"};
constexpr SettingFields kBobFields{"bob_setting_count", "bob_settings[].window", "bob_settings[].intensity",
                                   "bob_settings[].probability"};

bool read_settings(Reader& reader, const SettingFields& fields, std::vector<SessionParams::Setting>& out) {
    const std::size_t count_at = reader.offset();
    std::uint8_t count = 0;
    if (!reader.uint_in<std::uint8_t>(fields.count, count, 1, SessionParams::kMaxSettings)) return false;
    if (static_cast<std::size_t>(count) * kSettingSize > reader.remaining())
        return reader.fail_at(count_at, fields.count, Errc::truncated);
    out.reserve(count);
    for (std::uint8_t i = 0; i < count; ++i) {
        SessionParams::Setting s;
        const std::size_t window_at = reader.offset();
        std::uint8_t window = 0;
        if (!reader.u8(fields.window, window)) return false;
        if (window > static_cast<std::uint8_t>(SessionParams::Window::x))
            return reader.fail_at(window_at, fields.window, Errc::invalid_value);
        s.window = static_cast<SessionParams::Window>(window);
        if (!reader.f64_in(fields.intensity, s.intensity, 0.0, SessionParams::kMaxIntensity)) return false;
        // 0 < p <= 1: the smallest positive double is the closed lower bound.
        if (!reader.f64_in(fields.probability, s.probability, std::nextafter(0.0, 1.0), 1.0)) return false;
        out.push_back(s);
    }
    return true;
}

void write_settings(Writer& writer, std::string_view count_field, const std::vector<SessionParams::Setting>& settings) {
    // Only a list that its u8 count cannot express is refused here; the 1..16 bound is the decoder's.
    if (settings.size() > 0xFF) {
        writer.fail(count_field, Errc::out_of_range);
        return;
    }
    writer.u8(static_cast<std::uint8_t>(settings.size()));
    for (const auto& s : settings) {
        writer.u8(static_cast<std::uint8_t>(s.window));
        writer.f64(s.intensity);
        writer.f64(s.probability);
    }
}

bool has_duplicate(const std::vector<SessionParams::Setting>& settings) {
    // At most 16 settings: the quadratic scan is cheaper than any set. -0.0 never decodes, so == on
    // the intensity is the same as comparing encodings.
    for (std::size_t i = 0; i < settings.size(); ++i)
        for (std::size_t j = i + 1; j < settings.size(); ++j)
            if (settings[i].window == settings[j].window && settings[i].intensity == settings[j].intensity)
                return true;
    return false;
}

bool sums_to_one(const std::vector<SessionParams::Setting>& settings) {
    // Summed in list order, so that every implementation that follows the spec adds the same way.
    double sum = 0.0;
    for (const auto& s : settings) sum += s.probability;
    return std::fabs(sum - 1.0) <= SessionParams::kProbabilityTolerance;
}

}  // namespace

Result<SessionParams> SessionParams::read(Reader& reader) {
    SessionParams m;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    const std::size_t family_at = reader.offset();
    std::uint8_t family = 0;
    if (!reader.u8("family", family)) return reader.take_error();
    if (family < static_cast<std::uint8_t>(Family::sns) || family > static_cast<std::uint8_t>(Family::mode_pairing)) {
        reader.fail_at(family_at, "family", Errc::invalid_value);
        return reader.take_error();
    }
    m.family = static_cast<Family>(family);
    if (!reader.uint_in<std::uint64_t>("pulse_count", m.pulse_count, 1, kMaxSlot)) return reader.take_error();
    if (!reader.uint_in<std::uint16_t>("phase_slices", m.phase_slices, 1, kMaxPhaseSlices)) return reader.take_error();
    if (!read_settings(reader, kAliceFields, m.alice_settings)) return reader.take_error();
    if (!read_settings(reader, kBobFields, m.bob_settings)) return reader.take_error();
    // Every epsilon lies in the open interval (0, 1).
    const double lo = std::nextafter(0.0, 1.0);
    const double hi = std::nextafter(1.0, 0.0);
    if (!reader.f64_in("eps_cor", m.eps_cor, lo, hi)) return reader.take_error();
    if (!reader.f64_in("eps_pa", m.eps_pa, lo, hi)) return reader.take_error();
    if (!reader.f64_in("eps_pe", m.eps_pe, lo, hi)) return reader.take_error();
    if (!reader.f64_in("eps_total", m.eps_total, lo, hi)) return reader.take_error();
    const std::size_t capabilities_at = reader.offset();
    if (!reader.u32("capabilities", m.capabilities)) return reader.take_error();
    if ((m.capabilities & ~kCapAll) != 0) {  // WF-SP-4
        reader.fail_at(capabilities_at, "capabilities", Errc::invalid_value);
        return reader.take_error();
    }
    return m;
}

void SessionParams::write(Writer& writer) const {
    writer.u64(block_id);
    writer.u8(static_cast<std::uint8_t>(family));
    writer.u64(pulse_count);
    writer.u16(phase_slices);
    write_settings(writer, "alice_setting_count", alice_settings);
    write_settings(writer, "bob_setting_count", bob_settings);
    writer.f64(eps_cor);
    writer.f64(eps_pa);
    writer.f64(eps_pe);
    writer.f64(eps_total);
    writer.u32(capabilities);
}

Status SessionParams::check() const {
    // The layout is fixed-size, so the offsets of the named fields follow from the list lengths.
    const std::size_t bob_at = kAliceSettingsOffset + kSettingSize * alice_settings.size() + 1;
    const std::size_t eps_total_at = bob_at + kSettingSize * bob_settings.size() + 3 * 8;
    if (has_duplicate(alice_settings))  // WF-SP-1
        return make_error(Errc::inconsistent, kName, "alice_settings", {}, kAliceSettingsOffset);
    if (!sums_to_one(alice_settings))  // WF-SP-2
        return make_error(Errc::inconsistent, kName, "alice_settings", {}, kAliceSettingsOffset);
    if (has_duplicate(bob_settings)) return make_error(Errc::inconsistent, kName, "bob_settings", {}, bob_at);
    if (!sums_to_one(bob_settings)) return make_error(Errc::inconsistent, kName, "bob_settings", {}, bob_at);
    if (eps_total < eps_cor || eps_total < eps_pa || eps_total < eps_pe)  // WF-SP-3
        return make_error(Errc::inconsistent, kName, "eps_total", {}, eps_total_at);
    return {};
}

}  // namespace tfqkd::wire
