// `tfqkd session`: cli/session.hpp, docs/protocol.md section 7.
#include "session.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>

#include "hardware_model/scenario.hpp"
#include "network/session.hpp"
#include "protocol/wire/abort.hpp"
#include "scenario_input.hpp"

namespace tfqkd::cli {

namespace {

using Json = nlohmann::ordered_json;
using scenario::Scenario;

constexpr int kExitKey = 0;
constexpr int kExitOutput = 1;
constexpr int kExitInput = 2;
constexpr int kExitAborted = 3;

// The embedded examples, in the scenario format of docs/keyrate.md. Their settings are
// `tfqkd keyrate --optimise` optima for the link and block shown (rounded), so each gives a key.
const std::map<std::string, std::string, std::less<>>& examples() {
    static const std::map<std::string, std::string, std::less<>> kExamples = {
        {"sns-aopp", R"json({
  "description": "SNS with AOPP over 370 km of ultra-low-loss fibre, 10^11 pulses (PKU-like devices)",
  "protocol": {"family": "sns", "aopp": true, "pulses": 1e11, "phase_slices": 16, "phase_match_slices": 0,
    "alice": [{"window": "z", "intensity": 0.5007, "probability": 0.2352},
              {"window": "z", "intensity": 0,      "probability": 0.6008},
              {"window": "x", "intensity": 0,      "probability": 0.0497},
              {"window": "x", "intensity": 0.06328, "probability": 0.1063},
              {"window": "x", "intensity": 0.521,  "probability": 0.008}]},
  "security": {"eps_cor": 1e-15, "eps_pa": 1e-10, "eps_pe": 1e-10, "eps_smooth": 1e-10, "eps_total": 1e-8},
  "link": {"distance_km": 370, "attenuation_db_per_km": 0.16},
  "detector": {"efficiency": 0.6, "dark_count_probability": 1e-8},
  "misalignment": 0.01, "phase_noise_rad": 0.1
})json"},
        {"pm", R"json({
  "description": "PM-QKD over 50 km of standard fibre, 10^9 pulses",
  "protocol": {"family": "pm", "aopp": false, "pulses": 1e9, "phase_slices": 16, "phase_match_slices": 0,
    "alice": [{"window": "z", "intensity": 0.04915, "probability": 0.6984},
              {"window": "x", "intensity": 0,       "probability": 0.0719},
              {"window": "x", "intensity": 0.02489, "probability": 0.1904},
              {"window": "x", "intensity": 0.2588,  "probability": 0.0393}]},
  "security": {"eps_cor": 1e-15, "eps_pa": 1e-10, "eps_pe": 1e-10, "eps_smooth": 1e-10, "eps_total": 1e-8},
  "link": {"distance_km": 50, "attenuation_db_per_km": 0.2},
  "detector": {"efficiency": 0.6, "dark_count_probability": 1e-8},
  "misalignment": 0.015, "phase_noise_rad": 0
})json"},
        {"cal19", R"json({
  "description": "CAL19 over 100 km of standard fibre, 10^9 pulses",
  "protocol": {"family": "cal19", "aopp": false, "pulses": 1e9, "phase_slices": 16,
    "alice": [{"window": "z", "intensity": 0.02, "probability": 0.9},
              {"window": "x", "intensity": 0,    "probability": 0.03},
              {"window": "x", "intensity": 0.1,  "probability": 0.04},
              {"window": "x", "intensity": 0.5,  "probability": 0.03}]},
  "security": {"eps_cor": 1e-15, "eps_pa": 1e-10, "eps_pe": 1e-10, "eps_smooth": 1e-10, "eps_total": 1e-8},
  "link": {"distance_km": 100, "attenuation_db_per_km": 0.2},
  "detector": {"efficiency": 0.9, "dark_count_probability": 1e-8},
  "misalignment": 0.02, "phase_noise_rad": 0.1
})json"},
    };
    return kExamples;
}

int input_error(const std::string& where, const std::string& text) {
    std::fprintf(stderr, "tfqkd session: %s: %s\n", where.c_str(), text.c_str());
    return kExitInput;
}

}  // namespace

