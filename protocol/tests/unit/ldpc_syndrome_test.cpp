// ldpc_syndrome: rules of docs/wire-format.md section 5.12 that need more than the vector files show.
#include <gtest/gtest.h>

#include "protocol/wire/ldpc_syndrome.hpp"
#include "unit/test_support.hpp"

namespace tfqkd::wire {
namespace {

TEST(LdpcSyndrome, EncodesTheSpecLayout) {
    LdpcSyndrome m;
    m.block_id = 3;
    m.code_id = 0x101;
    m.frame_index = 2;
    for (char c : std::string_view("111100001010")) m.syndrome.push_back(c == '1');
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    // block_id u64, code_id u32, frame_index u32, syndrome_bits u32 = 12, syndrome 11110000 1010|0000
    EXPECT_EQ(to_hex(*bytes), "0000000000000003" "00000101" "00000002" "0000000c" "f0a0");
    auto back = decode_payload<LdpcSyndrome>(*bytes);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, m);
}

TEST(LdpcSyndrome, SyndromeBitsBounds) {
    auto m = decode_hex<LdpcSyndrome>("0000000000000000" "00000000" "00000000" "00000000");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "syndrome_bits");
    EXPECT_EQ(m.error().offset, 16U);

    m = decode_hex<LdpcSyndrome>("0000000000000000" "00000000" "00000000" "01000001");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "syndrome_bits");

    // 2^24 is within bounds; the 2 MiB it claims are not there.
    m = decode_hex<LdpcSyndrome>("0000000000000000" "00000000" "00000000" "01000000" "00");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::truncated);
    EXPECT_EQ(m.error().field, "syndrome_bits");
    EXPECT_EQ(m.error().offset, 16U);
}

TEST(LdpcSyndrome, APaddingBitIsNonCanonical) {
    auto m = decode_hex<LdpcSyndrome>("0000000000000000" "00000000" "00000000" "0000000c" "f0a1");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::non_canonical);
    EXPECT_EQ(m.error().field, "syndrome");
    EXPECT_EQ(m.error().offset, 21U);
}

TEST(LdpcSyndrome, EncoderRefusesAnEmptySyndrome) {
    LdpcSyndrome m;
    auto bytes = encode_payload(m);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, Errc::out_of_range);
    EXPECT_EQ(bytes.error().field, "syndrome_bits");
}

}  // namespace
}  // namespace tfqkd::wire
