#include "security/experiment.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace tfqkd::security {
namespace {

constexpr std::string_view kProtocol = "protocol";
constexpr std::string_view kSecurity = "security";
constexpr std::string_view kCounts = "counts";

Error invalid(std::string_view message, std::string_view field, std::string detail) {
    return make_error(Errc::invalid_value, message, field, std::move(detail));
}

Status validate_party(const std::vector<Setting>& settings, std::string_view party, std::string_view field_intensity,
                      std::string_view field_probability) {
    if (settings.empty()) return invalid(kProtocol, party, std::string(party) + " has no settings (at least one)");
    double sum = 0;
    for (std::size_t i = 0; i < settings.size(); ++i) {
        const Setting& s = settings[i];
        const std::string where = std::string(party) + "[" + std::to_string(i) + "]";
        // At most 100 photons per pulse, as the wire format's session_params allows: beyond that no
        // TF-QKD source operates, and the channel model's Bessel functions would overflow.
        if (!std::isfinite(s.intensity) || s.intensity < 0 || s.intensity > 100)
            return invalid(kProtocol, field_intensity,
                           where + ".intensity " + std::to_string(s.intensity) + " is outside [0, 100]");
        if (!(s.probability > 0 && s.probability <= 1))
            return invalid(kProtocol, field_probability,
                           where + ".probability " + std::to_string(s.probability) + " is outside (0, 1]");
        sum += s.probability;
    }
    if (std::abs(sum - 1) > 1e-9)
        return make_error(Errc::inconsistent, kProtocol, field_probability,
                          std::string(party) + " probabilities sum to " + std::to_string(sum) + ", not 1 (within 1e-9)");
    return {};
}

// MP counts (docs/security.md 9.1): present exactly for the family; every count finite and
// >= 0; classes name existing settings, are not repeated, have errors <= pairs, and are not the
// signal-signal Z class (the key, in KeyCounts); pairs <= heralded_rounds / 2 <= N / 2; the Z
// classes and the key together, and the X classes, each hold at most the pairs formed.
Status validate_mode_pairing(const CountStatistics& c, const ProtocolParameters& p) {
    const bool mp = p.family == Family::mode_pairing;
    if (mp != c.mode_pairing.has_value())
        return make_error(Errc::inconsistent, kCounts, "mode_pairing",
                          mp ? "the mode_pairing family needs mode_pairing counts {heralded_rounds, pairs, classes}"
                             : "mode_pairing counts are given but the protocol's family is not mode_pairing");
    if (!mp) return {};
    const ModePairingCounts& m = *c.mode_pairing;
    const auto bad = [](Count x) { return !std::isfinite(x) || x < 0; };
    if (bad(m.heralded_rounds) || m.heralded_rounds > static_cast<Count>(p.pulses))
        return invalid(kCounts, "mode_pairing.heralded_rounds",
                       "mode_pairing.heralded_rounds " + std::to_string(m.heralded_rounds) + " is outside [0, pulses]");
    // Within 1e-12 relative: predicted counts are expectations, whose rounding may reach the limit.
    if (bad(m.pairs) || 2 * m.pairs > m.heralded_rounds * (1 + 1e-12))
        return make_error(Errc::inconsistent, kCounts, "mode_pairing.pairs",
                          "mode_pairing.pairs " + std::to_string(m.pairs) +
                              " is negative or exceeds half the heralded rounds " + std::to_string(m.heralded_rounds));
    const auto roles = mp_roles(p.alice, "alice");
    if (!roles) return roles.error();
    Count z_pairs = c.key.effective;
    Count x_pairs = 0;
    for (std::size_t i = 0; i < m.classes.size(); ++i) {
        const ModePairingClassCounts& k = m.classes[i];
        const std::string where = "mode_pairing.classes[" + std::to_string(i) + "]";
        if (k.alice >= p.alice.size() || k.bob >= p.bob.size())
            return invalid(kCounts, "mode_pairing.classes[].alice", where + " names a setting that the protocol does not have");
        if (bad(k.pairs) || bad(k.errors))
            return invalid(kCounts, "mode_pairing.classes[].pairs", where + " has a negative or non-finite count");
        if (k.errors > k.pairs)
            return make_error(Errc::inconsistent, kCounts, "mode_pairing.classes[].errors",
                              where + ": " + std::to_string(k.errors) + " errors in " + std::to_string(k.pairs) + " pairs");
        if (m.find(k.basis, k.alice, k.bob) != &k)
            return make_error(Errc::inconsistent, kCounts, "mode_pairing.classes[].alice", where + " repeats a class");
        if (k.basis == PairBasis::z && k.alice == roles->signal && k.bob == roles->signal)
            return make_error(Errc::inconsistent, kCounts, "mode_pairing.classes[].basis",
                              where + " is the signal-signal Z class, which is the key: give it as key.effective");
        (k.basis == PairBasis::z ? z_pairs : x_pairs) += k.pairs;
    }
    if (z_pairs > m.pairs || x_pairs > m.pairs)
        return make_error(Errc::inconsistent, kCounts, "mode_pairing.pairs",
                          "the Z classes with the key hold " + std::to_string(z_pairs) + " pairs and the X classes " +
                              std::to_string(x_pairs) + ", but only " + std::to_string(m.pairs) + " were formed");
    return {};
}

}  // namespace

