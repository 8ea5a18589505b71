// `tfqkd keyrate`: docs/keyrate.md is the manual.
//
// Predictions run the analytic channel model (hardware_model::expected_statistics) and certify the
// statistics it expects; certifications start from the observed statistics in the file. Both end in
// security::sns_key_length, whose intervals are printed as their outward-rounded ends. Everything
// a person reads is rounded in the safe direction too: lower bounds down, upper bounds up.
#include "keyrate.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cctype>
#include <cfenv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "hardware_link.hpp"
#include "hardware_model/channel.hpp"
#include "hardware_model/scenario.hpp"
#include "keyrate_plot.hpp"
#include "scenario_input.hpp"
#include "security/bounds.hpp"
#include "security/key_length.hpp"
#include "security/optimise.hpp"
#include "security/mode_pairing.hpp"
#include "security/pm.hpp"
#include "security/sns.hpp"

namespace tfqkd::cli {
namespace {

using scenario::Kind;
using scenario::LinkSpec;
using scenario::Scenario;
using security::Analysis;
using security::Interval;
using Json = nlohmann::ordered_json;

constexpr int kExitInput = 2;
constexpr int kExitOutput = 1;
constexpr std::size_t kMaxSweepPoints = 100'000;

// --- formatting ----------------------------------------------------------------------------------

// x with `digits` significant digits, rounded down (FE_DOWNWARD) or up (FE_UPWARD): glibc's printf
// honours the rounding mode, so a printed lower bound never exceeds the bound itself.
std::string rounded(double x, int digits, int direction) {
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    if (std::isnan(x)) return "nan";
    const int previous = std::fegetround();
    std::fesetround(direction);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", digits, x);
    std::fesetround(previous);
    return buf;
}
std::string down(double x, int digits = 4) { return rounded(x, digits, FE_DOWNWARD); }
std::string up(double x, int digits = 4) { return rounded(x, digits, FE_UPWARD); }

// A number for a message or a title, as short as it reads ("0.2", "1e+12").
std::string plain(double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", x);
    return buf;
}

// A count as the whole number it is ("94057926").
std::string whole_text(double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f", x);
    return buf;
}

// A double for JSON: null when it is not finite (JSON has no infinity).
Json number_or_null(double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); }

Json interval_json(const Interval& x) {
    return Json{{"lower", number_or_null(security::lo(x))}, {"upper", number_or_null(security::hi(x))}};
}

// The protocol as people name it: "sns", or "sns-aopp" with actively odd-parity pairing.
std::string protocol_label(const security::ProtocolParameters& p) {
    return std::string(security::family_name(p.family)) + (p.aopp ? "-aopp" : "");
}

int input_error(const std::string& file, const std::string& text) {
    std::fprintf(stderr, "tfqkd: %s: %s\n", file.c_str(), text.c_str());
    return kExitInput;
}

// --- flags ---------------------------------------------------------------------------------------

struct Sweep {
    double from = 0;
    double to = 0;
    double step = 0;
    std::vector<double> points;
};

std::optional<Sweep> parse_sweep(const std::string& text, std::string& problem) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, ':')) parts.push_back(part);
    if (!text.empty() && text.back() == ':') parts.push_back("");
    std::vector<double> v;
    for (const auto& p : parts) {
        const auto x = scenario::parse_number(p);
        if (!x) break;
        v.push_back(*x);
    }
    if (parts.size() != 3 || v.size() != 3) {
        problem = "\"" + text + "\" is not FROM:TO:STEP; accepted: three numbers in km, e.g. 0:700:10";
        return std::nullopt;
    }
    Sweep s{v[0], v[1], v[2], {}};
    if (s.from < 0) problem = "FROM " + plain(s.from) + " is negative; distances are >= 0 km";
    else if (s.to < s.from) problem = "TO " + plain(s.to) + " is below FROM " + plain(s.from);
    else if (!(s.step > 0)) problem = "STEP " + plain(s.step) + " is not > 0";
    if (!problem.empty()) return std::nullopt;
    const double intervals = std::floor((s.to - s.from) / s.step * (1 + 1e-12) + 1e-9);
    if (intervals + 1 > static_cast<double>(kMaxSweepPoints)) {
        problem = "gives " + plain(intervals + 1) + " points; at most " + std::to_string(kMaxSweepPoints) + " are accepted";
        return std::nullopt;
    }
    const auto count = static_cast<std::size_t>(intervals) + 1;
    // from + i step, to 12 significant digits: 0.1 * 3 is 0.3 here, not 0.30000000000000004.
    for (std::size_t i = 0; i < count; ++i) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.12g", s.from + static_cast<double>(i) * s.step);
        s.points.push_back(std::strtod(buf, nullptr));
    }
    return s;
}

// --- computing -----------------------------------------------------------------------------------

struct PointResult {
    std::optional<LinkSpec> link;  // absent: a certification without reference_link
    security::KeyLength key;
    std::optional<Interval> plob;
    std::optional<security::CountStatistics> expected;  // predictions: what the model expects
    std::optional<security::ProtocolParameters> optimised;  // --optimise: the parameters found
    unsigned evaluations = 0;                                // --optimise: model evaluations
};

