// privacy_amplification: rules of docs/wire-format.md section 5.14 that need more than the vector
// files show.
#include <gtest/gtest.h>

#include "protocol/wire/privacy_amplification.hpp"
#include "unit/test_support.hpp"

namespace tfqkd::wire {
namespace {

TEST(PrivacyAmplification, EncodesTheSpecLayout) {
    PrivacyAmplification m;
    m.block_id = 5;
    m.input_bits = 4;
    m.output_bits = 3;
    for (char c : std::string_view("110101")) m.seed.push_back(c == '1');
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    // block_id u64, algorithm u8 = 1, input_bits u32 = 4, output_bits u32 = 3, seed 4 + 3 - 1 = 6 bits
    EXPECT_EQ(to_hex(*bytes), "0000000000000005" "01" "00000004" "00000003" "d4");
    auto back = decode_payload<PrivacyAmplification>(*bytes);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, m);
}

TEST(PrivacyAmplification, OutputBitsAreBoundedByInputBits) {
    // output == input: a seed of 2 * 4 - 1 = 7 bits.
    auto m = decode_hex<PrivacyAmplification>("0000000000000000" "01" "00000004" "00000004" "fe");
    ASSERT_TRUE(m.ok()) << m.error().to_string();

    m = decode_hex<PrivacyAmplification>("0000000000000000" "01" "00000004" "00000005" "ff");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "output_bits");
    EXPECT_EQ(m.error().offset, 13U);

    m = decode_hex<PrivacyAmplification>("0000000000000000" "01" "00000004" "00000000");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "output_bits");

    // Even a seed of the right length for 4 + 5 - 1 bits does not make it valid.
    PrivacyAmplification wide;
    wide.input_bits = 4;
    wide.output_bits = 5;
    wide.seed = PackedBits(8);
    auto bytes = encode_payload(wide);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, Errc::out_of_range);
    EXPECT_EQ(bytes.error().field, "output_bits");
}

TEST(PrivacyAmplification, InputBitsBounds) {
    auto m = decode_hex<PrivacyAmplification>("0000000000000000" "01" "00000000" "00000000");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "input_bits");
    EXPECT_EQ(m.error().offset, 9U);

    m = decode_hex<PrivacyAmplification>("0000000000000000" "01" "40000001" "00000001");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::out_of_range);
    EXPECT_EQ(m.error().field, "input_bits");
    EXPECT_EQ(m.error().offset, 9U);
}

TEST(PrivacyAmplification, AShortSeedIsTruncatedOnTheSeed) {
    // The largest claim, 2^31 - 1 bits (256 MiB), with nothing behind it: rejected before allocating.
    auto m = decode_hex<PrivacyAmplification>("0000000000000000" "01" "40000000" "40000000");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::truncated);
    EXPECT_EQ(m.error().field, "seed");
    EXPECT_EQ(m.error().offset, 17U);

    // 9 + 1 - 1 = 9 bits need 2 bytes.
    m = decode_hex<PrivacyAmplification>("0000000000000000" "01" "00000009" "00000001" "ff");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::truncated);
    EXPECT_EQ(m.error().field, "seed");
    EXPECT_EQ(m.error().offset, 17U);
}

TEST(PrivacyAmplification, ASeedPaddingBitIsNonCanonical) {
    auto m = decode_hex<PrivacyAmplification>("0000000000000000" "01" "00000004" "00000003" "d6");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::non_canonical);
    EXPECT_EQ(m.error().field, "seed");
    EXPECT_EQ(m.error().offset, 17U);
}

TEST(PrivacyAmplification, UndefinedAlgorithmIsInvalid) {
    auto m = decode_hex<PrivacyAmplification>("0000000000000000" "02" "00000004" "00000003" "d4");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::invalid_value);
    EXPECT_EQ(m.error().field, "algorithm");
    EXPECT_EQ(m.error().offset, 8U);
}

TEST(PrivacyAmplification, EncoderRefusesASeedOfAnotherLength) {
    PrivacyAmplification m;
    m.input_bits = 4;
    m.output_bits = 3;
    m.seed = PackedBits(7);
    auto bytes = encode_payload(m);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, Errc::length_mismatch);
    EXPECT_EQ(bytes.error().field, "seed");

    m.seed = PackedBits(5);
    bytes = encode_payload(m);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, Errc::length_mismatch);
    EXPECT_EQ(bytes.error().field, "seed");

    m.seed = PackedBits(6);
    EXPECT_TRUE(encode_payload(m).ok());
}

}  // namespace
}  // namespace tfqkd::wire
