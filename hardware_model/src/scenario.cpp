// Reading the input files of `tfqkd keyrate`: docs/keyrate.md, sections "Prediction input" and
// "Statistics input", is the specification of every field read here.
#include "hardware_model/scenario.hpp"
#include "json_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <numbers>
#include <utility>
#include <set>
#include <vector>

namespace tfqkd::hardware_model::scenario {
namespace {

using json_text::child;
using json_text::describe;
using json_text::show;

using nlohmann::json;
using security::Setting;
using security::Window;

// Thrown inside this file only; parse_scenario turns it into its result.
struct Failure {
    InputError error;
};

[[noreturn]] void fail(std::string path, std::string message) {
    throw Failure{InputError{std::move(path), std::move(message)}};
}


std::string element(const std::string& path, std::size_t index) {
    return path + "[" + std::to_string(index) + "]";
}



std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0U : 1U)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// A JSON object whose keys are checked against the accepted ones when it is opened.
class Object {
public:
    Object(const json& j, std::string path, std::initializer_list<std::string_view> accepted, std::string_view what)
        : j_(j), path_(std::move(path)), accepted_(accepted) {
        if (!j.is_object()) fail(path_, "expected an object (" + std::string(what) + "), got " + describe(j));
        for (const auto& item : j.items()) {
            const std::string& key = item.key();
            if (std::find(accepted_.begin(), accepted_.end(), key) != accepted_.end()) continue;
            std::string message = "unknown field";
            std::string_view closest;
            std::size_t best = std::numeric_limits<std::size_t>::max();
            for (std::string_view a : accepted_) {
                const std::size_t d = edit_distance(key, a);
                if (d < best) {
                    best = d;
                    closest = a;
                }
            }
            if (best <= 2 && best < closest.size() / 2 + 1) message += " (did you mean " + std::string(closest) + "?)";
            message += "; accepted" + std::string(path_.empty() ? " at the top level" : " in " + path_) + ": ";
            for (std::size_t i = 0; i < accepted_.size(); ++i) message += (i ? ", " : "") + std::string(accepted_[i]);
            fail(child(path_, key), message);
        }
    }

    const std::string& path() const { return path_; }
    std::string path(std::string_view key) const { return child(path_, key); }
    const json* find(std::string_view key) const {
        const auto it = j_.find(key);
        return it == j_.end() ? nullptr : &*it;
    }
    const json& require(std::string_view key, std::string_view what) const {
        const json* v = find(key);
        if (v == nullptr) fail(path(key), "missing required field (" + std::string(what) + ")");
        return *v;
    }

private:
    const json& j_;
    std::string path_;
    std::vector<std::string_view> accepted_;
};

// An interval of accepted numbers, as in "(0, 1]".
struct Range {
    double lower;
    bool lower_open;
    double upper;
    bool upper_open;

    bool contains(double x) const {
        return (lower_open ? x > lower : x >= lower) && (upper_open ? x < upper : x <= upper);
    }
    std::string text() const {
        const auto end = [](double v) {
            if (std::isinf(v)) return std::string(v > 0 ? "inf" : "-inf");
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", v);
            return std::string(buf);
        };
        return std::string(lower_open ? "(" : "[") + end(lower) + ", " + end(upper) + (upper_open ? ")" : "]");
    }
};

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr Range kProbability{0, true, 1, false};       // (0, 1]
constexpr Range kEpsilon{0, true, 1, true};            // (0, 1)
constexpr Range kNonNegative{0, false, kInf, true};    // [0, inf)
constexpr Range kPositive{0, true, kInf, true};        // (0, inf)
// Counts are doubles in the library: whole numbers are exact up to 2^53.
constexpr std::uint64_t kMaxWhole = std::uint64_t{1} << 53;

double number(const json& j, const std::string& path, const Range& range, std::string_view what) {
    if (!j.is_number()) fail(path, "expected a number (" + std::string(what) + "), got " + describe(j));
    const double x = j.get<double>();
    if (!std::isfinite(x) || !range.contains(x))
        fail(path, show(j) + " is outside " + range.text() + " (" + std::string(what) + ")");
    return x;
}

// A whole number: a JSON integer, or a number such as 1e12 with no fractional part.
std::uint64_t whole(const json& j, const std::string& path, std::uint64_t lower, std::uint64_t upper,
                    std::string_view what) {
    const auto range_text = [&] {
        return "a whole number from " + std::to_string(lower) + " to " +
               (upper == kMaxWhole ? std::string("2^53") : std::to_string(upper));
    };
    std::uint64_t value = 0;
    if (j.is_number_unsigned()) {
        value = j.get<std::uint64_t>();
    } else if (j.is_number_integer()) {
        fail(path, show(j) + " is negative; expected " + range_text() + " (" + std::string(what) + ")");
    } else if (j.is_number_float()) {
        const double x = j.get<double>();
        if (x != std::floor(x))
            fail(path, show(j) + " is not a whole number; expected " + range_text() + " (" + std::string(what) + ")");
        if (x < 0) fail(path, show(j) + " is negative; expected " + range_text() + " (" + std::string(what) + ")");
        if (x > static_cast<double>(upper))
            fail(path, show(j) + " is outside the accepted range: " + range_text() + " (" + std::string(what) + ")");
        value = static_cast<std::uint64_t>(x);
    } else {
        fail(path, "expected " + range_text() + " (" + std::string(what) + "), got " + describe(j));
    }
    if (value < lower || value > upper)
        fail(path, show(j) + " is outside the accepted range: " + range_text() + " (" + std::string(what) + ")");
    return value;
}

bool boolean(const json& j, const std::string& path, std::string_view what) {
    if (!j.is_boolean()) fail(path, "expected true or false (" + std::string(what) + "), got " + describe(j));
    return j.get<bool>();
}

std::string text(const json& j, const std::string& path, std::string_view what) {
    if (!j.is_string()) fail(path, "expected a string (" + std::string(what) + "), got " + describe(j));
    return j.get<std::string>();
}

std::optional<double> optional_number(const Object& o, std::string_view key, const Range& range, std::string_view what) {
    const json* v = o.find(key);
    if (v == nullptr) return std::nullopt;
    return number(*v, o.path(key), range, what);
}

// --- protocol ---------------------------------------------------------------------------------

std::vector<Setting> read_party(const json& j, const std::string& path) {
    if (!j.is_array())
        fail(path, "expected an array of settings {\"window\", \"intensity\", \"probability\"}, got " + describe(j));
    if (j.empty()) fail(path, "the list of settings is empty; SNS takes 4 or 5 settings, PM 4, mode_pairing 3");
    if (j.size() > 64) fail(path, std::to_string(j.size()) + " settings; at most 64 are accepted");
    std::vector<Setting> settings;
    double sum = 0;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const Object s(j[i], element(path, i), {"window", "intensity", "probability"}, "a setting");
        Setting setting;
        const json& w = s.require("window", "\"z\" (key) or \"x\" (test and decoy)");
        const std::string window = text(w, s.path("window"), "\"z\" or \"x\"");
        if (window == "z") setting.window = Window::z;
        else if (window == "x") setting.window = Window::x;
        else fail(s.path("window"), show(w) + " is not a window; accepted: \"z\" (key) or \"x\" (test and decoy)");
        // The channel model's Bessel functions and exponentials stay finite far beyond any intensity
        // of TF-QKD (below a few photons); 100 leaves room and keeps them so.
        setting.intensity = number(s.require("intensity", "mean photon number, in [0, 100]; 0 is vacuum"),
                                   s.path("intensity"), Range{0, false, 100, false}, "mean photon number per pulse");
        setting.probability = number(s.require("probability", "probability of choosing this setting, in (0, 1]"),
                                     s.path("probability"), kProbability, "probability of choosing this setting");
        sum += setting.probability;
        settings.push_back(setting);
    }
    if (std::abs(sum - 1) > 1e-9)
        fail(path, "the probabilities sum to " + json(sum).dump() + "; they must sum to 1 (within 1e-9)");
    return settings;
}

