// aopp_parity: rules of docs/wire-format.md section 5.9 that need more than the vector files show.
#include <gtest/gtest.h>

#include "protocol/wire/aopp_parity.hpp"
#include "unit/test_support.hpp"

namespace tfqkd::wire {
namespace {

TEST(AoppParity, EncodesTheSpecLayout) {
    AoppParity m;
    m.block_id = 0x0102030405060708;
    for (char c : std::string_view("1011001101")) m.parities.push_back(c == '1');
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    // block_id u64, pair_count u32 = 10, parities 10110011 01|000000
    EXPECT_EQ(to_hex(*bytes), "0102030405060708" "0000000a" "b340");
    auto back = decode_payload<AoppParity>(*bytes);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, m);
}

TEST(AoppParity, NoPairsIsAnEmptyBitList) {
    auto m = decode_hex<AoppParity>("0000000000000009" "00000000");
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    EXPECT_EQ(m->block_id, 9U);
    EXPECT_TRUE(m->parities.empty());
}

TEST(AoppParity, ACountBeyondTheRemainingBytesIsTruncatedOnTheCount) {
    // 17 pairs need 3 bytes; only 2 follow.
    auto m = decode_hex<AoppParity>("0000000000000000" "00000011" "ffff");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::truncated);
    EXPECT_EQ(m.error().field, "pair_count");
    EXPECT_EQ(m.error().offset, 8U);
    EXPECT_EQ(m.error().message, "aopp_parity");

    // 16 pairs fit exactly in the same 2 bytes.
    EXPECT_TRUE(decode_hex<AoppParity>("0000000000000000" "00000010" "ffff").ok());
}

TEST(AoppParity, TheBoundIsCheckedBeforeTheRemainingBytes) {
    auto m = decode_hex<AoppParity>("0000000000000000" "02faf081");  // 5 * 10^7 + 1
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "pair_count");
    EXPECT_EQ(m.error().offset, 8U);

    m = decode_hex<AoppParity>("0000000000000000" "02faf080");  // 5 * 10^7, within bounds but no bits follow
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::truncated);
    EXPECT_EQ(m.error().field, "pair_count");
}

TEST(AoppParity, APaddingBitIsNonCanonicalAtItsByte) {
    auto m = decode_hex<AoppParity>("0000000000000000" "0000000a" "b341");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::non_canonical);
    EXPECT_EQ(m.error().field, "parities");
    EXPECT_EQ(m.error().offset, 13U);
}

TEST(AoppParity, EncoderRefusesMorePairsThanTheBound) {
    AoppParity m;
    m.parities = PackedBits(AoppParity::kMaxPairs + 1ULL);
    auto bytes = encode_payload(m);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, Errc::out_of_range);
    EXPECT_EQ(bytes.error().field, "pair_count");

    m.parities = PackedBits(AoppParity::kMaxPairs);
    bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    EXPECT_EQ(bytes->size(), 12U + AoppParity::kMaxPairs / 8);
}

}  // namespace
}  // namespace tfqkd::wire