std::string_view family_name(Family family) noexcept {
    switch (family) {
        case Family::sns: return "sns";
        case Family::pm: return "pm";
        case Family::cal19: return "cal19";
        case Family::mode_pairing: return "mode_pairing";
    }
    return "unknown";
}

const ClassCounts* CountStatistics::find(std::size_t alice, std::size_t bob) const noexcept {
    for (const auto& c : classes)
        if (c.alice == alice && c.bob == bob) return &c;
    return nullptr;
}

const MatchedClassCounts* CountStatistics::find_matched(std::size_t alice, std::size_t bob) const noexcept {
    for (const auto& c : matched)
        if (c.alice == alice && c.bob == bob) return &c;
    return nullptr;
}

const ModePairingClassCounts* ModePairingCounts::find(PairBasis basis, std::size_t alice,
                                                      std::size_t bob) const noexcept {
    for (const auto& c : classes)
        if (c.basis == basis && c.alice == alice && c.bob == bob) return &c;
    return nullptr;
}

// A field name in static storage (Error::field must point to it): the party's list, or one of its
// members, for "alice" and "bob" (any other party name falls back to the list name "settings").
static std::string_view party_field(std::string_view party, bool window) {
    if (party == "alice") return window ? "alice[].window" : "alice[].intensity";
    if (party == "bob") return window ? "bob[].window" : "bob[].intensity";
    return window ? "settings[].window" : "settings[].intensity";
}

Result<PmRoles> pm_roles(const std::vector<Setting>& settings, std::string_view party) {
    std::optional<std::size_t> key, vacuum;
    std::vector<std::size_t> tests;
    const std::string who(party);
    for (std::size_t i = 0; i < settings.size(); ++i) {
        const Setting& s = settings[i];
        const std::string where = who + "[" + std::to_string(i) + "]";
        if (s.window == Window::z) {
            if (s.intensity <= 0)
                return invalid(kProtocol, party_field(party, false),
                               where + ": the PM key mode (window z) needs intensity mu/2 > 0; PM has no Z vacuum");
            if (key)
                return invalid(kProtocol, party_field(party, true),
                               where + " is a second Z setting; PM takes one key setting (window z, intensity mu/2)");
            key = i;
        } else if (s.intensity == 0) {
            if (vacuum)
                return invalid(kProtocol, party_field(party, false), where + " is a second X vacuum; PM takes one");
            vacuum = i;
        } else {
            tests.push_back(i);
        }
    }
    if (!key)
        return invalid(kProtocol, party_field(party, true), who + " lacks the PM key setting (window z, intensity mu/2 > 0)");
    if (!vacuum)
        return invalid(kProtocol, party_field(party, false), who + " lacks the PM test vacuum (window x, intensity 0)");
    if (tests.size() != 2)
        return invalid(kProtocol, party_field(party, false),
                       who + " has " + std::to_string(tests.size()) +
                           " X settings with intensity > 0; PM takes two test decoys nu_1/2 < nu_2/2");
    if (settings[tests[0]].intensity > settings[tests[1]].intensity) std::swap(tests[0], tests[1]);
    if (settings[tests[0]].intensity == settings[tests[1]].intensity)
        return invalid(kProtocol, party_field(party, false), who + " has two PM test decoys of the same intensity");
    return PmRoles{*key, *vacuum, tests[0], tests[1]};
}

