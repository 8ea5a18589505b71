// The network scenario model (network/scenario.hpp, network/plan.hpp): the embedded PKU default,
// wafer draws reproducible from the seed, the channel plan from the comb, every validation rule
// naming its element, single-pair jobs, and the certified rates of the default against PLOB.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "hardware_model/profile.hpp"
#include "network/plan.hpp"
#include "network/scenario.hpp"

namespace tfqkd::network {
namespace {

// The shipped profiles of the source tree (the command searches its install directory too).
Result<hardware_model::Profile> load(const std::string& name) {
    return hardware_model::load_profile(std::filesystem::path(TFQKD_SOURCE_PROFILES_DIR) / (name + ".json"));
}

NetworkScenario default_scenario() { return std::get<NetworkScenario>(parse_network_scenario(default_scenario_text())); }

Network built(const NetworkScenario& s) {
    auto n = build_network(s, load);
    if (const auto* e = std::get_if<InputError>(&n)) ADD_FAILURE() << e->to_string();
    return std::get<Network>(std::move(n));
}

// The error of a scenario text changed by `edit`, from parsing or else from building.
InputError error_of(const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json j = nlohmann::json::parse(default_scenario_text());
    edit(j);
    auto parsed = parse_network_scenario(j.dump());
    if (auto* e = std::get_if<InputError>(&parsed)) return *e;
    auto n = build_network(std::get<NetworkScenario>(parsed), load);
    if (auto* e = std::get_if<InputError>(&n)) return *e;
    ADD_FAILURE() << "accepted";
    return {};
}

TEST(NetworkScenario, DefaultFollowsThePkuLayout) {
    const NetworkScenario s = default_scenario();
    ASSERT_EQ(s.clients.size(), 20U);
    ASSERT_EQ(s.pairs.size(), 10U);
    EXPECT_EQ(s.schedule, Schedule::sequential);
    std::set<std::uint32_t> channels;
    for (std::size_t i = 0; i < s.pairs.size(); ++i) {
        channels.insert(s.pairs[i].channel);
        const auto& a = *std::find_if(s.clients.begin(), s.clients.end(), [&](const ClientSpec& c) { return c.name == s.pairs[i].alice; });
        const auto& b = *std::find_if(s.clients.begin(), s.clients.end(), [&](const ClientSpec& c) { return c.name == s.pairs[i].bob; });
        EXPECT_EQ(a.upstream_km + b.upstream_km, 370.0) << "pair " << i + 1;
        // Pair 5 (A5/B5) is the one with 60 + 60 km downstream; the others are short.
        EXPECT_EQ(a.downstream_km, i == 4 ? 60.0 : 1.0) << "pair " << i + 1;
        EXPECT_EQ(b.downstream_km, i == 4 ? 60.0 : 1.0) << "pair " << i + 1;
    }
    EXPECT_EQ(channels.size(), 10U);  // one channel per pair
}

TEST(NetworkScenario, WrittenFormReadsBackEqual) {
    const NetworkScenario s = default_scenario();
    auto again = parse_network_scenario(network_scenario_json(s).dump());
    ASSERT_TRUE(std::holds_alternative<NetworkScenario>(again)) << std::get<InputError>(again).to_string();
    const NetworkScenario& t = std::get<NetworkScenario>(again);
    EXPECT_EQ(t.protocol, s.protocol);
    EXPECT_EQ(t.security, s.security);
    EXPECT_EQ(t.session_pulses, s.session_pulses);
    ASSERT_EQ(t.clients.size(), s.clients.size());
    EXPECT_EQ(t.clients[8].downstream_km, 60.0);
    EXPECT_EQ(t.pairs[9].bob, "B10");
}

TEST(NetworkPlan, ChannelPlanIsTheCombWithoutItsReference) {
    const Network n = built(default_scenario());
    // The PKU server profile models 11 comb lines, -5..5, the reference on line 0 (lambda0).
    ASSERT_EQ(n.channels.size(), 10U);
    for (std::size_t i = 0; i < n.channels.size(); ++i) {
        EXPECT_EQ(n.channels[i].number, i + 1);
        EXPECT_NE(n.channels[i].comb_line, 0);
        // Neighbours one FSR apart, except across the reference line (between channels 5 and 6).
        if (i > 0) {
            EXPECT_NEAR(n.channels[i].frequency_hz - n.channels[i - 1].frequency_hz, i == 5 ? 2 * 30.03e9 : 30.03e9, 1e3);
        }
    }
    EXPECT_EQ(n.channels.front().comb_line, -5);
    EXPECT_EQ(n.channels.back().comb_line, 5);
    // Higher frequency, shorter wavelength: line -5 lies 150 GHz below lambda0 = 1549.78 nm, about 1.2 nm longer.
    EXPECT_NEAR(n.channels.front().wavelength_nm, 1549.78 + 1.2, 0.05);
}

TEST(NetworkPlan, WaferDrawsAreReproducibleFromTheSeed) {
    const NetworkScenario s = default_scenario();
    const Network a = built(s);
    const Network b = built(s);
    NetworkScenario other = s;
    other.wafer.seed = s.wafer.seed + 1;
    const Network c = built(other);
    ASSERT_EQ(a.chips.size(), 20U);
    std::set<double> extinction;
    unsigned differ = 0;
    for (std::size_t i = 0; i < a.chips.size(); ++i) {
        const double er = a.chips[i].profile.intensity_modulators->extinction_ratio_db.value;
        EXPECT_EQ(er, b.chips[i].profile.intensity_modulators->extinction_ratio_db.value);
        EXPECT_EQ(a.chips[i].intensity_working, b.chips[i].intensity_working);
        EXPECT_EQ(a.chips[i].phase_working, b.chips[i].phase_working);
        differ += er != c.chips[i].profile.intensity_modulators->extinction_ratio_db.value;
        extinction.insert(er);
    }
    EXPECT_EQ(extinction.size(), 20U);  // every die its own draw
    EXPECT_EQ(differ, 20U);             // another wafer, other chips
    // The same die gives the same chip wherever it sits in the file (what single-pair jobs rely on).
    const Network job = built(single_pair(s, 4));
    EXPECT_EQ(job.chips[0].profile.output->loss_db.value, a.chips[8].profile.output->loss_db.value);
    // And the job's only pair runs the session the whole network runs for pair 5: same seed, same link.
    const auto in_job = pair_session_setup(job, 0, 1'000'000'000ULL);
    const auto in_network = pair_session_setup(a, 4, 1'000'000'000ULL);
    ASSERT_TRUE(in_job.ok() && in_network.ok());
    EXPECT_EQ(in_job->seed, in_network->seed);
    EXPECT_EQ(in_job->link.arm_loss_alice_db, in_network->link.arm_loss_alice_db);
    EXPECT_EQ(in_job->link.phase_noise_rad, in_network->link.phase_noise_rad);
    EXPECT_EQ(in_job->protocol, in_network->protocol);
}

TEST(NetworkPlan, ModulatorYieldDecidesWorkingModulators) {
    NetworkScenario s = default_scenario();
    unsigned working = 0, total = 0;
    for (const auto& c : built(s).chips) {
        working += c.intensity_working + c.phase_working;
        total += c.intensity_modulators + c.phase_modulators;
    }
    EXPECT_EQ(total, 120U);  // 20 chips of 3 IMs and 3 PMs, as in the paper's count
    // 97.5 %: about 117 of 120; a binomial beyond 110..120 would be a 4-sigma event.
    EXPECT_GE(working, 110U);
    s.wafer.modulator_yield = 0;
    const Network dead = built(s);
    for (const auto& c : dead.chips) EXPECT_FALSE(c.usable());
    for (const auto& p : dead.pairs) {
        EXPECT_FALSE(p.link.has_value());
        EXPECT_NE(p.unusable.find("no working"), std::string::npos) << p.unusable;
        EXPECT_FALSE(certify_pair(dead, p, s.protocol.pulses).ok());
    }
}

TEST(NetworkPlan, EveryDefaultPairBeatsPlobAndSessionsGetTheirOwnBlock) {
    const Network n = built(default_scenario());
    const auto rates = certify_pairs(n, 2);
    ASSERT_EQ(rates.size(), 10U);
    for (std::size_t i = 0; i < rates.size(); ++i) {
        ASSERT_TRUE(rates[i].ok()) << rates[i].error().to_string();
        EXPECT_GT(rates[i]->key.bits, 0U);
        EXPECT_GT(rates[i]->ratio_to_plob, 1.0) << n.pairs[i].name;
        EXPECT_DOUBLE_EQ(rates[i]->ratio_to_plob, rates[i]->rate_per_pulse / n.pairs[i].plob_per_pulse);
    }
    // The threads change nothing: one thread gives the same certified lengths.
    const auto serial = certify_pairs(n, 1);
    for (std::size_t i = 0; i < rates.size(); ++i) EXPECT_EQ(serial[i]->key.bits, rates[i]->key.bits);
    auto setup = pair_session_setup(n, 4, 1'000'000'000ULL);
    ASSERT_TRUE(setup.ok());
    EXPECT_EQ(setup->protocol.pulses, 1'000'000'000ULL);
    EXPECT_EQ(setup->seed, n.scenario.seed + 4);
    EXPECT_EQ(setup->link.arm_loss_alice_db, n.pairs[4].link->link.arm_loss_alice_db);
}

TEST(NetworkScenario, StarForPlanning) {
    const NetworkScenario s = star_scenario(200, 7);
    ASSERT_EQ(s.clients.size(), 200U);
    ASSERT_EQ(s.pairs.size(), 100U);
    for (const auto& c : s.clients) {
        EXPECT_GE(c.upstream_km, 20);
        EXPECT_LE(c.upstream_km, 200);
    }
    EXPECT_EQ(star_scenario(200, 7).clients[17].upstream_km, s.clients[17].upstream_km);
    // Its written form is a valid scenario (many pairs share a channel: sequential).
    EXPECT_TRUE(std::holds_alternative<NetworkScenario>(parse_network_scenario(network_scenario_json(s).dump())));
    EXPECT_EQ(built(s).pairs.size(), 100U);
}

TEST(NetworkScenario, BadInputNamesTheElement) {
    struct Case {
        const char* what;
        std::function<void(nlohmann::json&)> edit;
        const char* path;
        const char* says;
    };
    const Case cases[] = {
        {"unknown chip", [](auto& j) { j["clients"][3]["chip_profile"] = "no_such_chip"; }, "clients[3].chip_profile", "unknown chip"},
        {"unknown wafer chip", [](auto& j) { j["wafer"]["chip_profile"] = "nope"; }, "wafer.chip_profile", "unknown chip"},
        {"missing channel", [](auto& j) { j["pairs"][2]["channel"] = 12; }, "pairs[2].channel", "no channel 12"},
        {"negative length", [](auto& j) { j["clients"][5]["upstream_km"] = -1; }, "clients[5].upstream_km", "out of range"},
        {"negative downstream", [](auto& j) { j["clients"][0]["downstream_km"] = -0.5; }, "clients[0].downstream_km", "km >= 0"},
        {"client twice on a channel",
         [](auto& j) { j["pairs"].push_back({{"alice", "A1"}, {"bob", "B2"}, {"channel", 1}}); }, "pairs[10].alice",
         "already in a pair on channel 1"},
        {"unknown client", [](auto& j) { j["pairs"][0]["bob"] = "Z9"; }, "pairs[0].bob", "no client named"},
        {"same client twice in a pair", [](auto& j) { j["pairs"][0]["bob"] = "A1"; }, "pairs[0].bob", "two different clients"},
        {"duplicate name", [](auto& j) { j["clients"][1]["name"] = "A1"; }, "clients[1].name", "defined twice"},
        {"comb line outside", [](auto& j) { j["server"]["channels"] = {{{"channel", 1}, {"comb_line", 9}}}; },
         "server.channels[0].comb_line", "not a line of the comb"},
        {"reference line", [](auto& j) { j["server"]["channels"] = {{{"channel", 1}, {"comb_line", 0}}}; },
         "server.channels[0].comb_line", "phase reference"},
        {"downstream too long", [](auto& j) { j["clients"][7]["downstream_km"] = 150; }, "clients[7].downstream_km", "budget"},
        {"concurrent channel reuse",
         [](auto& j) {
             j["schedule"] = "concurrent";
             j["pairs"][1]["channel"] = 1;
         },
         "pairs[1].channel", "concurrent"},
        {"unknown field", [](auto& j) { j["clients"][0]["colour"] = "red"; }, "clients[0].colour", "unknown field"},
        {"bad schedule", [](auto& j) { j["schedule"] = "whenever"; }, "schedule", "sequential"},
        {"session longer than block", [](auto& j) { j["session_pulses"] = 1e13; }, "session_pulses", "1..protocol.pulses"},
        {"protocol error", [](auto& j) { j["protocol"]["alice"][0]["probability"] = 2; }, "protocol.alice[0].probability", ""},
        {"no pairs", [](auto& j) { j["pairs"] = nlohmann::json::array(); }, "pairs", "at least one"},
        {"server as chip", [](auto& j) { j["wafer"]["chip_profile"] = "pku_server"; }, "wafer.chip_profile", "is a server"},
    };
    for (const Case& c : cases) {
        const InputError e = error_of(c.edit);
        EXPECT_EQ(e.path, c.path) << c.what << ": " << e.to_string();
        EXPECT_NE(e.message.find(c.says), std::string::npos) << c.what << ": " << e.to_string();
    }
    // Not JSON, and a repeated key, are named like the keyrate reader names them.
    EXPECT_NE(std::get<InputError>(parse_network_scenario("{")).message.find("not valid JSON"), std::string::npos);
    EXPECT_EQ(std::get<InputError>(parse_network_scenario(R"({"format": "tfqkd-network/1", "format": 1})")).path, "format");
}

}  // namespace
}  // namespace tfqkd::network
