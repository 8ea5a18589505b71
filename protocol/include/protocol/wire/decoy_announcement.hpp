// A party's setting and phase slice for chosen heralded events.
// docs/wire-format.md, section 5.6. Encode and decode live in protocol/wire/decoy_announcement.cpp.
#pragma once

#include <cstdint>
#include <vector>

#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

struct DecoyAnnouncement {
    static constexpr MessageType kType = MessageType::decoy_announcement;
    static constexpr std::string_view kName = "decoy_announcement";

    static constexpr std::uint8_t kMaxSetting = 15;
    static constexpr std::uint16_t kMaxPhaseSlice = 1023;

    struct Entry {
        std::uint32_t index = 0;  // event index, strictly increasing over the entries
        std::uint8_t setting = 0;
        std::uint16_t phase_slice = 0;
        bool operator==(const Entry&) const = default;
    };

    std::uint64_t block_id = 0;
    std::vector<Entry> entries;  // at most 10^8

    static Result<DecoyAnnouncement> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const DecoyAnnouncement&) const = default;
};

}  // namespace tfqkd::wire
