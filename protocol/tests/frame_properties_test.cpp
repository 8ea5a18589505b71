// Frame properties (docs/wire-format.md, section 3) over every message type and route:
// round trip of whole frames, truncation of every strict prefix, and canonical re-encoding of any
// mutated frame that is accepted.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "arbitrary/message.hpp"

namespace tfqkd::wire {
namespace {

using testing::any_message;
using testing::header_for;

struct FrameCase {
    Bytes bytes;
    Message message;
};

rc::Gen<FrameCase> any_frame() {
    return rc::gen::exec([] {
        Message m = *any_message();
        FrameHeader h = *header_for(type_of(m));
        Result<Bytes> bytes = encode_frame_message(h, m);
        RC_ASSERT(bytes.ok());
        // Fill the tag so that the tag bytes are not always zero.
        if (carries_tag(h.sender, h.receiver))
            for (std::size_t i = bytes->size() - kTagSize; i < bytes->size(); ++i)
                (*bytes)[i] = *rc::gen::arbitrary<Byte>();
        return FrameCase{std::move(bytes.value()), std::move(m)};
    });
}

TEST(FrameProperties, FramesRoundTrip) {
    EXPECT_TRUE(rc::check("decode_frame_message(encode_frame_message(h, m))", [] {
        const FrameCase c = *any_frame();
        Result<DecodedFrame> decoded = decode_frame_message(c.bytes);
        RC_ASSERT(decoded.ok());
        RC_ASSERT(decoded->message == c.message);
        Result<Bytes> again = encode_frame(to_frame(decoded->frame));
        RC_ASSERT(again.ok());
        RC_ASSERT(*again == c.bytes);
    }));
}

TEST(FrameProperties, EveryStrictPrefixIsTruncated) {
    EXPECT_TRUE(rc::check("strict prefixes of frames", [] {
        const FrameCase c = *any_frame();
        for (std::size_t n = 0; n < c.bytes.size(); ++n) {
            Result<FrameView> cut = decode_frame(ByteSpan(c.bytes).first(n));
            RC_ASSERT(!cut.ok());
            RC_ASSERT(cut.error().code == Errc::truncated);
            RC_ASSERT(cut.error().message == "frame");
        }
    }));
}

TEST(FrameProperties, MutatedFramesAreRejectedOrCanonical) {
    EXPECT_TRUE(rc::check("mutated frames", [] {
        FrameCase c = *any_frame();
        Bytes input = c.bytes;
        const auto at = *rc::gen::inRange<std::size_t>(0, input.size());
        // Bias edits towards the header, where most rules are.
        const std::size_t where = *rc::gen::weightedElement<std::size_t>(
            {{3, std::min(at, kFrameHeaderSize - 1)}, {1, at}});
        input[where] = static_cast<Byte>(input[where] ^ *rc::gen::inRange<int>(1, 256));
        Result<DecodedFrame> decoded = decode_frame_message(input);
        if (!decoded.ok()) {
            RC_TAG("rejected");
            return;
        }
        RC_TAG("accepted");
        Result<Bytes> again = encode_frame(to_frame(decoded->frame));
        RC_ASSERT(again.ok());
        RC_ASSERT(*again == input);
        Result<Bytes> payload = encode_message(decoded->message);
        RC_ASSERT(payload.ok());
        RC_ASSERT(ByteSpan(*payload).size() == decoded->frame.payload.size());
        RC_ASSERT(std::equal(payload->begin(), payload->end(), decoded->frame.payload.begin()));
    }));
}

}  // namespace
}  // namespace tfqkd::wire
