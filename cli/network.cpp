// `tfqkd network`: cli/network.hpp, docs/network.md.
#include "network.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <thread>

#include "hardware_link.hpp"
#include "keyrate_plot.hpp"
#include "network/plan.hpp"
#include "network/scenario.hpp"
#include "network/session.hpp"
#include "protocol/wire/abort.hpp"
#include "scenario_input.hpp"
#include "security/bounds.hpp"
#include "security/interval.hpp"
#include "session.hpp"

namespace tfqkd::cli {

namespace {

using Json = nlohmann::ordered_json;
namespace net = tfqkd::network;

constexpr int kExitOk = 0;
constexpr int kExitOutput = 1;
constexpr int kExitInput = 2;
constexpr int kExitAborted = 3;

int input_error(const std::string& where, const std::string& text) {
    std::fprintf(stderr, "tfqkd network: %s: %s\n", where.c_str(), text.c_str());
    return kExitInput;
}

int output_error(const std::string& file, const std::string& what) {
    std::fprintf(stderr, "tfqkd network: %s: cannot write %s\n", file.c_str(), what.c_str());
    return kExitOutput;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The progress display on stderr: on a terminal one line rewritten in place for the running stage,
// and a line per finished pair everywhere (so a log shows the run too).
class Progress {
public:
    explicit Progress(bool enabled) : enabled_(enabled), tty_(enabled && isatty(STDERR_FILENO) != 0) {}
    void stage(const std::string& text) {
        if (!tty_) return;
        const std::lock_guard lock(mutex_);
        std::fprintf(stderr, "\r\033[K  [%7.2f s] %s", seconds_since(t0_), text.c_str());
        std::fflush(stderr);
    }
    void line(const std::string& text) {
        if (!enabled_) return;
        const std::lock_guard lock(mutex_);
        std::fprintf(stderr, "%s  [%7.2f s] %s\n", tty_ ? "\r\033[K" : "", seconds_since(t0_), text.c_str());
        std::fflush(stderr);
    }
    double elapsed() const { return seconds_since(t0_); }

private:
    bool enabled_;
    bool tty_;
    std::mutex mutex_;
    std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

std::string format(const char* fmt, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

// "+131 %" for a ratio of 2.31 to PLOB: how the paper states its margins.
std::string above_plob(double ratio) { return format("%+.1f %%", 100 * (ratio - 1)); }

// "10^12", "3×10^11": a block size as a person writes it; other counts grouped by threes.
std::string pulses_text(std::uint64_t n) {
    const int exponent = static_cast<int>(std::floor(std::log10(static_cast<double>(n))));
    const double mantissa = static_cast<double>(n) / std::pow(10.0, exponent);
    if (exponent >= 6 && std::abs(mantissa - std::round(mantissa)) < 1e-9) {
        const std::string power = "10^" + std::to_string(exponent);
        return std::round(mantissa) == 1 ? power : format("%.0f", mantissa) + "\u00d7" + power;
    }
    return grouped(n);
}

std::string family_text(const security::ProtocolParameters& p) {
    switch (p.family) {
        case security::Family::pm: return "PM-QKD";
        case security::Family::cal19: return "CAL19";
        case security::Family::mode_pairing: return "mode pairing";
        case security::Family::sns: break;
    }
    return p.aopp ? "SNS with AOPP" : "SNS";
}

// --- the scenario ----------------------------------------------------------------------------------

struct Input {
    net::NetworkScenario scenario;
    std::string source;                    // for messages and the report: a file, "default", "star:N"
    std::filesystem::path directory;       // profile paths are relative to it
};

std::variant<Input, int> read_input(const NetworkOptions& o) {
    Input in;
    if (!o.file.empty() && !o.star.empty()) return input_error("--star", "give a scenario file or --star, not both");
    std::variant<net::NetworkScenario, net::InputError> parsed;
    if (!o.file.empty()) {
        std::ifstream file(o.file, std::ios::binary);
        if (!file) return input_error(o.file, "cannot open file");
        const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        parsed = net::parse_network_scenario(text);
        in.source = o.file;
        in.directory = std::filesystem::path(o.file).parent_path();
    } else if (!o.star.empty()) {
        const auto users = parse_count(o.star);
        if (!users || *users < 2 || *users > 100000 || *users % 2 != 0)
            return input_error("--star", "'" + o.star + "' is not an even number of users in 2..100000");
        const auto seed = parse_count(o.star_seed);
        if (!seed) return input_error("--star-seed", "'" + o.star_seed + "' is not a whole number in 1..2^53");
        parsed = net::star_scenario(static_cast<std::uint32_t>(*users), *seed);
        in.source = "star:" + o.star;
    } else {
        parsed = net::parse_network_scenario(net::default_scenario_text());
        in.source = "default";
    }
    if (const auto* e = std::get_if<net::InputError>(&parsed)) return input_error(in.source, e->to_string());
    in.scenario = std::move(std::get<net::NetworkScenario>(parsed));
    net::NetworkScenario& s = in.scenario;
    if (!o.pulses.empty()) {
        const auto n = parse_count(o.pulses);
        if (!n) return input_error("--pulses", "'" + o.pulses + "' is not a whole number of pulses in 1..2^53");
        s.protocol.pulses = *n;
        s.session_pulses = std::min(s.session_pulses, *n);
    }
    if (!o.session_pulses.empty()) {
        const auto n = parse_count(o.session_pulses);
        if (!n || *n > s.protocol.pulses)
            return input_error("--session-pulses", "'" + o.session_pulses + "' is not a whole number of pulses in 1.." +
                                                       std::to_string(s.protocol.pulses) + " (the full block)");
        s.session_pulses = *n;
    }
    return in;
}

// --- what was computed ---------------------------------------------------------------------------

struct PairResult {
    std::optional<net::PairRate> rate;  // at the full block
    std::string rate_error;
    std::optional<net::SessionSetup> setup;  // run mode
    std::optional<net::SessionReport> session;
    std::string session_error;  // a setup or runner error (the pair counts as aborted)
    bool session_ok() const { return session && session->keys_equal; }
};

Json settings_json(const std::vector<security::Setting>& settings) {
    Json out = Json::array();
    for (const auto& st : settings)
        out.push_back(Json{{"window", st.window == security::Window::z ? "z" : "x"}, {"intensity", st.intensity},
                           {"probability", st.probability}});
    return out;
}

Json session_json(const PairResult& r, std::uint64_t pulses) {
    if (!r.session && r.session_error.empty()) return nullptr;  // plan mode
    Json j{{"pulses", pulses}};
    if (!r.session) {
        j["outcome"] = "error";
        j["error"] = r.session_error;
        return j;
    }
    const net::SessionReport& s = *r.session;
    j["seed"] = r.setup->seed;
    j["outcome"] = s.keys_equal ? "key" : "abort";
    j["keys_equal"] = s.keys_equal;
    j["key_bits"] = s.key_bits;
    j["key_sha256"] = s.keys_equal ? Json(s.alice.key_sha256) : Json(nullptr);
    j["alice_failure"] = failure_json(s.alice.failure);
    j["bob_failure"] = failure_json(s.bob.failure);
    j["heralds"] = s.heralds;
    j["reconciled_bits"] = s.bob_summary.reconciled_bits;
    j["qber"] = s.qber;
    j["certified_bits"] = s.bob_summary.certified ? Json(s.bob_summary.certified->bits) : Json(nullptr);
    j["settings"] = settings_json(r.setup->protocol.alice);
    j["frames"] = s.frames;
    j["bytes"] = s.bytes;
    j["transcript_sha256"] = s.transcript_sha256;
    j["seconds"] = s.seconds;
    return j;
}

struct Summary {
    std::size_t pairs = 0, certified = 0, above_plob = 0, sessions_with_key = 0, sessions_run = 0;
    double min_ratio = 0, max_ratio = 0;
    double total_km = 0;
    double rate_sum = 0;  // bits per pulse, summed over pairs
};

Summary summarise(const net::Network& n, const std::vector<PairResult>& results) {
    Summary s;
    s.pairs = n.pairs.size();
    bool first = true;
    for (std::size_t i = 0; i < results.size(); ++i) {
        s.total_km += n.pairs[i].upstream_km;
        if (results[i].session || !results[i].session_error.empty()) ++s.sessions_run;
        if (results[i].session_ok()) ++s.sessions_with_key;
        if (!results[i].rate || results[i].rate->key.bits == 0) continue;
        const double r = results[i].rate->ratio_to_plob;
        ++s.certified;
        s.above_plob += r > 1;
        s.rate_sum += results[i].rate->rate_per_pulse;
        s.min_ratio = first ? r : std::min(s.min_ratio, r);
        s.max_ratio = first ? r : std::max(s.max_ratio, r);
        first = false;
    }
    return s;
}

Json report_json(const Input& in, const net::Network& n, const std::vector<PairResult>& results, bool plan, double seconds,
                 unsigned threads) {
    const net::NetworkScenario& s = n.scenario;
    Json j;
    j["format"] = "tfqkd-network-report/1";
    j["input"] = in.source;
    j["description"] = s.description;
    j["mode"] = plan ? "plan" : "run";
    j["schedule"] = std::string(net::schedule_name(s.schedule));
    j["protocol"] = family_text(s.protocol);
    j["pulses"] = s.protocol.pulses;
    j["session_pulses"] = plan ? Json(nullptr) : Json(s.session_pulses);
    j["attenuation_db_per_km"] = n.attenuation_db_per_km;
    j["server"] = Json{{"profile", n.server.name}, {"file", n.server.file}};
    Json channels = Json::array();
    for (const auto& c : n.channels)
        channels.push_back(Json{{"channel", c.number}, {"comb_line", c.comb_line}, {"frequency_hz", c.frequency_hz},
                                {"wavelength_nm", c.wavelength_nm}});
    j["channels"] = channels;
    Json chips = Json::array();
    unsigned modulators = 0, working = 0;
    for (std::size_t i = 0; i < n.chips.size(); ++i) {
        const net::DrawnChip& c = n.chips[i];
        modulators += c.intensity_modulators + c.phase_modulators;
        working += c.intensity_working + c.phase_working;
        Json chip{{"client", c.client},
                  {"profile", c.profile.name},
                  {"die", c.index},
                  {"upstream_km", s.clients[i].upstream_km},
                  {"downstream_km", s.clients[i].downstream_km},
                  {"intensity_modulators", c.intensity_modulators},
                  {"intensity_modulators_working", c.intensity_working},
                  {"phase_modulators", c.phase_modulators},
                  {"phase_modulators_working", c.phase_working},
                  {"usable", c.usable()}};
        if (c.profile.intensity_modulators) {
            chip["extinction_ratio_db"] = c.profile.intensity_modulators->extinction_ratio_db.value;
            chip["modulator_insertion_loss_db"] = c.profile.intensity_modulators->insertion_loss_db.value;
        }
        if (c.profile.output) chip["output_loss_db"] = c.profile.output->loss_db.value;
        chips.push_back(chip);
    }
    j["chips"] = chips;
    j["modulators"] = Json{{"total", modulators}, {"working", working}};
    Json pairs = Json::array();
    for (std::size_t i = 0; i < n.pairs.size(); ++i) {
        const net::PairPlan& p = n.pairs[i];
        const PairResult& r = results[i];
        Json pair{{"name", p.name},
                  {"alice", n.chips[p.alice].client},
                  {"bob", n.chips[p.bob].client},
                  {"channel", p.channel.number},
                  {"wavelength_nm", p.channel.wavelength_nm},
                  {"upstream_km", p.upstream_km},
                  {"plob_per_pulse", p.plob_per_pulse}};
        if (p.link) {
            const hardware_model::Link& l = p.link->link;
            pair["link"] = Json{{"arm_loss_alice_db", l.arm_loss_alice_db}, {"arm_loss_bob_db", l.arm_loss_bob_db},
                                {"detector_efficiency", l.detector_efficiency}, {"dark_count_probability", l.dark_count_probability},
                                {"misalignment", l.misalignment}, {"phase_noise_rad", l.phase_noise_rad}};
        } else {
            pair["link"] = nullptr;
        }
        pair["unusable"] = p.unusable.empty() ? Json(nullptr) : Json(p.unusable);
        if (r.rate) {
            pair["certified"] = Json{{"key_bits", r.rate->key.bits},
                                     {"rate_per_pulse", r.rate->rate_per_pulse},
                                     {"ratio_to_plob", r.rate->ratio_to_plob},
                                     {"zero_reason", r.rate->key.zero_reason.empty() ? Json(nullptr) : Json(r.rate->key.zero_reason)},
                                     {"settings", settings_json(r.rate->protocol.alice)},
                                     {"evaluations", r.rate->evaluations}};
        } else {
            pair["certified"] = Json{{"error", r.rate_error}};
        }
        pair["session"] = session_json(r, s.session_pulses);
        pairs.push_back(pair);
    }
    j["pairs"] = pairs;
    const Summary sum = summarise(n, results);
    j["summary"] = Json{{"pairs", sum.pairs},
                        {"pairs_certified", sum.certified},
                        {"pairs_above_plob", sum.above_plob},
                        {"min_ratio_to_plob", sum.certified ? Json(sum.min_ratio) : Json(nullptr)},
                        {"max_ratio_to_plob", sum.certified ? Json(sum.max_ratio) : Json(nullptr)},
                        {"sessions_run", sum.sessions_run},
                        {"sessions_with_key", sum.sessions_with_key},
                        {"total_upstream_km", sum.total_km},
                        {"threads", threads},
                        {"seconds", seconds}};
    j["scenario"] = net::network_scenario_json(s);
    return j;
}

// --- text -------------------------------------------------------------------------------------------

// The reason the first party to fail gave (Bob usually judges the statistics).
std::string abort_reason(const net::SessionReport& s) {
    for (const auto* o : {&s.bob, &s.alice, &s.charlie})
        if (o->failure) return std::string(wire::reason_name(o->failure->reason));
    return "no key";
}

void print_header(const Input& in, const net::Network& n, bool plan) {
    const net::NetworkScenario& s = n.scenario;
    unsigned modulators = 0, working = 0;
    for (const auto& c : n.chips) {
        modulators += c.intensity_modulators + c.phase_modulators;
        working += c.intensity_working + c.phase_working;
    }
    std::printf("tfqkd network: %s\n", in.source.c_str());
    if (!s.description.empty()) std::printf("  %s\n", s.description.c_str());
    std::printf("  %zu clients: chips of wafer %llu (%s), %u of %u modulators working\n", n.chips.size(),
                static_cast<unsigned long long>(s.wafer.seed), s.wafer.chip_profile.c_str(), working, modulators);
    std::printf("  server %s: %zu WDM channels from the comb (%.2f to %.2f nm); fibre %.3g dB/km\n", n.server.name.c_str(),
                n.channels.size(), n.channels.empty() ? 0.0 : n.channels.back().wavelength_nm,
                n.channels.empty() ? 0.0 : n.channels.front().wavelength_nm, n.attenuation_db_per_km);
    std::printf("  %s, certified at N = %s pulses per pair%s; schedule %s\n\n", family_text(s.protocol).c_str(),
                pulses_text(s.protocol.pulses).c_str(),
                plan ? " (plan: no sessions)" : (", sessions of " + pulses_text(s.session_pulses) + " pulses").c_str(),
                std::string(net::schedule_name(s.schedule)).c_str());
}

void print_table(const net::Network& n, const std::vector<PairResult>& results, bool plan, double seconds) {
    const net::NetworkScenario& s = n.scenario;
    std::printf("  %-9s %3s %9s %10s %10s  %-22s %12s %12s %9s\n", "pair", "ch", "nm", "upstream", "downstream",
                plan ? "" : "session", "rate (b/p)", "PLOB (b/p)", "vs PLOB");
    for (std::size_t i = 0; i < n.pairs.size(); ++i) {
        const net::PairPlan& p = n.pairs[i];
        const PairResult& r = results[i];
        const auto km = [](double a, double b) {
            return a == b ? format("2x%g km", a) : format("%g", a) + "+" + format("%g km", b);
        };
        std::string session;
        if (!plan) {
            if (r.session_ok()) session = grouped(r.session->key_bits) + " bits, equal";
            else if (r.session) session = "abort: " + abort_reason(*r.session);
            else session = "not run";
        }
        std::printf("  %-9s %3u %9.3f %10s %10s  %-22s %12s %12s %9s\n", p.name.c_str(), p.channel.number, p.channel.wavelength_nm,
                    km(s.clients[p.alice].upstream_km, s.clients[p.bob].upstream_km).c_str(),
                    km(s.clients[p.alice].downstream_km, s.clients[p.bob].downstream_km).c_str(), session.c_str(),
                    r.rate ? format("%.3e", r.rate->rate_per_pulse).c_str() : "error",
                    format("%.3e", p.plob_per_pulse).c_str(),
                    r.rate && r.rate->key.bits > 0 ? above_plob(r.rate->ratio_to_plob).c_str() : "no key");
    }
    const Summary sum = summarise(n, results);
    std::printf("\n");
    if (sum.certified > 0)
        std::printf("  %zu of %zu pairs above PLOB, by %s to %s (PKU, Nature 2026: every pair, +51.5 %% to +251.4 %%)\n",
                    sum.above_plob, sum.pairs, above_plob(sum.min_ratio).c_str(), above_plob(sum.max_ratio).c_str());
    if (!plan)
        std::printf("  sessions: %zu of %zu ended in equal keys of the certified length\n", sum.sessions_with_key, sum.sessions_run);
    std::printf("  network: %zu pairs, %g km of upstream fibre in all; %.1f s\n", sum.pairs, sum.total_km, seconds);
}

// --- pictures ---------------------------------------------------------------------------------------

std::string bars_svg(const net::Network& n, const std::vector<PairResult>& results) {
    keyrate::BarData d;
    const net::NetworkScenario& s = n.scenario;
    d.title = "Certified key rate per pair against PLOB";
    d.subtitle = family_text(s.protocol) + ", N = " + pulses_text(s.protocol.pulses) + " pulses per pair, finite key, " +
                 format("%.3g dB/km fibre", n.attenuation_db_per_km);
    d.bar_label = "certified rate (bits per pulse)";
    d.plob_label = "PLOB bound of the pair's fibre";
    for (std::size_t i = 0; i < n.pairs.size(); ++i) {
        keyrate::Bar b;
        b.label = n.pairs[i].name;
        b.plob = n.pairs[i].plob_per_pulse;
        if (results[i].rate) {
            b.rate = results[i].rate->rate_per_pulse;
            b.caption = b.rate > 0 ? above_plob(results[i].rate->ratio_to_plob) : "no key";
        }
        d.bars.push_back(b);
    }
    d.notes.push_back("Captions: the certified rate's margin over PLOB (the PKU paper reports +51.5 % to +251.4 % for its 10 pairs).");
    d.notes.push_back("PLOB: \u2212log\u2082(1 \u2212 \u03b7) of the upstream fibre's transmittance \u03b7 alone; chip, relay and detector "
                      "losses count against the protocol.");
    return keyrate::render_bars_svg(d);
}

std::string star_svg(const net::Network& n) {
    keyrate::StarData d;
    const net::NetworkScenario& s = n.scenario;
    d.title = "The network: " + std::to_string(n.chips.size()) + " clients around one relay";
    d.subtitle = std::to_string(n.pairs.size()) + " pairs on " + std::to_string(n.channels.size()) +
                 " WDM channels of the server's comb; colour: a pair's channel; schedule " +
                 std::string(net::schedule_name(s.schedule));
    d.centre = "relay";
    // Colours follow the channel plan's order; the legend lists the channels that carry pairs.
    std::vector<std::string> on_channel(n.channels.size());
    std::vector<std::size_t> pairs_on_channel(n.channels.size(), 0);
    const auto channel_index = [&](std::uint32_t number) {
        return static_cast<std::size_t>(std::find_if(n.channels.begin(), n.channels.end(),
                                                     [&](const net::Channel& c) { return c.number == number; }) -
                                        n.channels.begin());
    };
    std::vector<bool> placed(n.chips.size(), false);
    const auto place = [&](std::size_t client, std::optional<std::size_t> channel) {
        if (placed[client]) return;
        placed[client] = true;
        keyrate::StarClient c;
        c.name = s.clients[client].name;
        c.fibre = format("%g km", s.clients[client].upstream_km);
        c.paired = channel.has_value();
        c.channel_index = channel.value_or(0);
        c.long_downstream = s.clients[client].downstream_km >= 10;  // "short" below 10 km (docs/network.md)
        d.clients.push_back(c);
    };
    for (const auto& p : n.pairs) {
        const std::size_t k = channel_index(p.channel.number);
        if (pairs_on_channel[k]++ == 0) on_channel[k] = p.name;
        place(p.alice, k);
        place(p.bob, k);
    }
    for (std::size_t i = 0; i < n.chips.size(); ++i) place(i, std::nullopt);
    for (std::size_t k = 0; k < n.channels.size(); ++k) {
        // The legend has room for one pair's name; a shared channel says how many pairs take turns on it.
        std::string pairs = on_channel[k];
        if (pairs_on_channel[k] > 1) pairs += " \u2026 (" + std::to_string(pairs_on_channel[k]) + " pairs in turn)";
        d.channels.push_back("ch " + std::to_string(n.channels[k].number) + "  " + format("%.3f nm", n.channels[k].wavelength_nm) +
                             (pairs.empty() ? "" : "  " + pairs));
    }
    d.notes.push_back("Rays: the upstream spools carrying each client's quantum signal to the relay (km). Dashed: a long "
                      "downstream fibre bringing the comb line to the chip.");
    return keyrate::render_star_svg(d);
}

// The families compared against distance, each from its own start (the network's protocol first).
std::vector<std::pair<std::string, security::ProtocolParameters>> compared_families(const net::NetworkScenario& s) {
    std::vector<std::pair<std::string, security::ProtocolParameters>> out;
    out.emplace_back(family_text(s.protocol) + " (this network)", s.protocol);
    if (s.protocol.family == security::Family::sns) {
        security::ProtocolParameters other = s.protocol;
        other.aopp = !other.aopp;
        out.emplace_back(family_text(other), other);
    }
    for (const char* name : {"pm", "cal19"}) {
        auto parsed = scenario::parse_scenario(session_example(name));
        if (auto* read = std::get_if<scenario::Scenario>(&parsed); read && read->protocol.family != s.protocol.family)
            out.emplace_back(family_text(read->protocol), read->protocol);
    }
    for (auto& [label, p] : out) p.pulses = s.protocol.pulses;
    return out;
}

// The certified rate of each family against total distance, over pair 1's chips and channel with
// the fibre split evenly: what the same hardware would give at other lengths.
std::string distance_svg(const net::Network& n, const std::vector<PairResult>& results, unsigned threads) {
    const net::NetworkScenario& s = n.scenario;
    const auto first = std::find_if(n.pairs.begin(), n.pairs.end(), [](const net::PairPlan& p) { return p.link.has_value(); });
    keyrate::PlotData d;
    d.title = "Certified key rate against distance, with PLOB";
    d.subtitle = "N = " + pulses_text(s.protocol.pulses) + " pulses, finite key, the chips of " +
                 (first == n.pairs.end() ? std::string("no pair") : first->name) + format(", %.3g dB/km fibre", n.attenuation_db_per_km) +
                 ", parameters optimised per point";
    d.x_label = "total upstream fibre (km)";
    d.plob_label = "PLOB bound (fibre loss only)";
    double longest = 0;
    for (const auto& p : n.pairs) longest = std::max(longest, p.upstream_km);
    d.x_min = 0;
    d.x_max = std::max(500.0, std::ceil(longest * 1.3 / 50) * 50);
    for (int i = 1; i <= 200; ++i) {
        const double km = d.x_max * i / 200;
        d.plob.emplace_back(km, security::hi(security::plob_bound(security::fibre_transmittance(km, n.attenuation_db_per_km))));
    }
    if (first == n.pairs.end()) return keyrate::render_svg(d);
    const auto families = compared_families(s);
    constexpr int kPoints = 26;
    std::vector<std::vector<std::pair<double, double>>> curves(families.size(), std::vector<std::pair<double, double>>(kPoints));
    std::atomic<std::size_t> next{0};
    // Every (family, distance) point is an independent search: spread them over the threads.
    const auto work = [&] {
        for (std::size_t job = next++; job < families.size() * kPoints; job = next++) {
            const std::size_t f = job / kPoints;
            const double km = d.x_max * static_cast<double>(job % kPoints) / (kPoints - 1);
            hardware_model::FibrePair fibre;
            fibre.alice_km = fibre.bob_km = km / 2;
            fibre.loss_db_per_km = n.attenuation_db_per_km;
            double rate = 0;
            auto link = hardware_model::link_from_profiles(n.chips[first->alice].profile, n.chips[first->bob].profile, n.server, fibre,
                                                           first->channel.comb_line);
            if (link) {
                const auto best = net::optimise_on_link(s, link->link, families[f].second);
                if (best) rate = security::lo(best->key.rate_per_pulse);
            }
            curves[f][job % kPoints] = {km, rate};
        }
    };
    {
        std::vector<std::jthread> pool;
        for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
        work();
    }
    d.curve_label = families[0].first;
    d.rate = curves[0];
    for (std::size_t f = 1; f < families.size(); ++f) d.compared.push_back(keyrate::PlotCurve{families[f].first, curves[f]});
    std::set<double> lengths;
    for (std::size_t i = 0; i < n.pairs.size(); ++i)
        if (results[i].rate && lengths.insert(n.pairs[i].upstream_km).second && lengths.size() <= 3)
            d.markers.emplace_back(n.pairs[i].upstream_km, format("pairs at %g km", n.pairs[i].upstream_km));
    d.notes.push_back("Each point: the family's parameters optimised for that length and certified in interval arithmetic (docs/security.md).");
    d.notes.push_back("PLOB: \u2212log\u2082(1 \u2212 \u03b7) of the fibre's transmittance alone.");
    return keyrate::render_svg(d);
}

bool write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    return static_cast<bool>(out);
}

// --- modes -------------------------------------------------------------------------------------------

int write_jobs(const Input& in, const net::Network& n, const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return output_error(dir, "the job directory (" + ec.message() + ")");
    const int digits = static_cast<int>(std::to_string(n.pairs.size()).size());
    for (std::size_t i = 0; i < n.pairs.size(); ++i) {
        // pair-001.json ...: zero-padded so that a directory listing keeps the pairs' order.
        std::string number = std::to_string(i + 1);
        number.insert(0, static_cast<std::size_t>(std::max(3, digits)) - std::min(number.size(), static_cast<std::size_t>(std::max(3, digits))), '0');
        const std::string name = "pair-" + number + ".json";
        net::NetworkScenario job = net::single_pair(n.scenario, i);
        // Relative profile paths are taken from the scenario's directory; a job elsewhere needs them absolute.
        const auto absolute = [&](std::string& name_or_path) {
            if (name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".json"))
                name_or_path = std::filesystem::absolute(in.directory / name_or_path).string();
        };
        absolute(job.wafer.chip_profile);
        absolute(job.server.profile);
        for (auto& c : job.clients)
            if (c.chip_profile) absolute(*c.chip_profile);
        if (!write_file(std::filesystem::path(dir) / name, net::network_scenario_json(job).dump(2) + "\n"))
            return output_error((std::filesystem::path(dir) / name).string(), "a job file");
    }
    std::printf("tfqkd network: %zu job files in %s (run one: tfqkd network --plan FILE --json)\n", n.pairs.size(), dir.c_str());
    return kExitOk;
}

void run_sessions(const net::Network& n, std::vector<PairResult>& results, unsigned threads, Progress& progress) {
    const std::size_t count = n.pairs.size();
    const auto one = [&](std::size_t i) {
        const net::PairPlan& p = n.pairs[i];
        PairResult& r = results[i];
        if (!p.link) {
            r.session_error = p.unusable;
            progress.line("pair " + std::to_string(i + 1) + "/" + std::to_string(count) + " " + p.name + ": not run, " + p.unusable);
            return;
        }
        auto setup = net::pair_session_setup(n, i, n.scenario.session_pulses);
        if (!setup) {
            r.session_error = library_error(setup.error());
            progress.line("pair " + std::to_string(i + 1) + " " + p.name + ": " + r.session_error);
            return;
        }
        r.setup = std::move(setup.value());
        const std::string who = "pair " + std::to_string(i + 1) + "/" + std::to_string(count) + " " + p.name;
        r.setup->on_stage = [&progress, who](std::string_view stage) { progress.stage(who + ": " + std::string(stage)); };
        auto report = net::run_session(*r.setup);
        r.setup->on_stage = nullptr;
        if (!report) {
            r.session_error = library_error(report.error());
            progress.line(who + ": " + r.session_error);
            return;
        }
        r.session = std::move(report.value());
        progress.line(who + ": " + (r.session->keys_equal ? "equal keys, " + grouped(r.session->key_bits) + " bits" : std::string("aborted")) +
                      format(" (%.1f s)", r.session->seconds));
    };
    if (n.scenario.schedule == net::Schedule::sequential) {
        // As published: one pair after another.
        for (std::size_t i = 0; i < count; ++i) one(i);
        return;
    }
    std::atomic<std::size_t> next{0};
    const auto work = [&] {
        for (std::size_t i = next++; i < count; i = next++) one(i);
    };
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < std::min<std::size_t>(threads, count); ++t) pool.emplace_back(work);
    work();
}

}  // namespace

CLI::App* add_network_command(CLI::App& app, NetworkOptions& o) {
    CLI::App* cmd = app.add_subcommand("network", "Run the chip network (the main job): every pair's session and certified rate against PLOB");
    cmd->footer("Without a file, runs the embedded PKU layout: 20 clients, 10 pairs over 185 + 185 km. docs/network.md is the "
                "manual.\nExit status: 0 when every pair ran, 3 when a pair's session aborted or a pair had no usable chip, "
                "2 for bad input, 1 when an output cannot be written.\n");
    cmd->add_option("file", o.file, "A network scenario (docs/network.md)")->type_name("FILE");
    cmd->add_option("--star", o.star, "Instead of a file: a generated star of this many users (even) in pairs")->type_name("USERS");
    cmd->add_option("--star-seed", o.star_seed, "Seed of the generated star's spool lengths (default 1)")->type_name("S");
    cmd->add_option("--pulses", o.pulses, "Pulses per pair of the certified (full) block, overriding the scenario's")->type_name("N");
    cmd->add_option("--session-pulses", o.session_pulses, "Pulses of each pair's session, overriding the scenario's")->type_name("N");
    cmd->add_flag("--plan", o.plan, "Planning: certified optimised rates only, no sessions, pairs in parallel");
    cmd->add_option("--jobs", o.jobs, "Write each pair as an independent scenario file into DIR and stop")->type_name("DIR");
    cmd->add_option("--threads", o.threads, "Worker threads (default: the machine's cores)")->type_name("N");
    cmd->add_option("--out", o.out, "Directory of the report and pictures (default tfqkd-network)")->type_name("DIR");
    cmd->add_option("--report", o.report, "Write the JSON report to this file instead of OUT/report.json")->type_name("FILE.json");
    cmd->add_option("--svg-dir", o.svg_dir, "Write the pictures into this directory instead of OUT")->type_name("DIR");
    cmd->add_flag("--no-files", o.no_files, "Write neither the report nor the pictures");
    cmd->add_option("--write-scenario", o.write_scenario, "Write the scenario used (e.g. a generated star) to this file")
        ->type_name("FILE.json");
    cmd->add_flag("--json", o.json, "Print the JSON report instead of the table");
    cmd->add_flag("--quiet", o.quiet, "No progress display on stderr");
    return cmd;
}

int run_network_command(const NetworkOptions& o) {
    auto read = read_input(o);
    if (const int* code = std::get_if<int>(&read)) return *code;
    const Input& in = std::get<Input>(read);
    unsigned threads = std::max(1U, std::thread::hardware_concurrency());
    if (!o.threads.empty()) {
        const auto t = parse_count(o.threads);
        if (!t || *t > 1024) return input_error("--threads", "'" + o.threads + "' is not a number of threads in 1..1024");
        threads = static_cast<unsigned>(*t);
    }
    const std::filesystem::path directory = in.directory;
    const net::ProfileLoader loader = [&directory](const std::string& name) {
        std::string file;
        return load_named_profile(name, "profile", directory, file);
    };
    auto built = net::build_network(in.scenario, loader);
    if (const auto* e = std::get_if<net::InputError>(&built)) return input_error(in.source, e->to_string());
    const net::Network& n = std::get<net::Network>(built);

    if (!o.write_scenario.empty() && !write_file(o.write_scenario, net::network_scenario_json(n.scenario).dump(2) + "\n"))
        return output_error(o.write_scenario, "the scenario");
    if (!o.jobs.empty()) return write_jobs(in, n, o.jobs);

    Progress progress(!o.quiet);
    if (!o.json) print_header(in, n, o.plan);
    std::fflush(stdout);

    // Certified rates at the full block: independent per pair, so in parallel in either mode.
    std::vector<PairResult> results(n.pairs.size());
    std::atomic<std::size_t> certified{0};
    const auto rates = net::certify_pairs(n, threads, [&](std::size_t) {
        const std::size_t done = ++certified;
        if (done == n.pairs.size() || n.pairs.size() <= 20)
            progress.stage("certified rates: " + std::to_string(done) + " of " + std::to_string(n.pairs.size()) + " pairs");
    });
    for (std::size_t i = 0; i < rates.size(); ++i) {
        if (rates[i]) results[i].rate = rates[i].value();
        else results[i].rate_error = library_error(rates[i].error());
    }
    progress.line("certified rates of " + std::to_string(n.pairs.size()) + " pairs at N = " + pulses_text(n.scenario.protocol.pulses));
    if (!o.plan) run_sessions(n, results, threads, progress);

    const bool files = !o.no_files;
    const std::filesystem::path out_dir = o.out;
    const std::filesystem::path svg_dir = o.svg_dir.empty() ? out_dir : std::filesystem::path(o.svg_dir);
    std::vector<std::pair<std::string, std::string>> pictures;
    if (files) {
        pictures.emplace_back("pair-rates.svg", bars_svg(n, results));
        pictures.emplace_back("network.svg", star_svg(n));
        progress.stage("rate against distance: optimising each family along the fibre");
        pictures.emplace_back("rate-distance.svg", distance_svg(n, results, threads));
    }
    const double seconds = progress.elapsed();
    const Json report = report_json(in, n, results, o.plan, seconds, threads);
    progress.line("done");
    if (o.json) std::printf("%s\n", report.dump(2).c_str());
    else print_table(n, results, o.plan, seconds);

    if (files) {
        const std::filesystem::path report_path = o.report.empty() ? out_dir / "report.json" : std::filesystem::path(o.report);
        std::error_code ec;
        for (const auto& dir : {report_path.parent_path(), svg_dir}) {
            if (dir.empty()) continue;
            std::filesystem::create_directories(dir, ec);
            if (ec) return output_error(dir.string(), "the output directory (" + ec.message() + ")");
        }
        if (!write_file(report_path, report.dump(2) + "\n")) return output_error(report_path.string(), "the report");
        for (const auto& [name, svg] : pictures)
            if (!write_file(svg_dir / name, svg)) return output_error((svg_dir / name).string(), "a picture");
        if (!o.json)
            std::printf("  report %s; pictures %s/{pair-rates,rate-distance,network}.svg\n", report_path.string().c_str(),
                        svg_dir.string().c_str());
    }
    bool failed = false;
    for (std::size_t i = 0; i < n.pairs.size(); ++i)
        failed = failed || !n.pairs[i].unusable.empty() || (!o.plan && !results[i].session_ok());
    return failed ? kExitAborted : kExitOk;
}

}  // namespace tfqkd::cli
