// Chip profiles: every shipped profile loads, its published values are the ones REFERENCES.md
// gives and nothing else claims to be published, each kind of bad input is rejected with an error
// naming the file and the field, and wafer draws are reproducible, distinct across chips and in range.
#include "hardware_model/profile.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <numbers>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#ifndef TFQKD_PROFILES_DIR
#error "the test build defines TFQKD_PROFILES_DIR (hardware_model/tests/meson.build)"
#endif

namespace tfqkd::hardware_model {
namespace {

using nlohmann::json;

const std::filesystem::path kDir = TFQKD_PROFILES_DIR;

std::string read_text(const std::string& name) {
    std::ifstream in(kDir / name);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

json read_json(const std::string& name) { return json::parse(read_text(name)); }

// Records a failure and returns an empty profile instead of calling value() on an error.
Profile load(const std::string& name) {
    auto p = load_profile(kDir / name);
    if (!p.ok()) {
        ADD_FAILURE() << p.error().to_string();
        return Profile{};
    }
    return std::move(p.value());
}

// The detail of the error from parsing `j` as if it were the file `name`.
Error reject(const json& j, const std::string& name = "pku_server.json") {
    auto p = parse_profile(j.dump(2), name);
    EXPECT_FALSE(p.ok()) << "accepted a bad profile";
    if (p.ok()) return {};
    EXPECT_EQ(p.error().message, "profile");
    return p.error();
}

TEST(Profile, EveryShippedProfileLoadsWithItsRole) {
    const std::map<std::string, Role> shipped{{"pku_inp_client.json", Role::client},
                                              {"pku_server.json", Role::server},
                                              {"tfln_transmitter.json", Role::client},
                                              {"bench_discrete.json", Role::bench}};
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kDir)) {
        if (entry.path().extension() != ".json") continue;
        ++files;
        const std::string name = entry.path().filename().string();
        ASSERT_TRUE(shipped.count(name)) << name << " is shipped but not listed in this test";
        const Profile p = load(name);
        EXPECT_EQ(p.file, name);
        EXPECT_EQ(p.role, shipped.at(name)) << name;
        EXPECT_EQ(p.name + ".json", name);
        std::size_t parameters = 0;
        for_each_parameter(p, [&](std::string_view path, const Parameter& q) {
            ++parameters;
            EXPECT_FALSE(q.provenance.text.empty()) << name << ": " << path;
            if (q.spread) {
                EXPECT_FALSE(q.spread->provenance.text.empty()) << name << ": " << path;
            }
        });
        // client: 5 + 4 + 4 + 3 + 1; server: 4 + 5 + 3 + 6 (+ 2 for dual wavelength) + 3 + 1 fibre;
        // the bench tracks time-multiplexed.
        const std::size_t expected = name == "bench_discrete.json" ? 17 + 22 : p.role == Role::client ? 17 : 24;
        EXPECT_EQ(parameters, expected) << name;
    }
    EXPECT_EQ(files, shipped.size());
}

// The only values the profiles may call published are the ones REFERENCES.md §1 gives; each is
// checked against the number there, converted by hand to the canonical unit.
TEST(Profile, PublishedValuesAreExactlyTheOnesInTheReferences) {
    const std::map<std::string, std::map<std::string, double>> published{
        {"pku_inp_client.json", {{"laser.locked_linewidth", 60.0}, {"intensity_modulators.count", 3.0}}},
        {"pku_server.json",
         {{"frequency_reference.centre_wavelength", 1549.78},
          {"frequency_reference.fsr", 30.03e9},
          {"phase_tracking.reference_line", 0.0},
          {"phase_tracking.reference_drift", 2.871},
          {"phase_tracking.differential_drift", 0.033},
          {"phase_tracking.sampling_rate", 10e3}}},
        {"tfln_transmitter.json",
         {{"laser.free_running_linewidth", 100.0},
          {"intensity_modulators.extinction_ratio", 34.0},
          {"phase_modulators.v_pi", 2.6}}},
        {"bench_discrete.json", {}},
    };
    for (const auto& [name, values] : published) {
        const Profile p = load(name);
        std::set<std::string> seen;
        for_each_parameter(p, [&](std::string_view path, const Parameter& q) {
            if (!q.provenance.published) {
                EXPECT_NE(q.provenance.text.find_first_not_of(' '), std::string::npos);
                return;
            }
            const std::string key(path);
            seen.insert(key);
            ASSERT_TRUE(values.count(key)) << name << ": " << key << " claims a source REFERENCES.md does not give";
            EXPECT_NEAR(q.value, values.at(key), 1e-9 * std::abs(values.at(key))) << name << ": " << key;
            EXPECT_NE(q.provenance.text.find("REFERENCES.md"), std::string::npos) << name << ": " << key;
        });
        EXPECT_EQ(seen.size(), values.size()) << name;
    }
}

TEST(Profile, UnitsConvertToTheCanonicalOnes) {
    EXPECT_EQ(unit_conversion("GHz")->canonical, "Hz");
    EXPECT_DOUBLE_EQ(unit_conversion("GHz")->factor, 1e9);
    EXPECT_DOUBLE_EQ(unit_conversion("ns")->factor, 1e-9);
    EXPECT_DOUBLE_EQ(unit_conversion("%")->factor, 0.01);
    EXPECT_DOUBLE_EQ(unit_conversion("dB/m")->factor, 1000);
    EXPECT_DOUBLE_EQ(unit_conversion("rad/s")->factor, 1e-3);
    EXPECT_DOUBLE_EQ(unit_conversion("deg")->factor * 180, std::numbers::pi);
    EXPECT_FALSE(unit_conversion("furlong"));
    EXPECT_FALSE(unit_conversion("ghz")) << "units are case-sensitive (mHz is not MHz)";

    // The same server written in other units reads the same.
    json j = read_json("pku_server.json");
    j["frequency_reference"]["fsr"]["value"] = 30030;
    j["frequency_reference"]["fsr"]["unit"] = "MHz";
    j["clock"]["detection_window"]["value"] = 500;
    j["clock"]["detection_window"]["unit"] = "ps";
    j["phase_tracking"]["reference_drift"]["value"] = 2871;
    j["phase_tracking"]["reference_drift"]["unit"] = "rad/s";
    j["detectors"]["efficiency"]["value"] = 70;
    j["detectors"]["efficiency"]["unit"] = "%";
    auto p = parse_profile(j.dump(), "pku_server.json");
    ASSERT_TRUE(p.ok()) << p.error().to_string();
    EXPECT_DOUBLE_EQ(p->frequency_reference->fsr_hz.value, 30.03e9);
    EXPECT_DOUBLE_EQ(p->clock->detection_window_s.value, 0.5e-9);
    EXPECT_DOUBLE_EQ(p->phase_tracking->reference_drift_rad_per_ms.value, 2.871);
    EXPECT_DOUBLE_EQ(p->detectors->efficiency.value, 0.7);
}

// --- bad input ----------------------------------------------------------------------------------

TEST(ProfileErrors, EfficiencyAboveOne) {
    json j = read_json("pku_server.json");
    j["detectors"]["efficiency"]["value"] = 1.3;
    const Error e = reject(j);
    EXPECT_EQ(e.code, Errc::out_of_range);
    EXPECT_EQ(e.detail, "pku_server.json: detectors.efficiency.value: 1.3 is above 1; accepted: [0, 1]");
    j["detectors"]["efficiency"]["value"] = 130;
    j["detectors"]["efficiency"]["unit"] = "%";
    EXPECT_EQ(reject(j).detail,
              "pku_server.json: detectors.efficiency.value: 130 % (= 1.3) is above 1; accepted: [0, 1]");
}

TEST(ProfileErrors, NegativeLoss) {
    json j = read_json("pku_server.json");
    j["relay"]["insertion_loss"]["value"] = -1;
    Error e = reject(j);
    EXPECT_EQ(e.code, Errc::out_of_range);
    EXPECT_EQ(e.detail, "pku_server.json: relay.insertion_loss.value: -1 is below 0; accepted: [0, 100] dB");
    j = read_json("pku_server.json");
    j["fibre"]["loss"]["value"] = -0.2;
    EXPECT_EQ(reject(j).detail, "pku_server.json: fibre.loss.value: -0.2 is below 0; accepted: [0, 10] dB/km");
    json c = read_json("pku_inp_client.json");
    c["output"]["loss"]["value"] = -3;
    EXPECT_EQ(reject(c, "pku_inp_client.json").detail,
              "pku_inp_client.json: output.loss.value: -3 is below 0; accepted: [0, 100] dB");
}

TEST(ProfileErrors, MissingField) {
    json j = read_json("pku_server.json");
    j["detectors"].erase("dark_count_rate");
    Error e = reject(j);
    EXPECT_EQ(e.code, Errc::invalid_value);
    EXPECT_EQ(e.detail.rfind("pku_server.json: detectors.dark_count_rate: missing required field", 0), 0U) << e.detail;
    j = read_json("pku_server.json");
    j["detectors"]["efficiency"].erase("value");
    EXPECT_EQ(reject(j).detail.rfind("pku_server.json: detectors.efficiency.value: missing required field", 0), 0U);
    j = read_json("pku_server.json");
    j["detectors"]["efficiency"].erase("unit");
    EXPECT_EQ(reject(j).detail.rfind("pku_server.json: detectors.efficiency.unit: missing required field", 0), 0U);
    j = read_json("pku_server.json");
    j.erase("relay");
    EXPECT_EQ(reject(j).detail, "pku_server.json: relay: missing required section of a server profile");
    j = read_json("pku_server.json");
    j.erase("role");
    EXPECT_EQ(reject(j).detail.rfind("pku_server.json: role: missing required field", 0), 0U);
}

TEST(ProfileErrors, UnknownOrWrongUnit) {
    json j = read_json("pku_server.json");
    j["detectors"]["dead_time"]["unit"] = "furlong";
    Error e = reject(j);
    EXPECT_EQ(e.code, Errc::invalid_value);
    EXPECT_EQ(e.detail, "pku_server.json: detectors.dead_time.unit: unknown unit \"furlong\"; dead time takes a time: "
                        "s, ms, us, ns, ps");
    j = read_json("pku_server.json");
    j["detectors"]["efficiency"]["unit"] = "ns";
    EXPECT_EQ(reject(j).detail, "pku_server.json: detectors.efficiency.unit: \"ns\" is a time; detection efficiency "
                                "takes a fraction (dimensionless): 1, %");
}

TEST(ProfileErrors, UnknownDeviceKindOrSection) {
    json j = read_json("pku_server.json");
    j["detectors"]["kind"] = "pmt";
    Error e = reject(j);
    EXPECT_EQ(e.code, Errc::invalid_value);
    EXPECT_EQ(e.detail, "pku_server.json: detectors.kind: \"pmt\" is not a known detector kind; accepted: snspd, ingaas_spad");
    j = read_json("pku_server.json");
    j["amplifier"] = json::object();
    EXPECT_EQ(reject(j).detail.rfind("pku_server.json: amplifier: unknown device section", 0), 0U);
    j = read_json("pku_server.json");
    j["laser"] = read_json("pku_inp_client.json")["laser"];
    EXPECT_EQ(reject(j).detail, "pku_server.json: laser: is not part of a server profile");
    j = read_json("pku_server.json");
    j["detectors"]["jitter"] = j["clock"]["jitter"];
    EXPECT_EQ(reject(j).detail.rfind("pku_server.json: detectors.jitter: unknown parameter", 0), 0U);
    j = read_json("pku_server.json");
    j["role"] = "repeater";
    EXPECT_EQ(reject(j).detail, "pku_server.json: role: \"repeater\" is not a role; accepted: client, server, bench");
}

TEST(ProfileErrors, MissingOrDoubleProvenance) {
    json j = read_json("pku_server.json");
    j["phase_tracking"]["reference_drift"].erase("source");
    Error e = reject(j);
    EXPECT_EQ(e.code, Errc::invalid_value);
    EXPECT_EQ(e.detail.rfind("pku_server.json: phase_tracking.reference_drift: missing provenance", 0), 0U) << e.detail;
    j = read_json("pku_server.json");
    j["phase_tracking"]["reference_drift"]["assumption"] = "a guess";
    EXPECT_EQ(reject(j).detail.rfind("pku_server.json: phase_tracking.reference_drift: gives both", 0), 0U);
    for (const char* blank : {"  ", "\n", " \t\r\n ", "\f\v"}) {
        j = read_json("pku_server.json");
        j["clock"]["jitter"]["assumption"] = blank;
        EXPECT_EQ(reject(j).detail.rfind("pku_server.json: clock.jitter.assumption: is empty", 0), 0U) << json(blank).dump();
    }
    json c = read_json("pku_inp_client.json");
    c["output"]["loss"]["spread"].erase("assumption");
    EXPECT_EQ(reject(c, "pku_inp_client.json").detail.rfind("pku_inp_client.json: output.loss.spread: missing provenance", 0), 0U);
}

TEST(ProfileErrors, BadSpreads) {
    json c = read_json("pku_inp_client.json");
    c["output"]["loss"]["spread"]["distribution"] = "cauchy";
    EXPECT_EQ(reject(c, "c.json").detail,
              "c.json: output.loss.spread.distribution: \"cauchy\" is not a known distribution; accepted: normal, uniform");
    c = read_json("pku_inp_client.json");
    c["output"]["loss"]["spread"]["sigma"] = -0.5;
    EXPECT_EQ(reject(c, "c.json").code, Errc::out_of_range);
    EXPECT_EQ(reject(c, "c.json").detail.rfind("c.json: output.loss.spread.sigma: -0.5 is negative", 0), 0U);
    c = read_json("pku_inp_client.json");
    c["output"]["loss"]["spread"]["distribution"] = "uniform";
    EXPECT_EQ(reject(c, "c.json").detail.rfind("c.json: output.loss.spread.sigma: does not belong to a uniform spread", 0), 0U);
    c = read_json("pku_inp_client.json");
    c["intensity_modulators"]["count"]["spread"] = c["output"]["loss"]["spread"];
    EXPECT_EQ(reject(c, "c.json").detail.rfind("c.json: intensity_modulators.count.spread: a count does not vary", 0), 0U);
    c = read_json("pku_inp_client.json");
    c["intensity_modulators"]["count"]["value"] = 2.5;
    EXPECT_EQ(reject(c, "c.json").detail.rfind("c.json: intensity_modulators.count.value: 2.5 is not a whole number", 0), 0U);
}

TEST(ProfileErrors, MalformedFilesAndCrossFieldRules) {
    auto p = parse_profile("{\"format\": ", "broken.json");
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().code, Errc::parse);
    EXPECT_EQ(p.error().detail.rfind("broken.json: not valid JSON", 0), 0U);

