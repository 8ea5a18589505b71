// Chip profiles: the parameters of a client chip, a server or a whole bench, read from JSON files in
// which every number states where it comes from (a published source, or an assumption and why),
// with an optional wafer-level spread from which per-chip values are drawn.
//
// docs/hardware-model.md, section 2, is the specification of the file format: the sections each
// role takes, the parameters of each section, their units and accepted ranges. Reading is strict:
// unknown fields and sections, unknown device kinds, unknown units, missing provenance and values
// outside their ranges are errors naming the file and the JSON path of the field.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace tfqkd::hardware_model {

// Where a value comes from: a published source, or an assumption with its reason.
struct Provenance {
    bool published = false;  // true: `text` names the source; false: `text` is the assumption
    std::string text;
};

// Wafer-level variation of a parameter: chips differ by a draw from this distribution around the
// nominal value, truncated to the parameter's accepted range (docs/hardware-model.md, §2.4).
struct Spread {
    enum class Distribution { normal, uniform };
    Distribution distribution = Distribution::normal;
    double width = 0;  // normal: sigma; uniform: half width; in the canonical unit of the parameter
    Provenance provenance;
};

// One parameter, converted to its canonical unit (see devices.hpp: nm, Hz, s, dB, dB/km, rad,
// rad/ms, V, km, fractions).
struct Parameter {
    double value = 0;
    std::string unit;  // as written in the file (for reports)
    Provenance provenance;
    std::optional<Spread> spread;
    // The accepted range (canonical unit), which every drawn value respects too.
    double lower = 0;
    double upper = 0;
    bool lower_open = false;
    bool upper_open = false;
    bool integer = false;  // a count: whole numbers only, never drawn

    bool accepts(double x) const noexcept {
        return (lower_open ? x > lower : x >= lower) && (upper_open ? x < upper : x <= upper);
    }
};

struct LaserSpec {
    std::string kind;                  // dbr, dfb, self_injection_locked, external_cavity
    Parameter wavelength_nm;           // free-running
    Parameter free_running_linewidth_hz;
    Parameter locked_linewidth_hz;
    Parameter tuning_range_hz;         // largest tuning away from the free-running frequency
    Parameter locking_range_hz;        // injection-locking capture range, after tuning
};

struct IntensityModulatorSpec {
    std::string kind;  // mzm, eam
    Parameter count;
    Parameter extinction_ratio_db;
    Parameter intensity_fluctuation;  // relative rms
    Parameter insertion_loss_db;
};

struct PhaseModulatorSpec {
    std::string kind;  // electro_optic
    Parameter count;
    Parameter v_pi_v;
    Parameter phase_error_rad;  // rms
    Parameter insertion_loss_db;
};

struct AttenuatorSpec {
    std::string kind;  // voa
    Parameter count;
    Parameter max_attenuation_db;
    Parameter insertion_loss_db;
};

// From the point where the client's intensities are calibrated to the fibre leaving the chip.
struct OutputSpec {
    std::string kind;  // edge_coupler, grating_coupler, connector
    Parameter loss_db;
};

struct FrequencyReferenceSpec {
    std::string kind;  // microcomb, reference_laser
    Parameter centre_wavelength_nm;
    Parameter fsr_hz;
    Parameter line_count;
    Parameter intensity_fluctuation;
};

struct DetectorSpec {
    std::string kind;  // snspd, ingaas_spad
    Parameter count;
    Parameter efficiency;
    Parameter dark_count_rate_hz;
    Parameter dead_time_s;
    Parameter afterpulse_probability;
};

struct RelaySpec {
    std::string kind;  // beam_splitter
    Parameter splitting_ratio;
    Parameter insertion_loss_db;
    Parameter mode_overlap_extinction_ratio_db;  // fringe extinction of mode mismatch alone (balanced splitter)
};

struct PhaseTrackingSpec {
    std::string kind;  // dual_wavelength, time_multiplexed
    Parameter reference_drift_rad_per_ms;
    Parameter differential_drift_rad_per_ms;
    Parameter sampling_rate_hz;
    Parameter reference_click_rate_hz;  // R_ref: clicks of the reference per second
    Parameter drift_variability;       // coefficient of variation of a block's drift rate
    Parameter drift_correlation_time_s;
    // dual_wavelength only (required there, rejected for time_multiplexed):
    std::optional<Parameter> reference_line;       // comb line of the reference (an index)
    std::optional<Parameter> signal_mean_photons;  // mean photon number of the calibrating signal
};

