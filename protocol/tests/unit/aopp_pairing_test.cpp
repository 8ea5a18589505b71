// aopp_pairing: rules of docs/wire-format.md section 5.8 that need more than the vector files show.
#include <gtest/gtest.h>

#include "protocol/wire/aopp_pairing.hpp"
#include "unit/test_support.hpp"

namespace tfqkd::wire {
namespace {

using Pair = AoppPairing::Pair;

// block_id 0, bob_zeros 2, bob_ones 2: the head of most inputs below (pair_count follows at byte 24).
constexpr std::string_view kHead = "0000000000000000" "0000000000000002" "0000000000000002";

std::string head_then(std::string_view rest) { return std::string(kHead) + std::string(rest); }

TEST(AoppPairing, EncodesTheSpecLayout) {
    AoppPairing m;
    m.block_id = 0x0102030405060708;
    m.bob_zeros = 5;
    m.bob_ones = 0x100000000;  // 2^32, the largest count
    m.pairs = {Pair{0, 1}, Pair{2, 10}, Pair{131, 400}};
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    EXPECT_EQ(to_hex(*bytes),
              "0102030405060708"  // block_id
              "0000000000000005"  // bob_zeros
              "0000000100000000"  // bob_ones
              "00000003"          // pair_count
              "00" "00"           // first 0, second 0 + 1 + 0
              "01" "07"           // first 0 + 1 + 1, second 2 + 1 + 7
              "8001" "8c02"       // first 2 + 1 + 128, second 131 + 1 + 268
    );
    auto back = decode_payload<AoppPairing>(*bytes);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, m);
}

TEST(AoppPairing, CountsAreAtMostTwoToThe32) {
    auto largest = decode_hex<AoppPairing>("0000000000000000" "0000000100000000" "0000000100000000" "00000000");
    ASSERT_TRUE(largest.ok()) << largest.error().to_string();
    EXPECT_EQ(largest->bob_zeros, AoppPairing::kMaxBitCount);
    EXPECT_EQ(largest->bob_ones, AoppPairing::kMaxBitCount);
    expect_error(decode_hex<AoppPairing>("0000000000000000" "0000000100000001" "0000000000000000" "00000000"),
                 Errc::out_of_range, "bob_zeros", 8);
    expect_error(decode_hex<AoppPairing>("0000000000000000" "0000000000000000" "ffffffffffffffff" "00000000"),
                 Errc::out_of_range, "bob_ones", 16);
    // The count's bound is checked as it is read, before the fields after it.
    expect_error(decode_hex<AoppPairing>("0000000000000000" "8000000000000000" "0000000000000000" "ffffffff"),
                 Errc::out_of_range, "bob_zeros", 8);
}

TEST(AoppPairing, InputEndingInsideACountIsTruncatedThere) {
    expect_error(decode_hex<AoppPairing>("0000000000000000"), Errc::truncated, "bob_zeros", 8);
    expect_error(decode_hex<AoppPairing>("0000000000000000" "00000000000000"), Errc::truncated, "bob_zeros", 8);
    expect_error(decode_hex<AoppPairing>("0000000000000000" "0000000000000002" "0000"), Errc::truncated,
                 "bob_ones", 16);
    expect_error(decode_hex<AoppPairing>(kHead), Errc::truncated, "pair_count", 24);
}

TEST(AoppPairing, PairsTakeABitOfEachValue) {
    // Two pairs: accepted with two bits of each value, inconsistent with one bit of either.
    auto exact = decode_hex<AoppPairing>(head_then("00000002" "00" "00" "00" "00"));
    ASSERT_TRUE(exact.ok()) << exact.error().to_string();
    EXPECT_EQ(exact->pairs.size(), 2U);
    expect_error(decode_hex<AoppPairing>("0000000000000000" "0000000000000001" "0000000000000002"
                                         "00000002" "00" "00" "00" "00"),
                 Errc::inconsistent, "pair_count", 24);
    expect_error(decode_hex<AoppPairing>("0000000000000000" "0000000000000002" "0000000000000001"
                                         "00000002" "00" "00" "00" "00"),
                 Errc::inconsistent, "pair_count", 24);

    AoppPairing m;
    m.pairs = {Pair{0, 1}};
    m.bob_zeros = 1;
    expect_encode_error(m, Errc::inconsistent, "pair_count", 24);
    m.bob_ones = 1;
    EXPECT_TRUE(encode_payload(m).ok());
}

TEST(AoppPairing, FieldErrorsComeBeforeTheInconsistency) {
    // One pair with no bits at all (inconsistent), and also ...
    const std::string none = "0000000000000000" "0000000000000000" "0000000000000000" "00000001";
    // ... a trailing byte (WF-ENC-8: exact consumption is checked before the cross-field rules),
    expect_error(decode_hex<AoppPairing>(none + "00" "00" "00"), Errc::trailing_data, "", 30);
    // ... a non-canonical first delta,
    expect_error(decode_hex<AoppPairing>(none + "8000" "00"), Errc::non_canonical, "pairs[].first", 28);
    // ... a count beyond the input.
    expect_error(decode_hex<AoppPairing>(none + "00"), Errc::truncated, "pair_count", 24);
    // Alone, the inconsistency is reported.
    expect_error(decode_hex<AoppPairing>(none + "00" "00"), Errc::inconsistent, "pair_count", 24);
}

TEST(AoppPairing, EncoderRefusesCountsAboveTwoToThe32) {
    AoppPairing m;
    m.bob_zeros = AoppPairing::kMaxBitCount + 1;
    expect_encode_error(m, Errc::out_of_range, "bob_zeros", 8);
    m.bob_zeros = 0;
    m.bob_ones = ~std::uint64_t{0};
    expect_encode_error(m, Errc::out_of_range, "bob_ones", 16);
}

TEST(AoppPairing, IndicesStayBelowTwoToThe32) {
    auto last = decode_hex<AoppPairing>(head_then("00000001" "feffffff0f" "00"));
    ASSERT_TRUE(last.ok()) << last.error().to_string();
    EXPECT_EQ(last->pairs.front(), (Pair{0xFFFFFFFE, 0xFFFFFFFF}));
    expect_error(decode_hex<AoppPairing>(head_then("00000001" "ffffffff0f" "00")), Errc::out_of_range,
                 "pairs[].second", 33);
    expect_error(decode_hex<AoppPairing>(head_then("00000002" "00" "00" "ffffffff0f" "00")), Errc::out_of_range,
                 "pairs[].first", 30);
}

TEST(AoppPairing, VarintErrorsNameTheirHalfOfThePair) {
    expect_error(decode_hex<AoppPairing>(head_then("00000001" "00" "80")), Errc::truncated, "pairs[].second", 29);
    expect_error(decode_hex<AoppPairing>(head_then("00000001" "8000" "00")), Errc::non_canonical, "pairs[].first",
                 28);
    expect_error(decode_hex<AoppPairing>(head_then("00000001" "00" "808080808001")), Errc::out_of_range,
                 "pairs[].second", 29);
}

TEST(AoppPairing, CountBeyondTheInputIsTruncatedOnTheCount) {
    // Three pairs need at least six bytes; five remain.
    expect_error(decode_hex<AoppPairing>(head_then("00000003" "0000000000")), Errc::truncated, "pair_count", 24);
    expect_error(decode_hex<AoppPairing>(head_then("02faf081")), Errc::out_of_range, "pair_count", 24);
}

TEST(AoppPairing, ReuseOfAnIndexIsLeftToTheProtocol) {
    AoppPairing m;
    m.bob_zeros = 3;
    m.bob_ones = 3;
    m.pairs = {Pair{0, 5}, Pair{1, 5}, Pair{2, 3}};
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    auto back = decode_payload<AoppPairing>(*bytes);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, m);
}

TEST(AoppPairing, EncoderRefusesPairsOutOfOrder) {
    AoppPairing m;
    m.bob_zeros = 2;
    m.bob_ones = 2;
    m.pairs = {Pair{5, 5}};
    expect_encode_error(m, Errc::not_increasing, "pairs[].second", 28);
    m.pairs = {Pair{5, 4}};
    expect_encode_error(m, Errc::not_increasing, "pairs[].second", 28);
    m.pairs = {Pair{5, 6}, Pair{5, 7}};
    expect_encode_error(m, Errc::not_increasing, "pairs[].first", 30);
    m.pairs = {Pair{5, 6}, Pair{4, 7}};
    expect_encode_error(m, Errc::not_increasing, "pairs[].first", 30);
}

}  // namespace
}  // namespace tfqkd::wire