security::ProtocolParameters read_protocol(const json& j) {
    const Object o(j, "protocol",
                   {"family", "aopp", "pulses", "phase_slices", "phase_match_slices", "max_pairing_interval", "alice", "bob"},
                   "the protocol and its settings");
    security::ProtocolParameters p;
    const json& family = o.require("family", "the protocol family: \"sns\", \"pm\", \"cal19\" or \"mode_pairing\"");
    const std::string name = text(family, o.path("family"), "the protocol family");
    if (name == "sns") {
        p.family = security::Family::sns;
    } else if (name == "pm") {
        p.family = security::Family::pm;
    } else if (name == "cal19") {
        p.family = security::Family::cal19;
    } else if (name == "mode_pairing") {
        p.family = security::Family::mode_pairing;
    } else {
        fail(o.path("family"),
             show(family) + " is not a protocol family; accepted: \"sns\", \"pm\", \"cal19\", \"mode_pairing\"");
    }
    if (const json* v = o.find("aopp")) p.aopp = boolean(*v, o.path("aopp"), "actively odd-parity pairing");
    p.pulses = whole(o.require("pulses", "N, pulses sent by each party, a whole number such as 1e12"), o.path("pulses"),
                     1, kMaxWhole, "N, pulses sent by each party");
    if (const json* v = o.find("phase_slices"))
        p.phase_slices = static_cast<std::uint32_t>(whole(*v, o.path("phase_slices"), 1, 1U << 16, "M, phase slices"));
    if (const json* v = o.find("phase_match_slices"))
        p.phase_match_slices = static_cast<std::uint32_t>(
            whole(*v, o.path("phase_match_slices"), 0, 1U << 15, "slices of difference kept as phase-matched"));
    if (2 * p.phase_match_slices >= p.phase_slices)
        fail(o.path("phase_match_slices"), std::to_string(p.phase_match_slices) +
                                               " is too large: it must be below phase_slices / 2 (phase_slices is " +
                                               std::to_string(p.phase_slices) + ")");
    // Mode pairing (docs/security.md 9.1): l, the most rounds between the two rounds of a pair.
    if (const json* v = o.find("max_pairing_interval")) {
        if (p.family != security::Family::mode_pairing)
            fail(o.path("max_pairing_interval"), "is given, but only the mode_pairing family pairs rounds; remove it");
        p.max_pairing_interval = static_cast<std::uint32_t>(
            whole(*v, o.path("max_pairing_interval"), 1, 4'000'000'000U, "l, the maximal pairing interval in rounds"));
    } else if (p.family == security::Family::mode_pairing) {
        fail(o.path("max_pairing_interval"), "missing: the mode_pairing family needs l, the maximal pairing interval "
                                             "in rounds (a whole number >= 1, such as 1000)");
    }
    if (p.family == security::Family::mode_pairing && p.phase_slices % 2 != 0)
        fail(o.path("phase_slices"), std::to_string(p.phase_slices) +
                                         " is odd; mode_pairing sifts relative phases modulo pi and needs an even M");
    p.alice = read_party(o.require("alice", "Alice's settings"), o.path("alice"));
    if (const json* v = o.find("bob")) p.bob = read_party(*v, o.path("bob"));
    else p.bob = p.alice;
    if (p.family == security::Family::pm) {
        // The PM roles, checked here so that the error names the party's list and the family.
        for (const auto& [party, settings] : {std::pair{"alice", &p.alice}, std::pair{"bob", &p.bob}}) {
            const auto roles = security::pm_roles(*settings, party);
            if (!roles)
                fail(o.path(party), roles.error().detail +
                                        " (protocol.family \"pm\" takes one key setting {\"window\": \"z\", intensity "
                                        "mu/2 > 0}, one X vacuum and two X decoys of different intensities)");
        }
    }
    if (p.family == security::Family::cal19) {
        for (const auto& [party, settings] : {std::pair{"alice", &p.alice}, std::pair{"bob", &p.bob}}) {
            const auto roles = security::cal19_roles(*settings, party);
            if (!roles)
                fail(o.path(party), roles.error().detail +
                                        " (protocol.family \"cal19\" takes one key setting {\"window\": \"z\", intensity "
                                        "alpha^2 > 0} and at least two X decoys of different intensities)");
        }
    }
    if (p.family == security::Family::mode_pairing) {
        for (const auto& [party, settings] : {std::pair{"alice", &p.alice}, std::pair{"bob", &p.bob}}) {
            const auto roles = security::mp_roles(*settings, party);
            if (!roles)
                fail(o.path(party), roles.error().detail +
                                        " (protocol.family \"mode_pairing\" takes three settings of window \"z\": "
                                        "intensities 0, nu and mu > nu)");
        }
    }
    return p;
}

security::SecurityParameters read_security(const json* j) {
    security::SecurityParameters s;
    if (j == nullptr) return s;
    const Object o(*j, "security", {"eps_cor", "eps_pa", "eps_pe", "eps_smooth", "eps_total"},
                   "failure probabilities");
    const auto eps = [&](std::string_view key, double& field, std::string_view what) {
        if (auto v = optional_number(o, key, kEpsilon, what)) field = *v;
    };
    eps("eps_cor", s.eps_cor, "correctness failure probability");
    eps("eps_pa", s.eps_pa, "privacy-amplification failure probability");
    eps("eps_pe", s.eps_pe, "failure probability of each parameter estimate");
    eps("eps_smooth", s.eps_smooth, "smoothing parameter of the min-entropy");
    eps("eps_total", s.eps_total, "the budget the composed failure probability must not exceed");
    return s;
}

// --- link and devices ----------------------------------------------------------------------------

LinkSpec read_link(const json& j, const std::string& path) {
    const Object o(j, path, {"distance_km", "attenuation_db_per_km", "arm_loss_alice_db", "arm_loss_bob_db"},
                   "{distance_km, attenuation_db_per_km} or {arm_loss_alice_db, arm_loss_bob_db}");
    const bool distance_form = o.find("distance_km") || o.find("attenuation_db_per_km");
    const bool arm_form = o.find("arm_loss_alice_db") || o.find("arm_loss_bob_db");
    LinkSpec link;
    if (distance_form && arm_form)
        fail(path, "gives both a distance and arm losses; accepted: {distance_km, attenuation_db_per_km} "
                   "(a symmetric fibre link) or {arm_loss_alice_db, arm_loss_bob_db}");
    if (arm_form) {
        link.symmetric = false;
        link.arm_loss_alice_db = number(o.require("arm_loss_alice_db", "loss from Alice to the relay in dB, >= 0"),
                                        o.path("arm_loss_alice_db"), kNonNegative, "loss of Alice's arm in dB");
        link.arm_loss_bob_db = number(o.require("arm_loss_bob_db", "loss from Bob to the relay in dB, >= 0"),
                                      o.path("arm_loss_bob_db"), kNonNegative, "loss of Bob's arm in dB");
        return link;
    }
    link.distance_km = optional_number(o, "distance_km", kNonNegative, "total fibre length in km, half per arm");
    if (auto a = optional_number(o, "attenuation_db_per_km", kPositive, "fibre attenuation in dB/km"))
        link.attenuation_db_per_km = *a;
    return link;
}

DeviceSpec read_devices(const Object& top) {
    DeviceSpec d;
    const Object det(top.require("detector", "{efficiency, dark_count_probability}"), "detector",
                     {"efficiency", "dark_count_probability"}, "the relay's detectors");
    d.detector_efficiency = number(det.require("efficiency", "detection efficiency in (0, 1]"),
                                   det.path("efficiency"), kProbability, "detection efficiency");
    d.dark_count_probability =
        number(det.require("dark_count_probability", "per detector per pulse, in [0, 1)"),
               det.path("dark_count_probability"), Range{0, false, 1, true}, "dark-count probability per pulse");
    d.misalignment = number(top.require("misalignment", "e_d, the fraction of light at the wrong detector, in [0, 0.5]"),
                            "misalignment", Range{0, false, 0.5, false}, "e_d, fraction of light at the wrong detector");
    if (auto v = optional_number(top, "phase_noise_rad", Range{0, false, std::numbers::pi, false},
                                 "standard deviation of the residual phase in radians"))
        d.phase_noise_rad = *v;
    return d;
}

// --- counts ------------------------------------------------------------------------------------

security::Count count(const Object& o, std::string_view key, std::string_view what) {
    return static_cast<security::Count>(
        whole(o.require(key, what), o.path(key), 0, kMaxWhole, "an observed count: a non-negative whole number"));
}

// PM (docs/keyrate.md): the phase-matched test classes and the key with its matched windows.
security::CountStatistics read_pm_counts(const json& j, const security::ProtocolParameters& p) {
    const Object o(j, "counts", {"matched", "key"}, "observed PM statistics");
    security::CountStatistics c;
    const json& matched = o.require("matched", "the phase-matched test classes vacuum-vacuum, nu_1-nu_1, nu_2-nu_2");
    const std::string matched_path = o.path("matched");
    if (!matched.is_array())
        fail(matched_path, "expected an array of {alice, bob, windows, effective, errors}, got " + describe(matched));
    for (std::size_t i = 0; i < matched.size(); ++i) {
        const Object k(matched[i], element(matched_path, i), {"alice", "bob", "windows", "effective", "errors"},
                       "the counts of one phase-matched test class");
        security::MatchedClassCounts mc;
        const auto index = [&](std::string_view key, std::size_t settings, std::string_view party) {
            const std::uint64_t v = whole(k.require(key, "index of the setting in protocol." + std::string(party)),
                                          k.path(key), 0, kMaxWhole, "index into protocol." + std::string(party));
            if (v >= settings)
                fail(k.path(key), std::to_string(v) + " names no setting: protocol." + std::string(party) +
                                      " has settings 0 to " + std::to_string(settings - 1));
            return static_cast<std::size_t>(v);
        };
        mc.alice = index("alice", p.alice.size(), "alice");
        mc.bob = index("bob", p.bob.size(), "bob");
        mc.windows = count(k, "windows", "phase-matched windows of this class");
        mc.effective = count(k, "effective", "of which heralded by exactly one detector");
        mc.errors = count(k, "errors", "of which at the detector the matched phase makes dark");
        if (mc.effective > mc.windows) fail(k.path("effective"), "exceeds windows (" + json(mc.windows).dump() + ")");
        if (mc.errors > mc.effective) fail(k.path("errors"), "exceeds effective (" + json(mc.effective).dump() + ")");
        for (std::size_t e = 0; e < c.matched.size(); ++e)
            if (c.matched[e].alice == mc.alice && c.matched[e].bob == mc.bob)
                fail(element(matched_path, i), "repeats the class alice " + std::to_string(mc.alice) + ", bob " +
                                                   std::to_string(mc.bob) + " of matched[" + std::to_string(e) + "]");
        c.matched.push_back(mc);
    }
    const Object key(o.require("key", "{windows, effective, errors, ec_leakage_bits} of the matched key windows"),
                     o.path("key"), {"windows", "effective", "errors", "ec_leakage_bits"}, "the sifted key");
    c.key.windows = count(key, "windows", "W, phase-matched key windows (heralded or not)");
    if (!(c.key.windows > 0)) fail(key.path("windows"), "is 0; PM needs the phase-matched key windows W > 0");
    c.key.effective = count(key, "effective", "n_key, effective events in matched key windows (sifted key bits)");
    c.key.errors = count(key, "errors", "bit errors in the sifted key");
    if (key.find("ec_leakage_bits"))
        c.key.ec_leakage_bits = count(key, "ec_leakage_bits", "bits disclosed by error correction");
    if (c.key.effective > c.key.windows)
        fail(key.path("effective"), "exceeds windows (" + json(c.key.windows).dump() + ")");
    if (c.key.errors > c.key.effective)
        fail(key.path("errors"), "exceeds effective (" + json(c.key.effective).dump() + ")");
    return c;
}

// Mode pairing (docs/keyrate.md): what pairing produced, the pair classes, and the key.
security::CountStatistics read_mp_counts(const json& j, const security::ProtocolParameters& p) {
    const Object o(j, "counts", {"mode_pairing", "key"}, "observed mode-pairing statistics");
    security::CountStatistics c;
    const Object m(o.require("mode_pairing", "{heralded_rounds, pairs, classes}: what pairing produced"),
                   o.path("mode_pairing"), {"heralded_rounds", "pairs", "classes"}, "the pairs and their classes");
    security::ModePairingCounts mp;
    mp.heralded_rounds = count(m, "heralded_rounds", "rounds in which exactly one detector clicked");
    mp.pairs = count(m, "pairs", "pairs formed, each of two heralded rounds at most max_pairing_interval apart");
    if (mp.heralded_rounds > static_cast<double>(p.pulses))
        fail(m.path("heralded_rounds"), "exceeds protocol.pulses (" + std::to_string(p.pulses) + ")");
    if (2 * mp.pairs > mp.heralded_rounds)
        fail(m.path("pairs"), "exceeds half of heralded_rounds (" + json(mp.heralded_rounds).dump() +
                                  "): each pair takes two heralded rounds");
    const json& classes = m.require("classes", "the pair classes: Z and X pairs by the intensities of both parties");
    const std::string classes_path = m.path("classes");
    if (!classes.is_array())
        fail(classes_path, "expected an array of {basis, alice, bob, pairs, errors}, got " + describe(classes));
    for (std::size_t i = 0; i < classes.size(); ++i) {
        const Object k(classes[i], element(classes_path, i), {"basis", "alice", "bob", "pairs", "errors"},
                       "the counts of one pair class");
        security::ModePairingClassCounts cc;
        const json& b = k.require("basis", "\"z\" (one round vacuum) or \"x\" (both rounds the same intensity)");
        const std::string basis = text(b, k.path("basis"), "\"z\" or \"x\"");
        if (basis == "z") cc.basis = security::PairBasis::z;
        else if (basis == "x") cc.basis = security::PairBasis::x;
        else fail(k.path("basis"), show(b) + " is not a pair basis; accepted: \"z\" or \"x\"");
        const auto index = [&](std::string_view key, std::size_t settings, std::string_view party) {
            const std::uint64_t v = whole(k.require(key, "index of the pair's intensity in protocol." + std::string(party)),
                                          k.path(key), 0, kMaxWhole, "index into protocol." + std::string(party));
            if (v >= settings)
                fail(k.path(key), std::to_string(v) + " names no setting: protocol." + std::string(party) +
                                      " has settings 0 to " + std::to_string(settings - 1));
            return static_cast<std::size_t>(v);
        };
        cc.alice = index("alice", p.alice.size(), "alice");
        cc.bob = index("bob", p.bob.size(), "bob");
        cc.pairs = count(k, "pairs", "pairs of this class (X: those kept by phase sifting)");
        if (k.find("errors")) cc.errors = count(k, "errors", "X: pairs whose bit Bob infers wrongly");
        if (cc.errors > cc.pairs) fail(k.path("errors"), "exceeds pairs (" + json(cc.pairs).dump() + ")");
        for (std::size_t e = 0; e < mp.classes.size(); ++e)
            if (mp.classes[e].basis == cc.basis && mp.classes[e].alice == cc.alice && mp.classes[e].bob == cc.bob)
                fail(element(classes_path, i), "repeats the class " + basis + " alice " + std::to_string(cc.alice) +
                                                   ", bob " + std::to_string(cc.bob) + " of classes[" + std::to_string(e) + "]");
        mp.classes.push_back(cc);
    }
    c.mode_pairing = std::move(mp);
    const Object key(o.require("key", "{effective, errors, ec_leakage_bits} of the signal-signal Z pairs"), o.path("key"),
                     {"effective", "errors", "ec_leakage_bits"}, "the sifted key");
    c.key.effective = count(key, "effective", "n_key, signal-signal Z pairs (sifted key bits)");
    c.key.errors = count(key, "errors", "bit errors in the sifted key");
    if (key.find("ec_leakage_bits"))
        c.key.ec_leakage_bits = count(key, "ec_leakage_bits", "bits disclosed by error correction");
    if (c.key.errors > c.key.effective)
        fail(key.path("errors"), "exceeds effective (" + json(c.key.effective).dump() + ")");
    return c;
}

// The announced classes {alice, bob, sent, left, right, both} (SNS and CAL19).
void read_classes(const Object& o, const security::ProtocolParameters& p, security::CountStatistics& c) {
    const json& classes = o.require("classes", "the announced X-X classes");
    const std::string classes_path = o.path("classes");
    if (!classes.is_array())
        fail(classes_path, "expected an array of {alice, bob, sent, left, right, both}, got " + describe(classes));
    for (std::size_t i = 0; i < classes.size(); ++i) {
        const Object k(classes[i], element(classes_path, i), {"alice", "bob", "sent", "left", "right", "both"},
                       "the counts of one class");
        security::ClassCounts cc;
        const auto index = [&](std::string_view key, std::size_t settings, std::string_view party) {
            const std::uint64_t v = whole(k.require(key, "index of the setting in protocol." + std::string(party)),
                                          k.path(key), 0, kMaxWhole, "index into protocol." + std::string(party));
            if (v >= settings)
                fail(k.path(key), std::to_string(v) + " names no setting: protocol." + std::string(party) + " has settings 0 to " +
                                      std::to_string(settings - 1));
            return static_cast<std::size_t>(v);
        };
        cc.alice = index("alice", p.alice.size(), "alice");
        cc.bob = index("bob", p.bob.size(), "bob");
        cc.sent = count(k, "sent", "windows of this class");
        cc.left = count(k, "left", "windows where only the left detector clicked");
        cc.right = count(k, "right", "windows where only the right detector clicked");
        if (k.find("both")) cc.both = count(k, "both", "windows where both detectors clicked");
        if (cc.left + cc.right + cc.both > cc.sent)
            fail(element(classes_path, i), json(cc.left + cc.right + cc.both).dump() + " windows with clicks (left + right + both) "
                                               "exceed the " + json(cc.sent).dump() + " windows sent");
        for (std::size_t e = 0; e < c.classes.size(); ++e)
            if (c.classes[e].alice == cc.alice && c.classes[e].bob == cc.bob)
                fail(element(classes_path, i), "repeats the class alice " + std::to_string(cc.alice) + ", bob " +
                                                   std::to_string(cc.bob) + " of classes[" + std::to_string(e) + "]");
        c.classes.push_back(cc);
    }
}

// CAL19 (docs/keyrate.md): every X-X test class and the key.
security::CountStatistics read_cal19_counts(const json& j, const security::ProtocolParameters& p) {
    const Object o(j, "counts", {"classes", "key"}, "observed CAL19 statistics");
    security::CountStatistics c;
    read_classes(o, p, c);
    for (std::size_t i = 0; i < c.classes.size(); ++i)
        if (p.alice[c.classes[i].alice].window != security::Window::x || p.bob[c.classes[i].bob].window != security::Window::x)
            fail(element(o.path("classes"), i), "names a key setting; CAL19 announces the X-X test classes only");
    const Object key(o.require("key", "{windows, effective, errors, ec_leakage_bits} of the key windows"), o.path("key"),
                     {"windows", "effective", "errors", "ec_leakage_bits"}, "the sifted key");
    if (key.find("windows")) c.key.windows = count(key, "windows", "key windows (both chose the key setting)");
    c.key.effective = count(key, "effective", "M, effective events in key windows (sifted key bits)");
    c.key.errors = count(key, "errors", "bit errors in the sifted key");
    if (key.find("ec_leakage_bits"))
        c.key.ec_leakage_bits = count(key, "ec_leakage_bits", "bits disclosed by error correction");
    if (key.find("windows") && c.key.effective > c.key.windows)
        fail(key.path("effective"), "exceeds windows (" + json(c.key.windows).dump() + ")");
    if (c.key.errors > c.key.effective)
        fail(key.path("errors"), "exceeds effective (" + json(c.key.effective).dump() + ")");
    return c;
}

security::CountStatistics read_counts(const json& j, const security::ProtocolParameters& p) {
    if (p.family == security::Family::pm) return read_pm_counts(j, p);
    if (p.family == security::Family::cal19) return read_cal19_counts(j, p);
    if (p.family == security::Family::mode_pairing) return read_mp_counts(j, p);
    const Object o(j, "counts", {"classes", "phase_matched", "key", "aopp"}, "observed statistics");
    security::CountStatistics c;
    read_classes(o, p, c);
    const Object m(o.require("phase_matched", "{windows, effective, errors} of the phase-matched X1 windows"),
                   o.path("phase_matched"), {"windows", "effective", "errors"}, "phase-matched X1 windows");
    c.phase_matched.windows = count(m, "windows", "phase-matched X1 windows");
    c.phase_matched.effective = count(m, "effective", "of which heralded by exactly one detector");
    c.phase_matched.errors = count(m, "errors", "of which at the detector the matched phase makes dark");
    if (c.phase_matched.effective > c.phase_matched.windows)
        fail(m.path("effective"), "exceeds windows (" + json(c.phase_matched.windows).dump() + ")");
    if (c.phase_matched.errors > c.phase_matched.effective)
        fail(m.path("errors"), "exceeds effective (" + json(c.phase_matched.effective).dump() + ")");
    const Object key(o.require("key", "{effective, errors, ec_leakage_bits} of the Z-Z key windows"), o.path("key"),
                     {"effective", "errors", "ec_leakage_bits"}, "the sifted key");
    c.key.effective = count(key, "effective", "n_t, effective events in Z-Z windows (sifted key bits)");
    c.key.errors = count(key, "errors", "bit errors in the sifted key");
    if (key.find("ec_leakage_bits"))
        c.key.ec_leakage_bits = count(key, "ec_leakage_bits", "bits disclosed by error correction");
    if (c.key.errors > c.key.effective)
        fail(key.path("errors"), "exceeds effective (" + json(c.key.effective).dump() + ")");
    if (p.aopp && !o.find("aopp"))
        fail(o.path("aopp"), "missing: protocol.aopp is true, so the counts need aopp {bob_zeros, bob_ones, pairs}");
    if (!p.aopp && o.find("aopp"))
        fail(o.path("aopp"), "given, but protocol.aopp is false; remove it or set protocol.aopp to true");
    if (p.aopp) {
        const Object a(o.require("aopp", "Bob's raw key and the pairs he formed"), o.path("aopp"),
                       {"bob_zeros", "bob_ones", "pairs"}, "the odd-parity pairing");
        security::AoppCounts pairing;
        pairing.bob_zeros = count(a, "bob_zeros", "effective Z-Z windows in which Bob sent (his bit 0)");
        pairing.bob_ones = count(a, "bob_ones", "effective Z-Z windows in which Bob did not send (his bit 1)");
        pairing.pairs = count(a, "pairs", "pairs of one bit 0 and one bit 1 that Bob formed");
        if (pairing.pairs > std::min(pairing.bob_zeros, pairing.bob_ones))
            fail(a.path("pairs"), "exceeds min(bob_zeros, bob_ones) = " +
                                      json(std::min(pairing.bob_zeros, pairing.bob_ones)).dump());
        if (c.key.effective > pairing.pairs)
            fail(key.path("effective"), "exceeds aopp.pairs (" + json(pairing.pairs).dump() +
                                            "): with AOPP the key keeps one bit per surviving pair");
        c.aopp = pairing;
    }
    return c;
}

// --- duplicate keys ------------------------------------------------------------------------------

// nlohmann keeps the last of repeated keys; a parser callback finds them first, with their path.
class DuplicateKeys {
public:
    bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start:
                next_element();
                stack_.push_back(Frame{true, {}, {}, 0, false});
                break;
            case json::parse_event_t::array_start:
                next_element();
                stack_.push_back(Frame{false, {}, {}, 0, false});
                break;
            case json::parse_event_t::object_end:
            case json::parse_event_t::array_end:
                if (!stack_.empty()) stack_.pop_back();
                break;
            case json::parse_event_t::key:
                if (!stack_.empty() && parsed.is_string()) {
                    Frame& top = stack_.back();
                    top.key = parsed.get<std::string>();
                    if (!top.keys.insert(top.key).second && !found_) {
                        found_ = InputError{path(), "repeated key; each field may appear once in an object"};
                    }
                }
                break;
            case json::parse_event_t::value:
                next_element();
                break;
        }
        return true;
    }
    const std::optional<InputError>& found() const { return found_; }

private:
    struct Frame {
        bool object;
        std::set<std::string> keys;
        std::string key;
        std::size_t index;
        bool started;
    };
    void next_element() {
        if (stack_.empty() || stack_.back().object) return;
        Frame& top = stack_.back();
        if (top.started) ++top.index;
        top.started = true;
    }
    std::string path() const {
        std::string p;
        for (const Frame& f : stack_) p = f.object ? child(p, f.key) : element(p, f.index);
        return p;
    }
    std::vector<Frame> stack_;
    std::optional<InputError> found_;
};