    const std::string text = read_text("pku_server.json");
    const std::string doubled = "{\"name\": \"x\", " + text.substr(text.find('{') + 1);
    p = parse_profile(doubled, "pku_server.json");
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().detail, "pku_server.json: name: repeated key; each field may appear once in an object");

    json j = read_json("pku_server.json");
    j["format"] = "tfqkd-chip-profile/2";
    EXPECT_EQ(reject(j).detail.rfind("pku_server.json: format: \"tfqkd-chip-profile/2\" is not a format", 0), 0U);

    json c = read_json("pku_inp_client.json");
    c["laser"]["locked_linewidth"]["value"] = 5;
    c["laser"]["locked_linewidth"]["unit"] = "MHz";
    const Error e = reject(c, "pku_inp_client.json");
    EXPECT_EQ(e.code, Errc::inconsistent);
    EXPECT_EQ(e.detail.rfind("pku_inp_client.json: laser.locked_linewidth.value: 5000000 Hz exceeds", 0), 0U);

    j = read_json("pku_server.json");
    j["clock"]["detection_window"]["value"] = 2;  // ns, longer than a 1 ns slot
    EXPECT_EQ(reject(j).code, Errc::inconsistent);

    // The dual-wavelength fields: required for that kind, rejected for the other, inside the comb.
    j = read_json("pku_server.json");
    j["phase_tracking"].erase("reference_line");
    EXPECT_EQ(reject(j).detail.rfind("pku_server.json: phase_tracking.reference_line: missing required field", 0), 0U);
    j = read_json("pku_server.json");
    j["phase_tracking"]["reference_line"]["value"] = 6;
    EXPECT_EQ(reject(j).code, Errc::inconsistent);
    EXPECT_EQ(reject(j).detail, "pku_server.json: phase_tracking.reference_line.value: line 6 is outside the comb (lines -5 to 5)");
    j = read_json("pku_server.json");
    j["phase_tracking"]["reference_line"]["value"] = 1.5;
    EXPECT_EQ(reject(j).detail.rfind("pku_server.json: phase_tracking.reference_line.value: 1.5 is not a whole number", 0), 0U);
    j = read_json("pku_server.json");
    j["phase_tracking"]["kind"] = "time_multiplexed";
    EXPECT_EQ(reject(j).detail.rfind("pku_server.json: phase_tracking.reference_line: is not a parameter of a time_multiplexed", 0), 0U);
    j["phase_tracking"].erase("reference_line");
    j["phase_tracking"].erase("signal_mean_photons");
    EXPECT_EQ(reject(j).code, Errc::inconsistent) << "a differential drift without a second wavelength";
    EXPECT_EQ(reject(j).detail.rfind("pku_server.json: phase_tracking.differential_drift.value: a time-multiplexed", 0), 0U);
    j["phase_tracking"]["differential_drift"]["value"] = 0;
    EXPECT_TRUE(parse_profile(j.dump(), "pku_server.json").ok());

    j = read_json("pku_server.json");
    j["detectors"]["efficiency"]["value"] = "0.7";
    EXPECT_EQ(reject(j).detail, "pku_server.json: detectors.efficiency.value: expected a number, got the string \"0.7\"");

    auto missing = load_profile(kDir / "no_such_profile.json");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, Errc::io);
    EXPECT_EQ(missing.error().detail.rfind("no_such_profile.json: cannot open", 0), 0U);
}

