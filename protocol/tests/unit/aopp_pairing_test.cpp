// aopp_pairing: rules of docs/wire-format.md section 5.8 that need more than the vector files show.
#include <gtest/gtest.h>

#include "protocol/wire/aopp_pairing.hpp"
#include "unit/test_support.hpp"

namespace tfqkd::wire {
namespace {

using Pair = AoppPairing::Pair;

TEST(AoppPairing, EncodesTheSpecLayout) {
    AoppPairing m;
    m.block_id = 0x0102030405060708;
    m.pairs = {Pair{0, 1}, Pair{2, 10}, Pair{131, 400}};
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    EXPECT_EQ(to_hex(*bytes),
              "0102030405060708"  // block_id
              "00000003"          // pair_count
              "00" "00"           // first 0, second 0 + 1 + 0
              "01" "07"           // first 0 + 1 + 1, second 2 + 1 + 7
              "8001" "8c02"       // first 2 + 1 + 128, second 131 + 1 + 268
    );
    auto back = decode_payload<AoppPairing>(*bytes);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, m);
}

TEST(AoppPairing, IndicesStayBelowTwoToThe32) {
    auto last = decode_hex<AoppPairing>("0000000000000000" "00000001" "feffffff0f" "00");
    ASSERT_TRUE(last.ok()) << last.error().to_string();
    EXPECT_EQ(last->pairs.front(), (Pair{0xFFFFFFFE, 0xFFFFFFFF}));
    expect_error(decode_hex<AoppPairing>("0000000000000000" "00000001" "ffffffff0f" "00"),
                 Errc::out_of_range, "pairs[].second", 17);
    expect_error(decode_hex<AoppPairing>("0000000000000000" "00000002" "00" "00" "ffffffff0f" "00"),
                 Errc::out_of_range, "pairs[].first", 14);
}

TEST(AoppPairing, VarintErrorsNameTheirHalfOfThePair) {
    expect_error(decode_hex<AoppPairing>("0000000000000000" "00000001" "00" "80"),
                 Errc::truncated, "pairs[].second", 13);
    expect_error(decode_hex<AoppPairing>("0000000000000000" "00000001" "8000" "00"),
                 Errc::non_canonical, "pairs[].first", 12);
    expect_error(decode_hex<AoppPairing>("0000000000000000" "00000001" "00" "808080808001"),
                 Errc::out_of_range, "pairs[].second", 13);
}

TEST(AoppPairing, CountBeyondTheInputIsTruncatedOnTheCount) {
    // Three pairs need at least six bytes; five remain.
    expect_error(decode_hex<AoppPairing>("0000000000000000" "00000003" "0000000000"), Errc::truncated, "pair_count", 8);
    expect_error(decode_hex<AoppPairing>("0000000000000000" "02faf081"), Errc::out_of_range, "pair_count", 8);
}

TEST(AoppPairing, ReuseOfAnIndexIsLeftToTheProtocol) {
    AoppPairing m;
    m.pairs = {Pair{0, 5}, Pair{1, 5}, Pair{2, 3}};
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    auto back = decode_payload<AoppPairing>(*bytes);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, m);
}

TEST(AoppPairing, EncoderRefusesPairsOutOfOrder) {
    AoppPairing m;
    m.pairs = {Pair{5, 5}};
    expect_encode_error(m, Errc::not_increasing, "pairs[].second", 12);
    m.pairs = {Pair{5, 4}};
    expect_encode_error(m, Errc::not_increasing, "pairs[].second", 12);
    m.pairs = {Pair{5, 6}, Pair{5, 7}};
    expect_encode_error(m, Errc::not_increasing, "pairs[].first", 14);
    m.pairs = {Pair{5, 6}, Pair{4, 7}};
    expect_encode_error(m, Errc::not_increasing, "pairs[].first", 14);
}

}  // namespace
}  // namespace tfqkd::wire