// The fibre of a hardware scenario's point: a symmetric LinkSpec gives half its length to each arm.
// The transmittance of the channel alone (no detector): fibre, or the two arms' losses.
Interval channel_transmittance(const LinkSpec& l) {
    if (l.symmetric) return security::fibre_transmittance(*l.distance_km, l.attenuation_db_per_km);
    return security::fibre_transmittance(l.arm_loss_alice_db, 1.0) * security::fibre_transmittance(l.arm_loss_bob_db, 1.0);
}

Result<PointResult> compute(const Scenario& s, const std::optional<LinkSpec>& link, Analysis analysis, bool optimise,
                            const HardwareProfiles* hardware) {
    PointResult out;
    out.link = link;
    const security::SnsOptions options{analysis, s.ec_efficiency};
    std::optional<hardware_model::Link> model;
    if (s.kind != Kind::certify) {
        auto made = model_link(s, *link, hardware);
        if (!made) return made.error();
        model = *made;
    }
    if (s.kind != Kind::certify && optimise) {
        // The search runs in double precision on the model's predictions; the optimum it returns
        // is certified in intervals (docs/security.md, section 6).
        const security::StatisticsPredictor predict = [&model](const security::ProtocolParameters& q) {
            return hardware_model::expected_statistics(q, *model);
        };
        auto best = security::optimise_family(s.protocol, s.security, predict, options);
        if (!best) return std::move(best).error();
        out.key = std::move(best->key);
        out.expected = std::move(best->statistics);
        out.optimised = std::move(best->protocol);
        out.evaluations = best->evaluations;
    } else if (s.kind != Kind::certify) {
        auto stats = hardware_model::expected_statistics(s.protocol, *model);
        if (!stats) return std::move(stats).error();
        auto key = security::certified_key_length(s.protocol, s.security, *stats, options);
        if (!key) return std::move(key).error();
        out.key = std::move(key.value());
        out.expected = std::move(stats.value());
    } else {
        auto key = security::certified_key_length(s.protocol, s.security, s.counts, options);
        if (!key) return std::move(key).error();
        out.key = std::move(key.value());
    }
    if (link) out.plob = security::plob_bound(channel_transmittance(*link));
    return out;
}

// The certified rates of a point, as printed: lower ends rounded down, PLOB's upper end rounded up.
struct Rates {
    double per_pulse = 0;
    std::optional<double> per_second;
    std::optional<double> plob;   // finite PLOB, upper end
    std::optional<double> ratio;  // certified rate / PLOB, lower end
};

Rates rates(const PointResult& p, const std::optional<double>& clock_hz) {
    Rates r;
    r.per_pulse = security::lo(p.key.rate_per_pulse);
    if (clock_hz) r.per_second = security::lo(p.key.rate_per_pulse * security::point(*clock_hz));
    // PLOB's upper end: finite except at zero loss; positive as long as the transmittance is. Its
    // lower end can be 0 when the transmittance is below the working precision (thousands of dB),
    // so the ratio divides by the upper end: a lower bound in every case.
    if (p.plob && std::isfinite(security::hi(*p.plob)) && security::hi(*p.plob) > 0) {
        r.plob = security::hi(*p.plob);
        r.ratio = security::lo(p.key.rate_per_pulse / security::point(*r.plob));
    }
    return r;
}

// --- JSON and CSV --------------------------------------------------------------------------------

Json result_json(const Scenario& s, const PointResult& p, Analysis analysis, const std::optional<double>& clock_hz) {
    const Rates r = rates(p, clock_hz);
    Json j;
    j["input"] = s.kind == Kind::certify ? "certification" : "prediction";
    j["protocol"] = security::family_name(s.protocol.family);
    j["aopp"] = s.protocol.aopp;
    j["analysis"] = analysis == Analysis::finite ? "finite" : "asymptotic";
    j["pulses"] = s.protocol.pulses;
    if (p.link && p.link->symmetric) {
        j["distance_km"] = *p.link->distance_km;
        j["attenuation_db_per_km"] = p.link->attenuation_db_per_km;
    } else if (p.link) {
        j["arm_loss_alice_db"] = p.link->arm_loss_alice_db;
        j["arm_loss_bob_db"] = p.link->arm_loss_bob_db;
    }
    j["key_length_bits"] = p.key.bits;
    j["key_rate_per_pulse"] = r.per_pulse;
    if (clock_hz) {
        j["clock_hz"] = *clock_hz;
        j["key_rate_per_second"] = *r.per_second;
    }
    j["plob_per_pulse"] = r.plob ? Json(*r.plob) : Json(nullptr);
    j["ratio_to_plob"] = r.ratio ? Json(*r.ratio) : Json(nullptr);
    if (p.key.bits == 0) j["zero_reason"] = p.key.zero_reason;
    if (p.optimised) {
        Json settings = Json::array();
        for (const auto& st : p.optimised->alice)
            settings.push_back(Json{{"window", st.window == security::Window::z ? "z" : "x"},
                                    {"intensity", st.intensity},
                                    {"probability", st.probability}});
        j["optimised"] = Json{{"alice", settings}, {"bob", "same as alice"}, {"evaluations", p.evaluations}};
    }
    const security::SnsBreakdown& b = p.key.breakdown;
    j["breakdown"] = Json{{"length", interval_json(p.key.length)},
                          {"s0_lower", interval_json(b.s0_lower)},
                          {"s0_upper", interval_json(b.s0_upper)},
                          {"s1_lower", interval_json(b.s1_lower)},
                          {"raw_untagged_lower", interval_json(b.raw_untagged_lower)},
                          {"raw_phase_error_rate_upper", interval_json(b.raw_phase_error_rate_upper)},
                          {"untagged_lower", interval_json(b.untagged_lower)},
                          {"phase_errors_upper", interval_json(b.phase_errors_upper)},
                          {"phase_error_rate_upper", interval_json(b.phase_error_rate_upper)},
                          {"key_error_rate", interval_json(b.key_error_rate)},
                          {"ec_leakage", interval_json(b.ec_leakage)},
                          {"correctness_bits", interval_json(b.correctness_bits)},
                          {"privacy_bits", interval_json(b.privacy_bits)},
                          {"disclosure_bits", interval_json(b.disclosure_bits)},
                          {"eps_total", b.eps_total},
                          {"estimates", b.estimates}};
    if (p.expected) j["expected_counts"] = scenario::counts_json(*p.expected, s.protocol.family);
    return j;
}

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// Shortest text that reads back as the same double (so a rounded-down bound stays rounded down).
std::string exact(double x) {
    if (!std::isfinite(x)) return "";
    return Json(x).dump();
}

