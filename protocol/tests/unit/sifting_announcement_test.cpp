// sifting_announcement: rules of docs/wire-format.md section 5.5 that need more than the vector files show.
#include <gtest/gtest.h>

#include "protocol/wire/sifting_announcement.hpp"
#include "unit/test_support.hpp"

namespace tfqkd::wire {
namespace {

TEST(SiftingAnnouncement, EncodesTheSpecLayout) {
    SiftingAnnouncement m;
    m.block_id = 0x0102030405060708;
    for (bool x : {true, false, true, true, false, false, false, false, true, true}) m.windows.push_back(x);
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    // block_id, event_count = 10, windows 1011 0000 | 11 (six zero padding bits)
    EXPECT_EQ(to_hex(*bytes), "0102030405060708" "0000000a" "b0c0");
    auto back = decode_payload<SiftingAnnouncement>(*bytes);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, m);
}

TEST(SiftingAnnouncement, EmptyListHasNoBitBytes) {
    SiftingAnnouncement m;
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    EXPECT_EQ(to_hex(*bytes), "0000000000000000" "00000000");
}

TEST(SiftingAnnouncement, PaddingBitsMustBeZero) {
    expect_error(decode_hex<SiftingAnnouncement>("0000000000000000" "0000000a" "b0e0"),
                 Errc::non_canonical, "windows", 13);
    expect_error(decode_hex<SiftingAnnouncement>("0000000000000000" "0000000a" "b0c1"),
                 Errc::non_canonical, "windows", 13);
    EXPECT_TRUE(decode_hex<SiftingAnnouncement>("0000000000000000" "00000010" "b0ff").ok());
}

TEST(SiftingAnnouncement, CountBeyondTheInputIsTruncatedOnTheCount) {
    // 17 bits need three bytes; two remain.
    expect_error(decode_hex<SiftingAnnouncement>("0000000000000000" "00000011" "ffff"),
                 Errc::truncated, "event_count", 8);
    expect_error(decode_hex<SiftingAnnouncement>("0000000000000000" "05f5e101"), Errc::out_of_range, "event_count", 8);
    expect_error(decode_hex<SiftingAnnouncement>("0000000000000000" "00000008" "ff00"), Errc::trailing_data, "", 13);
}

}  // namespace
}  // namespace tfqkd::wire