struct ClockSpec {
    std::string kind;  // rf_synthesiser, comb_derived
    Parameter repetition_rate_hz;
    Parameter detection_window_s;
    Parameter jitter_s;
};

struct FibreSpec {
    std::string kind;  // standard_smf, ultra_low_loss
    Parameter loss_db_per_km;
};

enum class Role { client, server, bench };

// A profile as read from a file. Which sections are present follows the role: a client has laser,
// intensity_modulators, phase_modulators, attenuators and output; a server has frequency_reference,
// detectors, relay, phase_tracking and clock (fibre optional); a bench has both sets.
struct Profile {
    std::string file;  // file name the profile was read from (errors and reports name it)
    std::string name;
    std::string description;
    Role role = Role::client;
    std::optional<LaserSpec> laser;
    std::optional<IntensityModulatorSpec> intensity_modulators;
    std::optional<PhaseModulatorSpec> phase_modulators;
    std::optional<AttenuatorSpec> attenuators;
    std::optional<OutputSpec> output;
    std::optional<FrequencyReferenceSpec> frequency_reference;
    std::optional<DetectorSpec> detectors;
    std::optional<RelaySpec> relay;
    std::optional<PhaseTrackingSpec> phase_tracking;
    std::optional<ClockSpec> clock;
    std::optional<FibreSpec> fibre;

    bool is_client() const noexcept { return role != Role::server; }
    bool is_server() const noexcept { return role != Role::client; }
};

// Parses the text of a profile; `file_name` is what errors name ("pku_server.json"). Errors:
// Errc::parse (not JSON), Errc::out_of_range (a value outside its range), Errc::invalid_value
// (unknown field, section, kind, unit or distribution; missing provenance; wrong type),
// Errc::inconsistent (cross-field rules). Error::detail reads "<file>: <field path>: <what>".
Result<Profile> parse_profile(std::string_view text, std::string_view file_name);
// Reads and parses a file (Errc::io if unreadable); errors name the file's base name.
Result<Profile> load_profile(const std::filesystem::path& path);

// The directory the shipped profiles are installed to (<prefix>/<datadir>/tfqkd/profiles).
std::filesystem::path installed_profiles_dir();

// The profile of chip `chip_index` of a wafer: every parameter with a spread is replaced by a draw
// from it, the stream of the counter-based generator being the chip index, so the same (seed, index)
// always gives the same chip and different indices give independent chips. Draws are truncated to
// the parameter's range by redrawing, and a chip that breaks a cross-field rule of the reader (a
// locked linewidth above the free-running one, a detection window longer than the slot, ...) is
// redrawn as a whole, so every chip is a profile parse_profile would accept; after 64 rejected
// chips the nominal profile is returned (docs/hardware-model.md, §2.4). Parameters without a spread
// keep their value. The spreads stay in the result (as information); drawing again from a drawn
// chip is not meaningful.
Profile draw_chip(const Profile& profile, std::uint64_t seed, std::uint64_t chip_index);

// Calls f(path, parameter) for every parameter of the profile, in a fixed order; path is the JSON
// path without ".value" ("detectors.efficiency").
template <class F>
void for_each_parameter(Profile& p, F&& f);
template <class F>
void for_each_parameter(const Profile& p, F&& f);

// The first cross-field rule `p` breaks, as "<field path>: <what>" (nullopt if none): a locked
// linewidth above the free-running one, a detection window longer than the slot, a reference line
// outside the comb, a differential drift on a time-multiplexed tracker. parse_profile reports it as Errc::inconsistent; draw_chip redraws a chip that breaks one.
std::optional<std::string> cross_field_violation(const Profile& p);

// The canonical unit of each accepted unit, and the factor to it: docs/hardware-model.md §2.2.
// nullopt for an unknown unit.
struct UnitConversion {
    std::string_view canonical;
    double factor = 1;
};
std::optional<UnitConversion> unit_conversion(std::string_view unit);

