// Confirmation of received session parameters (by Bob or Charlie).
// docs/wire-format.md, section 5.2. Encode and decode live in protocol/wire/session_params_ack.cpp.
#pragma once

#include <cstdint>
#include <array>

#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

struct SessionParamsAck {
    static constexpr MessageType kType = MessageType::session_params_ack;
    static constexpr std::string_view kName = "session_params_ack";

    static constexpr std::size_t kDigestSize = 32;

    std::uint64_t block_id = 0;
    std::array<Byte, kDigestSize> params_digest{};  // SHA-256 of the session_params payload
    std::uint32_t capabilities = 0;                 // the accepted subset of SessionParams::kCapAll

    static Result<SessionParamsAck> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const SessionParamsAck&) const = default;
};

}  // namespace tfqkd::wire
