// Charlie's announcement of the heralded slots of a span and their detectors.
// docs/wire-format.md, section 5.3. Encode and decode live in protocol/wire/detection_report.cpp.
#pragma once

#include <cstdint>
#include <vector>

#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

struct DetectionReport {
    static constexpr MessageType kType = MessageType::detection_report;
    static constexpr std::string_view kName = "detection_report";

    enum class Click : std::uint8_t { left = 1, right = 2, both = 3 };
    static constexpr unsigned kEventVarintBytes = 8;

    std::uint64_t block_id = 0;
    std::uint64_t first_slot = 0;  // 0..2^48-1
    std::uint64_t slot_count = 1;  // 1..2^48, first_slot + slot_count <= 2^48
    // The events as a structure of arrays (9 bytes per event, for reports of up to 10^8 events):
    // slots strictly increasing within [first_slot, first_slot + slot_count), clicks alongside.
    std::vector<std::uint64_t> slots;
    std::vector<Click> clicks;

    static Result<DetectionReport> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const DetectionReport&) const = default;
};

}  // namespace tfqkd::wire
