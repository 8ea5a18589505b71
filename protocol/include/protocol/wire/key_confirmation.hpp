// Confirmation of the final key of a block.
// docs/wire-format.md, section 5.15. Encode and decode live in protocol/wire/key_confirmation.cpp.
#pragma once

#include <cstdint>
#include <array>

#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

struct KeyConfirmation {
    static constexpr MessageType kType = MessageType::key_confirmation;
    static constexpr std::string_view kName = "key_confirmation";

    static constexpr std::uint32_t kMaxKeyBits = 1U << 30;
    static constexpr std::size_t kConfirmationSize = 16;

    std::uint64_t block_id = 0;
    std::uint32_t key_bits = 0;  // 0..2^30
    std::array<Byte, kConfirmationSize> confirmation{};

    static Result<KeyConfirmation> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const KeyConfirmation&) const = default;
};

}  // namespace tfqkd::wire
