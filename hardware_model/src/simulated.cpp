// Simulated devices, the bridge to the analytic link and the time-varying phase:
// docs/hardware-model.md, section 2.
#include "hardware_model/simulated.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>

namespace tfqkd::hardware_model {
namespace {

constexpr double kTwoPi = 2 * std::numbers::pi;
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string number_text(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

double wrap_phase(double phi) {
    double r = std::fmod(phi, kTwoPi);
    if (r < 0) r += kTwoPi;
    return r >= kTwoPi ? 0.0 : r;
}

// Streams of the per-slot generators of a device, so that two devices of one seed never share one.
constexpr std::uint64_t kDetectorLeftStream = 0x4445'5445'4354'4c00ULL;   // "DETECTL"
constexpr std::uint64_t kDetectorRightStream = 0x4445'5445'4354'5200ULL;  // "DETECTR"
constexpr std::uint64_t kReferenceDriftStream = 0x5048'4153'4552'4546ULL; // "PHASEREF"
constexpr std::uint64_t kDifferentialDriftStream = 0x5048'4153'4544'4946ULL;  // "PHASEDIF"

// `field` names the FibrePair member (static storage); `arm` is "alice" or "bob".
Status check_fibre_value(double x, std::string_view field, std::string_view what) {
    if (!std::isfinite(x) || x < 0)
        return make_error(Errc::invalid_argument, "fibre", field,
                          std::string(what) + " is " + number_text(x) + "; it must be finite and non-negative");
    return {};
}

// A value read from a device in the bridge: finite and inside [lower, upper] (open ends as flagged).
// `field` is a string literal naming the value; the detail names the device.
Status check_device_value(double x, std::string_view device, std::string_view field, double lower, double upper,
                          bool lower_open = false, bool upper_open = false) {
    const bool inside = std::isfinite(x) && (lower_open ? x > lower : x >= lower) && (upper_open ? x < upper : x <= upper);
    if (inside) return {};
    const std::string range = std::string(lower_open ? "(" : "[") + number_text(lower) + ", " +
                              (std::isinf(upper) ? std::string("inf") : number_text(upper)) + (upper_open ? ")" : "]");
    return make_error(Errc::invalid_argument, "bridge", field,
                      std::string(device) + ": " + std::string(field) + " = " + number_text(x) +
                          (std::isfinite(x) ? " is outside " + range : std::string(" is not finite; accepted: ") + range));
}

Status check_conditions(const PhaseConditions& c) {
    if (!(c.visibility > 0 && c.visibility <= 1))
        return make_error(Errc::invalid_argument, "phase_tracking", "visibility",
                          "visibility " + number_text(c.visibility) + " is outside (0, 1]");
    if (!(c.signal_click_rate_hz >= 0))  // NaN fails; +inf is the ideal limit
        return make_error(Errc::invalid_argument, "phase_tracking", "signal_click_rate_hz",
                          "signal click rate " + number_text(c.signal_click_rate_hz) + " Hz is negative or NaN");
    return {};
}

}  // namespace

double transmittance_of_loss_db(double db) noexcept { return std::pow(10.0, -db / 10); }

double phase_error_rate(double sigma_rad) noexcept {
    // REFERENCES.md §5 [V: Bertaina]: a Gaussian phase error of deviation sigma flips the
    // interference outcome with probability (1 - exp(-sigma^2/2)) / 2, about sigma^2 / 4.
    return (1 - std::exp(-sigma_rad * sigma_rad / 2)) / 2;
}

// --- frequency reference ------------------------------------------------------------------------

namespace {
constexpr double kMaxLines = 2147483647.0;  // 2^31 - 1: every index fits an int32
bool valid_line_count(double n) { return n >= 1 && n <= kMaxLines && n == std::floor(n); }  // NaN fails
}  // namespace

Result<SimulatedFrequencyReference> SimulatedFrequencyReference::create(const FrequencyReferenceSpec& spec) {
    if (!valid_line_count(spec.line_count.value))
        return make_error(Errc::invalid_argument, "frequency_reference", "line_count",
                          number_text(spec.line_count.value) + " is not a whole number in [1, 2^31 - 1]");
    if (!(std::isfinite(spec.centre_wavelength_nm.value) && spec.centre_wavelength_nm.value > 0))
        return make_error(Errc::invalid_argument, "frequency_reference", "centre_wavelength",
                          number_text(spec.centre_wavelength_nm.value) + " nm is not finite and positive");
    if (!(std::isfinite(spec.fsr_hz.value) && spec.fsr_hz.value > 0))
        return make_error(Errc::invalid_argument, "frequency_reference", "fsr",
                          number_text(spec.fsr_hz.value) + " Hz is not finite and positive");
    return SimulatedFrequencyReference(spec);
}

SimulatedFrequencyReference::SimulatedFrequencyReference(const FrequencyReferenceSpec& spec)
    : centre_nm_(spec.centre_wavelength_nm.value),
      fsr_hz_(spec.fsr_hz.value),
      // Converted only when it fits (a double outside the range of the integer is undefined behaviour).
      lines_(valid_line_count(spec.line_count.value) ? static_cast<std::uint32_t>(spec.line_count.value) : 0U),
      fluctuation_(spec.intensity_fluctuation.value) {}

Result<double> SimulatedFrequencyReference::line_frequency_hz(std::int32_t line) const {
    const std::int64_t lowest = -static_cast<std::int64_t>(lines_ / 2);
    const std::int64_t highest = static_cast<std::int64_t>(lines_) + lowest - 1;
    if (lines_ == 0)
        return make_error(Errc::invalid_argument, "frequency_reference", "line_count",
                          "the comb has no lines (its line count was not a whole number in [1, 2^31 - 1])");
    if (line < lowest || line > highest)
        return make_error(Errc::invalid_argument, "frequency_reference", "line",
                          "line " + std::to_string(line) + " is outside the comb (lines " + std::to_string(lowest) +
                              " to " + std::to_string(highest) + ")");
    // A comb's lines are equally spaced by the free spectral range around its centre.
    return frequency_of_wavelength(centre_nm_) + static_cast<double>(line) * fsr_hz_;
}

// --- laser ------------------------------------------------------------------------------------------

SimulatedLaser::SimulatedLaser(const LaserSpec& spec)
    : free_wavelength_nm_(spec.wavelength_nm.value),
      free_linewidth_hz_(spec.free_running_linewidth_hz.value),
      locked_linewidth_hz_(spec.locked_linewidth_hz.value),
      tuning_range_hz_(spec.tuning_range_hz.value),
      locking_range_hz_(spec.locking_range_hz.value) {}

double SimulatedLaser::wavelength_nm() const {
    return locked_ ? wavelength_of_frequency(locked_frequency_hz_) : free_wavelength_nm_;
}

Status SimulatedLaser::injection_lock(const FrequencyReference& reference, std::int32_t line) {
    locked_ = false;
    const auto f = reference.line_frequency_hz(line);
    if (!f) return f.error();
    // Tuning moves the free-running frequency by up to the tuning range towards the line; injection
    // locking then captures the laser if what is left of the detuning is within the capture range.
    const double detuning = std::abs(*f - frequency_of_wavelength(free_wavelength_nm_));
    if (!(detuning <= tuning_range_hz_ + locking_range_hz_))
        return make_error(Errc::invalid_argument, "laser", "tuning_range",
                          "line " + std::to_string(line) + " is " + number_text(detuning / 1e9) +
                              " GHz from the free-running frequency; tuning (" + number_text(tuning_range_hz_ / 1e9) +
                              " GHz) plus injection-locking capture (" + number_text(locking_range_hz_ / 1e9) +
                              " GHz) reach " + number_text((tuning_range_hz_ + locking_range_hz_) / 1e9) + " GHz");
    locked_ = true;
    locked_frequency_hz_ = *f;
    return {};
}

// --- modulators and attenuator ------------------------------------------------------------------

SimulatedIntensityModulator::SimulatedIntensityModulator(const IntensityModulatorSpec& spec, std::uint64_t seed,
                                                         std::uint64_t stream)
    : extinction_db_(spec.extinction_ratio_db.value),
      insertion_db_(spec.insertion_loss_db.value),
      fluctuation_(spec.intensity_fluctuation.value),
      rng_(seed, stream) {}

Result<double> SimulatedIntensityModulator::transmission(double requested, std::uint64_t slot) const {
    // An extinction ratio ER (max over min transmission) floors the mean transmission at
    // 10^(-ER/10). The pulse-to-pulse fluctuation is a log-normal factor of mean 1 and relative rms
    // sigma: exp(s z - s^2/2) with s^2 = ln(1 + sigma^2), z standard normal, so the mean intensity
    // is the requested one. The factor is positive, so only the upper bound can bind: a modulator
    // passes at most all of the light (clamped to 1; at the 1 % fluctuation of the profiles a
    // request near 1 loses a negligible part of its mean). docs/hardware-model.md §2.1.
    if (!std::isfinite(requested))
        return make_error(Errc::invalid_argument, "intensity_modulator", "requested",
                          "requested transmission " + number_text(requested) + " is not finite");
    const double target = std::clamp(requested, transmittance_of_loss_db(extinction_db_), 1.0);
    const double s2 = std::log1p(fluctuation_ * fluctuation_);
    const double factor = std::exp(std::sqrt(s2) * gaussian_at(rng_, slot) - s2 / 2);
    return std::clamp(target * factor, 0.0, 1.0);
}

SimulatedPhaseModulator::SimulatedPhaseModulator(const PhaseModulatorSpec& spec, std::uint64_t seed, std::uint64_t stream)
    : v_pi_(spec.v_pi_v.value),
      error_rad_(spec.phase_error_rad.value),
      insertion_db_(spec.insertion_loss_db.value),
      rng_(seed, stream) {}

Result<double> SimulatedPhaseModulator::applied_phase(double requested_rad, std::uint64_t slot) const {
    if (!std::isfinite(requested_rad))
        return make_error(Errc::invalid_argument, "phase_modulator", "requested_rad",
                          "requested phase " + number_text(requested_rad) + " rad is not finite");
    return wrap_phase(requested_rad + error_rad_ * gaussian_at(rng_, slot));
}

Result<double> SimulatedPhaseModulator::drive_voltage(double requested_rad) const {
    if (!std::isfinite(requested_rad))
        return make_error(Errc::invalid_argument, "phase_modulator", "requested_rad",
                          "requested phase " + number_text(requested_rad) + " rad is not finite");
    // An electro-optic phase modulator's phase is linear in the drive voltage, pi at V_pi.
    return wrap_phase(requested_rad) / std::numbers::pi * v_pi_;
}

SimulatedAttenuator::SimulatedAttenuator(const AttenuatorSpec& spec)
    : insertion_db_(spec.insertion_loss_db.value), max_db_(spec.max_attenuation_db.value) {}

Status SimulatedAttenuator::set_attenuation_db(double db) {
    if (!(db >= 0 && db <= max_db_))
        return make_error(Errc::invalid_argument, "attenuator", "attenuation",
                          std::to_string(db) + " dB is outside [0, " + std::to_string(max_db_) + "] dB");
    setting_db_ = db;
    return {};
}

double SimulatedAttenuator::transmittance() const { return transmittance_of_loss_db(setting_db_ + insertion_db_); }

// --- fibre --------------------------------------------------------------------------------------------

SimulatedFibre::SimulatedFibre(double length_km, double loss_db_per_km, double extra_loss_db, double drift_rad_per_ms)
    : length_km_(length_km), loss_db_per_km_(loss_db_per_km), extra_db_(extra_loss_db), drift_(drift_rad_per_ms) {}

double SimulatedFibre::transmittance() const { return transmittance_of_loss_db(loss_db()); }

// --- detectors and relay --------------------------------------------------------------------------

SimulatedDetector::SimulatedDetector(const DetectorSpec& spec, std::uint64_t seed, std::uint64_t stream)
    : efficiency_(spec.efficiency.value),
      dark_rate_hz_(spec.dark_count_rate_hz.value),
      dead_time_s_(spec.dead_time_s.value),
      afterpulse_(spec.afterpulse_probability.value),
      rng_(seed, stream) {}

double SimulatedDetector::dark_count_probability(double window_s) const {
    // Dark counts as a Poisson process of rate R: at least one in a window tau with 1 - exp(-R tau).
    return -std::expm1(-dark_rate_hz_ * std::max(0.0, window_s));
}

double SimulatedDetector::click_probability(double mean_photons, double window_s) const {
    // Threshold detector and a coherent pulse (REFERENCES.md §5, click model): it stays dark with
    // probability (1 - p_dark) exp(-eta I).
    const double dark = dark_count_probability(window_s);
    return 1 - (1 - dark) * std::exp(-efficiency_ * std::max(0.0, mean_photons));
}

bool SimulatedDetector::detect(double mean_photons, double window_s, double time_s, std::uint64_t slot) {
    if (last_click_s_ && time_s - *last_click_s_ < dead_time_s_) return false;  // blind
    double p = click_probability(mean_photons, window_s);
    if (afterpulse_pending_) p = 1 - (1 - p) * (1 - afterpulse_);
    afterpulse_pending_ = false;
    const bool click = uniform_at(rng_, slot) < p;
    if (click) {
        last_click_s_ = time_s;
        afterpulse_pending_ = true;
    }
    return click;
}

SimulatedRelay::SimulatedRelay(const RelaySpec& relay, const DetectorSpec& detectors, std::uint64_t seed)
    : ratio_(relay.splitting_ratio.value),
      insertion_db_(relay.insertion_loss_db.value),
      mode_db_(relay.mode_overlap_extinction_ratio_db.value),
      left_(detectors, seed, kDetectorLeftStream),
      right_(detectors, seed, kDetectorRightStream) {}

Result<OutputIntensities> SimulatedRelay::split(double a, double b, double delta) const {
    if (!(std::isfinite(a) && a >= 0 && std::isfinite(b) && b >= 0))
        return make_error(Errc::invalid_argument, "relay", "intensity",
                          "input intensities " + number_text(a) + " and " + number_text(b) +
                              " must be finite and non-negative mean photon numbers");
    if (!std::isfinite(delta))
        return make_error(Errc::invalid_argument, "relay", "delta", "relative phase " + number_text(delta) + " is not finite");
    // A lossless beam splitter of intensity ratio r: amplitudes sqrt(r) and sqrt(1 - r), so
    // I_left = r a + (1 - r) b + 2 sqrt(r (1 - r) a b) cos(delta) and I_right = a + b - I_left.
    // At r = 1/2 this is REFERENCES.md §5's I_{L,R} = (a + b)/2 +- sqrt(ab) cos(delta).
    const double cross = 2 * std::sqrt(ratio_ * (1 - ratio_) * a * b) * std::cos(delta);
    const double left = std::max(0.0, ratio_ * a + (1 - ratio_) * b + cross);
    const double right = std::max(0.0, (1 - ratio_) * a + ratio_ * b - cross);
    return OutputIntensities{left, right};
}

// --- phase tracking and clock ---------------------------------------------------------------------

SimulatedPhaseTracker::SimulatedPhaseTracker(const PhaseTrackingSpec& spec)
    : dual_(spec.kind == "dual_wavelength"),
      reference_(spec.reference_drift_rad_per_ms.value),
      differential_(spec.differential_drift_rad_per_ms.value),
      sampling_hz_(spec.sampling_rate_hz.value),
      reference_click_hz_(spec.reference_click_rate_hz.value),
      signal_photons_(dual_ && spec.signal_mean_photons ? spec.signal_mean_photons->value : 0.0) {
    // The reader limits line indices to [-10^5, 10^5]; anything else (a hand-built spec) is dropped
    // rather than converted with undefined behaviour.
    if (dual_ && spec.reference_line) {
        const double line = spec.reference_line->value;
        if (line == std::floor(line) && std::abs(line) <= 1e5) reference_line_ = static_cast<std::int32_t>(line);
    }
}

double optimal_calibration_interval_s(double differential_rad_per_s, double visibility, double signal_click_rate_hz) noexcept {
    // d/dT [(r T)^2 / 3 + 1 / (V^2 R T)] = 2 r^2 T / 3 - 1 / (V^2 R T^2) = 0.
    const double r = std::abs(differential_rad_per_s);
    if (r == 0) return kInf;
    return std::cbrt(3 / (2 * r * r * visibility * visibility * signal_click_rate_hz));
}

Result<double> SimulatedPhaseTracker::calibration_interval_s(const PhaseConditions& conditions) const {
    TFQKD_TRY(check_conditions(conditions));
    if (!dual_ || differential_ == 0) return kInf;  // nothing drifts between reference and signal
    if (conditions.signal_click_rate_hz == 0)
        return make_error(Errc::invalid_argument, "phase_tracking", "signal_click_rate_hz",
                          "no signal clicks to calibrate the differential phase with");
    return optimal_calibration_interval_s(differential_ * 1e3, conditions.visibility, conditions.signal_click_rate_hz);
}

Result<ResidualPhase> SimulatedPhaseTracker::residual_phase(double reference_rate, double differential_rate,
                                                            const PhaseConditions& conditions) const {
    // docs/hardware-model.md §2.6. Independent contributions, added in variance:
    // - tracking lag: the reference phase moves linearly at rate r_ref during a sampling interval
    //   T_s = 1/f_s and each interval is corrected with its own estimate, so the error is uniform on
    //   [-r_ref T_s / 2, r_ref T_s / 2]: variance (r_ref T_s)^2 / 12;
    // - estimation: one estimate of the reference phase uses N = R_ref / f_s reference clicks of a
    //   fringe of visibility V; its variance is 1 / (V^2 N) = f_s / (V^2 R_ref) (the Cramer-Rao
    //   bound of a fringe read at mid-slope, a model assumption);
    // - dual wavelength only: the reference-to-signal (differential) phase drifts at r_d from its
    //   last calibration, T_c ago, so its error is uniform on [0, r_d T_c]: mean square
    //   (r_d T_c)^2 / 3; and the calibration itself, from the R_click T_c clicks of the quantum
    //   signal's own interference, is off by 1 / (V^2 R_click T_c). T_c minimises the sum of the
    //   two at the nominal r_d (optimal_calibration_interval_s).
    if (!(std::isfinite(reference_rate) && reference_rate >= 0 && std::isfinite(differential_rate) && differential_rate >= 0))
        return make_error(Errc::invalid_argument, "phase_tracking", "drift",
                          "drift rates " + number_text(reference_rate) + " and " + number_text(differential_rate) +
                              " rad/ms must be finite and non-negative");
    if (!(std::isfinite(sampling_hz_) && sampling_hz_ > 0 && std::isfinite(reference_click_hz_) && reference_click_hz_ > 0))
        return make_error(Errc::invalid_argument, "phase_tracking", "sampling_rate",
                          "sampling rate and reference click rate must be finite and positive");
    auto interval = calibration_interval_s(conditions);
    if (!interval) return interval.error();
    const double v2 = conditions.visibility * conditions.visibility;
    ResidualPhase out;
    const double lag = reference_rate * 1e3 / sampling_hz_;  // rad/ms -> rad/s, times T_s
    out.lag_rad2 = lag * lag / 12;
    out.estimation_rad2 = sampling_hz_ / (v2 * reference_click_hz_);
    out.calibration_interval_s = *interval;
    if (dual_ && differential_ > 0) {
        if (std::isinf(conditions.signal_click_rate_hz)) {
            out.calibration_interval_s = 0;  // the ideal limit: continuous, noiseless calibration
        } else {
            const double drift = differential_rate * 1e3 * out.calibration_interval_s;
            out.differential_rad2 = drift * drift / 3;
            out.calibration_rad2 = 1 / (v2 * conditions.signal_click_rate_hz * out.calibration_interval_s);
        }
    }
    return out;
}

SimulatedClock::SimulatedClock(const ClockSpec& spec)
    : rate_hz_(spec.repetition_rate_hz.value),
      window_s_(spec.detection_window_s.value),
      jitter_s_(spec.jitter_s.value) {}

// --- the bridge ------------------------------------------------------------------------------------

Result<LinkBreakdown> link_from_devices(const ClientDevices& alice, const ClientDevices& bob, const FibreLink& fibre_alice,
                                        const FibreLink& fibre_bob, const ServerDevices& server) {
    for (const ClientDevices* c : {&alice, &bob})
        if (c->laser == nullptr || c->intensity == nullptr || c->phase == nullptr)
            return make_error(Errc::invalid_argument, "bridge", "client", "a client device is missing");
    if (server.relay == nullptr || server.tracker == nullptr || server.clock == nullptr)
        return make_error(Errc::invalid_argument, "bridge", "server", "a server device is missing");

    // Every value read from a driver is checked before it enters the link.
    struct Named {
        const ClientDevices* devices;
        const FibreLink* fibre;
        const char* laser;
        const char* im;
        const char* pm;
        const char* chip;
        const char* fibre_name;
    };
    for (const Named& c : {Named{&alice, &fibre_alice, "alice's laser", "alice's intensity modulator",
                                 "alice's phase modulator", "alice's chip", "alice's fibre"},
                           Named{&bob, &fibre_bob, "bob's laser", "bob's intensity modulator", "bob's phase modulator",
                                 "bob's chip", "bob's fibre"}}) {
        TFQKD_TRY(check_device_value(c.devices->laser->wavelength_nm(), c.laser, "wavelength_nm", 0, kInf, true));
        TFQKD_TRY(check_device_value(c.devices->output_loss_db, c.chip, "output_loss_db", 0, kInf));
        TFQKD_TRY(check_device_value(c.devices->intensity->extinction_ratio_db(), c.im, "extinction_ratio_db", 0, kInf, true));
        TFQKD_TRY(check_device_value(c.devices->intensity->intensity_fluctuation(), c.im, "intensity_fluctuation", 0, kInf));
        TFQKD_TRY(check_device_value(c.devices->phase->phase_error_rad(), c.pm, "phase_error_rad", 0, kInf));
        TFQKD_TRY(check_device_value(c.fibre->length_km(), c.fibre_name, "length_km", 0, kInf));
        TFQKD_TRY(check_device_value(c.fibre->loss_db_per_km(), c.fibre_name, "loss_db_per_km", 0, kInf));
        TFQKD_TRY(check_device_value(c.fibre->extra_loss_db(), c.fibre_name, "extra_loss_db", 0, kInf));
        TFQKD_TRY(check_device_value(c.fibre->loss_db(), c.fibre_name, "loss_db", 0, kInf));
    }
    const Relay& relay = *server.relay;
    const Clock& clock = *server.clock;
    const PhaseTracker& tracker = *server.tracker;
    TFQKD_TRY(check_device_value(relay.splitting_ratio(), "the relay", "splitting_ratio", 0, 1));
    TFQKD_TRY(check_device_value(relay.insertion_loss_db(), "the relay", "insertion_loss_db", 0, kInf));
    TFQKD_TRY(check_device_value(relay.mode_overlap_extinction_ratio_db(), "the relay",
                                 "mode_overlap_extinction_ratio_db", 0, kInf, true));
    TFQKD_TRY(check_device_value(clock.detection_window_s(), "the clock", "detection_window_s", 0, kInf, true));
    TFQKD_TRY(check_device_value(clock.repetition_rate_hz(), "the clock", "repetition_rate_hz", 0, kInf, true));
    const double window = clock.detection_window_s();
    for (const auto& [detector, name] : {std::pair<const Detector*, const char*>{&relay.left(), "the left detector"},
                                         std::pair<const Detector*, const char*>{&relay.right(), "the right detector"}}) {
        TFQKD_TRY(check_device_value(detector->efficiency(), name, "efficiency", 0, 1));
        TFQKD_TRY(check_device_value(detector->dark_count_probability(window), name, "dark_count_probability", 0, 1));
    }
    TFQKD_TRY(check_device_value(tracker.reference_drift_rad_per_ms(), "the phase tracker", "reference_drift_rad_per_ms", 0, kInf));
    TFQKD_TRY(check_device_value(tracker.differential_drift_rad_per_ms(), "the phase tracker",
                                 "differential_drift_rad_per_ms", 0, kInf));
    TFQKD_TRY(check_device_value(tracker.sampling_rate_hz(), "the phase tracker", "sampling_rate_hz", 0, kInf, true));
    TFQKD_TRY(check_device_value(tracker.reference_click_rate_hz(), "the phase tracker", "reference_click_rate_hz", 0, kInf, true));
    TFQKD_TRY(check_device_value(tracker.signal_mean_photons(), "the phase tracker", "signal_mean_photons", 0, kInf,
                                 tracker.dual_wavelength()));

    if (!alice.laser->locked() || !bob.laser->locked())
        return make_error(Errc::invalid_argument, "bridge", "laser",
                          "both lasers must be injection-locked to the same line before they can interfere");
    const double fa = frequency_of_wavelength(alice.laser->wavelength_nm());
    const double fb = frequency_of_wavelength(bob.laser->wavelength_nm());
    if (std::abs(fa - fb) > 1e3)
        return make_error(Errc::invalid_argument, "bridge", "laser",
                          "the lasers are locked to different lines (" + number_text((fa - fb) / 1e9) + " GHz apart)");

    LinkBreakdown out;
    out.wavelength_nm = alice.laser->wavelength_nm();
    out.output_loss_alice_db = alice.output_loss_db;
    out.output_loss_bob_db = bob.output_loss_db;
    out.fibre_loss_alice_db = fibre_alice.loss_db();
    out.fibre_loss_bob_db = fibre_bob.loss_db();
    out.relay_insertion_loss_db = relay.insertion_loss_db();

    Link& link = out.link;
    // Arm loss: everything from the point where a client's intensities are defined to the beam
    // splitter, in dB (docs/hardware-model.md §2.5).
    link.arm_loss_alice_db = out.output_loss_alice_db + out.fibre_loss_alice_db + out.relay_insertion_loss_db;
    link.arm_loss_bob_db = out.output_loss_bob_db + out.fibre_loss_bob_db + out.relay_insertion_loss_db;
    // The Link has one efficiency and one dark-count probability for both detectors: their means.
    // At low intensity the expected number of clicks is eta_L I_L + eta_R I_R; with a balanced
    // splitter and phase-randomised light I_L and I_R have equal means, so the mean efficiency gives
    // the total click rate exactly. It does not give how the clicks divide: when eta_L != eta_R, or
    // in phase-matched windows where interference sends the light to one detector, the left/right
    // asymmetry (and the error-rate bias it causes) is lost. docs/hardware-model.md §2.5.
    link.detector_efficiency = (relay.left().efficiency() + relay.right().efficiency()) / 2;
    link.dark_count_probability =
        (relay.left().dark_count_probability(window) + relay.right().dark_count_probability(window)) / 2;

    // Misalignment e_d = (1 - v)/2 from the fringe visibility v, a product of independent factors:
    // - mode overlap: the relay's mode-overlap extinction ratio X = (1 + v)/(1 - v), defined for a
    //   balanced splitter (so it does not contain the splitter again)  =>  v = (X - 1)/(X + 1);
    // - splitting ratio r: the interference term of equal inputs is 2 sqrt(r (1 - r)) of the mean;
    // - Gaussian phase-modulator errors: E[cos(delta + e_A - e_B)] = cos(delta) exp(-(s_A^2 + s_B^2)/2).
    const double x = std::pow(10.0, relay.mode_overlap_extinction_ratio_db() / 10);
    const double v_mode = (x - 1) / (x + 1);
    const double r = relay.splitting_ratio();
    const double v_split = 2 * std::sqrt(r * (1 - r));
    const double sa = alice.phase->phase_error_rad();
    const double sb = bob.phase->phase_error_rad();
    const double v_phase = std::exp(-(sa * sa + sb * sb) / 2);
    out.misalignment_mode_overlap = (1 - v_mode) / 2;
    out.misalignment_splitter = (1 - v_split) / 2;
    out.misalignment_phase = (1 - v_phase) / 2;
    out.visibility = v_mode * v_split * v_phase;
    link.misalignment = std::clamp((1 - out.visibility) / 2, 0.0, 0.5);

    // Signal clicks for calibrating the differential phase: both arms' light at the mean photon
    // number of the signal, detected at the mean efficiency, at the clock rate.
    out.signal_click_rate_hz = link.detector_efficiency *
                               (transmittance_of_loss_db(link.arm_loss_alice_db) + transmittance_of_loss_db(link.arm_loss_bob_db)) *
                               tracker.signal_mean_photons() * clock.repetition_rate_hz();
    if (out.visibility <= 0)
        return make_error(Errc::invalid_argument, "bridge", "visibility",
                          "the link has no interference visibility (a splitting ratio of 0 or 1), so no phase can be tracked");
    out.phase_conditions = PhaseConditions{out.visibility, out.signal_click_rate_hz};
    auto residual = tracker.residual_phase(tracker.reference_drift_rad_per_ms(), tracker.differential_drift_rad_per_ms(),
                                           out.phase_conditions);
    if (!residual) return residual.error();
    out.residual = *residual;
    out.residual_phase_rad = std::sqrt(out.residual.variance());
    link.phase_noise_rad = out.residual_phase_rad;

    // The vacuum floor is that of one modulator: see docs/hardware-model.md §2.5 for why.
    out.vacuum_floor_alice = transmittance_of_loss_db(alice.intensity->extinction_ratio_db());
    out.vacuum_floor_bob = transmittance_of_loss_db(bob.intensity->extinction_ratio_db());
    out.intensity_fluctuation_alice = alice.intensity->intensity_fluctuation();
    out.intensity_fluctuation_bob = bob.intensity->intensity_fluctuation();
    return out;
}

Result<LinkBreakdown> link_from_profiles(const Profile& alice, const Profile& bob, const Profile& server,
                                         const FibrePair& fibre, std::int32_t comb_line) {
    for (const Profile* c : {&alice, &bob})
        if (!c->is_client() || !c->laser || !c->intensity_modulators || !c->phase_modulators || !c->output)
            return make_error(Errc::invalid_argument, "bridge", "client",
                              "\"" + c->file + "\" is not a client or bench profile");
    if (!server.is_server() || !server.frequency_reference || !server.detectors || !server.relay ||
        !server.phase_tracking || !server.clock)
        return make_error(Errc::invalid_argument, "bridge", "server",
                          "\"" + server.file + "\" is not a server or bench profile");
    double loss_per_km = 0;
    if (fibre.loss_db_per_km) loss_per_km = *fibre.loss_db_per_km;
    else if (server.fibre) loss_per_km = server.fibre->loss_db_per_km.value;
    else
        return make_error(Errc::invalid_argument, "bridge", "loss_db_per_km",
                          "no fibre attenuation given and \"" + server.file + "\" has no fibre section");
    TFQKD_TRY(check_fibre_value(fibre.alice_km, "alice_km", "alice's fibre length (km)"));
    TFQKD_TRY(check_fibre_value(fibre.bob_km, "bob_km", "bob's fibre length (km)"));
    TFQKD_TRY(check_fibre_value(loss_per_km, "loss_db_per_km", "the fibre attenuation (dB/km)"));
    TFQKD_TRY(check_fibre_value(fibre.extra_loss_alice_db, "extra_loss_alice_db", "alice's extra loss (dB)"));
    TFQKD_TRY(check_fibre_value(fibre.extra_loss_bob_db, "extra_loss_bob_db", "bob's extra loss (dB)"));

    const SimulatedPhaseTracker tracker(*server.phase_tracking);
    if (tracker.dual_wavelength() && tracker.reference_line() && comb_line == *tracker.reference_line())
        return make_error(Errc::invalid_argument, "bridge", "comb_line",
                          "line " + std::to_string(comb_line) + " of \"" + server.file +
                              "\" carries the dual-wavelength phase reference; lock the clients to another line");
    auto comb = SimulatedFrequencyReference::create(*server.frequency_reference);
    if (!comb) return comb.error();
    SimulatedLaser laser_a(*alice.laser);
    SimulatedLaser laser_b(*bob.laser);
    // A laser that cannot reach the line: say whose (the profile of each side may differ).
    for (auto [laser, who] : {std::pair{&laser_a, "alice's laser: "}, std::pair{&laser_b, "bob's laser: "}})
        if (Status locked = laser->injection_lock(*comb, comb_line); !locked) {
            Error e = locked.error();
            e.detail = who + e.detail;
            return e;
        }
    // The bridge uses only device properties, no per-slot draws: the seeds do not matter here.
    const SimulatedIntensityModulator im_a(*alice.intensity_modulators, 0, 0);
    const SimulatedIntensityModulator im_b(*bob.intensity_modulators, 0, 1);
    const SimulatedPhaseModulator pm_a(*alice.phase_modulators, 0, 2);
    const SimulatedPhaseModulator pm_b(*bob.phase_modulators, 0, 3);
    const SimulatedFibre fibre_a(fibre.alice_km, loss_per_km, fibre.extra_loss_alice_db);
    const SimulatedFibre fibre_b(fibre.bob_km, loss_per_km, fibre.extra_loss_bob_db);
    const SimulatedRelay relay(*server.relay, *server.detectors, 0);
    const SimulatedClock clock(*server.clock);
    return link_from_devices(ClientDevices{&laser_a, &im_a, &pm_a, alice.output->loss_db.value},
                             ClientDevices{&laser_b, &im_b, &pm_b, bob.output->loss_db.value}, fibre_a, fibre_b,
                             ServerDevices{&relay, &tracker, &clock});
}

// --- time-varying phase ----------------------------------------------------------------------------

Result<std::vector<PhaseBlock>> phase_blocks(const Profile& server, double session_s, double block_s,
                                             std::uint64_t seed, const std::optional<PhaseConditions>& conditions) {
    if (!server.phase_tracking)
        return make_error(Errc::invalid_argument, "phase_blocks", "server",
                          "\"" + server.file + "\" has no phase_tracking section");
    if (!std::isfinite(session_s) || session_s <= 0)
        return make_error(Errc::invalid_argument, "phase_blocks", "session_s",
                          "session duration " + number_text(session_s) + " s is not finite and positive");
    if (!std::isfinite(block_s) || block_s <= 0)
        return make_error(Errc::invalid_argument, "phase_blocks", "block_s",
                          "block duration " + number_text(block_s) + " s is not finite and positive");
    const double count = std::ceil(session_s / block_s);
    // 10^5 blocks of 48 bytes are under 5 MB; the command line has the same limit.
    constexpr double kMaxBlocks = 1e5;
    if (count > kMaxBlocks)
        return make_error(Errc::invalid_argument, "phase_blocks", "block_s",
                          "the session would have more than 10^5 blocks; use longer blocks");
    const PhaseConditions used = conditions.value_or(PhaseConditions{1.0, kInf});
    TFQKD_TRY(check_conditions(used));
    const PhaseTrackingSpec& spec = *server.phase_tracking;
    const SimulatedPhaseTracker tracker(spec);
    // Log-normal rates with the profile's rate as their mean and coefficient of variation c:
    // log r = m + s y with s^2 = ln(1 + c^2), m = ln(mean) - s^2/2, and y a stationary AR(1)
    // process of unit variance sampled at the block centres: between blocks of durations d and d'
    // the correlation is rho = exp(-(d + d') / (2 tau)), exp(-block / tau) for two full blocks.
    const double c = spec.drift_variability.value;
    const double s = std::sqrt(std::log1p(c * c));
    const double tau = spec.drift_correlation_time_s.value;
    const CounterRng reference_rng(seed, kReferenceDriftStream);
    const CounterRng differential_rng(seed, kDifferentialDriftStream);
    const auto rate = [&](double mean, double y) { return mean > 0 ? mean * std::exp(s * y - s * s / 2) : 0.0; };

    const auto n = static_cast<std::uint64_t>(count);
    std::vector<PhaseBlock> blocks;
    blocks.reserve(n);
    double y_ref = gaussian_at(reference_rng, 0);
    double y_diff = gaussian_at(differential_rng, 0);
    double previous_duration = 0;
    for (std::uint64_t k = 0; k < n; ++k) {
        PhaseBlock b;
        b.start_s = static_cast<double>(k) * block_s;
        b.duration_s = std::min(block_s, session_s - b.start_s);
        if (b.duration_s <= 0) break;  // rounding in the block count
        if (k > 0) {
            const double rho = std::exp(-(previous_duration + b.duration_s) / (2 * tau));
            const double innovation = std::sqrt(std::max(0.0, 1 - rho * rho));
            y_ref = rho * y_ref + innovation * gaussian_at(reference_rng, k);
            y_diff = rho * y_diff + innovation * gaussian_at(differential_rng, k);
        }
        previous_duration = b.duration_s;
        b.reference_drift_rad_per_ms = rate(spec.reference_drift_rad_per_ms.value, y_ref);
        b.differential_drift_rad_per_ms = rate(spec.differential_drift_rad_per_ms.value, y_diff);
        auto residual = tracker.residual_phase(b.reference_drift_rad_per_ms, b.differential_drift_rad_per_ms, used);
        if (!residual) return residual.error();
        b.residual_phase_rad = std::sqrt(residual->variance());
        b.phase_error_rate = phase_error_rate(b.residual_phase_rad);
        blocks.push_back(b);
    }
    return blocks;
}

Link link_for_block(const Link& base, const PhaseBlock& block) {
    Link link = base;
    link.phase_noise_rad = block.residual_phase_rad;
    return link;
}

}  // namespace tfqkd::hardware_model
