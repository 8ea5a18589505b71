#include "protocol/wire/messages.hpp"

namespace tfqkd::wire {

Result<Message> decode_message(MessageType type, ByteSpan payload) {
    switch (type) {
#define TFQKD_WIRE_DECODE_CASE(M)                          \
    case M::kType: {                                       \
        Result<M> decoded = decode_payload<M>(payload);    \
        if (!decoded) return std::move(decoded).error();   \
        return Message(std::move(decoded.value()));        \
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
