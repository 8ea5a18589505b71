// detection_report: rules of docs/wire-format.md section 5.3 beyond what the vector files show.
#include <gtest/gtest.h>

#include "protocol/wire/detection_report.hpp"

namespace tfqkd::wire {
namespace {

using Click = DetectionReport::Click;

DetectionReport sample() {
    DetectionReport m;
    m.block_id = 2;
    m.first_slot = 10;
    m.slot_count = 1000;
    m.slots = {10, 11, 200};
    m.clicks = {Click::left, Click::both, Click::right};
    return m;
}

TEST(DetectionReport, EncodesTheSpecLayout) {
    auto bytes = encode_payload(sample());
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    // block 2, first_slot 10, slot_count 1000, 3 events:
    //   slot 10: gap 0, left  -> v = 0<<2|1 = 0x01
    //   slot 11: gap 0, both  -> v = 0<<2|3 = 0x03
    //   slot 200: gap 188, right -> v = 188<<2|2 = 754 = 0x2f2 -> LEB128 f2 05
    EXPECT_EQ(to_hex(*bytes), "0000000000000002" "000000000000000a" "00000000000003e8" "00000003"
                              "01" "03" "f205");
}

TEST(DetectionReport, ClickZeroAndSlotsPastTheSpanAreRejectedAtTheirEvent) {
    // The same header with events 01 00: the second event has click 0.
    auto input = from_hex("0000000000000002" "000000000000000a" "00000000000003e8" "00000002" "0100");
    ASSERT_TRUE(input.ok());
    auto m = decode_payload<DetectionReport>(*input);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::invalid_value);
    EXPECT_EQ(m.error().field, "events[].click");
    EXPECT_EQ(m.error().offset, 29U);

    // slot_count 1000 from slot 10: gap 1000 (v = 4001 = a1 1f) puts the first event at 1010.
    input = from_hex("0000000000000002" "000000000000000a" "00000000000003e8" "00000001" "a11f");
    ASSERT_TRUE(input.ok());
    m = decode_payload<DetectionReport>(*input);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "events[].gap");
    EXPECT_EQ(m.error().offset, 28U) << "the offset is the start of the event's varint";
}

TEST(DetectionReport, LastSlotOfTheSpanIsAccepted) {
    DetectionReport m = sample();
    m.slots = {m.first_slot + m.slot_count - 1};
    m.clicks = {Click::right};
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    m.slots = {m.first_slot + m.slot_count};
    auto past = encode_payload(m);
    ASSERT_FALSE(past.ok());
    EXPECT_EQ(past.error().field, "events[].gap");
}

TEST(DetectionReport, EncoderRefusesUnorderedOrMismatchedEvents) {
    DetectionReport m = sample();
    m.slots = {10, 10, 200};
    auto r = encode_payload(m);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::not_increasing);
    m.slots = {9, 11, 200};  // before first_slot
    r = encode_payload(m);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::not_increasing);
    m = sample();
    m.clicks.pop_back();
    r = encode_payload(m);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::length_mismatch);
}

TEST(DetectionReport, SpanMustEndBy2To48) {
    DetectionReport m;
    m.first_slot = kMaxSlot - 1;
    m.slot_count = 1;
    EXPECT_TRUE(encode_payload(m).ok());
    m.slot_count = 2;
    auto r = encode_payload(m);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "slot_count");
    EXPECT_EQ(r.error().code, Errc::out_of_range);
}

TEST(DetectionReport, EventCountIsCheckedAgainstTheInputBeforeAllocating) {
    // 10^8 events claimed with no event bytes: rejected on the count, without a 900 MB allocation.
    auto input = from_hex("0000000000000000" "0000000000000000" "0001000000000000" "05f5e100");
    ASSERT_TRUE(input.ok());
    auto m = decode_payload<DetectionReport>(*input);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::truncated);
    EXPECT_EQ(m.error().field, "event_count");
}

TEST(DetectionReport, VarintErrorsInsideEventsNameTheEvent) {
    // An over-long zero (80 00) and a 9-byte varint: non_canonical and out_of_range on events[].
    auto overlong = from_hex("0000000000000000" "0000000000000000" "0001000000000000" "00000001" "8100");
    ASSERT_TRUE(overlong.ok());
    auto m = decode_payload<DetectionReport>(*overlong);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::non_canonical);
    EXPECT_EQ(m.error().field, "events[]");
    auto nine = from_hex("0000000000000000" "0000000000000000" "0001000000000000" "00000001" "818080808080808001");
    ASSERT_TRUE(nine.ok());
    m = decode_payload<DetectionReport>(*nine);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "events[]");
}

}  // namespace
}  // namespace tfqkd::wire
