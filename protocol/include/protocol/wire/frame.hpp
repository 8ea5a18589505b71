// The frame every message travels in: docs/wire-format.md, section 3.
//
// decode_frame checks the header (WF-FRM-1..3), the lengths and the tag's presence (WF-FRM-4, -5)
// and returns views into the input: it allocates nothing and does not decode the payload.
// decode_frame_message also decodes the payload as the message of the frame's type (WF-FRM-6).
// Verifying the tag is the protocol's business: the frame only carries it.
#pragma once

#include <array>
#include <optional>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "protocol/wire/messages.hpp"
#include "protocol/wire/types.hpp"

namespace tfqkd::wire {

using Tag = std::array<Byte, kTagSize>;

struct FrameHeader {
    MessageType type = MessageType::abort;
    Role sender = Role::alice;
    Role receiver = Role::bob;
    std::uint64_t session_id = 0;
    std::uint64_t sequence = 0;
    bool operator==(const FrameHeader&) const = default;
};

// A decoded frame as views into the input it was decoded from.
struct FrameView {
    FrameHeader header;
    ByteSpan payload;
    ByteSpan tag;            // kTagSize bytes on the peer channel, empty otherwise
    ByteSpan authenticated;  // header and payload: the bytes the tag covers (WF-FRM-4)
};

// An owned frame, for building and for tests.
struct Frame {
    FrameHeader header;
    Bytes payload;
    std::optional<Tag> tag;  // present exactly on the peer channel
    bool operator==(const Frame&) const = default;
};

// Decodes exactly one frame occupying all of `input`.
Result<FrameView> decode_frame(ByteSpan input);

// For stream transports: given at least the first kFrameHeaderSize bytes of a frame, the total size
// of the frame (header, payload and tag), after checking the header as decode_frame does.
Result<std::size_t> frame_size(ByteSpan header);

// Encodes a frame. The payload is taken as it is (it is not decoded); the tag must be present
// exactly when the route is the peer channel.
Result<Bytes> encode_frame(const Frame& frame);

// Encodes a message into a frame with the given header fields; the type is the message's. The tag,
// when the route needs one, is left zero for the caller to fill over frame[0, size - kTagSize).
Result<Bytes> encode_frame_message(const FrameHeader& header, const Message& message);

struct DecodedFrame {
    FrameView frame;
    Message message;
};

// decode_frame, then the payload as the message of the frame's type.
Result<DecodedFrame> decode_frame_message(ByteSpan input);

Frame to_frame(const FrameView& view);

}  // namespace tfqkd::wire