Result<Cal19Roles> cal19_roles(const std::vector<Setting>& settings, std::string_view party) {
    std::optional<std::size_t> key;
    Cal19Roles roles;
    const std::string who(party);
    for (std::size_t i = 0; i < settings.size(); ++i) {
        const Setting& s = settings[i];
        const std::string where = who + "[" + std::to_string(i) + "]";
        if (s.window == Window::z) {
            if (s.intensity <= 0)
                return invalid(kProtocol, party_field(party, false),
                               where + ": the CAL19 key setting (window z) needs intensity alpha^2 > 0");
            if (key)
                return invalid(kProtocol, party_field(party, true),
                               where + " is a second Z setting; CAL19 takes one key setting (window z, intensity alpha^2)");
            key = i;
        } else {
            for (const std::size_t d : roles.decoys)
                if (settings[d].intensity == s.intensity)
                    return invalid(kProtocol, party_field(party, false),
                                   where + " repeats the decoy intensity of " + who + "[" + std::to_string(d) + "]");
            roles.decoys.push_back(i);
        }
    }
    if (!key)
        return invalid(kProtocol, party_field(party, true), who + " lacks the CAL19 key setting (window z, intensity alpha^2 > 0)");
    if (roles.decoys.size() < 2)
        return invalid(kProtocol, party_field(party, false),
                       who + " has " + std::to_string(roles.decoys.size()) +
                           " test settings; CAL19 needs at least two phase-randomised decoys (window x) of distinct intensities");
    std::sort(roles.decoys.begin(), roles.decoys.end(),
              [&](std::size_t a, std::size_t b) { return settings[a].intensity < settings[b].intensity; });
    roles.key = *key;
    return roles;
}

Result<MpRoles> mp_roles(const std::vector<Setting>& settings, std::string_view party) {
    const std::string who(party);
    if (settings.size() != 3)
        return invalid(kProtocol, party_field(party, false),
                       who + " has " + std::to_string(settings.size()) +
                           " settings; MP takes three intensities: vacuum 0, decoy nu and signal mu > nu");
    std::optional<std::size_t> vacuum;
    std::vector<std::size_t> lit;
    for (std::size_t i = 0; i < settings.size(); ++i) {
        const std::string where = who + "[" + std::to_string(i) + "]";
        // MP has no basis choice per round: the basis follows from the intensities of the two
        // paired rounds (docs/security.md 9.1), so a round's window is always z.
        if (settings[i].window != Window::z)
            return invalid(kProtocol, party_field(party, true),
                           where + " has window x; MP settings are all window z (the basis is assigned after pairing)");
        if (settings[i].intensity == 0) {
            if (vacuum) return invalid(kProtocol, party_field(party, false), where + " is a second vacuum; MP takes one");
            vacuum = i;
        } else {
            lit.push_back(i);
        }
    }
    if (!vacuum) return invalid(kProtocol, party_field(party, false), who + " lacks the MP vacuum (intensity 0)");
    if (settings[lit[0]].intensity > settings[lit[1]].intensity) std::swap(lit[0], lit[1]);
    if (settings[lit[0]].intensity == settings[lit[1]].intensity)
        return invalid(kProtocol, party_field(party, false), who + " has decoy and signal of the same intensity");
    return MpRoles{*vacuum, lit[0], lit[1]};
}

