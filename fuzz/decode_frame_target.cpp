// libFuzzer target for whole frames: header, routes, tag presence and the payload's message.
// An accepted frame must re-encode to the same bytes, and its payload must re-encode to the same
// payload bytes (WF-ENC-6); a rejection must name "frame" or the payload's message (WF-FRM-6).
#include <cstdint>
#include <cstdlib>

#include "protocol/wire/frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tfqkd;
    const ByteSpan input(data, size);
    Result<wire::DecodedFrame> decoded = wire::decode_frame_message(input);
    if (!decoded) {
        if (decoded.error().message.empty()) std::abort();
        return 0;
    }
    Result<Bytes> frame = wire::encode_frame(wire::to_frame(decoded->frame));
    if (!frame || frame->size() != size || !std::equal(frame->begin(), frame->end(), data)) std::abort();
    Result<Bytes> payload = wire::encode_message(decoded->message);
    const ByteSpan original = decoded->frame.payload;
    if (!payload || payload->size() != original.size() || !std::equal(payload->begin(), payload->end(), original.begin()))
        std::abort();
    // A stream reader must find the same frame length from the header alone.
    Result<std::size_t> length = wire::frame_size(input);
    if (!length || *length != size) std::abort();
    return 0;
}
