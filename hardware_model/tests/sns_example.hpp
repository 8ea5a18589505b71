// The example 4-intensity SNS settings that the hardware_model tests and benchmarks share (those of
// cli/tests/data/sns_prediction.json with p_z = 0.7, eps = 0.05): Z sending mu_z = 0.4, Z vacuum,
// X vacuum, mu_1 = 0.1, mu_2 = 0.38, the same for Bob.
#pragma once

#include <cstdint>

#include "security/experiment.hpp"

namespace tfqkd::hardware_model::testing {

inline security::ProtocolParameters example_sns_protocol(std::uint64_t pulses, bool aopp = false) {
    using security::Window;
    security::ProtocolParameters p;
    const double pz = 0.7, eps = 0.05;
    p.aopp = aopp;
    p.alice = {{Window::z, 0.4, pz * eps},
               {Window::z, 0.0, pz * (1 - eps)},
               {Window::x, 0.0, 0.12},
               {Window::x, 0.1, 0.12},
               {Window::x, 0.38, 0.06}};
    p.bob = p.alice;
    p.pulses = pulses;
    return p;
}

}  // namespace tfqkd::hardware_model::testing