Result<SnsRoles> sns_roles(const std::vector<Setting>& settings, std::string_view party) {
    SnsRoles roles;
    std::optional<std::size_t> z_send, z_silent, x_vacuum;
    std::vector<std::size_t> x_decoys;
    for (std::size_t i = 0; i < settings.size(); ++i) {
        const Setting& s = settings[i];
        const bool vacuum = s.intensity == 0;
        if (s.window == Window::x && !vacuum) {
            x_decoys.push_back(i);
            continue;
        }
        std::optional<std::size_t>& slot = s.window == Window::z ? (vacuum ? z_silent : z_send) : x_vacuum;
        if (slot)
            return invalid(kProtocol, party,
                           std::string(party) + " has two SNS settings of the same role (setting " + std::to_string(i) +
                               "); SNS takes one Z sending, one Z vacuum, one X vacuum and one or two X decoys");
        slot = i;
    }
    if (!z_send || !z_silent || !x_vacuum || x_decoys.empty() || x_decoys.size() > 2)
        return invalid(kProtocol, party,
                       std::string(party) +
                           " lacks an SNS role: SNS takes one Z setting with intensity > 0 (sending), one Z vacuum, "
                           "one X vacuum and one or two X decoys with intensity > 0");
    roles.z_send = *z_send;
    roles.z_silent = *z_silent;
    roles.x_vacuum = *x_vacuum;
    if (x_decoys.size() == 2 && settings[x_decoys[0]].intensity > settings[x_decoys[1]].intensity)
        std::swap(x_decoys[0], x_decoys[1]);
    roles.x_weak = x_decoys[0];
    if (x_decoys.size() == 2) {
        if (settings[x_decoys[0]].intensity == settings[x_decoys[1]].intensity)
            return invalid(kProtocol, party, std::string(party) + " has two X decoys of the same intensity");
        roles.x_strong = x_decoys[1];
    } else if (settings[roles.x_weak].intensity >= settings[roles.z_send].intensity) {
        return invalid(kProtocol, party,
                       std::string(party) + ": in the 3-intensity protocol the X decoy must be weaker than mu_z");
    }
    return roles;
}

