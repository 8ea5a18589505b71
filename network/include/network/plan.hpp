// A network scenario made concrete (docs/network.md, "Model"): the chips drawn from the wafer with
// their working modulators, the WDM channel plan from the comb, and each pair's simulated link; then
// per pair the certified finite-key rate at the full block (an optimised parameter search, certified
// in intervals), its ratio to PLOB, and a full protocol session at the scaled-down block.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "hardware_model/profile.hpp"
#include "hardware_model/simulated.hpp"
#include "network/scenario.hpp"
#include "network/session.hpp"
#include "security/optimise.hpp"
#include "security/sns.hpp"

namespace tfqkd::network {

// Finds a chip or server profile by the name a scenario gives it (a shipped name or a path); the
// command searches its profile directories, tests read the source tree. The error's detail says
// where it looked; build_network puts the scenario element in front of it.
using ProfileLoader = std::function<Result<hardware_model::Profile>(const std::string& name)>;

// One client's chip as drawn from the wafer.
struct DrawnChip {
    std::string client;
    std::uint64_t index = 0;       // die on the wafer
    hardware_model::Profile profile;  // with the wafer spreads drawn
    unsigned intensity_modulators = 0, intensity_working = 0;
    unsigned phase_modulators = 0, phase_working = 0;
    // The link uses one intensity modulator for the decoy levels and one phase modulator for the
    // encoding (hardware_model/simulated.hpp), so a chip needs one of each working (docs/network.md).
    bool usable() const noexcept { return intensity_working > 0 && phase_working > 0; }
};

struct Channel {
    std::uint32_t number = 0;
    std::int32_t comb_line = 0;
    double frequency_hz = 0;
    double wavelength_nm = 0;
};

struct PairPlan {
    std::string name;        // "A1-B1"
    std::size_t alice = 0;   // indices into Network::chips (and the scenario's clients)
    std::size_t bob = 0;
    Channel channel;
    double upstream_km = 0;  // both arms: what PLOB is taken over
    // The simulated link; absent when a chip is unusable (then `unusable` says which and why).
    std::optional<hardware_model::LinkBreakdown> link;
    std::string unusable;
    double plob_per_pulse = 0;  // PLOB of the upstream fibre alone (upper end): the bound to beat
};

struct Network {
    NetworkScenario scenario;
    hardware_model::Profile server;
    double attenuation_db_per_km = 0;
    std::vector<Channel> channels;
    std::vector<DrawnChip> chips;  // one per client, in the scenario's order
    std::vector<PairPlan> pairs;
};

// Draws the chips and builds the plan and every pair's link. Errors name the scenario element:
// an unknown chip or server profile (clients[i].chip_profile, wafer.chip_profile, server.profile),
// a channel outside the comb or on the reference line (server.channels[i].comb_line), a pair on a
// channel the plan lacks (pairs[i].channel), a comb line lost on the way (clients[i].downstream_km),
// a laser that cannot lock to its channel (pairs[i].channel).
std::variant<Network, InputError> build_network(const NetworkScenario& scenario, const ProfileLoader& load);

// A pair's certified rate at `pulses` per party (security::optimise_family from the scenario's
// protocol, the statistics predicted by the pair's analytic link).
struct PairRate {
    security::ProtocolParameters protocol;  // the optimum
    security::KeyLength key;
    double rate_per_pulse = 0;  // lower end of the certified rate
    double ratio_to_plob = 0;   // rate_per_pulse / PLOB's upper end: > 1 beats the bound
    unsigned evaluations = 0;
};

// The optimum of `start`'s family over `link` (statistics predicted by the analytic model), with the
// scenario's security parameters and error-correction efficiency: what certify_pair does for a
// pair, and the rate-against-distance curves for any length.
Result<security::SnsOptimum> optimise_on_link(const NetworkScenario& scenario, const hardware_model::Link& link,
                                              const security::ProtocolParameters& start);

// Errors: a pair without a link (its `unusable` text), the optimiser's errors.
Result<PairRate> certify_pair(const Network& network, const PairPlan& pair, std::uint64_t pulses);

// certify_pair at the full block for every pair, on `threads` threads (at least 1); `done` is called
// (from the worker threads, serialised) after each pair with its index. Results in pair order.
std::vector<Result<PairRate>> certify_pairs(const Network& network, unsigned threads,
                                            const std::function<void(std::size_t pair)>& done = {});

// The session of pair `index` at `pulses`: the settings certified for that block (so the session
// is expected to end in a key), the pair's link, a seed derived from the scenario's and the index.
Result<SessionSetup> pair_session_setup(const Network& network, std::size_t index, std::uint64_t pulses);

}  // namespace tfqkd::network