Json failure_json(const std::optional<party::Failure>& f) {
    if (!f) return nullptr;
    return Json{{"reason", std::string(wire::reason_name(f->reason))}, {"detail", f->detail}};
}

namespace {

Json outcome_json(const network::PartyOutcome& o) {
    Json j{{"state", std::string(party::state_name(o.state))}, {"failure", failure_json(o.failure)}};
    if (o.key) {
        const pp::KeyMetadata& m = *o.key;
        j["key"] = Json{{"length_bits", m.length_bits},
                        {"pool_bits", m.pool_bits},
                        {"reconciled_bits", m.reconciled_bits},
                        {"leaked_bits", m.leaked_bits},
                        {"session_id", m.session_id},
                        {"block_id", m.block_id},
                        {"epsilon", Json{{"correctness", m.epsilon.correctness},
                                         {"secrecy", m.epsilon.secrecy},
                                         {"parameter_estimation", m.epsilon.parameter_estimation},
                                         {"authentication", m.epsilon.authentication},
                                         {"total", m.epsilon.total()}}},
                        {"sha256", o.key_sha256}};
    }
    return j;
}

Json report_json(const Scenario& s, const std::string& source, std::uint64_t seed, const network::SessionSetup& setup,
                 const network::SessionReport& r) {
    const party::PartySummary& bob = r.bob_summary;
    Json j;
    j["input"] = source;
    j["description"] = s.description;
    j["protocol"] = scenario::protocol_json(setup.protocol);
    j["security"] = scenario::security_json(setup.security);
    j["link"] = Json{{"arm_loss_alice_db", setup.link.arm_loss_alice_db},
                     {"arm_loss_bob_db", setup.link.arm_loss_bob_db},
                     {"detector_efficiency", setup.link.detector_efficiency},
                     {"dark_count_probability", setup.link.dark_count_probability},
                     {"misalignment", setup.link.misalignment},
                     {"phase_noise_rad", setup.link.phase_noise_rad}};
    j["seed"] = seed;
    j["session_id"] = r.session_id;
    j["transport"] = setup.transport == network::TransportKind::stream ? "stream" : "memory";
    j["outcome"] = r.keys_equal ? "key" : "abort";
    j["keys_equal"] = r.keys_equal;
    j["key_bits"] = r.key_bits;
    j["alice"] = outcome_json(r.alice);
    j["bob"] = outcome_json(r.bob);
    j["charlie"] = Json{{"state", std::string(party::state_name(r.charlie.state))}, {"failure", failure_json(r.charlie.failure)}};
    j["heralds"] = r.heralds;
    j["events"] = bob.events;
    j["key_events"] = bob.key_events;
    if (setup.protocol.aopp)
        j["aopp"] = Json{{"bob_zeros", bob.aopp.bob_zeros}, {"bob_ones", bob.aopp.bob_ones}, {"pairs", bob.aopp.pairs}};
    j["reconciled_bits"] = bob.reconciled_bits;
    j["disclosed_bits"] = bob.disclosed_bits;
    j["extra_leaked_bits"] = bob.extra_leaked_bits;
    j["corrected_bits"] = bob.corrected_bits;
    j["qber"] = r.qber;
    j["cascade_qber_estimate"] = r.cascade_qber_estimate;
    j["cascade_round_trips"] = bob.round_trips;
    j["certified_bits_before_error_correction"] = bob.certified_bits_before_ec;
    if (bob.certified) {
        j["certified"] = Json{{"bits", bob.certified->bits},
                              {"length", Json{{"lower", security::lo(bob.certified->length)},
                                              {"upper", security::hi(bob.certified->length)}}},
                              {"phase_error_rate_upper", security::hi(bob.certified->breakdown.phase_error_rate_upper)},
                              {"eps_total", bob.certified->breakdown.eps_total}};
    }
    if (bob.counts) j["counts"] = scenario::counts_json(*bob.counts, setup.protocol.family);
    j["frames"] = r.frames;
    j["bytes"] = r.bytes;
    j["authentication_bits_used"] = Json{{"alice", r.alice_summary.authentication_bits_used},
                                         {"bob", bob.authentication_bits_used}};
    j["transcript_sha256"] = r.transcript_sha256;
    Json stages = Json::array();
    for (const auto& st : r.stages) stages.push_back(Json{{"stage", st.stage}, {"seconds", st.seconds}});
    j["stages"] = stages;
    j["seconds"] = r.seconds;
    j["peak_rss_bytes"] = r.peak_rss_bytes;
    return j;
}

void print_text(const Scenario& s, const network::SessionSetup& setup, const network::SessionReport& r) {
    const party::PartySummary& bob = r.bob_summary;
    std::printf("\n  heralded slots    %s of %s pulses\n", grouped(r.heralds).c_str(), grouped(setup.protocol.pulses).c_str());
    std::printf("  sifted key        %s events\n", grouped(bob.key_events).c_str());
    if (setup.protocol.aopp)
        std::printf("  AOPP              %s pairs of Bob's %s zeros and %s ones\n",
                    grouped(static_cast<std::uint64_t>(bob.aopp.pairs)).c_str(),
                    grouped(static_cast<std::uint64_t>(bob.aopp.bob_zeros)).c_str(),
                    grouped(static_cast<std::uint64_t>(bob.aopp.bob_ones)).c_str());
    std::printf("  reconciled        %s bits, QBER %.3f %% (Cascade: %s bits disclosed, %s round trips)\n",
                grouped(bob.reconciled_bits).c_str(), 100 * r.qber, grouped(bob.disclosed_bits).c_str(),
                grouped(bob.round_trips).c_str());
    if (bob.certified)
        std::printf("  certified length  %s bits (phase-error rate <= %.4f, eps %.2g)\n", grouped(bob.certified->bits).c_str(),
                    security::hi(bob.certified->breakdown.phase_error_rate_upper), bob.certified->breakdown.eps_total);
    std::printf("  frames            %s (%s bytes)\n", grouped(r.frames).c_str(), grouped(r.bytes).c_str());
    std::printf("\n");
    if (r.keys_equal) {
        std::printf("  keys              equal, %s bits each, SHA-256 %s\n", grouped(r.key_bits).c_str(),
                    r.alice.key_sha256.substr(0, 16).c_str());
    } else {
        const auto say = [](const char* who, const network::PartyOutcome& o) {
            if (o.failure)
                std::printf("  %-6s            %s: %s (%s)\n", who, std::string(party::state_name(o.state)).c_str(),
                            std::string(wire::reason_name(o.failure->reason)).c_str(), o.failure->detail.c_str());
            else
                std::printf("  %-6s            %s\n", who, std::string(party::state_name(o.state)).c_str());
        };
        say("alice", r.alice);
        say("bob", r.bob);
    }
    std::printf("  transcript        SHA-256 %s\n", r.transcript_sha256.c_str());
    std::printf("  time              %.2f s, peak memory %.0f MiB\n", r.seconds,
                static_cast<double>(r.peak_rss_bytes) / (1 << 20));
    (void)s;
}

}  // namespace

