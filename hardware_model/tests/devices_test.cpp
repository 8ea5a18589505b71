// Simulated devices, the bridge to the analytic link and the time-varying phase: device invariants as
// RapidCheck properties (probabilities in [0, 1], monotone in loss, energy conserved at the beam
// splitter, extinction floors respected), hand-computed values of the shipped profiles, and the key
// statistics the bridged link predicts.
#include "hardware_model/simulated.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <rapidcheck.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <numbers>
#include <set>
#include <sstream>

#include "hardware_model/channel.hpp"

namespace tfqkd::hardware_model {
namespace {

using security::Window;

const std::filesystem::path kDir = TFQKD_PROFILES_DIR;
constexpr double kPi = std::numbers::pi;

// The helpers record a failure and return an empty profile instead of calling value() on an error.
Profile load(const std::string& name) {
    auto p = load_profile(kDir / name);
    if (!p.ok()) {
        ADD_FAILURE() << p.error().to_string();
        return Profile{};
    }
    return std::move(p.value());
}

Profile load_modified(const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
    std::ifstream in(kDir / name);
    nlohmann::json j = nlohmann::json::parse(in);
    edit(j);
    auto p = parse_profile(j.dump(), name);
    if (!p.ok()) {
        ADD_FAILURE() << p.error().to_string();
        return Profile{};
    }
    return std::move(p.value());
}

// The PKU pair lines: the 10 WDM channels around the reference line 0 (REFERENCES.md §1).
constexpr std::int32_t kPairLines[] = {-5, -4, -3, -2, -1, 1, 2, 3, 4, 5};
constexpr std::int32_t kPairLine = 1;  // the line the single-pair tests lock to

// A parameter with a value only (the device constructors read .value).
Parameter param(double v) {
    Parameter p;
    p.value = v;
    return p;
}

DetectorSpec detector_spec(double efficiency, double dark_hz, double dead_s = 0, double afterpulse = 0) {
    DetectorSpec d;
    d.kind = "snspd";
    d.count = param(2);
    d.efficiency = param(efficiency);
    d.dark_count_rate_hz = param(dark_hz);
    d.dead_time_s = param(dead_s);
    d.afterpulse_probability = param(afterpulse);
    return d;
}

RelaySpec relay_spec(double ratio) {
    RelaySpec r;
    r.kind = "beam_splitter";
    r.splitting_ratio = param(ratio);
    r.insertion_loss_db = param(0);
    r.mode_overlap_extinction_ratio_db = param(30);
    return r;
}

security::ProtocolParameters sns_protocol() {
    security::ProtocolParameters p;
    const double pz = 0.7, eps = 0.05;
    p.alice = {{Window::z, 0.4, pz * eps},
               {Window::z, 0.0, pz * (1 - eps)},
               {Window::x, 0.0, 0.3 * 0.4},
               {Window::x, 0.1, 0.3 * 0.4},
               {Window::x, 0.38, 0.3 * 0.2}};
    p.bob = p.alice;
    p.pulses = 1'000'000'000'000ULL;
    p.phase_slices = 16;
    return p;
}

// --- properties -------------------------------------------------------------------------------------

TEST(DeviceProperties, DetectorProbabilitiesAreProbabilitiesAndFallWithLoss) {
    EXPECT_TRUE(rc::check("detector click probability in [0, 1], non-increasing in loss", [] {
        const double efficiency = *rc::gen::inRange(0, 1001) / 1000.0;
        const double dark_hz = std::pow(10.0, *rc::gen::inRange(-3, 7));
        const double window = std::pow(10.0, *rc::gen::inRange(-12, -6));
        const double photons = *rc::gen::inRange(0, 100000) / 1000.0;
        const double loss_db = *rc::gen::inRange(0, 1000) / 10.0;
        const double more_db = loss_db + *rc::gen::inRange(1, 200) / 10.0;
        const SimulatedDetector d(detector_spec(efficiency, dark_hz), 1, 2);
        const double pd = d.dark_count_probability(window);
        RC_ASSERT(pd >= 0.0);
        RC_ASSERT(pd <= 1.0);
        const double near = d.click_probability(photons * std::pow(10.0, -loss_db / 10), window);
        const double far = d.click_probability(photons * std::pow(10.0, -more_db / 10), window);
        RC_ASSERT(near >= 0.0);
        RC_ASSERT(near <= 1.0);
        RC_ASSERT(far <= near);
        RC_ASSERT(far >= pd - 1e-15);  // never below the dark-count floor
    }));
}

TEST(DeviceProperties, BeamSplitterConservesEnergy) {
    EXPECT_TRUE(rc::check("left + right = a + b for every ratio and phase", [] {
        const double ratio = *rc::gen::inRange(0, 1001) / 1000.0;
        const double a = *rc::gen::inRange(0, 100000) / 1000.0;
        const double b = *rc::gen::inRange(0, 100000) / 1000.0;
        const double delta = *rc::gen::inRange(-7000, 7000) / 1000.0;
        const SimulatedRelay relay(relay_spec(ratio), detector_spec(0.8, 10), 3);
        const auto out = relay.split(a, b, delta);
        RC_ASSERT(out.ok());
        RC_ASSERT(out->left >= 0.0);
        RC_ASSERT(out->right >= 0.0);
        RC_ASSERT(std::abs(out->left + out->right - (a + b)) <= 1e-9 * (1 + a + b));
    }));
    const SimulatedRelay relay(relay_spec(0.5), detector_spec(0.8, 10), 3);
    EXPECT_FALSE(relay.split(-1, 1, 0).ok()) << "a negative mean photon number";
    EXPECT_FALSE(relay.split(1, std::nan(""), 0).ok());
    EXPECT_FALSE(relay.split(1, 1, std::numeric_limits<double>::infinity()).ok());
}

TEST(DeviceProperties, IntensityModulatorTransmissionIsAFractionAndPure) {
    EXPECT_TRUE(rc::check("transmission within (0, 1] for any finite request and slot", [] {
        IntensityModulatorSpec s;
        s.kind = "mzm";
        s.extinction_ratio_db = param(*rc::gen::inRange(1, 800) / 10.0);
        s.intensity_fluctuation = param(*rc::gen::inRange(0, 500) / 1000.0);
        s.insertion_loss_db = param(3);
        const SimulatedIntensityModulator im(s, *rc::gen::arbitrary<std::uint64_t>(), 0);
        const double requested = *rc::gen::inRange(-1000, 2001) / 1000.0;
        const std::uint64_t slot = *rc::gen::arbitrary<std::uint64_t>();
        const auto t = im.transmission(requested, slot);
        RC_ASSERT(t.ok());
        RC_ASSERT(*t > 0.0);
        RC_ASSERT(*t <= 1.0);
        RC_ASSERT(*t == *im.transmission(requested, slot));  // a pure function of the slot
    }));
}

TEST(Devices, IntensityModulatorFluctuationPreservesTheMean) {
    // Log-normal factor of mean 1: at 30 % rms the mean of a request of 0.1 stays 0.1 (a factor
    // 1 + sigma z clamped at the floor would have biased it up), and the floor is the mean of a
    // request of 0.
    IntensityModulatorSpec s;
    s.kind = "mzm";
    s.extinction_ratio_db = param(20);
    s.intensity_fluctuation = param(0.3);
    s.insertion_loss_db = param(3);
    const SimulatedIntensityModulator im(s, 21, 0);
    const int n = 200000;
    double sum = 0, sum2 = 0, floor_sum = 0;
    for (int i = 0; i < n; ++i) {
        const auto slot = static_cast<std::uint64_t>(i);
        const double t = *im.transmission(0.1, slot);
        sum += t;
        sum2 += t * t;
        floor_sum += *im.transmission(0.0, slot);
    }
    const double mean = sum / n;
    EXPECT_NEAR(mean, 0.1, 5 * 0.03 / std::sqrt(n)) << "mean-preserving";
    EXPECT_NEAR(std::sqrt(sum2 / n - mean * mean) / mean, 0.3, 0.01) << "relative rms 0.3";
    EXPECT_NEAR(floor_sum / n, 0.01, 5 * 0.003 / std::sqrt(n)) << "the 20 dB floor is the mean of a vacuum pulse";
    EXPECT_FALSE(im.transmission(std::nan(""), 0).ok());
    EXPECT_FALSE(im.transmission(std::numeric_limits<double>::infinity(), 0).ok());
}

TEST(DeviceProperties, PhaseModulatorPhasesStayInOneTurn) {
    EXPECT_TRUE(rc::check("applied phase in [0, 2 pi)", [] {
        PhaseModulatorSpec s;
        s.v_pi_v = param(2.6);
        s.phase_error_rad = param(*rc::gen::inRange(0, 3142) / 1000.0);
        s.insertion_loss_db = param(2);
        const SimulatedPhaseModulator pm(s, *rc::gen::arbitrary<std::uint64_t>(), 1);
        const double requested = *rc::gen::inRange(-100000, 100000) / 1000.0;
        const auto phi = pm.applied_phase(requested, *rc::gen::arbitrary<std::uint64_t>());
        RC_ASSERT(phi.ok());
        RC_ASSERT(*phi >= 0.0);
        RC_ASSERT(*phi < 2 * kPi);
        const auto v = pm.drive_voltage(requested);
        RC_ASSERT(v.ok());
        RC_ASSERT(*v >= 0.0);
        RC_ASSERT(*v < 2 * 2.6 + 1e-12);
    }));
    PhaseModulatorSpec s;
    s.v_pi_v = param(2.6);
    s.phase_error_rad = param(0.05);
    s.insertion_loss_db = param(2);
    const SimulatedPhaseModulator pm(s, 1, 1);
    EXPECT_FALSE(pm.applied_phase(std::numeric_limits<double>::infinity(), 0).ok());
    EXPECT_FALSE(pm.applied_phase(std::nan(""), 0).ok());
    EXPECT_FALSE(pm.drive_voltage(-std::numeric_limits<double>::infinity()).ok());
}

TEST(DeviceProperties, GaussianVariatesCoverTheWholeIndexRange) {
    // One output per variate: indices 2^63 apart no longer share outputs (2n overflowed before).
    const CounterRng rng(3, 4);
    const std::uint64_t half = std::uint64_t{1} << 63;
    for (std::uint64_t n : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{12345}}) {
        EXPECT_NE(gaussian_at(rng, n), gaussian_at(rng, n + half));
        EXPECT_TRUE(std::isfinite(gaussian_at(rng, n + half)));
        EXPECT_LE(std::abs(gaussian_at(rng, n + half)), 6.67);
    }
    double sum = 0, sum2 = 0;
    const int count = 100000;
    for (int i = 0; i < count; ++i) {
        const double z = gaussian_at(rng, half + static_cast<std::uint64_t>(i));
        sum += z;
        sum2 += z * z;
    }
    EXPECT_NEAR(sum / count, 0.0, 5 / std::sqrt(count));
    EXPECT_NEAR(sum2 / count, 1.0, 0.02);
}

TEST(DeviceProperties, BridgedLinksArePhysicalAndMonotoneInFibre) {
    const Profile client = load("pku_inp_client.json");
    const Profile server = load("pku_server.json");
    EXPECT_TRUE(rc::check("link parameters in range; more fibre, fewer clicks", [&] {
        const std::uint64_t seed = *rc::gen::arbitrary<std::uint64_t>();
        const Profile a = draw_chip(client, seed, *rc::gen::inRange<std::uint64_t>(0, 1000));
        const Profile b = draw_chip(client, seed, *rc::gen::inRange<std::uint64_t>(1000, 2000));
        const double la = *rc::gen::inRange(0, 3000) / 10.0;
        const double lb = *rc::gen::inRange(0, 3000) / 10.0;
        const double extra = *rc::gen::inRange(1, 500) / 10.0;
        const auto near = link_from_profiles(a, b, server, FibrePair{la, lb, {}, 0, 0}, kPairLine);
        const auto far = link_from_profiles(a, b, server, FibrePair{la + extra, lb, {}, 0, 0}, kPairLine);
        RC_ASSERT(near.ok());
        RC_ASSERT(far.ok());
        for (const Link& l : {near->link, far->link}) {
            RC_ASSERT(l.eta_alice() > 0.0);
            RC_ASSERT(l.eta_alice() <= 1.0);
            RC_ASSERT(l.dark_count_probability >= 0.0);
            RC_ASSERT(l.dark_count_probability <= 1.0);
            RC_ASSERT(l.misalignment >= 0.0);
            RC_ASSERT(l.misalignment <= 0.5);
            RC_ASSERT(l.phase_noise_rad >= 0.0);
        }
        RC_ASSERT(far->link.eta_alice() < near->link.eta_alice());
        RC_ASSERT(far->link.eta_bob() == near->link.eta_bob());
        const double mu = 0.4;
        const auto c_near = clicks_random_phase(mu * near->link.eta_alice(), mu * near->link.eta_bob(), near->link);
        const auto c_far = clicks_random_phase(mu * far->link.eta_alice(), mu * far->link.eta_bob(), far->link);
        RC_ASSERT(c_far.effective() < c_near.effective());
    }));
}

TEST(DeviceProperties, PhaseErrorRateIsAProbabilityIncreasingWithNoise) {
    EXPECT_TRUE(rc::check("phase error rate in [0, 1/2), increasing in sigma up to pi", [] {
        const double s = *rc::gen::inRange(0, 3142) / 1000.0;
        const double e = phase_error_rate(s);
        RC_ASSERT(e >= 0.0);
        RC_ASSERT(e < 0.5);
        RC_ASSERT(phase_error_rate(s + 0.01) > e);
    }));
}

// --- devices -----------------------------------------------------------------------------------------

TEST(Devices, CombLinesAndInjectionLocking) {
    const Profile server = load("pku_server.json");
    const Profile client = load("pku_inp_client.json");
    const SimulatedFrequencyReference comb(*server.frequency_reference);
    const double f0 = 299'792'458.0 / 1549.78e-9;  // lambda0 of REFERENCES.md §1
    EXPECT_NEAR(*comb.line_frequency_hz(0), f0, 1.0);
    // The difference of two ~194 THz numbers: a double resolves them to about 0.03 Hz.
    EXPECT_NEAR(*comb.line_frequency_hz(3) - *comb.line_frequency_hz(2), 30.03e9, 0.1);  // FSR
    EXPECT_TRUE(comb.line_frequency_hz(5).ok());
    EXPECT_TRUE(comb.line_frequency_hz(-5).ok());
    EXPECT_FALSE(comb.line_frequency_hz(6).ok()) << "11 lines: -5 .. 5";

    SimulatedLaser laser(*client.laser);
    EXPECT_FALSE(laser.locked());
    EXPECT_DOUBLE_EQ(laser.linewidth_hz(), 1e6);
    EXPECT_DOUBLE_EQ(laser.tuning_range_hz(), 300e9);
    EXPECT_DOUBLE_EQ(laser.locking_range_hz(), 1e9);
    ASSERT_TRUE(laser.injection_lock(comb, 5).ok());  // 150 GHz away: tuned, then captured
    EXPECT_TRUE(laser.locked());
    EXPECT_DOUBLE_EQ(laser.linewidth_hz(), 60.0);
    EXPECT_NEAR(frequency_of_wavelength(laser.wavelength_nm()), f0 + 5 * 30.03e9, 1.0);
    EXPECT_FALSE(laser.injection_lock(comb, 6).ok()) << "not a line of the comb";
    EXPECT_FALSE(laser.locked());
    EXPECT_DOUBLE_EQ(laser.wavelength_nm(), 1549.78);

    // Tuning and capture are separate: without tuning only lines within the 1 GHz capture range lock.
    LaserSpec fixed = *client.laser;
    fixed.tuning_range_hz = param(0);
    SimulatedLaser untuned(fixed);
    EXPECT_TRUE(untuned.injection_lock(comb, 0).ok());
    const auto far = untuned.injection_lock(comb, 1);
    ASSERT_FALSE(far.ok());
    EXPECT_EQ(far.error().field, "tuning_range");
    fixed.wavelength_nm = param(wavelength_of_frequency(f0 + 30.03e9 - 0.9e9));  // 0.9 GHz below line 1
    EXPECT_TRUE(SimulatedLaser(fixed).injection_lock(comb, 1).ok());
    fixed.wavelength_nm = param(wavelength_of_frequency(f0 + 30.03e9 - 1.1e9));
    EXPECT_FALSE(SimulatedLaser(fixed).injection_lock(comb, 1).ok());
}

TEST(Devices, FrequencyReferenceRejectsBadLineCounts) {
    const Profile server = load("pku_server.json");
    ASSERT_TRUE(server.frequency_reference.has_value());
    for (double bad : {-1.0, 0.0, 2.5, std::nan(""), 1e12}) {
        FrequencyReferenceSpec spec = *server.frequency_reference;
        spec.line_count = param(bad);
        const auto made = SimulatedFrequencyReference::create(spec);
        ASSERT_FALSE(made.ok()) << bad;
        EXPECT_EQ(made.error().field, "line_count");
        const SimulatedFrequencyReference unchecked(spec);  // no undefined conversion: no lines
        EXPECT_EQ(unchecked.line_count(), 0U);
        EXPECT_FALSE(unchecked.line_frequency_hz(0).ok());
    }
    EXPECT_TRUE(SimulatedFrequencyReference::create(*server.frequency_reference).ok());
}

TEST(Devices, EveryPairLineLocksForTwentyWaferChips) {
    // REFERENCES.md §1: 20 chips from one wafer, 10 pairs on 10 WDM lines around the reference.
    const Profile wafer = load("pku_inp_client.json");
    const Profile server = load("pku_server.json");
    for (std::int32_t line : kPairLines) {
        for (std::uint64_t pair = 0; pair < 10; ++pair) {
            const Profile a = draw_chip(wafer, 2026, 2 * pair);
            const Profile b = draw_chip(wafer, 2026, 2 * pair + 1);
            const auto r = link_from_profiles(a, b, server, FibrePair{185, 185, {}, 0, 0}, line);
            ASSERT_TRUE(r.ok()) << "line " << line << ", pair " << pair << ": " << r.error().to_string();
            EXPECT_NEAR(frequency_of_wavelength(r->wavelength_nm),
                        frequency_of_wavelength(1549.78) + line * 30.03e9, 1.0);
        }
    }
    const auto reference = link_from_profiles(wafer, wafer, server, FibrePair{185, 185, {}, 0, 0}, 0);
    ASSERT_FALSE(reference.ok()) << "line 0 carries the dual-wavelength reference";
    EXPECT_EQ(reference.error().field, "comb_line");
}

TEST(Devices, DetectorDarkCountsDeadTimeAndAfterpulses) {
    const SimulatedDetector snspd(detector_spec(0.7, 10), 1, 0);
    EXPECT_NEAR(snspd.dark_count_probability(0.5e-9), 5e-9, 1e-16);  // 10 Hz * 0.5 ns
    EXPECT_NEAR(snspd.click_probability(1.0, 0), 1 - std::exp(-0.7), 1e-15);

    SimulatedDetector dead(detector_spec(1.0, 0, 50e-9), 1, 0);
    EXPECT_TRUE(dead.detect(50, 1e-9, 0, 0)) << "50 photons at efficiency 1 click with probability 1 - e^-50";
    EXPECT_FALSE(dead.detect(50, 1e-9, 10e-9, 1)) << "inside the 50 ns dead time";
    EXPECT_FALSE(dead.detect(50, 1e-9, 49e-9, 2));
    EXPECT_TRUE(dead.detect(50, 1e-9, 51e-9, 3));

    SimulatedDetector ringing(detector_spec(1.0, 0, 0, 1.0), 1, 0);
    EXPECT_FALSE(ringing.detect(0, 1e-9, 0, 0)) << "no light, no dark counts";
    EXPECT_TRUE(ringing.detect(50, 1e-9, 1e-9, 1));
    EXPECT_TRUE(ringing.detect(0, 1e-9, 2e-9, 2)) << "an afterpulse with probability 1";
    EXPECT_TRUE(ringing.detect(0, 1e-9, 3e-9, 3)) << "which itself afterpulses";
    ringing.reset();
    EXPECT_FALSE(ringing.detect(0, 1e-9, 4e-9, 4));

    // Click frequency over many slots matches the probability (binomial, 5 sigma).
    SimulatedDetector counting(detector_spec(0.5, 0), 11, 0);
    const int n = 100000;
    int clicks = 0;
    for (int i = 0; i < n; ++i) clicks += counting.detect(0.2, 1e-9, i * 1e-9, static_cast<std::uint64_t>(i));
    const double p = 1 - std::exp(-0.1);
    EXPECT_NEAR(clicks, n * p, 5 * std::sqrt(n * p * (1 - p)));
}

TEST(Devices, ModulatorsAttenuatorFibreAndClock) {
    const Profile client = load("pku_inp_client.json");
    const SimulatedIntensityModulator im(*client.intensity_modulators, 5, 0);
    const SimulatedIntensityModulator same(*client.intensity_modulators, 5, 0);
    const SimulatedIntensityModulator other(*client.intensity_modulators, 5, 1);
    double sum2 = 0;
    const int n = 20000;
    std::set<double> distinct;
    for (int i = 0; i < n; ++i) {
        const auto slot = static_cast<std::uint64_t>(i);
        const double t = *im.transmission(0.5, slot);
        EXPECT_EQ(t, *same.transmission(0.5, slot));
        distinct.insert(t);
        sum2 += (t / 0.5 - 1) * (t / 0.5 - 1);
    }
    EXPECT_GT(distinct.size(), static_cast<std::size_t>(n - 10));
    EXPECT_NEAR(std::sqrt(sum2 / n), 0.01, 0.0005) << "the profile's 1 % rms fluctuation";
    EXPECT_NE(*im.transmission(0.5, 7), *other.transmission(0.5, 7)) << "streams are independent";

    const SimulatedPhaseModulator pm(*client.phase_modulators, 5, 2);
    EXPECT_DOUBLE_EQ(*pm.drive_voltage(kPi), 4.0);  // V_pi of the profile
    double err2 = 0;
    for (int i = 0; i < n; ++i) {
        double e = *pm.applied_phase(kPi, static_cast<std::uint64_t>(i)) - kPi;
        err2 += e * e;
    }
    EXPECT_NEAR(std::sqrt(err2 / n), 0.05, 0.0025) << "the profile's 0.05 rad rms phase error";

    SimulatedAttenuator voa(*client.attenuators);
    EXPECT_TRUE(voa.set_attenuation_db(12).ok());
    EXPECT_NEAR(voa.transmittance(), std::pow(10.0, -1.3), 1e-15);  // 12 dB + 1 dB insertion
    EXPECT_FALSE(voa.set_attenuation_db(31).ok());
    EXPECT_FALSE(voa.set_attenuation_db(-1).ok());
    EXPECT_DOUBLE_EQ(voa.attenuation_db(), 12);

    const SimulatedFibre fibre(185, 0.2, 1);
    EXPECT_DOUBLE_EQ(fibre.loss_db(), 38);
    EXPECT_NEAR(fibre.transmittance(), 10 * std::pow(10.0, -4.8), 1e-18);

    const Profile server = load("pku_server.json");
    const SimulatedClock clock(*server.clock);
    EXPECT_DOUBLE_EQ(clock.slot_time_s(1'000'000'000), 1.0);
}

// --- the bridge --------------------------------------------------------------------------------------

// The residual's variance by hand (docs/hardware-model.md §2.6) for the PKU server at a given
// visibility and arm loss (both arms equal): lag, optimal T_c, differential, calibration, estimation.
struct HandResidual {
    double click_rate, interval, lag, differential, calibration, estimation;
    double sigma() const { return std::sqrt(lag + differential + calibration + estimation); }
};
HandResidual pku_residual(double visibility, double arm_loss_db, double sampling_hz = 1e4) {
    HandResidual h{};
    h.click_rate = 0.7 * 2 * std::pow(10.0, -arm_loss_db / 10) * 0.05 * 1e9;  // eta_d (eta_A + eta_B) mu f
    const double rd = 33.0;                                                    // 0.033 rad/ms in rad/s
    h.interval = std::cbrt(3 / (2 * rd * rd * visibility * visibility * h.click_rate));
    h.lag = std::pow(2871.0 / sampling_hz, 2) / 12;
    h.differential = std::pow(rd * h.interval, 2) / 3;
    h.calibration = 1 / (visibility * visibility * h.click_rate * h.interval);
    h.estimation = sampling_hz / (visibility * visibility * 4e6);
    return h;
}

TEST(Bridge, PkuLinkFromHandComputedContributions) {
    const Profile client = load("pku_inp_client.json");
    const Profile server = load("pku_server.json");
    const auto r = link_from_profiles(client, client, server, FibrePair{185, 185, {}, 0, 0}, kPairLine);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    // 3 dB output coupling + 185 km * 0.2 dB/km + 3 dB relay insertion loss.
    EXPECT_NEAR(r->link.arm_loss_alice_db, 43.0, 1e-12);
    EXPECT_NEAR(r->link.arm_loss_bob_db, 43.0, 1e-12);
    EXPECT_DOUBLE_EQ(r->link.detector_efficiency, 0.7);
    // 10 Hz over a 0.5 ns window.
    EXPECT_NEAR(r->link.dark_count_probability, 5e-9, 1e-16);
    // Mode overlap 20 dB: e = 1/101; phase errors 0.05 rad at each end: v = exp(-0.0025);
    // together (1 - (99/101) exp(-0.0025)) / 2 = 0.0111247.
    EXPECT_NEAR(r->misalignment_mode_overlap, 1.0 / 101, 1e-12);
    EXPECT_NEAR(r->misalignment_splitter, 0.0, 1e-15);
    EXPECT_NEAR(r->link.misalignment, 0.0111247, 1e-6);
    const double v = 1 - 2 * 0.0111247073;
    EXPECT_NEAR(r->visibility, v, 1e-9);
    // Residual phase: R_click = 0.7 * 2 * 10^-4.3 * 0.05 * 1 GHz = 3508.3 /s; T_c = (3 / (2 * 33^2 *
    // v^2 * R))^(1/3) = 7.433 ms; lag 0.2871^2/12 = 0.0068689; differential (33 T_c)^2/3 = 0.020056;
    // calibration 1/(v^2 R T_c) = 0.040112 (twice the differential term at the optimum); estimation
    // 10^4/(v^2 4e6) = 0.0026151; sigma = sqrt(0.069652) = 0.263917 rad.
    EXPECT_NEAR(r->signal_click_rate_hz, 3508.31, 0.01);
    EXPECT_NEAR(r->residual.calibration_interval_s, 7.4331e-3, 1e-7);
    EXPECT_NEAR(r->residual.lag_rad2, 0.00686887, 1e-8);
    EXPECT_NEAR(r->residual.differential_rad2, 0.0200561, 1e-6);
    EXPECT_NEAR(r->residual.calibration_rad2, 0.0401122, 1e-6);
    EXPECT_NEAR(r->residual.estimation_rad2, 0.00261507, 1e-8);
    EXPECT_NEAR(r->link.phase_noise_rad, 0.263917, 1e-5);
    EXPECT_NEAR(r->link.phase_noise_rad, pku_residual(r->visibility, 43).sigma(), 1e-12);
    EXPECT_NEAR(r->vacuum_floor_alice, 0.00316228, 1e-8);  // 10^-2.5
    EXPECT_DOUBLE_EQ(r->intensity_fluctuation_alice, 0.01);
    EXPECT_NEAR(r->wavelength_nm, wavelength_of_frequency(frequency_of_wavelength(1549.78) + 30.03e9), 1e-9);
}

TEST(Bridge, SplitterImbalanceEntersOnceAsTwoRootRTimesOneMinusR) {
    const Profile client = load("pku_inp_client.json");
    const Profile server = load_modified("pku_server.json", [](nlohmann::json& j) {
        j["relay"]["splitting_ratio"]["value"] = 0.6;
    });
    const auto r = link_from_profiles(client, client, server, FibrePair{100, 100, {}, 0, 0}, kPairLine);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    const double v_split = 2 * std::sqrt(0.24);  // 0.979796
    EXPECT_NEAR(r->misalignment_splitter, (1 - v_split) / 2, 1e-12);
    EXPECT_NEAR(r->misalignment_mode_overlap, 1.0 / 101, 1e-12) << "the mode-overlap term does not contain the splitter";
    EXPECT_NEAR(r->link.misalignment, (1 - (99.0 / 101) * v_split * std::exp(-0.0025)) / 2, 1e-12);
}

TEST(Bridge, MoreFibreFewerClicksAndTheKeyStatisticsBehave) {
    const Profile client = load("pku_inp_client.json");
    const Profile server = load("pku_server.json");
    double previous_clicks = std::numeric_limits<double>::infinity(), previous_matched = 2, previous_ez = 0;
    double previous_sigma = 0;
    for (double half : {25.0, 50.0, 100.0, 150.0, 185.0, 250.0}) {
        const auto r = link_from_profiles(client, client, server, FibrePair{half, half, {}, 0, 0}, kPairLine);
        ASSERT_TRUE(r.ok());
        auto stats = expected_statistics(sns_protocol(), r->link);
        ASSERT_TRUE(stats.ok()) << stats.error().to_string();
        const double clicks = stats->key.effective;
        EXPECT_LT(clicks, previous_clicks) << half;
        previous_clicks = clicks;
        // Fewer signal clicks calibrate the differential phase less well: the residual grows.
        EXPECT_GT(r->link.phase_noise_rad, previous_sigma) << half;
        previous_sigma = r->link.phase_noise_rad;
        // SNS key errors come from both-sent and neither-sent windows: about epsilon = 5 % while
        // signal clicks dominate the dark counts (REFERENCES.md §6.2: E_Z ~ epsilon), then rising as
        // the dark counts of the neither-sent windows catch up with the signal (at 2 x 250 km).
        const double ez = stats->key.errors / stats->key.effective;
        EXPECT_GE(ez, previous_ez) << half;
        previous_ez = ez;
        if (half <= 185) {
            EXPECT_GT(ez, 0.03) << half;
            EXPECT_LT(ez, 0.08) << half;
        } else {
            EXPECT_GT(ez, 0.08) << half;
        }
        const double matched = stats->phase_matched.effective / stats->phase_matched.windows;
        EXPECT_LT(matched, previous_matched) << half;
        previous_matched = matched;
        // Phase-matched X1 windows: the error rate by hand is the misalignment plus the phase error
        // of the residual plus that of the 16 phase slices (each party's phase uniform in its slice,
        // so the relative phase is triangular on +-2 pi/16: visibility sinc(pi/16)^2), combined as
        // visibilities: (1 - v exp(-sigma^2/2) sinc(pi/16)^2) / 2, about e_d + e_phi + 0.64 %. Dark
        // counts add p_d / (signal click probability), below 0.1 % up to 2 x 150 km.
        const HandResidual h = pku_residual(1 - 2 * r->link.misalignment, r->link.arm_loss_alice_db);
        EXPECT_NEAR(r->link.phase_noise_rad, h.sigma(), 1e-12) << half;
        const double slice = std::pow(std::sin(kPi / 16) / (kPi / 16), 2);
        const double hand = (1 - (1 - 2 * r->link.misalignment) * std::exp(-h.sigma() * h.sigma() / 2) * slice) / 2;
        const double ex = stats->phase_matched.errors / stats->phase_matched.effective;
        if (half <= 150) EXPECT_NEAR(ex, hand, 0.001) << half;
        else EXPECT_GT(ex, hand) << half << ": dark counts only add errors";
    }
}

TEST(Bridge, AsymmetricFibreAndOverriddenAttenuation) {
    const Profile client = load("pku_inp_client.json");
    const Profile server = load("pku_server.json");
    const auto r = link_from_profiles(client, client, server, FibrePair{60, 100, 0.16, 2, 0}, kPairLine);
    ASSERT_TRUE(r.ok());
    EXPECT_NEAR(r->link.arm_loss_alice_db, 3 + 9.6 + 2 + 3, 1e-12);
    EXPECT_NEAR(r->link.arm_loss_bob_db, 3 + 16 + 3, 1e-12);
    EXPECT_NEAR(r->link.eta_alice() / r->link.eta_bob(), std::pow(10.0, 0.44), 1e-9);
}

TEST(Bridge, EveryShippedCombinationBridges) {
    const Profile pku = load("pku_inp_client.json");
    const Profile tfln = load("tfln_transmitter.json");
    const Profile bench = load("bench_discrete.json");
    const Profile server = load("pku_server.json");
    EXPECT_TRUE(link_from_profiles(tfln, tfln, server, FibrePair{100, 100, {}, 0, 0}, kPairLine).ok());
    EXPECT_TRUE(link_from_profiles(pku, tfln, server, FibrePair{100, 100, {}, 0, 0}, kPairLine).ok());
    const auto b = link_from_profiles(bench, bench, bench, FibrePair{100, 100, {}, 0, 0});
    ASSERT_TRUE(b.ok()) << b.error().to_string();
    EXPECT_NEAR(b->link.arm_loss_alice_db, 0.3 + 16 + 1, 1e-12);  // ultra-low-loss 0.16 dB/km
    // The TFLN modulator's 34 dB extinction floors the vacuum 9 dB lower than the InP chip's 25 dB.
    const auto mixed = link_from_profiles(pku, tfln, server, FibrePair{100, 100, {}, 0, 0}, kPairLine);
    ASSERT_TRUE(mixed.ok()) << mixed.error().to_string();
    EXPECT_NEAR(mixed->vacuum_floor_bob / mixed->vacuum_floor_alice, std::pow(10.0, -0.9), 1e-12);
}

TEST(Bridge, TimeMultiplexedAndDualWavelengthTrackingDiffer) {
    const Profile client = load("pku_inp_client.json");
    const Profile dual = load("pku_server.json");
    // The same server with a time-multiplexed reference: no reference line, no differential phase.
    const Profile multiplexed = load_modified("pku_server.json", [](nlohmann::json& j) {
        auto& t = j["phase_tracking"];
        t["kind"] = "time_multiplexed";
        t.erase("reference_line");
        t.erase("signal_mean_photons");
        t["differential_drift"]["value"] = 0;
    });
    const auto d = link_from_profiles(client, client, dual, FibrePair{185, 185, {}, 0, 0}, kPairLine);
    const auto m = link_from_profiles(client, client, multiplexed, FibrePair{185, 185, {}, 0, 0}, 0);
    ASSERT_TRUE(d.ok() && m.ok());
    EXPECT_GT(d->residual.differential_rad2, 0.0);
    EXPECT_GT(d->residual.calibration_rad2, 0.0);
    EXPECT_EQ(m->residual.differential_rad2, 0.0);
    EXPECT_EQ(m->residual.calibration_rad2, 0.0);
    EXPECT_TRUE(std::isinf(m->residual.calibration_interval_s));
    EXPECT_DOUBLE_EQ(m->residual.lag_rad2, d->residual.lag_rad2);
    EXPECT_NEAR(m->link.phase_noise_rad, std::sqrt(d->residual.lag_rad2 + d->residual.estimation_rad2), 1e-12);
    EXPECT_LT(m->link.phase_noise_rad, d->link.phase_noise_rad);
    // A time-multiplexed reference shares the signal's line: line 0 is a signal line there.
    EXPECT_TRUE(link_from_profiles(client, client, multiplexed, FibrePair{185, 185, {}, 0, 0}, 0).ok());
}

TEST(Bridge, ResidualPhaseFollowsSamplingRateAndCalibrationInterval) {
    const Profile server = load("pku_server.json");
    const PhaseConditions conditions{0.98, 3500};
    const SimulatedPhaseTracker tracker(*server.phase_tracking);
    const auto at_10k = tracker.residual_phase(2.871, 0.033, conditions);
    ASSERT_TRUE(at_10k.ok());
    Profile faster = server;
    faster.phase_tracking->sampling_rate_hz.value = 20e3;
    const auto at_20k = SimulatedPhaseTracker(*faster.phase_tracking).residual_phase(2.871, 0.033, conditions);
    ASSERT_TRUE(at_20k.ok());
    // Doubling f_s quarters the lag term and doubles the estimation term (half the clicks per sample).
    EXPECT_NEAR(at_20k->lag_rad2, at_10k->lag_rad2 / 4, 1e-15);
    EXPECT_NEAR(at_20k->estimation_rad2, 2 * at_10k->estimation_rad2, 1e-15);
    EXPECT_EQ(at_20k->differential_rad2, at_10k->differential_rad2);
    // T_c minimises (r_d T)^2/3 + 1/(V^2 R T); at the optimum the calibration term is twice the
    // differential one.
    const double tc = at_10k->calibration_interval_s;
    EXPECT_NEAR(tc, optimal_calibration_interval_s(33, 0.98, 3500), 1e-15);
    EXPECT_NEAR(at_10k->calibration_rad2, 2 * at_10k->differential_rad2, 1e-12);
    const auto cost = [](double t) { return std::pow(33 * t, 2) / 3 + 1 / (0.98 * 0.98 * 3500 * t); };
    for (double f : {0.5, 0.8, 0.95, 1.05, 1.25, 2.0}) EXPECT_GT(cost(f * tc), cost(tc)) << f;
    EXPECT_NEAR(cost(tc), at_10k->differential_rad2 + at_10k->calibration_rad2, 1e-12);
    // More signal clicks: shorter T_c and a smaller residual; none at all: an error.
    const auto brighter = tracker.residual_phase(2.871, 0.033, PhaseConditions{0.98, 35000});
    ASSERT_TRUE(brighter.ok());
    EXPECT_LT(brighter->calibration_interval_s, tc);
    EXPECT_LT(brighter->variance(), at_10k->variance());
    EXPECT_FALSE(tracker.residual_phase(2.871, 0.033, PhaseConditions{0.98, 0}).ok());
    EXPECT_FALSE(tracker.residual_phase(std::nan(""), 0.033, conditions).ok());
    EXPECT_FALSE(tracker.residual_phase(2.871, 0.033, PhaseConditions{0, 3500}).ok());
}

TEST(Bridge, TwentyWaferChipsGiveTwentyDifferentPhysicalLinks) {
    const Profile wafer = load("pku_inp_client.json");
    const Profile server = load("pku_server.json");
    std::set<double> losses, misalignments;
    for (std::uint64_t pair = 0; pair < 10; ++pair) {
        const Profile a = draw_chip(wafer, 2026, 2 * pair);
        const Profile b = draw_chip(wafer, 2026, 2 * pair + 1);
        const auto r = link_from_profiles(a, b, server, FibrePair{185, 185, {}, 0, 0}, kPairLines[pair]);
        ASSERT_TRUE(r.ok()) << r.error().to_string();
        losses.insert(r->link.arm_loss_alice_db);
        losses.insert(r->link.arm_loss_bob_db);
        misalignments.insert(r->link.misalignment);
        // The arm loss is the chip's drawn output loss + 37 dB of fibre + 3 dB at the relay.
        EXPECT_NEAR(r->link.arm_loss_alice_db, a.output->loss_db.value + 40, 1e-12);
        EXPECT_NEAR(r->link.arm_loss_bob_db, b.output->loss_db.value + 40, 1e-12);
        // The misalignment follows the two chips' drawn phase errors.
        const double sa = a.phase_modulators->phase_error_rad.value;
        const double sb = b.phase_modulators->phase_error_rad.value;
        EXPECT_NEAR(r->link.misalignment, (1 - (99.0 / 101) * std::exp(-(sa * sa + sb * sb) / 2)) / 2, 1e-12);
    }
    EXPECT_EQ(losses.size(), 20U);
    EXPECT_EQ(misalignments.size(), 10U);
}

TEST(Bridge, RejectsWhatCannotInterfere) {
    const Profile client = load("pku_inp_client.json");
    const Profile server = load("pku_server.json");
    const FibrePair one{1, 1, {}, 0, 0};
    EXPECT_FALSE(link_from_profiles(server, client, server, one, kPairLine).ok()) << "a server as a client";
    EXPECT_FALSE(link_from_profiles(client, client, client, one, kPairLine).ok()) << "a client as the server";
    const auto field_of = [&](const FibrePair& f) {
        const auto r = link_from_profiles(client, client, server, f, kPairLine);
        return r.ok() ? std::string("(accepted)") : std::string(r.error().field);
    };
    EXPECT_EQ(field_of(FibrePair{-1, 1, {}, 0, 0}), "alice_km");
    EXPECT_EQ(field_of(FibrePair{1, std::nan(""), {}, 0, 0}), "bob_km");
    EXPECT_EQ(field_of(FibrePair{1, 1, -0.2, 0, 0}), "loss_db_per_km");
    EXPECT_EQ(field_of(FibrePair{1, 1, {}, -1, 0}), "extra_loss_alice_db");
    EXPECT_EQ(field_of(FibrePair{1, 1, {}, 0, std::numeric_limits<double>::infinity()}), "extra_loss_bob_db");
    EXPECT_FALSE(link_from_profiles(client, client, server, one, 6).ok()) << "the comb has lines -5 .. 5";
    const auto reference = link_from_profiles(client, client, server, one, 0);
    ASSERT_FALSE(reference.ok());
    EXPECT_EQ(reference.error().field, "comb_line") << "line 0 carries the phase reference";
    const Profile no_fibre = load_modified("pku_server.json", [](nlohmann::json& j) { j.erase("fibre"); });
    const auto e = link_from_profiles(client, client, no_fibre, one, kPairLine);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().field, "loss_db_per_km");
    EXPECT_TRUE(link_from_profiles(client, client, no_fibre, FibrePair{1, 1, 0.2, 0, 0}, kPairLine).ok());

    // Devices locked to different lines cannot interfere.
    const SimulatedFrequencyReference comb(*server.frequency_reference);
    SimulatedLaser la(*client.laser), lb(*client.laser);
    ASSERT_TRUE(la.injection_lock(comb, 1).ok());
    ASSERT_TRUE(lb.injection_lock(comb, 2).ok());
    const SimulatedIntensityModulator im(*client.intensity_modulators, 0, 0);
    const SimulatedPhaseModulator pm(*client.phase_modulators, 0, 0);
    const SimulatedFibre f(10, 0.2);
    const SimulatedRelay relay(*server.relay, *server.detectors, 0);
    const SimulatedPhaseTracker tracker(*server.phase_tracking);
    const SimulatedClock clock(*server.clock);
    const ServerDevices s{&relay, &tracker, &clock};
    const auto different = link_from_devices({&la, &im, &pm, 3}, {&lb, &im, &pm, 3}, f, f, s);
    ASSERT_FALSE(different.ok());
    EXPECT_EQ(different.error().field, "laser");
    lb.unlock();
    EXPECT_FALSE(link_from_devices({&la, &im, &pm, 3}, {&lb, &im, &pm, 3}, f, f, s).ok());
    ASSERT_TRUE(lb.injection_lock(comb, 1).ok());
    EXPECT_TRUE(link_from_devices({&la, &im, &pm, 3}, {&lb, &im, &pm, 3}, f, f, s).ok());

    // Every value read from a driver is checked; the error names the value and the device.
    const SimulatedFibre nan_fibre(10, std::nan(""));
    const auto bad_fibre = link_from_devices({&la, &im, &pm, 3}, {&lb, &im, &pm, 3}, f, nan_fibre, s);
    ASSERT_FALSE(bad_fibre.ok());
    EXPECT_EQ(bad_fibre.error().field, "loss_db_per_km");
    EXPECT_NE(bad_fibre.error().detail.find("bob's fibre"), std::string::npos) << bad_fibre.error().detail;
    const auto bad_output = link_from_devices({&la, &im, &pm, std::nan("")}, {&lb, &im, &pm, 3}, f, f, s);
    ASSERT_FALSE(bad_output.ok());
    EXPECT_EQ(bad_output.error().field, "output_loss_db");
    EXPECT_NE(bad_output.error().detail.find("alice's chip"), std::string::npos);
    RelaySpec lopsided = *server.relay;
    lopsided.splitting_ratio = param(1.5);
    const SimulatedRelay bad_relay(lopsided, *server.detectors, 0);
    const auto bad_ratio = link_from_devices({&la, &im, &pm, 3}, {&lb, &im, &pm, 3}, f, f, {&bad_relay, &tracker, &clock});
    ASSERT_FALSE(bad_ratio.ok());
    EXPECT_EQ(bad_ratio.error().field, "splitting_ratio");
    DetectorSpec blind = *server.detectors;
    blind.efficiency = param(std::nan(""));
    const SimulatedRelay bad_detectors(*server.relay, blind, 0);
    const auto bad_eff = link_from_devices({&la, &im, &pm, 3}, {&lb, &im, &pm, 3}, f, f, {&bad_detectors, &tracker, &clock});
    ASSERT_FALSE(bad_eff.ok());
    EXPECT_EQ(bad_eff.error().field, "efficiency");
}

// --- time-varying phase ------------------------------------------------------------------------------

TEST(PhaseBlocks, ReproducibleBySeedAndCoveringTheSession) {
    const Profile server = load("pku_server.json");
    const auto a = phase_blocks(server, 10.25, 0.5, 17);
    const auto b = phase_blocks(server, 10.25, 0.5, 17);
    const auto c = phase_blocks(server, 10.25, 0.5, 18);
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    ASSERT_EQ(a->size(), 21U);  // 20 full blocks and a quarter
    EXPECT_DOUBLE_EQ(a->back().duration_s, 0.25);
    double covered = 0;
    for (std::size_t k = 0; k < a->size(); ++k) {
        EXPECT_DOUBLE_EQ((*a)[k].start_s, covered);
        covered += (*a)[k].duration_s;
        EXPECT_EQ((*a)[k].residual_phase_rad, (*b)[k].residual_phase_rad);
        EXPECT_NE((*a)[k].reference_drift_rad_per_ms, (*c)[k].reference_drift_rad_per_ms);
        EXPECT_GE((*a)[k].phase_error_rate, 0.0);
        EXPECT_LT((*a)[k].phase_error_rate, 0.5);
    }
    EXPECT_DOUBLE_EQ(covered, 10.25);
    const auto field_of = [&](double session, double block) {
        const auto r = phase_blocks(server, session, block, 1);
        return r.ok() ? std::string("(accepted)") : std::string(r.error().field);
    };
    EXPECT_EQ(field_of(0, 1), "session_s");
    EXPECT_EQ(field_of(std::nan(""), 1), "session_s");
    EXPECT_EQ(field_of(1, -1), "block_s");
    EXPECT_EQ(field_of(1, std::numeric_limits<double>::infinity()), "block_s");
    EXPECT_EQ(field_of(1e9, 1e-6), "block_s") << "10^15 blocks";
    EXPECT_EQ(field_of(100001, 1), "block_s") << "more than 10^5 blocks";
    const auto most = phase_blocks(server, 100000, 1, 1);
    ASSERT_TRUE(most.ok());
    EXPECT_EQ(most->size(), 100000U);
    EXPECT_FALSE(phase_blocks(load("pku_inp_client.json"), 1, 1, 1).ok()) << "a client has no phase tracking";
}

TEST(PhaseBlocks, AShortLastBlockIsCorrelatedOverItsOwnDuration) {
    // The AR(1) variable is sampled at block centres: a 0.25 s last block after 0.5 s blocks is
    // 0.375 s from its predecessor, rho = exp(-0.375) with the 1 s correlation time, not exp(-0.5).
    // The same innovation z drives the last block of a 10.25 s and a 10.5 s session, so z follows
    // from the full one and predicts the short one.
    const Profile server = load("pku_server.json");
    const auto shorter = phase_blocks(server, 10.25, 0.5, 31);
    const auto full = phase_blocks(server, 10.5, 0.5, 31);
    ASSERT_TRUE(shorter.ok() && full.ok());
    ASSERT_EQ(shorter->size(), 21U);
    ASSERT_EQ(full->size(), 21U);
    const double s = std::sqrt(std::log1p(0.25));  // CV 0.5
    const auto y = [&](const PhaseBlock& b) { return (std::log(b.reference_drift_rad_per_ms / 2.871) + s * s / 2) / s; };
    EXPECT_NEAR(y((*shorter)[19]), y((*full)[19]), 1e-12);
    const double rho_full = std::exp(-0.5), rho_short = std::exp(-0.375);
    const double z = (y((*full)[20]) - rho_full * y((*full)[19])) / std::sqrt(1 - rho_full * rho_full);
    EXPECT_NEAR(y((*shorter)[20]), rho_short * y((*shorter)[19]) + std::sqrt(1 - rho_short * rho_short) * z, 1e-9);
}

TEST(PhaseBlocks, WithoutVariabilityEveryBlockIsTheBridgedLink) {
    const Profile steady = load_modified("pku_server.json", [](nlohmann::json& j) {
        j["phase_tracking"]["drift_variability"]["value"] = 0;
    });
    const Profile client = load("pku_inp_client.json");
    const auto link = link_from_profiles(client, client, steady, FibrePair{185, 185, {}, 0, 0}, kPairLine);
    ASSERT_TRUE(link.ok());
    const auto blocks = phase_blocks(steady, 5, 0.1, 3, link->phase_conditions);
    const auto ideal = phase_blocks(steady, 5, 0.1, 3);
    ASSERT_TRUE(blocks.ok() && ideal.ok());
    // Without the link's conditions: no calibration noise, continuous calibration, visibility 1.
    EXPECT_NEAR(ideal->front().residual_phase_rad, std::sqrt(std::pow(0.2871, 2) / 12 + 1e4 / 4e6), 1e-12);
    EXPECT_LT(ideal->front().residual_phase_rad, link->link.phase_noise_rad);
    for (const PhaseBlock& b : *blocks) {
        EXPECT_DOUBLE_EQ(b.reference_drift_rad_per_ms, 2.871);
        EXPECT_DOUBLE_EQ(b.differential_drift_rad_per_ms, 0.033);
        EXPECT_NEAR(b.residual_phase_rad, link->link.phase_noise_rad, 1e-15);
    }
}

TEST(PhaseBlocks, DriftVariesAroundThePublishedRatesWithTheStatedCorrelation) {
    const Profile server = load("pku_server.json");
    // 0.1 s blocks, 1 s correlation time: lag-one correlation exp(-0.1) = 0.905 of log rates.
    const auto blocks = phase_blocks(server, 4000, 0.1, 99);
    ASSERT_TRUE(blocks.ok());
    const std::size_t n = blocks->size();
    ASSERT_EQ(n, 40000U);
    double sum = 0, sum_diff = 0;
    std::vector<double> logs;
    for (const PhaseBlock& b : *blocks) {
        sum += b.reference_drift_rad_per_ms;
        sum_diff += b.differential_drift_rad_per_ms;
        logs.push_back(std::log(b.reference_drift_rad_per_ms));
    }
    // Mean of the rates: the published 2.871 and 0.033 rad/ms (REFERENCES.md §1). The effective
    // sample size of an AR(1) series of 40000 at rho 0.905 is about 2000; CV 0.5 gives a standard
    // error near 1.1 %, so 5 % is a wide margin.
    EXPECT_NEAR(sum / static_cast<double>(n), 2.871, 0.05 * 2.871);
    EXPECT_NEAR(sum_diff / static_cast<double>(n), 0.033, 0.05 * 0.033);
    double mean = 0;
    for (double x : logs) mean += x;
    mean /= static_cast<double>(n);
    double var = 0, cov = 0;
    for (std::size_t k = 0; k < n; ++k) {
        var += (logs[k] - mean) * (logs[k] - mean);
        if (k + 1 < n) cov += (logs[k] - mean) * (logs[k + 1] - mean);
    }
    EXPECT_NEAR(cov / var, std::exp(-0.1), 0.02);
    // Log-normal with CV 0.5: sd of the log is sqrt(ln 1.25) = 0.4724.
    EXPECT_NEAR(std::sqrt(var / static_cast<double>(n)), 0.4724, 0.03);
}

TEST(PhaseBlocks, ErrorRatesVaryOverTheSessionWithTheResidual) {
    const Profile server = load("pku_server.json");
    const Profile client = load("pku_inp_client.json");
    const auto base = link_from_profiles(client, client, server, FibrePair{185, 185, {}, 0, 0}, kPairLine);
    ASSERT_TRUE(base.ok());
    const auto blocks = phase_blocks(server, 60, 1, 5, base->phase_conditions);
    ASSERT_TRUE(blocks.ok());
    const auto [calm, rough] = std::minmax_element(blocks->begin(), blocks->end(), [](const auto& x, const auto& y) {
        return x.residual_phase_rad < y.residual_phase_rad;
    });
    EXPECT_GT(rough->residual_phase_rad, 1.2 * calm->residual_phase_rad) << "a minute of drift is not stationary";
    const auto error_rate = [&](const PhaseBlock& b) {
        const Link l = link_for_block(base->link, b);
        EXPECT_EQ(l.phase_noise_rad, b.residual_phase_rad);
        EXPECT_EQ(l.arm_loss_alice_db, base->link.arm_loss_alice_db);
        const double a = 0.1 * l.eta_alice();
        const auto c = clicks_phase_matched(a, a, 16, 0, l);
        return c.right / (c.left + c.right);
    };
    EXPECT_GT(error_rate(*rough), error_rate(*calm));
}

}  // namespace
}  // namespace tfqkd::hardware_model
