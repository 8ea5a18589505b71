// A party's window (Z or X) for each heralded event of the block, in order.
// docs/wire-format.md, section 5.5. Encode and decode live in protocol/wire/sifting_announcement.cpp.
#pragma once

#include <cstdint>

#include "base/bits.hpp"
#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

struct SiftingAnnouncement {
    static constexpr MessageType kType = MessageType::sifting_announcement;
    static constexpr std::string_view kName = "sifting_announcement";

    std::uint64_t block_id = 0;
    PackedBits windows;  // bit i: window of event i (0 = Z, 1 = X); at most 10^8 bits

    static Result<SiftingAnnouncement> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const SiftingAnnouncement&) const = default;
};

}  // namespace tfqkd::wire
