// session_params_ack: rules of docs/wire-format.md section 5.2 that need more than the vector files show.
#include <gtest/gtest.h>

#include "protocol/wire/session_params_ack.hpp"
#include "unit/test_support.hpp"

namespace tfqkd::wire {
namespace {

constexpr const char* kDigestHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

TEST(SessionParamsAck, EncodesTheSpecLayout) {
    SessionParamsAck m;
    m.block_id = 0x0102030405060708;
    for (std::size_t i = 0; i < m.params_digest.size(); ++i) m.params_digest[i] = static_cast<Byte>(i);
    m.capabilities = 0xF;
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    // block_id u64, params_digest 32 bytes, capabilities u32
    EXPECT_EQ(to_hex(*bytes), std::string("0102030405060708") + kDigestHex + "0000000f");
    auto back = decode_payload<SessionParamsAck>(*bytes);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, m);
}

TEST(SessionParamsAck, UndefinedCapabilityBitsAreInvalid) {
    expect_error(decode_hex<SessionParamsAck>(std::string("0000000000000000") + kDigestHex + "00000010"),
                 Errc::invalid_value, "capabilities", 40);
    expect_error(decode_hex<SessionParamsAck>(std::string("0000000000000000") + kDigestHex + "80000000"),
                 Errc::invalid_value, "capabilities", 40);
    SessionParamsAck m;
    m.capabilities = 0x20;
    expect_encode_error(m, Errc::invalid_value, "capabilities", 40);
}

TEST(SessionParamsAck, TruncationNamesTheFieldCutOff) {
    const std::string full = std::string("0000000000000000") + kDigestHex + "00000003";
    expect_error(decode_hex<SessionParamsAck>(full.substr(0, 2 * (8 + 31))), Errc::truncated, "params_digest", 8);
    expect_error(decode_hex<SessionParamsAck>(full.substr(0, 2 * (8 + 32 + 2))), Errc::truncated, "capabilities", 40);
    expect_error(decode_hex<SessionParamsAck>(full + "00"), Errc::trailing_data, "", 44);
    EXPECT_TRUE(decode_hex<SessionParamsAck>(full).ok());
}

}  // namespace
}  // namespace tfqkd::wire