void print_csv(const Scenario& s, const std::vector<PointResult>& points, Analysis analysis,
               const std::optional<double>& clock_hz) {
    std::cout << "protocol,analysis,distance_km,arm_loss_alice_db,arm_loss_bob_db,pulses,key_length_bits,"
                 "key_rate_per_pulse,key_rate_per_second,plob_per_pulse,ratio_to_plob,zero_reason\n";
    for (const auto& p : points) {
        const Rates r = rates(p, clock_hz);
        const bool sym = p.link && p.link->symmetric;
        const bool arms = p.link && !p.link->symmetric;
        std::cout << protocol_label(s.protocol) << ',' << (analysis == Analysis::finite ? "finite" : "asymptotic")
                  << ',' << (sym ? exact(*p.link->distance_km) : "") << ',' << (arms ? exact(p.link->arm_loss_alice_db) : "")
                  << ',' << (arms ? exact(p.link->arm_loss_bob_db) : "") << ',' << s.protocol.pulses << ','
                  << p.key.bits << ',' << exact(r.per_pulse) << ',' << (r.per_second ? exact(*r.per_second) : "") << ','
                  << (r.plob ? exact(*r.plob) : "") << ',' << (r.ratio ? exact(*r.ratio) : "") << ','
                  << (p.key.bits == 0 ? csv_field(p.key.zero_reason) : "") << '\n';
    }
}

// --- the table for people ------------------------------------------------------------------------

std::string link_text(const LinkSpec& l) {
    if (l.symmetric) {
        const double per_arm = *l.distance_km / 2 * l.attenuation_db_per_km;
        return plain(*l.distance_km) + " km of fibre at " + plain(l.attenuation_db_per_km) + " dB/km (" + plain(per_arm) +
               " dB per arm)";
    }
    return "arm losses " + plain(l.arm_loss_alice_db) + " dB (Alice) and " + plain(l.arm_loss_bob_db) + " dB (Bob)";
}

std::string position_text(const LinkSpec& l) {
    if (l.symmetric) return plain(*l.distance_km) + " km";
    return plain(l.arm_loss_alice_db) + "+" + plain(l.arm_loss_bob_db) + " dB";
}

