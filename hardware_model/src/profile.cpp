// Chip profiles: reading, validation and wafer-level draws. docs/hardware-model.md, section 2, is
// the specification of the format read here.
#include "hardware_model/profile.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <limits>
#include <numbers>
#include <set>
#include <sstream>
#include <vector>

#include "base/rng.hpp"
#include "json_text.hpp"

#ifndef TFQKD_PROFILE_INSTALL_DIR
#define TFQKD_PROFILE_INSTALL_DIR "/usr/local/share/tfqkd/profiles"
#endif

namespace tfqkd::hardware_model {
namespace {

using json_text::child;
using json_text::describe;
using json_text::show;

using nlohmann::json;

constexpr std::string_view kFormat = "tfqkd-chip-profile/1";
constexpr double kInf = std::numeric_limits<double>::infinity();

// Thrown inside this file only; parse_profile turns it into its Result.
struct Failure {
    Errc code;
    std::string field;
    std::string message;
};

[[noreturn]] void fail(Errc code, std::string field, std::string message) {
    throw Failure{code, std::move(field), std::move(message)};
}



std::string number_text(double v) {
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

std::string join(std::initializer_list<std::string_view> items) {
    std::string out;
    for (std::string_view s : items) out += (out.empty() ? "" : ", ") + std::string(s);
    return out;
}


// A JSON object whose keys are checked against the accepted ones when it is opened.
class Object {
public:
    Object(const json& j, std::string path, std::vector<std::string_view> accepted, std::string_view what,
           std::string_view unknown = "unknown field")
        : j_(j), path_(std::move(path)), accepted_(std::move(accepted)) {
        if (!j.is_object())
            fail(Errc::invalid_value, path_, "expected an object (" + std::string(what) + "), got " + describe(j));
        for (const auto& item : j.items()) {
            if (std::find(accepted_.begin(), accepted_.end(), item.key()) != accepted_.end()) continue;
            std::string list;
            for (std::string_view a : accepted_) list += (list.empty() ? "" : ", ") + std::string(a);
            fail(Errc::invalid_value, child(path_, item.key()), std::string(unknown) + "; accepted: " + list);
        }
    }
    std::string path(std::string_view key) const { return child(path_, key); }
    const std::string& path() const { return path_; }
    const json* find(std::string_view key) const {
        const auto it = j_.find(key);
        return it == j_.end() ? nullptr : &*it;
    }
    const json& require(std::string_view key, std::string_view what) const {
        const json* v = find(key);
        if (v == nullptr) fail(Errc::invalid_value, path(key), "missing required field (" + std::string(what) + ")");
        return *v;
    }

private:
    const json& j_;
    std::string path_;
    std::vector<std::string_view> accepted_;
};

std::string text(const json& j, const std::string& path, std::string_view what) {
    if (!j.is_string()) fail(Errc::invalid_value, path, "expected a string (" + std::string(what) + "), got " + describe(j));
    return j.get<std::string>();
}

// --- units ------------------------------------------------------------------------------------------

struct UnitRow {
    std::string_view unit;
    std::string_view canonical;
    double factor;
};

// The accepted units: docs/hardware-model.md §2.2. Canonical units are those of devices.hpp.
constexpr std::array<UnitRow, 27> kUnits{{
    {"1", "1", 1},           {"%", "1", 0.01},
    {"dB", "dB", 1},
    {"dB/km", "dB/km", 1},   {"dB/m", "dB/km", 1000},
    {"km", "km", 1},         {"m", "km", 1e-3},
    {"nm", "nm", 1},         {"um", "nm", 1e3},
    {"Hz", "Hz", 1},         {"kHz", "Hz", 1e3},      {"MHz", "Hz", 1e6},     {"GHz", "Hz", 1e9},
    {"s", "s", 1},           {"ms", "s", 1e-3},       {"us", "s", 1e-6},      {"ns", "s", 1e-9},
    {"ps", "s", 1e-12},
    {"rad", "rad", 1},       {"mrad", "rad", 1e-3},   {"deg", "rad", std::numbers::pi / 180},
    {"rad/ms", "rad/ms", 1}, {"rad/s", "rad/ms", 1e-3},
    {"V", "V", 1},           {"mV", "V", 1e-3},
    {"count", "count", 1},   {"index", "index", 1},
}};

std::string units_of(std::string_view canonical) {
    std::string out;
    for (const UnitRow& row : kUnits)
        if (row.canonical == canonical) out += (out.empty() ? "" : ", ") + std::string(row.unit);
    return out;
}

std::string_view dimension_name(std::string_view canonical) {
    if (canonical == "1") return "a fraction (dimensionless)";
    if (canonical == "dB") return "a ratio in dB";
    if (canonical == "dB/km") return "a loss per length";
    if (canonical == "km") return "a length";
    if (canonical == "nm") return "a wavelength";
    if (canonical == "Hz") return "a frequency or rate";
    if (canonical == "s") return "a time";
    if (canonical == "rad") return "a phase";
    if (canonical == "rad/ms") return "a phase drift rate";
    if (canonical == "V") return "a voltage";
    if (canonical == "index") return "a line index";
    return "a count";
}

// --- the schema ---------------------------------------------------------------------------------

struct Limits {
    double lower;
    bool lower_open;
    double upper;
    bool upper_open;
};
constexpr Limits kFraction{0, false, 1, false};         // [0, 1]
constexpr Limits kNonNegative{0, false, kInf, true};    // [0, inf)
constexpr Limits kPositive{0, true, kInf, true};        // (0, inf)
constexpr Limits kLossDb{0, false, 100, false};         // [0, 100] dB
constexpr Limits kExtinctionDb{0, true, 100, false};    // (0, 100] dB
constexpr Limits kWavelength{400, false, 2500, false};  // nm: optical fibre bands with room

std::string range_text(const Limits& r) {
    return std::string(r.lower_open ? "(" : "[") + number_text(r.lower) + ", " + number_text(r.upper) +
           (r.upper_open ? ")" : "]");
}

// One parameter of a section: its key, canonical unit, range, and what it is.
struct Def {
    std::string_view key;
    std::string_view canonical;
    Limits limits;
    std::string_view what;
    bool integer = false;
};

std::string read_provenance(const Object& o, Provenance& out, std::string_view what) {
    const json* source = o.find("source");
    const json* assumption = o.find("assumption");
    if (source == nullptr && assumption == nullptr)
        fail(Errc::invalid_value, o.path(),
             "missing provenance of " + std::string(what) +
                 ": give \"source\" (the publication the value is from) or \"assumption\" (why this number)");
    if (source != nullptr && assumption != nullptr)
        fail(Errc::invalid_value, o.path(), "gives both \"source\" and \"assumption\"; a value is one or the other");
    const std::string key = source != nullptr ? "source" : "assumption";
    out.published = source != nullptr;
    out.text = text(*(source != nullptr ? source : assumption), o.path(key), "provenance");
    const bool blank =
        std::all_of(out.text.begin(), out.text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
    if (blank) fail(Errc::invalid_value, o.path(key), "is empty; say where the value comes from or why it was assumed");
    return key;
}

Parameter read_parameter(const Object& section, const Def& def) {
    const json& j = section.require(def.key, std::string(def.what) + ", a {value, unit, source|assumption} object");
    const Object o(j, section.path(def.key), {"value", "unit", "source", "assumption", "spread", "note"},
                   std::string(def.what) + ": {value, unit, source|assumption[, spread, note]}");
    Parameter p;
    p.lower = def.limits.lower;
    p.lower_open = def.limits.lower_open;
    p.upper = def.limits.upper;
    p.upper_open = def.limits.upper_open;
    p.integer = def.integer;

    const json& unit = o.require("unit", "the unit of the value; " + std::string(dimension_name(def.canonical)) +
                                             ": " + units_of(def.canonical));
    p.unit = text(unit, o.path("unit"), "a unit");
    const auto conversion = unit_conversion(p.unit);
    if (!conversion)
        fail(Errc::invalid_value, o.path("unit"),
             "unknown unit " + show(unit) + "; " + std::string(def.what) + " takes " +
                 std::string(dimension_name(def.canonical)) + ": " + units_of(def.canonical));
    if (conversion->canonical != def.canonical)
        fail(Errc::invalid_value, o.path("unit"),
             show(unit) + " is " + std::string(dimension_name(conversion->canonical)) + "; " + std::string(def.what) +
                 " takes " + std::string(dimension_name(def.canonical)) + ": " + units_of(def.canonical));

    const json& value = o.require("value", std::string(def.what));
    if (!value.is_number()) fail(Errc::invalid_value, o.path("value"), "expected a number, got " + describe(value));
    const double written = value.get<double>();
    const double x = written * conversion->factor;
    const std::string canonical_suffix =
        def.canonical == "1" || def.canonical == "count" || def.canonical == "index" ? "" : " " + std::string(def.canonical);
    const std::string shown = conversion->factor == 1 ? show(value)
                                                      : show(value) + " " + p.unit + " (= " + number_text(x) + canonical_suffix + ")";
    const std::string accepted = "; accepted: " + range_text(def.limits) + canonical_suffix;
    if (!std::isfinite(x)) fail(Errc::out_of_range, o.path("value"), shown + " is not finite" + accepted);
    if (!p.accepts(x)) {  // the same test draw_chip applies to drawn values
        const bool low = def.limits.lower_open ? x <= def.limits.lower : x < def.limits.lower;
        if (low)
            fail(Errc::out_of_range, o.path("value"),
                 shown + " is " + (def.limits.lower_open ? "not above " : "below ") + number_text(def.limits.lower) + accepted);
        fail(Errc::out_of_range, o.path("value"),
             shown + " is " + (def.limits.upper_open ? "not below " : "above ") + number_text(def.limits.upper) + accepted);
    }
    if (def.integer && x != std::floor(x))
        fail(Errc::invalid_value, o.path("value"), shown + " is not a whole number (" + std::string(def.what) + ")");
    p.value = x;
    read_provenance(o, p.provenance, def.what);
    if (const json* note = o.find("note")) (void)text(*note, o.path("note"), "a free-text note");

    if (const json* s = o.find("spread")) {
        if (def.integer)
            fail(Errc::invalid_value, o.path("spread"), "a count does not vary between chips; remove the spread");
        const Object so(*s, o.path("spread"), {"distribution", "sigma", "half_width", "source", "assumption", "note"},
                        "{distribution: normal|uniform, sigma|half_width, source|assumption}");
        Spread spread;
        const json& d = so.require("distribution", "\"normal\" (with sigma) or \"uniform\" (with half_width)");
        const std::string name = text(d, so.path("distribution"), "a distribution");
        std::string_view width_key;
        if (name == "normal") {
            spread.distribution = Spread::Distribution::normal;
            width_key = "sigma";
        } else if (name == "uniform") {
            spread.distribution = Spread::Distribution::uniform;
            width_key = "half_width";
        } else {
            fail(Errc::invalid_value, so.path("distribution"), show(d) + " is not a known distribution; accepted: normal, uniform");
        }
        const std::string_view other = width_key == "sigma" ? "half_width" : "sigma";
        if (so.find(other))
            fail(Errc::invalid_value, so.path(other), "does not belong to a " + name + " spread; give " + std::string(width_key));
        const json& w = so.require(width_key, std::string(width_key) + " in the unit of the value (" + p.unit + ")");
        if (!w.is_number()) fail(Errc::invalid_value, so.path(width_key), "expected a number, got " + describe(w));
        const double width = w.get<double>() * conversion->factor;
        if (!std::isfinite(width) || width < 0)
            fail(Errc::out_of_range, so.path(width_key), show(w) + " is negative or not finite; accepted: [0, inf) in " + p.unit);
        spread.width = width;
        read_provenance(so, spread.provenance, "the spread");
        if (const json* note = so.find("note")) (void)text(*note, so.path("note"), "a free-text note");
        p.spread = spread;
    }
    return p;
}

std::string read_kind(const Object& section, std::string_view device, std::initializer_list<std::string_view> kinds) {
    const json& k = section.require("kind", "the kind of " + std::string(device) + ": " + join(kinds));
    const std::string kind = text(k, section.path("kind"), "a device kind");
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
        fail(Errc::invalid_value, section.path("kind"),
             show(k) + " is not a known " + std::string(device) + " kind; accepted: " + join(kinds));
    return kind;
}

// A parameter of a section and the member of the spec it is read into.
template <class Spec>
struct Field {
    Def def;
    Parameter Spec::*member;
};

// A parameter that only some kinds of a device take: read when `wanted(kind)`, and then required;
// rejected otherwise.
template <class Spec>
struct OptionalField {
    Def def;
    std::optional<Parameter> Spec::*member;
    std::string_view kinds;  // the kinds that take it, for messages ("dual_wavelength")
};

// Reads a section: its kind, then each field into its member; an optional field is required for
// the kinds in its `kinds` list and rejected for the others.
template <class Spec>
Spec read_section(const json& j, const std::string& name, std::string_view device,
                  std::initializer_list<std::string_view> kinds, std::initializer_list<Field<Spec>> fields,
                  std::initializer_list<OptionalField<Spec>> optional_fields = {}) {
    std::vector<std::string_view> keys{"kind", "note"};
    for (const Field<Spec>& f : fields) keys.push_back(f.def.key);
    for (const OptionalField<Spec>& f : optional_fields) keys.push_back(f.def.key);
    const Object o(j, name, std::move(keys), std::string(device) + " section", "unknown parameter");
    Spec spec;
    spec.kind = read_kind(o, device, kinds);
    for (const Field<Spec>& f : fields) spec.*(f.member) = read_parameter(o, f.def);
    for (const OptionalField<Spec>& f : optional_fields) {
        const bool wanted = f.kinds.find(spec.kind) != std::string_view::npos;
        if (wanted) {
            spec.*(f.member) = read_parameter(o, f.def);
        } else if (o.find(f.def.key) != nullptr) {
            fail(Errc::invalid_value, o.path(f.def.key),
                 "is not a parameter of a " + spec.kind + " " + std::string(device) + " (only " + std::string(f.kinds) + ")");
        }
    }
    if (const json* note = o.find("note")) (void)text(*note, o.path("note"), "a free-text note");
    return spec;
}

const std::vector<std::string_view> kClientSections{"laser", "intensity_modulators", "phase_modulators", "attenuators",
                                                     "output"};
const std::vector<std::string_view> kServerSections{"frequency_reference", "detectors", "relay", "phase_tracking",
                                                     "clock"};

// The cross-field rules (docs/hardware-model.md §2.2), shared by the reader and draw_chip.
std::optional<Failure> cross_field_failure(const Profile& p) {
    if (p.laser && p.laser->locked_linewidth_hz.value > p.laser->free_running_linewidth_hz.value)
        return Failure{Errc::inconsistent, "laser.locked_linewidth.value",
                       number_text(p.laser->locked_linewidth_hz.value) + " Hz exceeds the free-running linewidth (" +
                           number_text(p.laser->free_running_linewidth_hz.value) + " Hz); locking narrows a laser"};
    if (p.clock && p.clock->detection_window_s.value * p.clock->repetition_rate_hz.value > 1 + 1e-12)
        return Failure{Errc::inconsistent, "clock.detection_window.value",
                       "a window of " + number_text(p.clock->detection_window_s.value) + " s is longer than the slot (1 / " +
                           number_text(p.clock->repetition_rate_hz.value) + " Hz)"};
    if (p.phase_tracking && p.phase_tracking->kind == "time_multiplexed" &&
        p.phase_tracking->differential_drift_rad_per_ms.value != 0)
        return Failure{Errc::inconsistent, "phase_tracking.differential_drift.value",
                       "a time-multiplexed reference shares the signal's wavelength, so there is no differential phase; "
                       "give 0 (or use dual_wavelength)"};
    if (p.phase_tracking && p.phase_tracking->reference_line && p.frequency_reference) {
        const double n = p.frequency_reference->line_count.value;
        const double lowest = -std::floor(n / 2);
        const double highest = n + lowest - 1;
        const double line = p.phase_tracking->reference_line->value;
        if (line < lowest || line > highest)
            return Failure{Errc::inconsistent, "phase_tracking.reference_line.value",
                           "line " + number_text(line) + " is outside the comb (lines " + number_text(lowest) + " to " +
                               number_text(highest) + ")"};
    }
    return std::nullopt;
}

Profile read_profile(const json& root) {
    std::vector<std::string_view> top{"format", "name", "role", "description"};
    top.insert(top.end(), kClientSections.begin(), kClientSections.end());
    top.insert(top.end(), kServerSections.begin(), kServerSections.end());
    top.push_back("fibre");
    const Object o(root, "", top, "a chip profile",
                   "unknown device section (not a device kind this format knows)");
    const std::string format = text(o.require("format", "\"tfqkd-chip-profile/1\""), "format", "the format tag");
    if (format != kFormat)
        fail(Errc::invalid_value, "format", "\"" + format + "\" is not a format this reader knows; accepted: \"" +
                                                std::string(kFormat) + "\"");
    Profile p;
    p.name = text(o.require("name", "the profile's name"), "name", "a name");
    if (const json* d = o.find("description")) p.description = text(*d, "description", "free text");
    const json& role = o.require("role", "\"client\", \"server\" or \"bench\"");
    const std::string r = text(role, "role", "a role");
    if (r == "client") p.role = Role::client;
    else if (r == "server") p.role = Role::server;
    else if (r == "bench") p.role = Role::bench;
    else fail(Errc::invalid_value, "role", show(role) + " is not a role; accepted: client, server, bench");

    const std::string role_name = r;
    const auto section = [&](std::string_view name, bool wanted) -> const json* {
        const json* s = o.find(name);
        if (wanted && s == nullptr)
            fail(Errc::invalid_value, std::string(name), "missing required section of a " + role_name + " profile");
        if (!wanted && s != nullptr)
            fail(Errc::invalid_value, std::string(name), "is not part of a " + role_name + " profile");
        return s;
    };
    const bool client = p.is_client();
    const bool server = p.is_server();

    if (const json* s = section("laser", client))
        p.laser = read_section<LaserSpec>(
            *s, "laser", "laser", {"dbr", "dfb", "self_injection_locked", "external_cavity"},
            {{{"wavelength", "nm", kWavelength, "free-running wavelength"}, &LaserSpec::wavelength_nm},
             {{"free_running_linewidth", "Hz", kPositive, "free-running linewidth"}, &LaserSpec::free_running_linewidth_hz},
             {{"locked_linewidth", "Hz", kPositive, "linewidth when injection-locked"}, &LaserSpec::locked_linewidth_hz},
             {{"tuning_range", "Hz", kNonNegative, "largest tuning away from the free-running frequency"}, &LaserSpec::tuning_range_hz},
             {{"locking_range", "Hz", kNonNegative, "injection-locking capture range after tuning"}, &LaserSpec::locking_range_hz}});
    if (const json* s = section("intensity_modulators", client))
        p.intensity_modulators = read_section<IntensityModulatorSpec>(
            *s, "intensity_modulators", "intensity modulator", {"mzm", "eam"},
            {{{"count", "count", Limits{1, false, 16, false}, "number of intensity modulators", true}, &IntensityModulatorSpec::count},
             {{"extinction_ratio", "dB", kExtinctionDb, "extinction ratio"}, &IntensityModulatorSpec::extinction_ratio_db},
             {{"intensity_fluctuation", "1", Limits{0, false, 1, true}, "relative rms intensity fluctuation"}, &IntensityModulatorSpec::intensity_fluctuation},
             {{"insertion_loss", "dB", kLossDb, "insertion loss"}, &IntensityModulatorSpec::insertion_loss_db}});
    if (const json* s = section("phase_modulators", client))
        p.phase_modulators = read_section<PhaseModulatorSpec>(
            *s, "phase_modulators", "phase modulator", {"electro_optic"},
            {{{"count", "count", Limits{1, false, 16, false}, "number of phase modulators", true}, &PhaseModulatorSpec::count},
             {{"v_pi", "V", Limits{0, true, 100, false}, "half-wave voltage"}, &PhaseModulatorSpec::v_pi_v},
             {{"phase_error", "rad", Limits{0, false, std::numbers::pi, false}, "rms phase error"}, &PhaseModulatorSpec::phase_error_rad},
             {{"insertion_loss", "dB", kLossDb, "insertion loss"}, &PhaseModulatorSpec::insertion_loss_db}});
    if (const json* s = section("attenuators", client))
        p.attenuators = read_section<AttenuatorSpec>(
            *s, "attenuators", "attenuator", {"voa"},
            {{{"count", "count", Limits{1, false, 16, false}, "number of attenuators", true}, &AttenuatorSpec::count},
             {{"max_attenuation", "dB", kLossDb, "largest attenuation"}, &AttenuatorSpec::max_attenuation_db},
             {{"insertion_loss", "dB", kLossDb, "insertion loss"}, &AttenuatorSpec::insertion_loss_db}});
    if (const json* s = section("output", client))
        p.output = read_section<OutputSpec>(
            *s, "output", "output coupling", {"edge_coupler", "grating_coupler", "connector"},
            {{{"loss", "dB", kLossDb, "loss from the intensity-calibration point to the output fibre"}, &OutputSpec::loss_db}});
    if (const json* s = section("frequency_reference", server))
        p.frequency_reference = read_section<FrequencyReferenceSpec>(
            *s, "frequency_reference", "frequency reference", {"microcomb", "reference_laser"},
            {{{"centre_wavelength", "nm", kWavelength, "centre wavelength"}, &FrequencyReferenceSpec::centre_wavelength_nm},
             {{"fsr", "Hz", kPositive, "free spectral range (line spacing)"}, &FrequencyReferenceSpec::fsr_hz},
             {{"line_count", "count", Limits{1, false, 100000, false}, "number of usable lines", true}, &FrequencyReferenceSpec::line_count},
             {{"intensity_fluctuation", "1", Limits{0, false, 1, true}, "relative rms line-power fluctuation"}, &FrequencyReferenceSpec::intensity_fluctuation}});
    if (const json* s = section("detectors", server))
        p.detectors = read_section<DetectorSpec>(
            *s, "detectors", "detector", {"snspd", "ingaas_spad"},
            {{{"count", "count", Limits{2, false, 64, false}, "number of detectors (the relay uses two)", true}, &DetectorSpec::count},
             {{"efficiency", "1", kFraction, "detection efficiency"}, &DetectorSpec::efficiency},
             {{"dark_count_rate", "Hz", Limits{0, false, 1e9, true}, "dark-count rate"}, &DetectorSpec::dark_count_rate_hz},
             {{"dead_time", "s", Limits{0, false, 1e-3, false}, "dead time"}, &DetectorSpec::dead_time_s},
             {{"afterpulse_probability", "1", kFraction, "afterpulse probability"}, &DetectorSpec::afterpulse_probability}});
    if (const json* s = section("relay", server))
        p.relay = read_section<RelaySpec>(
            *s, "relay", "relay", {"beam_splitter"},
            {{{"splitting_ratio", "1", kFraction, "fraction of Alice's light sent to the left detector"}, &RelaySpec::splitting_ratio},
             {{"insertion_loss", "dB", kLossDb, "loss from the server's input to the beam splitter"}, &RelaySpec::insertion_loss_db},
             {{"mode_overlap_extinction_ratio", "dB", kExtinctionDb,
              "fringe extinction ratio of the mode mismatch alone (behind a balanced splitter)"}, &RelaySpec::mode_overlap_extinction_ratio_db}});
    if (const json* s = section("phase_tracking", server))
        p.phase_tracking = read_section<PhaseTrackingSpec>(
            *s, "phase_tracking", "phase tracking", {"dual_wavelength", "time_multiplexed"},
            {{{"reference_drift", "rad/ms", kNonNegative, "drift rate of the reference phase"},
              &PhaseTrackingSpec::reference_drift_rad_per_ms},
             {{"differential_drift", "rad/ms", kNonNegative, "drift rate of the reference-to-signal phase"},
              &PhaseTrackingSpec::differential_drift_rad_per_ms},
             {{"sampling_rate", "Hz", kPositive, "phase sampling rate"}, &PhaseTrackingSpec::sampling_rate_hz},
             {{"reference_click_rate", "Hz", Limits{0, true, 1e12, false}, "click rate of the phase reference"},
              &PhaseTrackingSpec::reference_click_rate_hz},
             {{"drift_variability", "1", Limits{0, false, 10, false}, "coefficient of variation of a block's drift rate"},
              &PhaseTrackingSpec::drift_variability},
             {{"drift_correlation_time", "s", kPositive, "correlation time of the drift rate"},
              &PhaseTrackingSpec::drift_correlation_time_s}},
            {{{"reference_line", "index", Limits{-100000, false, 100000, false}, "comb line of the phase reference", true},
              &PhaseTrackingSpec::reference_line, "dual_wavelength"},
             {{"signal_mean_photons", "1", Limits{0, true, 100, false},
               "mean photon number per pulse of the signal that calibrates the differential phase"},
              &PhaseTrackingSpec::signal_mean_photons, "dual_wavelength"}});
    if (const json* s = section("clock", server))
        p.clock = read_section<ClockSpec>(
            *s, "clock", "clock", {"rf_synthesiser", "comb_derived"},
            {{{"repetition_rate", "Hz", Limits{0, true, 1e12, false}, "pulse repetition rate"}, &ClockSpec::repetition_rate_hz},
             {{"detection_window", "s", Limits{0, true, 1e-3, false}, "detection window per slot"}, &ClockSpec::detection_window_s},
             {{"jitter", "s", Limits{0, false, 1e-6, false}, "rms timing jitter"}, &ClockSpec::jitter_s}});
    if (const json* s = o.find("fibre")) {
        if (!server) fail(Errc::invalid_value, "fibre", "is not part of a client profile (the fibre belongs to the server's or a bench's description)");
        p.fibre = read_section<FibreSpec>(
            *s, "fibre", "fibre", {"standard_smf", "ultra_low_loss"},
            {{{"loss", "dB/km", Limits{0, false, 10, false}, "attenuation"}, &FibreSpec::loss_db_per_km}});
    }

    if (const auto violation = cross_field_failure(p)) throw *violation;
    return p;
}

// nlohmann keeps the last of repeated keys; a parser callback finds them first.
class DuplicateKeys {
public:
    bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start: stack_.emplace_back(); break;
            case json::parse_event_t::object_end:
                if (!stack_.empty()) stack_.pop_back();
                break;
            case json::parse_event_t::key:
                if (!stack_.empty() && parsed.is_string()) {
                    auto& [keys, path] = stack_.back();
                    path = parsed.get<std::string>();
                    if (!keys.insert(path).second && !found_) found_ = where();
                }
                break;
            default: break;
        }
        return true;
    }
    const std::optional<std::string>& found() const { return found_; }

private:
    std::string where() const {
        std::string p;
        for (const auto& frame : stack_) p = child(p, frame.second);
        return p;
    }
    std::vector<std::pair<std::set<std::string>, std::string>> stack_;
    std::optional<std::string> found_;
};

Error profile_error(Errc code, std::string_view file, const std::string& field, const std::string& message) {
    std::string detail(file);
    if (!field.empty()) detail += ": " + field;
    detail += ": " + message;
    return make_error(code, "profile", {}, std::move(detail));
}

// FNV-1a of a parameter's path: each parameter draws from its own region of the chip's stream, so
// adding a parameter to the format does not change the draws of the others.
std::uint64_t path_hash(std::string_view path) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : path) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

}  // namespace

