// Sifting and parameter estimation: from Charlie's detection reports and the parties' public
// announcements to the count statistics that the security layer certifies, and each party's raw
// key bits. docs/protocol.md, sections 3 and 6.
//
// Everything here except the key bits is computed from public data only (Charlie's clicks, both
// parties' windows and decoy announcements, the session parameters), so Alice and Bob compute the
// same statistics and the same certified length independently; the key bits use the party's own
// choices as well.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/bits.hpp"
#include "base/result.hpp"
#include "protocol/wire/decoy_announcement.hpp"
#include "protocol/wire/detection_report.hpp"
#include "security/choices.hpp"
#include "security/experiment.hpp"

namespace tfqkd::party {

// A party's own choices for one event, kept compactly (4 bytes: a block at 370 km has some 10^7
// events). The phase itself is not needed after the slice is known.
struct EventChoice {
    std::uint8_t setting = 0;
    std::uint8_t bit = 0;
    std::uint16_t slice = 0;
};

// Checks what the session runs: SNS (the 4-intensity protocol, with or without AOPP), PM or CAL19.
// The 3-intensity SNS protocol needs the one-sided Z-window counts, which are announced only after
// error correction, and mode pairing pairs rounds after the reports; neither runs as a session yet.
// Errors name the field ("family", "alice[].window").
Status check_session_protocol(const security::ProtocolParameters& protocol);

// The window of each event (bit set = X) from the party's own choices.
PackedBits windows_of(const security::ProtocolParameters& protocol, security::Party party,
                      std::span<const EventChoice> choices);

// Whether the settings of an event with these windows are announced: both X for SNS and CAL19 (the
// test windows); equal windows for PM (PM's key windows announce their phase slice too, and the
// key bit stays hidden in the phase).
bool settings_announced(security::Family family, bool alice_x, bool bob_x) noexcept;

// The party's decoy announcement entries: for every event whose settings are announced, its
// setting and slice.
std::vector<wire::DecoyAnnouncement::Entry> decoy_entries(security::Family family, const PackedBits& alice_windows,
                                                          const PackedBits& bob_windows,
                                                          std::span<const EventChoice> choices);

// Checks a peer's announcement against the public record: one window per event (field "windows");
// entries exactly for the events whose settings are announced (field "entries[].index"), with a
// setting of the peer's list whose window is the announced one ("entries[].setting") and a slice
// below M ("entries[].phase_slice"). Violations are Errc::inconsistent: the party aborts with
// protocol_violation.
Status check_windows(const PackedBits& windows, std::uint64_t events, std::string_view message);
Status check_entries(const security::ProtocolParameters& protocol, security::Party peer, const PackedBits& alice_windows,
                     const PackedBits& bob_windows, const std::vector<wire::DecoyAnnouncement::Entry>& entries);

// How two announced slices of a phase-matched class relate (docs/security.md 4.2 and 7): within k
// of each other (the light goes left), within k of M/2 apart (it goes right), or neither.
enum class PhaseMatch : std::uint8_t { none, zero, pi };
PhaseMatch phase_match(std::uint16_t alice_slice, std::uint16_t bob_slice, std::uint32_t slices,
                       std::uint32_t match_slices) noexcept;

// The public record of a block once both parties have announced.
struct PublicRecord {
    std::vector<wire::DetectionReport::Click> clicks;  // one per event, in report order
    PackedBits alice_windows;
    PackedBits bob_windows;
    std::vector<wire::DecoyAnnouncement::Entry> alice_entries;
    std::vector<wire::DecoyAnnouncement::Entry> bob_entries;
};

// What sifting gives: the statistics (key errors and leakage unknown: both 0 / absent until error
// correction) and the key events in increasing order. Windows sent per class are the expected
// N p_i p_j (times the kept fraction for phase-matched classes): docs/protocol.md 3.2 gives why
// this is what the concentration bounds need.
struct Sifted {
    security::CountStatistics counts;
    std::vector<std::uint32_t> key_events;
    // PM: for each key event, whether its slices matched around pi (Bob flips his bit).
    PackedBits key_flipped;
};
Result<Sifted> sift(const security::ProtocolParameters& protocol, const PublicRecord& record);

// The party's raw key bit of each key event (SNS: Alice 1 when she sent, Bob 0 when he sent; PM and
// CAL19: the phase bit, Bob's flipped when the right detector clicked and, in PM, when the slices
// matched around pi). docs/protocol.md 3.3.
PackedBits raw_key_bits(const security::ProtocolParameters& protocol, security::Party party, const Sifted& sifted,
                        const PublicRecord& record, std::span<const EventChoice> choices);

}  // namespace tfqkd::party