std::string_view session_example(std::string_view name) {
    const auto it = examples().find(name);
    return it == examples().end() ? std::string_view() : std::string_view(it->second);
}

CLI::App* add_session_command(CLI::App& app, SessionOptions& o) {
    CLI::App* cmd = app.add_subcommand("session", "Run one TF-QKD session (Alice, Bob, Charlie) over a simulated link");
    cmd->footer("Without a file, runs an embedded example (--example). docs/protocol.md, section 7, is the manual.\n"
                "Exit status: 0 when both parties output equal keys, 3 when the session aborted (the report says "
                "why), 2 for bad input, 1 when an output cannot be written.\n");
    cmd->add_option("file", o.file, "A prediction or hardware scenario (docs/keyrate.md)")->type_name("FILE");
    cmd->add_option("--example", o.example, "Embedded scenario when no file is given: sns-aopp (default), pm, cal19")
        ->type_name("NAME");
    cmd->add_option("--distance", o.distance, "Total fibre length in km, overriding the scenario's")->type_name("KM");
    cmd->add_option("--pulses", o.pulses, "Pulses in the block, overriding the scenario's")->type_name("N");
    cmd->add_option("--seed", o.seed, "Seed of every random choice of the session (default 1)")->type_name("S");
    cmd->add_option("--transport", o.transport, "memory (one thread, default) or stream (a thread per party over sockets)")
        ->type_name("KIND");
    cmd->add_option("--report", o.report, "Write the JSON report to this file")->type_name("FILE.json");
    cmd->add_flag("--json", o.json, "Print the JSON report instead of the text");
    return cmd;
}

