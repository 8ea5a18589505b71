// cascade_parity_query: rules of docs/wire-format.md section 5.10 that need more than the vector
// files show.
#include <gtest/gtest.h>

#include <string>

#include "protocol/wire/cascade_parity_query.hpp"
#include "unit/test_support.hpp"

namespace tfqkd::wire {
namespace {

// block_id 0, query_id 0, pass 1, permutation_seed 0: the 21 bytes before range_count.
constexpr std::string_view kHeader = "0000000000000000" "00000000" "01" "0000000000000000";

Result<CascadeParityQuery> decode_ranges(std::string_view count_and_ranges) {
    return decode_hex<CascadeParityQuery>(std::string(kHeader) + std::string(count_and_ranges));
}

TEST(CascadeParityQuery, EncodesTheSpecLayout) {
    CascadeParityQuery m;
    m.block_id = 1;
    m.query_id = 0x0a0b0c0d;
    m.pass = 3;
    m.permutation_seed = 0x1122334455667788;
    m.ranges = {{5, 3}, {8, 200}, {1000, 1}};
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    // block_id u64, query_id u32, pass u8, permutation_seed u64, range_count u32 = 3, then
    // (start_delta, length): (5, 3); (8 - 8 = 0, 200 = c8 01); (1000 - 208 = 792 = 98 06, 1).
    EXPECT_EQ(to_hex(*bytes), "0000000000000001" "0a0b0c0d" "03" "1122334455667788" "00000003"
                              "05" "03" "00" "c801" "9806" "01");
    auto back = decode_payload<CascadeParityQuery>(*bytes);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, m);
}

TEST(CascadeParityQuery, PassBounds) {
    for (const char* pass : {"00", "11"}) {
        auto m = decode_hex<CascadeParityQuery>(std::string("0000000000000000" "00000000") + pass +
                                                "0000000000000000" "00000001" "0001");
        ASSERT_FALSE(m.ok()) << pass;
        EXPECT_EQ(m.error().code, Errc::out_of_range);
        EXPECT_EQ(m.error().field, "pass");
        EXPECT_EQ(m.error().offset, 12U);
    }
    EXPECT_TRUE(
        decode_hex<CascadeParityQuery>("0000000000000000" "00000000" "10" "0000000000000000" "00000001" "0001").ok());
}

TEST(CascadeParityQuery, RangeCountBoundsAndTruncation) {
    auto m = decode_ranges("00000000");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "range_count");
    EXPECT_EQ(m.error().offset, 21U);

    m = decode_ranges("01000001");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "range_count");

    // Two ranges need at least 4 bytes; 3 remain.
    m = decode_ranges("00000002" "000100");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::truncated);
    EXPECT_EQ(m.error().field, "range_count");
    EXPECT_EQ(m.error().offset, 21U);

    // With 4 bytes the count passes and the ranges are read.
    m = decode_ranges("00000002" "00010001");
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    EXPECT_EQ(m->ranges, (std::vector<CascadeParityQuery::Range>{{0, 1}, {1, 1}}));
}

TEST(CascadeParityQuery, StartsAreRelativeToThePreviousEnd) {
    auto m = decode_ranges("00000003" "0a02" "0005" "0301");
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    EXPECT_EQ(m->ranges, (std::vector<CascadeParityQuery::Range>{{10, 2}, {12, 5}, {20, 1}}));
}

TEST(CascadeParityQuery, AnEmptyRangeIsOutOfRangeOnItsLength) {
    auto m = decode_ranges("00000002" "0001" "0500");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "ranges[].length");
    EXPECT_EQ(m.error().offset, 28U);

    CascadeParityQuery q;
    q.ranges = {{5, 0}};
    auto bytes = encode_payload(q);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, Errc::out_of_range);
    EXPECT_EQ(bytes.error().field, "ranges[].length");
}

TEST(CascadeParityQuery, EndsAreAtMostTwoToThe32) {
    // [0, 2^32): length 2^32 is the five-byte varint 80 80 80 80 10.
    auto m = decode_ranges("00000001" "00" "8080808010");
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    EXPECT_EQ(m->ranges.front().length, 1ULL << 32);

    m = decode_ranges("00000001" "01" "8080808010");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "ranges[].length");
    EXPECT_EQ(m.error().offset, 26U);

    // The bound applies to the end, which depends on the ranges before: [0, 2^32 - 1) leaves room
    // for one more bit, directly after it and nowhere else.
    m = decode_ranges("00000002" "00" "ffffffff0f" "0001");
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    EXPECT_EQ(m->ranges.back().start, (1ULL << 32) - 1);

    m = decode_ranges("00000002" "00" "ffffffff0f" "0101");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "ranges[].length");
    EXPECT_EQ(m.error().offset, 32U);  // 21 + 4 + (1 + 5) + 1

    CascadeParityQuery q;
    q.ranges = {{(1ULL << 32) - 1, 2}};
    auto bytes = encode_payload(q);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, Errc::out_of_range);
    EXPECT_EQ(bytes.error().field, "ranges[].length");
}

TEST(CascadeParityQuery, RangeVarintsAreCanonicalAndAtMostFiveBytes) {
    auto m = decode_ranges("00000001" "8000" "01");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::non_canonical);
    EXPECT_EQ(m.error().field, "ranges[].start");
    EXPECT_EQ(m.error().offset, 25U);

    m = decode_ranges("00000001" "00" "808080808001");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "ranges[].length");
    EXPECT_EQ(m.error().offset, 26U);

    m = decode_ranges("00000001" "00" "8080");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::truncated);
    EXPECT_EQ(m.error().field, "ranges[].length");
}

TEST(CascadeParityQuery, EncoderRefusesRangesOutOfOrderOrOverlapping) {
    CascadeParityQuery q;
    q.ranges = {{10, 5}, {14, 1}};  // overlaps the first range's last bit
    auto bytes = encode_payload(q);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, Errc::not_increasing);
    EXPECT_EQ(bytes.error().field, "ranges[].start");

    q.ranges = {{10, 1}, {3, 1}};
    bytes = encode_payload(q);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, Errc::not_increasing);
    EXPECT_EQ(bytes.error().field, "ranges[].start");

    // Adjacent ranges are disjoint: a start delta of 0.
    q.ranges = {{10, 5}, {15, 1}};
    bytes = encode_payload(q);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    EXPECT_EQ(to_hex(*bytes).substr(50), "0a05" "0001");
}

TEST(CascadeParityQuery, EncoderRefusesNoRanges) {
    CascadeParityQuery q;
    auto bytes = encode_payload(q);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, Errc::out_of_range);
    EXPECT_EQ(bytes.error().field, "range_count");
}

}  // namespace
}  // namespace tfqkd::wire