std::optional<UnitConversion> unit_conversion(std::string_view unit) {
    for (const UnitRow& row : kUnits)
        if (row.unit == unit) return UnitConversion{row.canonical, row.factor};
    return std::nullopt;
}

Result<Profile> parse_profile(std::string_view input, std::string_view file_name) {
    DuplicateKeys duplicates;
    json root;
    try {
        root = json::parse(input.begin(), input.end(), std::ref(duplicates));
    } catch (const json::exception& e) {
        std::string what = e.what();
        if (const auto close = what.find("] "); close != std::string::npos) what = what.substr(close + 2);
        return profile_error(Errc::parse, file_name, "", "not valid JSON: " + what);
    }
    if (duplicates.found())
        return profile_error(Errc::invalid_value, file_name, *duplicates.found(),
                             "repeated key; each field may appear once in an object");
    try {
        Profile p = read_profile(root);
        p.file = std::string(file_name);
        return p;
    } catch (const Failure& f) {
        return profile_error(f.code, file_name, f.field, f.message);
    } catch (const json::exception& e) {  // not expected: every access above is checked first
        return profile_error(Errc::invalid_value, file_name, "", std::string("unreadable: ") + e.what());
    }
}

Result<Profile> load_profile(const std::filesystem::path& path) {
    const std::string name = path.filename().string();
    std::ifstream in(path, std::ios::binary);
    if (!in) return profile_error(Errc::io, name, "", "cannot open " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return profile_error(Errc::io, name, "", "cannot read " + path.string());
    return parse_profile(text.str(), name);
}

std::filesystem::path installed_profiles_dir() { return TFQKD_PROFILE_INSTALL_DIR; }

std::optional<std::string> cross_field_violation(const Profile& p) {
    const auto f = cross_field_failure(p);
    if (!f) return std::nullopt;
    return f->field + ": " + f->message;
}

Profile draw_chip(const Profile& profile, std::uint64_t seed, std::uint64_t chip_index) {
    const CounterRng rng(seed, chip_index);
    // Each parameter owns 2^12 consecutive counter values per round, from FNV-1a(path) + round *
    // golden ratio, times 2^12, and uses one per attempt: docs/hardware-model.md §2.4. A round whose
    // chip breaks a cross-field rule is discarded as a whole (the chip is drawn again jointly).
    constexpr std::uint64_t kAttempts = 2048;
    constexpr std::uint64_t kRounds = 64;
    for (std::uint64_t round = 0; round < kRounds; ++round) {
        Profile chip = profile;
        for_each_parameter(chip, [&](std::string_view path, Parameter& p) {
            if (!p.spread || p.spread->width == 0) return;
            const std::uint64_t base = (path_hash(path) + round * 0x9E3779B97F4A7C15ULL) << 12;
            const double nominal = p.value;
            for (std::uint64_t attempt = 0; attempt < kAttempts; ++attempt) {
                const double x = p.spread->distribution == Spread::Distribution::normal
                                     ? nominal + p.spread->width * gaussian_at(rng, base + attempt)
                                     : nominal + p.spread->width * (2 * uniform_at(rng, base + attempt) - 1);
                if (p.accepts(x)) {
                    p.value = x;
                    return;
                }
            }
            // Every attempt fell outside the range (a spread far wider than the range): keep the
            // nominal value, which validation put inside it.
        });
        if (!cross_field_failure(chip)) return chip;
    }
    // Every round broke a cross-field rule: the nominal profile, which the reader validated.
    return profile;
}

}  // namespace tfqkd::hardware_model
