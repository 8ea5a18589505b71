// A network made concrete and its pairs certified: network/plan.hpp, docs/network.md "Model".
#include "network/plan.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "base/rng.hpp"
#include "hardware_model/channel.hpp"
#include "hardware_model/devices.hpp"
#include "security/bounds.hpp"
#include "security/interval.hpp"

namespace tfqkd::network {
namespace {

std::string element(std::string_view list, std::size_t index, std::string_view field) {
    return std::string(list) + "[" + std::to_string(index) + "]." + std::string(field);
}

// A library error as a sentence: its detail, or its field and code.
std::string sentence(const Error& e) {
    if (!e.detail.empty()) return e.detail;
    return std::string(e.message) + "." + std::string(e.field) + ": " + std::string(errc_name(e.code));
}

// The working modulators of a die: each works with probability `yield`, independently, from its own
// stream of the wafer seed ("YILD" keeps it apart from draw_chip's streams of the same seed).
void draw_modulators(DrawnChip& chip, const WaferSpec& wafer) {
    const CounterRng rng(wafer.seed ^ 0x59494C44ULL, chip.index);
    const auto count = [](const hardware_model::Parameter& p) { return static_cast<unsigned>(p.value); };
    chip.intensity_modulators = chip.profile.intensity_modulators ? count(chip.profile.intensity_modulators->count) : 0;
    chip.phase_modulators = chip.profile.phase_modulators ? count(chip.profile.phase_modulators->count) : 0;
    std::uint64_t n = 0;
    for (unsigned i = 0; i < chip.intensity_modulators; ++i) chip.intensity_working += uniform_at(rng, n++) < wafer.modulator_yield;
    for (unsigned i = 0; i < chip.phase_modulators; ++i) chip.phase_working += uniform_at(rng, n++) < wafer.modulator_yield;
}

// The channel plan: the scenario's list, or every comb line but the phase reference's.
std::variant<std::vector<Channel>, InputError> channel_plan(const NetworkScenario& s, const hardware_model::Profile& server) {
    if (!server.frequency_reference)
        return InputError{"server.profile", "profile \"" + server.name + "\" has no frequency reference (comb) to take channels from; accepted: a server or bench profile with one"};
    const auto comb = hardware_model::SimulatedFrequencyReference::create(*server.frequency_reference);
    if (!comb) return InputError{"server.profile", sentence(comb.error())};
    std::optional<std::int32_t> reference;
    if (server.phase_tracking && server.phase_tracking->reference_line)
        reference = static_cast<std::int32_t>(server.phase_tracking->reference_line->value);
    const auto lines = static_cast<std::int64_t>(comb->line_count());
    const std::int64_t lowest = -(lines / 2), highest = lines + lowest - 1;  // as the comb numbers them
    std::vector<Channel> plan;
    const auto add = [&](std::uint32_t number, std::int32_t line) {
        const double hz = comb->line_frequency_hz(line).value();
        plan.push_back(Channel{number, line, hz, hardware_model::wavelength_of_frequency(hz)});
    };
    if (s.server.channels.empty()) {
        std::uint32_t number = 1;
        for (std::int64_t line = lowest; line <= highest; ++line)
            if (!reference || line != *reference) add(number++, static_cast<std::int32_t>(line));
        return plan;
    }
    for (std::size_t i = 0; i < s.server.channels.size(); ++i) {
        const ChannelSpec& c = s.server.channels[i];
        const std::string path = element("server.channels", i, "comb_line");
        if (c.comb_line < lowest || c.comb_line > highest)
            return InputError{path, "comb line " + std::to_string(c.comb_line) + " is not a line of the comb of " + server.name +
                                        "; accepted: " + std::to_string(lowest) + " to " + std::to_string(highest)};
        if (reference && c.comb_line == *reference)
            return InputError{path, "comb line " + std::to_string(c.comb_line) + " carries the phase reference; accepted: any other line"};
        add(c.number, c.comb_line);
    }
    return plan;
}

}  // namespace

std::variant<Network, InputError> build_network(const NetworkScenario& s, const ProfileLoader& load) {
    Network net;
    net.scenario = s;
    auto server = load(s.server.profile);
    if (!server) return InputError{"server.profile", sentence(server.error())};
    if (!server->is_server())
        return InputError{"server.profile", "profile \"" + server->name + "\" is a client chip; accepted: a server or bench profile"};
    net.server = std::move(server.value());
    if (s.attenuation_db_per_km) net.attenuation_db_per_km = *s.attenuation_db_per_km;
    else if (net.server.fibre) net.attenuation_db_per_km = net.server.fibre->loss_db_per_km.value;
    else return InputError{"fibre.attenuation_db_per_km", "missing: the server profile has no fibre section, so the scenario must give the attenuation"};

    auto plan = channel_plan(s, net.server);
    if (auto* e = std::get_if<InputError>(&plan)) return std::move(*e);
    net.channels = std::move(std::get<std::vector<Channel>>(plan));

    // Each profile is read once, however many chips are cut from it.
    std::map<std::string, hardware_model::Profile> wafers;
    for (std::size_t i = 0; i < s.clients.size(); ++i) {
        const ClientSpec& c = s.clients[i];
        const std::string& name = c.chip_profile ? *c.chip_profile : s.wafer.chip_profile;
        const std::string path = c.chip_profile ? element("clients", i, "chip_profile") : std::string("wafer.chip_profile");
        auto it = wafers.find(name);
        if (it == wafers.end()) {
            auto profile = load(name);
            if (!profile) return InputError{path, "unknown chip: " + sentence(profile.error())};
            if (!profile->is_client())
                return InputError{path, "profile \"" + profile->name + "\" is a server; accepted: a client chip or bench profile"};
            it = wafers.emplace(name, std::move(profile.value())).first;
        }
        // The comb line reaches the chip through the downstream fibre; below the budget the chip's
        // laser no longer injection-locks (docs/network.md, "Downstream").
        const double downstream_db = c.downstream_km * net.attenuation_db_per_km;
        if (downstream_db > s.downstream_budget_db)
            return InputError{element("clients", i, "downstream_km"),
                              std::to_string(c.downstream_km) + " km lose " + std::to_string(downstream_db) +
                                  " dB of the comb line, more than the injection-locking budget of " +
                                  std::to_string(s.downstream_budget_db) + " dB (downstream_budget_db)"};
        DrawnChip chip;
        chip.client = c.name;
        chip.index = c.chip;
        chip.profile = hardware_model::draw_chip(it->second, s.wafer.seed, c.chip);
        draw_modulators(chip, s.wafer);
        net.chips.push_back(std::move(chip));
    }

    std::map<std::string, std::size_t, std::less<>> by_name;
    for (std::size_t i = 0; i < s.clients.size(); ++i) by_name.emplace(s.clients[i].name, i);
    for (std::size_t i = 0; i < s.pairs.size(); ++i) {
        const PairSpec& p = s.pairs[i];
        const auto channel = std::find_if(net.channels.begin(), net.channels.end(),
                                          [&](const Channel& c) { return c.number == p.channel; });
        if (channel == net.channels.end())
            return InputError{element("pairs", i, "channel"),
                              "no channel " + std::to_string(p.channel) + " in the plan; accepted: " +
                                  std::to_string(net.channels.front().number) + " to " + std::to_string(net.channels.back().number) +
                                  (s.server.channels.empty() ? " (the comb's lines but the reference)" : " (server.channels)")};
        PairPlan pair;
        pair.name = p.alice + "-" + p.bob;
        pair.alice = by_name.at(p.alice);
        pair.bob = by_name.at(p.bob);
        pair.channel = *channel;
        const ClientSpec& a = s.clients[pair.alice];
        const ClientSpec& b = s.clients[pair.bob];
        pair.upstream_km = a.upstream_km + b.upstream_km;
        // PLOB of the fibre alone, as the paper compares (REFERENCES.md section 1): chip and relay
        // losses are the protocol's handicap, not part of the channel the bound is about.
        pair.plob_per_pulse = security::hi(security::plob_bound(security::fibre_transmittance(pair.upstream_km, net.attenuation_db_per_km)));
        for (const std::size_t who : {pair.alice, pair.bob})
            if (!net.chips[who].usable() && pair.unusable.empty())
                pair.unusable = "the chip of " + net.chips[who].client + " (die " + std::to_string(net.chips[who].index) +
                                ") has no working " + (net.chips[who].intensity_working == 0 ? "intensity" : "phase") + " modulator";
        if (pair.unusable.empty()) {
            hardware_model::FibrePair fibre;
            fibre.alice_km = a.upstream_km;
            fibre.bob_km = b.upstream_km;
            fibre.loss_db_per_km = net.attenuation_db_per_km;
            auto link = hardware_model::link_from_profiles(net.chips[pair.alice].profile, net.chips[pair.bob].profile, net.server,
                                                           fibre, channel->comb_line);
            // Unequal arms: the relay attenuates the lighter one to the other's loss, as asymmetric
            // TF-QKD experiments do, so that the symmetric protocol parameters stay optimal
            // (docs/network.md, "Unequal arms"). Chip draws differ too, so even equal spools are balanced.
            if (link && link->link.arm_loss_alice_db != link->link.arm_loss_bob_db) {
                const double difference = link->link.arm_loss_alice_db - link->link.arm_loss_bob_db;
                (difference > 0 ? fibre.extra_loss_bob_db : fibre.extra_loss_alice_db) = std::abs(difference);
                link = hardware_model::link_from_profiles(net.chips[pair.alice].profile, net.chips[pair.bob].profile, net.server,
                                                          fibre, channel->comb_line);
            }
            if (!link)
                return InputError{element("pairs", i, "channel"), "the chips of " + pair.name + " cannot work on channel " +
                                                                      std::to_string(p.channel) + ": " + sentence(link.error())};
            pair.link = std::move(link.value());
        }
        net.pairs.push_back(std::move(pair));
    }
    return net;
}

Result<security::SnsOptimum> optimise_on_link(const NetworkScenario& scenario, const hardware_model::Link& link,
                                              const security::ProtocolParameters& start) {
    const security::StatisticsPredictor predict = [&link](const security::ProtocolParameters& q) {
        return hardware_model::expected_statistics(q, link);
    };
    const security::SnsOptions options{security::Analysis::finite, scenario.ec_efficiency};
    return security::optimise_family(start, scenario.security, predict, options);
}

Result<PairRate> certify_pair(const Network& network, const PairPlan& pair, std::uint64_t pulses) {
    if (!pair.link) return make_error(Errc::invalid_argument, "pair", "link", pair.name + ": " + pair.unusable);
    security::ProtocolParameters start = network.scenario.protocol;
    start.pulses = pulses;
    auto best = optimise_on_link(network.scenario, pair.link->link, start);
    if (!best) return std::move(best).error();
    PairRate out;
    out.protocol = std::move(best->protocol);
    out.key = std::move(best->key);
    out.rate_per_pulse = security::lo(out.key.rate_per_pulse);
    out.ratio_to_plob = out.rate_per_pulse / pair.plob_per_pulse;
    out.evaluations = best->evaluations;
    return out;
}

std::vector<Result<PairRate>> certify_pairs(const Network& network, unsigned threads,
                                            const std::function<void(std::size_t pair)>& done) {
    const std::size_t n = network.pairs.size();
    std::vector<std::optional<Result<PairRate>>> slots(n);
    std::atomic<std::size_t> next{0};
    std::mutex report;
    // Pairs are independent: each worker takes the next pair until none is left.
    const auto work = [&] {
        for (std::size_t i = next++; i < n; i = next++) {
            slots[i].emplace(certify_pair(network, network.pairs[i], network.scenario.protocol.pulses));
            if (done) {
                const std::lock_guard lock(report);
                done(i);
            }
        }
    };
    std::vector<std::jthread> pool;
    const unsigned count = std::max(1U, std::min<unsigned>(threads, static_cast<unsigned>(n)));
    for (unsigned t = 1; t < count; ++t) pool.emplace_back(work);
    work();
    pool.clear();  // joins
    std::vector<Result<PairRate>> out;
    out.reserve(n);
    for (auto& slot : slots) out.push_back(std::move(*slot));
    return out;
}

Result<SessionSetup> pair_session_setup(const Network& network, std::size_t index, std::uint64_t pulses) {
    const PairPlan& pair = network.pairs.at(index);
    // The session runs the settings certified for its own (smaller) block: the full block's optimum
    // may certify nothing at a fraction of the pulses.
    auto rate = certify_pair(network, pair, pulses);
    if (!rate) return std::move(rate).error();
    SessionSetup setup;
    setup.protocol = rate->protocol;
    if (setup.protocol.bob.empty()) setup.protocol.bob = setup.protocol.alice;
    setup.security = network.scenario.security;
    setup.link = pair.link->link;
    // One seed per pair: the scenario's plus the pair's index (a single-pair job carries the sum).
    setup.seed = network.scenario.seed + index;
    return setup;
}

}  // namespace tfqkd::network
