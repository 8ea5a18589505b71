// The hash of a corrected key and its seed, to check that both ends hold the same key.
// docs/wire-format.md, section 5.13. Encode and decode live in protocol/wire/verification.cpp.
#pragma once

#include <cstdint>

#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

struct Verification {
    static constexpr MessageType kType = MessageType::verification;
    static constexpr std::string_view kName = "verification";

    enum class Algorithm : std::uint8_t { poly_gf2_64 = 1, poly_gf2_128 = 2 };

    // Seed and tag length in bytes of an algorithm: 8 for GF(2^64), 16 for GF(2^128).
    static constexpr std::size_t size_of(Algorithm a) noexcept { return a == Algorithm::poly_gf2_64 ? 8 : 16; }

    std::uint64_t block_id = 0;
    Algorithm algorithm = Algorithm::poly_gf2_128;
    Bytes seed;  // size_of(algorithm) bytes
    Bytes tag;   // size_of(algorithm) bytes

    static Result<Verification> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const Verification&) const = default;
};

}  // namespace tfqkd::wire