Status validate(const ProtocolParameters& p) {
    TFQKD_TRY(validate_party(p.alice, "alice", "alice[].intensity", "alice[].probability"));
    TFQKD_TRY(validate_party(p.bob, "bob", "bob[].intensity", "bob[].probability"));
    if (p.pulses == 0) return invalid(kProtocol, "pulses", "pulses must be at least 1");
    if (p.phase_slices == 0) return invalid(kProtocol, "phase_slices", "phase_slices must be at least 1");
    if (2 * p.phase_match_slices >= p.phase_slices)
        return invalid(kProtocol, "phase_match_slices",
                       "phase_match_slices must be below phase_slices / 2 (slices kept around 0 and around pi)");
    if (p.family == Family::sns) {
        auto a = sns_roles(p.alice, "alice");
        if (!a) return std::move(a).error();
        auto b = sns_roles(p.bob, "bob");
        if (!b) return std::move(b).error();
        if (a->x_strong.has_value() != b->x_strong.has_value())
            return invalid(kProtocol, "bob", "alice and bob must both use the 3- or both the 4-intensity protocol");
    } else if (p.family == Family::pm) {
        if (p.aopp) return invalid(kProtocol, "aopp", "AOPP applies to the SNS family only");
        auto a = pm_roles(p.alice, "alice");
        if (!a) return std::move(a).error();
        auto b = pm_roles(p.bob, "bob");
        if (!b) return std::move(b).error();
    } else if (p.family == Family::cal19) {
        if (p.aopp) return invalid(kProtocol, "aopp", "AOPP applies to the SNS family only");
        auto a = cal19_roles(p.alice, "alice");
        if (!a) return std::move(a).error();
        auto b = cal19_roles(p.bob, "bob");
        if (!b) return std::move(b).error();
    } else if (p.family == Family::mode_pairing) {
        if (p.aopp) return invalid(kProtocol, "aopp", "AOPP applies to the SNS family only");
        auto a = mp_roles(p.alice, "alice");
        if (!a) return std::move(a).error();
        auto b = mp_roles(p.bob, "bob");
        if (!b) return std::move(b).error();
        // X sifting compares relative phases modulo pi: M/2 classes (docs/security.md 9.1).
        if (p.phase_slices < 2 || p.phase_slices % 2 != 0)
            return invalid(kProtocol, "phase_slices", "mode pairing needs an even number of phase slices (at least 2)");
        // Matching within k of the M/2 classes keeps 2 (2k + 1) / M of the pairs: at most all.
        if (2 * (2 * p.phase_match_slices + 1) > p.phase_slices)
            return invalid(kProtocol, "phase_match_slices",
                           "mode pairing compares M/2 phase classes: phase_match_slices k needs 2k + 1 <= phase_slices / 2");
        if (p.max_pairing_interval == 0)
            return invalid(kProtocol, "max_pairing_interval",
                           "mode pairing needs max_pairing_interval l >= 1 (rounds between the two of a pair)");
    } else if (p.aopp) {
        return invalid(kProtocol, "aopp", "AOPP applies to the SNS family only");
    }
    return {};
}

Status validate(const SecurityParameters& s) {
    const auto in_unit = [](double e) { return e > 0 && e < 1; };
    if (!in_unit(s.eps_cor)) return invalid(kSecurity, "eps_cor", "eps_cor must be in (0, 1)");
    if (!in_unit(s.eps_pa)) return invalid(kSecurity, "eps_pa", "eps_pa must be in (0, 1)");
    if (!in_unit(s.eps_pe)) return invalid(kSecurity, "eps_pe", "eps_pe must be in (0, 1)");
    if (!in_unit(s.eps_smooth)) return invalid(kSecurity, "eps_smooth", "eps_smooth must be in (0, 1)");
    if (!in_unit(s.eps_total)) return invalid(kSecurity, "eps_total", "eps_total must be in (0, 1)");
    return {};
}