void print_header(const std::string& file, const Scenario& s, Analysis analysis, const std::optional<double>& clock_hz,
                  bool sweep) {
    std::printf("tfqkd keyrate: %s%s%s\n", file.c_str(), s.description.empty() ? "" : ": ", s.description.c_str());
    std::printf("  %s, %s, %s analysis\n", protocol_label(s.protocol).c_str(),
                s.kind == Kind::predict    ? "predicted by the analytic channel model"
                : s.kind == Kind::hardware ? "predicted by the analytic model of the chip profiles' link"
                                           : "certified from observed statistics",
                analysis == Analysis::finite ? "finite-key" : "asymptotic");
    if (s.protocol.family == security::Family::cal19)  // phase-locked: no slices are announced
        std::printf("  N = %s pulses per party, %zu settings for alice, %zu for bob\n",
                    plain(static_cast<double>(s.protocol.pulses)).c_str(), s.protocol.alice.size(), s.protocol.bob.size());
    else
        std::printf("  N = %s pulses per party, %zu settings each, %u phase slices (matched within %u)\n",
                    plain(static_cast<double>(s.protocol.pulses)).c_str(), s.protocol.alice.size(),
                    s.protocol.phase_slices, s.protocol.phase_match_slices);
    if (s.kind == Kind::predict) {
        if (!sweep) std::printf("  link: %s\n", link_text(*s.link).c_str());
        else std::printf("  link: fibre at %s dB/km, half per arm\n", plain(s.link->attenuation_db_per_km).c_str());
        std::printf("  detectors: efficiency %s, dark counts %s per pulse; misalignment %s; phase noise %s rad\n",
                    plain(s.device.detector_efficiency).c_str(), plain(s.device.dark_count_probability).c_str(),
                    plain(s.device.misalignment).c_str(), plain(s.device.phase_noise_rad).c_str());
        std::printf("  error correction: f = %s\n", plain(s.ec_efficiency).c_str());
    } else if (s.kind == Kind::hardware) {
        const scenario::HardwareSpec& h = s.hardware;
        std::printf("  chips: alice %s%s, bob %s%s; server %s\n", h.alice.c_str(),
                    h.alice_chip ? (" (chip " + std::to_string(*h.alice_chip) + ")").c_str() : "", h.bob.c_str(),
                    h.bob_chip ? (" (chip " + std::to_string(*h.bob_chip) + ")").c_str() : "", h.server.c_str());
        if (!sweep) std::printf("  link: %s\n", link_text(*s.link).c_str());
        std::printf("  error correction: f = %s\n", plain(s.ec_efficiency).c_str());
    } else {
        if (s.counts.mode_pairing)
            std::printf("  %s heralded rounds, %s pairs (pairing interval at most %u rounds)\n",
                        whole_text(s.counts.mode_pairing->heralded_rounds).c_str(),
                        whole_text(s.counts.mode_pairing->pairs).c_str(), s.protocol.max_pairing_interval);
        std::printf("  %zu classes; sifted key %s bits with %s errors; error correction: %s\n",
                    s.counts.classes.size() + s.counts.matched.size() +
                        (s.counts.mode_pairing ? s.counts.mode_pairing->classes.size() : 0),
                    whole_text(s.counts.key.effective).c_str(), whole_text(s.counts.key.errors).c_str(),
                    s.counts.key.ec_leakage_bits ? (whole_text(*s.counts.key.ec_leakage_bits) + " bits disclosed (measured)").c_str()
                                                 : ("f = " + plain(s.ec_efficiency)).c_str());
        if (s.link) std::printf("  reference link (for PLOB only): %s\n", link_text(*s.link).c_str());
    }
    if (analysis == Analysis::finite)
        std::printf("  security: eps_cor %s, eps_pa %s, eps_pe %s, eps_smooth %s, budget eps_total %s\n",
                    plain(s.security.eps_cor).c_str(), plain(s.security.eps_pa).c_str(), plain(s.security.eps_pe).c_str(),
                    plain(s.security.eps_smooth).c_str(), plain(s.security.eps_total).c_str());
    if (clock_hz) std::printf("  clock: %s Hz\n", plain(*clock_hz).c_str());
    std::printf("\n");
}

