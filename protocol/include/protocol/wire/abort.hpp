// An abort with its reason; the last message of a session or block.
// docs/wire-format.md, section 5.16. Encode and decode live in protocol/wire/abort.cpp.
#pragma once

#include <cstdint>
#include <string>

#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

struct Abort {
    static constexpr MessageType kType = MessageType::abort;
    static constexpr std::string_view kName = "abort";

    enum class Reason : std::uint16_t {
        protocol_violation = 1,
        authentication_failed = 2,
        verification_failed = 3,
        qber_too_high = 4,
        no_key = 5,
        parameter_mismatch = 6,
        auth_pool_exhausted = 7,
        decode_error = 8,
        timeout = 9,
        unexpected_message = 10,
        unsupported = 11,
        internal_error = 12,
        user_request = 13,
    };
    static constexpr std::uint16_t kMaxReason = 13;
    static constexpr std::size_t kMaxDetail = 256;

    std::uint64_t block_id = 0;
    Reason reason = Reason::protocol_violation;
    std::string detail;  // printable ASCII, at most 256 bytes

    static Result<Abort> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const Abort&) const = default;
};

// The reason's name as docs/protocol.md section 4 writes it ("protocol_violation"); "unknown"
// for a value outside the list.
std::string_view reason_name(Abort::Reason reason) noexcept;

}  // namespace tfqkd::wire
