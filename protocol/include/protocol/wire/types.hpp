// The vocabulary of the wire format: roles, message types, channel classes, the frame's limits
// (docs/wire-format.md, sections 2 to 4).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tfqkd::wire {

inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::array<std::uint8_t, 4> kMagic{0x54, 0x46, 0x51, 0x4B};  // "TFQK" (WF-FRM-1)
inline constexpr std::size_t kFrameHeaderSize = 28;
inline constexpr std::size_t kTagSize = 16;                        // WF-FRM-4
inline constexpr std::uint32_t kMaxPayloadLength = 1U << 30;       // WF-FRM-5

// Common limits of the catalogue (section 5).
inline constexpr std::uint64_t kMaxSlot = 1ULL << 48;              // slots and pulse counts
inline constexpr std::uint32_t kMaxEventsPerBlock = 100'000'000;   // heralded events in one list
inline constexpr std::uint64_t kMaxEventIndex = 1ULL << 32;        // event indices are below this
inline constexpr unsigned kIndexVarintBytes = 5;                   // varints of event indices

enum class Role : std::uint8_t { alice = 1, bob = 2, charlie = 3 };

std::optional<Role> role_from_u8(std::uint8_t value) noexcept;
std::string_view role_name(Role role) noexcept;

enum class MessageType : std::uint8_t {
    session_params = 0x01,
    session_params_ack = 0x02,
    detection_report = 0x10,
    phase_reference_report = 0x11,
    sifting_announcement = 0x20,
    decoy_announcement = 0x21,
    estimation_disclosure = 0x22,
    aopp_pairing = 0x30,
    aopp_parity = 0x31,
    cascade_parity_query = 0x40,
    cascade_parity_reply = 0x41,
    ldpc_syndrome = 0x42,
    verification = 0x50,
    privacy_amplification = 0x60,
    key_confirmation = 0x70,
    abort = 0x7F,
};

std::optional<MessageType> message_type_from_u8(std::uint8_t value) noexcept;
std::string_view message_type_name(MessageType type) noexcept;

// Channel classes (section 4), as a bit set: a message type allows the union of its classes.
enum ChannelClass : std::uint8_t {
    kPeer = 1,       // alice <-> bob, authenticated
    kToRelay = 2,    // alice or bob -> charlie
    kFromRelay = 4,  // charlie -> alice or bob
};

// The classes a message type may travel on (the "routes" column of section 5).
std::uint8_t allowed_channels(MessageType type) noexcept;

// The class of a sender/receiver pair; 0 when the pair is no channel (same role twice).
std::uint8_t channel_of(Role sender, Role receiver) noexcept;

// Whether a frame between these roles carries an authentication tag (WF-FRM-4).
constexpr bool carries_tag(Role sender, Role receiver) noexcept {
    return sender != receiver && sender != Role::charlie && receiver != Role::charlie;
}

}  // namespace tfqkd::wire
