// phase_reference_report: rules of docs/wire-format.md section 5.4 that need more than the vector files show.
#include <gtest/gtest.h>

#include "protocol/wire/phase_reference_report.hpp"
#include "unit/test_support.hpp"

namespace tfqkd::wire {
namespace {

TEST(PhaseReferenceReport, EncodesTheSpecLayout) {
    PhaseReferenceReport m;
    m.block_id = 0x0102030405060708;
    m.first_slot = kMaxSlot - 1;
    m.sample_stride = kMaxSlot;
    m.phases = {0, 0xFFFFFFFF, 0x80000000};
    auto bytes = encode_payload(m);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    EXPECT_EQ(to_hex(*bytes),
              "0102030405060708"                      // block_id
              "0000ffffffffffff"                      // first_slot = 2^48 - 1
              "0001000000000000"                      // sample_stride = 2^48
              "00000003"                              // sample_count
              "00000000" "ffffffff" "80000000");      // phases[]
    auto back = decode_payload<PhaseReferenceReport>(*bytes);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, m);
}

TEST(PhaseReferenceReport, BoundsAreCheckedAtTheirFields) {
    expect_error(decode_hex<PhaseReferenceReport>("0000000000000000" "0001000000000000" "0000000000000001" "00000000"),
                 Errc::out_of_range, "first_slot", 8);
    expect_error(decode_hex<PhaseReferenceReport>("0000000000000000" "0000000000000000" "0000000000000000" "00000000"),
                 Errc::out_of_range, "sample_stride", 16);
    expect_error(decode_hex<PhaseReferenceReport>("0000000000000000" "0000000000000000" "0001000000000001" "00000000"),
                 Errc::out_of_range, "sample_stride", 16);
    expect_error(decode_hex<PhaseReferenceReport>("0000000000000000" "0000000000000000" "0000000000000001" "01000001"),
                 Errc::out_of_range, "sample_count", 24);
}

TEST(PhaseReferenceReport, CountBeyondTheInputIsTruncatedOnTheCount) {
    // Two samples claimed, seven bytes left: the count is at fault, before anything is allocated.
    expect_error(decode_hex<PhaseReferenceReport>("0000000000000000" "0000000000000000" "0000000000000001"
                                                  "00000002" "00000000000000"),
                 Errc::truncated, "sample_count", 24);
    // 2^24 samples claimed (the largest allowed) over an empty list.
    expect_error(decode_hex<PhaseReferenceReport>("0000000000000000" "0000000000000000" "0000000000000001" "01000000"),
                 Errc::truncated, "sample_count", 24);
    expect_error(decode_hex<PhaseReferenceReport>("0000000000000000" "0000000000000000" "0000000000000001"
                                                  "00000001" "0000000000"),
                 Errc::trailing_data, "", 32);
}

TEST(PhaseReferenceReport, EncoderLeavesBoundsToTheDecoder) {
    PhaseReferenceReport m;
    m.first_slot = kMaxSlot;
    expect_encode_error(m, Errc::out_of_range, "first_slot", 8);
    m.first_slot = 0;
    m.sample_stride = 0;
    expect_encode_error(m, Errc::out_of_range, "sample_stride", 16);
}

}  // namespace
}  // namespace tfqkd::wire