// --- wafer-level variation ----------------------------------------------------------------------

std::vector<double> values_of(const Profile& p) {
    std::vector<double> v;
    for_each_parameter(p, [&](std::string_view, const Parameter& q) { v.push_back(q.value); });
    return v;
}

TEST(Wafer, DrawsAreReproducibleBySeedAndIndex) {
    const Profile wafer = load("pku_inp_client.json");
    for (std::uint64_t chip = 0; chip < 20; ++chip)
        EXPECT_EQ(values_of(draw_chip(wafer, 42, chip)), values_of(draw_chip(wafer, 42, chip)));
    EXPECT_NE(values_of(draw_chip(wafer, 42, 3)), values_of(draw_chip(wafer, 43, 3))) << "the seed matters";
}

TEST(Wafer, TwentyChipsDifferWhereTheProfileHasASpreadAndOnlyThere) {
    const Profile wafer = load("pku_inp_client.json");
    std::map<std::string, std::set<double>> seen;
    std::map<std::string, double> nominal;
    std::map<std::string, bool> spread;
    for_each_parameter(wafer, [&](std::string_view path, const Parameter& q) {
        nominal[std::string(path)] = q.value;
        spread[std::string(path)] = q.spread.has_value();
    });
    for (std::uint64_t chip = 0; chip < 20; ++chip)
        for_each_parameter(draw_chip(wafer, 7, chip), [&](std::string_view path, const Parameter& q) {
            seen[std::string(path)].insert(q.value);
            EXPECT_TRUE(q.accepts(q.value)) << path;
        });
    std::size_t varying = 0;
    for (const auto& [path, values] : seen) {
        if (spread[path]) {
            ++varying;
            EXPECT_EQ(values.size(), 20U) << path << ": 20 chips, 20 different values";
        } else {
            EXPECT_EQ(values, std::set<double>{nominal[path]}) << path << " has no spread and must not vary";
        }
    }
    EXPECT_EQ(varying, 6U);  // wavelength, IM extinction and loss, V_pi, phase error, output loss
}

