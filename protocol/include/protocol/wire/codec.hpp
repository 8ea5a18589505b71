// Generic encode and decode of message payloads.
//
// A message type M (one header and one source file per message, in protocol/wire/) provides:
//   static constexpr MessageType kType;   static constexpr std::string_view kName;
//   static Result<M> read(Reader&);     reads the fields in spec order, checking each as it is read
//   void write(Writer&) const;          writes the fields; fails only on what cannot be represented
//                                       (a list out of order, a count beyond its integer)
//   Status check() const;               the cross-field rules (`inconsistent`), after the input ended
//   bool operator==(const M&) const;
// decode_payload adds the exact-consumption rule (WF-ENC-5); encode_payload decodes what it wrote, so
// an encoder can never emit bytes that the decoder rejects (WF-ENC-6) and the rules live in one place.
#pragma once

#include <concepts>

#include "base/bytes.hpp"
#include "base/reader.hpp"
#include "base/result.hpp"
#include "base/writer.hpp"
#include "protocol/wire/types.hpp"

namespace tfqkd::wire {

template <class M>
concept WireMessage = requires(const M& m, Reader& r, Writer& w) {
    { M::kType } -> std::convertible_to<MessageType>;
    { M::kName } -> std::convertible_to<std::string_view>;
    { M::read(r) } -> std::same_as<Result<M>>;
    { m.write(w) } -> std::same_as<void>;
    { m.check() } -> std::same_as<Status>;
    { m == m } -> std::convertible_to<bool>;
};

template <WireMessage M>
Result<M> decode_payload(ByteSpan payload) {
    Reader reader(payload, M::kName);
    Result<M> message = M::read(reader);
    if (!message) return message;
    if (!reader.expect_end()) return reader.take_error();
    if (Status consistent = message->check(); !consistent) return std::move(consistent).error();
    return message;
}

template <WireMessage M>
Result<Bytes> encode_payload(const M& message) {
    Bytes out;
    Writer writer(out, M::kName);
    message.write(writer);
    if (!writer.ok()) return writer.status().error();
    // The decoder is the one statement of the rules: what it rejects was never a valid message.
    if (Result<M> check = decode_payload<M>(out); !check) return std::move(check).error();
    return out;
}

}  // namespace tfqkd::wire
