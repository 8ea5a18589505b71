// Simulated devices implementing the abstraction of devices.hpp from profile parameters, the bridge
// from devices (or profiles) to the analytic link of channel.hpp, and the piecewise-stationary
// phase behaviour of a session. docs/hardware-model.md, section 2, gives every formula.
//
// Reproducibility: every per-pulse random quantity is a pure function of (seed, device stream,
// slot) through tfqkd::CounterRng, so asking twice about a slot gives the same answer.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/rng.hpp"
#include "hardware_model/channel.hpp"
#include "hardware_model/devices.hpp"
#include "hardware_model/profile.hpp"

namespace tfqkd::hardware_model {

// A standard normal variate for index n of a stream: base/rng.hpp (one output per variate).
using tfqkd::gaussian_at;

// 10^(-db/10): the transmittance of a loss of `db` dB.
double transmittance_of_loss_db(double db) noexcept;

class SimulatedFrequencyReference final : public FrequencyReference {
public:
    // The spec's line count must be a whole number in [1, 2^31 - 1] and the centre wavelength and
    // FSR finite and positive: invalid_argument otherwise (a parsed profile always is).
    static Result<SimulatedFrequencyReference> create(const FrequencyReferenceSpec& spec);
    // Without the checks of create(): a line count that is not a whole number in [1, 2^31 - 1]
    // gives a comb without lines (every line_frequency_hz is then an error), never undefined behaviour.
    explicit SimulatedFrequencyReference(const FrequencyReferenceSpec& spec);
    double centre_wavelength_nm() const override { return centre_nm_; }
    double free_spectral_range_hz() const override { return fsr_hz_; }
    std::uint32_t line_count() const override { return lines_; }
    double intensity_fluctuation() const override { return fluctuation_; }
    Result<double> line_frequency_hz(std::int32_t line) const override;

private:
    double centre_nm_;
    double fsr_hz_;
    std::uint32_t lines_;
    double fluctuation_;
};

class SimulatedLaser final : public Laser {
public:
    explicit SimulatedLaser(const LaserSpec& spec);
    double wavelength_nm() const override;
    double linewidth_hz() const override { return locked_ ? locked_linewidth_hz_ : free_linewidth_hz_; }
    bool locked() const override { return locked_; }
    double tuning_range_hz() const override { return tuning_range_hz_; }
    double locking_range_hz() const override { return locking_range_hz_; }
    Status injection_lock(const FrequencyReference& reference, std::int32_t line) override;
    void unlock() override { locked_ = false; }

private:
    double free_wavelength_nm_;
    double free_linewidth_hz_;
    double locked_linewidth_hz_;
    double tuning_range_hz_;
    double locking_range_hz_;
    bool locked_ = false;
    double locked_frequency_hz_ = 0;
};

class SimulatedIntensityModulator final : public IntensityModulator {
public:
    SimulatedIntensityModulator(const IntensityModulatorSpec& spec, std::uint64_t seed, std::uint64_t stream);
    double extinction_ratio_db() const override { return extinction_db_; }
    double insertion_loss_db() const override { return insertion_db_; }
    double intensity_fluctuation() const override { return fluctuation_; }
    Result<double> transmission(double requested, std::uint64_t slot) const override;

private:
    double extinction_db_;
    double insertion_db_;
    double fluctuation_;
    CounterRng rng_;
};

class SimulatedPhaseModulator final : public PhaseModulator {
public:
    SimulatedPhaseModulator(const PhaseModulatorSpec& spec, std::uint64_t seed, std::uint64_t stream);
    double half_wave_voltage_v() const override { return v_pi_; }
    double phase_error_rad() const override { return error_rad_; }
    double insertion_loss_db() const override { return insertion_db_; }
    Result<double> applied_phase(double requested_rad, std::uint64_t slot) const override;
    Result<double> drive_voltage(double requested_rad) const override;

private:
    double v_pi_;
    double error_rad_;
    double insertion_db_;
    CounterRng rng_;
};

class SimulatedAttenuator final : public VariableAttenuator {
public:
    explicit SimulatedAttenuator(const AttenuatorSpec& spec);
    double insertion_loss_db() const override { return insertion_db_; }
    double max_attenuation_db() const override { return max_db_; }
    double attenuation_db() const override { return setting_db_; }
    Status set_attenuation_db(double db) override;
    double transmittance() const override;

private:
    double insertion_db_;
    double max_db_;
    double setting_db_ = 0;
};

class SimulatedFibre final : public FibreLink {
public:
    // Lengths and losses must be finite and non-negative (checked by the bridge's callers).
    SimulatedFibre(double length_km, double loss_db_per_km, double extra_loss_db = 0, double drift_rad_per_ms = 0);
    double length_km() const override { return length_km_; }
    double loss_db_per_km() const override { return loss_db_per_km_; }
    double extra_loss_db() const override { return extra_db_; }
    double loss_db() const override { return length_km_ * loss_db_per_km_ + extra_db_; }
    double transmittance() const override;
    double phase_drift_rad_per_ms() const override { return drift_; }

private:
    double length_km_;
    double loss_db_per_km_;
    double extra_db_;
    double drift_;
};

class SimulatedDetector final : public Detector {
public:
    SimulatedDetector(const DetectorSpec& spec, std::uint64_t seed, std::uint64_t stream);
    double efficiency() const override { return efficiency_; }
    double dark_count_rate_hz() const override { return dark_rate_hz_; }
    double dead_time_s() const override { return dead_time_s_; }
    double afterpulse_probability() const override { return afterpulse_; }
    double dark_count_probability(double window_s) const override;
    double click_probability(double mean_photons, double window_s) const override;