HardwareSpec read_hardware(const json& j) {
    const Object o(j, "hardware",
                   {"alice", "bob", "server", "alice_chip", "bob_chip", "wafer_seed", "fibre", "comb_line", "block_seconds"},
                   "the chip profiles and fibre of the link");
    HardwareSpec h;
    const auto profile = [&](std::string_view key, std::string_view role) {
        std::string name = text(o.require(key, std::string(role) + " profile: a shipped name or a file path"), o.path(key),
                                "a shipped profile name (pku_inp_client, ...) or a path to a profile file");
        if (name.empty()) fail(o.path(key), "is empty; accepted: a shipped profile name or a path to a profile file");
        return name;
    };
    h.alice = profile("alice", "Alice's client");
    h.bob = profile("bob", "Bob's client");
    h.server = profile("server", "the relay server's");
    const auto chip = [&](std::string_view key) -> std::optional<std::uint64_t> {
        const json* v = o.find(key);
        if (v == nullptr) return std::nullopt;
        return whole(*v, o.path(key), 0, kMaxWhole, "the chip's index on the wafer");
    };
    h.alice_chip = chip("alice_chip");
    h.bob_chip = chip("bob_chip");
    if (const json* v = o.find("wafer_seed")) h.wafer_seed = whole(*v, o.path("wafer_seed"), 0, kMaxWhole, "the wafer's seed");
    const Object f(o.require("fibre", "{alice_km, bob_km, loss_db_per_km, extra_loss_alice_db, extra_loss_bob_db}"),
                   o.path("fibre"), {"alice_km", "bob_km", "loss_db_per_km", "extra_loss_alice_db", "extra_loss_bob_db"},
                   "the fibre of each arm");
    h.fibre_alice_km = number(f.require("alice_km", "fibre from Alice to the relay, km"), f.path("alice_km"), kNonNegative,
                              "fibre length of Alice's arm in km");
    h.fibre_bob_km = number(f.require("bob_km", "fibre from Bob to the relay, km"), f.path("bob_km"), kNonNegative,
                            "fibre length of Bob's arm in km");
    h.fibre_loss_db_per_km = optional_number(f, "loss_db_per_km", kPositive, "fibre attenuation in dB/km");
    if (auto v = optional_number(f, "extra_loss_alice_db", kNonNegative, "extra loss of Alice's arm in dB")) h.extra_loss_alice_db = *v;
    if (auto v = optional_number(f, "extra_loss_bob_db", kNonNegative, "extra loss of Bob's arm in dB")) h.extra_loss_bob_db = *v;
    if (const json* v = o.find("comb_line")) {
        const double line = number(*v, o.path("comb_line"), Range{-10000, false, 10000, false}, "comb line index, 0 the centre");
        if (line != std::floor(line)) fail(o.path("comb_line"), "is not a whole number; accepted: a line index in [-10000, 10000]");
        h.comb_line = static_cast<std::int32_t>(line);
    }
    h.block_seconds = optional_number(o, "block_seconds", kPositive, "length of a piecewise-stationary phase block in s");
    return h;
}

