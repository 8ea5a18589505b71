// key_confirmation: rules of docs/wire-format.md section 5.15 that need more than the vector files show.
#include <gtest/gtest.h>

#include "protocol/wire/key_confirmation.hpp"
#include "unit/test_support.hpp"

namespace tfqkd::wire {
namespace {

TEST(KeyConfirmation, EncodesTheSpecLayout) {
    KeyConfirmation m;
    m.block_id = 6;
    m.key_bits = 256;
    for (std::size_t i = 0; i < m.confirmation.size(); ++i) m.confirmation[i] = static_cast<Byte>(0xf0 + i);
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    // block_id u64, key_bits u32 = 256, confirmation 16 bytes
    EXPECT_EQ(to_hex(*bytes), "0000000000000006" "00000100" "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    auto back = decode_payload<KeyConfirmation>(*bytes);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, m);
}

TEST(KeyConfirmation, KeyBitsBounds) {
    auto m = decode_hex<KeyConfirmation>("0000000000000000" "40000000" "00000000000000000000000000000000");
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    EXPECT_EQ(m->key_bits, KeyConfirmation::kMaxKeyBits);

    m = decode_hex<KeyConfirmation>("0000000000000000" "40000001" "00000000000000000000000000000000");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "key_bits");
    EXPECT_EQ(m.error().offset, 8U);

    KeyConfirmation big;
    big.key_bits = KeyConfirmation::kMaxKeyBits + 1;
    auto bytes = encode_payload(big);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, Errc::out_of_range);
    EXPECT_EQ(bytes.error().field, "key_bits");
}

TEST(KeyConfirmation, AShortConfirmationIsTruncatedAtItsStart) {
    auto m = decode_hex<KeyConfirmation>("0000000000000000" "00000000" "000000000000000000000000000000");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::truncated);
    EXPECT_EQ(m.error().field, "confirmation");
    EXPECT_EQ(m.error().offset, 12U);

    m = decode_hex<KeyConfirmation>("0000000000000000" "00000000" "0000000000000000000000000000000000");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::trailing_data);
    EXPECT_EQ(m.error().offset, 28U);
}

}  // namespace
}  // namespace tfqkd::wire
