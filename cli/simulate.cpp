// `tfqkd simulate`: docs/simulate.md is the manual.
//
// The link comes from the chip profiles (hardware_link.hpp). Without phase blocks one block of N
// pulses is sampled with the seed as given, so the library call
// hardware_model::sample_statistics(protocol, link, seed) reproduces the output. With
// `hardware.block_seconds` the session is cut into piecewise-stationary blocks (docs/hardware-model.md
// §2.6), each sampled with its own residual phase and a seed derived from the block index; their
// counts and ground truth add up.
#include "simulate.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

#include "base/rng.hpp"
#include "hardware_link.hpp"
#include "hardware_model/events.hpp"
#include "hardware_model/sampled.hpp"
#include "hardware_model/scenario.hpp"

namespace tfqkd::cli {
namespace {

using Json = nlohmann::ordered_json;
using hardware_model::SampledRun;

constexpr int kExitOutput = 1;
constexpr int kExitInput = 2;
// Each block costs one sampling (well under a millisecond); 10^5 blocks keep a run under a minute.
constexpr std::size_t kMaxBlocks = 100'000;
// The derived seeds of blocks come from this stream of the counter-based generator.
constexpr std::uint64_t kBlockSeedStream = 0x626c6f636b;  // "block"

int input_error(const std::string& file, const std::string& text) {
    std::fprintf(stderr, "tfqkd: %s: %s\n", file.c_str(), text.c_str());
    return kExitInput;
}

std::string library_error(const Error& e) {
    std::string path(e.message.empty() ? std::string_view("input") : e.message);
    if (!e.field.empty()) path += "." + std::string(e.field);
    return path + ": " + (e.detail.empty() ? std::string(errc_name(e.code)) : e.detail);
}

// A whole number given on the command line, in [lower, 2^53].
std::optional<std::uint64_t> parse_whole(const std::string& text, std::uint64_t lower) {
    const auto x = scenario::parse_number(text);
    if (!x || *x < static_cast<double>(lower) || *x > 9007199254740992.0 || *x != std::floor(*x)) return std::nullopt;
    return static_cast<std::uint64_t>(*x);
}

// Adds a block's counts and truth to the session's (same protocol, so the same classes in the
// same order).
void accumulate(SampledRun& total, const SampledRun& block) {
    security::CountStatistics& t = total.statistics;
    const security::CountStatistics& b = block.statistics;
    for (std::size_t i = 0; i < t.classes.size(); ++i) {
        t.classes[i].sent += b.classes[i].sent;
        t.classes[i].left += b.classes[i].left;
        t.classes[i].right += b.classes[i].right;
        t.classes[i].both += b.classes[i].both;
    }
    t.phase_matched.windows += b.phase_matched.windows;
    t.phase_matched.effective += b.phase_matched.effective;
    t.phase_matched.errors += b.phase_matched.errors;
    t.key.effective += b.key.effective;
    t.key.errors += b.key.errors;
    total.truth.untagged_alice += block.truth.untagged_alice;
    total.truth.untagged_bob += block.truth.untagged_bob;
    total.truth.phase_errors += block.truth.phase_errors;
}

const char* outcome_name(hardware_model::Outcome o) {
    switch (o) {
        case hardware_model::Outcome::left: return "left";
        case hardware_model::Outcome::right: return "right";
        case hardware_model::Outcome::both: return "both";
    }
    return "?";
}

// Streams one block's heralded slots: into the CSV (when open) with slot numbers offset to the
// session, and into the block's statistics.
Result<SampledRun> stream_block(const security::ProtocolParameters& protocol, const hardware_model::Link& link,
                                std::uint64_t seed, std::uint64_t slot_offset, std::FILE* csv, std::uint64_t& heralds) {
    auto stream = hardware_model::EventStream::create(protocol, link, seed);
    if (!stream) return stream.error();
    auto aggregator = hardware_model::EventAggregator::create(protocol, link);
    if (!aggregator) return aggregator.error();
    std::vector<hardware_model::Event> batch(4096);
    const auto photons = [](std::uint8_t n) {
        return n == hardware_model::kUnknownPhotons ? std::string() : std::to_string(n);
    };
    const auto slice = [](std::uint16_t s) { return s == hardware_model::kNoSlice ? std::string() : std::to_string(s); };
    for (std::size_t n; (n = stream->next(batch)) > 0;) {
        const std::span<const hardware_model::Event> events(batch.data(), n);
        aggregator->add(events);
        heralds += n;
        if (csv == nullptr) continue;
        for (const auto& e : events)
            std::fprintf(csv, "%llu,%u,%u,%s,%s,%s,%s,%s,%d,%d\n",
                         static_cast<unsigned long long>(slot_offset + e.slot), e.alice_setting, e.bob_setting,
                         slice(e.alice_slice).c_str(), slice(e.bob_slice).c_str(), outcome_name(e.outcome),
                         photons(e.alice_photons).c_str(), photons(e.bob_photons).c_str(), e.untagged() ? 1 : 0,
                         e.phase_error() ? 1 : 0);
    }
    return aggregator->finish(stream->unheralded());
}

Json link_json(const hardware_model::LinkBreakdown& b) {
    const hardware_model::Link& l = b.link;
    return Json{{"arm_loss_alice_db", l.arm_loss_alice_db},
                {"arm_loss_bob_db", l.arm_loss_bob_db},
                {"detector_efficiency", l.detector_efficiency},
                {"dark_count_probability", l.dark_count_probability},
                {"misalignment", l.misalignment},
                {"phase_noise_rad", l.phase_noise_rad},
                {"chip_output_loss_alice_db", b.output_loss_alice_db},
                {"chip_output_loss_bob_db", b.output_loss_bob_db},
                {"fibre_loss_alice_db", b.fibre_loss_alice_db},
                {"fibre_loss_bob_db", b.fibre_loss_bob_db},
                {"relay_insertion_loss_db", b.relay_insertion_loss_db},
                {"vacuum_floor_alice", b.vacuum_floor_alice},
                {"vacuum_floor_bob", b.vacuum_floor_bob},
                {"wavelength_nm", b.wavelength_nm}};
}

Json reference_link_json(const scenario::LinkSpec& l) {
    if (l.symmetric) return Json{{"distance_km", *l.distance_km}, {"attenuation_db_per_km", l.attenuation_db_per_km}};
    return Json{{"arm_loss_alice_db", l.arm_loss_alice_db}, {"arm_loss_bob_db", l.arm_loss_bob_db}};
}

}  // namespace

CLI::App* add_simulate_command(CLI::App& app, SimulateOptions& o) {
    CLI::App* cmd = app.add_subcommand(
        "simulate", "Sample a link of chip profiles and fibre into statistics that tfqkd keyrate certifies");
    cmd->footer("The input is a hardware scenario (JSON with \"hardware\"); docs/simulate.md describes it.\n"
                "Exit status: 0 on success, 2 for bad input, 1 when an output cannot be written.\n");
    cmd->add_option("file", o.file, "Hardware scenario JSON file")->type_name("FILE");
    cmd->add_option("--seed", o.seed, "Simulation seed, overriding the file's \"seed\" (default 1)")->type_name("SEED");
    cmd->add_option("--pulses", o.pulses, "N, overriding protocol.pulses")->type_name("N");
    cmd->add_option("--fidelity", o.fidelity,
                    "aggregated (counts sampled from the class probabilities, any N) or events (the heralded slots "
                    "one by one, then counted)")
        ->type_name("KIND");
    cmd->add_option("--events-out", o.events_out, "With --fidelity events: write every heralded slot as CSV")
        ->type_name("FILE.csv");
    cmd->add_option("-o,--out", o.out, "Write the statistics JSON here instead of standard output")->type_name("FILE");
    return cmd;
}

int run_simulate(const SimulateOptions& o) {
    const std::string& file = o.file;
    if (file.empty()) {
        std::fprintf(stderr, "tfqkd: simulate: no input file; usage: tfqkd simulate FILE [flags] (see --help)\n");
        return kExitInput;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) return input_error(file, "cannot open file");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto parsed = scenario::parse_scenario(text);
    if (const auto* e = std::get_if<scenario::InputError>(&parsed)) return input_error(file, e->to_string());
    scenario::Scenario s = std::move(std::get<scenario::Scenario>(parsed));
    if (s.kind != scenario::Kind::hardware)
        return input_error(file, "tfqkd simulate takes a hardware scenario (with \"hardware\": chip profiles and fibre); "
                                 "this file is " +
                                     std::string(s.kind == scenario::Kind::certify ? "observed statistics" : "an analytic link") +
                                     ", which tfqkd keyrate reads");

    // Flags.
    std::uint64_t seed = s.seed.value_or(1);
    if (!o.seed.empty()) {
        const auto v = parse_whole(o.seed, 0);
        if (!v) return input_error(file, "--seed: \"" + o.seed + "\" is not accepted; accepted: a whole number in [0, 2^53]");
        seed = *v;
    }
    if (!o.pulses.empty()) {
        const auto v = parse_whole(o.pulses, 1);
        if (!v) return input_error(file, "--pulses: \"" + o.pulses + "\" is not accepted; accepted: a whole number in [1, 2^53]");
        s.protocol.pulses = *v;
    }
    const bool events = o.fidelity == "events";
    if (!events && o.fidelity != "aggregated")
        return input_error(file, "--fidelity: \"" + o.fidelity + "\" is not accepted; accepted: aggregated, events");
    if (!o.events_out.empty() && !events)
        return input_error(file, "--events-out: applies to --fidelity events (the aggregated fidelity has no events)");
    if (events && s.protocol.aopp)
        return input_error(file, "--fidelity events: the event stream is the relay's output, before AOPP pairs the key "
                                 "in post-processing; simulate AOPP with --fidelity aggregated, or the stream with "
                                 "protocol.aopp false");
    if (Status st = security::validate(s.protocol); !st) return input_error(file, library_error(st.error()));
    if (Status st = security::validate(s.security); !st) return input_error(file, library_error(st.error()));

    // The link.
    auto profiles = load_hardware(s.hardware, std::filesystem::path(file).parent_path());
    if (!profiles) return input_error(file, library_error(profiles.error()));
    auto attenuation = fibre_attenuation(*profiles, s.hardware);
    if (!attenuation) return input_error(file, library_error(attenuation.error()));
    auto base = hardware_link(*profiles, s.hardware, s.hardware.fibre_alice_km, s.hardware.fibre_bob_km);
    if (!base) return input_error(file, library_error(base.error()));

    // The blocks: one stationary block, or the session cut by time.
    std::vector<hardware_model::PhaseBlock> blocks;
    std::vector<std::uint64_t> block_pulses;
    std::optional<double> clock_hz = s.clock_hz;
    if (!clock_hz && profiles->server.clock) clock_hz = profiles->server.clock->repetition_rate_hz.value;
    if (s.hardware.block_seconds) {
        if (!clock_hz)
            return input_error(file, "hardware.block_seconds: needs the pulse rate, from clock_hz or the server profile's clock");
        const double session_s = static_cast<double>(s.protocol.pulses) / *clock_hz;
        if (session_s / *s.hardware.block_seconds > static_cast<double>(kMaxBlocks))
            return input_error(file, "hardware.block_seconds: " + std::to_string(*s.hardware.block_seconds) + " s cuts the " +
                                         std::to_string(session_s) + " s session into more than " +
                                         std::to_string(kMaxBlocks) + " blocks; accepted: longer blocks");
        auto made = hardware_model::phase_blocks(profiles->server, session_s, *s.hardware.block_seconds, seed,
                                                 base->phase_conditions);
        if (!made) return input_error(file, library_error(made.error()));
        blocks = std::move(made.value());
        if (s.protocol.aopp && blocks.size() > 1)
            return input_error(file, "hardware.block_seconds: AOPP pairs the bits of the whole session, which the block-wise "
                                     "sampler cannot do; simulate AOPP without blocks");
        std::uint64_t assigned = 0;
        for (std::size_t i = 0; i < blocks.size(); ++i) {
            const std::uint64_t n = i + 1 == blocks.size()
                                        ? s.protocol.pulses - assigned
                                        : static_cast<std::uint64_t>(blocks[i].duration_s / session_s *
                                                                     static_cast<double>(s.protocol.pulses));
            block_pulses.push_back(n);
            assigned += n;
        }
    }

    std::FILE* csv = nullptr;
    if (!o.events_out.empty()) {
        csv = std::fopen(o.events_out.c_str(), "wb");
        if (csv == nullptr) {
            std::fprintf(stderr, "tfqkd: %s: cannot write the events\n", o.events_out.c_str());
            return kExitOutput;
        }
        std::fprintf(csv, "slot,alice_setting,bob_setting,alice_slice,bob_slice,outcome,alice_photons,bob_photons,"
                          "untagged,phase_error\n");
    }
    std::uint64_t heralds = 0;
    const auto run_block = [&](const security::ProtocolParameters& p, const hardware_model::Link& link, std::uint64_t block_seed,
                               std::uint64_t offset) -> Result<SampledRun> {
        if (events) return stream_block(p, link, block_seed, offset, csv, heralds);
        return hardware_model::sample_statistics(p, link, block_seed);
    };
    std::optional<SampledRun> total;
    if (blocks.empty()) {
        auto run = run_block(s.protocol, base->link, seed, 0);
        if (!run) return input_error(file, library_error(run.error()));
        total = std::move(run.value());
    } else {
        const CounterRng seeds(seed, kBlockSeedStream);
        std::uint64_t offset = 0;
        for (std::size_t i = 0; i < blocks.size(); ++i) {
            if (block_pulses[i] == 0) continue;
            security::ProtocolParameters p = s.protocol;
            p.pulses = block_pulses[i];
            auto run = run_block(p, hardware_model::link_for_block(base->link, blocks[i]), seeds.at(i), offset);
            if (!run) return input_error(file, library_error(run.error()) + " (block " + std::to_string(i) + ")");
            if (!total) total = std::move(run.value());
            else accumulate(*total, *run);
            offset += block_pulses[i];
        }
    }
    if (csv != nullptr && std::fclose(csv) != 0) {
        std::fprintf(stderr, "tfqkd: %s: cannot write the events\n", o.events_out.c_str());
        return kExitOutput;
    }

    // The statistics, in the form tfqkd keyrate certifies, with what the simulator knows beside them.
    const hardware_model::GroundTruth& truth = total->truth;
    Json simulation{{"seed", seed},
                    {"fidelity", events ? "events" : "aggregated"},
                    {"profiles", {{"alice", profiles->alice_file}, {"bob", profiles->bob_file}, {"server", profiles->server_file}}},
                    {"wafer_seed", s.hardware.wafer_seed},
                    {"alice_chip", s.hardware.alice_chip ? Json(*s.hardware.alice_chip) : Json(nullptr)},
                    {"bob_chip", s.hardware.bob_chip ? Json(*s.hardware.bob_chip) : Json(nullptr)},
                    {"link", link_json(*base)},
                    {"ground_truth",
                     {{"untagged_alice", truth.untagged_alice},
                      {"untagged_bob", truth.untagged_bob},
                      {"phase_errors", truth.phase_errors},
                      {"phase_error_rate", truth.phase_error_rate()},
                      {"s0", truth.yields.s0},
                      {"s1_alice", truth.yields.s1_alice},
                      {"s1_bob", truth.yields.s1_bob}}}};
    if (!blocks.empty()) {
        std::vector<double> residual;
        for (const auto& b : blocks) residual.push_back(b.residual_phase_rad);
        std::sort(residual.begin(), residual.end());
        simulation["blocks"] = Json{{"count", blocks.size()},
                                    {"block_seconds", *s.hardware.block_seconds},
                                    {"residual_phase_rad",
                                     {{"min", residual.front()}, {"median", residual[residual.size() / 2]}, {"max", residual.back()}}}};
    }
    if (events) {
        simulation["heralded_events"] = heralds;
        if (!o.events_out.empty()) simulation["events_file"] = o.events_out;
    }
    Json out;
    out["description"] = "simulated: " + (s.description.empty() ? file : s.description);
    out["protocol"] = scenario::protocol_json(s.protocol);
    out["security"] = scenario::security_json(s.security);
    out["counts"] = scenario::counts_json(total->statistics, s.protocol.family);
    out["reference_link"] = reference_link_json(channel_link(s.hardware, *attenuation));
    if (s.ec_efficiency_given) out["ec_efficiency"] = s.ec_efficiency;
    if (clock_hz) out["clock_hz"] = *clock_hz;
    out["simulation"] = simulation;
    const std::string document = out.dump(2) + "\n";
    if (o.out.empty()) {
        std::cout << document;
        std::cout.flush();
        return std::cout ? 0 : kExitOutput;
    }
    std::ofstream file_out(o.out, std::ios::binary);
    file_out << document;
    file_out.close();
    if (!file_out) {
        std::fprintf(stderr, "tfqkd: %s: cannot write the statistics\n", o.out.c_str());
        return kExitOutput;
    }
    std::printf("tfqkd simulate: %s: %llu pulses%s, seed %llu, %s fidelity -> %s (certify with: tfqkd keyrate %s)\n",
                file.c_str(), static_cast<unsigned long long>(s.protocol.pulses),
                blocks.empty() ? "" : (" in " + std::to_string(blocks.size()) + " phase blocks").c_str(),
                static_cast<unsigned long long>(seed), events ? "events" : "aggregated", o.out.c_str(), o.out.c_str());
    return 0;
}

}  // namespace tfqkd::cli
