// The frame (docs/wire-format.md, section 3): layout, header rules, routes and tags.
#include <gtest/gtest.h>

#include "protocol/wire/frame.hpp"

namespace tfqkd::wire {
namespace {

Abort sample_abort() {
    Abort m;
    m.block_id = 1;
    m.reason = Abort::Reason::timeout;
    return m;
}

TEST(Frame, EncodesTheHeaderLayoutOfTheSpec) {
    FrameHeader h{MessageType::abort, Role::charlie, Role::alice, 0x1122334455667788, 5};
    auto bytes = encode_frame_message(h, Message(sample_abort()));
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    // magic "TFQK", version 1, type 0x7f, sender 3, receiver 1, session id, sequence 5, length 12,
    // then the abort payload (block 1, reason 9, empty detail); no tag from charlie.
    EXPECT_EQ(to_hex(*bytes),
              "5446514b" "01" "7f" "03" "01" "1122334455667788" "0000000000000005" "0000000c"
              "0000000000000001" "0009" "0000");
}

TEST(Frame, PeerFramesCarryATagOverHeaderAndPayload) {
    FrameHeader h{MessageType::abort, Role::alice, Role::bob, 9, 0};
    auto bytes = encode_frame_message(h, Message(sample_abort()));
    ASSERT_TRUE(bytes.ok());
    ASSERT_EQ(bytes->size(), kFrameHeaderSize + 12 + kTagSize);
    auto view = decode_frame(*bytes);
    ASSERT_TRUE(view.ok()) << view.error().to_string();
    EXPECT_EQ(view->tag.size(), kTagSize);
    EXPECT_EQ(view->authenticated.size(), kFrameHeaderSize + 12);
    EXPECT_EQ(view->authenticated.data(), bytes->data());
    // Without the tag the frame is truncated at the tag.
    auto cut = decode_frame(ByteSpan(*bytes).first(bytes->size() - 1));
    ASSERT_FALSE(cut.ok());
    EXPECT_EQ(cut.error().code, Errc::truncated);
    EXPECT_EQ(cut.error().field, "tag");
}

TEST(Frame, EncoderDemandsATagExactlyOnThePeerChannel) {
    Frame f{{MessageType::abort, Role::alice, Role::bob, 0, 0}, Bytes(12, 0), std::nullopt};
    auto missing = encode_frame(f);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().field, "tag");
    f.header.receiver = Role::charlie;
    f.tag = Tag{};
    auto extra = encode_frame(f);
    ASSERT_FALSE(extra.ok());
    EXPECT_EQ(extra.error().field, "tag");
}

struct HeaderCase {
    const char* name;
    std::size_t offset;
    Byte value;
    Errc code;
    const char* field;
};

TEST(Frame, HeaderRulesAreCheckedInTableOrder) {
    FrameHeader h{MessageType::detection_report, Role::charlie, Role::bob, 1, 2};
    DetectionReport report;
    auto good = encode_frame_message(h, Message(report));
    ASSERT_TRUE(good.ok()) << good.error().to_string();
    const HeaderCase cases[] = {
        {"magic", 0, 'X', Errc::bad_magic, "magic"},
        {"version 0", 4, 0, Errc::unsupported_version, "version"},
        {"version 2", 4, 2, Errc::unsupported_version, "version"},
        {"type 0x03", 5, 0x03, Errc::unknown_type, "type"},
        {"sender 0", 6, 0, Errc::invalid_value, "sender"},
        {"receiver 4", 7, 4, Errc::invalid_value, "receiver"},
        {"sender == receiver", 7, 3, Errc::invalid_value, "receiver"},
        {"sifting from charlie", 5, 0x20, Errc::bad_route, "receiver"},
        {"payload length 2^30 + 1 (first byte)", 24, 0x40, Errc::out_of_range, "payload_length"},
    };
    for (const auto& c : cases) {
        Bytes bad = *good;
        bad[c.offset] = c.value;
        auto r = decode_frame(bad);
        ASSERT_FALSE(r.ok()) << c.name;
        EXPECT_EQ(r.error().code, c.code) << c.name;
        EXPECT_EQ(r.error().field, c.field) << c.name;
        EXPECT_EQ(r.error().message, "frame") << c.name;
    }
}

TEST(Frame, RoutesFollowTheCatalogue) {
    // detection_report only from charlie; sifting only between alice and bob; abort anywhere.
    EXPECT_EQ(allowed_channels(MessageType::detection_report), kFromRelay);
    EXPECT_EQ(allowed_channels(MessageType::sifting_announcement), kPeer);
    EXPECT_EQ(allowed_channels(MessageType::abort), kPeer | kToRelay | kFromRelay);
    EXPECT_EQ(channel_of(Role::alice, Role::bob), kPeer);
    EXPECT_EQ(channel_of(Role::bob, Role::charlie), kToRelay);
    EXPECT_EQ(channel_of(Role::charlie, Role::alice), kFromRelay);
    EXPECT_EQ(channel_of(Role::bob, Role::bob), 0);
    FrameHeader wrong{MessageType::detection_report, Role::alice, Role::bob, 0, 0};
    auto r = encode_frame_message(wrong, Message(DetectionReport{}));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::bad_route);
}

TEST(Frame, PayloadErrorsNameThePayloadsMessage) {
    FrameHeader h{MessageType::abort, Role::charlie, Role::alice, 0, 0};
    auto good = encode_frame_message(h, Message(sample_abort()));
    ASSERT_TRUE(good.ok());
    Bytes bad = *good;
    bad[kFrameHeaderSize + 9] = 0;  // reason 0 is undefined
    auto r = decode_frame_message(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "abort");
    EXPECT_EQ(r.error().field, "reason");
    EXPECT_EQ(r.error().code, Errc::invalid_value);
}

TEST(Frame, TrailingBytesAndShortPayloadsAreRejected) {
    FrameHeader h{MessageType::abort, Role::charlie, Role::alice, 0, 0};
    auto good = encode_frame_message(h, Message(sample_abort()));
    ASSERT_TRUE(good.ok());
    Bytes longer = *good;
    longer.push_back(0);
    auto r = decode_frame(longer);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::trailing_data);
    auto cut = decode_frame(ByteSpan(*good).first(good->size() - 1));
    ASSERT_FALSE(cut.ok());
    EXPECT_EQ(cut.error().field, "payload");
}

TEST(Frame, FrameSizeReadsTheHeaderOnly) {
    FrameHeader h{MessageType::abort, Role::bob, Role::alice, 0, 0};
    auto good = encode_frame_message(h, Message(sample_abort()));
    ASSERT_TRUE(good.ok());
    auto size = frame_size(ByteSpan(*good).first(kFrameHeaderSize));
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(*size, good->size());
    auto short_header = frame_size(ByteSpan(*good).first(kFrameHeaderSize - 1));
    ASSERT_FALSE(short_header.ok());
    EXPECT_EQ(short_header.error().code, Errc::truncated);
}

}  // namespace
}  // namespace tfqkd::wire