    // Event-level detection, for slots presented in increasing time: blind for the dead time after
    // a click; in the first open gate after a click an afterpulse adds a click with the afterpulse
    // probability. Which way a slot goes is a pure function of (seed, stream, slot) and the state.
    bool detect(double mean_photons, double window_s, double time_s, std::uint64_t slot);
    void reset() noexcept { last_click_s_.reset(); afterpulse_pending_ = false; }

private:
    double efficiency_;
    double dark_rate_hz_;
    double dead_time_s_;
    double afterpulse_;
    CounterRng rng_;
    std::optional<double> last_click_s_;
    bool afterpulse_pending_ = false;
};

class SimulatedRelay final : public Relay {
public:
    SimulatedRelay(const RelaySpec& relay, const DetectorSpec& detectors, std::uint64_t seed);
    const Detector& left() const override { return left_; }
    const Detector& right() const override { return right_; }
    SimulatedDetector& left_detector() { return left_; }
    SimulatedDetector& right_detector() { return right_; }
    double splitting_ratio() const override { return ratio_; }
    double insertion_loss_db() const override { return insertion_db_; }
    double mode_overlap_extinction_ratio_db() const override { return mode_db_; }
    Result<OutputIntensities> split(double a, double b, double delta) const override;

private:
    double ratio_;
    double insertion_db_;
    double mode_db_;
    SimulatedDetector left_;
    SimulatedDetector right_;
};

class SimulatedPhaseTracker final : public PhaseTracker {
public:
    explicit SimulatedPhaseTracker(const PhaseTrackingSpec& spec);
    bool dual_wavelength() const override { return dual_; }
    std::optional<std::int32_t> reference_line() const override { return reference_line_; }
    double reference_drift_rad_per_ms() const override { return reference_; }
    double differential_drift_rad_per_ms() const override { return differential_; }
    double sampling_rate_hz() const override { return sampling_hz_; }
    double reference_click_rate_hz() const override { return reference_click_hz_; }
    double signal_mean_photons() const override { return signal_photons_; }
    Result<double> calibration_interval_s(const PhaseConditions& conditions) const override;
    Result<ResidualPhase> residual_phase(double reference_drift_rad_per_ms, double differential_drift_rad_per_ms,
                                         const PhaseConditions& conditions) const override;

private:
    bool dual_;
    std::optional<std::int32_t> reference_line_;
    double reference_;
    double differential_;
    double sampling_hz_;
    double reference_click_hz_;
    double signal_photons_;
};

// The calibration interval minimising (r_d T_c)^2 / 3 + 1 / (V^2 R_click T_c):
// T_c = (3 / (2 r_d^2 V^2 R_click))^(1/3), r_d in rad/s; infinite for r_d = 0.
double optimal_calibration_interval_s(double differential_rad_per_s, double visibility, double signal_click_rate_hz) noexcept;

class SimulatedClock final : public Clock {
public:
    explicit SimulatedClock(const ClockSpec& spec);
    double repetition_rate_hz() const override { return rate_hz_; }
    double detection_window_s() const override { return window_s_; }
    double jitter_s() const override { return jitter_s_; }
    double slot_time_s(std::uint64_t slot) const override { return static_cast<double>(slot) / rate_hz_; }

private:
    double rate_hz_;
    double window_s_;
    double jitter_s_;
};

// --- the bridge to the analytic link ---------------------------------------------------------------

// A client's devices as the bridge sees them; output_loss_db is the loss from the point where the
// client's intensities are calibrated to its output fibre.
struct ClientDevices {
    const Laser* laser = nullptr;
    const IntensityModulator* intensity = nullptr;
    const PhaseModulator* phase = nullptr;
    double output_loss_db = 0;
};

// The server's devices as the bridge sees them.
struct ServerDevices {
    const Relay* relay = nullptr;
    const PhaseTracker* tracker = nullptr;
    const Clock* clock = nullptr;
};

// The link and what went into it (docs/hardware-model.md §2.5).
struct LinkBreakdown {
    Link link;
    double output_loss_alice_db = 0;   // client chip output loss
    double output_loss_bob_db = 0;
    double fibre_loss_alice_db = 0;    // fibre, including extra loss
    double fibre_loss_bob_db = 0;
    double relay_insertion_loss_db = 0;
    double misalignment_mode_overlap = 0;  // from the mode-overlap extinction ratio alone
    double misalignment_splitter = 0;  // from the splitting ratio alone
    double misalignment_phase = 0;     // from the phase modulators' errors alone
    double visibility = 0;             // v = 1 - 2 e_d
    double signal_click_rate_hz = 0;   // eta_d (eta_A + eta_B) mu_signal f_rep (dual wavelength)
    PhaseConditions phase_conditions;  // what phase_blocks needs to reproduce this link's residual
    ResidualPhase residual;            // the residual's contributions and T_c
    double residual_phase_rad = 0;     // = link.phase_noise_rad = sqrt(residual.variance())
    // Intensity of a "vacuum" pulse relative to the maximum: 10^(-ER/10) of ONE intensity modulator
    // (the one that sets the decoy levels; the others are held open), see docs/hardware-model.md §2.5.
    double vacuum_floor_alice = 0;
    double vacuum_floor_bob = 0;
    double intensity_fluctuation_alice = 0;  // relative rms
    double intensity_fluctuation_bob = 0;
    double wavelength_nm = 0;          // the common wavelength of the two locked lasers
};

// Both lasers must be locked to the same frequency (within 1 kHz): invalid_argument otherwise.
// Every value read from a device is checked (finite, in its physical range): invalid_argument whose
// field names the value and whose detail names the device, e.g. a NaN fibre loss.
Result<LinkBreakdown> link_from_devices(const ClientDevices& alice, const ClientDevices& bob, const FibreLink& fibre_alice,
                                        const FibreLink& fibre_bob, const ServerDevices& server);

// The fibres of a pair: lengths, attenuation (by default the server profile's fibre section; an
// error if neither is given) and any extra loss per arm.
struct FibrePair {
    double alice_km = 0;
    double bob_km = 0;
    std::optional<double> loss_db_per_km;
    double extra_loss_alice_db = 0;
    double extra_loss_bob_db = 0;
};

// Builds simulated devices from two client (or bench) profiles and a server (or bench) profile,
// injection-locks both lasers to line `comb_line` of the server's frequency reference and calls
// link_from_devices. Errors: a profile of the wrong role, a fibre length or loss that is negative
// or not finite (field: the offending FibrePair member), a laser that cannot lock to the line, and
// comb_line equal to a dual-wavelength tracker's reference line (field "comb_line"): the reference
// line carries the strong phase reference, not a quantum signal.
Result<LinkBreakdown> link_from_profiles(const Profile& alice, const Profile& bob, const Profile& server,
                                         const FibrePair& fibre, std::int32_t comb_line = 0);

// --- time-varying phase ----------------------------------------------------------------------------

// One piecewise-stationary block of a session.
struct PhaseBlock {
    double start_s = 0;
    double duration_s = 0;
    double reference_drift_rad_per_ms = 0;
    double differential_drift_rad_per_ms = 0;
    double residual_phase_rad = 0;  // standard deviation of the relative phase after compensation
    double phase_error_rate = 0;    // (1 - exp(-sigma^2 / 2)) / 2, the X-basis error it adds
};

// The blocks of a session of `session_s` seconds cut into blocks of `block_s` (the last one may be
// shorter, and its drift correlation with the previous block uses its own duration): in each block
// the drift rates are drawn from a log-normal AR(1) process around the profile's rates
// (docs/hardware-model.md §2.6), and the residual follows from them and `conditions` (those of the
// link, LinkBreakdown::phase_conditions). Without conditions the residual is that of an ideal link
// (visibility 1 and unlimited signal clicks: no calibration noise, the differential phase
// recalibrated continuously), a lower bound; pass the link's conditions to match link_from_profiles.
// At most 10^5 blocks (about 64 bytes each). Errors: a profile without phase tracking,
// non-positive or non-finite durations (field session_s or block_s), too many blocks.
Result<std::vector<PhaseBlock>> phase_blocks(const Profile& server, double session_s, double block_s,
                                             std::uint64_t seed,
                                             const std::optional<PhaseConditions>& conditions = std::nullopt);

// The link of one block: `base` with the block's residual phase as its phase noise.
Link link_for_block(const Link& base, const PhaseBlock& block);

// Phase-error rate added by Gaussian phase noise of standard deviation sigma (REFERENCES.md §5,
// [V: Bertaina]): (1 - exp(-sigma^2 / 2)) / 2.
double phase_error_rate(double sigma_rad) noexcept;

}  // namespace tfqkd::hardware_model
