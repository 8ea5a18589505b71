// Simulated devices, the bridge to the analytic link and the time-varying phase:
// docs/hardware-model.md, section 2.
#include "hardware_model/simulated.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace tfqkd::hardware_model {
namespace {

constexpr double kTwoPi = 2 * std::numbers::pi;

double from_db(double db) { return std::pow(10.0, -db / 10); }

double unit_at(const CounterRng& rng, std::uint64_t n) {
    return static_cast<double>(rng.at(n) >> 11) * 0x1.0p-53;  // [0, 1), 53 random bits
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

Status check_length(double km, double loss_per_km, double extra_db, std::string_view field) {
    if (!std::isfinite(km) || km < 0 || !std::isfinite(loss_per_km) || loss_per_km < 0 || !std::isfinite(extra_db) ||
        extra_db < 0)
        return make_error(Errc::invalid_argument, "fibre", field,
                          "fibre length, loss per km and extra loss must be finite and non-negative");
    return {};
}

}  // namespace

double gaussian_at(const CounterRng& rng, std::uint64_t n) noexcept {
    // Box-Muller (Box and Muller, Ann. Math. Stat. 29, 610 (1958)); 1 - u lies in (0, 1].
    const double radius = std::sqrt(-2 * std::log(1 - unit_at(rng, 2 * n)));
    return radius * std::cos(kTwoPi * unit_at(rng, 2 * n + 1));
}

double phase_error_rate(double sigma_rad) noexcept {
    // REFERENCES.md §5 [V: Bertaina]: a Gaussian phase error of deviation sigma flips the
    // interference outcome with probability (1 - exp(-sigma^2/2)) / 2, about sigma^2 / 4.
    return (1 - std::exp(-sigma_rad * sigma_rad / 2)) / 2;
}

// --- frequency reference ------------------------------------------------------------------------

SimulatedFrequencyReference::SimulatedFrequencyReference(const FrequencyReferenceSpec& spec)
    : centre_nm_(spec.centre_wavelength_nm.value),
      fsr_hz_(spec.fsr_hz.value),
      lines_(static_cast<std::uint32_t>(spec.line_count.value)),
      fluctuation_(spec.intensity_fluctuation.value) {}

Result<double> SimulatedFrequencyReference::line_frequency_hz(std::int32_t line) const {
    const std::int64_t lowest = -static_cast<std::int64_t>(lines_ / 2);
    const std::int64_t highest = static_cast<std::int64_t>(lines_) + lowest - 1;
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
      locking_range_hz_(spec.locking_range_hz.value) {}

double SimulatedLaser::wavelength_nm() const {
    return locked_ ? wavelength_of_frequency(locked_frequency_hz_) : free_wavelength_nm_;
}

Status SimulatedLaser::injection_lock(const FrequencyReference& reference, std::int32_t line) {
    locked_ = false;
    const auto f = reference.line_frequency_hz(line);
    if (!f) return f.error();
    const double detuning = std::abs(*f - frequency_of_wavelength(free_wavelength_nm_));
    if (detuning > locking_range_hz_)
        return make_error(Errc::invalid_argument, "laser", "locking_range",
                          "line " + std::to_string(line) + " is " + std::to_string(detuning / 1e9) +
                              " GHz from the free-running frequency; the locking range is " +
                              std::to_string(locking_range_hz_ / 1e9) + " GHz");
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

double SimulatedIntensityModulator::transmission(double requested, std::uint64_t slot) const {
    // An extinction ratio ER (max over min transmission) floors the transmission at 10^(-ER/10);
    // the fluctuation multiplies the intensity by 1 + sigma z, z standard normal; the result stays
    // within [floor, 1] (a modulator can neither pass more than all of the light nor extinguish
    // below its floor). docs/hardware-model.md §2.1.
    const double floor = from_db(extinction_db_);
    const double target = std::clamp(std::isfinite(requested) ? requested : 0.0, floor, 1.0);
    const double t = target * (1 + fluctuation_ * gaussian_at(rng_, slot));
    return std::clamp(t, floor, 1.0);
}

SimulatedPhaseModulator::SimulatedPhaseModulator(const PhaseModulatorSpec& spec, std::uint64_t seed, std::uint64_t stream)
    : v_pi_(spec.v_pi_v.value),
      error_rad_(spec.phase_error_rad.value),
      insertion_db_(spec.insertion_loss_db.value),
      rng_(seed, stream) {}

double SimulatedPhaseModulator::applied_phase(double requested_rad, std::uint64_t slot) const {
    return wrap_phase(requested_rad + error_rad_ * gaussian_at(rng_, slot));
}

double SimulatedPhaseModulator::drive_voltage(double requested_rad) const {
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

double SimulatedAttenuator::transmittance() const { return from_db(setting_db_ + insertion_db_); }

// --- fibre --------------------------------------------------------------------------------------------

SimulatedFibre::SimulatedFibre(double length_km, double loss_db_per_km, double extra_loss_db, double drift_rad_per_ms)
    : length_km_(length_km), loss_db_per_km_(loss_db_per_km), extra_db_(extra_loss_db), drift_(drift_rad_per_ms) {}

double SimulatedFibre::transmittance() const { return from_db(loss_db()); }

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
    const bool click = unit_at(rng_, slot) < p;
    if (click) {
        last_click_s_ = time_s;
        afterpulse_pending_ = true;
    }
    return click;
}

SimulatedRelay::SimulatedRelay(const RelaySpec& relay, const DetectorSpec& detectors, std::uint64_t seed)
    : ratio_(relay.splitting_ratio.value),
      insertion_db_(relay.insertion_loss_db.value),
      fringe_db_(relay.interference_extinction_ratio_db.value),
      left_(detectors, seed, kDetectorLeftStream),
      right_(detectors, seed, kDetectorRightStream) {}

OutputIntensities SimulatedRelay::split(double a, double b, double delta) const {
    // A lossless beam splitter of intensity ratio r: amplitudes sqrt(r) and sqrt(1 - r), so
    // I_left = r a + (1 - r) b + 2 sqrt(r (1 - r) a b) cos(delta) and I_right = a + b - I_left.
    // At r = 1/2 this is REFERENCES.md §5's I_{L,R} = (a + b)/2 +- sqrt(ab) cos(delta).
    const double cross = 2 * std::sqrt(ratio_ * (1 - ratio_) * a * b) * std::cos(delta);
    const double left = std::max(0.0, ratio_ * a + (1 - ratio_) * b + cross);
    const double right = std::max(0.0, (1 - ratio_) * a + ratio_ * b - cross);
    return {left, right};
}

// --- phase tracking and clock ---------------------------------------------------------------------

SimulatedPhaseTracker::SimulatedPhaseTracker(const PhaseTrackingSpec& spec)
    : dual_(spec.kind == "dual_wavelength"),
      reference_(spec.reference_drift_rad_per_ms.value),
      differential_(spec.differential_drift_rad_per_ms.value),
      sampling_hz_(spec.sampling_rate_hz.value),
      estimation_rad_(spec.estimation_noise_rad.value),
      calibration_s_(spec.calibration_interval_s.value) {}

double SimulatedPhaseTracker::residual_phase_rad(double reference_rate, double differential_rate) const {
    // docs/hardware-model.md §2.6. Three independent contributions, added in variance:
    // - tracking lag: the reference phase moves linearly at rate r_ref during a sampling interval
    //   T_s = 1/f_s and each interval is corrected with its own estimate, so the error is uniform on
    //   [-r_ref T_s / 2, r_ref T_s / 2]: variance (r_ref T_s)^2 / 12;
    // - differential phase: the reference-to-signal phase drifts at r_d from its last calibration,
    //   T_c ago, so the error is uniform on [0, r_d T_c]: mean square (r_d T_c)^2 / 3;
    // - estimation: each estimate is off by a Gaussian error of deviation sigma_est.
    const double lag = std::abs(reference_rate) * 1e3 / sampling_hz_;       // rad/ms -> rad/s, times T_s
    const double differential = std::abs(differential_rate) * 1e3 * calibration_s_;
    return std::sqrt(lag * lag / 12 + differential * differential / 3 + estimation_rad_ * estimation_rad_);
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
    if (!alice.laser->locked() || !bob.laser->locked())
        return make_error(Errc::invalid_argument, "bridge", "laser",
                          "both lasers must be injection-locked to the same line before they can interfere");
    const double fa = frequency_of_wavelength(alice.laser->wavelength_nm());
    const double fb = frequency_of_wavelength(bob.laser->wavelength_nm());
    if (std::abs(fa - fb) > 1e3)
        return make_error(Errc::invalid_argument, "bridge", "laser",
                          "the lasers are locked to different lines (" + std::to_string((fa - fb) / 1e9) + " GHz apart)");
    for (double loss : {alice.output_loss_db, bob.output_loss_db})
        if (!std::isfinite(loss) || loss < 0)
            return make_error(Errc::invalid_argument, "bridge", "output_loss_db", "must be finite and non-negative");

    const Relay& relay = *server.relay;
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
    // The Link has one efficiency and one dark-count probability for both detectors: the means
    // (exact for the total click rate at low intensity, where each detector sees half of the light).
    link.detector_efficiency = (relay.left().efficiency() + relay.right().efficiency()) / 2;
    const double window = server.clock->detection_window_s();
    link.dark_count_probability =
        (relay.left().dark_count_probability(window) + relay.right().dark_count_probability(window)) / 2;

    // Misalignment e_d = (1 - v)/2 from the fringe visibility v, a product of independent factors:
    // - fringe extinction ratio X = (1 + v)/(1 - v)  =>  v = (X - 1)/(X + 1);
    // - splitting ratio r: the interference term of equal inputs is 2 sqrt(r (1 - r)) of the mean;
    // - Gaussian phase-modulator errors: E[cos(delta + e_A - e_B)] = cos(delta) exp(-(s_A^2 + s_B^2)/2).
    const double x = std::pow(10.0, relay.interference_extinction_ratio_db() / 10);
    const double v_fringe = (x - 1) / (x + 1);
    const double r = relay.splitting_ratio();
    const double v_split = 2 * std::sqrt(r * (1 - r));
    const double sa = alice.phase->phase_error_rad();
    const double sb = bob.phase->phase_error_rad();
    const double v_phase = std::exp(-(sa * sa + sb * sb) / 2);
    out.misalignment_fringe = (1 - v_fringe) / 2;
    out.misalignment_splitter = (1 - v_split) / 2;
    out.misalignment_phase = (1 - v_phase) / 2;
    link.misalignment = std::clamp((1 - v_fringe * v_split * v_phase) / 2, 0.0, 0.5);

    const PhaseTracker& tracker = *server.tracker;
    out.residual_phase_rad =
        tracker.residual_phase_rad(tracker.reference_drift_rad_per_ms(), tracker.differential_drift_rad_per_ms());
    link.phase_noise_rad = out.residual_phase_rad;

    out.vacuum_floor_alice = from_db(alice.intensity->extinction_ratio_db());
    out.vacuum_floor_bob = from_db(bob.intensity->extinction_ratio_db());
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
    TFQKD_TRY(check_length(fibre.alice_km, loss_per_km, fibre.extra_loss_alice_db, "alice_km"));
    TFQKD_TRY(check_length(fibre.bob_km, loss_per_km, fibre.extra_loss_bob_db, "bob_km"));

    const SimulatedFrequencyReference comb(*server.frequency_reference);
    SimulatedLaser laser_a(*alice.laser);
    SimulatedLaser laser_b(*bob.laser);
    TFQKD_TRY(laser_a.injection_lock(comb, comb_line));
    TFQKD_TRY(laser_b.injection_lock(comb, comb_line));
    // The bridge uses only device properties, no per-slot draws: the seeds do not matter here.
    const SimulatedIntensityModulator im_a(*alice.intensity_modulators, 0, 0);
    const SimulatedIntensityModulator im_b(*bob.intensity_modulators, 0, 1);
    const SimulatedPhaseModulator pm_a(*alice.phase_modulators, 0, 2);
    const SimulatedPhaseModulator pm_b(*bob.phase_modulators, 0, 3);
    const SimulatedFibre fibre_a(fibre.alice_km, loss_per_km, fibre.extra_loss_alice_db);
    const SimulatedFibre fibre_b(fibre.bob_km, loss_per_km, fibre.extra_loss_bob_db);
    const SimulatedRelay relay(*server.relay, *server.detectors, 0);
    const SimulatedPhaseTracker tracker(*server.phase_tracking);
    const SimulatedClock clock(*server.clock);
    return link_from_devices(ClientDevices{&laser_a, &im_a, &pm_a, alice.output->loss_db.value},
                             ClientDevices{&laser_b, &im_b, &pm_b, bob.output->loss_db.value}, fibre_a, fibre_b,
                             ServerDevices{&relay, &tracker, &clock});
}

// --- time-varying phase ----------------------------------------------------------------------------

Result<std::vector<PhaseBlock>> phase_blocks(const Profile& server, double session_s, double block_s,
                                             std::uint64_t seed) {
    if (!server.phase_tracking)
        return make_error(Errc::invalid_argument, "phase_blocks", "server",
                          "\"" + server.file + "\" has no phase_tracking section");
    if (!std::isfinite(session_s) || session_s <= 0 || !std::isfinite(block_s) || block_s <= 0)
        return make_error(Errc::invalid_argument, "phase_blocks", "session_s",
                          "session and block durations must be finite and positive");
    const double count = std::ceil(session_s / block_s);
    constexpr double kMaxBlocks = 1e7;
    if (count > kMaxBlocks)
        return make_error(Errc::invalid_argument, "phase_blocks", "block_s",
                          "the session would have more than 10^7 blocks; use longer blocks");
    const PhaseTrackingSpec& spec = *server.phase_tracking;
    const SimulatedPhaseTracker tracker(spec);
    // Log-normal rates with the profile's rate as their mean and coefficient of variation c:
    // log r = m + s y with s^2 = ln(1 + c^2), m = ln(mean) - s^2/2, and y a stationary AR(1)
    // process of unit variance and lag-one correlation rho = exp(-block / correlation time).
    const double c = spec.drift_variability.value;
    const double s = std::sqrt(std::log1p(c * c));
    const double rho = std::exp(-block_s / spec.drift_correlation_time_s.value);
    const double innovation = std::sqrt(std::max(0.0, 1 - rho * rho));
    const CounterRng reference_rng(seed, kReferenceDriftStream);
    const CounterRng differential_rng(seed, kDifferentialDriftStream);
    const auto rate = [&](double mean, double y) { return mean > 0 ? mean * std::exp(s * y - s * s / 2) : 0.0; };

    const auto n = static_cast<std::uint64_t>(count);
    std::vector<PhaseBlock> blocks;
    blocks.reserve(n);
    double y_ref = gaussian_at(reference_rng, 0);
    double y_diff = gaussian_at(differential_rng, 0);
    for (std::uint64_t k = 0; k < n; ++k) {
        if (k > 0) {
            y_ref = rho * y_ref + innovation * gaussian_at(reference_rng, k);
            y_diff = rho * y_diff + innovation * gaussian_at(differential_rng, k);
        }
        PhaseBlock b;
        b.start_s = static_cast<double>(k) * block_s;
        b.duration_s = std::min(block_s, session_s - b.start_s);
        if (b.duration_s <= 0) break;  // rounding in the block count
        b.reference_drift_rad_per_ms = rate(spec.reference_drift_rad_per_ms.value, y_ref);
        b.differential_drift_rad_per_ms = rate(spec.differential_drift_rad_per_ms.value, y_diff);
        b.residual_phase_rad = tracker.residual_phase_rad(b.reference_drift_rad_per_ms, b.differential_drift_rad_per_ms);
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
