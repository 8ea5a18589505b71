// Sifting and parameter estimation: protocol/party/sifting.hpp, docs/protocol.md sections 3 and 6.
#include "protocol/party/sifting.hpp"

#include <algorithm>
#include <string>

#include "../mutants.hpp"

namespace tfqkd::party {

namespace {

using Click = wire::DetectionReport::Click;
using security::Family;
using security::Window;

constexpr std::string_view kSifting = "sifting";

const std::vector<security::Setting>& settings_of(const security::ProtocolParameters& p, security::Party party) {
    return party == security::Party::alice ? p.alice : p.bob;
}

// The fraction of uniformly independent slice pairs that phase_match() keeps: (2k + 1) / M around 0,
// as much again around pi when M is even (hardware_model's kept_fraction, docs/security.md 7).
double kept_fraction(const security::ProtocolParameters& p) {
    const double m = p.phase_slices;
    const double around_zero = std::min(2.0 * p.phase_match_slices + 1, m) / m;
    const bool pi_half = p.phase_slices % 2 == 0 && p.phase_slices > 1;
    return around_zero * (pi_half ? 2 : 1);
}

// The expected number of windows of class (i, j): N p_i p_j. docs/protocol.md 3.2: each slot's
// class is drawn independently of everything before it, so a class's event count has conditional
// expectation p_i p_j times the slot's yield, and the concentration bounds of security/ (which
// depend on the observed count only) bound N p_i p_j times the average yield.
double expected_windows(const security::ProtocolParameters& p, std::size_t i, std::size_t j) {
    return static_cast<double>(p.pulses) * p.alice[i].probability * p.bob[j].probability;
}

bool effective(Click c) { return c != Click::both; }

}  // namespace

Status check_session_protocol(const security::ProtocolParameters& protocol) {
    TFQKD_TRY(security::validate(protocol));
    switch (protocol.family) {
        case Family::sns: {
            for (const auto party : {security::Party::alice, security::Party::bob}) {
                const bool alice = party == security::Party::alice;
                const auto roles = security::sns_roles(settings_of(protocol, party), alice ? "alice" : "bob");
                if (!roles) return roles.error();
                if (!roles->x_strong)
                    return make_error(Errc::invalid_argument, kSifting, alice ? "alice[].window" : "bob[].window",
                                      "sessions run the 4-intensity SNS protocol (X windows: vacuum, mu_1 and "
                                      "mu_2); the 3-intensity protocol needs the one-sided Z counts, which a "
                                      "session does not announce");
            }
            return {};
        }
        case Family::pm:
        case Family::cal19:
            return {};
        case Family::mode_pairing:
            return make_error(Errc::invalid_argument, kSifting, "family",
                              "mode pairing does not run as a session yet; sessions run SNS, PM and CAL19");
    }
    return make_error(Errc::invalid_argument, kSifting, "family", "unknown family");
}

PackedBits windows_of(const security::ProtocolParameters& protocol, security::Party party,
                      std::span<const EventChoice> choices) {
    const auto& settings = settings_of(protocol, party);
    PackedBits windows(choices.size());
    for (std::size_t e = 0; e < choices.size(); ++e)
        windows.set(e, settings[choices[e].setting].window == Window::x);
    return windows;
}

bool settings_announced(Family family, bool alice_x, bool bob_x) noexcept {
    if (family == Family::pm) return alice_x == bob_x;
    return alice_x && bob_x;
}

std::vector<wire::DecoyAnnouncement::Entry> decoy_entries(Family family, const PackedBits& alice_windows,
                                                          const PackedBits& bob_windows,
                                                          std::span<const EventChoice> choices) {
    std::vector<wire::DecoyAnnouncement::Entry> entries;
    for (std::size_t e = 0; e < choices.size(); ++e)
        if (settings_announced(family, alice_windows.get(e), bob_windows.get(e)))
            entries.push_back({static_cast<std::uint32_t>(e), choices[e].setting, choices[e].slice});
    return entries;
}

Status check_windows(const PackedBits& windows, std::uint64_t events, std::string_view message) {
    if (windows.size() != events)
        return make_error(Errc::inconsistent, message, "windows",
                          "announces " + std::to_string(windows.size()) + " windows for " + std::to_string(events) +
                              " reported events; one window per event is accepted");
    return {};
}

Status check_entries(const security::ProtocolParameters& protocol, security::Party peer, const PackedBits& alice_windows,
                     const PackedBits& bob_windows, const std::vector<wire::DecoyAnnouncement::Entry>& entries) {
    constexpr std::string_view kMessage = "decoy_announcement";
    const auto& settings = settings_of(protocol, peer);
    const PackedBits& peer_windows = peer == security::Party::alice ? alice_windows : bob_windows;
    std::size_t next = 0;  // the next entry to match
    for (std::uint64_t e = 0; e < alice_windows.size(); ++e) {
        if (!settings_announced(protocol.family, alice_windows.get(e), bob_windows.get(e))) {
            if (next < entries.size() && entries[next].index == e)
                return make_error(Errc::inconsistent, kMessage, "entries[].index",
                                  "event " + std::to_string(e) + " is not one whose settings are announced");
            continue;
        }
        if (next >= entries.size() || entries[next].index != e)
            return make_error(Errc::inconsistent, kMessage, "entries[].index",
                              "no entry for event " + std::to_string(e) + ", whose settings must be announced");
        const auto& entry = entries[next++];
        if (entry.setting >= settings.size())
            return make_error(Errc::inconsistent, kMessage, "entries[].setting",
                              "setting " + std::to_string(entry.setting) + " of event " + std::to_string(e) +
                                  " is not in the sender's list of " + std::to_string(settings.size()));
        if ((settings[entry.setting].window == Window::x) != peer_windows.get(e))
            return make_error(Errc::inconsistent, kMessage, "entries[].setting",
                              "setting " + std::to_string(entry.setting) + " of event " + std::to_string(e) +
                                  " is not of the window the sender announced for it");
        if (entry.phase_slice >= protocol.phase_slices)
            return make_error(Errc::inconsistent, kMessage, "entries[].phase_slice",
                              "slice " + std::to_string(entry.phase_slice) + " of event " + std::to_string(e) +
                                  " is not below M = " + std::to_string(protocol.phase_slices));
    }
    if (next != entries.size())
        return make_error(Errc::inconsistent, kMessage, "entries[].index",
                          "entries beyond the reported events (" + std::to_string(entries.size() - next) + " more)");
    return {};
}

PhaseMatch phase_match(std::uint16_t alice_slice, std::uint16_t bob_slice, std::uint32_t slices,
                       std::uint32_t match_slices) noexcept {
    const std::uint32_t d = (alice_slice + slices - bob_slice) % slices;
    const std::uint32_t around_zero = std::min(d, slices - d);
    if (around_zero <= match_slices) return PhaseMatch::zero;
    if (slices % 2 == 0 && slices > 1) {
        const std::uint32_t half = slices / 2;
        const std::uint32_t around_pi = d > half ? d - half : half - d;
        if (around_pi <= match_slices) return PhaseMatch::pi;
    }
    return PhaseMatch::none;
}

Result<Sifted> sift(const security::ProtocolParameters& p, const PublicRecord& r) {
    TFQKD_TRY(check_session_protocol(p));
    const std::size_t events = r.clicks.size();
    if (r.alice_windows.size() != events || r.bob_windows.size() != events)
        return make_error(Errc::inconsistent, kSifting, "windows", "one window per event and party is needed");
    if (r.alice_entries.size() != r.bob_entries.size())
        return make_error(Errc::inconsistent, kSifting, "entries", "both parties announce the same events");

    Sifted out;
    security::CountStatistics& c = out.counts;
    const std::size_t nb = p.bob.size();
    // Heralds per (alice setting, bob setting) among announced events: left, right, both.
    std::vector<std::array<double, 3>> heralds(p.alice.size() * nb, {0, 0, 0});
    // Phase-matched events per class: windows with one click, errors.
    std::vector<std::array<double, 2>> matched(p.alice.size() * nb, {0, 0});

    for (std::size_t k = 0; k < r.alice_entries.size(); ++k) {
        const auto& a = r.alice_entries[k];
        const auto& b = r.bob_entries[k];
        if (a.index != b.index) return make_error(Errc::inconsistent, kSifting, "entries[].index", "entries differ");
        const Click click = r.clicks[a.index];
        const std::size_t cls = a.setting * nb + b.setting;
        heralds[cls][click == Click::left ? 0 : click == Click::right ? 1 : 2] += 1;
        const PhaseMatch m = phase_match(a.phase_slice, b.phase_slice, p.phase_slices, p.phase_match_slices);
        if (m != PhaseMatch::none && effective(click)) {
            matched[cls][0] += 1;
            // Around 0 the light goes left, around pi right: a click at the other detector is an error.
            if ((m == PhaseMatch::zero) == (click == Click::right)) matched[cls][1] += 1;
        }
    }
    const double kept = kept_fraction(p);

    if (p.family == Family::sns || p.family == Family::cal19) {
        for (std::size_t i = 0; i < p.alice.size(); ++i)
            for (std::size_t j = 0; j < nb; ++j) {
                if (p.alice[i].window != Window::x || p.bob[j].window != Window::x) continue;
                const auto& h = heralds[i * nb + j];
                c.classes.push_back({i, j, expected_windows(p, i, j), h[0], h[1], h[2]});
            }
    }
    if (p.family == Family::sns) {
        const auto a = security::sns_roles(p.alice, "alice");
        const auto b = security::sns_roles(p.bob, "bob");
        if (!a || !b) return make_error(Errc::invalid_argument, kSifting, "settings", "SNS roles");
        const auto& m = matched[a->x_weak * nb + b->x_weak];
        c.phase_matched = {expected_windows(p, a->x_weak, b->x_weak) * kept, m[0], m[1]};
        if (p.aopp) c.aopp = security::AoppCounts{};
    }
    if (p.family == Family::pm) {
        const auto a = security::pm_roles(p.alice, "alice");
        const auto b = security::pm_roles(p.bob, "bob");
        if (!a || !b) return make_error(Errc::invalid_argument, kSifting, "settings", "PM roles");
        for (const auto& [i, j] : {std::pair{a->test_vacuum, b->test_vacuum}, std::pair{a->test_weak, b->test_weak},
                                   std::pair{a->test_strong, b->test_strong}}) {
            const auto& m = matched[i * nb + j];
            c.matched.push_back({i, j, expected_windows(p, i, j) * kept, m[0], m[1]});
        }
        c.key.windows = expected_windows(p, a->key, b->key) * kept;
    }
    if (p.family == Family::cal19) {
        const auto a = security::cal19_roles(p.alice, "alice");
        const auto b = security::cal19_roles(p.bob, "bob");
        if (!a || !b) return make_error(Errc::invalid_argument, kSifting, "settings", "CAL19 roles");
        c.key.windows = expected_windows(p, a->key, b->key);
    }

    // The key events: SNS and CAL19 both Z with one click; PM both in the key mode, one click and
    // slices matched (the flip bit records a match around pi).
    std::size_t next_entry = 0;
    for (std::size_t e = 0; e < events; ++e) {
        const bool ax = r.alice_windows.get(e), bx = r.bob_windows.get(e);
        const bool announced = settings_announced(p.family, ax, bx);
        const wire::DecoyAnnouncement::Entry* a = nullptr;
        const wire::DecoyAnnouncement::Entry* b = nullptr;
        if (announced) {
            a = &r.alice_entries[next_entry];
            b = &r.bob_entries[next_entry];
            ++next_entry;
        }
        // Mutant sift_keeps_double_clicks: a click of both detectors passes for a key event.
        if (ax || bx || (!effective(r.clicks[e]) && !TFQKD_MUTANT(sift_keeps_double_clicks))) continue;
        if (p.family == Family::pm) {
            const PhaseMatch m = phase_match(a->phase_slice, b->phase_slice, p.phase_slices, p.phase_match_slices);
            if (m == PhaseMatch::none) continue;
            out.key_flipped.push_back(m == PhaseMatch::pi);
        }
        out.key_events.push_back(static_cast<std::uint32_t>(e));
    }
    c.key.effective = static_cast<double>(out.key_events.size());
    return out;
}

PackedBits raw_key_bits(const security::ProtocolParameters& p, security::Party party, const Sifted& sifted,
                        const PublicRecord& record, std::span<const EventChoice> choices) {
    PackedBits bits(sifted.key_events.size());
    const bool alice = party == security::Party::alice;
    std::size_t z_send = 0;
    if (p.family == Family::sns) {
        const auto roles = security::sns_roles(alice ? p.alice : p.bob, alice ? "alice" : "bob");
        z_send = roles ? roles->z_send : 0;
    }
    for (std::size_t k = 0; k < sifted.key_events.size(); ++k) {
        const std::uint32_t e = sifted.key_events[k];
        const EventChoice& mine = choices[e];
        bool bit = false;
        if (p.family == Family::sns) {
            const bool sent = mine.setting == z_send;
            bit = alice ? sent : !sent;  // Alice: sending is 1; Bob: sending is 0
        } else {
            bit = mine.bit != 0;
            if (!alice) {
                // Equal bits interfere at relative phase 0 and light the left detector; a right click
                // says the bits differ, and a match around pi flips the relation again.
                if (record.clicks[e] == wire::DetectionReport::Click::right) bit = !bit;
                if (p.family == Family::pm && sifted.key_flipped.get(k)) bit = !bit;
            }
        }
        bits.set(k, bit);
    }
    return bits;
}

}  // namespace tfqkd::party
