// abort (0x7F): docs/wire-format.md, section 5.16.
#include "protocol/wire/abort.hpp"

namespace tfqkd::wire {

Result<Abort> Abort::read(Reader& reader) {
    Abort m;
    std::uint16_t reason = 0;
    std::uint16_t detail_length = 0;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    const std::size_t reason_at = reader.offset();
    if (!reader.u16("reason", reason)) return reader.take_error();
    if (reason == 0 || reason > kMaxReason) {
        reader.fail_at(reason_at, "reason", Errc::invalid_value);
        return reader.take_error();
    }
    m.reason = static_cast<Reason>(reason);
    const std::size_t length_at = reader.offset();
    if (!reader.uint_in<std::uint16_t>("detail_length", detail_length, 0, kMaxDetail))
        return reader.take_error();
    if (detail_length > reader.remaining()) {
        reader.fail_at(length_at, "detail_length", Errc::truncated);
        return reader.take_error();
    }
    const std::size_t detail_at = reader.offset();
    ByteSpan detail;
    if (!reader.bytes("detail", detail_length, detail)) return reader.take_error();
    for (std::size_t i = 0; i < detail.size(); ++i) {
        // Printable ASCII only: the detail is shown to people and written to logs as it is.
        if (detail[i] < 0x20 || detail[i] > 0x7E) {
            reader.fail_at(detail_at + i, "detail", Errc::invalid_value);
            return reader.take_error();
        }
    }
    m.detail.assign(detail.begin(), detail.end());
    return m;
}

void Abort::write(Writer& writer) const {
    writer.u64(block_id);
    writer.u16(static_cast<std::uint16_t>(reason));
    if (detail.size() > kMaxDetail) {
        writer.fail("detail_length", Errc::out_of_range);
        return;
    }
    writer.u16(static_cast<std::uint16_t>(detail.size()));
    writer.bytes(as_bytes(detail));
}

Status Abort::check() const { return {}; }

std::string_view reason_name(Abort::Reason reason) noexcept {
    switch (reason) {
        case Abort::Reason::protocol_violation: return "protocol_violation";
        case Abort::Reason::authentication_failed: return "authentication_failed";
        case Abort::Reason::verification_failed: return "verification_failed";
        case Abort::Reason::qber_too_high: return "qber_too_high";
        case Abort::Reason::no_key: return "no_key";
        case Abort::Reason::parameter_mismatch: return "parameter_mismatch";
        case Abort::Reason::auth_pool_exhausted: return "auth_pool_exhausted";
        case Abort::Reason::decode_error: return "decode_error";
        case Abort::Reason::timeout: return "timeout";
        case Abort::Reason::unexpected_message: return "unexpected_message";
        case Abort::Reason::unsupported: return "unsupported";
        case Abort::Reason::internal_error: return "internal_error";
        case Abort::Reason::user_request: return "user_request";
    }
    return "unknown";
}

}  // namespace tfqkd::wire
