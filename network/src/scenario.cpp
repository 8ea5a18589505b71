// Reading network scenarios: network/scenario.hpp; docs/network.md, "Scenario files", is the
// specification of every field read here.
#include "network/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <map>
#include <set>
#include <utility>

#include "base/rng.hpp"
#include "security/experiment.hpp"

namespace tfqkd::network {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// Thrown inside this file only; parse_network_scenario turns it into its result.
struct Failure {
    InputError error;
};

[[noreturn]] void fail(std::string path, std::string message) { throw Failure{InputError{std::move(path), std::move(message)}}; }

std::string at(const std::string& path, std::string_view key) { return path.empty() ? std::string(key) : path + "." + std::string(key); }
std::string at(const std::string& path, std::size_t index) { return path + "[" + std::to_string(index) + "]"; }

std::string kind_of(const json& j) {
    if (j.is_object()) return "an object";
    if (j.is_array()) return "an array";
    if (j.is_string()) return "the string " + j.dump();
    return j.dump();
}

// An object whose fields are checked against the accepted ones when it is opened.
class Fields {
public:
    Fields(const json& j, std::string path, std::initializer_list<std::string_view> accepted) : j_(j), path_(std::move(path)) {
        if (!j.is_object()) fail(path_, "expected an object, got " + kind_of(j));
        for (const auto& item : j.items()) {
            if (std::find(accepted.begin(), accepted.end(), item.key()) != accepted.end()) continue;
            std::string list;
            for (std::string_view a : accepted) list += (list.empty() ? "" : ", ") + std::string(a);
            fail(at(path_, item.key()), "unknown field; accepted here: " + list);
        }
    }
    const json* find(std::string_view key) const {
        const auto it = j_.find(key);
        return it == j_.end() ? nullptr : &*it;
    }
    const json& require(std::string_view key) const {
        if (const json* v = find(key)) return *v;
        fail(path(key), "missing required field");
    }
    std::string path(std::string_view key) const { return at(path_, key); }

private:
    const json& j_;
    std::string path_;
};

constexpr double kMaxWhole = 9007199254740992.0;  // 2^53: whole numbers exact in a double

double number(const json& j, const std::string& path, double lower, double upper, std::string_view accepted) {
    if (!j.is_number()) fail(path, "expected a number (" + std::string(accepted) + "), got " + kind_of(j));
    const double x = j.get<double>();
    if (!std::isfinite(x) || x < lower || x > upper) fail(path, j.dump() + " is out of range; accepted: " + std::string(accepted));
    return x;
}

std::uint64_t whole(const json& j, const std::string& path, double lower, double upper, std::string_view accepted) {
    const double x = number(j, path, lower, upper, accepted);
    if (x != std::floor(x)) fail(path, j.dump() + " is not a whole number; accepted: " + std::string(accepted));
    return static_cast<std::uint64_t>(x);
}

std::string text(const json& j, const std::string& path, std::string_view what) {
    if (!j.is_string() || j.get<std::string>().empty())
        fail(path, "expected a non-empty string (" + std::string(what) + "), got " + kind_of(j));
    return j.get<std::string>();
}

const json& array(const json& j, const std::string& path, std::string_view what) {
    if (!j.is_array()) fail(path, "expected an array (" + std::string(what) + "), got " + kind_of(j));
    return j;
}

constexpr std::string_view kLength = "a length in km >= 0";

WaferSpec read_wafer(const json& j) {
    const Fields f(j, "wafer", {"chip_profile", "seed", "modulator_yield"});
    WaferSpec w;
    if (const json* v = f.find("chip_profile")) w.chip_profile = text(*v, f.path("chip_profile"), "a chip profile name or path");
    if (const json* v = f.find("seed")) w.seed = whole(*v, f.path("seed"), 0, kMaxWhole, "a whole number in 0..2^53");
    if (const json* v = f.find("modulator_yield"))
        w.modulator_yield = number(*v, f.path("modulator_yield"), 0, 1, "a probability in [0, 1]");
    return w;
}

ServerSpec read_server(const json& j) {
    const Fields f(j, "server", {"profile", "channels"});
    ServerSpec s;
    if (const json* v = f.find("profile")) s.profile = text(*v, f.path("profile"), "a server profile name or path");
    if (const json* v = f.find("channels")) {
        const std::string path = f.path("channels");
        std::set<std::uint32_t> numbers;
        std::set<std::int32_t> lines;
        for (std::size_t i = 0; i < array(*v, path, "WDM channels").size(); ++i) {
            const std::string element = at(path, i);
            const Fields c((*v)[i], element, {"channel", "comb_line"});
            ChannelSpec ch;
            ch.number = static_cast<std::uint32_t>(whole(c.require("channel"), c.path("channel"), 1, 1e6, "a channel number in 1..1000000"));
            const double line = number(c.require("comb_line"), c.path("comb_line"), -1e6, 1e6, "a comb line index in -1000000..1000000");
            if (line != std::floor(line)) fail(c.path("comb_line"), "not a whole number; accepted: a comb line index");
            ch.comb_line = static_cast<std::int32_t>(line);
            if (!numbers.insert(ch.number).second) fail(c.path("channel"), "channel " + std::to_string(ch.number) + " is defined twice");
            if (!lines.insert(ch.comb_line).second)
                fail(c.path("comb_line"), "comb line " + std::to_string(ch.comb_line) + " already carries another channel");
            s.channels.push_back(ch);
        }
    }
    return s;
}

ClientSpec read_client(const json& j, const std::string& path) {
    const Fields f(j, path, {"name", "chip", "chip_profile", "upstream_km", "downstream_km"});
    ClientSpec c;
    c.name = text(f.require("name"), f.path("name"), "the client's name");
    c.chip = whole(f.require("chip"), f.path("chip"), 0, kMaxWhole, "the die's index on the wafer, 0..2^53");
    if (const json* v = f.find("chip_profile")) c.chip_profile = text(*v, f.path("chip_profile"), "a chip profile name or path");
    c.upstream_km = number(f.require("upstream_km"), f.path("upstream_km"), 0, 1e5, kLength);
    if (const json* v = f.find("downstream_km")) c.downstream_km = number(*v, f.path("downstream_km"), 0, 1e5, kLength);
    return c;
}

PairSpec read_pair(const json& j, const std::string& path) {
    const Fields f(j, path, {"alice", "bob", "channel"});
    PairSpec p;
    p.alice = text(f.require("alice"), f.path("alice"), "a client's name");
    p.bob = text(f.require("bob"), f.path("bob"), "a client's name");
    p.channel = static_cast<std::uint32_t>(whole(f.require("channel"), f.path("channel"), 1, 1e6, "a channel number in 1..1000000"));
    return p;
}

// The protocol and security sections go through the keyrate reader, so that they mean exactly what
// they mean in a `tfqkd keyrate` file; its errors already name "protocol..." and "security...".
void read_protocol(const Fields& f, NetworkScenario& s) {
    // A prediction needs a link and devices; these placeholders are read and dropped.
    json keyrate = {{"protocol", f.require("protocol")},
                    {"link", {{"distance_km", 1}}},
                    {"detector", {{"efficiency", 1}, {"dark_count_probability", 0}}},
                    {"misalignment", 0},
                    {"phase_noise_rad", 0}};
    if (const json* v = f.find("security")) keyrate["security"] = *v;
    if (const json* v = f.find("ec_efficiency")) keyrate["ec_efficiency"] = *v;
    auto parsed = hardware_model::scenario::parse_scenario(keyrate.dump());
    if (auto* e = std::get_if<InputError>(&parsed)) throw Failure{std::move(*e)};
    auto& read = std::get<hardware_model::scenario::Scenario>(parsed);
    const auto library = [](const Error& e) {
        fail(std::string(e.message) + (e.field.empty() ? "" : "." + std::string(e.field)), e.detail.empty() ? std::string(errc_name(e.code)) : e.detail);
    };
    if (Status st = security::validate(read.protocol); !st) library(st.error());
    if (Status st = security::validate(read.security); !st) library(st.error());
    s.protocol = std::move(read.protocol);
    s.security = read.security;
    s.ec_efficiency = read.ec_efficiency;
}

// Cross-element rules: names unique, pairs naming known clients, no client twice on one channel,
// and what a concurrent schedule needs.
void check_pairs(const NetworkScenario& s) {
    std::map<std::string, std::size_t, std::less<>> clients;
    for (std::size_t i = 0; i < s.clients.size(); ++i)
        if (!clients.emplace(s.clients[i].name, i).second)
            fail(at(at("clients", i), "name"), "client \"" + s.clients[i].name + "\" is defined twice; names must be unique");
    std::set<std::pair<std::string, std::uint32_t>> on_channel;  // (client, channel)
    std::set<std::string> busy;                                    // concurrent: clients in a pair
    std::set<std::uint32_t> channels_in_use;                       // concurrent: channels in use
    for (std::size_t i = 0; i < s.pairs.size(); ++i) {
        const PairSpec& p = s.pairs[i];
        const std::string path = at("pairs", i);
        if (p.alice == p.bob) fail(at(path, "bob"), "a pair needs two different clients");
        for (const auto& [role, name] : {std::pair{"alice", &p.alice}, std::pair{"bob", &p.bob}}) {
            if (!clients.contains(*name))
                fail(at(path, role), "no client named \"" + *name + "\"; accepted: a name from clients[]");
            if (!on_channel.emplace(*name, p.channel).second)
                fail(at(path, role), "client \"" + *name + "\" is already in a pair on channel " + std::to_string(p.channel) +
                                         "; a client takes one pair per channel");
            if (s.schedule == Schedule::concurrent && !busy.insert(*name).second)
                fail(at(path, role), "client \"" + *name + "\" is in two pairs; a concurrent schedule runs every pair at once, "
                                     "so each client may be in one pair (accepted: \"schedule\": \"sequential\")");
        }
        if (s.schedule == Schedule::concurrent && !channels_in_use.insert(p.channel).second)
            fail(at(path, "channel"), "channel " + std::to_string(p.channel) + " already carries a pair; a concurrent schedule "
                                      "needs one channel per pair (accepted: \"schedule\": \"sequential\")");
    }
}

NetworkScenario read_network(const json& root) {
    const Fields f(root, "", {"format", "description", "wafer", "server", "fibre", "downstream_budget_db", "clients", "pairs",
                              "schedule", "protocol", "security", "ec_efficiency", "session_pulses", "seed"});
    const json& format = f.require("format");
    if (format != "tfqkd-network/1") fail("format", "expected \"tfqkd-network/1\", got " + kind_of(format));
    NetworkScenario s;
    if (const json* v = f.find("description")) {
        if (!v->is_string()) fail("description", "expected a string, got " + kind_of(*v));
        s.description = v->get<std::string>();
    }
    if (const json* v = f.find("wafer")) s.wafer = read_wafer(*v);
    if (const json* v = f.find("server")) s.server = read_server(*v);
    if (const json* v = f.find("fibre")) {
        const Fields fibre(*v, "fibre", {"attenuation_db_per_km"});
        if (const json* a = fibre.find("attenuation_db_per_km"))
            s.attenuation_db_per_km = number(*a, fibre.path("attenuation_db_per_km"), 0, 10, "an attenuation in dB/km, 0..10");
    }
    if (const json* v = f.find("downstream_budget_db"))
        s.downstream_budget_db = number(*v, "downstream_budget_db", 0, 200, "a loss in dB, 0..200");
    const json& clients = array(f.require("clients"), "clients", "the client nodes");
    for (std::size_t i = 0; i < clients.size(); ++i) s.clients.push_back(read_client(clients[i], at("clients", i)));
    const json& pairs = array(f.require("pairs"), "pairs", "the pairs of clients");
    if (pairs.empty()) fail("pairs", "no pairs; accepted: at least one pair");
    for (std::size_t i = 0; i < pairs.size(); ++i) s.pairs.push_back(read_pair(pairs[i], at("pairs", i)));
    if (const json* v = f.find("schedule")) {
        if (*v == "sequential") s.schedule = Schedule::sequential;
        else if (*v == "concurrent") s.schedule = Schedule::concurrent;
        else fail("schedule", "got " + kind_of(*v) + "; accepted: \"sequential\", \"concurrent\"");
    }
    read_protocol(f, s);
    if (const json* v = f.find("session_pulses"))
        s.session_pulses = whole(*v, "session_pulses", 1, static_cast<double>(s.protocol.pulses), "a whole number of pulses, 1..protocol.pulses");
    else s.session_pulses = std::min(s.session_pulses, s.protocol.pulses);
    if (const json* v = f.find("seed")) s.seed = whole(*v, "seed", 1, kMaxWhole, "a whole number in 1..2^53");
    check_pairs(s);
    return s;
}

// The default scenario (docs/network.md, "The default: the PKU layout"). Protocol settings: the
// `tfqkd keyrate --optimise` optimum of pair 1's link at N = 10^12 (rounded), the search's start.
constexpr std::string_view kDefault = R"json({
  "format": "tfqkd-network/1",
  "description": "PKU chip network layout: 20 InP client chips from one wafer, 10 pairs on 10 WDM channels of the server's microcomb, 185 + 185 km upstream per pair",
  "wafer": {"chip_profile": "pku_inp_client", "seed": 2026, "modulator_yield": 0.975},
  "server": {"profile": "pku_server"},
  "downstream_budget_db": 20,
  "clients": [
    {"name": "A1",  "chip": 0,  "upstream_km": 185, "downstream_km": 1},
    {"name": "B1",  "chip": 1,  "upstream_km": 185, "downstream_km": 1},
    {"name": "A2",  "chip": 2,  "upstream_km": 185, "downstream_km": 1},
    {"name": "B2",  "chip": 3,  "upstream_km": 185, "downstream_km": 1},
    {"name": "A3",  "chip": 4,  "upstream_km": 185, "downstream_km": 1},
    {"name": "B3",  "chip": 5,  "upstream_km": 185, "downstream_km": 1},
    {"name": "A4",  "chip": 6,  "upstream_km": 185, "downstream_km": 1},
    {"name": "B4",  "chip": 7,  "upstream_km": 185, "downstream_km": 1},
    {"name": "A5",  "chip": 8,  "upstream_km": 185, "downstream_km": 60},
    {"name": "B5",  "chip": 9,  "upstream_km": 185, "downstream_km": 60},
    {"name": "A6",  "chip": 10, "upstream_km": 185, "downstream_km": 1},
    {"name": "B6",  "chip": 11, "upstream_km": 185, "downstream_km": 1},
    {"name": "A7",  "chip": 12, "upstream_km": 185, "downstream_km": 1},
    {"name": "B7",  "chip": 13, "upstream_km": 185, "downstream_km": 1},
    {"name": "A8",  "chip": 14, "upstream_km": 185, "downstream_km": 1},
    {"name": "B8",  "chip": 15, "upstream_km": 185, "downstream_km": 1},
    {"name": "A9",  "chip": 16, "upstream_km": 185, "downstream_km": 1},
    {"name": "B9",  "chip": 17, "upstream_km": 185, "downstream_km": 1},
    {"name": "A10", "chip": 18, "upstream_km": 185, "downstream_km": 1},
    {"name": "B10", "chip": 19, "upstream_km": 185, "downstream_km": 1}
  ],
  "pairs": [
    {"alice": "A1",  "bob": "B1",  "channel": 1},
    {"alice": "A2",  "bob": "B2",  "channel": 2},
    {"alice": "A3",  "bob": "B3",  "channel": 3},
    {"alice": "A4",  "bob": "B4",  "channel": 4},
    {"alice": "A5",  "bob": "B5",  "channel": 5},
    {"alice": "A6",  "bob": "B6",  "channel": 6},
    {"alice": "A7",  "bob": "B7",  "channel": 7},
    {"alice": "A8",  "bob": "B8",  "channel": 8},
    {"alice": "A9",  "bob": "B9",  "channel": 9},
    {"alice": "A10", "bob": "B10", "channel": 10}
  ],
  "schedule": "sequential",
  "protocol": {"family": "sns", "aopp": true, "pulses": 1e12, "phase_slices": 16, "phase_match_slices": 0,
    "alice": [{"window": "z", "intensity": 0.48,  "probability": 0.2},
              {"window": "z", "intensity": 0,     "probability": 0.6},
              {"window": "x", "intensity": 0,     "probability": 0.07},
              {"window": "x", "intensity": 0.05,  "probability": 0.12},
              {"window": "x", "intensity": 0.45,  "probability": 0.01}]},
  "security": {"eps_cor": 1e-15, "eps_pa": 1e-10, "eps_pe": 1e-10, "eps_smooth": 1e-10, "eps_total": 1e-8},
  "ec_efficiency": 1.1,
  "session_pulses": 3e11,
  "seed": 1
})json";

}  // namespace