Scenario read_scenario(const json& root) {
    if (!root.is_object()) fail("", "expected a JSON object at the top level, got " + describe(root));
    const bool has_counts = root.contains("counts");
    const bool has_link = root.contains("link");
    const bool has_hardware = root.contains("hardware");
    if (int(has_counts) + int(has_link) + int(has_hardware) > 1)
        fail("", "gives more than one of \"link\" (an experiment to predict), \"hardware\" (chip profiles to predict or "
                 "simulate) and \"counts\" (statistics to certify); give one");
    if (!has_counts && !has_link && !has_hardware)
        fail("", "has none of \"link\" (an experiment to predict), \"hardware\" (chip profiles to predict or simulate) "
                 "and \"counts\" (observed statistics to certify)");
    Scenario s;
    s.kind = has_counts ? Kind::certify : (has_link ? Kind::predict : Kind::hardware);
    const Object top = has_counts
                           ? Object(root, "", {"description", "protocol", "security", "counts", "reference_link", "ec_efficiency", "clock_hz", "simulation"},
                                    "observed statistics to certify")
                           : has_link ? Object(root, "", {"description", "protocol", "security", "link", "detector", "misalignment", "phase_noise_rad", "ec_efficiency", "clock_hz"},
                                    "an experiment to predict")
                                      : Object(root, "", {"description", "protocol", "security", "hardware", "seed", "ec_efficiency", "clock_hz"},
                                               "a link of chip profiles to predict or simulate");
    if (const json* d = top.find("description")) s.description = text(*d, "description", "free text for titles");
    s.protocol = read_protocol(top.require("protocol", "{family, pulses, alice, ...}: the protocol and its settings"));
    s.security = read_security(top.find("security"));
    if (auto f = optional_number(top, "ec_efficiency", Range{1, false, kInf, true}, "error-correction inefficiency f >= 1")) {
        s.ec_efficiency = *f;
        s.ec_efficiency_given = true;
    }
    s.clock_hz = optional_number(top, "clock_hz", kPositive, "pulses per second");
    if (s.kind == Kind::predict) {
        s.link = read_link(top.require("link", "the link"), "link");
        s.device = read_devices(top);
    } else if (s.kind == Kind::hardware) {
        s.hardware = read_hardware(top.require("hardware", "the chip profiles and fibre"));
        if (const json* v = top.find("seed")) s.seed = whole(*v, "seed", 0, kMaxWhole, "the simulation's seed");
    } else {
        // `simulation` (written by tfqkd simulate: seed, profiles, ground truth) is provenance only:
        // it never enters the certification.
        if (const json* v = top.find("simulation"); v != nullptr && !v->is_object())
            fail("simulation", "expected an object (what the simulator recorded), got " + describe(*v));
        s.counts = read_counts(top.require("counts", "observed statistics"), s.protocol);
        if (const json* r = top.find("reference_link")) s.link = read_link(*r, "reference_link");
    }
    return s;
}

}  // namespace