TEST(Wafer, DrawsFollowTheStatedDistribution) {
    // The client profile states extinction ratio 25 dB with sigma 2 dB (normal), far from its range
    // limits, so truncation is negligible and the sample moments must match.
    const Profile wafer = load("pku_inp_client.json");
    const int n = 4000;
    double sum = 0, sum2 = 0;
    for (int chip = 0; chip < n; ++chip) {
        const double x = draw_chip(wafer, 1, static_cast<std::uint64_t>(chip)).intensity_modulators->extinction_ratio_db.value;
        sum += x;
        sum2 += x * x;
    }
    const double mean = sum / n;
    const double sd = std::sqrt(sum2 / n - mean * mean);
    EXPECT_NEAR(mean, 25.0, 4 * 2.0 / std::sqrt(n));
    EXPECT_NEAR(sd, 2.0, 0.1);
}

TEST(Wafer, TruncationKeepsEveryDrawInRange) {
    json j = read_json("pku_server.json");
    // Efficiency 0.95 with a spread of 0.2: a third of an untruncated normal would exceed 1.
    j["detectors"]["efficiency"]["value"] = 0.95;
    j["detectors"]["efficiency"]["spread"] = {{"distribution", "normal"}, {"sigma", 0.2}, {"assumption", "test"}};
    j["relay"]["insertion_loss"]["value"] = 0.1;
    j["relay"]["insertion_loss"]["spread"] = {{"distribution", "uniform"}, {"half_width", 1}, {"assumption", "test"}};
    auto p = parse_profile(j.dump(), "t.json");
    ASSERT_TRUE(p.ok()) << p.error().to_string();
    double max_eff = 0, min_loss = 1;
    int above_nominal = 0;
    for (std::uint64_t chip = 0; chip < 2000; ++chip) {
        const Profile c = draw_chip(*p, 5, chip);
        const double eff = c.detectors->efficiency.value;
        const double loss = c.relay->insertion_loss_db.value;
        ASSERT_GE(eff, 0.0);
        ASSERT_LE(eff, 1.0);
        ASSERT_GE(loss, 0.0);
        ASSERT_LE(loss, 1.1);
        max_eff = std::max(max_eff, eff);
        min_loss = std::min(min_loss, loss);
        above_nominal += eff > 0.95;
    }
    EXPECT_GT(max_eff, 0.99) << "redrawing, not clamping to the nominal value";
    EXPECT_LT(min_loss, 0.01);
    EXPECT_GT(above_nominal, 100);  // the draws still reach both sides of the nominal value
}

