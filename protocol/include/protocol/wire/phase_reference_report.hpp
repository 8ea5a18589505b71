// Charlie's sampled estimates of the reference phase difference of the two arms.
// docs/wire-format.md, section 5.4. Encode and decode live in protocol/wire/phase_reference_report.cpp.
#pragma once

#include <cstdint>
#include <vector>

#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

struct PhaseReferenceReport {
    static constexpr MessageType kType = MessageType::phase_reference_report;
    static constexpr std::string_view kName = "phase_reference_report";

    static constexpr std::uint32_t kMaxSamples = 1U << 24;

    std::uint64_t block_id = 0;
    std::uint64_t first_slot = 0;       // 0..2^48-1
    std::uint64_t sample_stride = 1;    // 1..2^48
    std::vector<std::uint32_t> phases;  // units of 2*pi / 2^32

    static Result<PhaseReferenceReport> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const PhaseReferenceReport&) const = default;
};

}  // namespace tfqkd::wire