std::string InputError::to_string() const { return path.empty() ? message : path + ": " + message; }

std::variant<json, InputError> parse_json(std::string_view input) {
    DuplicateKeys duplicates;
    json root;
    try {
        root = json::parse(input.begin(), input.end(), std::ref(duplicates));
    } catch (const json::parse_error& e) {
        std::string what = e.what();
        if (const auto close = what.find("] "); what.rfind("[json.exception", 0) == 0 && close != std::string::npos)
            what = what.substr(close + 2);
        return InputError{"", "not valid JSON (byte " + std::to_string(e.byte) + "): " + what};
    } catch (const json::exception& e) {  // number overflow ("1e999")
        std::string what = e.what();
        if (const auto close = what.find("] "); what.rfind("[json.exception", 0) == 0 && close != std::string::npos)
            what = what.substr(close + 2);
        return InputError{"", "not valid JSON: " + what};
    }
    if (duplicates.found()) return *duplicates.found();
    return root;
}

std::variant<Scenario, InputError> parse_scenario(std::string_view input) {
    auto parsed = parse_json(input);
    if (auto* e = std::get_if<InputError>(&parsed)) return std::move(*e);
    const json& root = std::get<json>(parsed);
    try {
        return read_scenario(root);
    } catch (const Failure& f) {
        return f.error;
    } catch (const json::exception& e) {  // not expected: every access above is checked first
        return InputError{"", std::string("unreadable: ") + e.what()};
    }
}