std::string_view schedule_name(Schedule schedule) noexcept {
    return schedule == Schedule::concurrent ? "concurrent" : "sequential";
}

std::variant<NetworkScenario, InputError> parse_network_scenario(std::string_view text) {
    auto parsed = hardware_model::scenario::parse_json(text);
    if (auto* e = std::get_if<InputError>(&parsed)) return std::move(*e);
    try {
        return read_network(std::get<json>(parsed));
    } catch (const Failure& f) {
        return f.error;
    } catch (const json::exception& e) {  // not expected: every access above is checked first
        return InputError{"", std::string("unreadable: ") + e.what()};
    }
}

ordered_json network_scenario_json(const NetworkScenario& s) {
    ordered_json j;
    j["format"] = "tfqkd-network/1";
    j["description"] = s.description;
    j["wafer"] = {{"chip_profile", s.wafer.chip_profile}, {"seed", s.wafer.seed}, {"modulator_yield", s.wafer.modulator_yield}};
    j["server"] = {{"profile", s.server.profile}};
    if (!s.server.channels.empty()) {
        ordered_json channels = ordered_json::array();
        for (const auto& c : s.server.channels) channels.push_back({{"channel", c.number}, {"comb_line", c.comb_line}});
        j["server"]["channels"] = channels;
    }
    if (s.attenuation_db_per_km) j["fibre"] = {{"attenuation_db_per_km", *s.attenuation_db_per_km}};
    j["downstream_budget_db"] = s.downstream_budget_db;
    ordered_json clients = ordered_json::array();
    for (const auto& c : s.clients) {
        ordered_json client = {{"name", c.name}, {"chip", c.chip}};
        if (c.chip_profile) client["chip_profile"] = *c.chip_profile;
        client["upstream_km"] = c.upstream_km;
        client["downstream_km"] = c.downstream_km;
        clients.push_back(client);
    }
    j["clients"] = clients;
    ordered_json pairs = ordered_json::array();
    for (const auto& p : s.pairs) pairs.push_back({{"alice", p.alice}, {"bob", p.bob}, {"channel", p.channel}});
    j["pairs"] = pairs;
    j["schedule"] = schedule_name(s.schedule);
    j["protocol"] = hardware_model::scenario::protocol_json(s.protocol);
    j["security"] = hardware_model::scenario::security_json(s.security);
    j["ec_efficiency"] = s.ec_efficiency;
    j["session_pulses"] = s.session_pulses;
    j["seed"] = s.seed;
    return j;
}

