// The frame: docs/wire-format.md, section 3.
#include "protocol/wire/frame.hpp"

#include <algorithm>

#include "base/reader.hpp"
#include "base/writer.hpp"

namespace tfqkd::wire {
namespace {

constexpr std::string_view kFrame = "frame";

struct HeaderFields {
    FrameHeader header;
    std::uint32_t payload_length = 0;
};

// Reads and checks the 28-byte header in the order of the table (WF-FRM-1..3, -5 first half).
bool read_header(Reader& r, HeaderFields& out) {
    ByteSpan magic;
    if (!r.bytes("magic", kMagic.size(), magic)) return false;
    if (!std::equal(magic.begin(), magic.end(), kMagic.begin())) return r.fail_at(0, "magic", Errc::bad_magic);
    std::uint8_t version = 0;
    std::uint8_t type = 0;
    std::uint8_t sender = 0;
    std::uint8_t receiver = 0;
    if (!r.u8("version", version)) return false;
    if (version != kVersion) return r.fail_at(4, "version", Errc::unsupported_version);
    if (!r.u8("type", type)) return false;
    const auto message_type = message_type_from_u8(type);
    if (!message_type) return r.fail_at(5, "type", Errc::unknown_type);
    if (!r.u8("sender", sender)) return false;
    const auto sender_role = role_from_u8(sender);
    if (!sender_role) return r.fail_at(6, "sender", Errc::invalid_value);
    if (!r.u8("receiver", receiver)) return false;
    const auto receiver_role = role_from_u8(receiver);
    if (!receiver_role || *receiver_role == *sender_role) return r.fail_at(7, "receiver", Errc::invalid_value);
    if ((allowed_channels(*message_type) & channel_of(*sender_role, *receiver_role)) == 0)
        return r.fail_at(7, "receiver", Errc::bad_route);
    out.header.type = *message_type;
    out.header.sender = *sender_role;
    out.header.receiver = *receiver_role;
    if (!r.u64("session_id", out.header.session_id)) return false;
    if (!r.u64("sequence", out.header.sequence)) return false;
    return r.uint_in<std::uint32_t>("payload_length", out.payload_length, 0, kMaxPayloadLength);
}

std::size_t tag_size(const FrameHeader& h) { return carries_tag(h.sender, h.receiver) ? kTagSize : 0; }

}  // namespace

Result<FrameView> decode_frame(ByteSpan input) {
    Reader r(input, kFrame);
    HeaderFields fields;
    if (!read_header(r, fields)) return r.take_error();
    FrameView view;
    view.header = fields.header;
    if (!r.bytes("payload", fields.payload_length, view.payload)) return r.take_error();
    view.authenticated = input.first(r.offset());
    if (!r.bytes("tag", tag_size(view.header), view.tag)) return r.take_error();
    if (!r.expect_end()) return r.take_error();
    return view;
}

Result<std::size_t> frame_size(ByteSpan header) {
    Reader r(header.first(std::min(header.size(), kFrameHeaderSize)), kFrame);
    HeaderFields fields;
    if (!read_header(r, fields)) return r.take_error();
    return kFrameHeaderSize + fields.payload_length + tag_size(fields.header);
}

Result<Bytes> encode_frame(const Frame& frame) {
    const FrameHeader& h = frame.header;
    if (frame.tag.has_value() != carries_tag(h.sender, h.receiver))
        return make_error(Errc::invalid_argument, kFrame, "tag",
                          "a tag is present exactly on the peer channel (alice <-> bob)");
    Bytes out;
    out.reserve(kFrameHeaderSize + frame.payload.size() + kTagSize);
    Writer w(out, kFrame);
    w.bytes(kMagic);
    w.u8(kVersion);
    w.u8(static_cast<std::uint8_t>(h.type));
    w.u8(static_cast<std::uint8_t>(h.sender));
    w.u8(static_cast<std::uint8_t>(h.receiver));
    w.u64(h.session_id);
    w.u64(h.sequence);
    const auto length = w.open_length("payload_length", 4, kMaxPayloadLength);
    w.bytes(frame.payload);
    w.close_length(length);
    if (frame.tag) w.bytes(*frame.tag);
    if (!w.ok()) return w.status().error();
    // Check the header rules (type, roles, route) with the decoder, the one statement of them.
    if (Result<FrameView> check = decode_frame(out); !check) return std::move(check).error();
    return out;
}

Result<Bytes> encode_frame_message(const FrameHeader& header, const Message& message) {
    Result<Bytes> payload = encode_message(message);
    if (!payload) return std::move(payload).error();
    Frame frame{header, std::move(payload.value()), std::nullopt};
    frame.header.type = type_of(message);
    if (carries_tag(header.sender, header.receiver)) frame.tag = Tag{};
    return encode_frame(frame);
}

Result<DecodedFrame> decode_frame_message(ByteSpan input) {
    Result<FrameView> view = decode_frame(input);
    if (!view) return std::move(view).error();
    Result<Message> message = decode_message(view->header.type, view->payload);
    if (!message) return std::move(message).error();
    return DecodedFrame{*view, std::move(message.value())};
}

Frame to_frame(const FrameView& view) {
    Frame frame{view.header, Bytes(view.payload.begin(), view.payload.end()), std::nullopt};
    if (!view.tag.empty()) {
        Tag tag{};
        std::copy(view.tag.begin(), view.tag.end(), tag.begin());
        frame.tag = tag;
    }
    return frame;
}

}  // namespace tfqkd::wire