Status validate(const CountStatistics& c, const ProtocolParameters& p) {
    Count total = 0;
    for (std::size_t i = 0; i < c.classes.size(); ++i) {
        const ClassCounts& k = c.classes[i];
        const std::string where = "classes[" + std::to_string(i) + "]";
        if (k.alice >= p.alice.size() || k.bob >= p.bob.size())
            return invalid(kCounts, "classes[].alice", where + " names a setting that the protocol does not have");
        const auto bad = [](Count x) { return !std::isfinite(x) || x < 0; };
        if (bad(k.sent) || bad(k.left) || bad(k.right) || bad(k.both))
            return invalid(kCounts, "classes[].sent", where + " has a negative or non-finite count");
        if (k.left + k.right + k.both > k.sent)
            return make_error(Errc::inconsistent, kCounts, "classes[].sent",
                              where + ": " + std::to_string(k.left + k.right + k.both) + " clicks in " +
                                  std::to_string(k.sent) + " windows");
        if (c.find(k.alice, k.bob) != &k)
            return make_error(Errc::inconsistent, kCounts, "classes[].alice", where + " repeats a class");
        total += k.sent;
    }
    for (std::size_t i = 0; i < c.matched.size(); ++i) {
        const MatchedClassCounts& m = c.matched[i];
        const std::string where = "matched[" + std::to_string(i) + "]";
        if (m.alice >= p.alice.size() || m.bob >= p.bob.size())
            return invalid(kCounts, "matched[].alice", where + " names a setting that the protocol does not have");
        const auto bad = [](Count x) { return !std::isfinite(x) || x < 0; };
        if (bad(m.windows) || bad(m.effective) || bad(m.errors))
            return invalid(kCounts, "matched[].windows", where + " has a negative or non-finite count");
        if (m.effective > m.windows)
            return make_error(Errc::inconsistent, kCounts, "matched[].effective",
                              where + ": " + std::to_string(m.effective) + " effective events in " +
                                  std::to_string(m.windows) + " windows");
        if (m.errors > m.effective)
            return make_error(Errc::inconsistent, kCounts, "matched[].errors",
                              where + ": " + std::to_string(m.errors) + " errors in " + std::to_string(m.effective) +
                                  " effective events");
        if (c.find_matched(m.alice, m.bob) != &m)
            return make_error(Errc::inconsistent, kCounts, "matched[].alice", where + " repeats a class");
        total += m.windows;
    }
    if (!std::isfinite(c.key.windows) || c.key.windows < 0)
        return invalid(kCounts, "key.windows", "key.windows must be finite and >= 0");
    if (c.key.windows > 0 && c.key.effective > c.key.windows)
        return make_error(Errc::inconsistent, kCounts, "key.effective",
                          "key.effective " + std::to_string(c.key.effective) + " exceeds key.windows " +
                              std::to_string(c.key.windows));
    total += c.key.windows;
    if (total > static_cast<Count>(p.pulses))
        return make_error(Errc::inconsistent, kCounts, "classes[].sent",
                          "the classes hold " + std::to_string(total) + " windows, more than the " +
                              std::to_string(p.pulses) + " pulses sent");
    for (const Count x : {c.phase_matched.windows, c.phase_matched.effective, c.phase_matched.errors, c.key.effective,
                          c.key.errors, c.key.ec_leakage_bits.value_or(0)})
        if (!std::isfinite(x) || x < 0)
            return invalid(kCounts, "phase_matched", "phase_matched and key counts must be finite and >= 0");
    if (c.phase_matched.effective > c.phase_matched.windows || c.phase_matched.errors > c.phase_matched.effective)
        return make_error(Errc::inconsistent, kCounts, "phase_matched",
                          "phase_matched needs errors <= effective <= windows");
    if (c.key.errors > c.key.effective)
        return make_error(Errc::inconsistent, kCounts, "key.errors", "more key errors than key bits");
    if (p.aopp != c.aopp.has_value())
        return make_error(Errc::inconsistent, kCounts, "aopp",
                          p.aopp ? "the protocol uses AOPP: the counts need aopp {bob_zeros, bob_ones, pairs}"
                                 : "aopp counts are given but the protocol does not use AOPP");
    TFQKD_TRY(validate_mode_pairing(c, p));
    if (c.aopp) {
        const AoppCounts& a = *c.aopp;
        for (const Count x : {a.bob_zeros, a.bob_ones, a.pairs})
            if (!std::isfinite(x) || x < 0)
                return invalid(kCounts, "aopp", "aopp counts must be finite and >= 0");
        if (a.pairs > std::min(a.bob_zeros, a.bob_ones))
            return make_error(Errc::inconsistent, kCounts, "aopp.pairs",
                              "aopp.pairs " + std::to_string(a.pairs) + " exceeds min(bob_zeros, bob_ones) = " +
                                  std::to_string(std::min(a.bob_zeros, a.bob_ones)));
        if (c.key.effective > a.pairs)
            return make_error(Errc::inconsistent, kCounts, "key.effective",
                              "with AOPP the key keeps one bit per surviving pair: key.effective " +
                                  std::to_string(c.key.effective) + " exceeds aopp.pairs " + std::to_string(a.pairs));
    }
    return {};
}

}  // namespace tfqkd::security