void print_table(const std::string& file, const Scenario& s, const std::vector<PointResult>& points, Analysis analysis,
                 const std::optional<double>& clock_hz, bool sweep) {
    print_header(file, s, analysis, clock_hz, sweep);
    const bool position = points.front().link.has_value();
    const bool arms = position && !points.front().link->symmetric;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> head;
    if (position) head.push_back(arms ? "arm losses" : "distance");
    head.insert(head.end(), {"key length (bits)", "rate (bits/pulse)"});
    if (clock_hz) head.push_back("rate (bits/s)");
    if (position) head.insert(head.end(), {"PLOB (bits/pulse)", "rate / PLOB"});
    rows.push_back(head);
    for (const auto& p : points) {
        const Rates r = rates(p, clock_hz);
        std::vector<std::string> row;
        if (position) row.push_back(position_text(*p.link));
        row.push_back(std::to_string(p.key.bits));
        row.push_back(p.key.bits ? down(r.per_pulse) : "0");
        if (clock_hz) row.push_back(p.key.bits ? down(*r.per_second) : "0");
        if (position) {
            row.push_back(r.plob ? up(*r.plob) : "inf");
            row.push_back(r.ratio ? (p.key.bits ? down(*r.ratio, 3) : "0") : "-");
        }
        rows.push_back(row);
    }
    std::vector<std::size_t> width(head.size(), 0);
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    for (const auto& row : rows) {
        std::string line = " ";
        for (std::size_t i = 0; i < row.size(); ++i)
            line += " " + std::string(width[i] - row[i].size(), ' ') + row[i] + (i + 1 < row.size() ? " " : "");
        std::printf("%s\n", line.c_str());
    }
    std::printf("\n");

    if (points.size() == 1) {
        const PointResult& p = points.front();
        const security::SnsBreakdown& b = p.key.breakdown;
        if (p.key.bits == 0) std::printf("No key: %s.\n\n", p.key.zero_reason.c_str());
        std::printf("Breakdown (enclosures, outward rounded):\n");
        const auto line = [](const char* name, const Interval& x) {
            std::printf("  %-50s %s\n", name, security::to_string(x, 7).c_str());
        };
        const bool pm = s.protocol.family == security::Family::pm;
        const bool cal19 = s.protocol.family == security::Family::cal19;
        const bool mp = s.protocol.family == security::Family::mode_pairing;
        if (cal19) {
            line("vacuum yield Y00 (upper bound)", b.s0_upper);
            line("key detections M", b.untagged_lower);
            line("phase errors in the key (upper bound)", b.phase_errors_upper);
            line("phase-error rate (upper bound)", b.phase_error_rate_upper);
            line("bit-error rate of the sifted key E_Z", b.key_error_rate);
        } else if (mp) {
            line("vacuum-vacuum pairs per prior Q00 (lower bound)", b.s0_lower);
            line("vacuum-vacuum pairs per prior Q00 (upper bound)", b.s0_upper);
            line("single-photon pair yield Y11 (lower bound)", b.s1_lower);
            line("single-photon key pairs n11 (lower bound)", b.untagged_lower);
            line("phase errors among them (upper bound)", b.phase_errors_upper);
            line("phase-error rate e11 (upper bound)", b.phase_error_rate_upper);
            line("bit-error rate of the key pairs E_Z", b.key_error_rate);
        } else if (pm) {
            line("vacuum yield Y0 (lower bound)", b.s0_lower);
            line("vacuum yield Y0 (upper bound)", b.s0_upper);
            line("single-photon yield Y1 (lower bound)", b.s1_lower);
            line("single-photon key detections n1 (lower bound)", b.untagged_lower);
            line("phase errors in the key (upper bound)", b.phase_errors_upper);
            line("phase-error rate E^X (upper bound)", b.phase_error_rate_upper);
            line("bit-error rate of the sifted key E^Z", b.key_error_rate);
        } else {
            line("vacuum yield s0 (lower bound)", b.s0_lower);
            line("vacuum yield s0 (upper bound)", b.s0_upper);
            line("single-photon yield s1 (lower bound)", b.s1_lower);
        }
        if (pm || cal19 || mp) {
            // Printed above.
        } else if (s.protocol.aopp) {
            line("untagged bits before pairing (lower bound)", b.raw_untagged_lower);
            line("their phase-error rate (upper bound)", b.raw_phase_error_rate_upper);
            line("untagged pairs n1' after AOPP (lower bound)", b.untagged_lower);
            line("phase errors among them (upper bound)", b.phase_errors_upper);
            line("phase-error rate e1ph' (upper bound)", b.phase_error_rate_upper);
            line("bit-error rate of the paired key E_Z'", b.key_error_rate);
        } else {
            line("untagged bits n1 (lower bound)", b.untagged_lower);
            line("phase errors among them (upper bound)", b.phase_errors_upper);
            line("phase-error rate e1ph (upper bound)", b.phase_error_rate_upper);
            line("bit-error rate of the sifted key E_Z", b.key_error_rate);
        }
        line("error-correction leakage (bits)", b.ec_leakage);
        if (analysis == Analysis::finite) {
            line("correctness term log2(2/eps_cor)", b.correctness_bits);
            line("privacy term 2 log2(1/(sqrt2 eps_pa eps_smooth))", b.privacy_bits);
            if (const auto roles = security::sns_roles(s.protocol.alice, "alice");
                !pm && !mp && roles && !roles->x_strong)
                line("one-sided Z counts disclosed, 2 log2(N+1)", b.disclosure_bits);
        }
        line("key-length formula (bits)", p.key.length);
        if (analysis == Analysis::finite)
            std::printf("  %-50s %s (from %u concentration estimates; budget %s)\n", "composed failure probability",
                        up(b.eps_total, 3).c_str(), b.estimates, plain(s.security.eps_total).c_str());
        std::printf("  certified key: %llu bits = floor of the lower end of the formula\n",
                    static_cast<unsigned long long>(p.key.bits));
    } else {
        // Consecutive empty keys with the same reason, in one line each.
        for (std::size_t i = 0; i < points.size();) {
            if (points[i].key.bits != 0) {
                ++i;
                continue;
            }
            std::size_t j = i;
            while (j + 1 < points.size() && points[j + 1].key.bits == 0 &&
                   points[j + 1].key.zero_reason == points[i].key.zero_reason)
                ++j;
            const std::string where = i == j ? "at " + position_text(*points[i].link)
                                             : "from " + position_text(*points[i].link) + " to " + position_text(*points[j].link);
            std::printf("No key %s: %s.\n", where.c_str(), points[i].key.zero_reason.c_str());
            i = j + 1;
        }
    }
    if (points.front().plob)
        std::printf("PLOB: -log2(1 - eta) for the channel's transmittance eta without detector efficiency.\n");
}

// --- the plot ------------------------------------------------------------------------------------

// 1e13 as "10¹³", 2.5e12 as "2.5×10¹²".
std::string power_text(double x) {
    if (!(x > 0)) return plain(x);
    static const char* const kSuper[] = {"\u2070", "\u00b9", "\u00b2", "\u00b3", "\u2074",
                                          "\u2075", "\u2076", "\u2077", "\u2078", "\u2079"};
    const int e = static_cast<int>(std::floor(std::log10(x) + 1e-12));
    if (e < 4) return plain(x);
    const double mantissa = x / std::pow(10.0, e);
    std::string out = std::abs(mantissa - 1) < 1e-12 ? "10" : plain(mantissa) + "\u00d710";
    for (char c : std::to_string(e)) out += kSuper[c - '0'];
    return out;
}

