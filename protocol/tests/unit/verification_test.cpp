// verification: rules of docs/wire-format.md section 5.13 that need more than the vector files show.
#include <gtest/gtest.h>

#include "protocol/wire/verification.hpp"
#include "unit/test_support.hpp"

namespace tfqkd::wire {
namespace {

Bytes counting(std::size_t n, Byte first) {
    Bytes out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<Byte>(first + i);
    return out;
}

TEST(Verification, EncodesTheSpecLayoutOfGf64) {
    Verification m;
    m.block_id = 4;
    m.algorithm = Verification::Algorithm::poly_gf2_64;
    m.seed = counting(8, 0x00);
    m.tag = counting(8, 0x08);
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    // block_id u64, algorithm u8 = 1, seed 8 bytes, tag 8 bytes
    EXPECT_EQ(to_hex(*bytes), "0000000000000004" "01" "0001020304050607" "08090a0b0c0d0e0f");
    auto back = decode_payload<Verification>(*bytes);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, m);
}

TEST(Verification, EncodesTheSpecLayoutOfGf128) {
    Verification m;
    m.block_id = 0xffffffffffffffff;
    m.algorithm = Verification::Algorithm::poly_gf2_128;
    m.seed = counting(16, 0x10);
    m.tag = counting(16, 0x20);
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    EXPECT_EQ(to_hex(*bytes), "ffffffffffffffff" "02" "101112131415161718191a1b1c1d1e1f"
                              "202122232425262728292a2b2c2d2e2f");
}

TEST(Verification, UndefinedAlgorithmsAreInvalid) {
    for (const char* algorithm : {"00", "03", "ff"}) {
        auto m = decode_hex<Verification>(std::string("0000000000000000") + algorithm +
                                          "00000000000000000000000000000000");
        ASSERT_FALSE(m.ok()) << algorithm;
        EXPECT_EQ(m.error().code, Errc::invalid_value);
        EXPECT_EQ(m.error().field, "algorithm");
        EXPECT_EQ(m.error().offset, 8U);
    }
}

TEST(Verification, TheAlgorithmFixesTheLengths) {
    // GF(2^128) with the 8 + 8 bytes of GF(2^64): the seed takes all 16, the tag is missing.
    auto m = decode_hex<Verification>("0000000000000000" "02" "0001020304050607" "08090a0b0c0d0e0f");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::truncated);
    EXPECT_EQ(m.error().field, "tag");
    EXPECT_EQ(m.error().offset, 25U);

    // GF(2^64) with 16 + 16 bytes: the second half is left over.
    m = decode_hex<Verification>("0000000000000000" "01" "000102030405060708090a0b0c0d0e0f"
                                 "000102030405060708090a0b0c0d0e0f");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::trailing_data);
    EXPECT_EQ(m.error().offset, 25U);

    m = decode_hex<Verification>("0000000000000000" "01" "00010203");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::truncated);
    EXPECT_EQ(m.error().field, "seed");
    EXPECT_EQ(m.error().offset, 9U);
}

TEST(Verification, EncoderRefusesSeedOrTagOfTheWrongSize) {
    Verification m;
    m.algorithm = Verification::Algorithm::poly_gf2_64;
    m.seed = counting(16, 0);
    m.tag = counting(8, 0);
    auto bytes = encode_payload(m);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, Errc::length_mismatch);
    EXPECT_EQ(bytes.error().field, "seed");

    m.seed = counting(8, 0);
    m.tag = {};
    bytes = encode_payload(m);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, Errc::length_mismatch);
    EXPECT_EQ(bytes.error().field, "tag");

    m.algorithm = Verification::Algorithm::poly_gf2_128;
    m.tag = counting(16, 0);
    bytes = encode_payload(m);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, Errc::length_mismatch);
    EXPECT_EQ(bytes.error().field, "seed");
}

}  // namespace
}  // namespace tfqkd::wire
