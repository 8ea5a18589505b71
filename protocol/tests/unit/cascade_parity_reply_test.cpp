// cascade_parity_reply: rules of docs/wire-format.md section 5.11 that need more than the vector
// files show.
#include <gtest/gtest.h>

#include "protocol/wire/cascade_parity_reply.hpp"
#include "unit/test_support.hpp"

namespace tfqkd::wire {
namespace {

TEST(CascadeParityReply, EncodesTheSpecLayout) {
    CascadeParityReply m;
    m.block_id = 2;
    m.query_id = 0xdeadbeef;
    m.parities.push_back(true);
    m.parities.push_back(false);
    m.parities.push_back(true);
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    // block_id u64, query_id u32, parity_count u32 = 3, parities 101|00000
    EXPECT_EQ(to_hex(*bytes), "0000000000000002" "deadbeef" "00000003" "a0");
    auto back = decode_payload<CascadeParityReply>(*bytes);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, m);
}

TEST(CascadeParityReply, AReplyAnswersAtLeastOneRange) {
    auto m = decode_hex<CascadeParityReply>("0000000000000000" "00000000" "00000000");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "parity_count");
    EXPECT_EQ(m.error().offset, 12U);

    CascadeParityReply empty;
    auto bytes = encode_payload(empty);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, Errc::out_of_range);
    EXPECT_EQ(bytes.error().field, "parity_count");
}

TEST(CascadeParityReply, CountBoundAndTruncationNameTheCount) {
    auto m = decode_hex<CascadeParityReply>("0000000000000000" "00000000" "01000001");  // 2^24 + 1
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "parity_count");

    m = decode_hex<CascadeParityReply>("0000000000000000" "00000000" "00000009" "ff");  // 9 bits need 2 bytes
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::truncated);
    EXPECT_EQ(m.error().field, "parity_count");
    EXPECT_EQ(m.error().offset, 12U);
}

TEST(CascadeParityReply, APaddingBitIsNonCanonical) {
    auto m = decode_hex<CascadeParityReply>("0000000000000000" "00000000" "00000009" "ffc0");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::non_canonical);
    EXPECT_EQ(m.error().field, "parities");
    EXPECT_EQ(m.error().offset, 17U);

    EXPECT_TRUE(decode_hex<CascadeParityReply>("0000000000000000" "00000000" "00000009" "ff80").ok());
}

}  // namespace
}  // namespace tfqkd::wire