keyrate::PlotData plot_data(const Scenario& s, const std::vector<PointResult>& points, Analysis analysis,
                            const std::optional<Sweep>& sweep) {
    keyrate::PlotData d;
    const LinkSpec& first = *points.front().link;
    const bool arms = !first.symmetric;
    const auto x_of = [&](const LinkSpec& l) { return arms ? l.arm_loss_alice_db + l.arm_loss_bob_db : *l.distance_km; };
    const std::string family = protocol_label(s.protocol);
    std::string family_upper;
    for (char c : family) family_upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    d.title = family_upper + " twin-field QKD: certified key rate, " +
              (analysis == Analysis::finite ? "finite-key" : "asymptotic") + ", N = " + power_text(static_cast<double>(s.protocol.pulses)) +
              " pulses";
    d.description = s.description;
    std::string sub;
    if (analysis == Analysis::finite) sub += "\u03b5 budget " + plain(s.security.eps_total) + " \u00b7 ";
    if (s.kind == Kind::hardware) {
        sub += "chips " + s.hardware.alice + " and " + s.hardware.bob + ", server " + s.hardware.server +
               " \u00b7 f " + plain(s.ec_efficiency);
    } else if (s.kind == Kind::predict) {
        if (!arms) sub += plain(first.attenuation_db_per_km) + " dB/km \u00b7 ";
        sub += "detector efficiency " + plain(s.device.detector_efficiency) + ", dark counts " +
               plain(s.device.dark_count_probability) + " \u00b7 e_d " + plain(s.device.misalignment) +
               " \u00b7 phase noise " + plain(s.device.phase_noise_rad) + " rad \u00b7 f " + plain(s.ec_efficiency);
    } else {
        sub += "certified from the observed statistics of " + whole_text(s.counts.key.effective) + " sifted key bits";
    }
    d.subtitle = sub;
    d.x_label = arms ? "total channel loss, Alice's arm + Bob's arm (dB)" : "distance between Alice and Bob (km), half per arm";
    d.curve_label = family_upper + ", " + (analysis == Analysis::finite ? "finite-key" : "asymptotic") +
                    (!points.empty() && points.front().optimised ? ", parameters optimised per point" : "") + " (certified)";
    d.plob_label = arms ? "PLOB bound (channel loss only)" : "PLOB bound (fibre loss only)";
    const double x0 = x_of(first);
    if (sweep && sweep->to > sweep->from) {
        d.x_min = sweep->from;
        d.x_max = sweep->to;
    } else {
        d.x_min = 0;
        d.x_max = std::max(2 * x0, arms ? 20.0 : 100.0);
    }
    std::size_t zeros = 0;
    double first_zero = 0, last_zero = 0;
    for (const auto& p : points) {
        const double x = x_of(*p.link);
        const double r = security::lo(p.key.rate_per_pulse);
        d.rate.emplace_back(x, r);
        if (p.key.bits == 0) {
            if (zeros++ == 0) first_zero = x;
            last_zero = x;
        }
    }
    // PLOB of the channel's transmittance, densely sampled (its upper end: the bound it cannot beat).
    constexpr int kSamples = 400;
    for (int i = 0; i <= kSamples; ++i) {
        const double x = d.x_min + (d.x_max - d.x_min) * i / kSamples;
        const Interval eta = arms ? security::fibre_transmittance(x, 1.0) : security::fibre_transmittance(x, first.attenuation_db_per_km);
        d.plob.emplace_back(x, security::hi(security::plob_bound(eta)));
    }
    const std::string unit = arms ? " dB" : " km";
    if (points.size() == 1) {
        const PointResult& p = points.front();
        const Rates r = rates(p, std::nullopt);
        if (p.key.bits == 0) {
            d.markers.emplace_back(x0, plain(x0) + unit + ": no certified key");
            d.notes.push_back("No certified key at " + plain(x0) + unit + ": " + p.key.zero_reason + ".");
            d.notes.push_back("A zero rate has no place on a log scale: only the PLOB line is drawn.");
        } else {
            d.label_points = true;
            d.point_labels.push_back(plain(x0) + unit + ": " + down(r.per_pulse, 3) + " bits/pulse" +
                                     (r.ratio ? " (" + down(*r.ratio, 3) + " \u00d7 PLOB)" : ""));
        }
    } else if (zeros > 0) {
        d.notes.push_back(std::to_string(zeros) + " of " + std::to_string(points.size()) +
                          " points have no certified key (" +
                          (zeros == 1 ? "at " + plain(first_zero) : "between " + plain(first_zero) + " and " + plain(last_zero)) +
                          unit + ") and are left out of the log-scale curve.");
    }
    d.notes.push_back("Rates are certified lower bounds: the floor of the key length's lower end, over N.");
    d.notes.push_back("PLOB: \u2212log\u2082(1 \u2212 \u03b7) of the channel transmittance \u03b7 alone, without detector "
                      "efficiency (the absolute repeaterless limit).");
    return d;
}

}  // namespace

