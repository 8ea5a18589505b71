#include "protocol/wire/messages.hpp"

#include "../mutants.hpp"

namespace tfqkd::wire {

namespace {

// What a mutant makes of a payload that decode_payload refused with `error`; the reference keeps
// the error.
template <class M>
Result<M> mutant_decode(ByteSpan payload, Error error) {
    // Mutant accept_truncated_payload: a payload that ends inside a field reads on into zeros, as
    // from a zero-initialised receive buffer of a fixed size (and the zeros left over are ignored).
    if (error.code == Errc::truncated && TFQKD_MUTANT(accept_truncated_payload)) {
        Bytes padded(payload.begin(), payload.end());
        padded.resize(payload.size() + 256, 0);
        Reader reader(padded, M::kName);
        Result<M> message = M::read(reader);
        if (!message) return message;
        if (Status consistent = message->check(); !consistent) return std::move(consistent).error();
        return message;
    }
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
