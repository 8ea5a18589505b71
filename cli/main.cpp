// The tfqkd command. Subcommands:
//   transcript   encode a sample session's frames, decode them back and print them
//   wire decode  decode a file of frames (binary or hex), print each as JSON, name the first error
//   keyrate      certified SNS key rates: predict an experiment or certify its statistics (keyrate.hpp)
//   simulate     sample a link of chip profiles into statistics keyrate certifies (simulate.hpp)
//   session      run Alice, Bob and Charlie over a simulated link to equal keys or an abort (session.hpp)
//   network      the chip network, the main job: every pair's session and certified rate (network.hpp)
//   conformance  the conformance suite against a vendor library behind the C ABI (conformance.hpp)
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "conformance.hpp"
#include "keyrate.hpp"
#include "network.hpp"
#include "simulate.hpp"
#include "protocol/wire/frame.hpp"
#include "protocol/wire/json.hpp"
#include "sample_transcript.hpp"
#include "session.hpp"

namespace {

using namespace tfqkd;
using namespace tfqkd::wire;

struct TranscriptOptions {
    std::uint64_t seed = 1;
    std::uint64_t pulses = 10'000'000;
    std::string out;
    bool json = false;
};

std::string summary(const Message& m) {
    return std::visit(
        [](const auto& msg) -> std::string {
            using M = std::decay_t<decltype(msg)>;
            if constexpr (std::is_same_v<M, DetectionReport>)
                return std::to_string(msg.slots.size()) + " heralded events in " + std::to_string(msg.slot_count) + " slots";
            else if constexpr (std::is_same_v<M, SiftingAnnouncement>)
                return std::to_string(msg.windows.size()) + " windows, " + std::to_string(msg.windows.popcount()) + " in X";
            else if constexpr (std::is_same_v<M, DecoyAnnouncement>)
                return std::to_string(msg.entries.size()) + " decoy entries";
            else if constexpr (std::is_same_v<M, EstimationDisclosure>)
                return std::to_string(msg.indices.size()) + " bits disclosed";
            else if constexpr (std::is_same_v<M, AoppPairing>)
                return std::to_string(msg.pairs.size()) + " pairs";
            else if constexpr (std::is_same_v<M, AoppParity>)
                return std::to_string(msg.parities.popcount()) + " of " + std::to_string(msg.parities.size()) + " pairs odd";
            else if constexpr (std::is_same_v<M, CascadeParityQuery>)
                return std::to_string(msg.ranges.size()) + " ranges, pass " + std::to_string(msg.pass);
            else if constexpr (std::is_same_v<M, PrivacyAmplification>)
                return std::to_string(msg.input_bits) + " -> " + std::to_string(msg.output_bits) + " bits";
            else if constexpr (std::is_same_v<M, PhaseReferenceReport>)
                return std::to_string(msg.phases.size()) + " phase samples";
            else if constexpr (std::is_same_v<M, Abort>)
                return "reason " + std::to_string(static_cast<int>(msg.reason)) + ": " + msg.detail;
            else
                return "block " + std::to_string(msg.block_id);
        },
        m);
}

int run_transcript(const TranscriptOptions& opt) {
    const auto start = std::chrono::steady_clock::now();
    const auto frames = cli::sample_transcript(opt.seed, opt.pulses);
    Bytes stream;
    std::size_t index = 0;
    if (!opt.json)
        std::printf("sample SNS-AOPP block, seed %llu, %llu pulses: encode -> decode -> compare\n\n"
                    "  #  %-24s %-16s %9s  %s\n",
                    static_cast<unsigned long long>(opt.seed), static_cast<unsigned long long>(opt.pulses),
                    "message", "route", "bytes", "content");
    for (const auto& f : frames) {
        Result<Bytes> bytes = encode_frame_message(f.header, f.message);
        if (!bytes) {
            std::fprintf(stderr, "tfqkd: encoding frame %zu failed: %s\n", index, bytes.error().to_string().c_str());
            return 1;
        }
        Result<DecodedFrame> back = decode_frame_message(*bytes);
        if (!back || !(back->message == f.message)) {
            std::fprintf(stderr, "tfqkd: frame %zu did not decode to what was encoded: %s\n", index,
                         back ? "different message" : back.error().to_string().c_str());
            return 1;
        }
        if (opt.json) {
            nlohmann::json line = to_json(back->frame);
            line.erase("payload");
            line["message"] = to_json(back->message);
            std::cout << line.dump() << '\n';
        } else {
            const std::string route = std::string(role_name(f.header.sender)) + "->" + std::string(role_name(f.header.receiver));
            std::printf("%3zu  %-24s %-16s %9zu  %s\n", index, std::string(message_type_name(f.header.type)).c_str(),
                        route.c_str(), bytes->size(), summary(back->message).c_str());
        }
        stream.insert(stream.end(), bytes->begin(), bytes->end());
        ++index;
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!opt.json)
        std::printf("\n%zu frames, %zu bytes, every frame decoded back to the message it encodes (%.1f ms)\n",
                    frames.size(), stream.size(), ms);
    if (!opt.out.empty()) {
        std::ofstream out(opt.out, std::ios::binary);
        out.write(reinterpret_cast<const char*>(stream.data()), static_cast<std::streamsize>(stream.size()));
        if (!out) {
            std::fprintf(stderr, "tfqkd: cannot write %s\n", opt.out.c_str());
            return 1;
        }
        if (!opt.json) std::printf("frames written to %s (decode with: tfqkd wire decode %s)\n", opt.out.c_str(), opt.out.c_str());
    }
    return 0;
}

// Reads frames one after another from `data`; prints each as a JSON line; stops at the first error.
int run_decode(const std::string& path, bool hex) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "tfqkd: %s: cannot open file\n", path.c_str());
        return 2;
    }
    std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Bytes data;
    if (hex) {
        std::string digits;
        for (char c : raw)
            if (!std::isspace(static_cast<unsigned char>(c))) digits.push_back(c);
        Result<Bytes> parsed = from_hex(digits, "hex input");
        if (!parsed) {
            std::fprintf(stderr, "tfqkd: %s: %s\n", path.c_str(), parsed.error().to_string().c_str());
            return 2;
        }
        data = std::move(parsed.value());
    } else {
        data.assign(raw.begin(), raw.end());
    }
    std::size_t offset = 0;
    std::size_t count = 0;
    while (offset < data.size()) {
        const ByteSpan rest = ByteSpan(data).subspan(offset);
        Result<std::size_t> size = frame_size(rest);
        Result<DecodedFrame> frame = size ? decode_frame_message(rest.first(std::min(*size, rest.size())))
                                          : Result<DecodedFrame>(size.error());
        if (!frame) {
            std::fprintf(stderr, "tfqkd: %s: frame %zu at byte %zu: %s\n", path.c_str(), count, offset,
                         frame.error().to_string().c_str());
            return 1;
        }
        nlohmann::json line = to_json(frame->frame);
        line["message"] = to_json(frame->message);
        line["message_type"] = message_type_name(frame->frame.header.type);
        std::cout << line.dump() << '\n';
        offset += *size;
        ++count;
    }
    std::fprintf(stderr, "tfqkd: %s: %zu frames decoded\n", path.c_str(), count);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"tfqkd: reference implementation and test harness for twin-field QKD"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("tfqkd 0.1.0, wire format version ") + std::to_string(kVersion));

    TranscriptOptions topt;
    CLI::App* transcript = app.add_subcommand("transcript", "Encode a sample session's frames, decode them and print them");
    transcript->add_option("--seed", topt.seed, "Seed of the sample block")->capture_default_str();
    transcript->add_option("--pulses", topt.pulses, "Pulses in the block")
        ->check(CLI::Range(std::uint64_t{100'000}, kMaxSlot))
        ->capture_default_str();
    transcript->add_option("--out", topt.out, "Write the frames, back to back, to this file");
    transcript->add_flag("--json", topt.json, "Print each frame as a JSON line");

    CLI::App* wire_cmd = app.add_subcommand("wire", "Work with the wire format");
    wire_cmd->require_subcommand(1);
    std::string decode_path;
    bool decode_hex = false;
    CLI::App* decode = wire_cmd->add_subcommand("decode", "Decode a file of frames and print each as JSON");
    decode->add_option("file", decode_path, "File of frames back to back")->required()->check(CLI::ExistingFile);
    decode->add_flag("--hex", decode_hex, "The file holds hex text (white space ignored)");

    cli::KeyrateOptions kopt;
    CLI::App* keyrate = cli::add_keyrate_command(app, kopt);
    cli::SimulateOptions sopt;
    CLI::App* simulate = cli::add_simulate_command(app, sopt);
    cli::SessionOptions session_opt;
    CLI::App* session = cli::add_session_command(app, session_opt);
    cli::NetworkOptions network_opt;
    CLI::App* network = cli::add_network_command(app, network_opt);
    cli::ConformanceOptions conformance_opt;
    CLI::App* conformance = cli::add_conformance_command(app, conformance_opt);

    CLI11_PARSE(app, argc, argv);
    if (*transcript) return run_transcript(topt);
    if (*decode) return run_decode(decode_path, decode_hex);
    if (*keyrate) return cli::run_keyrate(kopt);
    if (*simulate) return cli::run_simulate(sopt);
    if (*session) return cli::run_session_command(session_opt);
    if (*network) return cli::run_network_command(network_opt);
    if (*conformance) return cli::run_conformance(conformance_opt);
    return 0;
}