CLI::App* add_keyrate_command(CLI::App& app, KeyrateOptions& o) {
    CLI::App* cmd = app.add_subcommand("keyrate", "Certified TF-QKD key rates (SNS, PM): predict an experiment or certify its statistics");
    cmd->footer("The input is one JSON file: an experiment to predict (with \"link\") or observed statistics to certify "
                "(with \"counts\"); docs/keyrate.md describes both.\nExit status: 0 on success (an empty key included), "
                "2 for bad input, 1 when an output cannot be written.\n");
    // The file and the flag values are checked by run_keyrate (exit status 2, messages naming the
    // file), not by CLI11, whose usage errors have exit statuses of their own.
    cmd->add_option("file", o.file, "Input JSON file: an experiment description or observed statistics")->type_name("FILE");
    cmd->add_option("--distance", o.distance, "Total fibre length in km, overriding link.distance_km (prediction only)")
        ->type_name("KM");
    cmd->add_option("--sweep", o.sweep, "Distances FROM:TO:STEP in km, e.g. 0:700:10 (prediction only)")
        ->type_name("FROM:TO:STEP");
    cmd->add_flag("--asymptotic", o.asymptotic, "Asymptotic analysis (default: finite-key)");
    cmd->add_flag("--optimise", o.optimise,
                  "Predictions: search the intensities (SNS: mu_z, eps, p_z; PM: mu, p_key), the decoys and their "
                  "probabilities for the longest key, "
                  "then certify the optimum");
    cmd->add_flag("--json", o.json, "Print one JSON object (an array for a sweep)");
    cmd->add_flag("--csv", o.csv, "Print CSV: a header line and one row per point");
    cmd->add_option("--plot", o.plot, "Also write an SVG plot of the key rate against distance")->type_name("FILE.svg");
    cmd->add_option("--clock-hz", o.clock_hz, "Pulses per second, overriding clock_hz: adds the rate per second")
        ->type_name("HZ");
    cmd->add_option("--compare", o.compare,
                    "With --plot: also draw the rate of this prediction file (another protocol or devices), at the "
                    "same distances and analysis; repeatable")
        ->type_name("FILE");
    return cmd;
}

// A compared curve's legend entry: the protocol and the start of the description (the box is narrow).
std::string legend_label(const Scenario& s) {
    std::string label = protocol_label(s.protocol) + (s.description.empty() ? "" : ": " + s.description);
    if (label.size() > 52) label = label.substr(0, 50) + "...";
    return label;
}

// The points of a scenario: one per sweep distance, or the one link (moved to `distance`).
std::variant<std::vector<PointResult>, std::string> compute_points(const Loaded& loaded, const std::optional<double>& distance,
                                                                   const std::optional<Sweep>& sweep, Analysis analysis,
                                                                   bool optimise) {
    const Scenario& s = loaded.scenario;
    std::vector<std::optional<LinkSpec>> links;
    if (sweep) {
        for (double km : sweep->points) {
            LinkSpec l = *s.link;
            l.distance_km = km;
            links.push_back(l);
        }
    } else {
        std::optional<LinkSpec> l = s.link;
        if (distance) l->distance_km = *distance;
        links.push_back(l);
    }
    std::vector<PointResult> points;
    points.reserve(links.size());
    for (const auto& l : links) {
        // The libraries report through Result, but the standard library's special functions and
        // Boost can throw (std::cyl_bessel_i beyond its range, allocation): never a crash.
        std::optional<Result<PointResult>> attempt;
        try {
            attempt.emplace(compute(s, l, analysis, optimise, loaded.hardware ? &*loaded.hardware : nullptr));
        } catch (const std::exception& e) {
            const std::string where = l && l->symmetric ? " at " + position_text(*l) : "";
            return "the computation" + where + " failed: " + e.what();
        }
        auto& p = *attempt;
        if (!p) {
            const std::string where = sweep ? " (at " + position_text(*l) + ")" : "";
            return library_error(p.error()) + where;
        }
        points.push_back(std::move(p.value()));
    }
    return points;
}

