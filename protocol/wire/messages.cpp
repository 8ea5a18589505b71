#include "protocol/wire/messages.hpp"

#include "../mutants.hpp"

namespace tfqkd::wire {

namespace {

// The lenient reading of two mutants (protocol/mutants.hpp): the fields are read and checked as
// decode_payload does, but the input need not end after the last one.
template <class M>
Result<M> read_leniently(ByteSpan payload) {
    Reader reader(payload, M::kName);
    Result<M> message = M::read(reader);
    if (!message) return message;
    if (Status consistent = message->check(); !consistent) return std::move(consistent).error();
    return message;
}

// What the mutants make of a payload that decode_payload refused with `error`; the reference
// keeps the error.
template <class M>
Result<M> mutant_decode(ByteSpan payload, Error error) {
    // Mutant accept_truncated_payload: a payload that ends inside a field reads on into zeros, as
    // from a zero-initialised receive buffer of a fixed size.
    if (error.code == Errc::truncated && TFQKD_MUTANT(accept_truncated_payload)) {
        Bytes padded(payload.begin(), payload.end());
        padded.resize(payload.size() + 256, 0);
        return read_leniently<M>(padded);
    }
    // Mutant accept_trailing_bytes: the bytes after the last field are never looked at.
    if (error.code == Errc::trailing_data && TFQKD_MUTANT(accept_trailing_bytes)) return read_leniently<M>(payload);
    return error;
}

}  // namespace

Result<Message> decode_message(MessageType type, ByteSpan payload) {
    switch (type) {
#define TFQKD_WIRE_DECODE_CASE(M)                                                           \
    case M::kType: {                                                                        \
        Result<M> decoded = decode_payload<M>(payload);                                     \
        if (!decoded) decoded = mutant_decode<M>(payload, std::move(decoded).error());      \
        if (!decoded) return std::move(decoded).error();                                    \
        return Message(std::move(decoded.value()));                                         \
    }
        TFQKD_WIRE_MESSAGES(TFQKD_WIRE_DECODE_CASE)
#undef TFQKD_WIRE_DECODE_CASE
    }
    return make_error(Errc::unknown_type, "frame", "type");
}

Result<Bytes> encode_message(const Message& message) {
    return std::visit([](const auto& m) { return encode_payload(m); }, message);
}

MessageType type_of(const Message& message) {
    return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kType; }, message);
}

}  // namespace tfqkd::wire
