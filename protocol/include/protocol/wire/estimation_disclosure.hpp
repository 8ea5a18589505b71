// Bit values of a sample of key-window events, disclosed for parameter estimation.
// docs/wire-format.md, section 5.7. Encode and decode live in protocol/wire/estimation_disclosure.cpp.
#pragma once

#include <cstdint>
#include <vector>

#include "base/bits.hpp"
#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

struct EstimationDisclosure {
    static constexpr MessageType kType = MessageType::estimation_disclosure;
    static constexpr std::string_view kName = "estimation_disclosure";

    std::uint64_t block_id = 0;
    std::vector<std::uint32_t> indices;  // event indices, strictly increasing; at most 10^8
    PackedBits values;                   // one bit per index

    static Result<EstimationDisclosure> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const EstimationDisclosure&) const = default;
};

}  // namespace tfqkd::wire