int run_keyrate(const KeyrateOptions& o) {
    const std::string& file = o.file;
    if (file.empty()) {
        std::fprintf(stderr, "tfqkd: keyrate: no input file; usage: tfqkd keyrate FILE [flags] (see --help)\n");
        return kExitInput;
    }
    if (o.json && o.csv) return input_error(file, "--json and --csv: choose one output format");
    if (!o.distance.empty() && !o.sweep.empty())
        return input_error(file, "--distance and --sweep: choose one (a sweep sets the distance of each point)");
    auto read = load_file(file);
    if (const auto* e = std::get_if<std::string>(&read)) return input_error(file, *e);
    Loaded& loaded = std::get<Loaded>(read);
    Scenario& s = loaded.scenario;

    // Flags.
    std::optional<double> distance;
    std::optional<Sweep> sweep;
    std::optional<double> clock_hz = s.clock_hz;
    const Analysis analysis = o.asymptotic ? Analysis::asymptotic : Analysis::finite;
    if (!o.distance.empty()) {
        distance = scenario::parse_number(o.distance);
        if (!distance) return input_error(file, "--distance: \"" + o.distance + "\" is not a number; accepted: a distance in km, >= 0");
        if (*distance < 0)
            return input_error(file, "--distance: " + o.distance + " is outside [0, inf) (total fibre length in km, half per arm)");
    }
    if (!o.sweep.empty()) {
        std::string problem;
        sweep = parse_sweep(o.sweep, problem);
        if (!sweep) return input_error(file, "--sweep: " + problem);
    }
    if (!o.clock_hz.empty()) {
        clock_hz = scenario::parse_number(o.clock_hz);
        if (!clock_hz || !(*clock_hz > 0))
            return input_error(file, "--clock-hz: \"" + o.clock_hz + "\" is not accepted; accepted: pulses per second, a number > 0");
    }
    if (s.kind == Kind::certify && (distance || sweep))
        return input_error(file, std::string(distance ? "--distance" : "--sweep") +
                                     ": applies to predictions; this file holds observed statistics (\"counts\"), "
                                     "which were measured at one distance");
    if (s.kind == Kind::certify && o.optimise)
        return input_error(file, "--optimise: applies to predictions; observed statistics were measured with the "
                                 "parameters they were measured with");
    if (s.kind == Kind::hardware && !s.link->symmetric && (distance || sweep))
        return input_error(file, std::string(distance ? "--distance" : "--sweep") +
                                     ": hardware.fibre gives arms of different lengths (or extra losses); a distance "
                                     "applies to equal arms, half the fibre each");
    if (s.kind == Kind::predict && !s.link->symmetric && (distance || sweep))
        return input_error(file, std::string(distance ? "--distance" : "--sweep") +
                                     ": link gives arm losses, not a distance; use {\"distance_km\", "
                                     "\"attenuation_db_per_km\"} to vary the distance");
    if (s.kind == Kind::predict && s.link->symmetric && !s.link->distance_km && !distance && !sweep)
        return input_error(file, "link.distance_km: missing required field (total fibre length in km); "
                                 "give it in the file or with --distance or --sweep");
    if (!o.plot.empty() && !s.link)
        return input_error(file, "--plot: the rate is drawn against distance, which observed statistics do not give; "
                                 "add \"reference_link\" to the file to place it");
    if (s.kind == Kind::certify && s.ec_efficiency_given && s.counts.key.ec_leakage_bits)
        std::fprintf(stderr, "tfqkd: %s: note: ec_efficiency is not used: counts.key.ec_leakage_bits gives the measured leakage\n",
                     file.c_str());

    // The points, and those of the scenarios compared on the plot (the same distances and analysis).
    auto computed = compute_points(loaded, distance, sweep, analysis, o.optimise);
    if (const auto* e = std::get_if<std::string>(&computed)) return input_error(file, *e);
    const std::vector<PointResult>& points = std::get<std::vector<PointResult>>(computed);
    std::vector<keyrate::PlotCurve> compared;
    if (!o.compare.empty() && o.plot.empty())
        return input_error(file, "--compare: adds curves to the plot; give --plot FILE.svg too");
    for (const std::string& other : o.compare) {
        auto other_read = load_file(other);
        if (const auto* e = std::get_if<std::string>(&other_read)) return input_error(other, *e);
        const Loaded& other_loaded = std::get<Loaded>(other_read);
        const Scenario& os = other_loaded.scenario;
        if (os.kind == Kind::certify || !os.link->symmetric || !s.link->symmetric)
            return input_error(other, "--compare: compares predictions over a symmetric link (a distance), as the plot's "
                                      "axis is; this file holds observed statistics or arm losses");
        auto other_points = compute_points(other_loaded, distance, sweep, analysis, o.optimise);
        if (const auto* e = std::get_if<std::string>(&other_points)) return input_error(other, *e);
        keyrate::PlotCurve curve;
        curve.label = legend_label(os);
        for (const auto& p : std::get<std::vector<PointResult>>(other_points))
            curve.rate.emplace_back(*p.link->distance_km, rates(p, std::nullopt).per_pulse);
        compared.push_back(std::move(curve));
    }

    // Output.
    if (o.json) {
        if (sweep) {
            Json all = Json::array();
            for (const auto& p : points) all.push_back(result_json(s, p, analysis, clock_hz));
            std::cout << all.dump(2) << '\n';
        } else {
            std::cout << result_json(s, points.front(), analysis, clock_hz).dump(2) << '\n';
        }
    } else if (o.csv) {
        print_csv(s, points, analysis, clock_hz);
    } else {
        print_table(file, s, points, analysis, clock_hz, sweep.has_value());
    }
    std::cout.flush();
    if (!o.plot.empty()) {
        keyrate::PlotData data = plot_data(s, points, analysis, sweep);
        if (!compared.empty()) {
            // Several protocols: the title names none; the legend names each (this file's first).
            data.title = "Twin-field QKD: certified key rates, " +
                         std::string(analysis == Analysis::finite ? "finite-key" : "asymptotic") +
                         ", N = " + power_text(static_cast<double>(s.protocol.pulses)) + " pulses (this file)";
            data.notes.insert(data.notes.begin(), "This file's curve: " + data.curve_label + ".");
            data.curve_label = legend_label(s);
            data.compared = std::move(compared);
        }
        const std::string svg = keyrate::render_svg(data);
        std::ofstream out(o.plot, std::ios::binary);
        out << svg;
        out.close();
        if (!out) {
            std::fprintf(stderr, "tfqkd: %s: cannot write the plot\n", o.plot.c_str());
            return kExitOutput;
        }
        if (!o.json && !o.csv) std::printf("Plot written to %s\n", o.plot.c_str());
    }
    return 0;
}

}  // namespace tfqkd::cli