// --- implementation of the visitors -------------------------------------------------------------

namespace detail {
template <class P, class F>
void visit_parameters(P& p, F& f) {
    if (p.laser) {
        f("laser.wavelength", p.laser->wavelength_nm);
        f("laser.free_running_linewidth", p.laser->free_running_linewidth_hz);
        f("laser.locked_linewidth", p.laser->locked_linewidth_hz);
        f("laser.tuning_range", p.laser->tuning_range_hz);
        f("laser.locking_range", p.laser->locking_range_hz);
    }
    if (p.intensity_modulators) {
        f("intensity_modulators.count", p.intensity_modulators->count);
        f("intensity_modulators.extinction_ratio", p.intensity_modulators->extinction_ratio_db);
        f("intensity_modulators.intensity_fluctuation", p.intensity_modulators->intensity_fluctuation);
        f("intensity_modulators.insertion_loss", p.intensity_modulators->insertion_loss_db);
    }
    if (p.phase_modulators) {
        f("phase_modulators.count", p.phase_modulators->count);
        f("phase_modulators.v_pi", p.phase_modulators->v_pi_v);
        f("phase_modulators.phase_error", p.phase_modulators->phase_error_rad);
        f("phase_modulators.insertion_loss", p.phase_modulators->insertion_loss_db);
    }
    if (p.attenuators) {
        f("attenuators.count", p.attenuators->count);
        f("attenuators.max_attenuation", p.attenuators->max_attenuation_db);
        f("attenuators.insertion_loss", p.attenuators->insertion_loss_db);
    }
    if (p.output) f("output.loss", p.output->loss_db);
    if (p.frequency_reference) {
        f("frequency_reference.centre_wavelength", p.frequency_reference->centre_wavelength_nm);
        f("frequency_reference.fsr", p.frequency_reference->fsr_hz);
        f("frequency_reference.line_count", p.frequency_reference->line_count);
        f("frequency_reference.intensity_fluctuation", p.frequency_reference->intensity_fluctuation);
    }
    if (p.detectors) {
        f("detectors.count", p.detectors->count);
        f("detectors.efficiency", p.detectors->efficiency);
        f("detectors.dark_count_rate", p.detectors->dark_count_rate_hz);
        f("detectors.dead_time", p.detectors->dead_time_s);
        f("detectors.afterpulse_probability", p.detectors->afterpulse_probability);
    }
    if (p.relay) {
        f("relay.splitting_ratio", p.relay->splitting_ratio);
        f("relay.insertion_loss", p.relay->insertion_loss_db);
        f("relay.mode_overlap_extinction_ratio", p.relay->mode_overlap_extinction_ratio_db);
    }
    if (p.phase_tracking) {
        f("phase_tracking.reference_drift", p.phase_tracking->reference_drift_rad_per_ms);
        f("phase_tracking.differential_drift", p.phase_tracking->differential_drift_rad_per_ms);
        f("phase_tracking.sampling_rate", p.phase_tracking->sampling_rate_hz);
        f("phase_tracking.reference_click_rate", p.phase_tracking->reference_click_rate_hz);
        f("phase_tracking.drift_variability", p.phase_tracking->drift_variability);
        f("phase_tracking.drift_correlation_time", p.phase_tracking->drift_correlation_time_s);
        if (p.phase_tracking->reference_line) f("phase_tracking.reference_line", *p.phase_tracking->reference_line);
        if (p.phase_tracking->signal_mean_photons)
            f("phase_tracking.signal_mean_photons", *p.phase_tracking->signal_mean_photons);
    }
    if (p.clock) {
        f("clock.repetition_rate", p.clock->repetition_rate_hz);
        f("clock.detection_window", p.clock->detection_window_s);
        f("clock.jitter", p.clock->jitter_s);
    }
    if (p.fibre) {
        f("fibre.loss", p.fibre->loss_db_per_km);
    }
}
}  // namespace detail

template <class F>
void for_each_parameter(Profile& p, F&& f) {
    detail::visit_parameters(p, f);
}
template <class F>
void for_each_parameter(const Profile& p, F&& f) {
    detail::visit_parameters(p, f);
}

}  // namespace tfqkd::hardware_model
