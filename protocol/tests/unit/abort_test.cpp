// abort: rules of docs/wire-format.md section 5.16 that need more than the vector files show.
#include <gtest/gtest.h>

#include "protocol/wire/abort.hpp"

namespace tfqkd::wire {
namespace {

TEST(Abort, EncodesTheSpecLayout) {
    Abort m;
    m.block_id = 0x0102030405060708;
    m.reason = Abort::Reason::qber_too_high;
    m.detail = "E_x";
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    // block_id u64, reason u16 = 4, detail_length u16 = 3, "E_x"
    EXPECT_EQ(to_hex(*bytes), "0102030405060708" "0004" "0003" "455f78");
    auto back = decode_payload<Abort>(*bytes);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, m);
}

TEST(Abort, EncoderRefusesWhatTheDecoderWouldReject) {
    Abort m;
    m.detail = "line\nbreak";
    auto bytes = encode_payload(m);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, Errc::invalid_value);
    EXPECT_EQ(bytes.error().field, "detail");

    m.detail.assign(Abort::kMaxDetail + 1, 'x');
    bytes = encode_payload(m);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().field, "detail_length");

    m.detail.clear();
    m.reason = static_cast<Abort::Reason>(0);
    bytes = encode_payload(m);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().field, "reason");
}

TEST(Abort, DetailErrorPointsAtTheOffendingByte) {
    auto input = from_hex("0000000000000000" "0001" "0003" "41ff41");
    ASSERT_TRUE(input.ok());
    auto m = decode_payload<Abort>(*input);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::invalid_value);
    EXPECT_EQ(m.error().field, "detail");
    EXPECT_EQ(m.error().offset, 13U);
}

}  // namespace
}  // namespace tfqkd::wire