nlohmann::ordered_json protocol_json(const security::ProtocolParameters& p) {
    const auto party = [](const std::vector<Setting>& settings) {
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (const Setting& st : settings)
            out.push_back({{"window", st.window == Window::z ? "z" : "x"}, {"intensity", st.intensity},
                           {"probability", st.probability}});
        return out;
    };
    nlohmann::ordered_json out{{"family", security::family_name(p.family)}, {"aopp", p.aopp},
                               {"pulses", p.pulses},
                               {"phase_slices", p.phase_slices},
                               {"phase_match_slices", p.phase_match_slices}};
    // Written only for the family that pairs rounds, so the other families' files stay as they were.
    if (p.family == security::Family::mode_pairing) out["max_pairing_interval"] = p.max_pairing_interval;
    out["alice"] = party(p.alice);
    out["bob"] = party(p.bob);
    return out;
}

nlohmann::ordered_json security_json(const security::SecurityParameters& s) {
    return {{"eps_cor", s.eps_cor}, {"eps_pa", s.eps_pa}, {"eps_pe", s.eps_pe}, {"eps_smooth", s.eps_smooth},
            {"eps_total", s.eps_total}};
}

nlohmann::ordered_json counts_json(const security::CountStatistics& c, security::Family family) {
    using Json = nlohmann::ordered_json;
    if (c.mode_pairing) {
        // Mode pairing: what pairing produced, the pair classes and the key (docs/keyrate.md).
        Json classes = Json::array();
        for (const auto& k : c.mode_pairing->classes)
            classes.push_back(Json{{"basis", k.basis == security::PairBasis::z ? "z" : "x"}, {"alice", k.alice},
                                   {"bob", k.bob}, {"pairs", k.pairs}, {"errors", k.errors}});
        Json key{{"effective", c.key.effective}, {"errors", c.key.errors}};
        if (c.key.ec_leakage_bits) key["ec_leakage_bits"] = *c.key.ec_leakage_bits;
        return Json{{"mode_pairing",
                     {{"heralded_rounds", c.mode_pairing->heralded_rounds}, {"pairs", c.mode_pairing->pairs},
                      {"classes", classes}}},
                    {"key", key}};
    }
    if (family == security::Family::pm) {
        // PM: the matched test classes and the key with its windows (docs/keyrate.md).
        Json matched = Json::array();
        for (const auto& m : c.matched)
            matched.push_back(Json{{"alice", m.alice}, {"bob", m.bob}, {"windows", m.windows},
                                   {"effective", m.effective}, {"errors", m.errors}});
        Json key{{"windows", c.key.windows}, {"effective", c.key.effective}, {"errors", c.key.errors}};
        if (c.key.ec_leakage_bits) key["ec_leakage_bits"] = *c.key.ec_leakage_bits;
        return Json{{"matched", matched}, {"key", key}};
    }
    Json classes = Json::array();
    for (const auto& k : c.classes)
        classes.push_back(Json{{"alice", k.alice}, {"bob", k.bob}, {"sent", k.sent}, {"left", k.left},
                               {"right", k.right}, {"both", k.both}});
    Json key{{"effective", c.key.effective}, {"errors", c.key.errors}};
    if (c.key.ec_leakage_bits) key["ec_leakage_bits"] = *c.key.ec_leakage_bits;
    if (family == security::Family::cal19) {
        // CAL19: the test classes and the key; its windows are informational.
        Json cal19_key{{"windows", c.key.windows}};
        cal19_key.update(key);
        return Json{{"classes", classes}, {"key", cal19_key}};
    }
    Json out{{"classes", classes},
             {"phase_matched",
              {{"windows", c.phase_matched.windows}, {"effective", c.phase_matched.effective}, {"errors", c.phase_matched.errors}}},
             {"key", key}};
    if (c.aopp)
        out["aopp"] = Json{{"bob_zeros", c.aopp->bob_zeros}, {"bob_ones", c.aopp->bob_ones}, {"pairs", c.aopp->pairs}};
    return out;
}

std::optional<double> parse_number(std::string_view input) {
    const std::string copy(input);
    if (copy.empty() || std::isspace(static_cast<unsigned char>(copy.front()))) return std::nullopt;
    char* end = nullptr;
    const double x = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size() || !std::isfinite(x)) return std::nullopt;
    return x;
}

}  // namespace tfqkd::hardware_model::scenario
