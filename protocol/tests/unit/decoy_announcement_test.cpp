// decoy_announcement: rules of docs/wire-format.md section 5.6 that need more than the vector files show.
#include <gtest/gtest.h>

#include "protocol/wire/decoy_announcement.hpp"
#include "unit/test_support.hpp"

namespace tfqkd::wire {
namespace {

using Entry = DecoyAnnouncement::Entry;

TEST(DecoyAnnouncement, EncodesTheSpecLayout) {
    DecoyAnnouncement m;
    m.block_id = 0x0102030405060708;
    m.entries = {Entry{5, 3, 1023}, Entry{6, 0, 0}, Entry{300, 15, 512}};
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    EXPECT_EQ(to_hex(*bytes),
              "0102030405060708"  // block_id
              "00000003"          // entry_count
              "05" "03" "03ff"    // index 5 (delta 5), setting 3, phase_slice 1023
              "00" "00" "0000"    // index 6 = 5 + 1 + 0
              "a502" "0f" "0200"  // index 300 = 6 + 1 + 293 (LEB128 a5 02), setting 15, phase_slice 512
    );
    auto back = decode_payload<DecoyAnnouncement>(*bytes);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, m);
}

TEST(DecoyAnnouncement, IndicesStayBelowTwoToThe32) {
    auto last = decode_hex<DecoyAnnouncement>("0000000000000000" "00000001" "ffffffff0f" "0f" "03ff");
    ASSERT_TRUE(last.ok()) << last.error().to_string();
    EXPECT_EQ(last->entries.front().index, 0xFFFFFFFFU);
    expect_error(decode_hex<DecoyAnnouncement>("0000000000000000" "00000001" "8080808010" "00" "0000"),
                 Errc::out_of_range, "entries[].index", 12);
    // The second entry would be 2^32 - 1 + 1 + 0: the error is at its own varint.
    expect_error(decode_hex<DecoyAnnouncement>("0000000000000000" "00000002" "ffffffff0f" "00" "0000" "00" "00" "0000"),
                 Errc::out_of_range, "entries[].index", 20);
}

TEST(DecoyAnnouncement, IndexVarintErrors) {
    // More than five bytes, not the shortest form, cut off.
    expect_error(decode_hex<DecoyAnnouncement>("0000000000000000" "00000001" "808080808001" "00" "0000"),
                 Errc::out_of_range, "entries[].index", 12);
    expect_error(decode_hex<DecoyAnnouncement>("0000000000000000" "00000001" "8000" "00" "0000"),
                 Errc::non_canonical, "entries[].index", 12);
    expect_error(decode_hex<DecoyAnnouncement>("0000000000000000" "00000001" "80808080"),
                 Errc::truncated, "entries[].index", 12);
}

TEST(DecoyAnnouncement, SettingAndPhaseSliceBounds) {
    expect_error(decode_hex<DecoyAnnouncement>("0000000000000000" "00000001" "00" "10" "0000"),
                 Errc::out_of_range, "entries[].setting", 13);
    expect_error(decode_hex<DecoyAnnouncement>("0000000000000000" "00000001" "00" "00" "0400"),
                 Errc::out_of_range, "entries[].phase_slice", 14);
    // In the second entry, after a two-byte delta.
    expect_error(decode_hex<DecoyAnnouncement>("0000000000000000" "00000002" "00" "00" "0000" "8001" "00" "ffff"),
                 Errc::out_of_range, "entries[].phase_slice", 19);
}

TEST(DecoyAnnouncement, CountBeyondTheInputIsTruncatedOnTheCount) {
    // Two entries need at least eight bytes; seven remain.
    expect_error(decode_hex<DecoyAnnouncement>("0000000000000000" "00000002" "00000000000000"),
                 Errc::truncated, "entry_count", 8);
    expect_error(decode_hex<DecoyAnnouncement>("0000000000000000" "05f5e101"), Errc::out_of_range, "entry_count", 8);
}

TEST(DecoyAnnouncement, EncoderRefusesIndicesOutOfOrder) {
    DecoyAnnouncement m;
    m.entries = {Entry{5, 0, 0}, Entry{5, 0, 0}};
    expect_encode_error(m, Errc::not_increasing, "entries[].index", 16);
    m.entries = {Entry{5, 0, 0}, Entry{7, 0, 0}, Entry{6, 0, 0}};
    expect_encode_error(m, Errc::not_increasing, "entries[].index", 20);
    // Bounds are the decoder's, found by encode_payload's check.
    m.entries = {Entry{5, 16, 0}};
    expect_encode_error(m, Errc::out_of_range, "entries[].setting", 13);
}

}  // namespace
}  // namespace tfqkd::wire
