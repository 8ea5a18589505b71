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

namespace tfqkd::wire {
namespace {

// Reports long enough for the block decoder (64-byte blocks) must report errors exactly where the
// byte-wise rule does: at the first byte of the offending event.
TEST(DetectionReport, ErrorsDeepInLongReportsAreReportedAtTheirEvent) {
    DetectionReport m;
    m.slot_count = kMaxSlot;
    for (std::uint64_t k = 0; k < 400; ++k) {
        m.slots.push_back(k * 5000 + (k % 7) * 300);  // 2- and 3-byte varints
        m.clicks.push_back(static_cast<Click>(1 + k % 3));
    }
    const Bytes good = *encode_payload(m);
    ASSERT_TRUE(decode_payload<DetectionReport>(good).ok());
    constexpr std::size_t kEvents = 28;  // where the events start in the payload
    // The start offset of event `index`.
    const auto event_offset = [&](std::size_t index) {
        std::size_t at = kEvents;
        for (std::size_t e = 0; e < index; ++e) {
            while (good[at] & 0x80) ++at;
            ++at;
        }
        return at;
    };
    for (std::size_t index : {0U, 13U, 150U, 398U}) {
        const std::size_t at = event_offset(index);
        Bytes bad = good;
        bad[at] = static_cast<Byte>(bad[at] & 0xFC);  // click 0 (the low two bits of the first byte)
        auto r = decode_payload<DetectionReport>(bad);
        ASSERT_FALSE(r.ok()) << index;
        EXPECT_EQ(r.error().field, "events[].click") << index;
        EXPECT_EQ(r.error().offset, at) << index;

        // Make the event non-canonical: its last byte becomes a zero group after an extra 0x80.
        Bytes overlong(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(at));
        std::size_t last = at;
        while (good[last] & 0x80) ++last;
        overlong.insert(overlong.end(), good.begin() + static_cast<std::ptrdiff_t>(at),
                        good.begin() + static_cast<std::ptrdiff_t>(last));
        overlong.push_back(static_cast<Byte>(good[last] | 0x80));
        overlong.push_back(0x00);
        overlong.insert(overlong.end(), good.begin() + static_cast<std::ptrdiff_t>(last) + 1, good.end());
        r = decode_payload<DetectionReport>(overlong);
        ASSERT_FALSE(r.ok()) << index;
        EXPECT_EQ(r.error().code, Errc::non_canonical) << index;
        EXPECT_EQ(r.error().field, "events[]") << index;
        EXPECT_EQ(r.error().offset, at) << index;
    }
}

TEST(DetectionReport, NineByteVarintDeepInALongReportIsOutOfRange) {
    DetectionReport m;
    m.slot_count = kMaxSlot;
    for (std::uint64_t k = 0; k < 100; ++k) {
        m.slots.push_back(k * 3);
        m.clicks.push_back(Click::left);
    }
    Bytes bytes = *encode_payload(m);
    // Replace event 50 (one byte, 0x09: gap 2, left) by nine continuation-carrying bytes.
    const std::size_t at = 28 + 50;
    ASSERT_EQ(bytes[at], 0x09);
    bytes[at] = 0x89;
    const Bytes filler{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at) + 1, filler.begin(), filler.end());
    auto r = decode_payload<DetectionReport>(bytes);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::out_of_range);
    EXPECT_EQ(r.error().field, "events[]");
    EXPECT_EQ(r.error().offset, at);
}

}  // namespace
}  // namespace tfqkd::wire