NetworkScenario single_pair(const NetworkScenario& scenario, std::size_t pair) {
    NetworkScenario out = scenario;
    const PairSpec p = scenario.pairs.at(pair);
    out.pairs = {p};
    out.clients.clear();
    for (const auto& c : scenario.clients)
        if (c.name == p.alice || c.name == p.bob) out.clients.push_back(c);
    // The session seed derives from the pair's index in the whole network (plan.cpp), so a job
    // carries it in its own seed: the job's pair 0 then runs the session the network would have.
    out.seed = scenario.seed + pair;
    out.description = scenario.description + (scenario.description.empty() ? "" : " - ") + "job: pair " +
                      std::to_string(pair + 1) + " (" + p.alice + "-" + p.bob + ")";
    return out;
}

std::string_view default_scenario_text() noexcept { return kDefault; }

NetworkScenario star_scenario(std::uint32_t users, std::uint64_t seed) {
    auto parsed = parse_network_scenario(kDefault);
    NetworkScenario s = std::get<NetworkScenario>(std::move(parsed));  // the embedded text is valid (tested)
    users = std::clamp<std::uint32_t>(users - users % 2, 2, 100000);
    s.description = "generated star: " + std::to_string(users) + " clients in " + std::to_string(users / 2) +
                    " pairs on the default channel plan, upstream spools of 20 to 200 km (seed " + std::to_string(seed) + ")";
    s.clients.clear();
    s.pairs.clear();
    const CounterRng rng(seed, 0x5741'5253ULL);  // stream "STAR": the spool lengths
    constexpr std::uint32_t kChannels = 10;      // the default plan: the PKU comb's 10 signal lines
    for (std::uint32_t i = 0; i < users; ++i) {
        ClientSpec c;
        c.name = "C" + std::to_string(i + 1);
        c.chip = i;
        // Spools come in whole kilometres; 20 to 200 km spans the metro-to-long-haul range planned.
        c.upstream_km = 20 + std::floor(uniform_at(rng, i) * 181);
        c.downstream_km = 1;
        s.clients.push_back(c);
    }
    for (std::uint32_t k = 0; k < users / 2; ++k)
        s.pairs.push_back(PairSpec{s.clients[2 * k].name, s.clients[2 * k + 1].name, k % kChannels + 1});
    s.schedule = Schedule::sequential;
    return s;
}

}  // namespace tfqkd::network