TEST(Wafer, DrawnChipsObeyTheCrossFieldRules) {
    // Spreads that would often break the reader's cross-field rules: a locked linewidth near the
    // free-running one, a detection window near the slot. Every chip must still be one the reader
    // accepts, and the chips must still vary (redrawn jointly, not reset to the nominal values).
    json c = read_json("pku_inp_client.json");
    c["laser"]["locked_linewidth"]["value"] = 0.9;
    c["laser"]["locked_linewidth"]["unit"] = "MHz";
    c["laser"]["locked_linewidth"]["spread"] = {{"distribution", "normal"}, {"sigma", 0.2}, {"assumption", "test"}};
    c["laser"]["free_running_linewidth"]["spread"] = {{"distribution", "normal"}, {"sigma", 0.2}, {"assumption", "test"}};
    auto client = parse_profile(c.dump(), "c.json");
    ASSERT_TRUE(client.ok()) << client.error().to_string();
    json j = read_json("pku_server.json");
    j["clock"]["detection_window"]["value"] = 0.95;
    j["clock"]["detection_window"]["spread"] = {{"distribution", "uniform"}, {"half_width", 0.1}, {"assumption", "test"}};
    auto server = parse_profile(j.dump(), "s.json");
    ASSERT_TRUE(server.ok()) << server.error().to_string();
    std::set<double> locked, windows;
    int would_break = 0;
    for (std::uint64_t chip = 0; chip < 300; ++chip) {
        const Profile a = draw_chip(*client, 8, chip);
        const Profile b = draw_chip(*server, 8, chip);
        EXPECT_EQ(cross_field_violation(a), std::nullopt) << chip;
        EXPECT_EQ(cross_field_violation(b), std::nullopt) << chip;
        EXPECT_LE(a.laser->locked_linewidth_hz.value, a.laser->free_running_linewidth_hz.value);
        EXPECT_LE(b.clock->detection_window_s.value * b.clock->repetition_rate_hz.value, 1 + 1e-12);
        locked.insert(a.laser->locked_linewidth_hz.value);
        windows.insert(b.clock->detection_window_s.value);
        would_break += b.clock->detection_window_s.value > 0.95e-9;
    }
    EXPECT_GT(locked.size(), 250U);
    EXPECT_GT(windows.size(), 250U);
    EXPECT_GT(would_break, 50) << "windows above the nominal 0.95 ns still occur, up to the 1 ns slot";
    EXPECT_EQ(cross_field_violation(*server), std::nullopt);
}

TEST(Wafer, AParameterDrawDoesNotDependOnTheOtherParameters) {
    const Profile wafer = load("pku_inp_client.json");
    Profile fewer = wafer;
    fewer.phase_modulators->v_pi_v.spread.reset();
    for (std::uint64_t chip = 0; chip < 5; ++chip)
        EXPECT_EQ(draw_chip(wafer, 9, chip).output->loss_db.value, draw_chip(fewer, 9, chip).output->loss_db.value);
}

}  // namespace
}  // namespace tfqkd::hardware_model
