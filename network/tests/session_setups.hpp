// Fast session setups for the network tests: one per family, each a short link and a small block
// that still ends with a key (10^4..10^5 bits) in well under a second of a debugoptimized build.
//
// How they were found: `tfqkd keyrate FILE --optimise --json` on prediction files of the format of
// cli/tests/data/*_prediction.json at the N and distance below (eps_total 1e-8), the optimised
// settings rounded, then confirmed with run_session. If a change to the security analysis or the
// simulator makes one of them end without a key, re-run that search: the tests need a key.
#pragma once

#include <cstdint>

#include "hardware_model/channel.hpp"
#include "network/session.hpp"
#include "security/experiment.hpp"

namespace tfqkd::network::test {

using security::Family;
using security::Setting;
using security::Window;

inline security::SecurityParameters fast_security() {
    security::SecurityParameters s;
    s.eps_cor = 1e-15;
    s.eps_pa = 1e-10;
    s.eps_pe = 1e-10;
    s.eps_smooth = 1e-10;
    s.eps_total = 1e-8;
    return s;
}

inline SessionSetup fast_setup(security::ProtocolParameters protocol, double distance_km, double efficiency,
                               double dark_count, double misalignment, double phase_noise_rad, std::uint64_t seed) {
    SessionSetup s;
    protocol.bob = protocol.alice;
    s.protocol = std::move(protocol);
    s.security = fast_security();
    s.link = hardware_model::symmetric_link(distance_km, 0.2, efficiency, dark_count, misalignment, phase_noise_rad);
    s.seed = seed;
    return s;
}

// SNS with AOPP: 3 * 10^6 pulses over 0 km, about 0.6 s, about 12 000 key bits.
inline SessionSetup sns_aopp_setup(std::uint64_t seed = 1) {
    security::ProtocolParameters p;
    p.family = Family::sns;
    p.aopp = true;
    p.phase_slices = 16;
    p.pulses = 3'000'000;
    p.alice = {{Window::z, 0.822, 0.212}, {Window::z, 0, 0.4754}, {Window::x, 0, 0.0925},
               {Window::x, 0.198, 0.2},   {Window::x, 1.5, 0.0201}};
    return fast_setup(p, 0, 0.9, 1e-8, 0.02, 0.1, seed);
}

// PM-QKD: the family that needs the most pulses for a key at eps_total 1e-8 (at 3 * 10^6 pulses
// no setting gives one): 10^7 pulses over 0 km with better devices (efficiency 1, dark counts 1e-9,
// misalignment 0.005, no phase noise), about 1 s, about 4 500 key bits.
inline SessionSetup pm_setup(std::uint64_t seed = 1) {
    security::ProtocolParameters p;
    p.family = Family::pm;
    p.phase_slices = 16;
    p.pulses = 10'000'000;
    p.alice = {{Window::z, 0.0857, 0.4916}, {Window::x, 0, 0.137}, {Window::x, 0.0526, 0.296},
               {Window::x, 0.499, 0.0754}};
    return fast_setup(p, 0, 1.0, 1e-9, 0.005, 0, seed);
}

// CAL19: 3 * 10^6 pulses over 0 km, about 0.6 s, about 37 000 key bits. The settings are rounded
// by hand: the optimiser's optimum puts 3 * 10^-4 on each decoy, and a session with so rare a class
// cannot be certified (a class with more clicks than its expected windows).
inline SessionSetup cal19_setup(std::uint64_t seed = 1) {
    security::ProtocolParameters p;
    p.family = Family::cal19;
    p.phase_slices = 16;
    p.pulses = 3'000'000;
    p.alice = {{Window::z, 0.05, 0.8}, {Window::x, 0, 0.1}, {Window::x, 0.1, 0.06}, {Window::x, 0.4, 0.04}};
    return fast_setup(p, 0, 0.9, 1e-8, 0.02, 0.1, seed);
}

// Longer blocks over 0.16 dB/km fibre (PKU-like devices), for the tests that need a realistic link.
inline SessionSetup ultra_low_loss_setup(security::ProtocolParameters protocol, double distance_km, std::uint64_t seed) {
    SessionSetup s;
    protocol.bob = protocol.alice;
    s.protocol = std::move(protocol);
    s.security = fast_security();
    s.link = hardware_model::symmetric_link(distance_km, 0.16, 0.6, 1e-8, 0.01, 0.1);
    s.seed = seed;
    return s;
}

// SNS (4 intensities, no AOPP) over 100 km, 2 * 10^8 pulses: about a second, about 6 * 10^4 key
// bits; `tfqkd keyrate --optimise` settings for this link, rounded. The soundness test's.
inline SessionSetup sns_100km_setup(std::uint64_t seed = 1) {
    security::ProtocolParameters p;
    p.family = Family::sns;
    p.phase_slices = 16;
    p.pulses = 200'000'000;
    p.alice = {{Window::z, 0.4826, 0.0243}, {Window::z, 0, 0.7418}, {Window::x, 0, 0.0691},
               {Window::x, 0.0761, 0.1532}, {Window::x, 0.6117, 0.0116}};
    return ultra_low_loss_setup(p, 100, seed);
}

// SNS with AOPP over 200 km, 10^9 pulses, the settings of `tfqkd session --example sns-aopp`: about
// two seconds, about 6 * 10^4 key bits and few frames (a QBER of 10^-4 keeps Cascade short), so one
// block's key can pay for the next block's tags. The blocks test's.
inline SessionSetup sns_aopp_200km_setup(std::uint64_t seed = 1) {
    security::ProtocolParameters p;
    p.family = Family::sns;
    p.aopp = true;
    p.phase_slices = 16;
    p.pulses = 1'000'000'000;
    p.alice = {{Window::z, 0.5007, 0.2352}, {Window::z, 0, 0.6008}, {Window::x, 0, 0.0497},
               {Window::x, 0.06328, 0.1063}, {Window::x, 0.521, 0.008}};
    return ultra_low_loss_setup(p, 200, seed);
}

}  // namespace tfqkd::network::test
