// estimation_disclosure: rules of docs/wire-format.md section 5.7 that need more than the vector files show.
#include <gtest/gtest.h>

#include "protocol/wire/estimation_disclosure.hpp"
#include "unit/test_support.hpp"

namespace tfqkd::wire {
namespace {

EstimationDisclosure example() {
    EstimationDisclosure m;
    m.block_id = 0x0102030405060708;
    m.indices = {0, 1, 200};
    for (bool v : {true, false, true}) m.values.push_back(v);
    return m;
}

TEST(EstimationDisclosure, EncodesTheSpecLayout) {
    auto bytes = encode_payload(example());
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    EXPECT_EQ(to_hex(*bytes),
              "0102030405060708"  // block_id
              "00000003"          // bit_count
              "00" "00" "c601"    // indices 0, 0 + 1 + 0, 1 + 1 + 198 (LEB128 c6 01)
              "a0"                // values 101, five zero padding bits
    );
    auto back = decode_payload<EstimationDisclosure>(*bytes);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, example());
}

TEST(EstimationDisclosure, IndicesStayBelowTwoToThe32) {
    auto last = decode_hex<EstimationDisclosure>("0000000000000000" "00000001" "ffffffff0f" "80");
    ASSERT_TRUE(last.ok()) << last.error().to_string();
    EXPECT_EQ(last->indices.front(), 0xFFFFFFFFU);
    expect_error(decode_hex<EstimationDisclosure>("0000000000000000" "00000002" "ffffffff0f" "00" "c0"),
                 Errc::out_of_range, "indices[]", 17);
    expect_error(decode_hex<EstimationDisclosure>("0000000000000000" "00000001" "808080808001" "80"),
                 Errc::out_of_range, "indices[]", 12);
}

TEST(EstimationDisclosure, ValuesFollowTheIndices) {
    // All indices present, the bit byte missing: the list of values is what is cut off.
    expect_error(decode_hex<EstimationDisclosure>("0000000000000000" "00000003" "0000c601"),
                 Errc::truncated, "values", 16);
    expect_error(decode_hex<EstimationDisclosure>("0000000000000000" "00000003" "0000c601" "a1"),
                 Errc::non_canonical, "values", 16);
    expect_error(decode_hex<EstimationDisclosure>("0000000000000000" "00000003" "0000c601" "a000"),
                 Errc::trailing_data, "", 17);
}

TEST(EstimationDisclosure, CountBeyondTheInputIsTruncatedOnTheCount) {
    // Three indices need at least three bytes; two remain.
    expect_error(decode_hex<EstimationDisclosure>("0000000000000000" "00000003" "0000"),
                 Errc::truncated, "bit_count", 8);
    expect_error(decode_hex<EstimationDisclosure>("0000000000000000" "05f5e101"), Errc::out_of_range, "bit_count", 8);
}

TEST(EstimationDisclosure, EncoderRefusesUnrepresentableLists) {
    EstimationDisclosure m = example();
    m.values.push_back(false);
    expect_encode_error(m, Errc::length_mismatch, "values", 8);
    m = example();
    m.indices = {0, 200, 1};
    expect_encode_error(m, Errc::not_increasing, "indices[]", 15);
    m.indices = {0, 0, 1};
    expect_encode_error(m, Errc::not_increasing, "indices[]", 13);
}

}  // namespace
}  // namespace tfqkd::wire
