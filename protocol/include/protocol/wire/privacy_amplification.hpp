// The Toeplitz seed and lengths of privacy amplification.
// docs/wire-format.md, section 5.14. Encode and decode live in protocol/wire/privacy_amplification.cpp.
#pragma once

#include <cstdint>

#include "base/bits.hpp"
#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

struct PrivacyAmplification {
    static constexpr MessageType kType = MessageType::privacy_amplification;
    static constexpr std::string_view kName = "privacy_amplification";

    enum class Algorithm : std::uint8_t { toeplitz = 1 };
    static constexpr std::uint32_t kMaxInputBits = 1U << 30;

    std::uint64_t block_id = 0;
    Algorithm algorithm = Algorithm::toeplitz;
    std::uint32_t input_bits = 1;   // 1..2^30
    std::uint32_t output_bits = 1;  // 1..input_bits
    PackedBits seed;                // input_bits + output_bits - 1 bits

    static Result<PrivacyAmplification> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const PrivacyAmplification&) const = default;
};

}  // namespace tfqkd::wire
