#include "base/secret.hpp"

#include <gtest/gtest.h>

#include <array>
#include <sstream>
#include <type_traits>

namespace tfqkd {
namespace {

TEST(SecureWipe, ZeroesEveryByte) {
    std::array<Byte, 37> buffer{};
    buffer.fill(0xA5);
    secure_wipe(buffer.data(), buffer.size());
    for (Byte b : buffer) EXPECT_EQ(b, 0);
    secure_wipe(nullptr, 0);  // allowed
}

TEST(ConstantTimeEqual, ComparesLengthAndEveryByte) {
    const Bytes a = {1, 2, 3, 4, 5, 6, 7, 8};
    Bytes b = a;
    EXPECT_TRUE(constant_time_equal(a, b));
    for (std::size_t i = 0; i < a.size(); ++i) {
        for (unsigned bit = 0; bit < 8; ++bit) {
            b = a;
            b[i] = static_cast<Byte>(b[i] ^ (1U << bit));
            EXPECT_FALSE(constant_time_equal(a, b)) << "byte " << i << " bit " << bit;
        }
    }
    EXPECT_FALSE(constant_time_equal(a, ByteSpan(a).first(7)));
    EXPECT_TRUE(constant_time_equal(ByteSpan{}, ByteSpan{}));
}

TEST(SecretBytes, IsMoveOnlyAndNotPrintable) {
    static_assert(!std::is_copy_constructible_v<SecretBytes>);
    static_assert(!std::is_copy_assignable_v<SecretBytes>);
    static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);
    static_assert(!std::is_copy_constructible_v<SecretBits>);
}

TEST(SecretBytes, MoveTransfersTheBlockAndEmptiesTheSource) {
    const Bytes data = {9, 8, 7, 6};
    SecretBytes a = SecretBytes::copy_of(data);
    const Byte* block = a.reveal().data();
    SecretBytes b = std::move(a);
    EXPECT_EQ(b.reveal().data(), block);  // no copy of the secret was made
    EXPECT_TRUE(a.empty());               // NOLINT(bugprone-use-after-move): the state is specified
    EXPECT_EQ(a.reveal().data(), nullptr);
    EXPECT_TRUE(constant_time_equal(b.reveal(), data));
    SecretBytes c(2);
    c = std::move(b);
    EXPECT_TRUE(constant_time_equal(c.reveal(), data));
}

TEST(SecretBytes, ResizeKeepsThePrefixAndZeroFillsTheRest) {
    const Bytes data = {1, 2, 3};
    SecretBytes s = SecretBytes::copy_of(data);
    s.resize(5);
    const Bytes grown = {1, 2, 3, 0, 0};
    EXPECT_TRUE(constant_time_equal(s.reveal(), grown));
    s.resize(2);
    const Bytes shrunk = {1, 2};
    EXPECT_TRUE(constant_time_equal(s.reveal(), shrunk));
    s.clear();
    EXPECT_TRUE(s.empty());
}

TEST(SecretBytes, CloneIsAnIndependentCopy) {
    const Bytes data = {4, 5};
    SecretBytes a = SecretBytes::copy_of(data);
    SecretBytes b = a.clone();
    b.reveal_mutable()[0] = 0;
    EXPECT_EQ(a.reveal()[0], 4);
    EXPECT_NE(a.reveal().data(), b.reveal().data());
}

TEST(SecretBytes, GoogletestPrintsTheLengthOnly) {
    const Bytes data = {0xDE, 0xAD};
    SecretBytes s = SecretBytes::copy_of(data);
    EXPECT_EQ(::testing::PrintToString(s), "<secret, 2 bytes>");
}

TEST(SecretBits, MatchesThePackedBitsLayout) {
    PackedBits bits(11);
    for (std::uint64_t i : {0U, 3U, 10U}) bits.set(i, true);
    SecretBits s = SecretBits::copy_of(bits);
    ASSERT_EQ(s.size(), 11U);
    for (std::uint64_t i = 0; i < 11; ++i) EXPECT_EQ(s.get(i), bits.get(i)) << i;
    // MSB first: bits 0 and 3 are 0x90 in byte 0, bit 10 is 0x20 in byte 1.
    const Bytes expected = {0x90, 0x20};
    EXPECT_TRUE(constant_time_equal(s.reveal(), expected));
}

TEST(SecretBits, FromBytesClearsPaddingAndChecksTheLength) {
    const Bytes raw = {0xFF, 0xFF};
    Result<SecretBits> s = SecretBits::from_bytes(SecretBytes::copy_of(raw), 12);
    ASSERT_TRUE(s.ok());
    const Bytes expected = {0xFF, 0xF0};
    EXPECT_TRUE(constant_time_equal(s->reveal(), expected));
    Result<SecretBits> bad = SecretBits::from_bytes(SecretBytes::copy_of(raw), 17);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, Errc::length_mismatch);
    EXPECT_EQ(bad.error().field, "bytes");
}

TEST(SecretBits, SliceAndAppendAreBitExact) {
    SecretBits s(29);
    for (std::uint64_t i = 0; i < 29; ++i) s.set(i, (i * 7 + 3) % 5 < 2);
    for (std::uint64_t first : {0U, 3U, 8U, 13U}) {
        for (std::uint64_t count : {0U, 1U, 7U, 8U, 16U - (first % 8 == 0 ? 0U : 1U)}) {
            if (first + count > 29) continue;
            SecretBits part = s.slice(first, count);
            ASSERT_EQ(part.size(), count);
            for (std::uint64_t i = 0; i < count; ++i) EXPECT_EQ(part.get(i), s.get(first + i));
            // Padding stays zero, so equal bit strings have equal bytes.
            if (count % 8 != 0) {
                EXPECT_EQ(part.reveal().back() & (0xFFU >> (count % 8)), 0U);
            }
        }
    }
    SecretBits joined = s.slice(0, 13);
    joined.append(s.slice(13, 16));
    EXPECT_TRUE(constant_time_equal(joined.reveal(), s.reveal()));
    // Appending at a byte boundary (the copying path), then at an odd position again.
    SecretBits aligned = s.slice(0, 8);
    aligned.append(s.slice(8, 13));
    aligned.append(s.slice(21, 8));
    EXPECT_TRUE(constant_time_equal(aligned.reveal(), s.reveal()));
}

}  // namespace
}  // namespace tfqkd
