// The chip hardware abstraction: the interfaces a driver of real TF-QKD hardware implements, so that
// the rest of tfqkd (the bridge to the analytic link, simulations, later the session runner) sees a
// client chip, the fibre and the server's relay through the same small set of queries whether the
// numbers come from a simulator, a calibration file or a live instrument.
//
// Units, everywhere in this header: wavelengths in nm, frequencies and rates in Hz, times in
// seconds, losses, extinction ratios and attenuations in dB (positive numbers), phases in rad,
// phase drift in rad/ms (the unit of the published measurement, REFERENCES.md §1), voltages in V,
// lengths in km. Probabilities and fractions are plain numbers in [0, 1].
//
// Per-pulse behaviour (an intensity that fluctuates, a phase that is off by a random error, a
// detector that clicks) is a pure function of the slot index: implementations must return the same
// answer when asked twice about the same slot, which is what makes a simulation reproducible and a
// slot's ground truth recomputable. docs/hardware-model.md, section 2, describes every model.
#pragma once

#include <cstdint>
#include <optional>

#include "base/result.hpp"

namespace tfqkd::hardware_model {

// Speed of light in vacuum, m/s (exact by the SI definition of the metre).
inline constexpr double kSpeedOfLight = 299'792'458.0;

// Frequency in Hz of light of vacuum wavelength `nm`, and the inverse.
constexpr double frequency_of_wavelength(double nm) noexcept { return kSpeedOfLight / (nm * 1e-9); }
constexpr double wavelength_of_frequency(double hz) noexcept { return kSpeedOfLight / hz * 1e9; }

// A frequency reference distributing optical lines: the server's microcomb (lines spaced by the
// free spectral range around a centre wavelength), or a single reference laser (one line).
class FrequencyReference {
public:
    virtual ~FrequencyReference() = default;
    virtual double centre_wavelength_nm() const = 0;
    virtual double free_spectral_range_hz() const = 0;
    // Lines are indexed -line_count()/2 .. (line_count()-1)/2 around the centre (index 0).
    virtual std::uint32_t line_count() const = 0;
    // Relative fluctuation of the line power (long-term stability); reported, not used by the link.
    virtual double intensity_fluctuation() const = 0;
    // Optical frequency of line n: f0 + n * FSR, f0 the frequency of the centre wavelength.
    // invalid_argument if n is outside the comb.
    virtual Result<double> line_frequency_hz(std::int32_t line) const = 0;
};

// A laser that can be injection-locked to a line of a frequency reference. Locked, it takes the
// line's frequency and a narrow linewidth; unlocked, it runs at its own (free-running) wavelength.
// Locking is two steps: the laser is first tuned (heaters, currents) from its free-running
// frequency towards the line, over at most its tuning range; injection locking then captures it
// when the remaining detuning is within the capture (locking) range.
class Laser {
public:
    virtual ~Laser() = default;
    virtual double wavelength_nm() const = 0;  // current: the line's when locked
    virtual double linewidth_hz() const = 0;   // current: the locked linewidth when locked
    virtual bool locked() const = 0;
    virtual double tuning_range_hz() const = 0;   // largest tuning away from the free-running frequency
    virtual double locking_range_hz() const = 0;  // injection-locking capture range (after tuning)
    // Locks to line `line` of `reference`. Fails (and stays unlocked) when the line does not exist
    // or lies farther from the free-running frequency than tuning range + capture range.
    virtual Status injection_lock(const FrequencyReference& reference, std::int32_t line) = 0;
    virtual void unlock() = 0;
};

// An intensity modulator. Its mean transmission is a requested fraction of its maximum power, but
// never less than its extinction floor 10^(-ER/10); the emitted intensity fluctuates from pulse to
// pulse around that mean.
class IntensityModulator {
public:
    virtual ~IntensityModulator() = default;
    virtual double extinction_ratio_db() const = 0;
    virtual double insertion_loss_db() const = 0;
    // Relative rms fluctuation of the emitted intensity.
    virtual double intensity_fluctuation() const = 0;
    // Transmission achieved in `slot` for a requested one (relative to the maximum; requests are
    // clamped to [10^(-ER/10), 1]): in [0, 1], with mean the clamped request. invalid_argument for a
    // request that is not finite.
    virtual Result<double> transmission(double requested, std::uint64_t slot) const = 0;
};

// A phase modulator: applies a requested phase with a random error.
class PhaseModulator {
public:
    virtual ~PhaseModulator() = default;
    virtual double half_wave_voltage_v() const = 0;  // V_pi
    virtual double phase_error_rad() const = 0;      // rms of the applied-phase error
    virtual double insertion_loss_db() const = 0;
    // Phase applied in `slot` for a requested one, reduced to [0, 2 pi). invalid_argument for a
    // request that is not finite.
    virtual Result<double> applied_phase(double requested_rad, std::uint64_t slot) const = 0;
    // Drive voltage for a requested phase reduced to [0, 2 pi): phase / pi * V_pi. invalid_argument
    // for a request that is not finite.
    virtual Result<double> drive_voltage(double requested_rad) const = 0;
};

// A variable optical attenuator.
class VariableAttenuator {
public:
    virtual ~VariableAttenuator() = default;
    virtual double insertion_loss_db() const = 0;
    virtual double max_attenuation_db() const = 0;
    virtual double attenuation_db() const = 0;  // current setting, excluding insertion loss
    // invalid_argument outside [0, max_attenuation_db()].
    virtual Status set_attenuation_db(double db) = 0;
    // 10^(-(setting + insertion loss)/10).
    virtual double transmittance() const = 0;
};

// A fibre from a client to the server.
class FibreLink {
public:
    virtual ~FibreLink() = default;
    virtual double length_km() const = 0;
    virtual double loss_db_per_km() const = 0;
    virtual double extra_loss_db() const = 0;  // connectors, splices, added attenuation
    virtual double loss_db() const = 0;        // length * loss per km + extra
    virtual double transmittance() const = 0;  // 10^(-loss/10)
    // Mean rate of change of the optical phase through the fibre.
    virtual double phase_drift_rad_per_ms() const = 0;
};

// A single-photon detector (threshold: it tells click from no click).
class Detector {
public:
    virtual ~Detector() = default;
    virtual double efficiency() const = 0;
    virtual double dark_count_rate_hz() const = 0;
    virtual double dead_time_s() const = 0;
    // Probability that a click is followed by a spurious click in the next open gate.
    virtual double afterpulse_probability() const = 0;
    // Probability of a dark count within a detection window of `window_s` seconds:
    // 1 - exp(-rate * window) (dark counts as a Poisson process).
    virtual double dark_count_probability(double window_s) const = 0;
    // Probability of a click for a coherent pulse of mean photon number `mean_photons` arriving in a
    // window of `window_s`, detector ready: 1 - (1 - p_dark) exp(-efficiency * mean_photons).
    virtual double click_probability(double mean_photons, double window_s) const = 0;
};

// Mean photon numbers reaching the two detectors of the relay.
struct OutputIntensities {
    double left = 0;
    double right = 0;
};

// The untrusted relay: a beam splitter whose two outputs go to two detectors.
class Relay {
public:
    virtual ~Relay() = default;
    virtual const Detector& left() const = 0;
    virtual const Detector& right() const = 0;
    // Fraction of Alice's light sent to the left output (Bob's goes there with 1 - ratio).
    virtual double splitting_ratio() const = 0;
    // Loss from the server's input fibre to the beam splitter (coupling, demultiplexing, control).
    virtual double insertion_loss_db() const = 0;
    // Mode-overlap extinction ratio X (dB): the fringe extinction (max over min output for equal
    // inputs) that the residual mode mismatch of the two arms (polarisation, timing, spectrum)
    // alone would give behind a perfectly balanced splitter, X = (1 + v_mode)/(1 - v_mode). It
    // excludes the splitting ratio, which splitting_ratio() gives and the bridge applies once.
    virtual double mode_overlap_extinction_ratio_db() const = 0;
    // Intensities at the detectors for coherent inputs of mean photon numbers a (Alice) and b (Bob)
    // at the beam splitter with relative phase delta, with perfect mode overlap. Lossless beam
    // splitter: left + right = a + b for every phase. invalid_argument for a negative or non-finite
    // intensity or a non-finite phase.
    virtual Result<OutputIntensities> split(double a, double b, double delta) const = 0;
};

// What the link gives the phase tracker to work with (docs/hardware-model.md §2.6).
struct PhaseConditions {
    double visibility = 1;            // interference visibility of the link, 1 - 2 e_d, in (0, 1]
    double signal_click_rate_hz = 0;  // single-photon click rate of the quantum signal at the relay
};

// The residual relative phase after compensation, by contribution (variances in rad^2).
struct ResidualPhase {
    double lag_rad2 = 0;            // (r_ref T_s)^2 / 12
    double differential_rad2 = 0;   // (r_d T_c)^2 / 3 (dual wavelength only)
    double calibration_rad2 = 0;    // 1 / (V^2 R_click T_c) (dual wavelength only)
    double estimation_rad2 = 0;     // f_s / (V^2 R_ref)
    double calibration_interval_s = 0;  // T_c; infinite when the differential phase does not drift
    double variance() const noexcept { return lag_rad2 + differential_rad2 + calibration_rad2 + estimation_rad2; }
};

// Phase reference and tracking: a strong reference from which the relay estimates the relative
// phase of the two arms and compensates it. Dual wavelength: the reference is on its own comb line
// and its own (demultiplexed) detectors, and the differential phase between the two wavelengths is
// calibrated from the quantum signal's interference. Time multiplexed: the reference is sent at the
// signal's wavelength in reserved time slots to the same detectors, so there is no differential
// phase to calibrate.
class PhaseTracker {
public:
    virtual ~PhaseTracker() = default;
    virtual bool dual_wavelength() const = 0;
    // The comb line of the reference (dual wavelength); nullopt when time multiplexed.
    virtual std::optional<std::int32_t> reference_line() const = 0;
    virtual double reference_drift_rad_per_ms() const = 0;     // drift of the reference phase
    virtual double differential_drift_rad_per_ms() const = 0;  // reference versus quantum signal
    virtual double sampling_rate_hz() const = 0;               // f_s
    virtual double reference_click_rate_hz() const = 0;        // R_ref, reference clicks per second
    // Mean photon number per pulse of the quantum signal (at the clients' calibration point) whose
    // clicks calibrate the differential phase; 0 when time multiplexed.
    virtual double signal_mean_photons() const = 0;
    // The calibration interval minimising the differential and calibration terms at the nominal
    // differential drift: T_c = (3 / (2 r_d^2 V^2 R_click))^(1/3).
    virtual Result<double> calibration_interval_s(const PhaseConditions& conditions) const = 0;
    // The residual for the given drift rates, with T_c chosen at the nominal rates.
    // invalid_argument for rates or conditions out of range, or no signal clicks to calibrate with.
    virtual Result<ResidualPhase> residual_phase(double reference_drift_rad_per_ms, double differential_drift_rad_per_ms,
                                                 const PhaseConditions& conditions) const = 0;
};

// The clock: pulse repetition rate and detection window.
class Clock {
public:
    virtual ~Clock() = default;
    virtual double repetition_rate_hz() const = 0;
    virtual double detection_window_s() const = 0;  // the gate in which a click counts for a slot
    virtual double jitter_s() const = 0;            // rms timing jitter
    // Start time of `slot`: slot / repetition rate.
    virtual double slot_time_s(std::uint64_t slot) const = 0;
};

}  // namespace tfqkd::hardware_model