int run_session_command(const SessionOptions& o) {
    // The scenario: a file, or an embedded example.
    Loaded loaded;
    std::string source;
    if (!o.file.empty()) {
        auto read = load_file(o.file);
        if (const auto* e = std::get_if<std::string>(&read)) return input_error(o.file, *e);
        loaded = std::move(std::get<Loaded>(read));
        source = o.file;
    } else {
        const auto it = examples().find(o.example);
        if (it == examples().end()) return input_error("--example", "unknown example '" + o.example + "'; accepted: sns-aopp, pm, cal19");
        auto parsed = scenario::parse_scenario(it->second);
        if (const auto* e = std::get_if<scenario::InputError>(&parsed)) return input_error("--example", e->to_string());
        loaded.scenario = std::move(std::get<Scenario>(parsed));
        source = "example:" + o.example;
    }
    Scenario& s = loaded.scenario;
    if (s.kind == scenario::Kind::certify)
        return input_error(source, "a session needs a link (a prediction or hardware scenario), not observed counts");
    network::SessionSetup setup;
    setup.protocol = s.protocol;
    setup.security = s.security;
    if (!o.pulses.empty()) {
        const auto n = parse_count(o.pulses);
        if (!n) return input_error("--pulses", "'" + o.pulses + "' is not a whole number of pulses in 1..2^53");
        setup.protocol.pulses = *n;
    }
    scenario::LinkSpec link = *s.link;
    if (!o.distance.empty()) {
        const auto km = scenario::parse_number(o.distance);
        if (!km || *km < 0) return input_error("--distance", "'" + o.distance + "' is not a length in km >= 0");
        if (!link.symmetric) return input_error("--distance", "the scenario's link has two arms of their own; --distance needs a symmetric link");
        link.distance_km = *km;
    }
    if (!link.distance_km && link.symmetric) return input_error(source, "link.distance_km: missing; give it or --distance");
    auto model = model_link(s, link, loaded.hardware ? &*loaded.hardware : nullptr);
    if (!model) return input_error(source, library_error(model.error()));
    setup.link = *model;
    const auto seed = parse_count(o.seed);
    if (!seed) return input_error("--seed", "'" + o.seed + "' is not a whole number in 1..2^53");
    setup.seed = *seed;
    if (o.transport == "memory") setup.transport = network::TransportKind::in_memory;
    else if (o.transport == "stream") setup.transport = network::TransportKind::stream;
    else return input_error("--transport", "'" + o.transport + "' is not a transport; accepted: memory, stream");

    const auto t0 = std::chrono::steady_clock::now();
    if (!o.json) {
        std::printf("tfqkd session: %s\n  %s, %s pulses, seed %llu, %s transport\n", source.c_str(),
                    s.description.empty() ? std::string(security::family_name(s.protocol.family)).c_str()
                                          : s.description.c_str(),
                    grouped(setup.protocol.pulses).c_str(), static_cast<unsigned long long>(setup.seed), o.transport.c_str());
        setup.on_stage = [t0](std::string_view stage) {
            const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::printf("  [%7.2f s] %.*s\n", t, static_cast<int>(stage.size()), stage.data());
            std::fflush(stdout);
        };
    }
    auto report = network::run_session(setup);
    if (!report) return input_error(source, library_error(report.error()));
    const Json j = report_json(s, source, setup.seed, setup, *report);
    if (o.json) std::printf("%s\n", j.dump(2).c_str());
    else print_text(s, setup, *report);
    if (!o.report.empty()) {
        std::ofstream out(o.report, std::ios::binary);
        out << j.dump(2) << "\n";
        if (!out) {
            std::fprintf(stderr, "tfqkd session: %s: cannot write the report\n", o.report.c_str());
            return kExitOutput;
        }
    }
    return report->keys_equal ? kExitKey : kExitAborted;
}

}  // namespace tfqkd::cli
