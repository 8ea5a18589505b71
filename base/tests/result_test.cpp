#include "base/result.hpp"

#include <gtest/gtest.h>

#include "base/bytes.hpp"

namespace tfqkd {
namespace {

TEST(Result, CarriesValueOrError) {
    Result<int> good = 7;
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(*good, 7);
    Result<int> bad = make_error(Errc::truncated, "abort", "reason");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, Errc::truncated);
    EXPECT_EQ(bad.error().field, "reason");
}

TEST(Result, ErrorTextNamesMessageFieldReasonAndOffset) {
    Error e = make_error(Errc::out_of_range, "detection_report", "event_count", "more than 10^8", 24);
    EXPECT_EQ(e.to_string(), "detection_report.event_count: out_of_range at byte 24 (more than 10^8)");
}

TEST(Result, ErrcNamesRoundTrip) {
    for (std::uint16_t code = 1; code <= 15; ++code) {
        const auto errc = static_cast<Errc>(code);
        const auto back = errc_from_name(errc_name(errc));
        ASSERT_TRUE(back.has_value()) << code;
        EXPECT_EQ(*back, errc);
    }
    EXPECT_FALSE(errc_from_name("no_such_error").has_value());
}

Status fails_then_propagates(bool fail) {
    TFQKD_TRY(fail ? Status(make_error(Errc::io, "file", "")) : Status());
    return make_error(Errc::parse, "file", "");
}

TEST(Result, TryPropagatesTheFirstError) {
    EXPECT_EQ(fails_then_propagates(true).error().code, Errc::io);
    EXPECT_EQ(fails_then_propagates(false).error().code, Errc::parse);
}

TEST(Hex, RoundTripsAndRejectsBadDigits) {
    const Bytes data{0x00, 0x7f, 0xab, 0xff};
    EXPECT_EQ(to_hex(data), "007fabff");
    auto parsed = from_hex("007FabFF");
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, data);
    EXPECT_FALSE(from_hex("abc").ok());
    auto bad = from_hex("zz");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().detail.find("position 0"), std::string::npos);
}

}  // namespace
}  // namespace tfqkd
